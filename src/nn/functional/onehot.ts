/**
 * `oneHot`: class indices to one-hot rows (int32), PyTorch's `F.one_hot`.
 */
import { DTypeError, DeviceError, RangeArgError } from '../../errors.js';
import { cast, eq, reshape, traced, unsqueeze } from '../../ops/index.js';
import { Tensor, checkRange, raw } from '../../tensor/index.js';

/**
 * `indices` (int32, any shape) as one-hot vectors along a new last dim of
 * `numClasses` (default −1: the largest index + 1), int32 like PyTorch's int64.
 *
 * @example
 * oneHot(tensor([0, 2], { dtype: 'int32' }), 3); // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  const op = 'oneHot';
  if (!(indices instanceof Tensor) || indices.dtype !== 'int32') {
    throw new DTypeError(op, `expected int32 class indices, got ${indices instanceof Tensor ? indices.dtype : typeof indices}`);
  }
  if (!Number.isInteger(numClasses) || numClasses < -1) throw new RangeArgError(op, `numClasses must be -1 or a non-negative integer, got ${numClasses}`);
  let c = numClasses;
  if (indices.size === 0 && c === -1) throw new RangeArgError(op, 'numClasses -1 cannot be inferred from an empty tensor');
  if (c === -1 && indices.backend === 'webgpu') {
    throw new DeviceError(op, 'numClasses -1 reads the largest index, which a GPU tensor cannot do synchronously; pass numClasses');
  }
  if (c === -1) c = raw.rawReduce('max', reshape(indices, [indices.size]), [0], false, 'int32').item() + 1;
  const n = c;
  // At once on the CPU, at the next read on the GPU.
  checkRange(indices, (lo, hi) =>
    lo < 0 ? new RangeArgError(op, `class values must be non-negative, got ${lo}`)
    : hi >= n ? new RangeArgError(op, `class values must be smaller than numClasses ${n}, got ${hi}`) : null);
  const classes = raw.fromValues(Array.from({ length: c }, (_, i) => i), [c], 'int32', indices.backend);
  return traced(op, { numClasses: c }, [indices], () => cast(eq(unsqueeze(indices, -1), classes), 'int32'));
}
