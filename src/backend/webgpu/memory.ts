/// <reference types="@webgpu/types" />
/**
 * GPU storage without `dispose()`: buffers come from a pool of size classes,
 * and a `FinalizationRegistry` (../finalize.ts: its callbacks run on demand,
 * even inside a synchronous loop) returns the buffer of an unreachable storage
 * to the pool.
 *
 * The JS heap does not feel GPU memory, so the pool keeps a budget of bytes in
 * use: past it, an allocation first runs the registry's pending callbacks and,
 * in Node, a GC (at most once per quarter budget allocated). Pooled buffers
 * beyond a cap are destroyed at the next submit.
 *
 * Ordering: a buffer freed while commands recorded into the current batch
 * still use it may be reused at once by later commands of the same batch
 * (the stream is ordered); only `queue.writeBuffer`, which runs before the
 * unsubmitted commands, must not touch it: `lastUse` says which batch used a
 * buffer last (see encoder.ts, `upload`).
 */
import { DTypeError, DeviceError } from '../../errors.js';
import { makeRegistry } from '../finalize.js';
import type { DType, Storage } from '../types.js';
import { sizeClass } from '../wasm/memory.js';
import { gpu, lostError, onLost } from './device.js';

/** Bumped when the device is lost or replaced: buffers of an earlier generation are dead. */
let generation = 0;

/** Where a storage's elements are on the GPU. */
export class GpuBox {
  /** The batch that last recorded a command using the buffer (see encoder.ts). */
  lastUse = -1;
  /** The device generation the buffer belongs to (a lost device's buffers are dead). */
  readonly generation = generation;
  constructor(readonly buffer: GPUBuffer, readonly size: number) {}
}

/**
 * A storage of the webgpu backend: `length` elements in a `GPUBuffer`
 * (float32 as f32, int32 as i32, bool as u32 0/1: four bytes each).
 *
 * @example
 * const s = webgpuBackend.alloc('float32', 4) as GpuStorage; s.buffer.size; // 256
 */
export class GpuStorage implements Storage {
  readonly backend = 'webgpu' as const;
  constructor(readonly dtype: DType, readonly length: number, readonly box: GpuBox) {}
  /** The buffer holding the elements (at least `4 · length` bytes). */
  get buffer(): GPUBuffer {
    return this.box.buffer;
  }
}

const USAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

const pool = new Map<number, GpuBox[]>();
let bytesInUse = 0;
let buffersInUse = 0;
let bytesPooled = 0;
let budget = 1024 * 2 ** 20;
let poolCap = 256 * 2 ** 20;
let allocatedSinceGc = 0;
/** Counters for tests and benchmarks. */
export const memStats = { created: 0, reused: 0, finalized: 0, destroyed: 0, gcs: 0 };

function release(held: { box: GpuBox }): void {
  if (held.box.generation !== generation) return;
  memStats.finalized++;
  bytesInUse -= held.box.size;
  buffersInUse--;
  let list = pool.get(held.box.size);
  if (list === undefined) pool.set(held.box.size, (list = []));
  list.push(held.box);
  bytesPooled += held.box.size;
}

const { registry, gc } = makeRegistry<{ box: GpuBox }>(release);

/** The figures of `webgpuMemory()`. */
export interface WebGPUMemory {
  bytesInUse: number;
  bytesPooled: number;
  buffersInUse: number;
  budgetBytes: number;
}

/** Bytes and buffers in use and pooled, and the budget. */
export function memoryFigures(): WebGPUMemory {
  return { bytesInUse, bytesPooled, buffersInUse, budgetBytes: budget };
}

/** Sets the budget of bytes in use before dead storages are reclaimed by force, and the pool's cap. */
export function setBudget(budgetBytes: number, poolCapBytes?: number): void {
  budget = budgetBytes;
  if (poolCapBytes !== undefined) poolCap = poolCapBytes;
}

