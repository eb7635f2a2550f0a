/**
 * `layerNorm` and `batchNorm`, composites of mean, subtraction and rsqrt.
 * `batchNorm` in training mode also updates the running statistics in place
 * (outside the graph), like PyTorch.
 */
import { noGrad } from '../../autograd/index.js';
import { DTypeError, RangeArgError, ShapeError, fmtShape } from '../../errors.js';
import { add, copy_, mean, mul, reshape, rsqrt, sub, traced } from '../../ops/index.js';
import { Tensor, assertFloat, sameShape, sizeOf } from '../../tensor/index.js';

/** Options of `layerNorm`. */
export interface LayerNormOptions {
  /** Scale of the normalized shape (default none, i.e. 1). */
  weight?: Tensor | null;
  /** Shift of the normalized shape (default none, i.e. 0). */
  bias?: Tensor | null;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/** Options of `batchNorm`. */
export interface BatchNormOptions {
  /** Per-channel scale `[C]` (default none). */
  weight?: Tensor | null;
  /** Per-channel shift `[C]` (default none). */
  bias?: Tensor | null;
  /** Normalize with the batch statistics and update the running ones (default false, like `F.batch_norm`). */
  training?: boolean;
  /** Weight of the new batch in the running statistics (default 0.1). */
  momentum?: number;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/** Checks an optional parameter tensor: `want` completes "`name` must ...". */
function checkParam(op: string, name: string, t: Tensor | null | undefined, shape: readonly number[], want: string): void {
  if (t === null || t === undefined) return;
  if (!(t instanceof Tensor)) throw new DTypeError(op, `${name} must be a tensor or null`);
  if (!sameShape(t.shape, shape)) throw new ShapeError(op, `${name} must ${want}, got ${fmtShape(t.shape)}`);
}

function checkEps(op: string, eps: unknown): number {
  if (typeof eps !== 'number' || !(eps >= 0)) throw new RangeArgError(op, `eps must be a non-negative number, got ${String(eps)}`);
  return eps;
}

/**
 * Normalizes over the last dims given by `normalizedShape`: `(x − mean) /
 * sqrt(var + eps)` with the biased variance, then `· weight + bias`.
 *
 * @example
 * layerNorm(randn([8, 16]), [16]);
 * layerNorm(x, [3, 4], { weight: ones([3, 4]), bias: zeros([3, 4]), eps: 1e-6 });
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], opts: LayerNormOptions = {}): Tensor {
  const op = 'layerNorm';
  if (!(x instanceof Tensor)) throw new DTypeError(op, 'expected x to be a tensor');
  assertFloat(op, x.dtype);
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const k = ns.length;
  if (k === 0 || k > x.ndim || !sameShape(x.shape.slice(x.ndim - k), ns)) {
    throw new ShapeError(op, `normalizedShape ${fmtShape(ns)} must be non-empty and match the last dims of x ${fmtShape(x.shape)}`);
  }
  checkParam(op, 'weight', opts.weight, ns, `have the shape normalizedShape ${fmtShape(ns)}`);
  checkParam(op, 'bias', opts.bias, ns, `have the shape normalizedShape ${fmtShape(ns)}`);
  const eps = checkEps(op, opts.eps ?? 1e-5);
  const dims = ns.map((_, i) => x.ndim - k + i);
  return traced(op, { normalizedShape: ns, eps }, [x, opts.weight ?? null, opts.bias ?? null], () => {
    const d = sub(x, mean(x, dims, { keepdim: true }));
    let y = mul(d, rsqrt(add(mean(mul(d, d), dims, { keepdim: true }), eps)));
    if (opts.weight) y = mul(y, opts.weight);
    if (opts.bias) y = add(y, opts.bias);
    return y;
  });
}

/**
 * Batch normalization of `x: [N, C, ...]` per channel. Training: normalize
 * with the batch mean and biased variance, and update `runningMean` and
 * `runningVar` in place (`r ← (1 − momentum)·r + momentum·stat`, the variance
 * unbiased), when given. Eval (`training: false`, the default): normalize
 * with the running statistics. Then `· weight + bias`.
 *
 * @example
 * const rm = zeros([3]), rv = ones([3]);
 * const y = batchNorm(randn([8, 3, 4, 4]), rm, rv, { training: true }); // rm, rv updated
 * batchNorm(x, rm, rv);                                                  // eval: uses rm, rv
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormOptions = {}): Tensor {
  const op = 'batchNorm';
  if (!(x instanceof Tensor)) throw new DTypeError(op, 'expected x to be a tensor');
  assertFloat(op, x.dtype);
  if (x.ndim < 2) throw new ShapeError(op, `expected x of shape [N, C, ...], got ${fmtShape(x.shape)}`);
  const c = x.shape[1]!;
  for (const [name, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', opts.weight], ['bias', opts.bias]] as const) {
    checkParam(op, name, t, [c], `be [C] = [${c}] for x ${fmtShape(x.shape)}`);
  }
  const eps = checkEps(op, opts.eps ?? 1e-5);
  const momentum = opts.momentum ?? 0.1;
  if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) throw new RangeArgError(op, `momentum must be in [0, 1], got ${String(momentum)}`);
  const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const perChannel = x.shape.map((n, i) => (i === 1 ? n : 1));
  const channel = (t: Tensor): Tensor => reshape(t, perChannel);
  const affine = (y: Tensor): Tensor => {
    if (opts.weight) y = mul(y, channel(opts.weight));
    if (opts.bias) y = add(y, channel(opts.bias));
    return y;
  };
  let y: Tensor;
  if (opts.training ?? false) {
    const count = sizeOf(dims.map((i) => x.shape[i]!));
    if (count <= 1) throw new RangeArgError(op, `expected more than 1 value per channel when training, got x ${fmtShape(x.shape)}`);
    const mu = mean(x, dims, { keepdim: true });
    const d = sub(x, mu);
    const v = mean(mul(d, d), dims, { keepdim: true });
    y = mul(d, rsqrt(add(v, eps)));
    noGrad(() => {
      // detach(): the update carries no forward-mode tangent either.
      const blend = (r: Tensor, stat: Tensor, scale: number): void => {
        copy_(r, add(mul(r.detach(), 1 - momentum), mul(reshape(stat.detach(), [c]), momentum * scale)));
      };
      if (runningMean) blend(runningMean, mu, 1);
      if (runningVar) blend(runningVar, v, count / (count - 1));
    });
  } else {
    if (!runningMean || !runningVar) throw new RangeArgError(op, 'runningMean and runningVar are required when training is false');
    const inputs = [x, runningMean, runningVar, opts.weight ?? null, opts.bias ?? null];
    return traced(op, { eps }, inputs, () => affine(mul(sub(x, channel(runningMean)), rsqrt(add(channel(runningVar), eps)))));
  }
  return affine(y);
}
