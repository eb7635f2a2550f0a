/**
 * Basic layers: `Identity`, `Linear`, `Flatten`, `Dropout`, `Embedding`,
 * with PyTorch's arguments (camelCase), defaults, initialisation and repr.
 */
import { DTypeError, RangeArgError, ShapeError, fmtShape } from '../errors.js';
import { noGrad } from '../autograd/index.js';
import { fill_, flatten, narrow, where } from '../ops/index.js';
import { Tensor, empty, tensor } from '../tensor/index.js';
import { dropout, embedding, linear } from './functional/index.js';
import { calculateFanInAndFanOut, kaimingUniform_, normal_, uniform_ } from './init.js';
import { Module, Parameter } from './module.js';
import { pyBool, pyFloat } from './repr.js';

/** A floating dtype for a layer's parameters. */
export type FloatDType = 'float32' | 'float64';

/** `dtype` of a layer's parameters (default float32). */
export interface DTypeOptions {
  /** dtype of the parameters (default `'float32'`). */
  dtype?: FloatDType;
}

/** @internal Validates a positive (or non-negative) integer size argument. */
export function checkSize(op: string, name: string, v: unknown, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new RangeArgError(op, `${name} must be an integer >= ${min}, got ${String(v)}`);
  }
  return v;
}

/** @internal The parameters' dtype from the options. */
export function dtypeOf(op: string, opts: DTypeOptions): FloatDType {
  const d = opts.dtype ?? 'float32';
  if (d !== 'float32' && d !== 'float64') throw new DTypeError(op, `dtype must be float32 or float64, got ${String(d)}`);
  return d;
}

/**
 * PyTorch's default initialisation of Linear and Conv layers: the weight
 * from kaiming uniform with `a = √5` (U(−1/√fanIn, 1/√fanIn)), the bias from
 * U(−1/√fanIn, 1/√fanIn).
 *
 * @example
 * resetLinearLike_(conv.weight, conv.bias);
 */
export function resetLinearLike_(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias !== null) {
    const [fanIn] = calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, { a: -bound, b: bound });
  }
}

/**
 * Returns its input.
 *
 * @example
 * new Identity().forward(x) === x; // true
 */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Options of `Linear`. */
export interface LinearOptions extends DTypeOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/**
 * `y = x·Wᵀ + b` over the last dim: `weight [outFeatures, inFeatures]`,
 * `bias [outFeatures]`, both initialised from U(−1/√in, 1/√in) like PyTorch.
 *
 * @example
 * const fc = new Linear(2, 8);
 * fc.forward(randn([5, 2])).shape; // [5, 8]
 * String(fc);                      // 'Linear(in_features=2, out_features=8, bias=True)'
 */
