/**
 * Reductions on the GPU: `reduce` over any set of dims and `argReduce` along
 * one.
 *
 * `reduce`: the kept dims and the reduced dims are each collapsed and passed
 * as data. With a long reduction, each output gets G workgroups of 256
 * threads; a workgroup sums a chunk of 256·8 elements (8 per thread, then a
 * tree in workgroup memory) into a partial, and the partials are reduced
 * again the same way until one is left: a float32 sum of 10^6 elements is a
 * tree of depth ~20 with runs of 8, not a serial loop. Short reductions (at
 * most 32 elements) run one thread per output, in order.
 *
 * `argReduce`: one workgroup of 64 threads per output, each scanning a strided
 * subset in order, then a tree keeping the better value and, on ties (or two
 * NaNs), the smaller index: the js backend's first index.
 */
import type { ArgReduceOp, DType, ReduceOp } from '../../types.js';
import { dispatch } from '../encoder.js';
import { newStorage, type GpuBox, type GpuStorage } from '../memory.js';
import { ENTRY_ARGS, MATH, MAXD, load, paramsDecl, shaderCache, store, wgslType, type Compute } from '../wgsl.js';
import { copyKernel, runElementwise } from './elementwise.js';
import { Params, collapse, contiguousStrides, grid, sizeOf } from './strided.js';

const WG = 256;
const PER_THREAD = 8;
const CHUNK = WG * PER_THREAD;
const ARG_WG = 64;

function combine(op: ReduceOp, c: 'f32' | 'i32'): string {
  if (op === 'sum') return 'a + b';
  if (op === 'prod') return 'a * b';
  const cmp = op === 'max' ? '>' : '<';
  if (c === 'i32') return `${op}(a, b)`;
  return `select(select(a, b, b ${cmp} a), b, isnan_(b) && !isnan_(a))`;
}

function init(op: ReduceOp, c: 'f32' | 'i32'): string {
  if (op === 'sum') return c === 'f32' ? '0.0' : '0';
  if (op === 'prod') return c === 'f32' ? '1.0' : '1';
  if (c === 'f32') return op === 'max' ? '-inf_()' : 'inf_()';
  return op === 'max' ? 'bitcast<i32>(0x80000000u)' : '2147483647';
}

/** Parameter words: 0 M, 1 kept ndim, 2 R, 3 reduced ndim, 4.. kept shape, 12.. kept strides, 20.. reduced shape, 28.. reduced strides, 36 offset, 37 groups per output. */
const KEPT_POS = `var r = j; var q = pi(36u);
  for (var d = i32(pu(1u)) - 1; d >= 0; d = d - 1) { let ud = u32(d); let s = pu(4u + ud); q = q + i32(r % s) * pi(12u + ud); r = r / s; }`;
const RED_POS = `var rr = t; var qq = q;
      for (var d = i32(pu(3u)) - 1; d >= 0; d = d - 1) { let ud = u32(d); let s = pu(20u + ud); qq = qq + i32(rr % s) * pi(28u + ud); rr = rr / s; }`;

function reduceCode(op: ReduceOp, x: DType, c: 'f32' | 'i32', out: DType | null, serial: boolean): string {
  const outType = out === null ? c : wgslType(out);
  const write = (v: string) => (out === null ? v : store(out, v, c));
  const head = `@group(0) @binding(0) var<storage, read> x: array<${wgslType(x)}>;
@group(0) @binding(1) var<storage, read_write> out: array<${outType}>;
${paramsDecl(2)}
${MATH}
fn comb(a: ${c}, b: ${c}) -> ${c} { return ${combine(op, c)}; }`;
  if (serial) {
    return `${head}
@compute @workgroup_size(${WG})
fn main(${ENTRY_ARGS}) {
  let j = (wid.y * nwg.x + wid.x) * ${WG}u + lid;
  if (j >= pu(0u)) { return; }
  ${KEPT_POS}
  var acc: ${c} = ${init(op, c)};
  for (var t = 0u; t < pu(2u); t = t + 1u) {
    ${RED_POS}
    acc = comb(acc, ${load(x, 'x[qq]', c)});
  }
  out[j] = ${write('acc')};
}`;
  }
  return `${head}
var<workgroup> sh: array<${c}, ${WG}>;
@compute @workgroup_size(${WG})
fn main(${ENTRY_ARGS}) {
  let w = wid.y * nwg.x + wid.x;
  let groups = pu(37u);
  let j = w / groups;
  let g = w % groups;
  if (j >= pu(0u)) { return; }
  ${KEPT_POS}
  var acc: ${c} = ${init(op, c)};
  let end = min((g + 1u) * ${CHUNK}u, pu(2u));
  for (var t = g * ${CHUNK}u + lid; t < end; t = t + ${WG}u) {
    ${RED_POS}
    acc = comb(acc, ${load(x, 'x[qq]', c)});
  }
  sh[lid] = acc;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { sh[lid] = comb(sh[lid], sh[lid + s]); }
    workgroupBarrier();
  }
  if (lid == 0u) { out[w] = ${write('sh[0]')}; }
}`;
}

