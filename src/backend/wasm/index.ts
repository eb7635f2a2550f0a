/**
 * The wasm backend's entry: loading, options and figures.
 *
 * In Node the kernels load synchronously when this module is imported; in a
 * browser call `await initWasm()` before `setBackend('wasm')`.
 *
 * Environment variables (Node), read once at load:
 * - `ADJOINT_THREADS=n`: threads for the big GEMMs (default: all cores; 1 = none);
 * - `ADJOINT_RELAXED_SIMD=0`: never use relaxed SIMD (by default it is used
 *   where the runtime validates it; in Node the V8 flag Node 20 needs is set);
 * - `ADJOINT_WASM_RESIDENT_MB=n`: a fixed residency limit (default: 64, growing under GC pressure; see memory.ts).
 */
import {
  ELEMENTWISE_THREAD_MIN, THREAD_MIN_FLOPS, bindRuntime, relaxedInUse, setElementwiseThreadMin, setThreadMinFlops, useRelaxed, wasmBackend,
} from './backend.js';
import { SMALL_BYTES, initMemory, memoryInfo, setResidentLimit, setSmallBytes, stats } from './memory.js';
import { envVar, loadAsync, loadSync, type Runtime } from './module.js';
import { MAX_THREADS, configureThreads, hardwareThreads, readyWorkers, stopWorkers, threadCount, threadStats, workersReady } from './threads.js';

export { wasmBackend };
export { WasmStorage } from './memory.js';

let runtime: Runtime | null = null;

function start(r: Runtime): void {
  runtime = r;
  const mb = Number(envVar('ADJOINT_WASM_RESIDENT_MB'));
  initMemory(r, Number.isFinite(mb) && mb > 0 ? mb : undefined);
  bindRuntime(r);
  useRelaxed(true);
  const env = Number(envVar('ADJOINT_THREADS'));
  configureThreads(r, Number.isFinite(env) && env >= 1 ? env : Math.min(hardwareThreads(), MAX_THREADS));
}

try {
  const r = loadSync();
  if (r !== null) start(r);
} catch {
  // No synchronous loading here (or broken files): `initWasm()` reports the cause.
}

/** Whether the wasm kernels are loaded (so `setBackend('wasm')` works). @example wasmLoaded(); // true in Node after `npm run build:wasm` */
export function wasmLoaded(): boolean {
  return runtime !== null;
}

/**
 * Loads the wasm kernels where synchronous loading is not possible (browsers):
 * fetches the `.wasm` files from `baseUrl` (default: next to this module).
 * Resolves to true when the backend is ready.
 *
 * @example
 * await initWasm(); setBackend('wasm');
 */
export async function initWasm(baseUrl?: string | URL): Promise<boolean> {
  if (runtime !== null) return true;
  const r = await loadAsync(baseUrl);
  if (r !== null) start(r);
  return runtime !== null;
}

/** Options of the wasm backend (tests and benchmarks). */
export interface WasmOptions {
  /** Threads for the big GEMMs (1: the calling thread only). */
  threads?: number;
  /** Use the relaxed SIMD (FMA) GEMM when the runtime has it. */
  relaxed?: boolean;
  /**
   * Residency limit in bytes before least-recently-used storages move to the JS heap (a fixed
   * cap; by default it starts at 64 MiB and grows up to 256 MiB while GCs take over a tenth of the time).
   */
  residentLimitBytes?: number;
  /**
   * Storages of at most this many bytes live in the JS heap and their ops run the
   * js kernels (default 256; 0 sends every op through the wasm kernels: tests).
   */
  smallBytes?: number;
  /** GEMMs of at least this many flops (2·n·k·m) use the worker threads (default 2·64³). */
  threadMinFlops?: number;
  /** Elementwise kernels of at least this many elements use the worker threads (default 2¹⁵). */
  elementwiseThreadMin?: number;
}

/**
 * Changes the wasm backend's options.
 *
 * @example
 * setWasmOptions({ threads: 1 });
 */
export function setWasmOptions(o: WasmOptions): void {
  if (runtime === null) return;
  if (o.threads !== undefined) configureThreads(runtime, o.threads);
  if (o.relaxed !== undefined) useRelaxed(o.relaxed);
  if (o.residentLimitBytes !== undefined) setResidentLimit(o.residentLimitBytes);
  if (o.smallBytes !== undefined) setSmallBytes(o.smallBytes);
  if (o.threadMinFlops !== undefined) setThreadMinFlops(o.threadMinFlops);
  if (o.elementwiseThreadMin !== undefined) setElementwiseThreadMin(o.elementwiseThreadMin);
}

/** The default of `threadMinFlops`. */
export const WASM_THREAD_MIN_FLOPS = THREAD_MIN_FLOPS;

/** The default of `elementwiseThreadMin`. */
export const WASM_ELEMENTWISE_THREAD_MIN = ELEMENTWISE_THREAD_MIN;

/** The default small-storage cutoff in bytes. */
export const WASM_SMALL_BYTES = SMALL_BYTES;

/** Resolves when the worker threads are up (true), or false when they cannot start in `timeoutMs`. @example await wasmThreadsReady(); */
export function wasmThreadsReady(timeoutMs = 10_000): Promise<boolean> {
  return workersReady(timeoutMs);
}

/** Stops the worker threads (they restart on the next big GEMM). @example stopWasmThreads(); */
export function stopWasmThreads(): void {
  stopWorkers();
}

/** What the wasm backend runs with, and its memory figures. @example wasmInfo().threads; */
export function wasmInfo() {
  return {
    loaded: runtime !== null,
    sharedMemory: runtime?.shared ?? false,
    relaxedAvailable: runtime?.relaxed != null,
    relaxed: relaxedInUse(),
    threads: threadCount(),
    readyWorkers: readyWorkers(),
    ...(runtime === null ? {} : memoryInfo()),
    stats: { ...stats, ...threadStats },
  };
}
