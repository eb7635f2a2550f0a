/**
 * Backend selection. Every tensor kernel runs on the current backend.
 *
 * @example
 * import { setBackend, getBackend } from 'adjoint';
 * setBackend('js');
 * getBackend(); // 'js'
 */
import { AdjointError } from '../errors.js';
import { jsBackend } from './js.js';
import type { Backend, BackendName } from './types.js';

export type {
  ArgReduceOp, Backend, BackendName, BinaryOp, CompareOp, DType, ReduceOp, Storage, TypedArray, UnaryOp, View, Window,
} from './types.js';
export { jsBackend, JsStorage } from './js.js';
export { erf } from './math.js';

const registry: Partial<Record<BackendName, Backend>> = { js: jsBackend };
let current: Backend = jsBackend;

/**
 * Selects the backend that runs every following kernel.
 *
 * @example
 * setBackend('js');
 */
export function setBackend(name: BackendName): void {
  const b = registry[name];
  if (b === undefined) {
    if (name === 'wasm') {
      throw new AdjointError('setBackend', "the 'wasm' backend is not available yet; use 'js'");
    }
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
