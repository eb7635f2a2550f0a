/**
 * Tensor storage in the wasm linear memory, without `dispose()`.
 *
 * Blocks come from a pool: sizes are rounded to classes (64 B, then four
 * steps per power of two), each class has a free list, and new blocks are
 * cut from the top of the memory, which grows as needed (it never shrinks).
 * Typed-array views of the memory detach when it grows: `heap()` and
 * `typedView()` hand out fresh ones, valid until the next allocation.
 *
 * A storage's block returns to its free list when the storage dies:
 * - a `FinalizationRegistry` frees the block of an unreachable storage. Its
 *   callbacks normally run only when the event loop turns, which a synchronous
 *   training loop never lets happen; in Node, `cleanupSome()` runs them on
 *   demand and the allocator may trigger a GC first (see `makeRegistry`);
 * - a residency limit bounds the rest: blocks in use are kept in
 *   least-recently-used order, and past the limit the oldest are *evicted*:
 *   their bytes are copied to a typed array in the JS heap held by the
 *   storage and the block goes back to the pool. A dead storage's copy is then
 *   collected by the ordinary GC; a live one is copied back in when a kernel
 *   next reads it. The limit doubles when evicted storages keep coming back,
 *   and grows to twice any block placed over half of it (else that block
 *   would push every other one out, and be pushed out by the next). Unless
 *   set by the user, it also doubles (up to 256 MiB) while the GCs the allocator
 *   runs take over a tenth of the time: an LSTM step on the default 64 MiB ran
 *   3 GCs of ~10 ms each, 87 ms a step; it settles at 256 MiB and ~58 ms.
 * So memory stays bounded whether or not the program yields, and no pointer
 * leaks into user code.
 *
 * Small storages (at most SMALL_BYTES: scalars, 0-d constants, tiny vectors)
 * live in the JS heap for good, like the js backend's: registering them with
 * the FinalizationRegistry and the LRU list costs more than their kernels
 * (a 10^6-op chain of scalars ran 2.3x slower). A kernel that reads one copies
 * it into a temporary block; a kernel that writes one writes a temporary block
 * that is copied back when the call ends.
 */
import type { DType, Storage, TypedArray } from '../types.js';
import { makeArray } from '../js.js';
import { AdjointError } from '../../errors.js';
import { makeRegistry } from '../finalize.js';
import { PAGE, envVar, type Runtime } from './module.js';

/** Bytes per element of each dtype. */
export const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

/** Where a storage's elements are: a wasm block (`ptr`), or a JS copy (`host`) after eviction. */
export class Box {
  ptr = 0;
  size = 0;
  host: TypedArray | null = null;
  prev: Box | null = null;
  next: Box | null = null;
  /** The op epoch that last pinned it (pinned boxes are not evicted). */
  pin = 0;
  constructor(readonly dtype: DType, readonly length: number, readonly small = false) {}
}

/**
 * A storage of the wasm backend. `data` is a typed array of its elements
 * (a view of the wasm memory, valid until the next allocation, or the evicted
 * copy), which is how the js backend reads and writes wasm storages.
 */
export class WasmStorage implements Storage {
  readonly backend = 'wasm' as const;
  constructor(readonly dtype: DType, readonly length: number, readonly box: Box) {}
  get data(): TypedArray {
    const b = this.box;
    if (b.host !== null) return b.host;
    return typedView(this.dtype, b.ptr, this.length);
  }
}

/** Storages of at most this many bytes stay in the JS heap (and their ops run the js kernels). */
export const SMALL_BYTES = 256;
let smallBytes = SMALL_BYTES;

/** Sets the small-storage cutoff (0: every storage in wasm memory, every op on the wasm kernels; tests). */
export function setSmallBytes(bytes: number): void {
  smallBytes = bytes;
}

