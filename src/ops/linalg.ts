/**
 * Linear algebra: `matmul` with NumPy semantics (1-D operands, batched and
 * broadcast batch dims).
 */
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { Tensor, broadcastShapes } from '../tensor/index.js';
import { apply } from './dispatch.js';
import { promote } from './elementwise.js';

/**
 * Matrix product like `torch.matmul`: 1-D·1-D is a dot product, a 1-D
 * operand is treated as a row (left) or column (right) vector and its dim
 * removed after, and leading batch dims broadcast.
 *
 * @example
 * matmul(ones([2, 3]), ones([3, 4])).shape;    // [2, 4]
 * matmul(ones([5, 2, 3]), ones([3])).shape;    // [5, 2]
 * matmul(ones([2, 3]), ones([4, 5]));          // ShapeError: matmul: inner dimensions differ: a is [2,3], b is [4,5]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new DTypeError('matmul', 'expected two tensors');
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError('matmul', `both operands need at least 1 dim: a is ${fmtShape(a.shape)}, b is ${fmtShape(b.shape)}`);
  }
  const ka = a.shape[a.ndim - 1]!;
  const kb = b.ndim === 1 ? b.shape[0]! : b.shape[b.ndim - 2]!;
  if (ka !== kb) throw new ShapeError('matmul', `inner dimensions differ: a is ${fmtShape(a.shape)}, b is ${fmtShape(b.shape)}`);
  if (a.dtype === 'bool' || b.dtype === 'bool') throw new DTypeError('matmul', `expected numeric tensors, got ${a.dtype} and ${b.dtype}`);
  const [x, y] = promote('matmul', a, b, 'any');
  const x2 = x.ndim === 1 ? apply('reshape', [x], { shape: [1, ka] }) : x;
  const y2 = y.ndim === 1 ? apply('reshape', [y], { shape: [kb, 1] }) : y;
  const batch = broadcastShapes('matmul', x2.shape.slice(0, -2), y2.shape.slice(0, -2));
  const out = apply('matmul', [x2, y2], {});
  if (a.ndim > 1 && b.ndim > 1) return out;
  const shape = [...batch];
  if (a.ndim > 1) shape.push(a.shape[a.ndim - 2]!);
  if (b.ndim > 1) shape.push(b.shape[b.ndim - 1]!);
  return apply('reshape', [out], { shape });
}
