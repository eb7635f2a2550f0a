/**
 * Reading the PyTorch goldens of test/fixtures/nn (made by tools/goldens/nn.py): tensors, state dicts,
 * and a comparison that names the case and the element.
 */
import { readFileSync } from 'node:fs';
import { Tensor, tensor } from '../../src/index.js';

/** A golden tensor: flat row-major data; no dtype = float64. */
export interface G {
  shape: number[];
  data: (number | string | boolean)[];
  dtype?: 'int64' | 'bool';
}

/** The float dtypes the goldens are checked in, with their tolerance `|a − g| ≤ tol·(1 + |g|)`. */
export const DTYPES = [
  ['float64', 1e-9],
  ['float32', 1e-4],
] as const;

export type FloatDType = (typeof DTYPES)[number][0];

/** Loads `test/fixtures/nn/<name>.json`. */
export function load<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/nn/${name}.json`, import.meta.url), 'utf8')) as T;
}

function num(v: number | string | boolean): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  return v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : Number(v);
}

/** A golden tensor as a tensor: bool → bool, int64 → int32, floats → `dtype`. */
export function toT(g: G, dtype: FloatDType, opts: { requiresGrad?: boolean } = {}): Tensor {
  const dt = g.dtype === 'bool' ? 'bool' : g.dtype === 'int64' ? 'int32' : dtype;
  const t = tensor(Float64Array.from(g.data, num), { shape: g.shape, dtype: dt });
  return opts.requiresGrad ? t.requiresGrad_() : t;
}

/** A golden state dict as a Map of tensors. */
export function toState(s: Record<string, G>, dtype: FloatDType): Map<string, Tensor> {
  return new Map(Object.entries(s).map(([k, g]) => [k, toT(g, dtype)]));
}

/** Throws unless `actual` has the golden's shape and values within `tol·(1 + |g|)` (a null gradient counts as zeros). */
export function expectClose(actual: Tensor | null | undefined, golden: G, tol: number, label: string): void {
  const values = golden.data.map(num);
  if (actual === null || actual === undefined) {
    const i = values.findIndex((v) => v !== 0);
    if (i >= 0) throw new Error(`${label}: got no tensor (zero), golden element ${i} is ${values[i]}`);
    return;
  }
  if (actual.shape.length !== golden.shape.length || actual.shape.some((d, i) => d !== golden.shape[i])) {
    throw new Error(`${label}: shape [${actual.shape.join(',')}] vs golden [${golden.shape.join(',')}]`);
  }
  const a = actual.toTypedArray();
  values.forEach((g, i) => {
    const v = Number(a[i]);
    const ok = Number.isNaN(g) ? Number.isNaN(v) : !Number.isFinite(g) ? v === g : Math.abs(v - g) <= tol * (1 + Math.abs(g));
    if (!ok) throw new Error(`${label}: element ${i} is ${v}, golden ${g} (|diff| ${Math.abs(v - g)}, tol ${tol})`);
  });
}

/** `sum(out · cotangent)`, the scalar whose backward the goldens record. */
export function dot(out: Tensor, ct: Tensor): Tensor {
  return out.mul(ct).sum();
}
