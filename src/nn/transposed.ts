/**
 * Transposed convolution layers `ConvTranspose1d` and `ConvTranspose2d`
 * over `nn.functional`'s `convTranspose1d/2d`: weight `[Cin, Cout/groups,
 * ...kernel]` with PyTorch's default initialisation (kaiming_uniform with
 * a = √5, whose fan-in is `Cout/groups · kernel` for this layout, and the
 * bias from U(−1/√fanIn, 1/√fanIn)), PyTorch's repr and state-dict names.
 */
import { RangeArgError } from '../errors.js';
import { Tensor, empty } from '../tensor/index.js';
import { convTranspose1d, convTranspose2d, type IntOrList } from './functional/index.js';
import { checkSize, dtypeOf, resetLinearLike_, type DTypeOptions } from './layers.js';
import { Module, Parameter } from './module.js';
import { pyTuple } from './repr.js';

/** Options of `ConvTranspose1d` and `ConvTranspose2d` (PyTorch's, in camelCase). */
export interface ConvTransposeLayerOptions extends DTypeOptions {
  /** Step between input positions in the output (default 1). */
  stride?: IntOrList;
  /** Implicit padding `dilation·(k − 1) − padding` on both sides, i.e. `padding` crops the output (default 0). */
  padding?: IntOrList;
  /** Extra size on one side of the output (default 0). */
  outputPadding?: IntOrList;
  /** Channel groups (default 1); must divide both channel counts. */
  groups?: number;
  /** Learn a bias per output channel (default true). */
  bias?: boolean;
  /** Spacing of the kernel taps (default 1). */
  dilation?: IntOrList;
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

/** The shared body of the transposed convolutions. */
abstract class ConvTransposeNd extends Module {
  /** Channels of the input. */
  readonly inChannels: number;
  /** Channels of the output. */
  readonly outChannels: number;
  /** Kernel size per spatial dim. */
  readonly kernelSize: number[];
  /** Stride per spatial dim. */
  readonly stride: number[];
  /** Padding per spatial dim. */
  readonly padding: number[];
  /** Output padding per spatial dim. */
  readonly outputPadding: number[];
  /** Dilation per spatial dim. */
  readonly dilation: number[];
  /** Channel groups. */
  readonly groups: number;
  /** `[inChannels, outChannels / groups, ...kernelSize]`. */
  weight: Parameter;
  /** `[outChannels]`, or null with `bias: false`. */
  bias: Parameter | null;

  constructor(op: string, nd: number, inChannels: number, outChannels: number, kernelSize: IntOrList, opts: ConvTransposeLayerOptions) {
    super();
    this.inChannels = checkSize(op, 'inChannels', inChannels);
    this.outChannels = checkSize(op, 'outChannels', outChannels);
    this.kernelSize = tupleOf(op, 'kernelSize', kernelSize, nd, 1);
    this.stride = tupleOf(op, 'stride', opts.stride ?? 1, nd, 1);
    this.padding = tupleOf(op, 'padding', opts.padding ?? 0, nd, 0);
    this.outputPadding = tupleOf(op, 'outputPadding', opts.outputPadding ?? 0, nd, 0);
    this.dilation = tupleOf(op, 'dilation', opts.dilation ?? 1, nd, 1);
    this.groups = checkSize(op, 'groups', opts.groups ?? 1);
    if (inChannels % this.groups !== 0) throw new RangeArgError(op, `inChannels ${inChannels} must be divisible by groups ${this.groups}`);
    if (outChannels % this.groups !== 0) throw new RangeArgError(op, `outChannels ${outChannels} must be divisible by groups ${this.groups}`);
    if (this.outputPadding.some((p, d) => p >= this.stride[d]! && p >= this.dilation[d]!)) {
      throw new RangeArgError(op, `outputPadding ${pyTuple(this.outputPadding)} must be smaller than either stride or dilation`);
    }
    if ((opts.paddingMode ?? 'zeros') !== 'zeros') throw new RangeArgError(op, `only paddingMode 'zeros' is supported, got ${JSON.stringify(opts.paddingMode)}`);
    const dtype = dtypeOf(op, opts);
    this.weight = new Parameter(empty([inChannels, outChannels / this.groups, ...this.kernelSize], { dtype }));
    this.bias = (opts.bias ?? true) ? new Parameter(empty([outChannels], { dtype })) : null;
    this.resetParameters();
  }

  /** Re-draws weight and bias with PyTorch's default initialisation. @example deconv.resetParameters(); */
  resetParameters(): void {
    resetLinearLike_(this.weight, this.bias);
  }

  protected options(): { stride: number[]; padding: number[]; outputPadding: number[]; dilation: number[]; groups: number } {
    return { stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation, groups: this.groups };
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    return s;
  }
}

/**
 * 1-D transposed convolution over `[N, Cin, L]` (or `[Cin, L]`) inputs.
 *
 * @example
 * new ConvTranspose1d(4, 2, 3, { stride: 2 }).forward(randn([1, 4, 5])).shape; // [1, 2, 11]
 */
export class ConvTranspose1d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, opts: ConvTransposeLayerOptions = {}) {
    super('ConvTranspose1d', 1, inChannels, outChannels, kernelSize, opts);
  }

  forward(x: Tensor): Tensor {
    return convTranspose1d(x, this.weight, this.bias, this.options());
  }
}

/**
 * 2-D transposed convolution over `[N, Cin, H, W]` (or `[Cin, H, W]`) inputs.
 *
 * @example
 * const up = new ConvTranspose2d(16, 8, 4, { stride: 2, padding: 1 });
 * up.forward(randn([1, 16, 8, 8])).shape; // [1, 8, 16, 16]
 * String(up); // 'ConvTranspose2d(16, 8, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1))'
 */
export class ConvTranspose2d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, opts: ConvTransposeLayerOptions = {}) {
    super('ConvTranspose2d', 2, inChannels, outChannels, kernelSize, opts);
  }

  forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.weight, this.bias, this.options());
  }
}
