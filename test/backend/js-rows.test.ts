/**
 * The js backend's strided walk (`Rows`) against element-by-element indexing
 * (`positionsOf`, the row-major position of every element): unary, binary,
 * compare, where, reductions, copies, fills and reads over random shapes and
 * strides (transposed, sliced, broadcast with stride 0, size-1 and empty dims,
 * offsets), bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { Rows, jsBackend as js, positionsOf } from '../../src/backend/js.js';
import type { DType, View } from '../../src/backend/types.js';
import { rng } from './helpers.js';

const r = rng(20261204);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** A random strided view of a random shape over a random float storage (stride 0: broadcast). */
function randomView(shape: readonly number[], dtype: DType = 'float64'): View {
  const order = shape.map((_, i) => i).sort(() => r() - 0.5);
  const strides = new Array<number>(shape.length).fill(0);
  let acc = 1;
  for (const d of order) {
    const kind = pick(['dense', 'dense', 'gap', 'broadcast']);
    if (kind === 'broadcast') continue;
    strides[d] = acc * (kind === 'gap' ? 2 : 1);
    acc = strides[d]! * shape[d]!;
  }
  const offset = Math.floor(r() * 3);
  const length = offset + shape.reduce((s, n, d) => s + (n - 1) * strides[d]!, 0) + 1;
  const values = Array.from({ length }, () => (dtype === 'bool' ? (r() > 0.5 ? 1 : 0) : Math.round((r() * 8 - 4) * 1000) / 997));
  return { storage: js.fromArray(dtype, values), shape: [...shape], strides, offset };
}

const randomShape = (): number[] => Array.from({ length: Math.floor(r() * 5) }, () => pick([0, 1, 1, 2, 3, 5]));

/** The view's elements in row-major order, read one position at a time. */
function reference(v: View): number[] {
  const data = (v.storage as unknown as { data: ArrayLike<number> }).data;
  return [...positionsOf(v.shape, v.strides, v.offset)].map((p) => data[p]!);
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>): void => expect(Array.from(a)).toEqual(Array.from(b));
const readAll = (s: import('../../src/backend/types.js').Storage, n: number): number[] =>
  Array.from(js.read({ storage: s, shape: [n], strides: [1], offset: 0 }));

describe('js strided walk', () => {
  it('Rows merges dims every view steps through as one and drops size-1 dims', () => {
    const w = new Rows([2, 1, 3], [[3, 7, 1], [0, 5, 1]], [4, 0]);
    expect([w.rows, w.len, w.step]).toEqual([2, 3, [1, 1]]);
    expect(w.base).toEqual([4, 0]);
    w.next();
    expect(w.base).toEqual([7, 0]);
    const merged = new Rows([4, 5], [[5, 1]], [0]);
    expect([merged.rows, merged.len]).toEqual([1, 20]);
    const scalar = new Rows([], [[]], [2]);
    expect([scalar.rows, scalar.len, scalar.base]).toEqual([1, 1, [2]]);
    expect(new Rows([3, 0], [[1, 1]], [0]).rows).toBe(0);
  });

  it('read, unary, binary, compare, where, reduce, copy and fill match element-by-element indexing', () => {
    let copies = 0;
    for (let trial = 0; trial < 300; trial++) {
      const shape = randomShape();
      const n = shape.reduce((a, b) => a * b, 1);
      const [a, b] = [randomView(shape), randomView(shape)];
      const [ea, eb] = [reference(a), reference(b)];
      same(js.read(a), ea);
      same(readAll(js.unary('exp', a, 'float32'), n), Float32Array.from(ea.map(Math.exp)));
      same(readAll(js.binary('mul', a, b, 'float32'), n), Float32Array.from(ea.map((x, i) => x * eb[i]!)));
      same(readAll(js.binary('sub', a, b, 'float64'), n), ea.map((x, i) => x - eb[i]!));
      same(readAll(js.compare('lt', a, b), n), ea.map((x, i) => (x < eb[i]! ? 1 : 0)));
      const c = randomView(shape, 'bool');
      const ec = reference(c);
      same(readAll(js.where(c, a, b, 'float64'), n), ec.map((x, i) => (x !== 0 ? ea[i]! : eb[i]!)));
      // Reduce over a random subset of dims, in row-major order of the input.
      const dims = shape.map((_, i) => i).filter(() => r() > 0.5);
      const outShape = shape.map((d, i) => (dims.includes(i) ? 1 : d));
      const m = outShape.reduce((x, y) => x * y, 1);
      const acc = new Float64Array(m);
      const outIndex = positionsOf(shape, shape.map((_, d) => (dims.includes(d) ? 0 : outShape.slice(d + 1).reduce((x, y) => x * y, 1))), 0);
      ea.forEach((x, i) => (acc[outIndex[i]!] = acc[outIndex[i]!]! + x));
      same(readAll(js.reduce('sum', a, dims, 'float64'), m), acc);
      // Copy into and fill a strided destination (no broadcast dims: every element has its own slot).
      const dst = randomView(shape, 'float32');
      if (dst.strides.some((s, d) => s === 0 && shape[d]! > 1)) continue;
      copies++;
      js.copy(a, dst);
      same(reference(dst), Float32Array.from(ea));
      js.fill(dst, 1.5);
      same(reference(dst), new Array<number>(n).fill(1.5));
    }
    expect(copies).toBeGreaterThan(50);
  });
});