/** Runs the finalization callbacks of storages the GC found dead, and a GC when that is allowed. */
export function reclaimDead(force = false): void {
  registry?.cleanupSome?.();
  if (gc === null || (!force && (bytesInUse <= budget || allocatedSinceGc < budget / 4))) return;
  gc();
  registry?.cleanupSome?.();
  allocatedSinceGc = 0;
  memStats.gcs++;
}

/** The OOM error scope of new buffers reports here (the next kernel call throws it). */
let oomReporter: (e: DeviceError) => void = () => {};
export function onOutOfMemory(f: (e: DeviceError) => void): void {
  oomReporter = f;
}

function checkDtype(op: string, dtype: DType): void {
  if (dtype === 'float64') {
    throw new DTypeError(op, 'webgpu: float64 is not supported on the GPU (WGSL has no f64); use float32 or a CPU backend');
  }
}

/**
 * A new storage of `length` elements (contents undefined when the buffer is
 * reused: `fresh` says whether it was just created, hence zero).
 */
export function newStorage(op: string, dtype: DType, length: number): { storage: GpuStorage; fresh: boolean } {
  checkDtype(op, dtype);
  const { device, limits } = gpu(op);
  const bytes = Math.max(4, length * 4);
  if (bytes > limits.maxStorageBufferBindingSize) {
    throw new DeviceError(op, `webgpu: out of GPU memory: ${length} elements of ${dtype} (${bytes} bytes) exceed the device's largest storage buffer (${limits.maxStorageBufferBindingSize} bytes)`);
  }
  const size = sizeClass(bytes);
  if (bytesInUse + size > budget) reclaimDead();
  let box = pool.get(size)?.pop();
  let fresh = false;
  if (box !== undefined) {
    bytesPooled -= size;
    memStats.reused++;
  } else {
    device.pushErrorScope('out-of-memory');
    const buffer = device.createBuffer({ size, usage: USAGE() });
    void device.popErrorScope().then((e) => {
      if (e !== null) oomReporter(new DeviceError('webgpu', `out of GPU memory: cannot allocate ${size} bytes (${length} elements of ${dtype}) for ${op}; ${bytesInUse} bytes in use (${e.message})`));
    });
    box = new GpuBox(buffer, size);
    fresh = true;
    memStats.created++;
  }
  bytesInUse += size;
  allocatedSinceGc += size;
  buffersInUse++;
  const storage = new GpuStorage(dtype, length, box);
  registry?.register(storage, { box }, storage);
  return { storage, fresh };
}

/** Destroys pooled buffers beyond the cap (called after a submit: none is used by unsubmitted commands). */
export function trimPool(): void {
  if (bytesPooled <= poolCap) return;
  const sizes = [...pool.keys()].sort((a, b) => b - a);
  for (const s of sizes) {
    const list = pool.get(s)!;
    while (list.length > 0 && bytesPooled > poolCap) {
      list.pop()!.buffer.destroy();
      bytesPooled -= s;
      memStats.destroyed++;
    }
  }
}

/** Forgets every buffer (the device is gone or replaced). */
export function resetMemory(): void {
  for (const list of pool.values()) for (const b of list) b.buffer.destroy();
  pool.clear();
  generation++;
  bytesInUse = 0;
  bytesPooled = 0;
  buffersInUse = 0;
}

/** `s` as a storage of this backend, or a `DeviceError` naming the kernel. */
export function own(op: string, s: Storage): GpuStorage {
  if (!(s instanceof GpuStorage)) {
    throw new DeviceError(op, `webgpu: expected a tensor on the 'webgpu' backend, got one on '${s.backend}' (move it with x.to('webgpu'))`);
  }
  if (s.box.generation !== generation) {
    const lost = lostError();
    if (lost !== null) throw lost;
    throw new DeviceError(op, 'webgpu: this tensor lived on a GPU device that was lost or closed; its contents are gone, recreate it');
  }
  checkDtype(op, s.dtype);
  return s;
}

onLost(resetMemory);

export { checkDtype };
