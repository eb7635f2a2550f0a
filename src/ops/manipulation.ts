/**
 * More shape ops, composites of the shape primitives: `flip roll tril triu
 * repeat tile chunk split unbind movedim diag diagonal trace outer dot bmm`.
 * `chunk`, `split`, `unbind`, `movedim` and `diagonal` return views where
 * PyTorch does (slices and permutations of `x`'s storage; `diagonal` of two
 * dims whose strides do not merge is a copy); the others copy, as in PyTorch.
 */
import { DTypeError, RangeArgError, ShapeError, fmtShape } from '../errors.js';
import { Tensor, normDim, raw } from '../tensor/index.js';
import { apply } from './dispatch.js';
import { mul, where } from './elementwise.js';
import { indexSelect } from './indexing.js';
import { matmul } from './linalg.js';
import { sum } from './reduction.js';
import { cat, expand, narrow, permute, reshape, squeeze } from './shape.js';

function tensorArg(op: string, x: unknown, name = 'x'): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(op, `expected ${name} to be a Tensor, got ${Array.isArray(x) ? 'an array (wrap it with tensor())' : typeof x}`);
  return x;
}

function intList(op: string, name: string, v: number | readonly number[]): number[] {
  const list = typeof v === 'number' ? [v] : Array.isArray(v) ? [...(v as readonly number[])] : null;
  if (list === null || !list.every(Number.isInteger)) throw new RangeArgError(op, `${name} must be an integer or a list of integers, got ${JSON.stringify(v)}`);
  return list;
}

/** Distinct normalized dims. */
function distinctDims(op: string, name: string, dims: number | readonly number[], ndim: number): number[] {
  const d = intList(op, name, dims).map((v) => normDim(op, v, ndim));
  if (new Set(d).size !== d.length) throw new RangeArgError(op, `${name} ${JSON.stringify(dims)} repeat a dim`);
  return d;
}

/** An int32 index tensor on `x`'s backend. */
function indexOf(x: Tensor, values: readonly number[]): Tensor {
  return raw.fromValues(values, [values.length], 'int32', x.backend);
}

/**
 * `x` with the order of the elements reversed along `dims` (a copy, like PyTorch).
 *
 * @example
 * flip(tensor([[1, 2], [3, 4]]), [1]); // [[2, 1], [4, 3]]
 */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  tensorArg('flip', x);
  if (x.ndim === 0) {
    intList('flip', 'dims', dims).forEach((d) => normDim('flip', d, 1));
    return apply('contiguous', [x], {});
  }
  let y = x;
  for (const d of distinctDims('flip', 'dims', dims, x.ndim)) {
    const n = x.shape[d]!;
    y = indexSelect(y, d, indexOf(x, Array.from({ length: n }, (_, i) => n - 1 - i)));
  }
  return y === x ? apply('contiguous', [x], {}) : y;
}

/**
 * `x` rotated by `shifts` along `dims`: elements pushed past the end come
 * back at the start. Without `dims`, `x` is rolled as if flattened.
 *
 * @example
 * roll(tensor([1, 2, 3, 4]), 1);                 // [4, 1, 2, 3]
 * roll(tensor([[1, 2], [3, 4]]), [1, 1], [0, 1]); // [[4, 3], [2, 1]]
 */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor {
  tensorArg('roll', x);
  const s = intList('roll', 'shifts', shifts);
  if (dims === undefined || dims === null) {
    if (s.length !== 1) throw new RangeArgError('roll', `without dims, shifts must be one integer, got ${JSON.stringify(shifts)}`);
    return reshape(roll(reshape(x, [x.size]), s[0]!, 0), x.shape);
  }
  const d = intList('roll', 'dims', dims).map((v) => normDim('roll', v, Math.max(1, x.ndim)));
  if (d.length !== s.length) {
    throw new RangeArgError('roll', `shifts ${JSON.stringify(shifts)} and dims ${JSON.stringify(dims)} must have the same length`);
  }
  if (x.ndim === 0) return apply('contiguous', [x], {});
  let y = x;
  d.forEach((dim, i) => {
    const n = x.shape[dim]!;
    const k = n === 0 ? 0 : ((s[i]! % n) + n) % n;
    if (k !== 0) y = cat([narrow(y, dim, n - k, k), narrow(y, dim, 0, n - k)], dim);
  });
  return y === x ? apply('contiguous', [x], {}) : y;
}

/** The bool mask `keep(i, j)` over the last two dims of `x`. */
function triMask(op: string, x: Tensor, keep: (i: number, j: number) => boolean): Tensor {
  if (x.ndim < 2) throw new ShapeError(op, `expected a tensor of at least 2 dims, got ${fmtShape(x.shape)}`);
  const [r, c] = x.shape.slice(-2) as [number, number];
  const values = new Uint8Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) values[i * c + j] = keep(i, j) ? 1 : 0;
  return raw.fromValues(values, [r, c], 'bool', x.backend);
}

