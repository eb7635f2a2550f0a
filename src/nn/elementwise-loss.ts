/**
 * Loss modules `L1Loss`, `SmoothL1Loss`, `HuberLoss`, `KLDivLoss`, `BCELoss`
 * and the distance modules `CosineSimilarity`, `PairwiseDistance`, over
 * `nn.functional`'s ops, with PyTorch's options and reprs (`BCELoss`'s
 * `weight` is a buffer, as PyTorch's).
 */
import { RangeArgError } from '../errors.js';
import { Tensor } from '../tensor/index.js';
import {
  binaryCrossEntropy, cosineSimilarity, huberLoss, klDiv, l1Loss, pairwiseDistance, smoothL1Loss, type Reduction,
} from './functional/index.js';
import { Module } from './module.js';

function reductionOf(op: string, r: unknown, batchmean = false): Reduction {
  if (r === undefined) return 'mean';
  if (r === 'none' || r === 'mean' || r === 'sum' || (batchmean && r === 'batchmean')) return r as Reduction;
  throw new RangeArgError(op, `reduction must be 'none', 'mean'${batchmean ? ", 'batchmean'" : ''} or 'sum', got ${JSON.stringify(r)}`);
}

/** Options every loss has. */
interface ReductionOptions {
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

/** Mean absolute error. @example new L1Loss().forward(input, target); */
export class L1Loss extends Module<[Tensor, Tensor], Tensor> {
  /** How the per-element losses are combined. */
  readonly reduction: Reduction;

  constructor(opts: ReductionOptions = {}) {
    super();
    this.reduction = reductionOf('L1Loss', opts.reduction);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Quadratic below `beta`, linear above. @example new SmoothL1Loss({ beta: 0.5 }).forward(input, target); */
export class SmoothL1Loss extends Module<[Tensor, Tensor], Tensor> {
  /** How the per-element losses are combined. */
  readonly reduction: Reduction;
  /** Where the loss turns linear. */
  readonly beta: number;

  constructor(opts: ReductionOptions & { beta?: number } = {}) {
    super();
    this.reduction = reductionOf('SmoothL1Loss', opts.reduction);
    this.beta = opts.beta ?? 1;
    if (!(typeof this.beta === 'number' && this.beta >= 0)) throw new RangeArgError('SmoothL1Loss', `beta must be a non-negative number, got ${String(this.beta)}`);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** `½d²` below `delta`, `delta·(|d| − ½delta)` above. @example new HuberLoss({ delta: 2 }).forward(input, target); */
export class HuberLoss extends Module<[Tensor, Tensor], Tensor> {
  /** How the per-element losses are combined. */
  readonly reduction: Reduction;
  /** Where the loss turns linear. */
  readonly delta: number;

  constructor(opts: ReductionOptions & { delta?: number } = {}) {
    super();
    this.reduction = reductionOf('HuberLoss', opts.reduction);
    this.delta = opts.delta ?? 1;
    if (!(typeof this.delta === 'number' && this.delta > 0)) throw new RangeArgError('HuberLoss', `delta must be a positive number, got ${String(this.delta)}`);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/**
 * KL divergence of log-probabilities from a target distribution.
 *
 * @example
 * new KLDivLoss({ reduction: 'batchmean' }).forward(logSoftmax(logits, 1), probs);
 */
export class KLDivLoss extends Module<[Tensor, Tensor], Tensor> {
  /** How the per-element losses are combined (`'batchmean'`: sum / batch size). */
  readonly reduction: Reduction | 'batchmean';
  /** Whether the target holds log-probabilities. */
  readonly logTarget: boolean;

  constructor(opts: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {}) {
    super();
    this.reduction = reductionOf('KLDivLoss', opts.reduction, true);
    this.logTarget = opts.logTarget ?? false;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

/**
 * Binary cross-entropy of probabilities; an optional `weight` (a buffer) scales each element.
 *
 * @example
 * new BCELoss().forward(sigmoid(logits), targets);
 */
export class BCELoss extends Module<[Tensor, Tensor], Tensor> {
  /** How the per-element losses are combined. */
  readonly reduction: Reduction;

  constructor(opts: ReductionOptions & { weight?: Tensor | null } = {}) {
    super();
    this.reduction = reductionOf('BCELoss', opts.reduction);
    const w = opts.weight ?? null;
    if (w !== null && !(w instanceof Tensor)) throw new RangeArgError('BCELoss', 'weight must be a tensor or null');
    this.registerBuffer('weight', w);
  }

  /** The element weight (buffer `weight`), or null. */
  get weight(): Tensor | null {
    return this.getBuffer('weight');
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { reduction: this.reduction, weight: this.weight });
  }
}

/** Cosine similarity along `dim`. @example new CosineSimilarity({ dim: 1 }).forward(a, b); */
export class CosineSimilarity extends Module<[Tensor, Tensor], Tensor> {
  /** The dim of the vectors. */
  readonly dim: number;
  /** The least norm. */
  readonly eps: number;

  constructor(opts: { dim?: number; eps?: number } = {}) {
    super();
    this.dim = opts.dim ?? 1;
    this.eps = opts.eps ?? 1e-8;
  }

  forward(x1: Tensor, x2: Tensor): Tensor {
    return cosineSimilarity(x1, x2, { dim: this.dim, eps: this.eps });
  }
}

/** `‖x1 − x2 + eps‖_p` along the last dim. @example new PairwiseDistance({ p: 1 }).forward(a, b); */
export class PairwiseDistance extends Module<[Tensor, Tensor], Tensor> {
  /** The norm's order. */
  readonly p: number;
  /** Added to the difference. */
  readonly eps: number;
  /** Keep the reduced dim. */
  readonly keepdim: boolean;

  constructor(opts: { p?: number; eps?: number; keepdim?: boolean } = {}) {
    super();
    this.p = opts.p ?? 2;
    this.eps = opts.eps ?? 1e-6;
    this.keepdim = opts.keepdim ?? false;
  }

  forward(x1: Tensor, x2: Tensor): Tensor {
    return pairwiseDistance(x1, x2, { p: this.p, eps: this.eps, keepdim: this.keepdim });
  }
}