const cached = shaderCache();

/** A strided source of a reduction: kept and reduced dims (collapsed) over one buffer. */
interface Source {
  box: GpuBox;
  dtype: DType;
  offset: number;
  kept: { shape: number[]; strides: number[] };
  red: { shape: number[]; strides: number[] };
}

function params(s: Source, m: number, r: number, groups: number): Params {
  const p = new Params();
  p.u[0] = m;
  p.u[1] = s.kept.shape.length;
  p.u[2] = r;
  p.u[3] = s.red.shape.length;
  s.kept.shape.forEach((n, d) => { p.u[4 + d] = n; p.i[12 + d] = s.kept.strides[d]!; });
  s.red.shape.forEach((n, d) => { p.u[20 + d] = n; p.i[28 + d] = s.red.strides[d]!; });
  p.i[36] = s.offset;
  p.u[37] = groups;
  return p;
}

function run(op: ReduceOp, s: Source, dtype: DType, c: 'f32' | 'i32', out: GpuStorage): void {
  const m = sizeOf(s.kept.shape);
  const r = sizeOf(s.red.shape);
  const serial = r <= 32;
  const groups = serial ? 1 : Math.max(1, Math.ceil(r / CHUNK));
  const final = groups === 1;
  const key = `reduce:${op}:${s.dtype}:${c}:${final ? dtype : 'partial'}:${serial}`;
  const code = cached(key, () => reduceCode(op, s.dtype, c, final ? dtype : null, serial));
  const target = final ? out : newStorage('reduce', c === 'f32' ? 'float32' : 'int32', m * groups).storage;
  dispatch({
    name: `reduce.${op}`, key, code, boxes: [s.box, target.box], writes: [false, true],
    params: params(s, m, r, groups).buffer, workgroups: serial ? grid(m, WG) : grid(m * groups, 1),
  });
  if (final) return;
  // The partials [m, groups], reduced again.
  run(op, {
    box: target.box, dtype: target.dtype, offset: 0,
    kept: collapseOne(m === 1 ? [] : [m], m === 1 ? [] : [groups]), red: { shape: [groups], strides: [1] },
  }, dtype, c, out);
}

function collapseOne(shape: number[], strides: number[]): { shape: number[]; strides: number[] } {
  const c = collapse(shape, [strides]);
  return { shape: c.shape, strides: c.strides[0]! };
}

type XView = { box: GpuBox; dtype: DType; shape: readonly number[]; strides: readonly number[]; offset: number };

/**
 * When the kept or the reduced dims do not collapse to MAXD, a copy of x with
 * the kept dims first and the reduced ones last (contiguous): then each group
 * is one dim.
 */
function permuted(x: XView, keptDims: readonly number[], redDims: readonly number[]): Source {
  const order = [...keptDims, ...redDims];
  const shape = order.map((d) => x.shape[d]!);
  const tmp = newStorage('reduce', x.dtype, sizeOf(shape)).storage;
  const c = contiguousStrides(shape);
  // Written through the permuted strides of the copy, read in x's own order.
  const dst = new Array<number>(x.shape.length);
  order.forEach((d, i) => {
    dst[d] = c[i]!;
  });
  runElementwise(copyKernel(x.dtype, x.dtype), x.shape, { box: tmp.box, strides: dst, offset: 0 }, [x]);
  const m = sizeOf(keptDims.map((d) => x.shape[d]!));
  const r = sizeOf(redDims.map((d) => x.shape[d]!));
  return { box: tmp.box, dtype: x.dtype, offset: 0, kept: collapseOne([m], [r]), red: collapseOne([r], [1]) };
}

