/**
 * Scans along a dim: `cumsum`, `cumprod`, `logcumsumexp`, each one `scan`
 * primitive (one kernel). Gradients as PyTorch's: cumsum's is a reversed
 * cumsum, cumprod's is exact where `x` has zeros (one or several), and
 * logcumsumexp's is computed in log space (stable for large |x|).
 */
import { DTypeError } from '../errors.js';
import { Tensor, assertFloat, normDim } from '../tensor/index.js';
import { apply } from './dispatch.js';
import type { PrimParams } from './primitives.js';

function scanOf(name: string, op: PrimParams['scan']['op'], x: unknown, dim: number): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(name, `expected a Tensor, got ${Array.isArray(x) ? 'an array (wrap it with tensor())' : typeof x}`);
  if (typeof dim !== 'number') throw new DTypeError(name, `expected dim to be an integer, got ${typeof dim}`);
  if (op === 'logsumexp') assertFloat(name, x.dtype);
  const d = normDim(name, dim, Math.max(1, x.ndim));
  if (x.ndim === 0) return apply('reshape', [apply('scan', [apply('reshape', [x], { shape: [1] })], { op, dim: 0, reverse: false })], { shape: [] });
  return apply('scan', [x], { op, dim: d, reverse: false });
}

/**
 * The running sum along `dim`: `y_j = Σ_{i≤j} x_i` (bool and int32 give int32;
 * float32 accumulates in float64 on the CPU backends).
 *
 * @example
 * cumsum(tensor([1, 2, 3]), 0); // [1, 3, 6]
 */
export function cumsum(x: Tensor, dim: number): Tensor {
  return scanOf('cumsum', 'sum', x, dim);
}

/**
 * The running product along `dim`: `y_j = Π_{i≤j} x_i`; the gradient is
 * exact where `x` has zeros.
 *
 * @example
 * cumprod(tensor([1, 2, 3]), 0); // [1, 2, 6]
 */
export function cumprod(x: Tensor, dim: number): Tensor {
  return scanOf('cumprod', 'prod', x, dim);
}

/**
 * `y_j = log Σ_{i≤j} e^{x_i}` along `dim`, stable for large |x| (float only).
 *
 * @example
 * logcumsumexp(tensor([0, 0]), 0); // [0, 0.6931]
 */
export function logcumsumexp(x: Tensor, dim: number): Tensor {
  return scanOf('logcumsumexp', 'logsumexp', x, dim);
}
