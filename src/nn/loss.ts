/**
 * Loss modules: `MSELoss`, `CrossEntropyLoss`, `NLLLoss`, `BCEWithLogitsLoss`,
 * called as `loss.forward(input, target)` with PyTorch's options.
 */
import { RangeArgError } from '../errors.js';
import { add, mean, mul, sub, sum } from '../ops/index.js';
import { Tensor, onesLike } from '../tensor/index.js';
import { binaryCrossEntropyWithLogits, crossEntropy, mseLoss, nllLoss, type Reduction } from './functional/index.js';
import { Module } from './module.js';

function reductionOf(op: string, r: unknown): Reduction {
  if (r === undefined) return 'mean';
  if (r === 'none' || r === 'mean' || r === 'sum') return r;
  throw new RangeArgError(op, `reduction must be 'none', 'mean' or 'sum', got ${JSON.stringify(r)}`);
}

/** Options every loss has. */
export interface LossModuleOptions {
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

/** The shared body of the losses. */
abstract class Loss extends Module<[Tensor, Tensor], Tensor> {
  /** How the per-element losses are combined. */
  readonly reduction: Reduction;

  constructor(op: string, opts: LossModuleOptions) {
    super();
    this.reduction = reductionOf(op, opts.reduction);
  }
}

/**
 * Mean squared error.
 *
 * @example
 * new MSELoss().forward(tensor([1, 2]), tensor([1, 4])).item(); // 2
 */
export class MSELoss extends Loss {
  constructor(opts: LossModuleOptions = {}) {
    super('MSELoss', opts);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Options of `CrossEntropyLoss`. */
export interface CrossEntropyLossOptions extends LossModuleOptions {
  /** Targets equal to this class contribute nothing (default -100). */
  ignoreIndex?: number;
  /** Weight `1 − ε` on the target class and `ε/C` on every class (default 0). */
  labelSmoothing?: number;
  /** A weight per class `[C]` (a buffer `weight`, as PyTorch's); `'mean'` divides by the targets' weights. */
  weight?: Tensor | null;
}

function classWeight(m: Module<[Tensor, Tensor], Tensor>, op: string, w: Tensor | null | undefined): void {
  if (w !== null && w !== undefined && !(w instanceof Tensor)) throw new RangeArgError(op, 'weight must be a tensor or null');
  m.registerBuffer('weight', w ?? null);
}

/**
 * Cross-entropy of logits `[N, C, ...]` against int32 class indices `[N, ...]`
 * (or class probabilities of the input's shape).
 *
 * @example
 * const lossFn = new CrossEntropyLoss({ labelSmoothing: 0.1 });
 * lossFn.forward(model.forward(x), y).backward();
 */
export class CrossEntropyLoss extends Loss {
  /** The ignored class index. */
  readonly ignoreIndex: number;
  /** Label smoothing ε. */
  readonly labelSmoothing: number;

  constructor(opts: CrossEntropyLossOptions = {}) {
    super('CrossEntropyLoss', opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
    if (!(typeof this.labelSmoothing === 'number' && this.labelSmoothing >= 0 && this.labelSmoothing <= 1)) {
      throw new RangeArgError('CrossEntropyLoss', `labelSmoothing must be in [0, 1], got ${String(this.labelSmoothing)}`);
    }
    classWeight(this, 'CrossEntropyLoss', opts.weight);
  }

  /** The class weight (buffer `weight`), or null. */
  get weight(): Tensor | null {
    return this.getBuffer('weight');
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, { reduction: this.reduction, ignoreIndex: this.ignoreIndex, labelSmoothing: this.labelSmoothing, weight: this.weight });
  }
}

/**
 * Negative log-likelihood of log-probabilities `[N, C, ...]` against int32
 * class indices.
 *
 * @example
 * new NLLLoss().forward(logits.logSoftmax(1), y);
 */
export class NLLLoss extends Loss {
  /** The ignored class index. */
  readonly ignoreIndex: number;

  constructor(opts: LossModuleOptions & { ignoreIndex?: number; weight?: Tensor | null } = {}) {
    super('NLLLoss', opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    classWeight(this, 'NLLLoss', opts.weight);
  }

  /** The class weight (buffer `weight`), or null. */
  get weight(): Tensor | null {
    return this.getBuffer('weight');
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, { reduction: this.reduction, ignoreIndex: this.ignoreIndex, weight: this.weight });
  }
}

/** Options of `BCEWithLogitsLoss`. */
export interface BCEWithLogitsLossOptions extends LossModuleOptions {
  /** Weight of the positive term, broadcast over the classes (last dim); default none (1). */
  posWeight?: Tensor | null;
}

/**
 * Binary cross-entropy of logits against targets in [0, 1] (same shape),
 * stable for any logit. With `posWeight` p the positive term is weighted:
 * `−p·t·log σ(x) − (1 − t)·log(1 − σ(x))`.
 *
 * @example
 * new BCEWithLogitsLoss().forward(logits, targets);
 * new BCEWithLogitsLoss({ posWeight: tensor([3]) });
 */
export class BCEWithLogitsLoss extends Loss {
  /** Weight of the positive term, or null. */
  readonly posWeight: Tensor | null;

  constructor(opts: BCEWithLogitsLossOptions = {}) {
    super('BCEWithLogitsLoss', opts);
    const pw = opts.posWeight ?? null;
    if (pw !== null && !(pw instanceof Tensor)) throw new RangeArgError('BCEWithLogitsLoss', 'posWeight must be a tensor or null');
    this.posWeight = pw;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    if (this.posWeight === null) return binaryCrossEntropyWithLogits(input, target, { reduction: this.reduction });
    // (1 − t)·x + (1 + (p − 1)·t)·softplus(−x), with softplus(−x) the stable BCE against t = 1.
    const softplusMinusX = binaryCrossEntropyWithLogits(input, onesLike(input), { reduction: 'none' });
    const loss = add(mul(sub(1, target), input), mul(add(1, mul(sub(this.posWeight, 1), target)), softplusMinusX));
    return this.reduction === 'none' ? loss : this.reduction === 'sum' ? sum(loss) : mean(loss);
  }
}
