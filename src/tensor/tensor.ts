/**
 * `Tensor`: a strided view onto a backend storage (shape + strides + offset),
 * plus the slots autograd uses (`grad`, `gradFn`, `requiresGrad`, tangents of
 * forward mode, hooks). Views share their base's storage and version counter.
 *
 * The ops (`add`, `sum`, ...) are added as methods by `ops/`, the autograd
 * methods (`backward`, `detach`, ...) by `autograd/`; importing `adjoint`
 * installs both.
 */
import { backend } from '../backend/index.js';
import type { DType, Storage, TypedArray, View } from '../backend/index.js';
import { AutogradError, ShapeError, fmtShape } from '../errors.js';
import { isFloat, assertFloat } from './dtype.js';
import { formatTensor } from './format.js';
import { contiguousStrides, isContiguousStrides, sizeOf } from './shape.js';

const NO_DIMS: readonly number[] = Object.freeze([]);

/** What `.gradFn` holds: a node of the backward graph (see `autograd/`). */
export interface GradFn {
  /** PyTorch-style name of the node, e.g. `'MulBackward'`. */
  readonly name: string;
}

/** A gradient hook: may return a replacement gradient. */
export type Hook = (grad: Tensor) => Tensor | void;

/** Nested arrays as returned by `toArray()`. */
export type NestedArray<T> = T | NestedArray<T>[];

/**
 * A multi-dimensional array with autograd. Create with `tensor`, `zeros`, `randn`...
 *
 * @example
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * x.shape;       // [2, 2]
 * x.mul(x).sum().backward();
 * x.grad?.toArray(); // [[2, 4], [6, 8]]
 */
export class Tensor implements View {
  /** The memory holding the elements (shared with views). */
  readonly storage: Storage;
  /** Size of each dim. */
  readonly shape: readonly number[];
  /** Step in storage elements along each dim. */
  readonly strides: readonly number[];
  /** Position of the first element in the storage. */
  readonly offset: number;
  /** Number of elements. */
  readonly size: number;
  /** @internal In-place modification count of a base tensor (views use their base's). */
  _v = 0;
  /** @internal The tensor this one is a view of (null for a base tensor). */
  readonly _base: Tensor | null;
  /** Accumulated gradient (leaves only), or null. */
  grad: Tensor | null = null;
  /** The backward node that produced this tensor (null for leaves). */
  gradFn: GradFn | null = null;
  /** @internal */
  _requiresGrad = false;
  /** @internal Forward-mode tangents by level (see `autograd/forward.ts`). */
  _tangents: Map<number, Tensor> | null = null;
  /** @internal Gradient hooks of a leaf. */
  _hooks: Hook[] | null = null;
  /** @internal The accumulate-grad node of a leaf (cached by autograd). */
  _leafNode: GradFn | null = null;

  /**
   * @internal Use `tensor()` and the creation functions. Wraps a storage;
   * `base` makes this a view sharing the base's version counter.
   */
  constructor(
    storage: Storage,
    shape: readonly number[],
    strides?: readonly number[],
    offset = 0,
    base: Tensor | null = null,
  ) {
    this.storage = storage;
    this.shape = shape;
    this.strides = strides ?? (shape.length === 0 ? NO_DIMS : contiguousStrides(shape));
    this.offset = offset;
    this.size = sizeOf(shape);
    this._base = base === null ? null : base._base ?? base;
  }

  /** Element type. */
  get dtype(): DType {
    return this.storage.dtype;
  }

  /** Number of dims. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Whether gradients are computed for this tensor. Settable on leaves. */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(value: boolean) {
    if (value) assertFloat('requiresGrad', this.dtype, 'a floating point tensor (only they can require gradients)');
    if (this.gradFn !== null && !value) {
      throw new AutogradError('requiresGrad', 'cannot turn off requiresGrad of a non-leaf tensor; use detach()');
    }
    this._requiresGrad = value;
  }

  /** True for tensors not produced by a recorded op (user-created, or not requiring grad). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** How many in-place ops have modified this tensor's storage (shared with views). */
  get version(): number {
    return (this._base ?? this)._v;
  }

  /** @internal Records an in-place modification (shared with views). */
  _bumpVersion(): void {
    (this._base ?? this)._v++;
  }

  /** True when elements are laid out row-major without gaps. */
  isContiguous(): boolean {
    return isContiguousStrides(this.shape, this.strides);
  }

  /**
   * The single element as a number (bool: 0 or 1).
   *
   * @example
   * tensor([[3]]).item(); // 3
   */
  item(): number {
    if (this.size !== 1) {
      throw new ShapeError('item', `expected a tensor with one element, got shape ${fmtShape(this.shape)}`);
    }
    return backend().read(this)[0]!;
  }

  /**
   * The elements as nested arrays (a number for a 0-d tensor; booleans for bool).
   *
   * @example
   * tensor([[1, 2], [3, 4]]).toArray(); // [[1, 2], [3, 4]]
   */
  toArray(): NestedArray<number | boolean> {
    const flat = backend().read(this);
    const isBool = this.dtype === 'bool';
    const at = (i: number): number | boolean => (isBool ? flat[i] !== 0 : flat[i]!);
    if (this.shape.length === 0) return at(0);
    const build = (dim: number, start: number): NestedArray<number | boolean>[] => {
      const n = this.shape[dim]!;
      const step = sizeOf(this.shape.slice(dim + 1));
      const out: NestedArray<number | boolean>[] = [];
      for (let i = 0; i < n; i++) {
        out.push(dim === this.shape.length - 1 ? at(start + i) : build(dim + 1, start + i * step));
      }
      return out;
    };
    return build(0, 0);
  }

  /**
   * A contiguous row-major copy of the elements as a typed array of the dtype
   * (`Float32Array`, `Float64Array`, `Int32Array`, `Uint8Array` for bool).
   *
   * @example
   * tensor([1, 2]).toTypedArray(); // Float32Array [1, 2]
   */
  toTypedArray(): TypedArray {
    return backend().read(this);
  }

  /**
   * Prints like PyTorch.
   *
   * @example
   * String(tensor([[1, 2], [3, 4]])); // 'tensor([[1., 2.],\n        [3., 4.]])'
   */
  toString(): string {
    return formatTensor(this);
  }

  /** @internal True when this dtype can carry gradients. */
  get _isFloat(): boolean {
    return isFloat(this.dtype);
  }
}