export class Linear extends Module {
  /** Size of each input's last dim. */
  readonly inFeatures: number;
  /** Size of each output's last dim. */
  readonly outFeatures: number;
  /** `[outFeatures, inFeatures]`. */
  weight: Parameter;
  /** `[outFeatures]`, or null with `bias: false`. */
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    this.inFeatures = checkSize('Linear', 'inFeatures', inFeatures, 0);
    this.outFeatures = checkSize('Linear', 'outFeatures', outFeatures, 0);
    const dtype = dtypeOf('Linear', opts);
    this.weight = new Parameter(empty([outFeatures, inFeatures], { dtype }));
    this.bias = (opts.bias ?? true) ? new Parameter(empty([outFeatures], { dtype })) : null;
    this.resetParameters();
  }

  /** Re-draws the weight and bias with PyTorch's default initialisation. @example fc.resetParameters(); */
  resetParameters(): void {
    resetLinearLike_(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** Options of `Flatten`. */
export interface FlattenOptions {
  /** First dim to flatten (default 1, keeping the batch dim). */
  startDim?: number;
  /** Last dim to flatten (default -1). */
  endDim?: number;
}

/**
 * Flattens dims `startDim..endDim` into one (by default all but the batch dim).
 *
 * @example
 * new Flatten().forward(randn([8, 32, 4, 4])).shape; // [8, 512]
 */
export class Flatten extends Module {
  /** First dim flattened. */
  readonly startDim: number;
  /** Last dim flattened. */
  readonly endDim: number;

  constructor(opts: FlattenOptions = {}) {
    super();
    this.startDim = opts.startDim ?? 1;
    this.endDim = opts.endDim ?? -1;
    if (!Number.isInteger(this.startDim) || !Number.isInteger(this.endDim)) {
      throw new RangeArgError('Flatten', `startDim and endDim must be integers, got ${this.startDim} and ${this.endDim}`);
    }
  }

  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * Zeroes each element with probability `p` in training mode and scales the
 * rest by `1/(1 − p)`; the identity in eval mode.
 *
 * @example
 * const drop = new Dropout(0.2);
 * drop.forward(x);        // masked and scaled
 * drop.eval().forward(x); // x
 */
export class Dropout extends Module {
  /** Probability of zeroing an element. */
  readonly p: number;

  constructor(p = 0.5) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeArgError('Dropout', `p must be in [0, 1], got ${String(p)}`);
    this.p = p;
  }

  forward(x: Tensor): Tensor {
    return dropout(x, { p: this.p, training: this.training });
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}

/** Options of `Embedding`. */
export interface EmbeddingOptions extends DTypeOptions {
  /** This row starts at zero and never gets a gradient (a padding token); negative counts from the end. */
  paddingIdx?: number | null;
  /** Initial weights `[numEmbeddings, embeddingDim]` instead of N(0, 1) draws (copied). */
  weight?: Tensor;
}

/**
 * A lookup table: int32 indices of any shape to rows of `weight
 * [numEmbeddings, embeddingDim]` (initialised from N(0, 1)), giving
 * `[...indices.shape, embeddingDim]`.
 *
 * @example
 * const emb = new Embedding(10, 3);
 * emb.forward(tensor([[1, 2], [4, 9]], { dtype: 'int32' })).shape; // [2, 2, 3]
 * new Embedding(5, 2, { paddingIdx: 0 }); // row 0 is zero and stays zero
 */
export class Embedding extends Module<[Tensor], Tensor> {
  /** Number of rows. */
  readonly numEmbeddings: number;
  /** Size of each row. */
  readonly embeddingDim: number;
  /** The padding row (non-negative), or null. */
  readonly paddingIdx: number | null;
  /** `[numEmbeddings, embeddingDim]`. */
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingOptions = {}) {
    super();
    this.numEmbeddings = checkSize('Embedding', 'numEmbeddings', numEmbeddings);
    this.embeddingDim = checkSize('Embedding', 'embeddingDim', embeddingDim);
    let pad = opts.paddingIdx ?? null;
    if (pad !== null) {
      if (!Number.isInteger(pad) || pad >= numEmbeddings || pad < -numEmbeddings) {
        throw new RangeArgError('Embedding', `paddingIdx must be an integer in [-${numEmbeddings}, ${numEmbeddings}), got ${pad}`);
      }
      if (pad < 0) pad += numEmbeddings;
    }
    this.paddingIdx = pad;
    const dtype = dtypeOf('Embedding', opts);
    if (opts.weight !== undefined) {
      const w = opts.weight;
      if (!(w instanceof Tensor) || w.ndim !== 2 || w.shape[0] !== numEmbeddings || w.shape[1] !== embeddingDim) {
        throw new ShapeError('Embedding', `weight must be [numEmbeddings, embeddingDim] = [${numEmbeddings}, ${embeddingDim}], got ${w instanceof Tensor ? fmtShape(w.shape) : typeof w}`);
      }
      this.weight = new Parameter(w.to(dtype));
    } else {
      this.weight = new Parameter(empty([numEmbeddings, embeddingDim], { dtype }));
      this.resetParameters();
    }
  }

  /** Re-draws the weight from N(0, 1) (zero padding row). @example emb.resetParameters(); */
  resetParameters(): void {
    normal_(this.weight);
    const pad = this.paddingIdx;
    if (pad !== null) noGrad(() => fill_(narrow(this.weight, 0, pad, 1), 0));
  }

  /** `[numEmbeddings, 1]` with 0 at the padding row, 1 elsewhere. */
  private _notPadding(): Tensor {
    const v = new Float64Array(this.numEmbeddings).fill(1);
    if (this.paddingIdx !== null) v[this.paddingIdx] = 0;
    return tensor(v, { shape: [this.numEmbeddings, 1], dtype: this.weight.dtype });
  }

  forward(indices: Tensor): Tensor {
    if (this.paddingIdx === null) return embedding(indices, this.weight);
    // The padding row is read but gets no gradient: it comes from a detached copy.
    const isPad = this._notPadding().eq(0);
    return embedding(indices, where(isPad, this.weight.detach(), this.weight));
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ''}`;
  }
}
