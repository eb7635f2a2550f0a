/// <reference types="@webgpu/types" />
/**
 * Batched submission. Kernels are recorded into one command encoder and
 * submitted only when a read needs the results, when the batch grows past a
 * bound, or on `flush()`; nothing waits on the GPU except `readAsync`.
 *
 * A job is WGSL code (its pipeline and bind group layout compiled once, cached
 * by key), the storage buffers it binds at 0..n-1 (which of them it writes),
 * a parameter blob bound as a uniform at binding n, and a workgroup grid.
 * Every job's parameters go into one arena per batch, at 256-byte aligned
 * offsets, written with a single `writeBuffer` just before the submit; small
 * uploads are staged in the same arena and copied into their buffers inside
 * the command stream, so they stay ordered with the kernels.
 *
 * Consecutive dispatches share one compute pass (WebGPU orders the dispatches
 * of a pass); a pass ends for a copy or a clear. With profiling on, each
 * dispatch gets its own pass with timestamps at its beginning and end.
 *
 * Errors: each batch runs inside validation and internal error scopes popped
 * at its submit; an error there, an uncaptured one, or the loss of the device
 * becomes the `DeviceError` the next kernel call throws and the pending reads
 * reject.
 */
import { DeviceError } from '../../errors.js';
import { gpu, lostError, onLost, throwPendingError, type Gpu } from './device.js';
import { onOutOfMemory, trimPool, type GpuBox } from './memory.js';

/** A kernel launch: what `planMatmul` returns, plus the buffers and a name. */
export interface Job {
  /** Kernel name for profiles, e.g. 'unary.exp'. */
  name: string;
  /** Cache key of `code`. */
  key: string;
  code: string;
  /** Storage buffers at bindings 0..n-1. */
  boxes: readonly GpuBox[];
  /** Which of `boxes` the kernel writes (bound read_write; the others read-only). */
  writes: readonly boolean[];
  /** The uniform at binding `boxes.length`. */
  params: ArrayBuffer;
  workgroups: readonly [number, number, number];
}

/** Bytes of the per-batch arena (parameters and staged uploads). */
const ARENA_BYTES = 1 << 20;
/** Uploads up to this size are staged in the arena; bigger ones are written directly when safe. */
const STAGE_MAX = 64 << 10;
/** Dispatches per batch before it is submitted. */
const MAX_DISPATCHES = 2048;
const ALIGN = 256;