let rt: Runtime;
/** The memory's buffer (refreshed when it grows: only this file grows it). */
let buffer: ArrayBufferLike;
let top = 0;
const free = new Map<number, number[]>();
/** LRU list of resident boxes: head = least recently used. */
const lru = new Box('bool', 0);
lru.prev = lru;
lru.next = lru;
let resident = 0;
let limit = 64 * 2 ** 20;
/**
 * Until a limit is set (`setWasmOptions({ residentLimitBytes })`, `initWasm`), the
 * limit doubles, up to `ADAPTIVE_MAX`, whenever a GC the allocator ran took more
 * than `GC_SHARE` of the time since the previous one: the pool trades memory
 * for fewer GCs, as a garbage-collected heap grows under allocation pressure.
 */
let adaptive = true;
const ADAPTIVE_MAX = 2 ** 28;
const GC_SHARE = 0.1;
let lastGcEnd = 0;
let evicted = 0;
let refaulted = 0;
let epoch = 1;
const temps: number[] = [];
const tempSizes: number[] = [];
/** Small outputs of the current call: written to a temporary block, copied to the JS heap at `endOp()`. */
const writebacks: { box: Box; ptr: number }[] = [];

/** Counters for tests and benchmarks. */
export const stats = { allocs: 0, reused: 0, evictions: 0, refaults: 0, finalized: 0, gcs: 0, limitGrowths: 0 };

function reclaim(box: Box): void {
  if (box.ptr !== 0) {
    stats.finalized++;
    unlink(box);
    resident -= box.size;
    freeBlock(box.ptr, box.size);
    box.ptr = 0;
  }
  box.host = null;
}

/**
 * The FinalizationRegistry and `gc` (see ../finalize.ts): the allocator runs the
 * callbacks of storages the GC already found dead before it evicts anything, and
 * calls `gc()` when that is cheaper than evicting (see `evictDownTo`).
 * `ADJOINT_WASM_CLEANUP_SOME=0`: the standard registry; `ADJOINT_WASM_GC=0`: no GC.
 */
const { registry, gc } = makeRegistry<Box>(reclaim, {
  cleanupSome: envVar('ADJOINT_WASM_CLEANUP_SOME') !== '0',
  gc: envVar('ADJOINT_WASM_GC') !== '0',
});

/** Starts the pool on a loaded runtime. */
export function initMemory(runtime: Runtime, residentLimitMB?: number): void {
  rt = runtime;
  buffer = runtime.memory.buffer;
  top = runtime.heapStart;
  if (residentLimitMB !== undefined && residentLimitMB > 0) {
    limit = residentLimitMB * 2 ** 20;
    adaptive = false;
  }
}

/** The runtime's memory and whether it is shared (null before the kernels load): generated kernels import it. @example runtimeMemory()?.shared; */
export function runtimeMemory(): { memory: WebAssembly.Memory; shared: boolean } | null {
  return rt === undefined || rt === null ? null : { memory: rt.memory, shared: rt.shared };
}

/** Sets the residency limit in bytes (tests use a small one to exercise eviction). */
export function setResidentLimit(bytes: number): void {
  limit = bytes;
  adaptive = false;
  evicted = 0;
  refaulted = 0;
  evictDownTo(limit);
}

/** The current memory figures. */
export function memoryInfo(): { memoryBytes: number; topBytes: number; residentBytes: number; residentLimitBytes: number } {
  return { memoryBytes: rt.memory.buffer.byteLength, topBytes: top, residentBytes: resident, residentLimitBytes: limit };
}

/** The pool's size class of a request. @example sizeClass(100); // 128 */
export function sizeClass(bytes: number): number {
  if (bytes <= 64) return 64;
  const e = 31 - Math.clz32(bytes - 1);
  const base = 2 ** e;
  const step = base / 4;
  const s = base + step * Math.ceil((bytes - base) / step);
  return Math.ceil(s / 64) * 64;
}

let views: { buffer: ArrayBufferLike; u8: Uint8Array; i32: Int32Array; f32: Float32Array; f64: Float64Array } | null = null;

/** Views of the whole memory, valid until the next allocation. */
export function heap(): NonNullable<typeof views> {
  if (views === null || views.buffer !== buffer) {
    views = { buffer, u8: new Uint8Array(buffer), i32: new Int32Array(buffer), f32: new Float32Array(buffer), f64: new Float64Array(buffer) };
  }
  return views;
}