/** What `tril`/`triu` put outside the triangle: 0, or false for a bool `x` (which stays bool, as in PyTorch). */
function zeroOf(x: Tensor): Tensor | number {
  return x.dtype === 'bool' ? raw.fromValues(new Uint8Array(1), [], 'bool', x.backend) : 0;
}

function checkDiagonal(op: string, k: number): void {
  if (!Number.isInteger(k)) throw new RangeArgError(op, `diagonal must be an integer, got ${k}`);
}

/**
 * The lower triangle of the last two dims: elements with `j − i ≤ diagonal` kept, the rest 0.
 *
 * @example
 * tril(ones([3, 3]));     // [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
 * tril(ones([3, 3]), -1); // below the main diagonal only
 */
export function tril(x: Tensor, diagonal = 0): Tensor {
  tensorArg('tril', x);
  checkDiagonal('tril', diagonal);
  return where(triMask('tril', x, (i, j) => j - i <= diagonal), x, zeroOf(x));
}

/**
 * The upper triangle of the last two dims: elements with `j − i ≥ diagonal` kept, the rest 0.
 *
 * @example
 * triu(ones([3, 3]), 1); // [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
 */
export function triu(x: Tensor, diagonal = 0): Tensor {
  tensorArg('triu', x);
  checkDiagonal('triu', diagonal);
  return where(triMask('triu', x, (i, j) => j - i >= diagonal), x, zeroOf(x));
}

function sizesOf(op: string, sizes: readonly number[]): number[] {
  if (!Array.isArray(sizes) || !sizes.every((n) => Number.isInteger(n) && n >= 0)) {
    throw new RangeArgError(op, `sizes must be a list of non-negative integers, got ${JSON.stringify(sizes)}`);
  }
  return [...sizes];
}

/**
 * `x` tiled `sizes[i]` times along each dim (PyTorch's `Tensor.repeat`;
 * `sizes` may add leading dims, it may not have fewer than `x.ndim`).
 *
 * @example
 * repeat(tensor([1, 2]), [2, 2]); // [[1, 2, 1, 2], [1, 2, 1, 2]]
 */
export function repeat(x: Tensor, sizes: readonly number[]): Tensor {
  tensorArg('repeat', x);
  const r = sizesOf('repeat', sizes);
  if (r.length < x.ndim) {
    throw new RangeArgError('repeat', `sizes ${fmtShape(r)} must have at least as many entries as x has dims (shape ${fmtShape(x.shape)})`);
  }
  const shape = [...new Array<number>(r.length - x.ndim).fill(1), ...x.shape];
  // [s0, s1, ...] → [1, s0, 1, s1, ...] → expand to [r0, s0, r1, s1, ...] → [r0·s0, r1·s1, ...]
  const spread = reshape(x, shape.flatMap((n) => [1, n]));
  const big = expand(spread, shape.flatMap((n, i) => [r[i]!, n]));
  return reshape(apply('contiguous', [big], {}), shape.map((n, i) => n * r[i]!));
}

/**
 * `x` tiled like `numpy.tile`: as `repeat`, with `sizes` padded with leading 1s when shorter than `x.ndim`.
 *
 * @example
 * tile(tensor([[1, 2]]), [2]); // [[1, 2, 1, 2]]
 */
export function tile(x: Tensor, sizes: readonly number[]): Tensor {
  tensorArg('tile', x);
  const r = sizesOf('tile', sizes);
  return repeat(x, [...new Array<number>(Math.max(0, x.ndim - r.length)).fill(1), ...r]);
}

function splitDim(op: string, x: Tensor, dim: number): number {
  if (x.ndim === 0) throw new ShapeError(op, 'expected a tensor with at least 1 dim, got a 0-d tensor');
  return normDim(op, dim, x.ndim);
}

/**
 * `x` split into `chunks` views along `dim`, each of `ceil(n / chunks)`
 * elements (the last may be smaller, and there may be fewer than `chunks`).
 *
 * @example
 * chunk(arange(5), 2).map((t) => t.toArray()); // [[0, 1, 2], [3, 4]]
 */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  tensorArg('chunk', x);
  if (!Number.isInteger(chunks) || chunks < 1) throw new RangeArgError('chunk', `chunks must be a positive integer, got ${chunks}`);
  const d = splitDim('chunk', x, dim);
  const n = x.shape[d]!;
  return split(x, Math.max(1, Math.ceil(n / chunks)), d);
}

