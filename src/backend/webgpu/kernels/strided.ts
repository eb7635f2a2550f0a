/**
 * Strided views on the GPU: collapsing dims on the CPU, the parameter block
 * that carries shape, strides and offsets to a kernel, and the WGSL that turns
 * a flat index into one position per view. Shapes and strides are data, not
 * baked into the shader, so one pipeline serves every shape.
 *
 * Parameter words: 0 element count, 1 ndim, 2–3 kernel scalars, 4–11 shape,
 * then per view `v` (0 = output) its offset at 12 + 9v and its strides after
 * it; words 48–63 are free for the kernel.
 */
import { MAXD, PARAM_WORDS } from '../wgsl.js';
import type { GpuBox } from '../memory.js';
import { contiguousStrides, sizeOf } from '../../shape.js';

/** Most views (output included) one strided kernel indexes. */
export const MAX_VIEWS = 4;
/** First free parameter word. */
export const EXTRA = 12 + 9 * MAX_VIEWS;

/** A view reduced to what a kernel needs. */
export interface Strided {
  box: GpuBox;
  strides: readonly number[];
  offset: number;
}

export { contiguousStrides, sizeOf };

/**
 * Drops size-1 dims and merges neighbours that every stride set walks as one
 * (`s[d] = s[d+1] · shape[d+1]`), keeping the row-major element order.
 *
 * @example
 * collapse([2, 3], [[3, 1], [0, 0]]); // { shape: [6], strides: [[1], [0]] }
 */
export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[d]! * n)) {
      outShape[last] = outShape[last]! * n;
      strides.forEach((s, k) => {
        outStrides[k]![last] = s[d]!;
      });
    } else {
      outShape.push(n);
      strides.forEach((s, k) => outStrides[k]!.push(s[d]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/** A parameter block of PARAM_WORDS words with typed writers. */
export class Params {
  readonly buffer = new ArrayBuffer(PARAM_WORDS * 4);
  readonly u = new Uint32Array(this.buffer);
  readonly i = new Int32Array(this.buffer);
  readonly f = new Float32Array(this.buffer);
}

/** The workgroup grid for `n` invocations in groups of `wg` (2-D past 65535 groups). */
export function grid(n: number, wg: number): [number, number, number] {
  const groups = Math.ceil(n / wg);
  if (groups === 0) return [0, 1, 1];
  const x = Math.min(groups, 65535);
  return [x, Math.ceil(groups / x), 1];
}

/**
 * WGSL computing `q0..q{views-1}` (positions of flat index `i` in each view)
 * from the parameter block.
 */
export function positionsCode(views: number): string {
  const init = Array.from({ length: views }, (_, v) => `var q${v} = pi(${12 + 9 * v}u);`).join(' ');
  const step = Array.from({ length: views }, (_, v) => `q${v} = q${v} + c * pi(${13 + 9 * v}u + ud);`).join(' ');
  return `var r = i; ${init}
  for (var d = i32(pu(1u)) - 1; d >= 0; d = d - 1) {
    let ud = u32(d); let s = pu(4u + ud); let c = i32(r % s); r = r / s; ${step}
  }`;
}

/**
 * Calls `run(params, n)` once per dispatch for views of `shape` (output
 * first): dims collapsed, and more than MAXD of them split over several
 * dispatches along the leading dims.
 */
export function eachDispatch(shape: readonly number[], views: readonly Strided[], run: (p: Params, n: number) => void): void {
  if (sizeOf(shape) === 0) return;
  const c = collapse(shape, views.map((v) => v.strides));
  const nd = c.shape.length;
  const inner = Math.min(nd, MAXD);
  const lead = c.shape.slice(0, nd - inner);
  const tail = c.shape.slice(nd - inner);
  const n = sizeOf(tail);
  const leadCount = sizeOf(lead);
  for (let t = 0; t < leadCount; t++) {
    // Offsets of this leading index.
    const idx: number[] = [];
    for (let d = lead.length - 1, r = t; d >= 0; d--) {
      idx[d] = r % lead[d]!;
      r = Math.floor(r / lead[d]!);
    }
    const p = new Params();
    p.u[0] = n;
    p.u[1] = inner;
    tail.forEach((s, d) => {
      p.u[4 + d] = s;
    });
    views.forEach((v, k) => {
      let off = v.offset;
      for (let d = 0; d < lead.length; d++) off += idx[d]! * c.strides[k]![d]!;
      p.i[12 + 9 * k] = off;
      for (let d = 0; d < inner; d++) p.i[13 + 9 * k + d] = c.strides[k]![nd - inner + d]!;
    });
    run(p, n);
  }
}
