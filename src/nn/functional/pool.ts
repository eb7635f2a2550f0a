/**
 * 2-D pooling, `maxPool2d` and `avgPool2d`, as im2col followed by a max or a
 * sum over each window: no derivative code. Output sizes, padding limits,
 * `ceilMode` and `countIncludePad` follow PyTorch exactly.
 */
import type { Window } from '../../backend/index.js';
import { RangeArgError, ShapeError, fmtShape } from '../../errors.js';
import { apply, div, max, pad, reshape, sum, traced } from '../../ops/index.js';
import { Tensor, assertFloat, deviceOf, sizeOf, tensor } from '../../tensor/index.js';
import { batched, expectedInput, outputSize, perDim, type IntOrList } from './window.js';

/** Options of `maxPool2d` and `avgPool2d`. */
export interface PoolOptions {
  /** Step between windows (default: the kernel size). */
  stride?: IntOrList | null;
  /** Padding on both sides, at most half the kernel (default 0): −∞ for max, zeros for avg. */
  padding?: IntOrList;
  /** Spacing of the window taps (default 1). PyTorch's avg_pool2d has none; here it counts taps like the undilated case. */
  dilation?: IntOrList;
  /** Round the output size up: a last, partial window is kept unless it would start in the right padding (default false). */
  ceilMode?: boolean;
  /** avgPool2d: count padded zeros in the divisor (default true); with false, only cells inside the input count. */
  countIncludePad?: boolean;
  /** avgPool2d: divide every window sum by this instead. */
  divisorOverride?: number | null;
}

/** The window of a pooling of `x: [N, C, H, W]`, validated like PyTorch. */
function poolWindow(op: string, x: Tensor, kernelSize: IntOrList, opts: PoolOptions): Window {
  const kernel = perDim(op, 'kernelSize', kernelSize, 2, 1);
  const stride = opts.stride === null || opts.stride === undefined ? kernel : perDim(op, 'stride', opts.stride, 2, 1);
  const padding = perDim(op, 'padding', opts.padding ?? 0, 2, 0);
  const dilation = perDim(op, 'dilation', opts.dilation ?? 1, 2, 1);
  if (padding.some((p, d) => p > kernel[d]! / 2)) {
    throw new RangeArgError(op, `padding ${fmtShape(padding)} must be at most half of kernelSize ${fmtShape(kernel)}`);
  }
  const out = outputSize(op, x.shape.slice(2), kernel, stride, padding, dilation, opts.ceilMode ?? false);
  return { kernel, stride, padding, dilation, out };
}

function pool(op: string, x: Tensor, f: (xb: Tensor) => Tensor): Tensor {
  if (!(x instanceof Tensor) || (x.ndim !== 3 && x.ndim !== 4)) {
    throw new ShapeError(op, `expected x of shape ${expectedInput(2)}, got ${x instanceof Tensor ? fmtShape(x.shape) : typeof x}`);
  }
  assertFloat(op, x.dtype);
  return batched(x, 4, f);
}

/** The windows as `[N, C, kH·kW, oH, oW]`. */
function windows(x: Tensor, w: Window): Tensor {
  const [n, c] = x.shape as [number, number];
  return reshape(apply('im2col', [x], w), [n, c, sizeOf(w.kernel), ...w.out]);
}

/**
 * The maximum over each `kernelSize` window of `x: [N, C, H, W]` (or
 * `[C, H, W]`); padding counts as −∞. The gradient goes to the selected
 * element of each window.
 *
 * @example
 * maxPool2d(randn([8, 32, 28, 28]), 2).shape;                      // [8, 32, 14, 14]
 * maxPool2d(x, 3, { stride: 1, padding: 1 });                     // same size as x
 * maxPool2d(randn([1, 1, 5, 5]), 2, { ceilMode: true }).shape;    // [1, 1, 3, 3]
 */
