/**
 * Raw tensor kernels: backend calls wrapped to take and return `Tensor`s, with
 * no autograd. The op table's forward functions are made of these; user code
 * calls the differentiable ops in `ops/` instead.
 */
import { backend } from '../backend/index.js';
import type { ArgReduceOp, BinaryOp, CompareOp, DType, ReduceOp, Storage, UnaryOp, Window } from '../backend/index.js';
import { ShapeError, fmtShape } from '../errors.js';
import { broadcastShapes, sameShape, sizeOf } from './shape.js';
import { Tensor } from './tensor.js';

/**
 * A view of `x` with the given geometry, sharing its storage and version counter.
 *
 * @example
 * asStrided(x, [3, 2], [1, 3], 0); // the transpose of a contiguous [2, 3]
 */
export function asStrided(x: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return new Tensor(x.storage, shape, strides, offset, x);
}

/**
 * A broadcast view of `x` to `shape` (stride 0 on new and size-1 dims); `x`
 * itself when the shape already matches. The caller checks compatibility.
 *
 * @example
 * expandView(tensor([1, 2]), [3, 2]).shape; // [3, 2]
 */
export function expandView(x: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const lead = shape.length - x.shape.length;
  const strides = shape.map((n, i) => {
    if (i < lead) return 0;
    const d = x.shape[i - lead]!;
    return d === n ? x.strides[i - lead]! : 0;
  });
  return asStrided(x, shape, strides, x.offset);
}

/** A contiguous tensor wrapping a new storage. */
function wrap(storage: Storage, shape: readonly number[]): Tensor {
  return new Tensor(storage, shape);
}

/**
 * A new contiguous tensor of `shape` and `dtype` filled with `value`.
 *
 * @example
 * filled([2], 'float32', 7).toArray(); // [7, 7]
 */
export function filled(shape: readonly number[], dtype: DType, value: number): Tensor {
  const t = new Tensor(backend().alloc(dtype, sizeOf(shape)), shape);
  if (value !== 0) backend().fill(t, value);
  return t;
}

/**
 * A contiguous copy of `x` converted to `dtype` (a cast when the dtypes differ).
 *
 * @example
 * copyAs(x.transpose(0, 1), 'float64').isContiguous(); // true
 */
export function copyAs(x: Tensor, dtype: DType = x.dtype): Tensor {
  const out = new Tensor(backend().alloc(dtype, x.size), x.shape);
  backend().copy(x, out);
  return out;
}

/** Copies `src` (broadcast to `dst.shape` by the caller) into the view `dst`. @example copyInto(src, dst); */
export function copyInto(src: Tensor, dst: Tensor): void {
  backend().copy(src, dst);
}

/** Fills the view `dst` with `value`. @example fillInto(x.narrow(0, 0, 1), 5); */
export function fillInto(dst: Tensor, value: number): void {
  backend().fill(dst, value);
}

/** `op(x)` elementwise, as `dtype`. @example rawUnary('exp', x); */
export function rawUnary(op: UnaryOp, x: Tensor, dtype: DType = x.dtype): Tensor {
  return wrap(backend().unary(op, x, dtype), x.shape);
}

/**
 * `op(a, b)` elementwise with broadcasting, as `dtype`; `name` is the op
 * named in a broadcast error.
 *
 * @example
 * rawBinary('add', a, b);
 */
export function rawBinary(op: BinaryOp, a: Tensor, b: Tensor, dtype: DType = a.dtype, name: string = op): Tensor {
  const shape = broadcastShapes(name, a.shape, b.shape);
  return wrap(backend().binary(op, expandView(a, shape), expandView(b, shape), dtype), shape);
}

/**
 * `dst = op(a, b)` in place: `dst` is contiguous, `b` broadcasts to its shape,
 * `a` has its shape, both have its dtype; `a` or `b` may be `dst` itself (no
 * other overlap). The caller bumps the version.
 *
 * @example
 * binaryInto('sub', w, g.mul(0.1), w); // w -= 0.1·g
 */
export function binaryInto(op: BinaryOp, a: Tensor, b: Tensor, dst: Tensor): void {
  backend().binary(op, a, expandView(b, dst.shape), dst.dtype, dst);
}

/** `a op b` elementwise with broadcasting, as bool. @example rawCompare('gt', a, b); */
export function rawCompare(op: CompareOp, a: Tensor, b: Tensor, name: string = op): Tensor {
  const shape = broadcastShapes(name, a.shape, b.shape);
  return wrap(backend().compare(op, expandView(a, shape), expandView(b, shape)), shape);
}

