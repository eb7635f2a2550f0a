/**
 * The safetensors format in memory (browser-safe: no `node:` modules).
 *
 * Layout: 8 bytes, a little-endian u64 `N`; `N` bytes of UTF-8 JSON, the
 * header, starting with `{` and possibly padded with trailing spaces:
 * `{"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [2, 3],
 * "data_offsets": [begin, end]}, ...}`; then the data, row-major and
 * little-endian, offsets counted from the first byte after the header. The
 * tensors cover the data exactly: no gaps, no overlaps, nothing after.
 *
 * Reading treats the bytes as hostile: every number in the header is checked
 * before it is used, nothing is read past the buffer, and a bad file is a
 * `SafetensorsError` naming what is wrong.
 */
import type { DType, TypedArray } from '../backend/index.js';
import { fmtShape } from '../errors.js';
import { Tensor, tensor } from '../tensor/index.js';
import { SafetensorsError } from './errors.js';
import { scanKeys } from './json.js';

/** Named tensors to save: a `Map` (keeps its order) or a plain object. */
export type NamedTensors = ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>;

/** Options of `saveSafetensors` and `serializeSafetensors`. */
export interface SafetensorsOptions {
  /** Free-form string-to-string metadata, stored as the header's `__metadata__`. */
  metadata?: Readonly<Record<string, string>>;
}

/** The dtypes read: `[element bytes, dtype loaded as]`. I64 loads as int32 when every value fits. */
const READ: Readonly<Record<string, readonly [number, DType]>> = {
  F32: [4, 'float32'],
  F64: [8, 'float64'],
  I32: [4, 'int32'],
  I64: [8, 'int32'],
  BOOL: [1, 'bool'],
};

/** The dtype written for each adjoint dtype. */
const WRITE: Readonly<Record<DType, string>> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };

/** Other dtypes of the published format: known, but not read by adjoint. */
const OTHER = ['F16', 'BF16', 'I8', 'U8', 'I16', 'U16', 'U32', 'U64', 'F8_E4M3', 'F8_E5M2', 'F8_E8M0', 'F4', 'F6_E2M3', 'F6_E3M2', 'C64'];

/**
 * Largest header accepted, like the reference implementation (100 MB): a
 * longer length prefix is refused before anything is read.
 *
 * @example
 * inspectSafetensors(bytes); // SafetensorsError when the prefix exceeds MAX_HEADER_BYTES
 */
export const MAX_HEADER_BYTES = 100_000_000;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Tensors loaded from safetensors: a `Map` from name to tensor, in the
 * header's order, with the file's `__metadata__` (empty when absent).
 *
 * @example
 * const sd = loadSafetensors('model.safetensors');
 * sd.get('0.weight')?.shape; // [4, 2]
 * sd.metadata;               // { format: 'pt' }
 */
export class SafetensorsMap extends Map<string, Tensor> {
  /** The header's `__metadata__`. */
  readonly metadata: Readonly<Record<string, string>>;

  constructor(entries: Iterable<readonly [string, Tensor]> = [], metadata: Readonly<Record<string, string>> = {}) {
    super(entries);
    this.metadata = Object.freeze({ ...metadata });
  }
}

/** One tensor's entry in a checked header. */
export interface SafetensorsEntry {
  readonly name: string;
  /** The file's dtype name, e.g. `'F32'`. */
  readonly dtype: string;
  readonly shape: readonly number[];
  /** `[begin, end)` in bytes from the start of the data section. */
  readonly dataOffsets: readonly [number, number];
}

/** A checked header: entries in header order, the metadata, and where the data starts. */
export interface SafetensorsHeader {
  readonly entries: readonly SafetensorsEntry[];
  readonly metadata: Readonly<Record<string, string>>;
  /** Byte offset of the data section in the file (8 + header length). */
  readonly dataStart: number;
}