interface Pipe {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

const pipelines = new Map<string, Pipe>();
const layouts = new Map<string, GPUBindGroupLayout>();

/** Counters of `webgpuProfile()`. */
export const counters = { dispatches: 0, submits: 0, bytesUploaded: 0, bytesRead: 0, encodeMs: 0, pipelines: 0 };
/** Per-kernel GPU time, filled when timestamps resolve. */
const kernelTimes = new Map<string, { count: number; gpuMs: number }>();
let profiling = false;
/** One compute pass per dispatch instead of one per run of dispatches (for measuring). */
let passPerDispatch = false;
const pendingTimings: Promise<void>[] = [];

/** The batch being recorded. */
interface Batch {
  id: number;
  encoder: GPUCommandEncoder;
  pass: GPUComputePassEncoder | null;
  arena: ArrayBuffer;
  arenaBuffer: GPUBuffer;
  used: number;
  dispatches: number;
  /** Kernel names of the profiled passes, in order. */
  timed: string[];
  querySet: GPUQuerySet | null;
}

let device: GPUDevice | null = null;
let batch: Batch | null = null;
let batchId = 0;
/**
 * The GPU side of the arena, one per device: written once per batch just before
 * its submit; queue operations run in order, so that write never overtakes an
 * earlier batch still reading it.
 */
let arenaBuffer: GPUBuffer | null = null;
/** The CPU side of the arena (copied out by `writeBuffer` at each submit). */
const cpuArena = new ArrayBuffer(ARENA_BYTES);
/** The first error reported for a batch's scopes (thrown by the next call). */
let batchError: DeviceError | null = null;
/** Pending reads, rejected when the device is lost. */
const pendingReads = new Set<(e: DeviceError) => void>();

onOutOfMemory((e) => {
  batchError ??= e;
});
onLost((e) => {
  for (const reject of pendingReads) reject(e);
  pendingReads.clear();
  batch = null;
  device = null;
  pipelines.clear();
  layouts.clear();
  arenaBuffer = null;
});

/** Turns profiling (per-kernel timestamps, where the device has them) on or off. */
export function setProfiling(on: boolean): void {
  if (on !== profiling) flush();
  profiling = on;
}

/** Gives each dispatch its own compute pass (true) or shares passes (false, the default). */
export function setPassPerDispatch(on: boolean): void {
  passPerDispatch = on;
}

/** Throws the error of an earlier batch or of the device. */
export function checkErrors(): void {
  throwPendingError();
  if (batchError !== null) {
    const e = batchError;
    batchError = null;
    throw e;
  }
}

function current(op: string): { g: Gpu; b: Batch } {
  const g = gpu(op);
  checkErrors();
  if (device !== g.device) {
    device = g.device;
    batch = null;
    pipelines.clear();
    layouts.clear();
    arenaBuffer = null;
  }
  if (batch === null) {
    const d = g.device;
    d.pushErrorScope('internal');
    d.pushErrorScope('validation');
    arenaBuffer ??= d.createBuffer({ size: ARENA_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    batch = {
      id: ++batchId, encoder: d.createCommandEncoder(), pass: null, arena: cpuArena, arenaBuffer,
      used: 0, dispatches: 0, timed: [], querySet: null,
    };
  }
  return { g, b: batch };
}

/** The id of the batch being recorded (0 when none): buffers with `lastUse` equal to it are used by unsubmitted commands. */
export function openBatch(): number {
  return batch === null ? 0 : batch.id;
}

function layoutFor(d: GPUDevice, writes: readonly boolean[]): GPUBindGroupLayout {
  const key = writes.map((w) => (w ? 'w' : 'r')).join('');
  let l = layouts.get(key);
  if (l === undefined) {
    const entries: GPUBindGroupLayoutEntry[] = writes.map((w, i) => ({
      binding: i, visibility: GPUShaderStage.COMPUTE, buffer: { type: w ? 'storage' : 'read-only-storage' },
    }));
    entries.push({ binding: writes.length, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } });
    l = d.createBindGroupLayout({ entries });
    layouts.set(key, l);
  }
  return l;
}

function pipelineFor(d: GPUDevice, job: Job): Pipe {
  const key = `${job.key}|${job.writes.map((w) => (w ? 'w' : 'r')).join('')}`;
  let p = pipelines.get(key);
  if (p === undefined) {
    const layout = layoutFor(d, job.writes);
    const module = d.createShaderModule({ code: job.code, label: job.name });
    const pipeline = d.createComputePipeline({
      layout: d.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module, entryPoint: 'main' }, label: job.name,
    });
    p = { pipeline, layout };
    pipelines.set(key, p);
    counters.pipelines++;
  }
  return p;
}

/** Reserves `bytes` of the arena (256-aligned); null when the batch is full. */
function reserve(b: Batch, bytes: number): number | null {
  const at = Math.ceil(b.used / ALIGN) * ALIGN;
  if (at + bytes > ARENA_BYTES) return null;
  b.used = at + bytes;
  return at;
}

function endPass(b: Batch): void {
  if (b.pass !== null) {
    b.pass.end();
    b.pass = null;
  }
}

/** Records a kernel launch into the current batch. */
export function dispatch(job: Job): void {
  const t0 = performance.now();
  let { g, b } = current(job.name);
  const [x, y, z] = job.workgroups;
  if (x === 0 || y === 0 || z === 0) return;
  const max = g.limits.maxComputeWorkgroupsPerDimension;
  if (x > max || y > max || z > max) {
    throw new DeviceError(job.name, `webgpu: a grid of [${x},${y},${z}] workgroups exceeds the device's ${max} per dimension`);
  }
  const size = Math.ceil(job.params.byteLength / 16) * 16;
  let at = reserve(b, size);
  if (at === null || b.dispatches >= MAX_DISPATCHES) {
    flush();
    ({ g, b } = current(job.name));
    at = reserve(b, size)!;
  }
  new Uint8Array(b.arena, at, job.params.byteLength).set(new Uint8Array(job.params));
  const d = g.device;
  const pipe = pipelineFor(d, job);
  const entries: GPUBindGroupEntry[] = job.boxes.map((box, i) => ({ binding: i, resource: { buffer: box.buffer } }));
  entries.push({ binding: job.boxes.length, resource: { buffer: b.arenaBuffer, offset: at, size } });
  const bindGroup = d.createBindGroup({ layout: pipe.layout, entries });
  for (const box of job.boxes) box.lastUse = b.id;
  let pass: GPUComputePassEncoder;
  if (profiling && g.timestamps) {
    endPass(b);
    b.querySet ??= d.createQuerySet({ type: 'timestamp', count: 2 * MAX_DISPATCHES });
    const i = b.timed.length;
    b.timed.push(job.name);
    pass = b.encoder.beginComputePass({ timestampWrites: { querySet: b.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
  } else if (passPerDispatch) {
    endPass(b);
    pass = b.encoder.beginComputePass();
  } else {
    b.pass ??= b.encoder.beginComputePass();
    pass = b.pass;
  }
  pass.setPipeline(pipe.pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(x, y, z);
  if (pass !== b.pass) pass.end();
  b.dispatches++;
  counters.dispatches++;
  counters.encodeMs += performance.now() - t0;
}

/** Zeroes `bytes` bytes of a buffer, in stream order. */
export function clear(op: string, box: GpuBox, bytes: number): void {
  const { b } = current(op);
  endPass(b);
  b.encoder.clearBuffer(box.buffer, 0, Math.ceil(bytes / 4) * 4);
  box.lastUse = b.id;
}

/** Copies `bytes` bytes between buffers (offsets multiples of 4), in stream order. */
export function copyBuffer(op: string, src: GpuBox, srcOffset: number, dst: GPUBuffer | GpuBox, dstOffset: number, bytes: number): void {
  const { b } = current(op);
  endPass(b);
  const dstBuffer = 'buffer' in dst ? dst.buffer : dst;
  b.encoder.copyBufferToBuffer(src.buffer, srcOffset, dstBuffer, dstOffset, bytes);
  src.lastUse = b.id;
  if ('buffer' in dst) dst.lastUse = b.id;
}

/**
 * Writes `data` into the start of `box`, ordered with the recorded kernels:
 * directly when no unsubmitted command uses the buffer (`writeBuffer` runs
 * before them), else staged in the arena and copied inside the stream (or,
 * when too big for the arena, after submitting the batch).
 */
export function upload(op: string, box: GpuBox, view: ArrayBufferView): void {
  const data = view as ArrayBufferView<ArrayBuffer>;
  const g = gpu(op);
  counters.bytesUploaded += data.byteLength;
  const bytes = data.byteLength;
  if (bytes === 0) return;
  if (box.lastUse !== openBatch() || batch === null) {
    g.device.queue.writeBuffer(box.buffer, 0, data.buffer, data.byteOffset, bytes);
    return;
  }
  let at = bytes <= STAGE_MAX ? reserve(batch, Math.ceil(bytes / 4) * 4) : null;
  if (at === null) {
    flush();
    g.device.queue.writeBuffer(box.buffer, 0, data.buffer, data.byteOffset, bytes);
    return;
  }
  const b = batch;
  new Uint8Array(b.arena, at, bytes).set(new Uint8Array(data.buffer, data.byteOffset, bytes));
  endPass(b);
  b.encoder.copyBufferToBuffer(b.arenaBuffer, at, box.buffer, 0, Math.ceil(bytes / 4) * 4);
  box.lastUse = b.id;
}

/**
 * Submits the recorded commands (nothing when none). Resolves when the
 * batch's error scopes are popped: rejects with the `DeviceError` of an
 * error in it.
 *
 * @example
 * flush(); // start the GPU on what was recorded
 */
export function flush(): Promise<void> {
  const b = batch;
  if (b === null || device === null) return Promise.resolve();
  const d = device;
  const t0 = performance.now();
  batch = null;
  endPass(b);
  if (b.used > 0) d.queue.writeBuffer(b.arenaBuffer, 0, b.arena, 0, Math.ceil(b.used / 4) * 4);
  let timing: GPUBuffer | null = null;
  if (b.querySet !== null && b.timed.length > 0) {
    const n = 2 * b.timed.length;
    const resolve = d.createBuffer({ size: n * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    timing = d.createBuffer({ size: n * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    b.encoder.resolveQuerySet(b.querySet, 0, n, resolve, 0);
    b.encoder.copyBufferToBuffer(resolve, 0, timing, 0, n * 8);
  }
  d.queue.submit([b.encoder.finish()]);
  counters.submits++;
  const errors = Promise.all([d.popErrorScope(), d.popErrorScope()]).then(([validation, internal]) => {
    const e = validation ?? internal;
    if (e !== null) {
      const err = new DeviceError('webgpu', `${validation !== null ? 'validation error' : 'internal error'} in a batch of ${b.dispatches} kernels: ${e.message}`);
      batchError ??= err;
      throw err;
    }
  }, () => {
    throw lostError() ?? new DeviceError('webgpu', 'the GPU device was lost');
  });
  errors.catch(() => {});
  if (timing !== null) pendingTimings.push(collectTimes(timing, b.timed, b.querySet!));
  trimPool();
  counters.encodeMs += performance.now() - t0;
  return errors;
}

async function collectTimes(buf: GPUBuffer, names: string[], qs: GPUQuerySet): Promise<void> {
  try {
    await buf.mapAsync(GPUMapMode.READ);
    const t = new BigUint64Array(buf.getMappedRange());
    names.forEach((name, i) => {
      const ms = Number(t[2 * i + 1]! - t[2 * i]!) / 1e6;
      const e = kernelTimes.get(name) ?? { count: 0, gpuMs: 0 };
      e.count++;
      e.gpuMs += ms;
      kernelTimes.set(name, e);
    });
    buf.unmap();
  } catch {
    // device lost: no timings
  } finally {
    buf.destroy();
    qs.destroy();
  }
}

/** The profile of `webgpuProfile()`. */
export interface WebGPUProfile {
  kernels: Record<string, { count: number; gpuMs: number }>;
  dispatches: number;
  submits: number;
  bytesUploaded: number;
  bytesRead: number;
  encodeMs: number;
  pipelines: number;
}

/** Submits, waits for the timestamps, and returns and resets the profile. */
export async function takeProfile(): Promise<WebGPUProfile> {
  await flush().catch(() => {});
  await Promise.all(pendingTimings.splice(0));
  const out: WebGPUProfile = { kernels: Object.fromEntries(kernelTimes), ...counters };
  kernelTimes.clear();
  for (const k of Object.keys(counters) as (keyof typeof counters)[]) if (k !== 'pipelines') counters[k] = 0;
  return out;
}

let soon: Promise<{ errors: Promise<void> }> | null = null;

/** A flush at the end of this tick, shared by everything that asks for one before it runs. */
function flushSoon(): Promise<{ errors: Promise<void> }> {
  soon ??= Promise.resolve().then(() => {
    soon = null;
    return { errors: flush() };
  });
  return soon;
}

/**
 * Copies `bytes` bytes of `src` from `offset` into a mappable buffer, submits,
 * and resolves to a copy of them; rejects with a `DeviceError` when the batch
 * failed or the device is lost (never hangs on a lost device).
 */
export async function readBytes(op: string, src: GpuBox, offset: number, bytes: number): Promise<ArrayBuffer> {
  const { g } = current(op);
  const staging = g.device.createBuffer({ size: Math.max(4, bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  if (bytes > 0) copyBuffer(op, src, offset, staging, 0, bytes);
  // Reads started in one tick share one submit (mapAsync must come after it).
  const { errors: submitted } = await flushSoon();
  counters.bytesRead += bytes;
  let reject: (e: DeviceError) => void = () => {};
  const lostP = new Promise<never>((_, r) => {
    reject = r;
  });
  pendingReads.add(reject);
  try {
    await Promise.race([Promise.all([submitted, staging.mapAsync(GPUMapMode.READ)]), lostP]);
    const out = staging.getMappedRange(0, bytes).slice(0);
    staging.unmap();
    return out;
  } catch (e) {
    // Reported here, so not again by the next call.
    if (e === batchError) batchError = null;
    throw e instanceof DeviceError ? e : lostError() ?? batchError ?? new DeviceError(op, `webgpu: reading the result failed: ${(e as Error).message}`);
  } finally {
    pendingReads.delete(reject);
    staging.destroy();
  }
}
