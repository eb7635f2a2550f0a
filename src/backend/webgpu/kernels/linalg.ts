/**
 * The dense factorisations on the GPU. None has a WGSL kernel yet, so each
 * is a typed `DeviceError` naming the op (never a silent wrong answer); the
 * CPU backends run them (`x.to('wasm')`, then `.to('webgpu')` back: both
 * copies are differentiable).
 */
import { DeviceError } from '../../../errors.js';
import type { LinalgOp, LinalgResult } from '../../types.js';

/** The public op each kernel serves, for the message. */
const PUBLIC: Record<LinalgOp, string> = {
  cholesky: 'linalg.cholesky',
  triangularSolve: 'linalg.solveTriangular',
  solve: 'linalg.solve',
  lu: 'linalg.det',
  qr: 'linalg.qr',
  eigh: 'linalg.eigh',
  svd: 'linalg.svd',
};

/**
 * Throws the `DeviceError` of a factorisation asked of the GPU.
 *
 * @example
 * linalgOnGpu('qr'); // DeviceError: linalg.qr: has no webgpu kernel yet; ...
 */
export function linalgOnGpu(op: LinalgOp): LinalgResult {
  throw new DeviceError(PUBLIC[op], "has no webgpu kernel yet; run it on a CPU backend: x.to('wasm') (differentiable), then .to('webgpu') back");
}