function source(x: XView, keptDims: readonly number[], redDims: readonly number[]): Source {
  const kept = collapseOne(keptDims.map((d) => x.shape[d]!), keptDims.map((d) => x.strides[d]!));
  const red = collapseOne(redDims.map((d) => x.shape[d]!), redDims.map((d) => x.strides[d]!));
  if (kept.shape.length > MAXD || red.shape.length > MAXD) return permuted(x, keptDims, redDims);
  return { box: x.box, dtype: x.dtype, offset: x.offset, kept, red };
}

/** `reduce(op, x, dims, dtype)` into `out` (x: buffer, dtype, shape, strides, offset). */
export function reduceInto(op: ReduceOp, x: XView, dims: readonly number[], dtype: DType, out: GpuStorage): void {
  const keptDims = x.shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const c = x.dtype === 'float32' || dtype === 'float32' ? 'f32' : 'i32';
  run(op, source(x, keptDims, dims), dtype, c, out);
}

function argCode(op: ArgReduceOp, x: DType): string {
  const c: Compute = x === 'float32' ? 'f32' : 'i32';
  const cmp = op === 'argmax' ? '>' : '<';
  const better = c === 'f32' ? `(v ${cmp} b || (isnan_(v) && !isnan_(b)))` : `(v ${cmp} b)`;
  return `@group(0) @binding(0) var<storage, read> x: array<${wgslType(x)}>;
@group(0) @binding(1) var<storage, read_write> out: array<i32>;
${paramsDecl(2)}
${MATH}
fn better(v: ${c}, b: ${c}) -> bool { return ${better}; }
var<workgroup> sv: array<${c}, ${ARG_WG}>;
var<workgroup> si: array<i32, ${ARG_WG}>;
@compute @workgroup_size(${ARG_WG})
fn main(${ENTRY_ARGS}) {
  let j = wid.y * nwg.x + wid.x;
  if (j >= pu(0u)) { return; }
  ${KEPT_POS}
  let len = pu(2u);
  let step = pi(28u);
  var bi = -1;
  var bv: ${c} = ${c === 'f32' ? '0.0' : '0'};
  for (var t = lid; t < len; t = t + ${ARG_WG}u) {
    let v = ${load(x, 'x[q + i32(t) * step]', c)};
    if (bi < 0 || better(v, bv)) { bv = v; bi = i32(t); }
  }
  sv[lid] = bv;
  si[lid] = bi;
  workgroupBarrier();
  for (var s = ${ARG_WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      let oi = si[lid + s];
      let ov = sv[lid + s];
      let mi = si[lid];
      if (oi >= 0 && (mi < 0 || better(ov, sv[lid]) || (!better(sv[lid], ov) && oi < mi))) { sv[lid] = ov; si[lid] = oi; }
    }
    workgroupBarrier();
  }
  if (lid == 0u) { out[j] = max(si[0], 0); }
}`;
}

/** `argReduce(op, x, dim)` into the int32 storage `out`. */
export function argReduceInto(op: ArgReduceOp, x: XView, dim: number, out: GpuStorage): void {
  const keptDims = x.shape.map((_, d) => d).filter((d) => d !== dim);
  const len = x.shape[dim]!;
  const s = source(x, keptDims, [dim]);
  // The kernel walks the reduced dim with one stride (word 28), even when it has size 1.
  s.red = { shape: [len], strides: [s.red.strides[0] ?? 0] };
  const m = sizeOf(s.kept.shape);
  const key = `arg:${op}:${x.dtype}`;
  const code = cached(key, () => argCode(op, x.dtype));
  dispatch({ name: op, key, code, boxes: [x.box, out.box], writes: [false, true], params: params(s, m, len, 1).buffer, workgroups: grid(m, 1) });
}
