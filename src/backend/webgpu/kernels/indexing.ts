/**
 * Index and window kernels: gather, scatterAdd (each output element sums its
 * contributions, in the js backend's order: deterministic, no atomics),
 * im2col and col2im (col2im as a gather per input element).
 *
 * Out-of-range gather indices cannot throw from the GPU: they read 0, and
 * scatterAdd drops them (the js backend throws `RangeArgError`).
 */
import { DeviceError } from '../../../errors.js';
import type { Grid } from '../../js.js';
import type { DType } from '../../types.js';
import { dispatch } from '../encoder.js';
import type { GpuBox } from '../memory.js';
import { ENTRY_ARGS, MATH, MAXD, flatIndex, load, paramsDecl, shaderCache, store, wgslType, type Compute } from '../wgsl.js';
import { EXTRA, Params, contiguousStrides, eachDispatch, grid, positionsCode, sizeOf } from './strided.js';

const WG = 256;
const cached = shaderCache();

/** A strided operand: buffer, dtype, strides, offset. */
export interface Operand {
  box: GpuBox;
  dtype: DType;
  strides: readonly number[];
  offset: number;
}

function computeOf(src: DType, dst: DType): Compute {
  return src === dst ? 'bits' : src === 'float32' || dst === 'float32' ? 'f32' : 'i32';
}

/** `out[i] = x[i with i[dim] := index[i]]` over `shape` (index's), into contiguous `out` of `dtype`. */
export function gatherInto(x: Operand, xSize: number, dim: number, index: Operand, shape: readonly number[], out: GpuBox, dtype: DType): void {
  const c = computeOf(x.dtype, dtype);
  const t = (d: DType) => (c === 'bits' ? 'u32' : wgslType(d));
  const key = `gather:${x.dtype}:${dtype}`;
  const code = cached(key, () => `@group(0) @binding(0) var<storage, read_write> out: array<${t(dtype)}>;
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read> x: array<${t(x.dtype)}>;
${paramsDecl(3)}
${MATH}
@compute @workgroup_size(${WG})
fn main(${ENTRY_ARGS}) {
  let i = ${flatIndex(WG)};
  if (i >= pu(0u)) { return; }
  ${positionsCode(3)}
  let j = idx[q1];
  if (j < 0 || j >= pi(${EXTRA}u)) { out[q0] = ${t(dtype)}(0); return; }
  out[q0] = ${store(dtype, load(x.dtype, `x[q2 + j * pi(${EXTRA + 1}u)]`, c), c)};
}`);
  const base = { box: x.box, strides: x.strides.map((s, d) => (d === dim ? 0 : s)), offset: x.offset };
  eachDispatch(shape, [{ box: out, strides: contiguousStrides(shape), offset: 0 }, index, base], (p, n) => {
    p.i[EXTRA] = xSize;
    p.i[EXTRA + 1] = x.strides[dim]!;
    dispatch({ name: 'gather', key, code, boxes: [out, index.box, x.box], writes: [true, false, false], params: p.buffer, workgroups: grid(n, WG) });
  });
}

/** `scatterAdd(shape, dim, index, src, dtype)` into the contiguous `out`. */
export function scatterAddInto(shape: readonly number[], dim: number, index: Operand, indexShape: readonly number[], src: Operand, out: GpuBox, dtype: DType): void {
  const nd = shape.length;
  if (nd > MAXD) throw new DeviceError('scatterAdd', `webgpu: at most ${MAXD} dims, got ${nd}`);
  const c: 'f32' | 'i32' = dtype === 'float32' ? 'f32' : 'i32';
  const key = `scatterAdd:${src.dtype}:${dtype}`;
  const code = cached(key, () => `@group(0) @binding(0) var<storage, read_write> out: array<${wgslType(dtype)}>;
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read> src: array<${wgslType(src.dtype)}>;
${paramsDecl(3)}
${MATH}
@compute @workgroup_size(${WG})
fn main(${ENTRY_ARGS}) {
  let i = ${flatIndex(WG)};
  if (i >= pu(0u)) { return; }
  let dim = pu(38u);
  var r = i; var qi = pi(12u); var qs = pi(21u); var ok = true; var tgt = 0;
  for (var d = i32(pu(1u)) - 1; d >= 0; d = d - 1) {
    let ud = u32(d); let s = pu(4u + ud); let cd = r % s; r = r / s;
    if (ud == dim) { tgt = i32(cd); } else {
      if (cd >= pu(30u + ud)) { ok = false; }
      qi = qi + i32(cd) * pi(13u + ud); qs = qs + i32(cd) * pi(22u + ud);
    }
  }
  var acc: ${c} = ${c === 'f32' ? '0.0' : '0'};
  if (ok) {
    let len = pu(30u + dim); let si = pi(13u + dim); let ss = pi(22u + dim);
    for (var t = 0u; t < len; t = t + 1u) {
      if (idx[qi + i32(t) * si] == tgt) { acc = acc + ${load(src.dtype, 'src[qs + i32(t) * ss]', c)}; }
    }
  }
  out[i] = ${store(dtype, 'acc', c)};
}`);
  const p = new Params();
  p.u[0] = sizeOf(shape);
  p.u[1] = nd;
  shape.forEach((s, d) => {
    p.u[4 + d] = s;
    p.i[13 + d] = index.strides[d]!;
    p.i[22 + d] = src.strides[d]!;
    p.u[30 + d] = indexShape[d]!;
  });
  p.i[12] = index.offset;
  p.i[21] = src.offset;
  p.u[38] = dim;
  dispatch({ name: 'scatterAdd', key, code, boxes: [out, index.box, src.box], writes: [true, false, false], params: p.buffer, workgroups: grid(sizeOf(shape), WG) });
}

