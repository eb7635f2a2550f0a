/**
 * Shape and movement ops: views where the strides allow (reshape of a
 * contiguous tensor, view, transpose, permute, expand, squeeze, unsqueeze,
 * narrow, slice), copies otherwise (contiguous, clone, cat, stack, pad).
 */
import { RangeArgError, ShapeError, fmtShape } from '../errors.js';
import { Tensor, normDim, resultType, sizeOf } from '../tensor/index.js';
import { apply } from './dispatch.js';
import { asType } from './elementwise.js';
import { viewStrides } from './kernels.js';

/** Resolves one `-1` in a target shape for `size` elements. */
function inferShape(op: string, x: Tensor, shape: readonly number[]): number[] {
  const s = shape.slice();
  const free = s.indexOf(-1);
  if (s.indexOf(-1, free + 1) !== -1) throw new ShapeError(op, `shape ${fmtShape(shape)} has more than one -1`);
  if (s.some((d, i) => i !== free && !(Number.isInteger(d) && d >= 0))) {
    throw new ShapeError(op, `invalid shape ${fmtShape(shape)}: sizes must be non-negative integers (or one -1)`);
  }
  if (free >= 0) {
    const rest = sizeOf(s.filter((_, i) => i !== free));
    if (rest === 0 || x.size % rest !== 0) {
      throw new ShapeError(op, `cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`);
    }
    s[free] = x.size / rest;
  }
  if (sizeOf(s) !== x.size) throw new ShapeError(op, `cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`);
  return s;
}

/**
 * `x` with a new shape of the same size (one dim may be -1): a view when
 * possible, else a copy.
 *
 * @example
 * reshape(arange(6), [2, -1]).shape; // [2, 3]
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  return apply('reshape', [x], { shape: inferShape('reshape', x, shape) });
}

/**
 * Like `reshape` but always a view; throws when the strides do not allow one.
 *
 * @example
 * view(x, [-1]);
 */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  const s = inferShape('view', x, shape);
  if (viewStrides(x.shape, x.strides, s) === null) {
    throw new ShapeError('view', `cannot view ${fmtShape(x.shape)} with strides ${fmtShape(x.strides)} as ${fmtShape(s)}: use reshape() (it copies)`);
  }
  return apply('reshape', [x], { shape: s });
}

/**
 * Dims `startDim..endDim` merged into one.
 *
 * @example
 * flatten(zeros([2, 3, 4])).shape;    // [24]
 * flatten(zeros([2, 3, 4]), 1).shape; // [2, 12]
 */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normDim('flatten', startDim, x.ndim);
  const e = normDim('flatten', endDim, x.ndim);
  if (s > e) throw new RangeArgError('flatten', `startDim ${startDim} comes after endDim ${endDim}`);
  const shape = [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

/**
 * The view with dims reordered: `out.shape[i] = x.shape[dims[i]]`.
 *
 * @example
 * permute(zeros([2, 3, 4]), [2, 0, 1]).shape; // [4, 2, 3]
 */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) {
    throw new RangeArgError('permute', `expected ${x.ndim} dims for a tensor of shape ${fmtShape(x.shape)}, got ${fmtShape(dims)}`);
  }
  const d = dims.map((v) => normDim('permute', v, x.ndim));
  if (new Set(d).size !== d.length) throw new RangeArgError('permute', `dims ${fmtShape(dims)} repeat a dim`);
  return apply('permute', [x], { dims: d });
}

/**
 * The view with dims `d0` and `d1` swapped.
 *
 * @example
 * transpose(zeros([2, 3]), 0, 1).shape; // [3, 2]
 */
export function transpose(x: Tensor, d0: number, d1: number): Tensor {
  if (x.ndim === 0) {
    normDim('transpose', d0, 1);
    normDim('transpose', d1, 1);
    return apply('reshape', [x], { shape: [] });
  }
  const a = normDim('transpose', d0, x.ndim);
  const b = normDim('transpose', d1, x.ndim);
  const dims = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return apply('permute', [x], { dims });
}

/**
 * A broadcast view to `sizes` (-1 keeps a dim; new leading dims allowed).
 *
 * @example
 * expand(tensor([[1], [2]]), [2, 3]); // [[1, 1, 1], [2, 2, 2]]
 */
