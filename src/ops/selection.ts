/**
 * Logical reductions and masked selection: `any`, `all` (bool results) and
 * `maskedFill` (differentiable in `x` and in a tensor `value`).
 */
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { Tensor, broadcastShapes, normDim, sameShape } from '../tensor/index.js';
import { asType, cast, eq, gt, ne, where } from './elementwise.js';
import { sum, type DimArg, type ReduceOptions } from './reduction.js';

function truthy(op: string, x: unknown, dim: DimArg): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(op, `expected a Tensor, got ${Array.isArray(x) ? 'an array (wrap it with tensor())' : typeof x}`);
  if (typeof dim === 'number' || Array.isArray(dim)) (typeof dim === 'number' ? [dim] : dim).forEach((d) => normDim(op, d, Math.max(1, x.ndim)));
  return x.dtype === 'bool' ? x : ne(x, 0);
}

/**
 * True where any element along `dim` (all dims by default) is nonzero (NaN counts as nonzero).
 *
 * @example
 * any(tensor([0, 0, 1]));                      // true (0-d bool)
 * any(tensor([[0, 1], [0, 0]]), 1);            // [true, false]
 */
export function any(x: Tensor, dim?: DimArg, opts: ReduceOptions = {}): Tensor {
  const t = truthy('any', x, dim);
  return gt(sum(cast(t, 'int32'), dim, { keepdim: opts.keepdim ?? false }), 0);
}

/**
 * True where every element along `dim` (all dims by default) is nonzero.
 *
 * @example
 * all(tensor([1, 2, 3]));                      // true
 * all(tensor([[1, 0], [1, 1]]), 1, { keepdim: true }); // [[false], [true]]
 */
export function all(x: Tensor, dim?: DimArg, opts: ReduceOptions = {}): Tensor {
  const t = truthy('all', x, dim);
  return eq(sum(cast(eq(t, 0), 'int32'), dim, { keepdim: opts.keepdim ?? false }), 0);
}

/**
 * `x` with `value` where the bool `mask` (broadcast to `x`'s shape) is true.
 * `value` is a number or a 0-d tensor; the gradient reaches `x` where the
 * mask is false and a tensor `value` from every masked element.
 *
 * @example
 * maskedFill(tensor([1, 2, 3]), tensor([true, false, true]), 0); // [0, 2, 0]
 * scores.maskedFill(causalMask, -Infinity);
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number | Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError('maskedFill', `expected x to be a Tensor, got ${typeof x}`);
  if (!(mask instanceof Tensor) || mask.dtype !== 'bool') {
    throw new DTypeError('maskedFill', `expected a bool mask, got ${mask instanceof Tensor ? mask.dtype : typeof mask}`);
  }
  if (!sameShape(broadcastShapes('maskedFill', x.shape, mask.shape), x.shape)) {
    throw new ShapeError('maskedFill', `mask ${fmtShape(mask.shape)} must broadcast to the shape of x ${fmtShape(x.shape)}`);
  }
  if (value instanceof Tensor) {
    if (value.ndim !== 0) throw new ShapeError('maskedFill', `a tensor value must be 0-d, got shape ${fmtShape(value.shape)}`);
  } else if (typeof value !== 'number' && typeof value !== 'boolean') {
    throw new DTypeError('maskedFill', `expected value to be a number or a 0-d Tensor, got ${typeof value}`);
  }
  return where(mask, asType(value, x.dtype, x), x);
}
