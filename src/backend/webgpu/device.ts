/// <reference types="@webgpu/types" />
/**
 * Finding a WebGPU adapter and device, and turning what goes wrong on it (a
 * lost device, an uncaptured validation or out-of-memory error) into a
 * `DeviceError` that the next kernel call throws or the next read rejects.
 *
 * In browsers the device comes from `navigator.gpu`; in Node from the optional
 * `webgpu` package (Dawn), loaded with a dynamic import whose specifier is a
 * variable so that bundlers do not try to follow it.
 */
import { DeviceError } from '../../errors.js';

/** What `initWebGPU` resolves to: the adapter's description. */
export interface WebGPUInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

/** Options of `initWebGPU`. */
export interface WebGPUInitOptions {
  /** Passed to `requestAdapter` (ignored when `device` is given). */
  powerPreference?: GPUPowerPreference;
  /** A device the application already made: used as is. */
  device?: GPUDevice;
}

/** The device and what it can do. */
export interface Gpu {
  readonly device: GPUDevice;
  readonly info: WebGPUInfo;
  readonly subgroups: boolean;
  readonly timestamps: boolean;
  readonly limits: GPUSupportedLimits;
}

let current: Gpu | null = null;
let starting: Promise<WebGPUInfo> | null = null;
/** The first error the device reported since the last `takeError()`, or its loss (sticky). */
let failure: DeviceError | null = null;
let lost: DeviceError | null = null;
/** Called when the device is lost (the encoder rejects the pending reads). */
const lostListeners: ((e: DeviceError) => void)[] = [];
/** Keeps Dawn's `GPU` object alive in Node (dropping it lets the process exit). */
let gpuObject: GPU | null = null;

const DRIVER =
  "on Linux the 'webgpu' package needs a Vulkan loader and driver: `apt-get install libvulkan1` and your GPU's driver (or SwiftShader, a software one: `apt-get install chromium`, then VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json)";
const BROWSER = 'in browsers use one with WebGPU enabled (Chrome/Edge 113+, Firefox 141+, Safari 26+)';
const INSTALL = `in Node install the optional package with \`npm install webgpu\` (${DRIVER}); ${BROWSER}`;

interface WebGPUModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

async function findGpu(): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu !== undefined) return nav.gpu;
  const isNode = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node !== undefined;
  if (!isNode) throw new DeviceError('initWebGPU', `this browser has no WebGPU (navigator.gpu is undefined): ${INSTALL}`);
  const specifier = 'webgpu';
  let mod: WebGPUModule;
  try {
    mod = (await import(/* @vite-ignore */ specifier)) as WebGPUModule;
  } catch (e) {
    throw new DeviceError('initWebGPU', `cannot load the 'webgpu' package (${(e as Error).message}): ${INSTALL}`);
  }
  const g = globalThis as Record<string, unknown>;
  for (const [k, v] of Object.entries(mod.globals)) if (!(k in g)) g[k] = v;
  gpuObject = mod.create([]);
  return gpuObject;
}

const LIMITS = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxStorageBuffersPerShaderStage'] as const;

function watch(device: GPUDevice): void {
  void device.lost.then((info) => {
    if (current?.device !== device) return;
    lost = new DeviceError('webgpu', `the GPU device was lost (${info.reason}: ${info.message || 'no message'}); call initWebGPU() again and recreate the tensors`);
    for (const f of lostListeners) f(lost);
  });
  device.addEventListener('uncapturederror', (ev) => {
    const err = (ev as GPUUncapturedErrorEvent).error;
    const kind = err instanceof GPUOutOfMemoryError ? 'out of GPU memory' : err instanceof GPUValidationError ? 'validation error' : 'internal error';
    failure ??= new DeviceError('webgpu', `${kind}: ${err.message}`);
  });
}

async function start(opts: WebGPUInitOptions): Promise<WebGPUInfo> {
  let device = opts.device;
  let adapterInfo: GPUAdapterInfo | undefined;
  if (device === undefined) {
    const gpu = await findGpu();
    const adapter = await gpu.requestAdapter(opts.powerPreference === undefined ? {} : { powerPreference: opts.powerPreference });
    if (adapter === null) {
      const hint = gpuObject !== null ? `${DRIVER}; on macOS and Windows the package uses Metal / D3D12 and needs no setup` : BROWSER;
      throw new DeviceError('initWebGPU', `no WebGPU adapter is available: ${hint}`);
    }
    const requiredFeatures = (['subgroups', 'timestamp-query'] as GPUFeatureName[]).filter((f) => adapter.features.has(f));
    const requiredLimits: Record<string, number> = {};
    for (const k of LIMITS) requiredLimits[k] = adapter.limits[k];
    device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
    adapterInfo = adapter.info;
  }
  const i = adapterInfo ?? (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  const info: WebGPUInfo = { vendor: i?.vendor ?? '', architecture: i?.architecture ?? '', device: i?.device ?? '', description: i?.description ?? '' };
  if (current !== null && current.device !== device && lost === null) {
    const e = new DeviceError('webgpu', 'the GPU device was replaced by initWebGPU({device}); recreate the tensors');
    for (const f of lostListeners) f(e);
  }
  current = { device, info, subgroups: device.features.has('subgroups'), timestamps: device.features.has('timestamp-query'), limits: device.limits };
  failure = null;
  lost = null;
  watch(device);
  return info;
}

/**
 * Finds a WebGPU adapter and device (once: later calls resolve to the same
 * info). Rejects with a `DeviceError` saying what to install when there is none.
 */
export function initDevice(opts: WebGPUInitOptions = {}): Promise<WebGPUInfo> {
  if (current !== null && lost === null && (opts.device === undefined || opts.device === current.device)) return Promise.resolve(current.info);
  if (starting === null || lost !== null) {
    starting = start(opts).finally(() => {
      starting = null;
    });
  }
  return starting;
}

/** The device; throws the sticky `DeviceError` of a lost device, or one naming `op` before init. */
export function gpu(op: string): Gpu {
  if (current === null) throw new DeviceError(op, 'webgpu: the WebGPU device is not initialized; call `await initWebGPU()` first');
  if (lost !== null) throw lost;
  return current;
}

/** Whether a device is ready. */
export function hasDevice(): boolean {
  return current !== null && lost === null;
}

/** Throws (and clears) the error the device reported since the last call, or the loss. */
export function throwPendingError(): void {
  if (lost !== null) throw lost;
  if (failure !== null) {
    const e = failure;
    failure = null;
    throw e;
  }
}

/** The loss error, if the device is lost. */
export function lostError(): DeviceError | null {
  return lost;
}

/** Registers a callback run once when the device is lost. */
export function onLost(f: (e: DeviceError) => void): void {
  lostListeners.push(f);
}

/** Forgets the device (destroying it) and Dawn's object, so that Node can exit. */
export function releaseDevice(): void {
  const d = current?.device;
  if (d !== undefined && lost === null) {
    const e = new DeviceError('webgpu', 'the GPU device was released; call initWebGPU() again');
    for (const f of lostListeners) f(e);
  }
  current = null;
  gpuObject = null;
  d?.destroy();
}
