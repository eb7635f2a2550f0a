/// <reference types="@webgpu/types" />
/**
 * The webgpu backend's entry: `initWebGPU`, options, memory figures, profiles.
 *
 * @example
 * import { initWebGPU, setBackend } from 'adjoint';
 * await initWebGPU(); setBackend('webgpu');
 */
import { initDevice, releaseDevice, type WebGPUInfo, type WebGPUInitOptions } from './device.js';
import { flush as flushBatch, setPassPerDispatch, setProfiling, takeProfile, type WebGPUProfile } from './encoder.js';
import { memoryFigures, memStats, reclaimDead, resetMemory, setBudget, type WebGPUMemory } from './memory.js';

export { webgpuBackend } from './backend.js';
export { GpuStorage } from './memory.js';
export type { WebGPUInfo, WebGPUInitOptions, WebGPUMemory, WebGPUProfile };

/**
 * Finds a WebGPU adapter and device: `navigator.gpu` in browsers, the optional
 * `webgpu` package in Node. Resolves to the adapter's description (the same on
 * every later call); rejects with a `DeviceError` that says what to install.
 *
 * @example
 * const info = await initWebGPU({ powerPreference: 'high-performance' });
 * info.vendor; // 'nvidia'
 */
export function initWebGPU(opts: WebGPUInitOptions = {}): Promise<WebGPUInfo> {
  return initDevice(opts);
}

/**
 * Submits the kernels recorded so far (they otherwise go when a read needs
 * them or the batch is full). Resolves when the batch's errors are known.
 *
 * @example
 * flushWebGPU();
 */
export function flushWebGPU(): Promise<void> {
  return flushBatch();
}

/** Options of the webgpu backend. */
export interface WebGPUOptions {
  /** GPU bytes in use (in MiB) past which an allocation first reclaims dead storages (runs a GC in Node). Default 1024. */
  memoryBudgetMB?: number;
  /** Most bytes (MiB) of free buffers kept for reuse; more are destroyed. Default 256. */
  poolCapMB?: number;
  /** Record per-kernel GPU time with timestamp queries (where the device has them). */
  profile?: boolean;
  /** One compute pass per dispatch instead of shared passes (default false: measured cheaper on Dawn). */
  passPerDispatch?: boolean;
}

/**
 * Changes the webgpu backend's options.
 *
 * @example
 * setWebGPUOptions({ memoryBudgetMB: 512, profile: true });
 */
export function setWebGPUOptions(o: WebGPUOptions): void {
  if (o.memoryBudgetMB !== undefined || o.poolCapMB !== undefined) {
    const f = memoryFigures();
    setBudget(o.memoryBudgetMB === undefined ? f.budgetBytes : o.memoryBudgetMB * 2 ** 20, o.poolCapMB === undefined ? undefined : o.poolCapMB * 2 ** 20);
  }
  if (o.profile !== undefined) setProfiling(o.profile);
  if (o.passPerDispatch !== undefined) setPassPerDispatch(o.passPerDispatch);
}

/**
 * GPU memory figures: bytes and buffers in use, bytes pooled for reuse, the budget.
 *
 * @example
 * webgpuMemory().bytesInUse;
 */
export function webgpuMemory(): WebGPUMemory & { stats: typeof memStats } {
  reclaimDead();
  return { ...memoryFigures(), stats: { ...memStats } };
}

/**
 * Submits pending work, waits for its timestamps, and returns and resets the
 * profile: per kernel `{count, gpuMs}` (with `profile: true` on a device with
 * `timestamp-query`), and counters of dispatches, submits, bytes uploaded and
 * read, CPU ms spent encoding.
 *
 * @example
 * setWebGPUOptions({ profile: true }); step(); const p = await webgpuProfile();
 */
export function webgpuProfile(): Promise<WebGPUProfile> {
  return takeProfile();
}

/**
 * Destroys the device and forgets it (tensors on it become invalid), so that
 * Node can exit; `initWebGPU()` starts again.
 *
 * @example
 * closeWebGPU();
 */
export function closeWebGPU(): void {
  releaseDevice();
  resetMemory();
}
