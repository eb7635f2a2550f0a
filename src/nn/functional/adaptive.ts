/**
 * Adaptive pooling `adaptiveAvgPool2d` and `adaptiveMaxPool2d`: output cell
 * `i` of `out` pools the input rows `⌊i·in/out⌋ .. ⌈(i+1)·in/out⌉ − 1`
 * (PyTorch's rule; windows may overlap and differ in size). The average is
 * two small matmuls with pooling matrices; the max is a gather of each
 * window (short windows repeat their last row, which changes neither the
 * max nor where its gradient goes) and a max along it, one dim at a time.
 */
import { DTypeError, RangeArgError, ShapeError, fmtShape } from '../../errors.js';
import { add, indexSelect, matmul, max, mul, reshape, traced, transpose, gather } from '../../ops/index.js';
import { Tensor, assertFloat, raw } from '../../tensor/index.js';
import { batched } from './window.js';

/** An output size per spatial dim; `null` keeps the input's size. */
export type AdaptiveSize = number | readonly (number | null)[];

function sizes(op: string, x: Tensor, outputSize: AdaptiveSize): number[] {
  if (!(x instanceof Tensor)) throw new DTypeError(op, `expected x to be a Tensor, got ${typeof x}`);
  if (x.ndim !== 3 && x.ndim !== 4) throw new ShapeError(op, `expected x of shape [N, C, H, W] or [C, H, W], got ${fmtShape(x.shape)}`);
  assertFloat(op, x.dtype);
  const spatial = x.shape.slice(-2);
  const list = typeof outputSize === 'number' ? [outputSize, outputSize] : Array.isArray(outputSize) ? [...(outputSize as readonly (number | null)[])] : null;
  if (list === null || list.length !== 2 || !list.every((n) => n === null || (Number.isInteger(n) && n >= 1))) {
    throw new RangeArgError(op, `outputSize must be a positive integer or a list of 2 (entries may be null), got ${JSON.stringify(outputSize)}`);
  }
  const out = list.map((n, d) => n ?? spatial[d]!);
  if (spatial.some((n) => n === 0)) throw new ShapeError(op, `expected non-empty spatial dims, got x ${fmtShape(x.shape)}`);
  return out;
}

/** The windows of PyTorch's adaptive pooling along one dim. */
function windows(n: number, out: number): { start: number; end: number }[] {
  return Array.from({ length: out }, (_, i) => ({ start: Math.floor((i * n) / out), end: Math.ceil(((i + 1) * n) / out) }));
}

/** `[out, n]` with `1/len` on each window. */
function poolMatrix(x: Tensor, n: number, out: number): Tensor {
  const m = new Float64Array(out * n);
  windows(n, out).forEach(({ start, end }, i) => {
    for (let j = start; j < end; j++) m[i * n + j] = 1 / (end - start);
  });
  return raw.fromValues(m, [out, n], x.dtype, x.backend);
}

/**
 * The average over adaptive windows of `x: [N, C, H, W]` (or `[C, H, W]`)
 * giving `outputSize` cells per plane.
 *
 * @example
 * adaptiveAvgPool2d(randn([2, 8, 7, 9]), 1).shape;          // [2, 8, 1, 1] (global average)
 * adaptiveAvgPool2d(randn([2, 8, 7, 9]), [3, null]).shape;  // [2, 8, 3, 9]
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  const [oh, ow] = sizes('adaptiveAvgPool2d', x, outputSize) as [number, number];
  const [h, w] = x.shape.slice(-2) as [number, number];
  return traced('adaptiveAvgPool2d', { outputSize: [oh, ow] }, [x], () => matmul(matmul(poolMatrix(x, h, oh), x), transpose(poolMatrix(x, w, ow), 0, 1)));
}

/** Options of `adaptiveMaxPool2d`. */
export interface AdaptiveMaxPoolOptions {
  /** Also return the flat index `h·W + w` of each max in its input plane (default false). */
  returnIndices?: boolean;
}

/** The max of `x` over the windows along `dim`: values, and the input position of each max. */
function maxAlong(x: Tensor, dim: number, n: number, out: number): { values: Tensor; at: Tensor } {
  const ws = windows(n, out);
  const len = Math.max(...ws.map(({ start, end }) => end - start));
  const idx: number[] = [];
  ws.forEach(({ start, end }) => {
    for (let j = 0; j < len; j++) idx.push(Math.min(start + j, end - 1));
  });
  const g = indexSelect(x, dim, raw.fromValues(idx, [idx.length], 'int32', x.backend));
  const shaped = reshape(g, [...x.shape.slice(0, dim), out, len, ...x.shape.slice(dim + 1)]);
  const { values, indices } = max(shaped, dim + 1);
  const startShape = values.shape.map((_, i) => (i === dim ? out : 1));
  const starts = raw.fromValues(ws.map((s) => s.start), startShape, 'int32', x.backend);
  return { values, at: add(indices, starts) };
}

/**
 * The max over adaptive windows of `x: [N, C, H, W]` (or `[C, H, W]`); with
 * `returnIndices`, `[values, indices]` where `indices` (int32) is each max's
 * flat position `h·W + w` in its input plane. The gradient goes to the max.
 *
 * @example
 * adaptiveMaxPool2d(randn([1, 3, 8, 8]), [2, 2]).shape; // [1, 3, 2, 2]
 * const [v, i] = adaptiveMaxPool2d(x, 4, { returnIndices: true });
 */
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, opts?: { returnIndices?: false }): Tensor;
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, opts: { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, opts: AdaptiveMaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  const [oh, ow] = sizes('adaptiveMaxPool2d', x, outputSize) as [number, number];
  const [h, w] = x.shape.slice(-2) as [number, number];
  const indicesToo = opts.returnIndices ?? false;
  let flat: Tensor | null = null;
  const values = batched(x, 4, (xb) => traced('adaptiveMaxPool2d', { outputSize: [oh, ow], returnIndices: indicesToo }, [xb], () => {
    const rows = maxAlong(xb, 2, h, oh);
    const cols = maxAlong(rows.values, 3, w, ow);
    if (indicesToo) flat = add(mul(gather(rows.at, 3, cols.at), w), cols.at);
    return cols.values;
  }));
  if (!indicesToo) return values;
  const idx = flat as unknown as Tensor;
  return [values, x.ndim === 3 ? reshape(idx, idx.shape.slice(1)) : idx];
}
