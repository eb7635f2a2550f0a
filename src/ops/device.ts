/**
 * Moving a tensor between backends: `x.to('webgpu')`, `x.to('wasm')`.
 * Differentiable (the `transfer` primitive): gradients flow back across the
 * backends. A copy from the GPU to the CPU is under way when `to` returns
 * (reading the GPU is asynchronous): the async readers wait for it, and
 * `await synchronize()` waits for all of them.
 */
import type { BackendName, DType } from '../backend/index.js';
import { backendNamed } from '../backend/index.js';
import { Tensor } from '../tensor/index.js';
import { DTypeError } from '../errors.js';
import { apply } from './dispatch.js';
import { cast } from './elementwise.js';

const BACKENDS: readonly string[] = ['js', 'wasm', 'webgpu'];

/**
 * `x` converted to a dtype (`cast`), or copied to a backend; `x` itself when
 * nothing changes (like PyTorch's `Tensor.to`).
 *
 * @example
 * await initWebGPU();
 * const w = randn([3, 3], { requiresGrad: true });
 * const loss = w.to('webgpu').square().sum(); // on the GPU
 * loss.backward();                             // w.grad comes back to the CPU
 * await synchronize();
 * w.grad!.toArray();
 */
export function to(x: Tensor, target: DType | BackendName): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError('to', `expected a tensor, got ${typeof x}`);
  if (!BACKENDS.includes(target)) return cast(x, target as DType);
  const backend = target as BackendName;
  backendNamed(backend, 'to');
  if (x.backend === backend) return x;
  return apply('transfer', [x], { backend, from: x.backend });
}