/** A typed array of `length` elements of `dtype` at byte `ptr` of the memory. */
export function typedView(dtype: DType, ptr: number, length: number): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(buffer, ptr, length);
    case 'float64': return new Float64Array(buffer, ptr, length);
    case 'int32': return new Int32Array(buffer, ptr, length);
    case 'bool': return new Uint8Array(buffer, ptr, length);
  }
}

function grow(end: number): void {
  const have = buffer.byteLength;
  if (end <= have) return;
  const havePages = have / PAGE;
  const need = Math.ceil((end - have) / PAGE);
  // Grow by at least a quarter of the memory, to keep the number of grows small.
  for (const pages of [Math.max(need, Math.ceil(havePages / 4)), need]) {
    try {
      rt.memory.grow(pages);
      buffer = rt.memory.buffer;
      return;
    } catch {
      // retry with the exact need
    }
  }
  throw new AdjointError('wasm', `out of memory: cannot grow the wasm memory from ${have} to ${end} bytes`);
}

/** A block of exactly `size` bytes (a size class) from the pool. */
function allocBlock(size: number): number {
  const list = free.get(size);
  if (list !== undefined && list.length > 0) {
    stats.reused++;
    return list.pop()!;
  }
  const ptr = top;
  if (ptr + size > 2 ** 32) throw new AdjointError('wasm', `out of memory: ${size} more bytes exceed the 4 GiB of wasm32`);
  grow(ptr + size);
  top = ptr + size;
  return ptr;
}

function freeBlock(ptr: number, size: number): void {
  let list = free.get(size);
  if (list === undefined) free.set(size, (list = []));
  list.push(ptr);
}

function unlink(b: Box): void {
  b.prev!.next = b.next;
  b.next!.prev = b.prev;
  b.prev = null;
  b.next = null;
}

function linkTail(b: Box): void {
  b.prev = lru.prev;
  b.next = lru;
  lru.prev!.next = b;
  lru.prev = b;
}

/** Copies a resident box out to the JS heap and frees its block. */
function evict(b: Box): void {
  b.host = typedView(b.dtype, b.ptr, b.length).slice();
  registry?.unregister(b);
  unlink(b);
  resident -= b.size;
  evicted += b.size;
  stats.evictions++;
  freeBlock(b.ptr, b.size);
  b.ptr = 0;
}

/** Bytes placed since the last GC this file ran, and that GC's yield (bytes freed per ms). */
let placedSinceGc = 0;
let gcYield = Infinity;

/**
 * Reclaims dead storages without copying: the finalization callbacks of those
 * the GC already found, then, when at least half the limit was placed since
 * and GCs have paid (freeing faster than eviction copies, ~1 GB/s), a GC.
 */
function reclaimDead(target: number): void {
  registry!.cleanupSome!();
  if (resident <= target || gc === null || placedSinceGc < limit / 2) return;
  if (gcYield < 1e6 && placedSinceGc < 8 * limit) return;
  const before = resident;
  const t0 = performance.now();
  gc();
  registry!.cleanupSome!();
  const end = performance.now();
  const ms = Math.max(end - t0, 0.01);
  gcYield = (before - resident) / ms;
  if (adaptive && lastGcEnd > 0 && ms > GC_SHARE * (t0 - lastGcEnd) && limit < ADAPTIVE_MAX) {
    limit = Math.min(2 * limit, ADAPTIVE_MAX);
    stats.limitGrowths++;
  }
  lastGcEnd = end;
  placedSinceGc = 0;
  stats.gcs++;
}

/** Evicts least recently used, unpinned boxes until at most `target` bytes are resident. */
function evictDownTo(target: number): void {
  if (registry?.cleanupSome !== undefined) reclaimDead(target);
  let b = lru.next!;
  while (resident > target && b !== lru) {
    const next = b.next!;
    if (b.pin !== epoch) evict(b);
    b = next;
  }
  // Thrashing: evicted storages keep coming back, so the working set is bigger than the limit.
  if (evicted >= limit) {
    if (refaulted * 4 > evicted) limit *= 2;
    evicted = 0;
    refaulted = 0;
  }
}

