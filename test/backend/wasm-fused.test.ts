/**
 * Generated wasm kernels for fused elementwise chains (src/backend/wasm/fused.ts):
 * every op against the backend's own kernels bit for bit (SIMD lanes and the
 * one-by-one tail, float32 and float64, special values), chains with scalars,
 * several outputs, a sum (float64 in order) and an in-place write.
 */
import { describe, expect, it } from 'vitest';
import { setWasmOptions, wasmBackend, wasmInfo, type BinaryOp, type Storage, type UnaryOp, type View } from '../../src/backend/index.js';
import { canFuseOnWasm, wasmFusedKernel, type WasmFusedSpec } from '../../src/backend/wasm/fused.js';
import { rng } from './helpers.js';

type F = 'float32' | 'float64';
const flat = (s: Storage, n = s.length, offset = 0): View => ({ storage: s, shape: [n], strides: [1], offset });
const read = (s: Storage): number[] => Array.from(wasmBackend.read(flat(s)));
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 88, -88, 100, -100, 0.5, -0.5, 3, -3, 1e30];
/** `n` values: specials, then uniform on [-6, 6). */
function values(n: number, seed: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => (i < SPECIAL.length ? SPECIAL[i]! : -6 + 12 * r()));
}
const same = (a: readonly number[], b: readonly number[], what: string): void => {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) expect(`${what} [${i}] ${a[i]}`).toBe(`${what} [${i}] ${b[i]}`);
};

