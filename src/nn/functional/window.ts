/**
 * Sliding windows: argument parsing and output sizes shared by conv and
 * pooling, and `unfold`/`fold` (PyTorch's names for the `im2col`/`col2im`
 * primitives).
 */
import type { Window } from '../../backend/index.js';
import { RangeArgError, ShapeError, fmtShape } from '../../errors.js';
import { apply, reshape, squeeze, unsqueeze } from '../../ops/index.js';
import { Tensor, sizeOf } from '../../tensor/index.js';

/** An int for every spatial dim, or one list with an int per dim. */
export type IntOrList = number | readonly number[];

/**
 * `v` as a list of `nd` integers ≥ `min`.
 *
 * @example
 * perDim('conv2d', 'stride', 2, 2, 1); // [2, 2]
 */
export function perDim(op: string, name: string, v: IntOrList, nd: number, min: number): number[] {
  const list = typeof v === 'number' ? new Array<number>(nd).fill(v) : Array.isArray(v) ? [...(v as readonly number[])] : null;
  if (list === null || list.length !== nd || !list.every((n) => Number.isInteger(n) && n >= min)) {
    const what = min > 0 ? 'positive integer' : 'non-negative integer';
    throw new RangeArgError(op, `${name} must be a ${what} or a list of ${nd}, got ${JSON.stringify(v)}`);
  }
  return list;
}

/**
 * Output size along one dim: `⌊(in + 2p − d(k−1) − 1) / s⌋ + 1`, or with
 * `ceil` the ceiling, minus the last window when it would start in the right
 * padding (PyTorch's pooling rule). Throws when the dilated kernel does not
 * fit the padded input.
 *
 * @example
 * outputSize('maxPool2d', [5, 5], [2, 2], [2, 2], [0, 0], [1, 1], true); // [3, 3]
 */
export function outputSize(
  op: string, spatial: readonly number[], kernel: readonly number[], stride: readonly number[], padding: readonly number[],
  dilation: readonly number[], ceil = false,
): number[] {
  return spatial.map((n, d) => {
    const span = n + 2 * padding[d]! - dilation[d]! * (kernel[d]! - 1) - 1;
    if (span < 0) {
      throw new ShapeError(op, `kernel ${fmtShape(kernel)} (with dilation ${fmtShape(dilation)}) is larger than the padded input ${fmtShape(spatial.map((m, i) => m + 2 * padding[i]!))}`);
    }
    let o = Math.floor((span + (ceil ? stride[d]! - 1 : 0)) / stride[d]!) + 1;
    if (ceil && (o - 1) * stride[d]! >= n + padding[d]!) o--;
    return o;
  });
}

/**
 * Runs `f` on `x` with a batch dim: an unbatched `[C, ...spatial]` input gets
 * one added, and the result loses it again.
 *
 * @example
 * batched(x, 3, (xb) => conv(xb)); // x [C, H, W] or [N, C, H, W]
 */
export function batched(x: Tensor, batchedNdim: number, f: (xb: Tensor) => Tensor): Tensor {
  if (x.ndim === batchedNdim) return f(x);
  return squeeze(f(unsqueeze(x, 0)), 0);
}

/** The channel-first shape expected of an input, for messages: `[N, C, H, W] or [C, H, W]`. */
export function expectedInput(nd: number): string {
  const sp = nd === 1 ? ['L'] : ['H', 'W'];
  return `[${['N', 'C', ...sp].join(', ')}] or [${['C', ...sp].join(', ')}]`;
}

/** Options of `unfold` and `fold`. */
export interface UnfoldOptions {
  /** Spacing of the kernel taps (default 1). */
  dilation?: IntOrList;
  /** Zeros added on both sides of each spatial dim (default 0). */
  padding?: IntOrList;
  /** Step between windows (default 1). */
  stride?: IntOrList;
}

function windowOf(op: string, spatial: readonly number[], kernelSize: IntOrList, opts: UnfoldOptions): Window {
  const nd = spatial.length;
  const kernel = perDim(op, 'kernelSize', kernelSize, nd, 1);
  const stride = perDim(op, 'stride', opts.stride ?? 1, nd, 1);
  const padding = perDim(op, 'padding', opts.padding ?? 0, nd, 0);
  const dilation = perDim(op, 'dilation', opts.dilation ?? 1, nd, 1);
  return { kernel, stride, padding, dilation, out: outputSize(op, spatial, kernel, stride, padding, dilation) };
}

/**
 * The sliding windows of `x: [N, C, H, W]` (or `[C, H, W]`) as columns
 * `[N, C·kH·kW, L]`, L the number of windows (PyTorch's `F.unfold`, im2col).
 * Padding reads zeros. Its transpose is `fold`.
 *
 * @example
 * unfold(arange(16).reshape([1, 1, 4, 4]), 2, { stride: 2 }).shape; // [1, 4, 4]
 */
export function unfold(x: Tensor, kernelSize: IntOrList, opts: UnfoldOptions = {}): Tensor {
  if (x.ndim !== 3 && x.ndim !== 4) throw new ShapeError('unfold', `expected x of shape ${expectedInput(2)}, got ${fmtShape(x.shape)}`);
  return batched(x, 4, (xb) => {
    const w = windowOf('unfold', xb.shape.slice(2), kernelSize, opts);
    const cols = apply('im2col', [xb], w);
    return reshape(cols, [xb.shape[0]!, xb.shape[1]! * sizeOf(w.kernel), sizeOf(w.out)]);
  });
}

/**
 * Sums columns `[N, C·kH·kW, L]` (or `[C·kH·kW, L]`) back into an image of
 * `outputSize` `[N, C, H, W]`, adding where windows overlap (PyTorch's
 * `F.fold`, col2im): the transpose of `unfold`.
 *
 * @example
 * fold(ones([1, 4, 4]), [4, 4], 2, { stride: 2 }).shape; // [1, 1, 4, 4]
 */
export function fold(cols: Tensor, outputSize: IntOrList, kernelSize: IntOrList, opts: UnfoldOptions = {}): Tensor {
  if (cols.ndim !== 2 && cols.ndim !== 3) throw new ShapeError('fold', `expected columns of shape [N, C·kH·kW, L] or [C·kH·kW, L], got ${fmtShape(cols.shape)}`);
  const spatial = perDim('fold', 'outputSize', outputSize, 2, 1);
  const w = windowOf('fold', spatial, kernelSize, opts);
  const k = sizeOf(w.kernel);
  const [rows, l] = cols.shape.slice(-2) as [number, number];
  if (rows % k !== 0 || l !== sizeOf(w.out)) {
    throw new ShapeError('fold', `columns ${fmtShape(cols.shape)} must be [N, C·${k}, ${sizeOf(w.out)}] for kernel ${fmtShape(w.kernel)} and ${fmtShape(w.out)} windows over ${fmtShape(spatial)}`);
  }
  return batched(cols, 3, (cb) => {
    const c = reshape(cb, [cb.shape[0]!, rows / k, ...w.kernel, ...w.out]);
    return apply('col2im', [c], { window: w, spatial });
  });
}