function metadataOf(op: string, value: unknown, where: string): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SafetensorsError(op, `${where} must be an object of strings, got ${JSON.stringify(value)}`);
  }
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new SafetensorsError(op, `${where} values must be strings, but ${JSON.stringify(k)} is ${JSON.stringify(v)}`);
  }
  return value as Record<string, string>;
}

function asBytes(op: string, data: Uint8Array | ArrayBuffer): Uint8Array {
  // A plain view: Node's Buffer overrides `slice` to share memory.
  if (data instanceof Uint8Array) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new SafetensorsError(op, 'expected a Uint8Array or an ArrayBuffer of file bytes');
}

/** Checks one tensor entry of the header and returns it typed. */
function checkEntry(op: string, name: string, info: unknown, dataLength: number): SafetensorsEntry {
  const what = `tensor ${JSON.stringify(name)}`;
  if (info === null || typeof info !== 'object' || Array.isArray(info)) {
    throw new SafetensorsError(op, `${what}: expected an object {dtype, shape, data_offsets}, got ${JSON.stringify(info)}`);
  }
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof dtype !== 'string') throw new SafetensorsError(op, `${what}: dtype must be a string, got ${JSON.stringify(dtype)}`);
  const read = READ[dtype];
  if (read === undefined) {
    const known = Object.keys(READ).join(', ');
    throw new SafetensorsError(
      op,
      OTHER.includes(dtype)
        ? `${what}: dtype ${dtype} is not supported (adjoint reads ${known})`
        : `${what}: unknown dtype ${JSON.stringify(dtype)} (adjoint reads ${known})`,
    );
  }
  if (!Array.isArray(shape)) throw new SafetensorsError(op, `${what}: shape must be a list of sizes, got ${JSON.stringify(shape)}`);
  shape.forEach((d: unknown, k) => {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new SafetensorsError(op, `${what}: dim ${k} of shape ${JSON.stringify(shape)} is not a non-negative integer`);
    }
  });
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)) {
    throw new SafetensorsError(op, `${what}: data_offsets must be two non-negative integers [begin, end], got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw new SafetensorsError(op, `${what}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength) {
    throw new SafetensorsError(op, `${what}: data_offsets [${begin}, ${end}] lie outside the data section of ${dataLength} bytes`);
  }
  const dims = shape as number[];
  const need = dims.reduce((a, d) => a * BigInt(d), 1n) * BigInt(read[0]);
  if (need !== BigInt(end - begin)) {
    throw new SafetensorsError(
      op,
      `${what}: shape ${fmtShape(dims)} of ${dtype} needs ${need} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`,
    );
  }
  return { name, dtype, shape: dims, dataOffsets: [begin, end] };
}

/** Checks that the tensors tile the data section exactly: no overlap, no gap, nothing after. */
function checkCoverage(op: string, entries: readonly SafetensorsEntry[], dataLength: number): void {
  const sorted = [...entries].sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let covered = 0;
  let prev: SafetensorsEntry | null = null;
  for (const e of sorted) {
    const [begin, end] = e.dataOffsets;
    const range = `${JSON.stringify(e.name)} [${begin}, ${end}]`;
    if (begin < covered) {
      throw new SafetensorsError(op, `tensor ${range} overlaps tensor ${JSON.stringify(prev!.name)} [${prev!.dataOffsets[0]}, ${prev!.dataOffsets[1]}]`);
    }
    if (begin > covered) {
      throw new SafetensorsError(op, `data bytes [${covered}, ${begin}] before tensor ${range} belong to no tensor (the tensors must cover the data without gaps)`);
    }
    covered = end;
    prev = e;
  }
  if (covered !== dataLength) {
    throw new SafetensorsError(op, `the data section has ${dataLength} bytes but the tensors cover only ${covered}: ${dataLength - covered} trailing bytes`);
  }
}

