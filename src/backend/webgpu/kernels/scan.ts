/**
 * Inclusive scans along one dim (sum, prod, logsumexp): a thread per row,
 * walking the row in order (from its end when reversed), over a contiguous
 * input seen as `[outer, n, inner]`. float32 accumulates in float32 (the
 * CPU backends: float64), sums compensated (Kahan); int32 and bool compute in
 * i32, wrapping.
 * logsumexp is `max + log1p(exp(min − max))` per step, with PyTorch's special
 * cases (NaN propagates, equal infinities stay).
 */
import type { DType, ScanOp } from '../../types.js';
import { dispatch } from '../encoder.js';
import type { GpuBox } from '../memory.js';
import { ENTRY_ARGS, MATH, flatIndex, load, paramsDecl, shaderCache, store, wgslType, type Compute } from '../wgsl.js';
import { Params, grid } from './strided.js';

const WG = 64;
const cached = shaderCache();

/** A contiguous operand: buffer, dtype, element offset. */
export interface Flat {
  box: GpuBox;
  dtype: DType;
  offset: number;
}

/** `[outer, n, inner]`: the dims before, at and after the scanned one. */
export interface Around {
  outer: number;
  n: number;
  inner: number;
}

/** The geometry of `shape` around `dim`. @example around([2, 3, 4], 1); // { outer: 2, n: 3, inner: 4 } */
export function around(shape: readonly number[], dim: number): Around {
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d]!;
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d]!;
  return { outer, n: shape[dim] ?? 1, inner };
}

function step(op: ScanOp, c: Compute): string {
  // Kahan's compensated sum in float32: the error stays near one rounding of the result, not n of them.
  if (op === 'sum') return c === 'f32' ? 'kahan(acc, v)' : 'acc + v';
  if (op === 'prod') return 'acc * v';
  return c === 'f32' ? 'lae(acc, v)' : 'acc';
}

function code(op: ScanOp, src: DType, dst: DType): string {
  const c: Compute = src === 'float32' || dst === 'float32' ? 'f32' : 'i32';
  const t = c === 'f32' ? 'f32' : 'i32';
  const init = op === 'sum' ? (c === 'f32' ? '0.0' : '0') : op === 'prod' ? (c === 'f32' ? '1.0' : '1') : '-inf_()';
  return `@group(0) @binding(0) var<storage, read_write> out: array<${wgslType(dst)}>;
@group(0) @binding(1) var<storage, read> x: array<${wgslType(src)}>;
${paramsDecl(2)}
${MATH}
var<private> comp: f32 = 0.0;
fn kahan(acc: f32, v: f32) -> f32 {
  let y = v - comp;
  let t = acc + y;
  // Past an infinity or NaN the sum stays there: no compensation (inf − inf would be NaN).
  comp = select(0.0, (t - acc) - y, (bitcast<u32>(t) & 0x7fffffffu) < 0x7f800000u);
  return t;
}
fn lae(acc: f32, v: f32) -> f32 {
  if (isnan_(acc) || isnan_(v)) { return nan_(); }
  let lo = min(acc, v);
  let hi = max(acc, v);
  if (lo == hi && isinf_(lo)) { return v; }
  return hi + log1p_(exp_(lo - hi));
}
@compute @workgroup_size(${WG})
fn main(${ENTRY_ARGS}) {
  let row = ${flatIndex(WG)};
  if (row >= pu(0u)) { return; }
  let n = pu(1u);
  let inner = pu(2u);
  let base = (row / inner) * n * inner + row % inner;
  var acc: ${t} = ${init};
  for (var s = 0u; s < n; s = s + 1u) {
    let t = select(s, n - 1u - s, pu(4u) != 0u);
    let at = base + t * inner;
    let v = ${load(src, `x[pu(3u) + at]`, c)};
    acc = ${step(op, c)};
    out[at] = ${store(dst, 'acc', c)};
  }
}`;
}

/** The scan of the contiguous `x` (`[outer, n, inner]`) into the contiguous `out` of `dtype`. */
export function scanInto(op: ScanOp, x: Flat, g: Around, reverse: boolean, out: GpuBox, dtype: DType): void {
  const rows = g.outer * g.inner;
  if (rows === 0 || g.n === 0) return;
  const key = `scan:${op}:${x.dtype}:${dtype}`;
  const src = cached(key, () => code(op, x.dtype, dtype));
  const p = new Params();
  p.u[0] = rows;
  p.u[1] = g.n;
  p.u[2] = g.inner;
  p.u[3] = x.offset;
  p.u[4] = reverse ? 1 : 0;
  dispatch({ name: `scan.${op}`, key, code: src, boxes: [out, x.box], writes: [true, false], params: p.buffer, workgroups: grid(rows, WG) });
}
