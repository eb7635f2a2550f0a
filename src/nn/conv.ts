/**
 * Convolution and pooling layers: `Conv1d`, `Conv2d`, `MaxPool2d`,
 * `AvgPool2d`, over `nn.functional`'s conv and pooling.
 */
import { RangeArgError } from '../errors.js';
import { Tensor, empty } from '../tensor/index.js';
import { avgPool2d, conv1d, conv2d, maxPool2d, type IntOrList } from './functional/index.js';
import { checkSize, dtypeOf, resetLinearLike_, type DTypeOptions } from './layers.js';
import { Module, Parameter } from './module.js';
import { pyBool, pyIntOrTuple, pyTuple } from './repr.js';

/** Options of `Conv1d` and `Conv2d` (PyTorch's, in camelCase). */
export interface ConvLayerOptions extends DTypeOptions {
  /** Step between windows (default 1). */
  stride?: IntOrList;
  /** Zeros on both sides of each spatial dim (default 0), or `'same'` / `'valid'`. */
  padding?: IntOrList | 'same' | 'valid';
  /** Spacing of the kernel taps (default 1). */
  dilation?: IntOrList;
  /** Channel groups (default 1); must divide both channel counts. */
  groups?: number;
  /** Learn a bias per output channel (default true). */
  bias?: boolean;
  /** Only `'zeros'` (the default) is supported. */
  paddingMode?: 'zeros';
}

function tupleOf(op: string, name: string, v: IntOrList, nd: number, min: number): number[] {
  const list = typeof v === 'number' ? new Array<number>(nd).fill(v) : Array.isArray(v) ? [...v] : null;
  if (list === null || list.length !== nd || !list.every((n) => Number.isInteger(n) && n >= min)) {
    throw new RangeArgError(op, `${name} must be an integer >= ${min} or a list of ${nd}, got ${JSON.stringify(v)}`);
  }
  return list;
}

/** The shared body of `Conv1d` and `Conv2d`. */
abstract class ConvNd extends Module {
  /** Channels of the input. */
  readonly inChannels: number;
  /** Channels of the output. */
  readonly outChannels: number;
  /** Kernel size per spatial dim. */
  readonly kernelSize: number[];
  /** Stride per spatial dim. */
  readonly stride: number[];
  /** Padding per spatial dim, or `'same'` / `'valid'`. */
  readonly padding: number[] | 'same' | 'valid';
  /** Dilation per spatial dim. */
  readonly dilation: number[];
  /** Channel groups. */
  readonly groups: number;
  /** `[outChannels, inChannels / groups, ...kernelSize]`. */
  weight: Parameter;
  /** `[outChannels]`, or null with `bias: false`. */
  bias: Parameter | null;

  constructor(op: string, nd: number, inChannels: number, outChannels: number, kernelSize: IntOrList, opts: ConvLayerOptions) {
    super();
    this.inChannels = checkSize(op, 'inChannels', inChannels);
    this.outChannels = checkSize(op, 'outChannels', outChannels);
    this.kernelSize = tupleOf(op, 'kernelSize', kernelSize, nd, 1);
    this.stride = tupleOf(op, 'stride', opts.stride ?? 1, nd, 1);
    this.dilation = tupleOf(op, 'dilation', opts.dilation ?? 1, nd, 1);
    const padding = opts.padding ?? 0;
    if (padding === 'same' || padding === 'valid') {
      if (padding === 'same' && this.stride.some((s) => s !== 1)) {
        throw new RangeArgError(op, "padding 'same' is not supported for strided convolutions");
      }
      this.padding = padding;
    } else {
      this.padding = tupleOf(op, 'padding', padding, nd, 0);
    }
    this.groups = checkSize(op, 'groups', opts.groups ?? 1);
    if (inChannels % this.groups !== 0) throw new RangeArgError(op, `inChannels ${inChannels} must be divisible by groups ${this.groups}`);
    if (outChannels % this.groups !== 0) throw new RangeArgError(op, `outChannels ${outChannels} must be divisible by groups ${this.groups}`);
    if ((opts.paddingMode ?? 'zeros') !== 'zeros') throw new RangeArgError(op, `only paddingMode 'zeros' is supported, got ${JSON.stringify(opts.paddingMode)}`);
    const dtype = dtypeOf(op, opts);
    this.weight = new Parameter(empty([outChannels, inChannels / this.groups, ...this.kernelSize], { dtype }));
    this.bias = (opts.bias ?? true) ? new Parameter(empty([outChannels], { dtype })) : null;
    this.resetParameters();
  }

