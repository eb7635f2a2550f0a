/**
 * Normalization layers: `BatchNorm1d`, `BatchNorm2d` (running statistics as
 * buffers under PyTorch's names, so state dicts interchange) and `LayerNorm`.
 */
import { noGrad } from '../autograd/index.js';
import { RangeArgError, ShapeError, fmtShape } from '../errors.js';
import { add_ } from '../ops/index.js';
import { Tensor, ones, zeros } from '../tensor/index.js';
import { batchNorm, layerNorm } from './functional/index.js';
import { checkSize, dtypeOf, type DTypeOptions } from './layers.js';
import { Module, Parameter } from './module.js';
import { pyBool, pyFloat, pyTuple } from './repr.js';

/** Options of `BatchNorm1d` and `BatchNorm2d`. */
export interface BatchNormLayerOptions extends DTypeOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of each new batch in the running statistics (default 0.1); null for a cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale and shift (default true). */
  affine?: boolean;
  /** Keep running statistics for eval mode (default true); without them batch statistics are always used. */
  trackRunningStats?: boolean;
}

/** The shared body of the batch norms. */
abstract class BatchNormBase extends Module {
  /** Channels C. */
  readonly numFeatures: number;
  /** Added to the variance. */
  readonly eps: number;
  /** Running-statistics momentum, or null for a cumulative average. */
  readonly momentum: number | null;
  /** Whether `weight` and `bias` exist. */
  readonly affine: boolean;
  /** Whether running statistics are kept. */
  readonly trackRunningStats: boolean;
  /** Per-channel scale `[C]` (ones), or null without `affine`. */
  weight: Parameter | null;
  /** Per-channel shift `[C]` (zeros), or null without `affine`. */
  bias: Parameter | null;

  constructor(op: string, numFeatures: number, opts: BatchNormLayerOptions) {
    super();
    this.numFeatures = checkSize(op, 'numFeatures', numFeatures);
    this.eps = opts.eps ?? 1e-5;
    if (!(typeof this.eps === 'number' && this.eps >= 0)) throw new RangeArgError(op, `eps must be >= 0, got ${String(opts.eps)}`);
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    if (this.momentum !== null && !(typeof this.momentum === 'number' && this.momentum >= 0 && this.momentum <= 1)) {
      throw new RangeArgError(op, `momentum must be in [0, 1] or null, got ${String(this.momentum)}`);
    }
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    const dtype = dtypeOf(op, opts);
    this.weight = this.affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures], { dtype }));
      this.registerBuffer('running_var', ones([numFeatures], { dtype }));
      this.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int32' }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
  }

  /** Running mean `[C]` (buffer `running_mean`), or null. */
  get runningMean(): Tensor | null {
    return this.getBuffer('running_mean');
  }

  /** Running (unbiased) variance `[C]` (buffer `running_var`), or null. */
  get runningVar(): Tensor | null {
    return this.getBuffer('running_var');
  }

  /** Training batches seen, a 0-d int32 tensor (buffer `num_batches_tracked`), or null. */
  get numBatchesTracked(): Tensor | null {
    return this.getBuffer('num_batches_tracked');
  }

  /** Resets the running statistics to mean 0, variance 1, count 0. @example bn.resetRunningStats(); */
  resetRunningStats(): void {
    noGrad(() => {
      this.runningMean?.zero_();
      this.runningVar?.fill_(1);
      this.numBatchesTracked?.zero_();
    });
  }

  protected abstract checkInput(x: Tensor): void;

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    let factor = this.momentum ?? 0;
    const count = this.numBatchesTracked;
    if (this.training && count !== null) {
      noGrad(() => add_(count, 1));
      if (this.momentum === null) factor = 1 / count.item();
    }
    const rm = this.runningMean;
    const rv = this.runningVar;
    // Batch statistics in training, and always when there are no running statistics.
    const useBatch = this.training || (rm === null && rv === null);
    return batchNorm(x, rm, rv, { training: useBatch, momentum: factor, eps: this.eps, weight: this.weight, bias: this.bias });
  }

  override extraRepr(): string {
    const m = this.momentum === null ? 'None' : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${m}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/**
 * Batch normalization of `[N, C]` or `[N, C, L]` inputs per channel. In
 * training mode it normalizes with the batch statistics and updates the
 * running ones (`r ← (1 − momentum)·r + momentum·stat`, the variance
 * unbiased); in eval mode it uses the running statistics.
 *
 * @example
 * const bn = new BatchNorm1d(16);
 * bn.forward(randn([32, 16]));   // training: batch statistics, running ones updated
 * bn.eval().forward(randn([4, 16])); // running statistics
 */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super('BatchNorm1d', numFeatures, opts);
  }

  protected checkInput(x: Tensor): void {
    if (!(x instanceof Tensor) || (x.ndim !== 2 && x.ndim !== 3)) {
      throw new ShapeError('BatchNorm1d', `expected a 2-D [N, C] or 3-D [N, C, L] input, got ${x instanceof Tensor ? fmtShape(x.shape) : typeof x}`);
    }
  }
}

/**
 * Batch normalization of `[N, C, H, W]` inputs per channel (see `BatchNorm1d`).
 *
 * @example
 * const bn = new BatchNorm2d(16);
 * bn.forward(randn([8, 16, 8, 8])).shape; // [8, 16, 8, 8]
 */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super('BatchNorm2d', numFeatures, opts);
  }

  protected checkInput(x: Tensor): void {
    if (!(x instanceof Tensor) || x.ndim !== 4) {
      throw new ShapeError('BatchNorm2d', `expected a 4-D [N, C, H, W] input, got ${x instanceof Tensor ? fmtShape(x.shape) : typeof x}`);
    }
  }
}

/** Options of `LayerNorm`. */
export interface LayerNormLayerOptions extends DTypeOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn a scale and shift of `normalizedShape` (default true). */
  elementwiseAffine?: boolean;
}

/**
 * Layer normalization over the last dims (`normalizedShape`), with a learned
 * scale (ones) and shift (zeros) of that shape.
 *
 * @example
 * const ln = new LayerNorm(8);
 * ln.forward(randn([4, 10, 8])).shape; // [4, 10, 8]
 * String(ln); // 'LayerNorm((8,), eps=1e-05, elementwise_affine=True)'
 */
export class LayerNorm extends Module {
  /** The trailing shape normalized over. */
  readonly normalizedShape: number[];
  /** Added to the variance. */
  readonly eps: number;
  /** Whether `weight` and `bias` exist. */
  readonly elementwiseAffine: boolean;
  /** Scale of `normalizedShape`, or null. */
  weight: Parameter | null;
  /** Shift of `normalizedShape`, or null. */
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormLayerOptions = {}) {
    super();
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    shape.forEach((n) => checkSize('LayerNorm', 'normalizedShape', n));
    this.normalizedShape = shape;
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const dtype = dtypeOf('LayerNorm', opts);
    this.weight = this.elementwiseAffine ? new Parameter(ones(shape, { dtype })) : null;
    this.bias = this.elementwiseAffine ? new Parameter(zeros(shape, { dtype })) : null;
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}