/**
 * Reads and checks the header of a safetensors file without loading tensor
 * data: the entries (dtype, shape, offsets), the metadata, where data starts.
 * Throws `SafetensorsError` for any malformed file.
 *
 * @example
 * const { entries, metadata } = inspectSafetensors(bytes);
 * entries.map((e) => `${e.name} ${e.dtype} ${e.shape}`);
 */
export function inspectSafetensors(data: Uint8Array | ArrayBuffer): SafetensorsHeader {
  return readHeader('inspectSafetensors', data);
}

/** @internal `inspectSafetensors`, with errors named after `op`. */
export function readHeader(op: string, data: Uint8Array | ArrayBuffer): SafetensorsHeader {
  const bytes = asBytes(op, data);
  if (bytes.length < 8) {
    throw new SafetensorsError(op, `file is ${bytes.length} bytes, too short for the 8-byte header length (truncated?)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(op, `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`);
  }
  const headerLength = Number(n);
  if (8 + headerLength > bytes.length) {
    throw new SafetensorsError(op, `header length ${headerLength} runs past the end of the file: only ${bytes.length - 8} bytes follow the 8-byte prefix (truncated?)`);
  }
  const headerBytes = bytes.subarray(8, 8 + headerLength);
  if (headerBytes[0] !== 0x7b) throw new SafetensorsError(op, "header is not a JSON object: it does not start with '{'");
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new SafetensorsError(op, 'header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(op, `header is not valid JSON: ${(e as Error).message}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new SafetensorsError(op, 'header is not a JSON object');
  }
  const { order, duplicate } = scanKeys(text);
  if (duplicate !== null) throw new SafetensorsError(op, `header has the key ${JSON.stringify(duplicate)} twice`);
  const record = header as Record<string, unknown>;
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const name of order) {
    if (name === '__metadata__') metadata = metadataOf(op, record[name], '__metadata__');
    else entries.push(checkEntry(op, name, record[name], dataLength));
  }
  checkCoverage(op, entries, dataLength);
  return { entries, metadata, dataStart };
}

/** A copy of `bytes[begin, end)` in a fresh (so aligned) buffer. */
function copyBytes(bytes: Uint8Array, begin: number, end: number): Uint8Array {
  const out = new Uint8Array(end - begin);
  out.set(bytes.subarray(begin, end));
  return out;
}

/** The elements of one checked entry as a typed array of the loaded dtype. */
function readEntry(op: string, bytes: Uint8Array, start: number, e: SafetensorsEntry): TypedArray {
  const [size] = READ[e.dtype]!;
  const begin = start + e.dataOffsets[0];
  const end = start + e.dataOffsets[1];
  const count = (end - begin) / size;
  const view = new DataView(bytes.buffer, bytes.byteOffset + begin, end - begin);
  switch (e.dtype) {
    case 'F32':
      if (LITTLE_ENDIAN) return new Float32Array(copyBytes(bytes, begin, end).buffer);
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true));
    case 'F64':
      if (LITTLE_ENDIAN) return new Float64Array(copyBytes(bytes, begin, end).buffer);
      return Float64Array.from({ length: count }, (_, i) => view.getFloat64(8 * i, true));
    case 'I32':
      if (LITTLE_ENDIAN) return new Int32Array(copyBytes(bytes, begin, end).buffer);
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, true));
    case 'I64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(8 * i, true);
        if (v < -2147483648n || v > 2147483647n) {
          throw new SafetensorsError(op, `tensor ${JSON.stringify(e.name)} (I64) holds ${v} at flat index ${i}, outside the int32 range I64 tensors load into`);
        }
        out[i] = Number(v);
      }
      return out;
    }
    default: {
      const out = copyBytes(bytes, begin, end);
      const bad = out.findIndex((b) => b > 1);
      if (bad >= 0) throw new SafetensorsError(op, `tensor ${JSON.stringify(e.name)} (BOOL) holds byte ${out[bad]} at flat index ${bad}; expected 0 or 1`);
      return out;
    }
  }
}

