/**
 * Views for comparing the wasm backend with the js oracle: the same elements
 * in the same layout on both backends, in each layout the frontend produces
 * (contiguous, offset, transposed, sliced with a step, broadcast).
 */
import { expect } from 'vitest';
import { jsBackend, wasmBackend } from '../../src/backend/index.js';
import type { Backend, DType, Storage, TypedArray, View } from '../../src/backend/index.js';

export type Layout = 'contiguous' | 'offset' | 'transposed' | 'sliced' | 'broadcast';
export const LAYOUTS: readonly Layout[] = ['contiguous', 'offset', 'transposed', 'sliced', 'broadcast'];

/** A seeded generator of uniform numbers in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function contiguous(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  for (let d = shape.length - 1, acc = 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d]!;
  }
  return s;
}

/** Storage length, strides and offset of `shape` in `layout`. */
export function geometry(shape: readonly number[], layout: Layout): { length: number; strides: number[]; offset: number } {
  const n = sizeOf(shape);
  switch (layout) {
    case 'contiguous':
      return { length: n, strides: contiguous(shape), offset: 0 };
    case 'offset':
      return { length: n + 5, strides: contiguous(shape), offset: 3 };
    case 'transposed': {
      // Column-major: dim 0 fastest.
      const strides = new Array<number>(shape.length);
      for (let d = 0, acc = 1; d < shape.length; d++) {
        strides[d] = acc;
        acc *= shape[d]!;
      }
      return { length: n, strides, offset: 0 };
    }
    case 'sliced': {
      // Every other element of a buffer one larger and twice as long in each dim, from element 1 of each dim.
      const big = shape.map((d) => 2 * d + 1);
      const bs = contiguous(big);
      return { length: sizeOf(big), strides: bs.map((s) => 2 * s), offset: bs.reduce((a, b) => a + b, 0) };
    }
    case 'broadcast': {
      // Dim 0 repeats (stride 0).
      const strides = contiguous(shape).map((s, d) => (d === 0 ? 0 : s));
      const length = shape.length === 0 ? 1 : Math.max(1, n / Math.max(1, shape[0]!));
      return { length: n === 0 ? 0 : length, strides, offset: 0 };
    }
  }
}

/** The same view on both backends. */
export interface Pair {
  js: View;
  wasm: View;
  /** Logical elements, row-major (what the view reads as). */
  values: number[];
}

/** Makes a view of `shape` in `layout` holding values drawn by `gen` (int32/bool: rounded/thresholded). */
export function pair(dtype: DType, shape: readonly number[], layout: Layout, gen: () => number): Pair {
  const g = geometry(shape, layout);
  const data = Array.from({ length: g.length }, () => {
    const v = gen();
    return dtype === 'bool' ? (v > 0 ? 1 : 0) : dtype === 'int32' ? Math.round(v * 10) : v;
  });
  const mk = (be: Backend): View => ({ storage: be.fromArray(dtype, data), shape: [...shape], strides: g.strides, offset: g.offset });
  const js = mk(jsBackend);
  return { js, wasm: mk(wasmBackend), values: Array.from(jsBackend.read(js)) };
}

/** A row-major view over a storage made by `be`. */
export function whole(be: Backend, dtype: DType, shape: readonly number[], values: ArrayLike<number>): View {
  return { storage: be.fromArray(dtype, values), shape: [...shape], strides: contiguous(shape), offset: 0 };
}

/** Tolerance `|w − j| ≤ atol + rtol·|j|`; NaN matches NaN, infinities match exactly. */
export interface Tol {
  rtol: number;
  atol: number;
}

export const EXACT: Tol = { rtol: 0, atol: 0 };

/** Asserts the wasm result agrees with the js one elementwise. */
export function expectAgree(w: TypedArray, j: TypedArray, tol: Tol, label: string): void {
  expect(w.constructor, `${label}: array type`).toBe(j.constructor);
  expect(w.length, `${label}: length`).toBe(j.length);
  for (let i = 0; i < j.length; i++) {
    const a = w[i]!;
    const b = j[i]!;
    if (Object.is(a, b) || a === b || (Number.isNaN(a) && Number.isNaN(b))) continue;
    const ok = Number.isFinite(b) && Math.abs(a - b) <= tol.atol + tol.rtol * Math.abs(b);
    if (!ok) throw new Error(`${label}: element ${i} is ${a} on wasm, ${b} on js (rtol ${tol.rtol}, atol ${tol.atol})`);
  }
}

/** Reads a result storage of both backends as row-major arrays of `shape`. */
export function readBoth(w: Storage, j: Storage, shape: readonly number[]): [TypedArray, TypedArray] {
  const v = (s: Storage): View => ({ storage: s, shape: [...shape], strides: contiguous(shape), offset: 0 });
  expect(w.backend).toBe('wasm');
  expect(j.backend).toBe('js');
  return [wasmBackend.read(v(w)), jsBackend.read(v(j))];
}