/**
 * `x` split into views along `dim`: pieces of `sizeOrSizes` elements (the
 * last may be smaller), or of the listed sizes (which must add up to the dim's size).
 *
 * @example
 * split(arange(5), 2).length;    // 3 ([0, 1], [2, 3], [4])
 * split(arange(5), [1, 4])[1];   // [1, 2, 3, 4]
 */
export function split(x: Tensor, sizeOrSizes: number | readonly number[], dim = 0): Tensor[] {
  tensorArg('split', x);
  const d = splitDim('split', x, dim);
  const n = x.shape[d]!;
  let sizes: number[];
  if (typeof sizeOrSizes === 'number') {
    if (!Number.isInteger(sizeOrSizes) || sizeOrSizes < 0 || (sizeOrSizes === 0 && n > 0)) {
      throw new RangeArgError('split', `split size must be a positive integer, got ${sizeOrSizes} for dim ${d} of size ${n}`);
    }
    const count = n === 0 ? 1 : Math.ceil(n / sizeOrSizes);
    sizes = Array.from({ length: count }, (_, i) => Math.min(sizeOrSizes, n - i * sizeOrSizes));
  } else {
    sizes = intList('split', 'sizes', sizeOrSizes);
    const total = sizes.reduce((a, b) => a + b, 0);
    if (sizes.some((s) => s < 0) || total !== n) {
      throw new RangeArgError('split', `sizes ${fmtShape(sizes)} must be non-negative and add up to ${n}, the size of dim ${d} of x ${fmtShape(x.shape)}`);
    }
  }
  let at = 0;
  return sizes.map((s) => {
    const piece = narrow(x, d, at, s);
    at += s;
    return piece;
  });
}

/**
 * The slices of `x` along `dim`, each without that dim (views).
 *
 * @example
 * unbind(tensor([[1, 2], [3, 4]])).map((t) => t.toArray()); // [[1, 2], [3, 4]]
 */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  tensorArg('unbind', x);
  const d = splitDim('unbind', x, dim);
  return Array.from({ length: x.shape[d]! }, (_, i) => squeeze(narrow(x, d, i, 1), d));
}

/**
 * The view with dims `source` moved to positions `destination` (the other dims keep their order).
 *
 * @example
 * movedim(zeros([2, 3, 4]), 0, -1).shape;          // [3, 4, 2]
 * movedim(zeros([2, 3, 4]), [0, 1], [2, 0]).shape; // [3, 4, 2]
 */
export function movedim(x: Tensor, source: number | readonly number[], destination: number | readonly number[]): Tensor {
  tensorArg('movedim', x);
  const nd = Math.max(1, x.ndim);
  const src = distinctDims('movedim', 'source', source, nd);
  const dst = distinctDims('movedim', 'destination', destination, nd);
  if (src.length !== dst.length) {
    throw new RangeArgError('movedim', `source ${JSON.stringify(source)} and destination ${JSON.stringify(destination)} must have the same number of dims`);
  }
  if (x.ndim === 0) return apply('reshape', [x], { shape: [] });
  const order = new Array<number>(x.ndim).fill(-1);
  dst.forEach((p, i) => (order[p] = src[i]!));
  const rest = x.shape.map((_, i) => i).filter((i) => !src.includes(i));
  for (let p = 0, k = 0; p < x.ndim; p++) if (order[p] === -1) order[p] = rest[k++]!;
  return permute(x, order);
}

/** Options of `diagonal`. */
export interface DiagonalOptions {
  /** Which diagonal: 0 main (default), > 0 above, < 0 below. */
  offset?: number;
  /** The first dim of the matrices (default 0). */
  dim1?: number;
  /** The second dim of the matrices (default 1). */
  dim2?: number;
}

/**
 * The diagonal of the matrices formed by `dim1` and `dim2`, as a last dim
 * (a view when those dims' strides merge, as in a contiguous tensor).
 *
 * @example
 * diagonal(tensor([[1, 2], [3, 4]]));                 // [1, 4]
 * diagonal(x, { offset: 1, dim1: -2, dim2: -1 });      // batched, above the main diagonal
 */
