/**
 * Resampling and reshaping layers: `Upsample` (over `interpolate`),
 * `AdaptiveAvgPool2d`, `AdaptiveMaxPool2d` and `Unflatten`, with PyTorch's
 * constructor arguments and reprs.
 */
import { RangeArgError } from '../errors.js';
import { normDim, sizeOf, type Tensor } from '../tensor/index.js';
import { reshape } from '../ops/index.js';
import { adaptiveAvgPool2d, adaptiveMaxPool2d, interpolate, type AdaptiveSize } from './functional/index.js';
import { Module } from './module.js';
import { pyFloat, pyTuple } from './repr.js';

/** Options of `Upsample` (PyTorch's, in camelCase). */
export interface UpsampleOptions {
  /** The output spatial size (exactly one of `size` and `scaleFactor`). */
  size?: number | readonly number[] | null;
  /** The factor per spatial dim. */
  scaleFactor?: number | readonly number[] | null;
  /** `'nearest'` (default) or `'bilinear'`. */
  mode?: 'nearest' | 'bilinear';
  /** Bilinear only: align the corner pixels (default false). */
  alignCorners?: boolean | null;
}

/**
 * Resizes `[N, C, L]` or `[N, C, H, W]` inputs (`interpolate` as a layer).
 *
 * @example
 * new Upsample({ scaleFactor: 2 }).forward(randn([1, 3, 4, 4])).shape; // [1, 3, 8, 8]
 * String(new Upsample({ scaleFactor: 2 })); // 'Upsample(scale_factor=2.0, mode=nearest)'
 */
export class Upsample extends Module {
  /** The output size, or null. */
  readonly size: number | readonly number[] | null;
  /** The scale factor, or null. */
  readonly scaleFactor: number | readonly number[] | null;
  /** The interpolation mode. */
  readonly mode: 'nearest' | 'bilinear';
  /** alignCorners, or null (unset). */
  readonly alignCorners: boolean | null;

  constructor(opts: UpsampleOptions = {}) {
    super();
    this.size = opts.size ?? null;
    this.scaleFactor = opts.scaleFactor ?? null;
    this.mode = opts.mode ?? 'nearest';
    this.alignCorners = opts.alignCorners ?? null;
    if (this.mode !== 'nearest' && this.mode !== 'bilinear') throw new RangeArgError('Upsample', `mode must be 'nearest' or 'bilinear', got ${JSON.stringify(this.mode)}`);
  }

  forward(x: Tensor): Tensor {
    return interpolate(x, { size: this.size, scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners });
  }

  override extraRepr(): string {
    const sf = this.scaleFactor;
    const info = sf !== null
      ? `scale_factor=${typeof sf === 'number' ? pyFloat(sf) : `(${sf.map(pyFloat).join(', ')}${sf.length === 1 ? ',' : ''})`}`
      : `size=${this.size === null ? 'None' : typeof this.size === 'number' ? String(this.size) : pyTuple(this.size)}`;
    return `${info}, mode=${this.mode}`;
  }
}

function sizeRepr(s: AdaptiveSize): string {
  if (typeof s === 'number') return String(s);
  return `(${s.map((v) => (v === null ? 'None' : String(v))).join(', ')}${s.length === 1 ? ',' : ''})`;
}

/**
 * Adaptive average pooling to `outputSize` cells per plane.
 *
 * @example
 * new AdaptiveAvgPool2d(1).forward(randn([2, 8, 7, 7])).shape; // [2, 8, 1, 1]
 */
export class AdaptiveAvgPool2d extends Module {
  /** The output size (null entries keep the input's). */
  readonly outputSize: AdaptiveSize;

  constructor(outputSize: AdaptiveSize) {
    super();
    this.outputSize = outputSize;
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${sizeRepr(this.outputSize)}`;
  }
}

/**
 * Adaptive max pooling to `outputSize` cells per plane; with `returnIndices`,
 * `forward` returns `[values, indices]`.
 *
 * @example
 * new AdaptiveMaxPool2d([2, 2]).forward(randn([1, 3, 8, 8])).shape; // [1, 3, 2, 2]
 */
export class AdaptiveMaxPool2d extends Module<[Tensor], Tensor | [Tensor, Tensor]> {
  /** The output size (null entries keep the input's). */
  readonly outputSize: AdaptiveSize;
  /** Whether `forward` also returns the indices. */
  readonly returnIndices: boolean;

  constructor(outputSize: AdaptiveSize, opts: { returnIndices?: boolean } = {}) {
    super();
    this.outputSize = outputSize;
    this.returnIndices = opts.returnIndices ?? false;
  }

  forward(x: Tensor): Tensor | [Tensor, Tensor] {
    return this.returnIndices ? adaptiveMaxPool2d(x, this.outputSize, { returnIndices: true }) : adaptiveMaxPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${sizeRepr(this.outputSize)}`;
  }
}

/**
 * Splits dim `dim` into `unflattenedSize` (one entry may be −1), the inverse of `Flatten`.
 *
 * @example
 * new Unflatten(1, [2, 5]).forward(zeros([3, 10])).shape; // [3, 2, 5]
 */
export class Unflatten extends Module {
  /** The dim split. */
  readonly dim: number;
  /** The sizes it is split into. */
  readonly unflattenedSize: readonly number[];

  constructor(dim: number, unflattenedSize: readonly number[]) {
    super();
    if (!Number.isInteger(dim)) throw new RangeArgError('Unflatten', `dim must be an integer, got ${dim}`);
    if (!Array.isArray(unflattenedSize) || unflattenedSize.length === 0 || !unflattenedSize.every((n) => Number.isInteger(n) && (n >= 0 || n === -1))) {
      throw new RangeArgError('Unflatten', `unflattenedSize must be a non-empty list of sizes (one may be -1), got ${JSON.stringify(unflattenedSize)}`);
    }
    this.dim = dim;
    this.unflattenedSize = [...unflattenedSize];
  }

  forward(x: Tensor): Tensor {
    const d = normDim('Unflatten', this.dim, x.ndim);
    const n = x.shape[d]!;
    const known = sizeOf(this.unflattenedSize.filter((s) => s !== -1));
    if (this.unflattenedSize.includes(-1) ? known === 0 || n % known !== 0 : known !== n) {
      throw new RangeArgError('Unflatten', `unflattenedSize ${pyTuple(this.unflattenedSize)} does not fit dim ${d} of size ${n}`);
    }
    return reshape(x, [...x.shape.slice(0, d), ...this.unflattenedSize, ...x.shape.slice(d + 1)]);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${pyTuple(this.unflattenedSize)}`;
  }
}
