/**
 * Reductions: `sum mean prod max min amax amin argmax argmin var std
 * logsumexp norm`, over all dims or `dim` (a number or a list), with
 * `{keepdim}`. Only `sum` (and `argReduce`) are primitives; the rest are
 * composites whose gradients come for free.
 */
import { RangeArgError, ShapeError, fmtShape } from '../errors.js';
import { Tensor, assertFloat, deviceOf, normDim, normDims, raw, sizeOf } from '../tensor/index.js';
import { batchedMaxShift } from './batching.js';
import { apply, isTracked } from './dispatch.js';
import { abs, cast, div, eq, log, mul, pow, sqrt, sub, where, add, exp, ne } from './elementwise.js';
import { cat, narrow, permute, reshape } from './shape.js';
import { traced } from './trace.js';

/** Options of the reductions. */
export interface ReduceOptions {
  /** Keep reduced dims with size 1 (default false). */
  keepdim?: boolean;
}

/** A dim argument: one dim, a list, or null/undefined for all dims. */
export type DimArg = number | readonly number[] | null | undefined;

/** Reduced dims of `x` (a 0-d tensor accepts dim 0 / -1 and reduces nothing). */
function reduceDims(op: string, x: Tensor, dim: DimArg): number[] {
  if (dim !== null && dim !== undefined && typeof dim !== 'number' && !Array.isArray(dim)) {
    throw new RangeArgError(op, `dim must be a number, a list of numbers or null, got ${JSON.stringify(dim)}; options come third: ${op}(x, null, {keepdim: true})`);
  }
  if (x.ndim === 0) {
    if (dim !== null && dim !== undefined) (typeof dim === 'number' ? [dim] : dim).forEach((d) => normDim(op, d, 1));
    return [];
  }
  if (Array.isArray(dim) && dim.length === 0) return normDims(op, null, x.ndim);
  return normDims(op, dim, x.ndim);
}

function outShape(x: Tensor, dims: readonly number[], keepdim: boolean): number[] {
  return keepdim ? x.shape.map((d, i) => (dims.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !dims.includes(i));
}

/**
 * Sum over all dims or `dim`.
 *
 * @example
 * sum(tensor([[1, 2], [3, 4]]));                       // 10
 * sum(tensor([[1, 2], [3, 4]]), 1);                    // [3, 7]
 * sum(tensor([[1, 2], [3, 4]]), 0, { keepdim: true }); // [[4, 6]]
 */
export function sum(x: Tensor, dim?: DimArg, opts: ReduceOptions = {}): Tensor {
  return apply('sum', [x], { dims: reduceDims('sum', x, dim), keepdim: opts.keepdim ?? false });
}

/**
 * Mean over all dims or `dim` (float tensors).
 *
 * @example
 * mean(tensor([1, 2, 3, 4])); // 2.5
 */
export function mean(x: Tensor, dim?: DimArg, opts: ReduceOptions = {}): Tensor {
  assertFloat('mean', x.dtype);
  const dims = reduceDims('mean', x, dim);
  const n = sizeOf(dims.map((d) => x.shape[d]!));
  return div(sum(x, dims, opts), n);
}

/** Product along one dim by pairwise halving (exact gradients even with zeros). */
function prodAlong(x: Tensor, d: number): Tensor {
  if (x.shape[d] === 0) return raw.filled(x.shape.map((n, i) => (i === d ? 1 : n)), x.dtype, 1, deviceOf(x));
  let y = x;
  while (y.shape[d]! > 1) {
    const n = y.shape[d]!;
    const half = Math.floor(n / 2);
    let p = mul(narrow(y, d, 0, half), narrow(y, d, half, half));
    if (n % 2 === 1) p = cat([p, narrow(y, d, n - 1, 1)], d);
    y = p;
  }
  return y;
}

/**
 * Product over all dims or one `dim`.
 *
 * @example
 * prod(tensor([1, 2, 3, 4])); // 24
 */
export function prod(x: Tensor, dim?: number | null, opts: ReduceOptions = {}): Tensor {
  const keepdim = opts.keepdim ?? false;
  if (x.dtype === 'bool') x = cast(x, 'int32');
  if (dim === null || dim === undefined) {
    const p = prodAlong(reshape(x, [-1]), 0);
    return reshape(p, keepdim ? x.shape.map(() => 1) : []);
  }
  if (x.ndim === 0) {
    normDim('prod', dim, 1);
    return reshape(x, []);
  }
  const d = normDim('prod', dim, x.ndim);
  return reshape(prodAlong(x, d), outShape(x, [d], keepdim));
}

/** Values and int32 indices of `max`/`min` along a dim. */
export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

function extremeAlong(op: 'max' | 'min', x: Tensor, dim: number, keepdim: boolean): ValuesIndices {
  if (x.ndim === 0) {
    normDim(op, dim, 1);
    return { values: reshape(x, []), indices: raw.filled([], 'int32', 0, deviceOf(x)) };
  }
  const d = normDim(op, dim, x.ndim);
  if (x.shape[d] === 0) throw new ShapeError(op, `cannot reduce dim ${d} of size 0 (shape ${fmtShape(x.shape)})`);
  const idx = apply('argReduce', [x], { op: op === 'max' ? 'argmax' : 'argmin', dim: d, keepdim: true });
  const values = apply('gather', [x, idx], { dim: d });
  if (keepdim) return { values, indices: idx };
  const shape = outShape(x, [d], false);
  return { values: reshape(values, shape), indices: reshape(idx, shape) };
}

function extremeAll(op: 'max' | 'min', x: Tensor): Tensor {
  if (x.size === 0) throw new ShapeError(op, `cannot reduce an empty tensor (shape ${fmtShape(x.shape)})`);
  if (isTracked(x)) return apply('extreme', [x], { op, dims: x.shape.map((_, i) => i), keepdim: false, nanPicks: true });
  return reshape(extremeAlong(op, reshape(x, [-1]), 0, false).values, []);
}


/**
 * The maximum: of all elements (a 0-d tensor), or along `dim` as
 * `{values, indices}` like PyTorch. Along `dim` the gradient goes to the
 * selected element; of all elements it is split evenly over the ties.
 *
 * @example
 * max(tensor([1, 5, 3]));               // 5
 * max(tensor([[1, 5], [7, 2]]), 1);     // {values: [5, 7], indices: [1, 0]}
 */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, opts?: ReduceOptions): ValuesIndices;
