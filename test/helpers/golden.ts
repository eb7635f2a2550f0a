/**
 * Reading the PyTorch goldens of test/fixtures/conformance (see its README):
 * tensors, args, tolerances and comparison with messages that say where.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Tensor, tensor, type DType } from '../../src/index.js';

/** A golden tensor: flat row-major data; no dtype = float64. */
export interface GoldenTensor {
  shape: number[];
  data: (number | string)[];
  dtype?: 'int64' | 'bool';
}

/** One golden case. */
export interface GoldenCase {
  id: string;
  op: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  note?: string;
  out: GoldenTensor | GoldenTensor[];
  cotangent: GoldenTensor | (GoldenTensor | null)[];
  grads: (GoldenTensor | null)[];
  grad_of_grad?: { v: (GoldenTensor | null)[]; grads: (GoldenTensor | null)[] };
}

/** One golden file. */
export interface GoldenFile {
  family: string;
  ops: Record<string, string>;
  cases: GoldenCase[];
}

const dir = fileURLToPath(new URL('../fixtures/conformance/', import.meta.url));

/** Loads `test/fixtures/conformance/<family>.json`. */
export function loadFamily(family: string): GoldenFile {
  return JSON.parse(readFileSync(`${dir}${family}.json`, 'utf8')) as GoldenFile;
}

/** A golden number (NaN and infinities are strings in the files). */
export function num(v: number | string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  throw new Error(`bad golden number ${v}`);
}

/** True when a JSON value is a golden tensor wrapper `{tensor: T}`. */
export function isTensorArg(v: unknown): v is { tensor: GoldenTensor } {
  return typeof v === 'object' && v !== null && 'tensor' in v;
}

/** A golden tensor as a tensor: int64 → int32, bool → bool, floats → `floatDtype`. */
export function toTensor(t: GoldenTensor, floatDtype: DType): Tensor {
  const dtype: DType = t.dtype === 'int64' ? 'int32' : t.dtype === 'bool' ? 'bool' : floatDtype;
  return tensor(Float64Array.from(t.data, num), { shape: t.shape, dtype });
}

/** Tolerance `|a − g| ≤ atol + rtol·|g|`. */
export interface Tol {
  rtol: number;
  atol: number;
}

/** The brief's tolerances: float64 rtol 1e-7, float32 rtol 1e-4 / atol 1e-5. */
export const TOL: Record<'float32' | 'float64', Tol> = {
  float64: { rtol: 1e-7, atol: 1e-12 },
  float32: { rtol: 1e-4, atol: 1e-5 },
};

/**
 * Throws unless `actual` has the golden's shape and values within `tol`
 * (NaN matches NaN, infinities must match exactly).
 */
export function expectClose(actual: Tensor | null, golden: GoldenTensor, tol: Tol, label: string): void {
  checkClose(actual, actual === null ? null : actual.toTypedArray(), golden, tol, label);
}

/** `expectClose` on every backend: the values are read asynchronously (the only way on the GPU). */
export async function expectCloseAsync(actual: Tensor | null, golden: GoldenTensor, tol: Tol, label: string): Promise<void> {
  checkClose(actual, actual === null ? null : await actual.toTypedArrayAsync(), golden, tol, label);
}

function checkClose(actual: Tensor | null, a: ArrayLike<number> | null, golden: GoldenTensor, tol: Tol, label: string): void {
  if (actual === null || a === null) {
    // A null gradient means zero.
    const nonzero = golden.data.map(num).findIndex((v) => v !== 0);
    if (nonzero >= 0) throw new Error(`${label}: got no gradient (zero), golden element ${nonzero} is ${num(golden.data[nonzero]!)}`);
    return;
  }
  if (actual.shape.length !== golden.shape.length || actual.shape.some((d, i) => d !== golden.shape[i])) {
    throw new Error(`${label}: shape [${actual.shape.join(',')}] vs golden [${golden.shape.join(',')}]`);
  }
  for (let i = 0; i < golden.data.length; i++) {
    const g = num(golden.data[i]!);
    const v = a[i]!;
    const ok = Number.isNaN(g) ? Number.isNaN(v) : !Number.isFinite(g) ? v === g : Math.abs(v - g) <= tol.atol + tol.rtol * Math.abs(g);
    if (!ok) {
      throw new Error(`${label}: element ${i} is ${v}, golden ${g} (|diff| ${Math.abs(v - g)}, rtol ${tol.rtol}, atol ${tol.atol})`);
    }
  }
}