/** `cond ? a : b` elementwise with broadcasting of all three. @example rawWhere(mask, a, b); */
export function rawWhere(cond: Tensor, a: Tensor, b: Tensor, dtype: DType = a.dtype, name = 'where'): Tensor {
  const shape = broadcastShapes(name, broadcastShapes(name, cond.shape, a.shape), b.shape);
  const s = backend().where(expandView(cond, shape), expandView(a, shape), expandView(b, shape), dtype);
  return wrap(s, shape);
}

/**
 * Reduces sorted distinct `dims`; keeps them as size 1 when `keepdim`.
 *
 * @example
 * rawReduce('max', x, [1], false, x.dtype);
 */
export function rawReduce(op: ReduceOp, x: Tensor, dims: readonly number[], keepdim: boolean, dtype: DType): Tensor {
  const s = backend().reduce(op, x, dims, dtype);
  const shape = keepdim ? x.shape.map((d, i) => (dims.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !dims.includes(i));
  return wrap(s, shape);
}

/** int32 index of the max/min along `dim`. @example rawArgReduce('argmax', x, 1, false); */
export function rawArgReduce(op: ArgReduceOp, x: Tensor, dim: number, keepdim: boolean): Tensor {
  const s = backend().argReduce(op, x, dim);
  const shape = keepdim ? x.shape.map((d, i) => (i === dim ? 1 : d)) : x.shape.filter((_, i) => i !== dim);
  return wrap(s, shape);
}

/**
 * Batched matmul `[...ba, n, k] @ [...bb, k, m]` with broadcast batch dims
 * (both at least 2-D; the caller checks the inner dims).
 *
 * @example
 * rawMatmul(a, b);
 */
export function rawMatmul(a: Tensor, b: Tensor, dtype: DType = a.dtype): Tensor {
  const batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const n = a.shape[a.ndim - 2]!;
  const k = a.shape[a.ndim - 1]!;
  const m = b.shape[b.ndim - 1]!;
  const av = expandView(a, [...batch, n, k]);
  const bv = expandView(b, [...batch, k, m]);
  return wrap(backend().matmul(av, bv, dtype), [...batch, n, m]);
}

/** `x` gathered along `dim` at int32 `index` (same ndim); the result has the shape of `index`. @example rawGather(x, 1, idx); */
export function rawGather(x: Tensor, dim: number, index: Tensor): Tensor {
  return wrap(backend().gather(x, dim, index, x.dtype), index.shape);
}

/** Zeros of `shape` with `src` (the shape of `index`) added at `index` along `dim`. @example rawScatterAdd([3], 0, idx, src); */
export function rawScatterAdd(shape: readonly number[], dim: number, index: Tensor, src: Tensor): Tensor {
  if (!sameShape(index.shape, src.shape)) {
    throw new ShapeError('scatterAdd', `index ${fmtShape(index.shape)} and src ${fmtShape(src.shape)} must have one shape`);
  }
  return wrap(backend().scatterAdd(shape, dim, index, src, src.dtype), shape);
}

/**
 * The windows of `x: [N, C, ...spatial]` as `[N, C, ...kernel, ...out]` (0 where a tap falls outside `x`).
 *
 * @example
 * rawIm2col(x, { kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], out: [5, 5] }); // [N, C, 3, 3, 5, 5] of a [N, C, 5, 5]
 */
export function rawIm2col(x: Tensor, w: Window): Tensor {
  return wrap(backend().im2col(x, w, x.dtype), [x.shape[0]!, x.shape[1]!, ...w.kernel, ...w.out]);
}

/**
 * The transpose of `rawIm2col`: windows `[N, C, ...kernel, ...out]` summed into `[N, C, ...spatial]`.
 *
 * @example
 * rawCol2im(cols, [5, 5], w); // [N, C, 5, 5]
 */
export function rawCol2im(cols: Tensor, spatial: readonly number[], w: Window): Tensor {
  return wrap(backend().col2im(cols, spatial, w, cols.dtype), [cols.shape[0]!, cols.shape[1]!, ...spatial]);
}

/**
 * A tensor from raw values (row-major) of a given shape and dtype.
 *
 * @example
 * fromValues([1, 2, 3, 4], [2, 2], 'float32');
 */
export function fromValues(values: ArrayLike<number>, shape: readonly number[], dtype: DType): Tensor {
  return new Tensor(backend().fromArray(dtype, values), shape);
}

/** True when any element is NaN (float tensors). @example hasNaN(tensor([NaN])); // true */
export function hasNaN(x: Tensor): boolean {
  if ((x.dtype !== 'float32' && x.dtype !== 'float64') || x.size === 0) return false;
  const flags = backend().unary('isnan', x, 'bool');
  const any = backend().reduce('max', { storage: flags, shape: [x.size], strides: [1], offset: 0 }, [0], 'bool');
  return backend().read({ storage: any, shape: [1], strides: [1], offset: 0 })[0] !== 0;
}
