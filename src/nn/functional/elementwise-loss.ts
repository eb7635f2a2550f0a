/**
 * Losses of elementwise form: `l1Loss`, `smoothL1Loss`, `huberLoss`,
 * `klDiv` and `binaryCrossEntropy`, with PyTorch's reductions (`klDiv` adds
 * `'batchmean'`), composites of the ops.
 */
import { DTypeError, RangeArgError, ShapeError, fmtShape } from '../../errors.js';
import { abs, add, div, exp, eq, gt, log, lt, mul, neg, sub, where } from '../../ops/index.js';
import { Tensor, broadcastShapes, sameShape } from '../../tensor/index.js';
import { checkSameShape, reduce, reductionOf, type LossOptions, type Reduction } from './loss.js';

/**
 * Mean absolute error `|input − target|`, reduced (gradient 0 where they are equal, as PyTorch's sign).
 *
 * @example
 * l1Loss(tensor([1, 2]), tensor([1, 4])).item(); // 1
 */
export function l1Loss(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  const reduction = reductionOf('l1Loss', opts.reduction);
  checkSameShape('l1Loss', input, target);
  return reduce(abs(sub(input, target)), reduction);
}

function nonNegative(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new RangeArgError(op, `${name} must be a non-negative number, got ${String(v)}`);
  return v;
}

/** Options of `smoothL1Loss`. */
export interface SmoothL1LossOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (default 1; 0 gives `l1Loss`). */
  beta?: number;
}

/**
 * `½d²/β` for `|d| < β`, `|d| − ½β` otherwise, with `d = input − target`.
 *
 * @example
 * smoothL1Loss(tensor([0, 3]), tensor([0.5, 0]), { reduction: 'none' }); // [0.125, 2.5]
 */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: SmoothL1LossOptions = {}): Tensor {
  const op = 'smoothL1Loss';
  const reduction = reductionOf(op, opts.reduction);
  checkSameShape(op, input, target);
  const beta = nonNegative(op, 'beta', opts.beta ?? 1);
  const d = sub(input, target);
  const a = abs(d);
  if (beta === 0) return reduce(a, reduction);
  return reduce(where(lt(a, beta), div(mul(mul(d, d), 0.5), beta), sub(a, 0.5 * beta)), reduction);
}

/** Options of `huberLoss`. */
export interface HuberLossOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (default 1; positive). */
  delta?: number;
}

/**
 * `½d²` for `|d| < δ`, `δ·(|d| − ½δ)` otherwise, with `d = input − target`.
 *
 * @example
 * huberLoss(tensor([0, 3]), tensor([0.5, 0]), { delta: 2, reduction: 'none' }); // [0.125, 4]
 */
export function huberLoss(input: Tensor, target: Tensor, opts: HuberLossOptions = {}): Tensor {
  const op = 'huberLoss';
  const reduction = reductionOf(op, opts.reduction);
  checkSameShape(op, input, target);
  const delta = nonNegative(op, 'delta', opts.delta ?? 1);
  if (delta === 0) throw new RangeArgError(op, 'delta must be positive, got 0');
  const d = sub(input, target);
  const a = abs(d);
  return reduce(where(lt(a, delta), mul(mul(d, d), 0.5), mul(sub(a, 0.5 * delta), delta)), reduction);
}

/** Options of `klDiv`. */
export interface KlDivOptions {
  /** `'mean'` (default, over every element), `'batchmean'` (sum / batch size, the true KL divergence), `'sum'` or `'none'`. */
  reduction?: Reduction | 'batchmean';
  /** The target holds log-probabilities (default false: probabilities). */
  logTarget?: boolean;
}

/**
 * The Kullback-Leibler divergence of log-probabilities `input` from
 * `target`: `target·(log target − input)` (0 where the target is 0), or
 * with `logTarget`, `e^target·(target − input)`; reduced.
 *
 * @example
 * klDiv(logSoftmax(logits, 1), probs, { reduction: 'batchmean' });
 */
export function klDiv(input: Tensor, target: Tensor, opts: KlDivOptions = {}): Tensor {
  const op = 'klDiv';
  const r = opts.reduction ?? 'mean';
  const reduction = r === 'batchmean' ? 'sum' : reductionOf(op, r);
  checkSameShape(op, input, target);
  let loss: Tensor;
  if (opts.logTarget ?? false) loss = mul(exp(target), sub(target, input));
  else {
    // xlogy(t, t) − t·input: t·log t is 0 at t = 0 (and its branch sees log 1 there, so no NaN gradient).
    const zero = eq(target, 0);
    loss = sub(where(zero, 0, mul(target, log(where(zero, 1, target)))), mul(target, input));
  }
  const out = reduce(loss, reduction);
  return r === 'batchmean' && input.ndim > 0 ? div(out, input.shape[0]!) : out;
}

/** Options of `binaryCrossEntropy`. */
export interface BinaryCrossEntropyOptions extends LossOptions {
  /** A weight per element, broadcast to the input's shape (default none). */
  weight?: Tensor | null;
}

/** `log x` clamped below at −100 (PyTorch's BCE), with a finite gradient at 0. */
function clampedLog(x: Tensor): Tensor {
  const tiny = gt(x, 0);
  const l = log(where(tiny, x, 1));
  return where(tiny, where(lt(l, -100), -100, l), -100);
}

/**
 * Binary cross-entropy of probabilities `input` in [0, 1] against `target`
 * (the same shape): `−w·(t·log x + (1 − t)·log(1 − x))`, each log clamped at
 * −100 as in PyTorch (so 0 and 1 give finite losses). For logits, use
 * `binaryCrossEntropyWithLogits`.
 *
 * @example
 * binaryCrossEntropy(sigmoid(logits), targets);
 * binaryCrossEntropy(p, t, { weight, reduction: 'sum' });
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: BinaryCrossEntropyOptions = {}): Tensor {
  const op = 'binaryCrossEntropy';
  const reduction = reductionOf(op, opts.reduction);
  checkSameShape(op, input, target);
  let loss = neg(add(mul(target, clampedLog(input)), mul(sub(1, target), clampedLog(sub(1, input)))));
  const w = opts.weight ?? null;
  if (w !== null) {
    if (!(w instanceof Tensor)) throw new DTypeError(op, `expected weight to be a Tensor, got ${typeof w}`);
    if (w.dtype !== input.dtype) throw new DTypeError(op, `input is ${input.dtype} but weight is ${w.dtype}; expected one dtype`);
    if (!sameShape(broadcastShapes(op, w.shape, input.shape), input.shape)) {
      throw new ShapeError(op, `weight ${fmtShape(w.shape)} must broadcast to the input's shape ${fmtShape(input.shape)}`);
    }
    loss = mul(loss, w);
  }
  return reduce(loss, reduction);
}