export function maxPool2d(x: Tensor, kernelSize: IntOrList, opts: PoolOptions = {}): Tensor {
  return pool('maxPool2d', x, (xb) => {
    const w = poolWindow('maxPool2d', xb, kernelSize, opts);
    const attrs = { kernel: w.kernel, stride: w.stride, padding: w.padding, dilation: w.dilation, ceilMode: opts.ceilMode ?? false };
    return traced('maxPool2d', attrs, [xb], () => maxBody(xb, w));
  });
}

/** The max over the windows `w` of `xb`, padding with −∞. */
function maxBody(xb: Tensor, w: Window): Tensor {
  // Pad with −∞ explicitly (im2col pads with zeros), also past the right edge for the windows of ceilMode.
  const hi = xb.shape.slice(2).map((n, d) => {
    const reach = (w.out[d]! - 1) * w.stride[d]! + w.dilation[d]! * (w.kernel[d]! - 1) + 1;
    return Math.max(0, reach - n - w.padding[d]!);
  });
  const padded = w.padding.some((p) => p > 0) || hi.some((p) => p > 0)
    ? pad(xb, [w.padding[1]!, hi[1]!, w.padding[0]!, hi[0]!], { value: -Infinity })
    : xb;
  return max(windows(padded, { ...w, padding: [0, 0] }), 2).values;
}

/** Taps of a window inside `[lo, hi)` along one dim, for each output position. */
function tapCounts(out: number, k: number, s: number, p: number, d: number, lo: number, hi: number): number[] {
  return Array.from({ length: out }, (_, o) => {
    let n = 0;
    for (let t = 0; t < k; t++) {
      const i = o * s - p + t * d;
      if (i >= lo && i < hi) n++;
    }
    return n;
  });
}

/**
 * The mean over each `kernelSize` window of `x: [N, C, H, W]` (or
 * `[C, H, W]`), padding with zeros. The divisor counts the padded cells with
 * `countIncludePad` (default true) but never the cells past the padding that
 * `ceilMode` windows reach; with `countIncludePad: false` it counts only
 * cells inside `x`. Like PyTorch.
 *
 * @example
 * avgPool2d(ones([1, 1, 4, 4]), 2).toArray();                      // [[[[1, 1], [1, 1]]]]
 * avgPool2d(x, 3, { stride: 1, padding: 1, countIncludePad: false });
 */
export function avgPool2d(x: Tensor, kernelSize: IntOrList, opts: PoolOptions = {}): Tensor {
  return pool('avgPool2d', x, (xb) => {
    const w = poolWindow('avgPool2d', xb, kernelSize, opts);
    const override = opts.divisorOverride ?? null;
    const include = opts.countIncludePad ?? true;
    const attrs = { kernel: w.kernel, stride: w.stride, padding: w.padding, dilation: w.dilation, ceilMode: opts.ceilMode ?? false, countIncludePad: include, divisorOverride: override };
    return traced('avgPool2d', attrs, [xb], () => avgBody(xb, w, override, include));
  });
}

/** The mean over the windows `w` of `xb` with PyTorch's divisor. */
function avgBody(xb: Tensor, w: Window, override: number | null, include: boolean): Tensor {
  const total = sum(windows(xb, w), 2);
  if (override !== null) {
    if (!(typeof override === 'number' && override !== 0)) throw new RangeArgError('avgPool2d', `divisorOverride must be a nonzero number, got ${override}`);
    return div(total, override);
  }
  const [ch, cw] = [0, 1].map((d) => {
    const n = xb.shape[2 + d]!;
    const p = w.padding[d]!;
    return tapCounts(w.out[d]!, w.kernel[d]!, w.stride[d]!, p, w.dilation[d]!, include ? -p : 0, include ? n + p : n);
  }) as [number[], number[]];
  const divisor = ch.flatMap((a) => cw.map((b) => a * b));
  return div(total, tensor(divisor, { shape: w.out, dtype: xb.dtype, backend: deviceOf(xb) }));
}