/** The window's 14 numbers at words 4–17. */
function gridParams(g: Grid, total: number): Params {
  const p = new Params();
  p.u[0] = total;
  [g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow].forEach((v, i) => {
    p.i[4 + i] = v;
  });
  return p;
}

const GRID_VARS = `let N = pi(4u); let C = pi(5u); let H = pi(6u); let W = pi(7u); let KH = pi(8u); let KW = pi(9u);
  let SH = pi(10u); let SW = pi(11u); let PH = pi(12u); let PW = pi(13u); let DH = pi(14u); let DW = pi(15u); let OH = pi(16u); let OW = pi(17u);`;

/** `im2col`: out `[N, C, kh, kw, oh, ow]` from x (strides of n, c, row, col). */
export function im2colInto(x: Operand, strides4: readonly number[], g: Grid, out: GpuBox, dtype: DType): void {
  const c = computeOf(x.dtype, dtype);
  const t = (d: DType) => (c === 'bits' ? 'u32' : wgslType(d));
  const key = `im2col:${x.dtype}:${dtype}`;
  const code = cached(key, () => `@group(0) @binding(0) var<storage, read_write> out: array<${t(dtype)}>;
@group(0) @binding(1) var<storage, read> x: array<${t(x.dtype)}>;
${paramsDecl(2)}
${MATH}
@compute @workgroup_size(${WG})
fn main(${ENTRY_ARGS}) {
  let i = ${flatIndex(WG)};
  if (i >= pu(0u)) { return; }
  ${GRID_VARS}
  var r = i32(i);
  let oj = r % OW; r = r / OW; let oi = r % OH; r = r / OH; let kj = r % KW; r = r / KW;
  let ki = r % KH; r = r / KH; let c = r % C; let n = r / C;
  let ih = oi * SH - PH + ki * DH; let iw = oj * SW - PW + kj * DW;
  if (ih < 0 || ih >= H || iw < 0 || iw >= W) { out[i] = ${t(dtype)}(0); return; }
  out[i] = ${store(dtype, load(x.dtype, 'x[pi(18u) + n * pi(19u) + c * pi(20u) + ih * pi(21u) + iw * pi(22u)]', c), c)};
}`);
  const total = g.n * g.c * g.kh * g.kw * g.oh * g.ow;
  const p = gridParams(g, total);
  p.i[18] = x.offset;
  strides4.forEach((s, d) => {
    p.i[19 + d] = s;
  });
  dispatch({ name: 'im2col', key, code, boxes: [out, x.box], writes: [true, false], params: p.buffer, workgroups: grid(total, WG) });
}

/** `col2im`: out `[N, C, h, w]` sums the taps of cols (strides of n, c, ki, kj, oi, oj). */
export function col2imInto(cols: Operand, strides6: readonly number[], g: Grid, out: GpuBox, dtype: DType): void {
  const c: 'f32' | 'i32' = dtype === 'float32' || cols.dtype === 'float32' ? 'f32' : 'i32';
  const key = `col2im:${cols.dtype}:${dtype}`;
  const code = cached(key, () => `@group(0) @binding(0) var<storage, read_write> out: array<${wgslType(dtype)}>;
@group(0) @binding(1) var<storage, read> x: array<${wgslType(cols.dtype)}>;
${paramsDecl(2)}
${MATH}
@compute @workgroup_size(${WG})
fn main(${ENTRY_ARGS}) {
  let i = ${flatIndex(WG)};
  if (i >= pu(0u)) { return; }
  ${GRID_VARS}
  var r = i32(i);
  let iw = r % W; r = r / W; let ih = r % H; r = r / H; let c = r % C; let n = r / C;
  let base = pi(18u) + n * pi(19u) + c * pi(20u);
  var acc: ${c} = ${c === 'f32' ? '0.0' : '0'};
  for (var ki = 0; ki < KH; ki = ki + 1) {
    let ti = ih + PH - ki * DH;
    if (ti < 0 || ti % SH != 0 || ti / SH >= OH) { continue; }
    for (var kj = 0; kj < KW; kj = kj + 1) {
      let tj = iw + PW - kj * DW;
      if (tj < 0 || tj % SW != 0 || tj / SW >= OW) { continue; }
      acc = acc + ${load(cols.dtype, 'x[base + ki * pi(21u) + kj * pi(22u) + (ti / SH) * pi(23u) + (tj / SW) * pi(24u)]', c)};
    }
  }
  out[i] = ${store(dtype, 'acc', c)};
}`);
  const total = g.n * g.c * g.h * g.w;
  const p = gridParams(g, total);
  p.i[18] = cols.offset;
  strides6.forEach((s, d) => {
    p.i[19 + d] = s;
  });
  dispatch({ name: 'col2im', key, code, boxes: [out, cols.box], writes: [true, false], params: p.buffer, workgroups: grid(total, WG) });
}