export function expand(x: Tensor, sizes: readonly number[]): Tensor {
  const lead = sizes.length - x.ndim;
  if (lead < 0) throw new ShapeError('expand', `cannot expand ${fmtShape(x.shape)} to fewer dims ${fmtShape(sizes)}`);
  const shape = sizes.map((n, i) => {
    const d = i < lead ? null : x.shape[i - lead]!;
    if (n === -1) {
      if (d === null) throw new ShapeError('expand', `-1 is not allowed for a new leading dim in ${fmtShape(sizes)}`);
      return d;
    }
    if (!Number.isInteger(n) || n < 0 || (d !== null && d !== 1 && d !== n)) {
      throw new ShapeError('expand', `cannot expand ${fmtShape(x.shape)} to ${fmtShape(sizes)}`);
    }
    return n;
  });
  return apply('expand', [x], { shape });
}

/**
 * Removes size-1 dims (all of them, or only `dim`).
 *
 * @example
 * squeeze(zeros([1, 3, 1])).shape;    // [3]
 * squeeze(zeros([1, 3, 1]), 0).shape; // [3, 1]
 */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  let drop: number[];
  if (dim === undefined) drop = x.shape.map((_, i) => i).filter((i) => x.shape[i] === 1);
  else if (x.ndim === 0) {
    (typeof dim === 'number' ? [dim] : dim).forEach((d) => normDim('squeeze', d, 1));
    drop = [];
  } else drop = (typeof dim === 'number' ? [dim] : dim).map((d) => normDim('squeeze', d, x.ndim)).filter((d) => x.shape[d] === 1);
  return apply('reshape', [x], { shape: x.shape.filter((_, i) => !drop.includes(i)) });
}

/**
 * Inserts a size-1 dim at `dim` (in `[-ndim-1, ndim]`).
 *
 * @example
 * unsqueeze(zeros([3]), 0).shape; // [1, 3]
 */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim('unsqueeze', dim, x.ndim + 1);
  const shape = x.shape.slice();
  shape.splice(d, 0, 1);
  return apply('reshape', [x], { shape });
}

/**
 * `x` itself when contiguous, else a contiguous copy.
 *
 * @example
 * transpose(x, 0, 1).contiguous().isContiguous(); // true
 */
export function contiguous(x: Tensor): Tensor {
  return x.isContiguous() ? x : apply('contiguous', [x], {});
}

/** A contiguous copy (differentiable). @example const y = clone(x); */
export function clone(x: Tensor): Tensor {
  return apply('contiguous', [x], {});
}

/**
 * The elements `start..start+length-1` along `dim` (a view; negative start counts from the end).
 *
 * @example
 * narrow(arange(10), 0, 2, 3); // [2, 3, 4]
 */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normDim('narrow', dim, x.ndim);
  const n = x.shape[d]!;
  const s = start < 0 ? start + n : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > n) {
    throw new RangeArgError('narrow', `start ${start} and length ${length} do not fit in dim ${dim} of size ${n} (shape ${fmtShape(x.shape)})`);
  }
  const startAll = x.shape.map((_, i) => (i === d ? s : 0));
  const shape = x.shape.map((m, i) => (i === d ? length : m));
  return apply('slice', [x], { start: startAll, step: x.shape.map(() => 1), shape });
}

/** One dim of `slice`: `null` for all, or `[start, stop, step]` with nullable entries (Python rules). */
export type SliceSpec = null | readonly [start?: number | null, stop?: number | null, step?: number | null];

/**
 * Python slicing of the leading dims: `slice(x, [1, 5, 2], null)` is
 * `x[1:5:2, :]`. Negative start/stop count from the end; out-of-range
 * bounds are clipped; step > 0. A view.
 *
 * @example
 * slice(arange(10), [null, null, 3]); // [0, 3, 6, 9]
 * slice(x, null, [-3, -1]);            // x[:, -3:-1]
 */
export function slice(x: Tensor, ...perDim: SliceSpec[]): Tensor {
  if (perDim.length > x.ndim) {
    throw new RangeArgError('slice', `got ${perDim.length} slices for a tensor of ${x.ndim} dims (shape ${fmtShape(x.shape)})`);
  }
  const start: number[] = [];
  const step: number[] = [];
  const shape: number[] = [];
  x.shape.forEach((n, d) => {
    const spec = perDim[d] ?? null;
    const st = spec?.[2] ?? 1;
    if (!Number.isInteger(st) || st <= 0) throw new RangeArgError('slice', `step must be a positive integer, got ${st} for dim ${d}`);
    const clip = (v: number | null | undefined, dflt: number): number => {
      if (v === null || v === undefined) return dflt;
      if (!Number.isInteger(v)) throw new RangeArgError('slice', `bounds must be integers, got ${v} for dim ${d}`);
      return Math.min(n, Math.max(0, v < 0 ? v + n : v));
    };
    const a = clip(spec?.[0], 0);
    const b = clip(spec?.[1], n);
    start.push(b > a ? a : 0);
    step.push(st);
    shape.push(Math.max(0, Math.ceil((b - a) / st)));
  });
  return apply('slice', [x], { start, step, shape });
}

