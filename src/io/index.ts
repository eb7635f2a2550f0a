/**
 * `adjoint/io`: safetensors files, the format of Hugging Face and of PyTorch
 * state dicts shared between frameworks. `saveSafetensors` and
 * `loadSafetensors` take a path (Node) or work on bytes; the byte functions
 * `serializeSafetensors` / `deserializeSafetensors` also run in browsers (no
 * `node:` module is imported at load time).
 *
 * @example
 * import { saveSafetensors, loadSafetensors } from 'adjoint/io';
 * saveSafetensors('out/model.safetensors', { '0.weight': w, '0.bias': b }, { metadata: { format: 'pt' } });
 * const sd = loadSafetensors('out/model.safetensors'); // Map { '0.weight' => Tensor, '0.bias' => Tensor }
 * sd.metadata.format;                                   // 'pt'
 */
import { SafetensorsError } from './errors.js';
import { decode, encode, type NamedTensors, type SafetensorsMap, type SafetensorsOptions } from './safetensors.js';

export {
  serializeSafetensors, deserializeSafetensors, inspectSafetensors, SafetensorsMap, MAX_HEADER_BYTES,
  type NamedTensors, type SafetensorsOptions, type SafetensorsEntry, type SafetensorsHeader,
} from './safetensors.js';
export { SafetensorsError, OnnxExportError } from './errors.js';
export { exportOnnx, type ExportOnnxOptions, type OnnxExportable, type OnnxFunction } from './onnx/export.js';

/** A Node built-in module without a static import (undefined outside Node). */
function nodeModule<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.(id) as T | undefined;
}

function fileSystem(op: string): typeof import('node:fs') {
  const fs = nodeModule<typeof import('node:fs')>('node:fs');
  if (fs === undefined) {
    throw new SafetensorsError(op, 'file paths need Node >= 20.16 (process.getBuiltinModule); elsewhere pass bytes (serializeSafetensors / deserializeSafetensors)');
  }
  return fs;
}

function isPath(x: unknown): x is string | URL {
  return typeof x === 'string' || x instanceof URL;
}

/**
 * Saves named tensors in the safetensors format: to the file `path` (Node;
 * missing directories are created), or, without a path, returns the bytes.
 * Tensors are written contiguous in the order given (F32, F64, I32, BOOL);
 * `metadata` becomes the header's `__metadata__`.
 *
 * @example
 * saveSafetensors('model.safetensors', new Map([['0.weight', w], ['0.bias', b]]));
 * const bytes = saveSafetensors({ x: tensor([1, 2, 3]) }, { metadata: { step: '10' } }); // Uint8Array
 */
export function saveSafetensors(tensors: NamedTensors, opts?: SafetensorsOptions): Uint8Array;
export function saveSafetensors(path: string | URL, tensors: NamedTensors, opts?: SafetensorsOptions): void;
export function saveSafetensors(
  a: string | URL | NamedTensors, b?: NamedTensors | SafetensorsOptions, c?: SafetensorsOptions,
): Uint8Array | void {
  const op = 'saveSafetensors';
  if (!isPath(a)) return encode(op, a, (b as SafetensorsOptions | undefined) ?? {});
  const bytes = encode(op, b as NamedTensors, c ?? {});
  const fs = fileSystem(op);
  const path = nodeModule<typeof import('node:path')>('node:path')!;
  const url = nodeModule<typeof import('node:url')>('node:url')!;
  const file = typeof a === 'string' ? a : url.fileURLToPath(a);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
}

/**
 * Loads a safetensors file (a path, in Node) or its bytes: a `Map` from name
 * to tensor in the header's order, with the metadata on `.metadata`. F32,
 * F64, I32 and BOOL load as float32, float64, int32 and bool; I64 loads as
 * int32 and is refused if a value does not fit. A malformed file (truncated,
 * bad header, offsets outside the data, overlapping or gapped ranges, shape
 * and size disagreeing, unknown dtype...) throws `SafetensorsError`.
 *
 * @example
 * const sd = loadSafetensors('model.safetensors');
 * for (const [name, t] of sd) console.log(name, t.shape, t.dtype);
 * loadSafetensors(bytes).metadata;
 */
export function loadSafetensors(source: string | URL | Uint8Array | ArrayBuffer): SafetensorsMap {
  const op = 'loadSafetensors';
  return decode(op, isPath(source) ? fileSystem(op).readFileSync(source) : source);
}