/** A resident block for box `b` (evicting others to stay within the limit). */
function place(b: Box): void {
  const size = sizeClass(b.length * BYTES[b.dtype]);
  // A block over half the limit (per-sample gradients of a big layer) would evict every other
  // block, dead or alive, and itself be evicted by the next one: the limit grows to twice it.
  if (2 * size > limit) limit = 2 * size;
  if (resident + size > limit) evictDownTo(limit - size);
  b.ptr = allocBlock(size);
  b.size = size;
  b.pin = epoch;
  resident += size;
  placedSinceGc += size;
  stats.allocs++;
  linkTail(b);
}

/** Marks the start of a backend call: boxes pinned from now on stay resident until the next call. */
export function beginOp(): void {
  epoch++;
}

/** Frees the temporary blocks of the current call. */
export function endOp(): void {
  while (writebacks.length > 0) {
    const { box, ptr } = writebacks.pop()!;
    box.host!.set(typedView(box.dtype, ptr, box.length));
  }
  while (temps.length > 0) freeBlock(temps.pop()!, tempSizes.pop()!);
}

/** Whether a storage of `length` elements of `dtype` lives in the JS heap. */
export function isSmall(dtype: DType, length: number): boolean {
  return length * BYTES[dtype] <= smallBytes;
}

/**
 * A new storage of `length` elements: resident and pinned for the current
 * call (contents undefined), or a zeroed small one in the JS heap.
 */
export function newStorage(dtype: DType, length: number): WasmStorage {
  if (isSmall(dtype, length)) return hostStorage(makeArray(dtype, length), dtype);
  const box = new Box(dtype, length);
  const s = new WasmStorage(dtype, length, box);
  place(box);
  registry?.register(s, box, box);
  return s;
}

const DTYPE_OF = (a: TypedArray): DType =>
  a instanceof Float32Array ? 'float32' : a instanceof Float64Array ? 'float64' : a instanceof Int32Array ? 'int32' : 'bool';

/** A small storage over `data` (JS heap; not copied); `dtype` is the array's, when the caller knows it. */
export function hostStorage(data: TypedArray, dtype: DType = DTYPE_OF(data)): WasmStorage {
  const box = new Box(dtype, data.length, true);
  box.host = data;
  return new WasmStorage(dtype, data.length, box);
}

/** The byte address a kernel writes a new storage's elements to (a temporary block for a small one). */
export function outputAddress(s: WasmStorage): number {
  const b = s.box;
  if (!b.small || b.length === 0) return b.ptr;
  const ptr = tempBlock(b.length * BYTES[b.dtype]);
  writebacks.push({ box: b, ptr });
  return ptr;
}

/**
 * The byte address of element 0 of `s`, resident and pinned for the current
 * call (an evicted storage is copied back in).
 */
export function addressOf(s: WasmStorage): number {
  const b = s.box;
  if (b.length === 0) return 0;
  if (b.small) {
    const ptr = tempBlock(b.length * BYTES[b.dtype]);
    typedView(b.dtype, ptr, b.length).set(b.host!);
    return ptr;
  }
  if (b.host !== null) {
    const host = b.host;
    place(b);
    typedView(b.dtype, b.ptr, b.length).set(host);
    b.host = null;
    refaulted += b.size;
    stats.refaults++;
    registry?.register(s, b, b);
  } else {
    b.pin = epoch;
    if (lru.prev !== b) {
      unlink(b);
      linkTail(b);
    }
  }
  return b.ptr;
}

/** A temporary block of `bytes` bytes, freed at `endOp()`. */
export function tempBlock(bytes: number): number {
  if (bytes === 0) return 0;
  const size = sizeClass(bytes);
  const ptr = allocBlock(size);
  temps.push(ptr);
  tempSizes.push(size);
  return ptr;
}

/** A block that is never freed (geometry areas, per-thread GEMM work areas). */
export function permanentBlock(bytes: number): number {
  return allocBlock(sizeClass(bytes));
}
