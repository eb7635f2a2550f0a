/**
 * The scan and sort kernels of the CPU backends as plain loops over the
 * elements of a view read into a float64 array (row-major): the js backend
 * runs them on its storages, the wasm backend on its memory (a running scan
 * or a comparison sort gains nothing from SIMD).
 */
import type { ScanOp } from './types.js';

/** The geometry of `shape` around `dim`: outer rows, the dim's length, inner stride. */
function around(shape: readonly number[], dim: number): { outer: number; n: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d]!;
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d]!;
  return { outer, n: shape[dim] ?? 1, inner };
}

/**
 * log(e^a + e^b) for the running logsumexp, PyTorch's special cases: NaN
 * propagates, two equal infinities give themselves, −∞ is the identity.
 */
function logAddExp(acc: number, v: number): number {
  if (acc !== acc || v !== v) return NaN;
  const lo = Math.min(acc, v);
  const hi = Math.max(acc, v);
  if (lo === hi && !Number.isFinite(lo)) return v;
  return hi + Math.log1p(Math.exp(lo - hi));
}

/**
 * The inclusive scan of row-major `values` of `shape` along `dim`, in float64
 * (from the end when `reverse`).
 *
 * @example
 * scanValues('sum', Float64Array.of(1, 2, 3), [3], 0, false); // [1, 3, 6]
 */
export function scanValues(op: ScanOp, values: Float64Array, shape: readonly number[], dim: number, reverse: boolean): Float64Array {
  const { outer, n, inner } = around(shape, dim);
  const out = new Float64Array(values.length);
  const init = op === 'sum' ? 0 : op === 'prod' ? 1 : -Infinity;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let acc = init;
      for (let t = 0; t < n; t++) {
        const at = base + (reverse ? n - 1 - t : t) * inner;
        const v = values[at]!;
        acc = op === 'sum' ? acc + v : op === 'prod' ? acc * v : logAddExp(acc, v);
        out[at] = acc;
      }
    }
  }
  return out;
}

/**
 * The stable sorting permutation of row-major `values` of `shape` along
 * `dim` (NaN above every number), as positions along `dim`.
 *
 * @example
 * sortValues(Float64Array.of(3, NaN, 1), [3], 0, false); // [2, 0, 1]
 */
export function sortValues(values: Float64Array, shape: readonly number[], dim: number, descending: boolean): Int32Array {
  const { outer, n, inner } = around(shape, dim);
  const out = new Int32Array(values.length);
  const row = new Float64Array(n);
  const order = new Array<number>(n);
  // a before b: ascending, numbers before NaN; descending, NaN first. Ties keep their order (Array#sort is stable).
  const cmp = descending
    ? (a: number, b: number) => (row[a]! !== row[a]! ? (row[b]! !== row[b]! ? 0 : -1) : row[b]! !== row[b]! ? 1 : row[a]! > row[b]! ? -1 : row[a]! < row[b]! ? 1 : 0)
    : (a: number, b: number) => (row[a]! !== row[a]! ? (row[b]! !== row[b]! ? 0 : 1) : row[b]! !== row[b]! ? -1 : row[a]! < row[b]! ? -1 : row[a]! > row[b]! ? 1 : 0);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      for (let t = 0; t < n; t++) {
        row[t] = values[base + t * inner]!;
        order[t] = t;
      }
      order.sort(cmp);
      for (let t = 0; t < n; t++) out[base + t * inner] = order[t]!;
    }
  }
  return out;
}
