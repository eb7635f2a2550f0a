/**
 * `groupNorm` and `instanceNorm`: normalization over channel groups of one
 * sample, and over each channel of one sample (with optional running
 * statistics, updated as PyTorch's `F.instance_norm` does). Composites of
 * the ops; the running-statistics update runs under `noGrad`.
 */
import { noGrad } from '../../autograd/index.js';
import { DTypeError, RangeArgError, ShapeError, fmtShape } from '../../errors.js';
import { add, copy_, mean, mul, reshape, rsqrt, sub, traced } from '../../ops/index.js';
import { Tensor, assertFloat, sameShape, sizeOf } from '../../tensor/index.js';

/** Options of `groupNorm`. */
export interface GroupNormOptions {
  /** Per-channel scale `[C]` (default none). */
  weight?: Tensor | null;
  /** Per-channel shift `[C]` (default none). */
  bias?: Tensor | null;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

function checkInput(op: string, x: unknown, minDims: number, layout: string): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(op, `expected x to be a Tensor, got ${typeof x}`);
  if (x.ndim < minDims) throw new ShapeError(op, `expected x of shape ${layout}, got ${fmtShape(x.shape)}`);
  assertFloat(op, x.dtype);
  return x;
}

function checkChannel(op: string, name: string, t: Tensor | null | undefined, c: number, x: Tensor): void {
  if (t === null || t === undefined) return;
  if (!(t instanceof Tensor)) throw new DTypeError(op, `${name} must be a tensor or null`);
  if (!sameShape(t.shape, [c])) throw new ShapeError(op, `${name} must be [C] = [${c}] for x ${fmtShape(x.shape)}, got ${fmtShape(t.shape)}`);
  if (t.dtype !== x.dtype) throw new DTypeError(op, `x is ${x.dtype} but ${name} is ${t.dtype}; expected one dtype`);
}

function checkEps(op: string, eps: unknown): number {
  if (typeof eps !== 'number' || !(eps >= 0)) throw new RangeArgError(op, `eps must be a non-negative number, got ${String(eps)}`);
  return eps;
}

/** `y·weight + bias` per channel (dim 1). */
function affine(y: Tensor, weight: Tensor | null | undefined, bias: Tensor | null | undefined): Tensor {
  const per = y.shape.map((n, i) => (i === 1 ? n : 1));
  if (weight) y = mul(y, reshape(weight, per));
  if (bias) y = add(y, reshape(bias, per));
  return y;
}

/**
 * Group normalization of `x: [N, C, ...]`: the channels split into
 * `numGroups` groups, each normalized over its channels and all spatial
 * positions of one sample (biased variance), then `· weight + bias` per channel.
 *
 * @example
 * groupNorm(randn([2, 6, 4, 4]), 3).shape; // [2, 6, 4, 4]
 * groupNorm(x, 2, { weight, bias, eps: 1e-6 });
 */
export function groupNorm(x: Tensor, numGroups: number, opts: GroupNormOptions = {}): Tensor {
  const op = 'groupNorm';
  checkInput(op, x, 2, '[N, C, ...]');
  const c = x.shape[1]!;
  if (!Number.isInteger(numGroups) || numGroups < 1 || c % numGroups !== 0) {
    throw new RangeArgError(op, `numGroups ${numGroups} must be a positive integer dividing the C = ${c} channels of x ${fmtShape(x.shape)}`);
  }
  checkChannel(op, 'weight', opts.weight, c, x);
  checkChannel(op, 'bias', opts.bias, c, x);
  const eps = checkEps(op, opts.eps ?? 1e-5);
  const n = x.shape[0]!;
  return traced(op, { numGroups, eps }, [x, opts.weight ?? null, opts.bias ?? null], () => {
    const g = reshape(x, [n, numGroups, sizeOf(x.shape.slice(1)) / numGroups]);
    const d = sub(g, mean(g, 2, { keepdim: true }));
    const y = reshape(mul(d, rsqrt(add(mean(mul(d, d), 2, { keepdim: true }), eps))), x.shape);
    return affine(y, opts.weight, opts.bias);
  });
}

/** Options of `instanceNorm`. */
export interface InstanceNormOptions extends GroupNormOptions {
  /** Running mean `[C]`, updated in place when `useInputStats` (default none). */
  runningMean?: Tensor | null;
  /** Running variance `[C]` (unbiased estimates), updated in place when `useInputStats` (default none). */
  runningVar?: Tensor | null;
  /** Normalize with each sample's statistics (default true); false uses the running ones. */
  useInputStats?: boolean;
  /** Weight of the new statistics in the running ones (default 0.1). */
  momentum?: number;
}

/**
 * Instance normalization of `x: [N, C, ...]` (at least one spatial dim):
 * each channel of each sample normalized over its spatial positions. With
 * running statistics and `useInputStats`, they move towards the batch mean
 * of the per-instance mean and unbiased variance, as in PyTorch; with
 * `useInputStats: false`, the running statistics normalize instead.
 *
 * @example
 * instanceNorm(randn([2, 3, 8, 8])).shape; // [2, 3, 8, 8]
 * instanceNorm(x, { runningMean, runningVar, useInputStats: false });
 */
export function instanceNorm(x: Tensor, opts: InstanceNormOptions = {}): Tensor {
  const op = 'instanceNorm';
  checkInput(op, x, 3, '[N, C, L] or [N, C, H, W] (at least one spatial dim)');
  const c = x.shape[1]!;
  for (const name of ['runningMean', 'runningVar', 'weight', 'bias'] as const) checkChannel(op, name, opts[name], c, x);
  const eps = checkEps(op, opts.eps ?? 1e-5);
  const momentum = opts.momentum ?? 0.1;
  if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) throw new RangeArgError(op, `momentum must be in [0, 1], got ${String(momentum)}`);
  const rm = opts.runningMean ?? null;
  const rv = opts.runningVar ?? null;
  const per = x.shape.map((n, i) => (i === 1 ? n : 1));
  const useInputStats = opts.useInputStats ?? true;
  return traced(op, { eps, useInputStats }, [x, rm, rv, opts.weight ?? null, opts.bias ?? null], () => {
    if (!useInputStats) {
      if (rm === null || rv === null) throw new RangeArgError(op, 'runningMean and runningVar are required when useInputStats is false');
      return affine(mul(sub(x, reshape(rm, per)), rsqrt(add(reshape(rv, per), eps))), opts.weight, opts.bias);
    }
    const dims = x.shape.map((_, i) => i).slice(2);
    const count = sizeOf(x.shape.slice(2));
    if (count <= 1) throw new RangeArgError(op, `expected more than 1 spatial element per channel, got x ${fmtShape(x.shape)}`);
    const mu = mean(x, dims, { keepdim: true });
    const d = sub(x, mu);
    const v = mean(mul(d, d), dims, { keepdim: true });
    if (rm !== null || rv !== null) {
      noGrad(() => {
        const blend = (r: Tensor, stat: Tensor, scale: number): void => {
          const batchMean = reshape(mean(stat.detach(), [0, ...dims]), [c]);
          copy_(r, add(mul(r.detach(), 1 - momentum), mul(batchMean, momentum * scale)));
        };
        if (rm !== null) blend(rm, mu, 1);
        if (rv !== null) blend(rv, v, count / (count - 1));
      });
    }
    return affine(mul(d, rsqrt(add(v, eps))), opts.weight, opts.bias);
  });
}
