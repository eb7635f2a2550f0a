/**
 * Losses: `crossEntropy`, `nllLoss`, `mseLoss`, `binaryCrossEntropyWithLogits`,
 * with PyTorch's shapes, reductions, `labelSmoothing` and `ignoreIndex`. All
 * composites; cross-entropy goes through the stable `logSoftmax`, and BCE
 * with logits through a form of softplus that never overflows.
 */
import { bottom } from '../../autograd/index.js';
import { DTypeError, RangeArgError, ShapeError, fmtShape } from '../../errors.js';
import {
  add, cast, div, exp, gather, ge, indexSelect, log1p, logSoftmax, mean, mul, ne, neg, reshape, squeeze, sub, sum, unsqueeze, where,
} from '../../ops/index.js';
import { Tensor, assertFloat, checkRange, sameShape } from '../../tensor/index.js';

/** How a loss combines its elements: `'mean'` (default), `'sum'`, or `'none'` (one loss per element). */
export type Reduction = 'none' | 'mean' | 'sum';

/** Options of `mseLoss` and `binaryCrossEntropyWithLogits`. */
export interface LossOptions {
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

/** Options of `nllLoss`. */
export interface NllLossOptions extends LossOptions {
  /**
   * A weight per class `[C]` (default none): each target's loss is scaled by
   * its class's weight, and `'mean'` divides by the sum of those weights.
   */
  weight?: Tensor | null;
  /** Targets equal to this class index contribute nothing, and are not counted by `'mean'` (default -100, like PyTorch). */
  ignoreIndex?: number;
}

/** Options of `crossEntropy`. */
export interface CrossEntropyOptions extends NllLossOptions {
  /** Mix the target with the uniform distribution: weight `1 − ε` on the target, `ε/C` on every class (default 0). */
  labelSmoothing?: number;
}

/** The reduction option, checked. @example reductionOf('l1Loss', undefined); // 'mean' */
export function reductionOf(op: string, r: unknown): Reduction {
  if (r === undefined) return 'mean';
  if (r === 'none' || r === 'mean' || r === 'sum') return r;
  throw new RangeArgError(op, `reduction must be 'none', 'mean' or 'sum', got ${JSON.stringify(r)}`);
}

/** Applies the reduction; `keep` (bool) marks the elements that count for `'mean'` (all when null). @example reduce(loss, 'sum'); */
export function reduce(loss: Tensor, reduction: Reduction, keep: Tensor | null = null): Tensor {
  if (reduction === 'none') return loss;
  if (reduction === 'sum') return sum(loss);
  return keep === null ? mean(loss) : div(sum(loss), sum(cast(keep, loss.dtype)));
}

/** Checks a float target of the input's shape. @example checkSameShape('l1Loss', input, target); */
export function checkSameShape(op: string, input: Tensor, target: Tensor): void {
  if (!(input instanceof Tensor) || !(target instanceof Tensor)) throw new DTypeError(op, 'expected input and target to be tensors');
  assertFloat(op, input.dtype);
  if (!target._isFloat) throw new DTypeError(op, `expected a floating point target, got ${target.dtype}`);
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(op, `target shape ${fmtShape(target.shape)} must match input shape ${fmtShape(input.shape)}`);
  }
}

/** The class dim of `input` (`[N, C, d1...]` or `[C]`). */
function classDimOf(op: string, input: Tensor): number {
  if (!(input instanceof Tensor)) throw new DTypeError(op, 'expected input to be a tensor');
  assertFloat(op, input.dtype);
  if (input.ndim === 0) throw new ShapeError(op, 'expected input of shape [N, C, d1...] or [C], got []');
  return input.ndim === 1 ? 0 : 1;
}

/**
 * `−input[target]` along the class dim `dim`, after checking the class-index
 * target: int32, shape `[N, d1...]` (or 0-d for a `[C]` input), each index in
 * `[0, C)` or equal to `ignoreIndex`. `keep` is null when nothing is ignored.
 */