export function max(x: Tensor, dim?: number, opts: ReduceOptions = {}): Tensor | ValuesIndices {
  return dim === undefined ? extremeAll('max', x) : extremeAlong('max', x, dim, opts.keepdim ?? false);
}

/**
 * The minimum: of all elements, or along `dim` as `{values, indices}`.
 *
 * @example
 * min(x, 0).indices;
 */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, opts?: ReduceOptions): ValuesIndices;
export function min(x: Tensor, dim?: number, opts: ReduceOptions = {}): Tensor | ValuesIndices {
  return dim === undefined ? extremeAll('min', x) : extremeAlong('min', x, dim, opts.keepdim ?? false);
}

/** max/min over several dims: move them last, merge, reduce the merged dim. */
function extremeDims(op: 'max' | 'min', x: Tensor, dim: DimArg, keepdim: boolean): Tensor {
  const dims = reduceDims(op === 'max' ? 'amax' : 'amin', x, dim);
  if (dims.length === 0) return reshape(x, x.shape);
  // (An empty reduced dim goes the plain way, which names it in its error.)
  if (isTracked(x) && dims.every((d) => x.shape[d] !== 0)) return apply('extreme', [x], { op, dims, keepdim, nanPicks: false });
  const kept = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const moved = permute(x, [...kept, ...dims]);
  const merged = reshape(moved, [...kept.map((i) => x.shape[i]!), -1]);
  const v = extremeAlong(op, merged, -1, false).values;
  return reshape(v, outShape(x, dims, keepdim));
}

/**
 * Maximum values over all dims or `dim` (a list allowed), no indices.
 *
 * @example
 * amax(x, [0, 1]);
 */
export function amax(x: Tensor, dim?: DimArg, opts: ReduceOptions = {}): Tensor {
  return extremeDims('max', x, dim, opts.keepdim ?? false);
}

/** Minimum values over all dims or `dim`. @example amin(x, 1); */
export function amin(x: Tensor, dim?: DimArg, opts: ReduceOptions = {}): Tensor {
  return extremeDims('min', x, dim, opts.keepdim ?? false);
}

function argExtreme(op: 'argmax' | 'argmin', x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  if (dim === undefined) {
    if (x.size === 0) throw new ShapeError(op, 'cannot reduce an empty tensor');
    const i = apply('argReduce', [reshape(x, [-1])], { op, dim: 0, keepdim: false });
    return keepdim ? reshape(i, x.shape.map(() => 1)) : i;
  }
  if (x.ndim === 0) {
    normDim(op, dim, 1);
    return raw.filled([], 'int32', 0, deviceOf(x));
  }
  return apply('argReduce', [x], { op, dim: normDim(op, dim, x.ndim), keepdim });
}

/** Index of the maximum (flat when `dim` is omitted), int32. @example argmax(tensor([1, 9, 3])); // 1 */
export function argmax(x: Tensor, dim?: number, opts: ReduceOptions = {}): Tensor {
  return argExtreme('argmax', x, dim, opts.keepdim ?? false);
}