  /** Re-draws weight and bias with PyTorch's default initialisation. @example conv.resetParameters(); */
  resetParameters(): void {
    resetLinearLike_(this.weight, this.bias);
  }

  protected convOptions(): { stride: number[]; padding: number[] | 'same' | 'valid'; dilation: number[]; groups: number } {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    return s;
  }
}

/**
 * 1-D convolution over `[N, Cin, L]` (or `[Cin, L]`) inputs, PyTorch's
 * initialisation (U(−1/√fanIn, 1/√fanIn) for weight and bias).
 *
 * @example
 * const conv = new Conv1d(4, 8, 3, { padding: 'same' });
 * conv.forward(randn([2, 4, 16])).shape; // [2, 8, 16]
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, opts: ConvLayerOptions = {}) {
    super('Conv1d', 1, inChannels, outChannels, kernelSize, opts);
  }

  forward(x: Tensor): Tensor {
    return conv1d(x, this.weight, this.bias, this.convOptions());
  }
}

/**
 * 2-D convolution over `[N, Cin, H, W]` (or `[Cin, H, W]`) inputs.
 *
 * @example
 * const conv = new Conv2d(1, 16, 3, { padding: 1 });
 * conv.forward(randn([8, 1, 8, 8])).shape; // [8, 16, 8, 8]
 * String(conv); // 'Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))'
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, opts: ConvLayerOptions = {}) {
    super('Conv2d', 2, inChannels, outChannels, kernelSize, opts);
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.convOptions());
  }
}

/** Options of `MaxPool2d`. */
export interface MaxPool2dOptions {
  /** Step between windows (default: the kernel size). */
  stride?: IntOrList | null;
  /** −∞ padding on both sides, at most half the kernel (default 0). */
  padding?: IntOrList;
  /** Spacing of the window taps (default 1). */
  dilation?: IntOrList;
  /** Round the output size up (default false). */
  ceilMode?: boolean;
}

/**
 * The maximum over each window of `[N, C, H, W]` inputs.
 *
 * @example
 * new MaxPool2d(2).forward(randn([8, 16, 8, 8])).shape; // [8, 16, 4, 4]
 */
export class MaxPool2d extends Module {
  /** Window size, as given. */
  readonly kernelSize: IntOrList;
  /** Step, as given (the kernel size by default). */
  readonly stride: IntOrList;
  /** Padding, as given. */
  readonly padding: IntOrList;
  /** Dilation, as given. */
  readonly dilation: IntOrList;
  /** Round output sizes up. */
  readonly ceilMode: boolean;

  constructor(kernelSize: IntOrList, opts: MaxPool2dOptions = {}) {
    super();
    tupleOf('MaxPool2d', 'kernelSize', kernelSize, 2, 1);
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.ceilMode = opts.ceilMode ?? false;
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }

  override extraRepr(): string {
    const f = pyIntOrTuple;
    return `kernel_size=${f(this.kernelSize)}, stride=${f(this.stride)}, padding=${f(this.padding)}, dilation=${f(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/** Options of `AvgPool2d`. */
export interface AvgPool2dOptions {
  /** Step between windows (default: the kernel size). */
  stride?: IntOrList | null;
  /** Zero padding on both sides, at most half the kernel (default 0). */
  padding?: IntOrList;
  /** Round the output size up (default false). */
  ceilMode?: boolean;
  /** Count padded zeros in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide every window sum by this instead. */
  divisorOverride?: number | null;
}

/**
 * The mean over each window of `[N, C, H, W]` inputs.
 *
 * @example
 * new AvgPool2d(2).forward(ones([1, 1, 4, 4])).shape; // [1, 1, 2, 2]
 */
export class AvgPool2d extends Module {
  /** Window size, as given. */
  readonly kernelSize: IntOrList;
  /** Step, as given (the kernel size by default). */
  readonly stride: IntOrList;
  /** Padding, as given. */
  readonly padding: IntOrList;
  /** Round output sizes up. */
  readonly ceilMode: boolean;
  /** Count padded zeros in the divisor. */
  readonly countIncludePad: boolean;
  /** Fixed divisor, or null. */
  readonly divisorOverride: number | null;

  constructor(kernelSize: IntOrList, opts: AvgPool2dOptions = {}) {
    super();
    tupleOf('AvgPool2d', 'kernelSize', kernelSize, 2, 1);
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
    this.divisorOverride = opts.divisorOverride ?? null;
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, {
      stride: this.stride, padding: this.padding, ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride,
    });
  }

  override extraRepr(): string {
    return `kernel_size=${pyIntOrTuple(this.kernelSize)}, stride=${pyIntOrTuple(this.stride)}, padding=${pyIntOrTuple(this.padding)}`;
  }
}
