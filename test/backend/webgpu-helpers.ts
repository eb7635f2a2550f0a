/**
 * Setup and comparison helpers for the webgpu backend's tests: an adapter
 * (SwiftShader where no GPU is at hand), views of the same elements on the GPU
 * and on the js oracle, and reads that compare them.
 */
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { jsBackend } from '../../src/backend/js.js';
import type { DType, Storage, TypedArray, View } from '../../src/backend/types.js';
import { initWebGPU } from '../../src/backend/index.js';
import { webgpuBackend } from '../../src/backend/webgpu/index.js';
import { contiguous, geometry, sizeOf, type Layout } from './helpers.js';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Initializes WebGPU; resolves to null when ready, else the reason (printed
 * with how to get an adapter). Under CI a missing adapter throws instead.
 */
export async function setupWebGPU(): Promise<string | null> {
  if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER)) process.env.VK_ICD_FILENAMES = SWIFTSHADER;
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  try {
    await initWebGPU();
    return null;
  } catch (e) {
    const reason = `no WebGPU adapter (${(e as Error).message}); to run these tests without a GPU: apt-get install chromium libvulkan1 (SwiftShader)`;
    if (process.env.CI !== undefined) throw new Error(reason);
    console.warn(`SKIPPING the webgpu tests: ${reason}`);
    return reason;
  }
}

export const gpu = webgpuBackend;
export const js = jsBackend;

/** The same view on the GPU and on js. */
export interface GpuPair {
  gpu: View;
  js: View;
}

/** A view of `shape` in `layout` over storage filled by `gen` (int32: rounded ×10, bool: > 0). */
export function gpuPair(dtype: DType, shape: readonly number[], layout: Layout, gen: () => number): GpuPair {
  const g = geometry(shape, layout);
  const data = Array.from({ length: g.length }, () => {
    const v = gen();
    return dtype === 'bool' ? (v > 0 ? 1 : 0) : dtype === 'int32' ? Math.round(v * 10) : v;
  });
  return {
    gpu: { storage: gpu.fromArray(dtype, data), shape: [...shape], strides: g.strides, offset: g.offset },
    js: { storage: js.fromArray(dtype, data), shape: [...shape], strides: g.strides, offset: g.offset },
  };
}

/** A row-major view of `shape` over a storage. */
export function rowMajor(s: Storage, shape: readonly number[]): View {
  return { storage: s, shape: [...shape], strides: contiguous(shape), offset: 0 };
}

/** Tolerance: ulps (float32 rounding differences), or `|a − b| ≤ atol + rtol·|b|`. */
export interface GpuTol {
  ulps?: number;
  rtol?: number;
  atol?: number;
}

function ulpDistance(a: number, b: number): number {
  const f = new Float32Array([a, b]);
  const i = new Int32Array(f.buffer);
  const key = (x: number) => (x < 0 ? -2147483648 - x : x);
  return Math.abs(key(i[0]!) - key(i[1]!));
}

/** Asserts that the GPU result equals the js one elementwise, within `tol`. */
export function expectClose(g: TypedArray, j: TypedArray, tol: GpuTol, label: string): void {
  expect(g.constructor, `${label}: array type`).toBe(j.constructor);
  expect(g.length, `${label}: length`).toBe(j.length);
  for (let i = 0; i < j.length; i++) {
    const a = g[i]!;
    const b = j[i]!;
    if (Object.is(a, b) || a === b || (Number.isNaN(a) && Number.isNaN(b))) continue;
    const finite = Number.isFinite(a) && Number.isFinite(b);
    const byUlp = finite && tol.ulps !== undefined && g instanceof Float32Array && ulpDistance(a, b) <= tol.ulps;
    const byAbs = finite && Math.abs(a - b) <= (tol.atol ?? 0) + (tol.rtol ?? 0) * Math.abs(b);
    if (!byUlp && !byAbs) throw new Error(`${label}: element ${i} is ${a} on webgpu, ${b} on js (${JSON.stringify(tol)})`);
  }
}

/** Reads a GPU result and the js one of `shape` and compares them. */
export async function expectSame(gs: Storage, jsS: Storage, shape: readonly number[], tol: GpuTol, label: string): Promise<void> {
  expect(gs.backend, label).toBe('webgpu');
  const a = await gpu.readAsync(rowMajor(gs, shape));
  const b = js.read(rowMajor(jsS, shape));
  expectClose(a, b, tol, label);
}

export { sizeOf };