/** Index of the minimum (flat when `dim` is omitted), int32. @example argmin(x, 1); */
export function argmin(x: Tensor, dim?: number, opts: ReduceOptions = {}): Tensor {
  return argExtreme('argmin', x, dim, opts.keepdim ?? false);
}

/** Options of `var` and `std`. */
export interface VarOptions extends ReduceOptions {
  /** Divide by n − 1 (Bessel's correction; default true) instead of n. */
  unbiased?: boolean;
}

/**
 * Variance over all dims or `dim` (unbiased by default, like PyTorch).
 * Exported as `var`.
 *
 * @example
 * variance(tensor([1, 2, 3, 4]));                       // 1.6667
 * variance(tensor([1, 2, 3, 4]), null, { unbiased: false }); // 1.25
 */
export function variance(x: Tensor, dim?: DimArg, opts: VarOptions = {}): Tensor {
  assertFloat('var', x.dtype);
  const dims = reduceDims('var', x, dim);
  const n = sizeOf(dims.map((d) => x.shape[d]!));
  const mu = mean(x, dims, { keepdim: true });
  const d = sub(x, mu);
  return div(sum(mul(d, d), dims, { keepdim: opts.keepdim ?? false }), n - ((opts.unbiased ?? true) ? 1 : 0));
}

/**
 * Standard deviation: `sqrt(var)`.
 *
 * @example
 * std(tensor([1, 2, 3, 4])); // 1.2910
 */
export function std(x: Tensor, dim?: DimArg, opts: VarOptions = {}): Tensor {
  assertFloat('std', x.dtype);
  return sqrt(variance(x, dim, opts));
}

/**
 * `log(sum(exp(x)))` computed stably: the max is subtracted first (as a
 * constant: its gradient cancels), so logits of ±1000 work.
 *
 * @example
 * logsumexp(tensor([1000, 1000]), 0); // 1000.6931
 */
export function logsumexp(x: Tensor, dim?: DimArg, opts: ReduceOptions = {}): Tensor {
  assertFloat('logsumexp', x.dtype);
  const dims = reduceDims('logsumexp', x, dim);
  const keepdim = opts.keepdim ?? false;
  return traced('logsumexp', { dims, keepdim }, [x], () => {
    // m: the max as a constant; ±inf maxima replaced by 0 so that x − m stays finite.
    let m = x._batch !== null ? batchedMaxShift(x, dims) : raw.rawReduce('max', x, dims, true, x.dtype);
    if (x._batch === null) m = raw.rawWhere(raw.rawCompare('eq', raw.rawUnary('abs', m), raw.fromValues([Infinity], [], x.dtype)), raw.filled([], x.dtype, 0), m);
    const s = add(log(sum(exp(sub(x, m)), dims, { keepdim: true })), m);
    return keepdim ? s : reshape(s, outShape(x, dims, false));
  });
}

/** Options of `norm`. */
export interface NormOptions extends ReduceOptions {
  /** The order: a number, `Infinity`, `-Infinity` or `'fro'` (default 2). */
  p?: number | 'fro';
  /** Dims to reduce (default all). */
  dim?: DimArg;
}

/**
 * The p-norm over all dims or `dim`: `(Σ|x|^p)^(1/p)`; `p = Infinity` is the
 * max of `|x|`. The 2-norm has gradient 0 (not NaN) at 0.
 *
 * @example
 * norm(tensor([3, 4]));               // 5
 * norm(tensor([3, -4]), { p: 1 });    // 7
 */
export function norm(x: Tensor, opts: NormOptions = {}): Tensor {
  assertFloat('norm', x.dtype);
  const p = opts.p === 'fro' || opts.p === undefined ? 2 : opts.p;
  if (typeof p !== 'number' || Number.isNaN(p)) throw new RangeArgError('norm', `unsupported order p = ${String(opts.p)}`);
  const dims = reduceDims('norm', x, opts.dim);
  const keepdim = { keepdim: opts.keepdim ?? false };
  if (p === Infinity) return amax(abs(x), dims, keepdim);
  if (p === -Infinity) return amin(abs(x), dims, keepdim);
  if (p === 0) return cast(sum(ne(x, 0), dims, keepdim), x.dtype);
  if (p === 1) return sum(abs(x), dims, keepdim);
  if (p === 2) {
    const s = sum(mul(x, x), dims, keepdim);
    const zero = eq(s, 0);
    return where(zero, 0, sqrt(where(zero, 1, s)));
  }
  return pow(sum(pow(abs(x), p), dims, keepdim), 1 / p);
}