function pickNegative(op: string, input: Tensor, target: Tensor, dim: number, ignoreIndex: number): { loss: Tensor; keep: Tensor | null; index: Tensor } {
  if (!(target instanceof Tensor) || target.dtype !== 'int32') {
    throw new DTypeError(op, `expected class indices as an int32 target, got ${target instanceof Tensor ? target.dtype : typeof target}`);
  }
  const want = dim === 0 ? [] : [input.shape[0]!, ...input.shape.slice(2)];
  if (!sameShape(target.shape, want)) {
    throw new ShapeError(
      op,
      `target shape ${fmtShape(target.shape)} must be ${fmtShape(want)} for input ${fmtShape(input.shape)} (input [N, C, d1...] with target [N, d1...], or input [C] with a 0-d target)`,
    );
  }
  const c = input.shape[dim]!;
  let keep: Tensor | null = null;
  let index = target;
  if (target.size > 0 && target.backend === 'webgpu') {
    // Reading the targets would need a sync: mask unconditionally, and check the range at the next read.
    keep = ne(target, ignoreIndex);
    index = where(keep, target, 0);
    checkRange(bottom(index), (lo, hi) =>
      lo < 0 || hi >= c ? new RangeArgError(op, `class index ${lo < 0 ? lo : hi} is out of range for ${c} classes (expected targets in [0, ${c - 1}])`) : null);
  } else if (target.size > 0) {
    // One read of the (small, int32) targets gives their range and whether any is ignored.
    const t = bottom(target).toTypedArray(); // under vmap: every example's targets
    let [lo, hi, ignored] = [Infinity, -Infinity, false];
    for (let i = 0; i < t.length; i++) {
      const v = t[i]!;
      if (v === ignoreIndex) ignored = true;
      else [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    }
    if (ignored) {
      keep = ne(target, ignoreIndex);
      index = where(keep, target, 0);
      [lo, hi] = [Math.min(lo, 0), Math.max(hi, 0)];
    }
    if (lo < 0 || hi >= c) {
      throw new RangeArgError(op, `class index ${lo < 0 ? lo : hi} is out of range for ${c} classes (expected targets in [0, ${c - 1}])`);
    }
  }
  const picked = squeeze(gather(input, dim, unsqueeze(index, dim)), dim);
  const loss = neg(picked);
  return { loss: keep === null ? loss : where(keep, loss, 0), keep, index };
}

/** Checks a class weight `[C]` of the input's dtype. */
function checkWeight(op: string, weight: Tensor | null | undefined, input: Tensor, dim: number): Tensor | null {
  if (weight === null || weight === undefined) return null;
  const c = input.shape[dim]!;
  if (!(weight instanceof Tensor) || weight.ndim !== 1 || weight.shape[0] !== c) {
    throw new ShapeError(op, `weight must be a tensor [C] = [${c}] for input ${fmtShape(input.shape)}, got ${weight instanceof Tensor ? fmtShape(weight.shape) : typeof weight}`);
  }
  if (weight.dtype !== input.dtype) throw new DTypeError(op, `input is ${input.dtype} but weight is ${weight.dtype}; expected one dtype`);
  return weight;
}

/** `weight[index]` per target (0 where ignored), the shape of the target. */
function targetWeights(weight: Tensor, index: Tensor, keep: Tensor | null): Tensor {
  const w = reshape(indexSelect(weight, 0, reshape(index, [index.size])), index.shape);
  return keep === null ? w : where(keep, w, 0);
}

/** The weighted NLL per target and its reduction (PyTorch's weighted mean: divided by the targets' weights). */
function weightedNll(loss: Tensor, w: Tensor, reduction: Reduction): Tensor {
  const l = mul(loss, w);
  if (reduction === 'none') return l;
  return reduction === 'sum' ? sum(l) : div(sum(l), sum(w));
}

/**
 * The negative log-likelihood of class-index targets, given log-probabilities
 * `input: [N, C, d1...]` (or `[C]` with a 0-d target) and an int32 `target:
 * [N, d1...]`: `−input[n, target[n], ...]`, reduced.
 *
 * @example
 * nllLoss(logSoftmax(logits, 1), tensor([0, 2], { dtype: 'int32' }));
 */
export function nllLoss(input: Tensor, target: Tensor, opts: NllLossOptions = {}): Tensor {
  const reduction = reductionOf('nllLoss', opts.reduction);
  const dim = classDimOf('nllLoss', input);
  const weight = checkWeight('nllLoss', opts.weight, input, dim);
  const { loss, keep, index } = pickNegative('nllLoss', input, target, dim, opts.ignoreIndex ?? -100);
  if (weight !== null) return weightedNll(loss, targetWeights(weight, index, keep), reduction);
  return reduce(loss, reduction, keep);
}

/**
 * Cross-entropy of logits `input: [N, C, d1...]` (or `[C]`) against int32
 * class indices `target: [N, d1...]` (or 0-d), like PyTorch: `logSoftmax`
 * then `nllLoss`, stable for logits of ±1000. With `labelSmoothing` ε the
 * target becomes `(1 − ε)·onehot + ε/C`. A float `target` of the input's
 * shape is read as class probabilities.
 *
 * @example
 * const logits = tensor([[2, 0.5, -1], [0, 1, 3]], { requiresGrad: true });
 * const loss = crossEntropy(logits, tensor([0, 2], { dtype: 'int32' }));
 * loss.backward();                                                // logits.grad = (softmax − onehot) / 2
 * crossEntropy(logits, target, { reduction: 'sum', labelSmoothing: 0.1 });
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  const reduction = reductionOf(op, opts.reduction);
  const dim = classDimOf(op, input);
  const eps = opts.labelSmoothing ?? 0;
  if (!(typeof eps === 'number' && eps >= 0 && eps <= 1)) throw new RangeArgError(op, `labelSmoothing must be in [0, 1], got ${eps}`);
  const weight = checkWeight(op, opts.weight, input, dim);
  const logp = logSoftmax(input, dim);
  const c = input.shape[dim]!;
  // The class weight along the class dim, for products with logp.
  const wc = weight === null ? null : reshape(weight, input.shape.map((n, i) => (i === dim ? n : 1)));
  if (target instanceof Tensor && target._isFloat) {
    if (!sameShape(target.shape, input.shape)) {
      throw new ShapeError(op, `a float target holds class probabilities and must have the input's shape ${fmtShape(input.shape)}, got ${fmtShape(target.shape)}`);
    }
    const t = eps > 0 ? add(mul(target, 1 - eps), eps / c) : target;
    return reduce(neg(sum(mul(logp, wc === null ? t : mul(t, wc)), dim)), reduction);
  }
  const { loss, keep, index } = pickNegative(op, logp, target, dim, opts.ignoreIndex ?? -100);
  const w = weight === null ? null : targetWeights(weight, index, keep);
  const nll = w === null ? reduce(loss, reduction, keep) : weightedNll(loss, w, reduction);
  if (eps === 0) return nll;
  // PyTorch 1.13: (1 − ε)·nll + ε/C·smooth, smooth = −Σ_c w_c·logp_c (0 where ignored), whose 'mean' divides
  // by the targets' weights with a class weight, and by the targets not ignored without.
  const smoothAll = neg(sum(wc === null ? logp : mul(logp, wc), dim));
  const smooth = keep === null ? smoothAll : where(keep, smoothAll, 0);
  const smoothReduced = w === null || reduction !== 'mean' ? reduce(smooth, reduction, keep) : div(sum(smooth), sum(w));
  return add(mul(nll, 1 - eps), mul(smoothReduced, eps / c));
}

/**
 * Mean squared error `(input − target)²`, reduced; the shapes must match.
 *
 * @example
 * mseLoss(tensor([1, 2]), tensor([1, 4])).item();                       // 2
 * mseLoss(tensor([1, 2]), tensor([1, 4]), { reduction: 'none' });       // [0, 4]
 */
export function mseLoss(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  const reduction = reductionOf('mseLoss', opts.reduction);
  checkSameShape('mseLoss', input, target);
  const d = sub(input, target);
  return reduce(mul(d, d), reduction);
}

/**
 * Binary cross-entropy of logits `x` against targets `t` in [0, 1] (the same
 * shape): `−t·log σ(x) − (1 − t)·log(1 − σ(x))`, computed as
 * `(1 − t)·x + log(1 + e^{−|x|}) + max(−x, 0)`, which never overflows.
 *
 * @example
 * binaryCrossEntropyWithLogits(tensor([1000, -1000]), tensor([1, 0])).item(); // 0
 * binaryCrossEntropyWithLogits(logits, targets, { reduction: 'sum' });
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  const reduction = reductionOf('binaryCrossEntropyWithLogits', opts.reduction);
  checkSameShape('binaryCrossEntropyWithLogits', input, target);
  const positive = ge(input, 0);
  const minusX = neg(input);
  // −|x| and max(−x, 0) written with where: at x = 0 the gradient is σ(0) − t, not a kink's arbitrary choice.
  const softplusMinusX = add(log1p(exp(where(positive, minusX, input))), where(positive, 0, minusX));
  return reduce(add(mul(sub(1, target), input), softplusMinusX), reduction);
}