/**
 * The tensors joined along `dim` (other dims equal; dtypes promoted).
 *
 * @example
 * cat([zeros([2, 3]), ones([1, 3])], 0).shape; // [3, 3]
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('cat', 'expected a non-empty list of tensors');
  const first = tensors[0]!;
  if (first.ndim === 0) throw new ShapeError('cat', 'zero-dimensional tensors cannot be concatenated (use stack)');
  const d = normDim('cat', dim, first.ndim);
  tensors.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((n, k) => k !== d && n !== first.shape[k])) {
      const want = first.shape.map((n, k) => (k === d ? '*' : String(n))).join(',');
      throw new ShapeError('cat', `tensor ${i} has shape ${fmtShape(t.shape)} but expected [${want}] (dim ${d} may differ)`);
    }
  });
  const dt = resultType(tensors);
  return apply('cat', tensors.map((t) => asType(t, dt)), { dim: d });
}

/**
 * The tensors (all of one shape) stacked along a new dim.
 *
 * @example
 * stack([zeros([3]), ones([3])], 0).shape; // [2, 3]
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('stack', 'expected a non-empty list of tensors');
  const first = tensors[0]!;
  const d = normDim('stack', dim, first.ndim + 1);
  tensors.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((n, k) => n !== first.shape[k])) {
      throw new ShapeError('stack', `tensor ${i} has shape ${fmtShape(t.shape)} but tensor 0 has shape ${fmtShape(first.shape)}`);
    }
  });
  const dt = resultType(tensors);
  return apply('cat', tensors.map((t) => unsqueeze(asType(t, dt), d)), { dim: d });
}

/** Options of `pad`. */
export interface PadOptions {
  /** Only `'constant'` is supported. */
  mode?: 'constant';
  /** Fill value (default 0). */
  value?: number;
}

/**
 * Pads (or, with negative amounts, crops) the last dims: `pad` is
 * `[last_lo, last_hi, 2nd_last_lo, 2nd_last_hi, ...]` like `F.pad`.
 *
 * @example
 * pad(ones([2, 2]), [1, 1]).shape;            // [2, 4]
 * pad(ones([2, 2]), [0, 0, 1, 0], { value: 5 }); // a row of 5s on top
 */
export function pad(x: Tensor, padding: readonly number[], opts: PadOptions = {}): Tensor {
  const { mode = 'constant', value = 0 } = opts;
  if (mode !== 'constant') throw new RangeArgError('pad', `mode '${String(mode)}' is not supported; expected 'constant'`);
  if (padding.length % 2 !== 0 || padding.length > 2 * x.ndim || !padding.every(Number.isInteger)) {
    throw new RangeArgError('pad', `expected an even number (at most ${2 * x.ndim}) of integer pads for shape ${fmtShape(x.shape)}, got ${fmtShape(padding)}`);
  }
  const lo = x.shape.map(() => 0);
  const hi = x.shape.map(() => 0);
  for (let i = 0; i < padding.length / 2; i++) {
    lo[x.ndim - 1 - i] = padding[2 * i]!;
    hi[x.ndim - 1 - i] = padding[2 * i + 1]!;
  }
  let y = x;
  if (lo.some((v) => v < 0) || hi.some((v) => v < 0)) {
    const start = lo.map((v) => Math.max(0, -v));
    const shape = x.shape.map((n, d) => n - start[d]! - Math.max(0, -hi[d]!));
    if (shape.some((n) => n < 0)) throw new RangeArgError('pad', `pads ${fmtShape(padding)} crop more than shape ${fmtShape(x.shape)} holds`);
    y = apply('slice', [x], { start, step: x.shape.map(() => 1), shape });
  }
  const start = lo.map((v) => Math.max(0, v));
  const shape = y.shape.map((n, d) => n + start[d]! + Math.max(0, hi[d]!));
  return apply('unslice', [y], { shape, start, step: shape.map(() => 1), value });
}
