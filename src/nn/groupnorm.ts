/**
 * `GroupNorm`, `InstanceNorm1d` and `InstanceNorm2d` over `nn.functional`'s
 * `groupNorm`/`instanceNorm`, with PyTorch's parameters, buffers
 * (`running_mean`, `running_var`, `num_batches_tracked` when tracking) and reprs.
 */
import { RangeArgError, ShapeError, fmtShape } from '../errors.js';
import { squeeze, unsqueeze } from '../ops/index.js';
import { Tensor, ones, zeros } from '../tensor/index.js';
import { groupNorm, instanceNorm } from './functional/index.js';
import { checkSize, dtypeOf, type DTypeOptions } from './layers.js';
import { Module, Parameter } from './module.js';
import { pyBool, pyFloat } from './repr.js';

function checkEps(op: string, eps: number): number {
  if (!(typeof eps === 'number' && eps >= 0)) throw new RangeArgError(op, `eps must be >= 0, got ${String(eps)}`);
  return eps;
}

/** Options of `GroupNorm`. */
export interface GroupNormLayerOptions extends DTypeOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn a per-channel scale and shift (default true). */
  affine?: boolean;
}

/**
 * Group normalization of `[N, C, ...]` with `numGroups` groups of channels.
 *
 * @example
 * String(new GroupNorm(3, 6)); // 'GroupNorm(3, 6, eps=1e-05, affine=True)'
 */
export class GroupNorm extends Module {
  /** Groups. */
  readonly numGroups: number;
  /** Channels C. */
  readonly numChannels: number;
  /** Added to the variance. */
  readonly eps: number;
  /** Whether `weight` and `bias` exist. */
  readonly affine: boolean;
  /** `[C]` (ones), or null without `affine`. */
  weight: Parameter | null;
  /** `[C]` (zeros), or null without `affine`. */
  bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, opts: GroupNormLayerOptions = {}) {
    super();
    this.numGroups = checkSize('GroupNorm', 'numGroups', numGroups);
    this.numChannels = checkSize('GroupNorm', 'numChannels', numChannels);
    if (numChannels % numGroups !== 0) throw new RangeArgError('GroupNorm', `numChannels ${numChannels} must be divisible by numGroups ${numGroups}`);
    this.eps = checkEps('GroupNorm', opts.eps ?? 1e-5);
    this.affine = opts.affine ?? true;
    const dtype = dtypeOf('GroupNorm', opts);
    this.weight = this.affine ? new Parameter(ones([numChannels], { dtype })) : null;
    this.bias = this.affine ? new Parameter(zeros([numChannels], { dtype })) : null;
  }

  forward(x: Tensor): Tensor {
    return groupNorm(x, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}

/** Options of `InstanceNorm1d` and `InstanceNorm2d`. */
export interface InstanceNormLayerOptions extends DTypeOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of the new statistics in the running ones (default 0.1). */
  momentum?: number;
  /** Learn a per-channel scale and shift (default false, as PyTorch). */
  affine?: boolean;
  /** Keep running statistics and use them in eval mode (default false, as PyTorch). */
  trackRunningStats?: boolean;
}

/** The shared body of the instance norms. */
abstract class InstanceNormBase extends Module {
  /** Channels C. */
  readonly numFeatures: number;
  /** Added to the variance. */
  readonly eps: number;
  /** Running-statistics momentum. */
  readonly momentum: number;
  /** Whether `weight` and `bias` exist. */
  readonly affine: boolean;
  /** Whether running statistics are kept. */
  readonly trackRunningStats: boolean;
  /** `[C]` (ones), or null without `affine`. */
  weight: Parameter | null;
  /** `[C]` (zeros), or null without `affine`. */
  bias: Parameter | null;

  constructor(private readonly op: string, private readonly spatialDims: number, numFeatures: number, opts: InstanceNormLayerOptions) {
    super();
    this.numFeatures = checkSize(op, 'numFeatures', numFeatures);
    this.eps = checkEps(op, opts.eps ?? 1e-5);
    this.momentum = opts.momentum ?? 0.1;
    if (!(typeof this.momentum === 'number' && this.momentum >= 0 && this.momentum <= 1)) {
      throw new RangeArgError(op, `momentum must be in [0, 1], got ${String(this.momentum)}`);
    }
    this.affine = opts.affine ?? false;
    this.trackRunningStats = opts.trackRunningStats ?? false;
    const dtype = dtypeOf(op, opts);
    this.weight = this.affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    const track = this.trackRunningStats;
    this.registerBuffer('running_mean', track ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer('running_var', track ? ones([numFeatures], { dtype }) : null);
    this.registerBuffer('num_batches_tracked', track ? zeros([], { dtype: 'int32' }) : null);
  }

  /** Running mean `[C]` (buffer `running_mean`), or null. */
  get runningMean(): Tensor | null {
    return this.getBuffer('running_mean');
  }

  /** Running (unbiased) variance `[C]` (buffer `running_var`), or null. */
  get runningVar(): Tensor | null {
    return this.getBuffer('running_var');
  }

  forward(x: Tensor): Tensor {
    const batchedNdim = this.spatialDims + 2;
    if (x.ndim !== batchedNdim && x.ndim !== batchedNdim - 1) {
      const sp = this.spatialDims === 1 ? ['L'] : ['H', 'W'];
      throw new ShapeError(this.op, `expected x of shape [${['N', 'C', ...sp].join(', ')}] or [${['C', ...sp].join(', ')}], got ${fmtShape(x.shape)}`);
    }
    const xb = x.ndim === batchedNdim ? x : unsqueeze(x, 0);
    const y = instanceNorm(xb, {
      runningMean: this.runningMean, runningVar: this.runningVar, weight: this.weight, bias: this.bias,
      useInputStats: this.training || !this.trackRunningStats, momentum: this.momentum, eps: this.eps,
    });
    return x.ndim === batchedNdim ? y : squeeze(y, 0);
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/**
 * Instance normalization of `[N, C, L]` (or `[C, L]`) inputs.
 *
 * @example
 * new InstanceNorm1d(3).forward(randn([2, 3, 8])).shape; // [2, 3, 8]
 */
export class InstanceNorm1d extends InstanceNormBase {
  constructor(numFeatures: number, opts: InstanceNormLayerOptions = {}) {
    super('InstanceNorm1d', 1, numFeatures, opts);
  }
}

/**
 * Instance normalization of `[N, C, H, W]` (or `[C, H, W]`) inputs.
 *
 * @example
 * new InstanceNorm2d(3, { affine: true }).forward(randn([2, 3, 8, 8])).shape; // [2, 3, 8, 8]
 */
export class InstanceNorm2d extends InstanceNormBase {
  constructor(numFeatures: number, opts: InstanceNormLayerOptions = {}) {
    super('InstanceNorm2d', 2, numFeatures, opts);
  }
}