/**
 * Tensors from the bytes of a safetensors file (browser-safe). F32, F64,
 * I32 and BOOL load as float32, float64, int32 and bool; I64 loads as int32,
 * refused if a value does not fit. Throws `SafetensorsError` for a malformed
 * file (see `inspectSafetensors`).
 *
 * @example
 * const bytes = new Uint8Array(await (await fetch('model.safetensors')).arrayBuffer());
 * const sd = deserializeSafetensors(bytes);
 * sd.get('0.weight'); sd.metadata;
 */
export function deserializeSafetensors(data: Uint8Array | ArrayBuffer): SafetensorsMap {
  return decode('deserializeSafetensors', data);
}

/** @internal `deserializeSafetensors`, with errors named after `op`. */
export function decode(op: string, data: Uint8Array | ArrayBuffer): SafetensorsMap {
  const bytes = asBytes(op, data);
  const { entries, metadata, dataStart } = readHeader(op, bytes);
  const loaded = entries.map((e): [string, Tensor] => [
    e.name,
    tensor(readEntry(op, bytes, dataStart, e), { shape: e.shape, dtype: READ[e.dtype]![1] }),
  ]);
  return new SafetensorsMap(loaded, metadata);
}

function entriesOf(op: string, tensors: NamedTensors): [string, Tensor][] {
  if (tensors === null || typeof tensors !== 'object') throw new SafetensorsError(op, 'expected a Map or an object of named tensors');
  const entries: [string, Tensor][] = tensors instanceof Map ? [...(tensors as ReadonlyMap<string, Tensor>)] : Object.entries(tensors);
  for (const [name, t] of entries) {
    if (typeof name !== 'string') throw new SafetensorsError(op, `tensor names must be strings, got ${String(name)}`);
    if (name === '__metadata__') throw new SafetensorsError(op, 'a tensor cannot be named __metadata__ (the header key of the metadata)');
    if (!(t instanceof Tensor)) throw new SafetensorsError(op, `${JSON.stringify(name)} is not a Tensor`);
  }
  return entries;
}

/**
 * The bytes of a safetensors file holding `tensors` (browser-safe). Tensors
 * are written contiguous (views are copied row-major) in the order given,
 * as F32, F64, I32 or BOOL; the header is padded with spaces to a multiple
 * of 8 bytes.
 *
 * @example
 * const bytes = serializeSafetensors({ 'w': randn([2, 3]), 'b': zeros([3]) }, { metadata: { format: 'pt' } });
 * deserializeSafetensors(bytes).get('w')?.shape; // [2, 3]
 */
export function serializeSafetensors(tensors: NamedTensors, opts: SafetensorsOptions = {}): Uint8Array {
  return encode('serializeSafetensors', tensors, opts);
}

/** @internal `serializeSafetensors`, with errors named after `op`. */
export function encode(op: string, tensors: NamedTensors, opts: SafetensorsOptions = {}): Uint8Array {
  const entries = entriesOf(op, tensors);
  // The header text is assembled by hand: a JS object would list integer-like names ("0") first.
  const parts: string[] = [];
  if (opts.metadata !== undefined) parts.push(`"__metadata__":${JSON.stringify(metadataOf(op, opts.metadata, 'metadata'))}`);
  const arrays: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    const values = t.toTypedArray();
    const raw = new Uint8Array(values.byteLength);
    if (LITTLE_ENDIAN || values.BYTES_PER_ELEMENT === 1) {
      raw.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    } else {
      const dv = new DataView(raw.buffer);
      values.forEach((v: number, i: number) => {
        if (values instanceof Float32Array) dv.setFloat32(4 * i, v, true);
        else if (values instanceof Float64Array) dv.setFloat64(8 * i, v, true);
        else dv.setInt32(4 * i, v, true);
      });
    }
    const info = { dtype: WRITE[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + raw.length] };
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(info)}`);
    arrays.push(raw);
    offset += raw.length;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const raw of arrays) {
    out.set(raw, at);
    at += raw.length;
  }
  return out;
}