export function diagonal(x: Tensor, opts: DiagonalOptions = {}): Tensor {
  tensorArg('diagonal', x);
  const offset = opts.offset ?? 0;
  if (!Number.isInteger(offset)) throw new RangeArgError('diagonal', `offset must be an integer, got ${offset}`);
  if (x.ndim < 2) throw new ShapeError('diagonal', `expected a tensor of at least 2 dims, got ${fmtShape(x.shape)}`);
  const d1 = normDim('diagonal', opts.dim1 ?? 0, x.ndim);
  const d2 = normDim('diagonal', opts.dim2 ?? 1, x.ndim);
  if (d1 === d2) throw new RangeArgError('diagonal', `dim1 and dim2 must differ, both are ${d1}`);
  const rest = x.shape.map((_, i) => i).filter((i) => i !== d1 && i !== d2);
  const m = permute(x, [...rest, d1, d2]);
  const a = x.shape[d1]!;
  const b = x.shape[d2]!;
  const len = Math.max(0, offset >= 0 ? Math.min(a, b - offset) : Math.min(a + offset, b));
  const start = len === 0 ? 0 : offset >= 0 ? offset : -offset * b;
  const batch = rest.map((i) => x.shape[i]!);
  const flat = reshape(m, [...batch, a * b]);
  return apply('slice', [flat], { start: [...batch.map(() => 0), start], step: [...batch.map(() => 1), b + 1], shape: [...batch, len] });
}

/**
 * A 1-D `x` as the `diagonal`-th diagonal of a square matrix, or the
 * `diagonal`-th diagonal of a 2-D `x` as a vector.
 *
 * @example
 * diag(tensor([1, 2]));             // [[1, 0], [0, 2]]
 * diag(tensor([[1, 2], [3, 4]]), 1); // [2]
 */
export function diag(x: Tensor, diagonal_ = 0): Tensor {
  tensorArg('diag', x);
  checkDiagonal('diag', diagonal_);
  if (x.ndim === 2) return diagonal(x, { offset: diagonal_ });
  if (x.ndim !== 1) throw new ShapeError('diag', `expected a 1-D or 2-D tensor, got ${fmtShape(x.shape)}`);
  const n = x.shape[0]!;
  const m = n + Math.abs(diagonal_);
  const start = diagonal_ >= 0 ? diagonal_ : -diagonal_ * m;
  const flat = apply('unslice', [x], { shape: [m * m], start: [n === 0 ? 0 : start], step: [m + 1], value: 0 });
  return reshape(flat, [m, m]);
}

/** The sum of the main diagonal of a 2-D `x`. @example trace(tensor([[1, 2], [3, 4]])); // 5 */
export function trace(x: Tensor): Tensor {
  tensorArg('trace', x);
  if (x.ndim !== 2) throw new ShapeError('trace', `expected a 2-D tensor, got ${fmtShape(x.shape)}`);
  return sum(diagonal(x));
}

function vectors(op: string, a: Tensor, b: Tensor): void {
  tensorArg(op, a, 'a');
  tensorArg(op, b, 'b');
  if (a.ndim !== 1 || b.ndim !== 1) throw new ShapeError(op, `expected two 1-D tensors, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
}

/** The outer product `a[i]·b[j]` of two 1-D tensors. @example outer(tensor([1, 2]), tensor([1, 10])); // [[1, 10], [2, 20]] */
export function outer(a: Tensor, b: Tensor): Tensor {
  vectors('outer', a, b);
  return mul(reshape(a, [a.shape[0]!, 1]), reshape(b, [1, b.shape[0]!]));
}

/** The inner product of two 1-D tensors of one length and dtype. @example dot(tensor([1, 2]), tensor([3, 4])); // 11 */
export function dot(a: Tensor, b: Tensor): Tensor {
  vectors('dot', a, b);
  if (a.shape[0] !== b.shape[0]) throw new ShapeError('dot', `a ${fmtShape(a.shape)} and b ${fmtShape(b.shape)} must have the same length`);
  if (a.dtype !== b.dtype) throw new DTypeError('dot', `expected a and b of one dtype, got ${a.dtype} and ${b.dtype}`);
  return matmul(a, b);
}

/**
 * Batched matrix product of `a: [B, n, m]` and `b: [B, m, p]` (no broadcasting, as PyTorch).
 *
 * @example
 * bmm(ones([4, 2, 3]), ones([4, 3, 5])).shape; // [4, 2, 5]
 */
export function bmm(a: Tensor, b: Tensor): Tensor {
  tensorArg('bmm', a, 'a');
  tensorArg('bmm', b, 'b');
  if (a.ndim !== 3 || b.ndim !== 3) throw new ShapeError('bmm', `expected two 3-D tensors, got a ${fmtShape(a.shape)} and b ${fmtShape(b.shape)}`);
  if (a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
    throw new ShapeError('bmm', `a ${fmtShape(a.shape)} and b ${fmtShape(b.shape)} must be [B, n, m] and [B, m, p]`);
  }
  if (a.dtype !== b.dtype) throw new DTypeError('bmm', `expected a and b of one dtype, got ${a.dtype} and ${b.dtype}`);
  return matmul(a, b);
}
