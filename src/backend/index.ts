/**
 * Backend selection. Every tensor kernel runs on the current backend.
 *
 * `wasm` (SIMD kernels, threads; see wasm/) is the default where its kernels
 * load: synchronously at import in Node, after `await initWasm()` in browsers.
 * `js` is the pure TypeScript oracle. In Node, `ADJOINT_BACKEND=js|wasm`
 * chooses the default. Tensors made under one backend are valid inputs to the other.
 *
 * @example
 * import { setBackend, getBackend } from 'adjoint';
 * setBackend('js');
 * getBackend(); // 'js'
 */
import { AdjointError } from '../errors.js';
import { jsBackend } from './js.js';
import type { Backend, BackendName } from './types.js';
import { wasmBackend, wasmLoaded } from './wasm/index.js';

export type {
  ArgReduceOp, Backend, BackendName, BinaryOp, CompareOp, DType, ReduceOp, Storage, TypedArray, UnaryOp, View, Window,
} from './types.js';
export { jsBackend, JsStorage } from './js.js';
export { erf } from './math.js';
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
  if (b === undefined) {
    throw new AdjointError('setBackend', `unknown backend '${String(name)}'; expected 'js' or 'wasm'`);
  }
  current = b;
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
