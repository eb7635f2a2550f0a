/**
 * Backend selection. Every tensor kernel runs on the current backend.
 *
 * `wasm` (SIMD kernels, threads; see wasm/) is the default where its kernels
 * load: synchronously at import in Node, after `await initWasm()` in browsers.
 * `js` is the pure TypeScript oracle. In Node, `ADJOINT_BACKEND=js|wasm`
 * chooses the default. `webgpu` (after `await initWebGPU()`) runs kernels on
 * the GPU.
 *
 * Where a kernel runs: on the backend its inputs live on (`storage.backend`);
 * creation with no inputs uses the default backend (`setBackend`). The two CPU
 * backends read each other's storages, so js and wasm tensors mix freely; a
 * GPU tensor mixes only with 0-d CPU tensors (uploaded, as PyTorch allows a
 * CPU scalar in a CUDA op), anything else is a `DeviceError`.
 *
 * @example
 * import { setBackend, getBackend } from 'adjoint';
 * setBackend('js');
 * getBackend(); // 'js'
 */
import { AdjointError, DeviceError } from '../errors.js';
import { jsBackend } from './js.js';
import type { Backend, BackendName, View } from './types.js';
import { wasmBackend, wasmLoaded } from './wasm/index.js';
import { closeWebGPU as closeGpu, flushWebGPU, initWebGPU as initGpu, webgpuBackend } from './webgpu/index.js';
import type { WebGPUInfo, WebGPUInitOptions } from './webgpu/index.js';
import { settleChecks, synchronizeCopies } from './pending.js';

export type {
  ArgReduceOp, Backend, BackendName, BinaryOp, CompareOp, DType, ReduceOp, RoundOp, ScanOp, Storage, TypedArray, UnaryOp, View, Window,
} from './types.js';
export type { LinalgOp, LinalgOptions, LinalgResult } from './types.js';
export { jsBackend, JsStorage, makeArray } from './js.js';
export { erf } from './math.js';
export { PendingStorage, deferCheck, settleChecks, synchronizeCopies, type DeferredCheck } from './pending.js';
export {
  flushWebGPU, setWebGPUOptions, webgpuMemory, webgpuProfile,
  type WebGPUInfo, type WebGPUInitOptions, type WebGPUMemory, type WebGPUOptions, type WebGPUProfile,
} from './webgpu/index.js';
export {
  WASM_SMALL_BYTES, initWasm, setWasmOptions, stopWasmThreads, wasmBackend, wasmInfo, wasmLoaded, wasmThreadsReady,
} from './wasm/index.js';

const registry: Partial<Record<BackendName, Backend>> = { js: jsBackend, wasm: wasmBackend };

/** The default: `ADJOINT_BACKEND` when set (Node), else wasm when its kernels are loaded. */
function defaultBackend(): Backend {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.ADJOINT_BACKEND;
  if (env === 'js') return jsBackend;
  return wasmLoaded() ? wasmBackend : jsBackend;
}

let current: Backend = defaultBackend();

/**
 * Selects the backend that runs every following kernel.
 *
 * @example
 * setBackend('js');
 */
export function setBackend(name: BackendName): void {
  const b = registry[name];
  if (name === 'wasm' && !wasmLoaded()) {
    throw new AdjointError(
      'setBackend',
      "the 'wasm' backend is not loaded: build its kernels with `npm run build:wasm` (Node), or `await initWasm()` first (browsers)",
    );
  }
  if (name === 'webgpu' && b === undefined) {
    throw new DeviceError('setBackend', "the 'webgpu' backend is not initialised: call `await initWebGPU()` first");
  }
  if (b === undefined) {
    throw new AdjointError('setBackend', `unknown backend '${String(name)}'; expected 'js', 'wasm' or 'webgpu'`);
  }
  current = b;
}

/**
 * The backend object of a name (for `{backend}` options and `to(backend)`),
 * with the errors of `setBackend` for one that is not available.
 *
 * @example
 * backendNamed('js').name; // 'js'
 */
export function backendNamed(name: BackendName, op = 'backend'): Backend {
  const b = registry[name];
  if (b !== undefined && (name !== 'wasm' || wasmLoaded())) return b;
  if (name === 'webgpu') throw new DeviceError(op, "the 'webgpu' backend is not initialised: call `await initWebGPU()` first");
  if (name === 'wasm') throw new AdjointError(op, "the 'wasm' backend is not loaded: build its kernels with `npm run build:wasm` (Node), or `await initWasm()` first (browsers)");
  throw new AdjointError(op, `unknown backend '${String(name)}'; expected 'js', 'wasm' or 'webgpu'`);
}

/**
 * The backend that runs a kernel reading `x`: the GPU for a GPU tensor; for a
 * CPU tensor the default backend, or the tensor's own when the default is the
 * GPU (the CPU backends read each other's storages).
 *
 * @example
 * backendOf(x).name; // 'wasm'
 */
export function backendOf(x: View): Backend {
  const name = x.storage.backend;
  if (name === current.name || (name !== 'webgpu' && current.name !== 'webgpu')) return current;
  return backendNamed(name);
}

/** True for the backends whose memory the CPU reads directly. @example isCpu('wasm'); // true */
export function isCpu(name: BackendName): boolean {
  return name !== 'webgpu';
}

/**
 * The name of the current backend.
 *
 * @example
 * getBackend(); // 'js'
 */
export function getBackend(): BackendName {
  return current.name;
}

/**
 * Finds a WebGPU adapter (`navigator.gpu` in browsers; in Node the optional
 * `webgpu` package, which the user installs) and makes the `webgpu` backend
 * selectable. Rejects with a `DeviceError` saying what to install.
 *
 * @example
 * const info = await initWebGPU();
 * setBackend('webgpu');
 * const x = randn([1024, 1024]);        // on the GPU
 * console.log(await x.sum().itemAsync());
 */
export async function initWebGPU(opts: WebGPUInitOptions = {}): Promise<WebGPUInfo> {
  const info = await initGpu(opts);
  registry.webgpu = webgpuBackend;
  return info;
}

/**
 * Destroys the GPU device (its tensors become invalid) so that Node can exit;
 * the default goes back to a CPU backend if it was `webgpu`.
 *
 * @example
 * closeWebGPU();
 */
export function closeWebGPU(): void {
  closeGpu();
  delete registry.webgpu;
  if (current.name === 'webgpu') current = defaultBackend();
}

/**
 * Waits until the GPU has done everything recorded so far and every copy from
 * the GPU under way (`x.to('wasm')` of a GPU tensor, gradients crossing to
 * the CPU) has landed, like `torch.cuda.synchronize()`; throws the error of a
 * deferred check (an index out of range on the GPU).
 *
 * @example
 * const y = gpuTensor.to('wasm');
 * await synchronize();
 * y.toArray();
 */
export async function synchronize(): Promise<void> {
  if (registry.webgpu !== undefined) await flushWebGPU();
  await synchronizeCopies();
  await settleChecks();
}

/**
 * Makes a backend selectable by `setBackend` (used by the wasm backend when it loads).
 *
 * @example
 * registerBackend(myBackend); setBackend(myBackend.name);
 */
export function registerBackend(b: Backend): void {
  registry[b.name] = b;
}

/**
 * The current backend object (for the tensor layer; user code calls ops instead).
 *
 * @example
 * backend().alloc('float32', 4);
 */
export function backend(): Backend {
  return current;
}