describe('generated wasm kernels', () => {
  const unary: UnaryOp[] = ['neg', 'abs', 'sqrt', 'exp', 'sigmoid', 'tanh'];
  const binary: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'];
  for (const dtype of ['float32', 'float64'] as F[]) {
    for (const op of [...unary, ...binary]) {
      if (!canFuseOnWasm(op, dtype)) continue;
      it(`${op} ${dtype} equals the backend's kernel (lanes and tail, offset inputs)`, () => {
        const n = 1003;
        const two = binary.includes(op as BinaryOp);
        const a = wasmBackend.fromArray(dtype, [7, ...values(n, 1)]);
        const b = wasmBackend.fromArray(dtype, [...values(n, 2).reverse(), 9]);
        const spec: WasmFusedSpec = {
          dtype, n, inputs: two ? [{ scalar: false, offset: 1 }, { scalar: false, offset: 0 }] : [{ scalar: false, offset: 1 }],
          ops: [{ op, args: two ? [{ input: 0 }, { input: 1 }] : [{ input: 0 }] }], outputs: [{ value: 0, offset: 0 }], sum: null,
        };
        const k = wasmFusedKernel(spec)!;
        expect(k).not.toBeNull();
        const out = wasmBackend.alloc(dtype, n);
        k.run([out], two ? [a, b] : [a]);
        const want = two ? wasmBackend.binary(op as BinaryOp, flat(a, n, 1), flat(b, n), dtype) : wasmBackend.unary(op as UnaryOp, flat(a, n, 1), dtype);
        same(read(out), read(want), `${op} ${dtype}`);
      });
    }
    it(`a chain with a scalar, two outputs and a sum, ${dtype}`, () => {
      // y = tanh(x·s + b) (or neg for float64), z = y·y; outputs y and z, sum of z
      const n = 517;
      const x = wasmBackend.fromArray(dtype, values(n, 3));
      const bias = wasmBackend.fromArray(dtype, values(n, 4));
      const s = wasmBackend.fromArray(dtype, [0.75]);
      const act = dtype === 'float32' ? 'tanh' : 'neg';
      const k = wasmFusedKernel({
        dtype, n, inputs: [{ scalar: false, offset: 0 }, { scalar: true, offset: 0 }, { scalar: false, offset: 0 }],
        ops: [
          { op: 'mul', args: [{ input: 0 }, { input: 1 }] }, { op: 'add', args: [{ value: 0 }, { input: 2 }] },
          { op: act, args: [{ value: 1 }] }, { op: 'mul', args: [{ value: 2 }, { value: 2 }] },
        ],
        outputs: [{ value: 2, offset: 0 }, { value: 3, offset: 0 }], sum: 3,
      })!;
      const y = wasmBackend.alloc(dtype, n);
      const z = wasmBackend.alloc(dtype, n);
      const total = k.run([y, z], [x, s, bias]);
      const sv: View = { storage: s, shape: [n], strides: [0], offset: 0 };
      const t0 = wasmBackend.binary('mul', flat(x), sv, dtype);
      const t1 = wasmBackend.binary('add', flat(t0), flat(bias), dtype);
      const t2 = wasmBackend.unary(act, flat(t1), dtype);
      const t3 = wasmBackend.binary('mul', flat(t2), flat(t2), dtype);
      same(read(y), read(t2), 'y');
      same(read(z), read(t3), 'z');
      let acc = 0;
      for (const v of read(t3)) acc += v;
      expect(Object.is(total, acc)).toBe(true);
    });
  }
  it('rows repeated over the leading dims (biases): two periods, lanes and tail', () => {
    // out = tanh(x + b1) · b2 over [37, 3, 4]: b1 [3, 4] (period 12), b2 [4] (period 4, offset 1 in its storage)
    const n = 37 * 12;
    const x = wasmBackend.fromArray('float32', values(n, 7));
    const b1 = wasmBackend.fromArray('float32', values(12, 8));
    const b2 = wasmBackend.fromArray('float32', [5, ...values(4, 9)]);
    const k = wasmFusedKernel({
      dtype: 'float32', n, inputs: [{ scalar: false, offset: 0 }, { scalar: false, offset: 0, period: 12 }, { scalar: false, offset: 1, period: 4 }],
      ops: [{ op: 'add', args: [{ input: 0 }, { input: 1 }] }, { op: 'tanh', args: [{ value: 0 }] }, { op: 'mul', args: [{ value: 1 }, { input: 2 }] }],
      outputs: [{ value: 2, offset: 0 }], sum: null,
    })!;
    const out = wasmBackend.alloc('float32', n);
    k.run([out], [x, b1, b2]);
    const shape = [37, 3, 4];
    const xv: View = { storage: x, shape, strides: [12, 4, 1], offset: 0 };
    const t0 = wasmBackend.binary('add', xv, { storage: b1, shape, strides: [0, 4, 1], offset: 0 }, 'float32');
    const t1 = wasmBackend.unary('tanh', { storage: t0, shape, strides: [12, 4, 1], offset: 0 }, 'float32');
    const t2 = wasmBackend.binary('mul', { storage: t1, shape, strides: [12, 4, 1], offset: 0 }, { storage: b2, shape, strides: [0, 0, 1], offset: 1 }, 'float32');
    same(read(out), read(t2), 'biases');
    // A period that is not a multiple of the lanes is declined.
    expect(wasmFusedKernel({ dtype: 'float32', n: 300, inputs: [{ scalar: false, offset: 0, period: 10 }], ops: [{ op: 'neg', args: [{ input: 0 }] }], outputs: [{ value: 0, offset: 0 }], sum: null })).toBeNull();
  });

  it('reads evicted inputs back and writes an evicted output in place (a residency limit smaller than the operands)', () => {
    const n = 4096; // 16 KiB each; the limit holds two
    const x = wasmBackend.fromArray('float32', values(n, 11));
    const y = wasmBackend.fromArray('float32', values(n, 12));
    const p = wasmBackend.fromArray('float32', values(n, 13));
    const want = read(p).map((v, i) => Math.fround(v - Math.fround(read(x)[i]! * read(y)[i]!)));
    setWasmOptions({ residentLimitBytes: 40 * 1024 });
    try {
      for (let k = 0; k < 6; k++) wasmBackend.alloc('float32', n); // pushes x, y and p out of the pool
      expect(wasmInfo().stats.evictions).toBeGreaterThan(0);
      const kernel = wasmFusedKernel({
        dtype: 'float32', n, inputs: [{ scalar: false, offset: 0 }, { scalar: false, offset: 0 }, { scalar: false, offset: 0 }],
        ops: [{ op: 'mul', args: [{ input: 0 }, { input: 1 }] }, { op: 'sub', args: [{ input: 2 }, { value: 0 }] }],
        outputs: [{ value: 1, offset: 0 }], sum: null,
      })!;
      kernel.run([p], [x, y, p]);
      same(read(p), want, 'p -= x·y');
    } finally {
      setWasmOptions({ residentLimitBytes: 256 * 2 ** 20 });
    }
  });

  it('writes in place: an output at an offset of an input it reads', () => {
    const n = 300;
    const p = wasmBackend.fromArray('float32', [1, 2, ...values(n, 5)]);
    const g = wasmBackend.fromArray('float32', values(n, 6));
    const before = read(p);
    const k = wasmFusedKernel({
      dtype: 'float32', n, inputs: [{ scalar: false, offset: 2 }, { scalar: false, offset: 0 }],
      ops: [{ op: 'sub', args: [{ input: 0 }, { input: 1 }] }], outputs: [{ value: 0, offset: 2 }], sum: null,
    })!;
    k.run([p], [p, g]);
    const gv = read(g);
    const want = before.map((v, i) => (i < 2 ? v : Math.fround(v - gv[i - 2]!)));
    same(read(p), want, 'p');
  });
  it('declines what it cannot generate: log, float64 tanh, tensors small enough for the JS heap', () => {
    expect(canFuseOnWasm('log', 'float32')).toBe(false);
    expect(canFuseOnWasm('tanh', 'float64')).toBe(false);
    const one = [{ scalar: false, offset: 0 }];
    expect(wasmFusedKernel({ dtype: 'float32', n: 1000, inputs: one, ops: [{ op: 'log', args: [{ input: 0 }] }], outputs: [{ value: 0, offset: 0 }], sum: null })).toBeNull();
    expect(wasmFusedKernel({ dtype: 'float32', n: 16, inputs: one, ops: [{ op: 'neg', args: [{ input: 0 }] }], outputs: [{ value: 0, offset: 0 }], sum: null })).toBeNull();
  });
});
