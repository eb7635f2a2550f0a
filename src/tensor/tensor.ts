/**
 * `Tensor`: a strided view onto a backend storage (shape + strides + offset),
 * plus the slots autograd uses (`grad`, `gradFn`, `requiresGrad`, tangents of
 * forward mode, hooks). Views share their base's storage and version counter.
 *
 * The ops (`add`, `sum`, ...) are added as methods by `ops/`, the autograd
 * methods (`backward`, `detach`, ...) by `autograd/`; importing `adjoint`
 * installs both.
 */
import { backendOf, settleChecks } from '../backend/index.js';
import type { BackendName, DType, Storage, TypedArray, View } from '../backend/index.js';
import { AutogradError, DeviceError, ShapeError, fmtShape } from '../errors.js';
import { isFloat, assertFloat } from './dtype.js';
import { formatTensor } from './format.js';
import { HOOKS } from './hooks.js';
import { contiguousStrides, isContiguousStrides, sizeOf } from './shape.js';

const NO_DIMS: readonly number[] = Object.freeze([]);
const EMPTY_READ = new Float32Array(0);

/** Row-major `flat` as nested arrays of `shape` (booleans for bool). */
function nest(shape: readonly number[], isBool: boolean, flat: TypedArray): NestedArray<number | boolean> {
  const at = (i: number): number | boolean => (isBool ? flat[i] !== 0 : flat[i]!);
  if (shape.length === 0) return at(0);
  const build = (dim: number, start: number): NestedArray<number | boolean>[] => {
    const n = shape[dim]!;
    const step = sizeOf(shape.slice(dim + 1));
    const out: NestedArray<number | boolean>[] = [];
    for (let i = 0; i < n; i++) out.push(dim === shape.length - 1 ? at(start + i) : build(dim + 1, start + i * step));
    return out;
  };
  return build(0, 0);
}

/** What `.gradFn` holds: a node of the backward graph (see `autograd/`). */
export interface GradFn {
  /** PyTorch-style name of the node, e.g. `'MulBackward'`. */
  readonly name: string;
}

/**
 * What `vmap` attaches to a tensor it batches: the physical `value` (one more
 * dim, `dim`, of the batch size) at vmap `level`. The batched tensor's own
 * shape is the per-example shape (see `autograd/batching.ts`).
 */
export interface BatchInfo {
  readonly level: number;
  readonly dim: number;
  readonly value: Tensor;
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
  /** @internal The `.grad` slot (the accessor lets a tracer see reads and writes). */
  _grad: Tensor | null = null;
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
  /** @internal Set while `vmap` batches this tensor (see `autograd/batching.ts`). */
  _batch: BatchInfo | null = null;

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

  /** Accumulated gradient (leaves only), or null. */
  get grad(): Tensor | null {
    const h = HOOKS.current;
    if (h !== null) h.gradRead(this, this._grad);
    return this._grad;
  }

  set grad(g: Tensor | null) {
    this._grad = g;
    const h = HOOKS.current;
    if (h !== null) h.gradWrite(this, g);
  }

  /** Element type. */
  get dtype(): DType {
    return this.storage.dtype;
  }

  /** The backend whose memory holds the elements: `'js'`, `'wasm'` or `'webgpu'`. */
  get backend(): BackendName {
    return this.storage.backend;
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
   * The single element as a number (bool: 0 or 1). A GPU tensor is read with
   * `await x.itemAsync()` instead.
   *
   * @example
   * tensor([[3]]).item(); // 3
   */
  item(): number {
    return this.checkOne('item')[0]!;
  }

  /** The single element, on every backend. @example await x.sum().itemAsync(); */
  async itemAsync(): Promise<number> {
    this.checkOne('itemAsync', false);
    return (await this.readAsync())[0]!;
  }

  /**
   * The elements as nested arrays (a number for a 0-d tensor; booleans for
   * bool). A GPU tensor is read with `await x.toArrayAsync()` instead.
   *
   * @example
   * tensor([[1, 2], [3, 4]]).toArray(); // [[1, 2], [3, 4]]
   */
  toArray(): NestedArray<number | boolean> {
    return nest(this.shape, this.dtype === 'bool', this.readSync('toArray'));
  }

  /** The elements as nested arrays, on every backend. @example await x.toArrayAsync(); */
  async toArrayAsync(): Promise<NestedArray<number | boolean>> {
    return nest(this.shape, this.dtype === 'bool', await this.readAsync());
  }

  /**
   * A contiguous row-major copy of the elements as a typed array of the dtype
   * (`Float32Array`, `Float64Array`, `Int32Array`, `Uint8Array` for bool). A
   * GPU tensor is read with `await x.toTypedArrayAsync()` instead.
   *
   * @example
   * tensor([1, 2]).toTypedArray(); // Float32Array [1, 2]
   */
  toTypedArray(): TypedArray {
    return this.readSync('toTypedArray');
  }

  /** The same copy as `toTypedArray`, on every backend. @example await x.toTypedArrayAsync(); */
  toTypedArrayAsync(): Promise<TypedArray> {
    return this.readAsync();
  }

  /** Reads the elements once the checks deferred on the GPU (index ranges) have passed. */
  private async readAsync(): Promise<TypedArray> {
    // Started together, so that on the GPU the checks and the value come back in one submit.
    const [, data] = await Promise.all([settleChecks(), backendOf(this).readAsync(this)]);
    return data;
  }

  private readSync(op: 'item' | 'toArray' | 'toTypedArray'): TypedArray {
    if (this._batch !== null) throw batchedRead(op, this);
    if (HOOKS.current !== null) HOOKS.current.read(this, op);
    if (this.storage.backend === 'webgpu') {
      throw new DeviceError(op, `the tensor is on the GPU (webgpu), which cannot be read synchronously; use await x.${op}Async()`);
    }
    return backendOf(this).read(this);
  }

  private checkOne(op: 'item' | 'itemAsync', read = true): TypedArray {
    if (this.size !== 1) {
      throw new ShapeError(op, `expected a tensor with one element, got shape ${fmtShape(this.shape)}`);
    }
    return read ? this.readSync('item') : EMPTY_READ;
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

  /** Prints like PyTorch on every backend (a GPU tensor is read first). @example console.log(await x.toStringAsync()); */
  async toStringAsync(): Promise<string> {
    return formatTensor(this, await this.readAsync());
  }

  /** @internal True when this dtype can carry gradients. */
  get _isFloat(): boolean {
    return isFloat(this.dtype);
  }
}

/** The error of a data-dependent read inside `vmap` (the values differ per example). */
function batchedRead(op: string, x: Tensor): AutogradError {
  const b = x._batch!;
  return new AutogradError(
    op,
    `cannot read the values of a tensor batched by vmap (shape ${fmtShape(x.shape)} per example, batch dim ${b.dim} of ` +
      `size ${b.value.shape[b.dim]} at vmap level ${b.level}): the values differ per example; return the tensor from the vmapped function instead`,
  );
}
