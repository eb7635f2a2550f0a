/**
 * Creating tensors: from values (`tensor`), filled (`zeros ones full empty`),
 * ranges (`arange linspace eye`) and random (`rand randn randint`).
 * Shape first, options last: `{dtype, requiresGrad}`; float32 by default.
 */
import { backend, backendNamed } from '../backend/index.js';
import type { BackendName, DType, TypedArray } from '../backend/index.js';
import { DTypeError, RangeArgError, ShapeError, fmtShape } from '../errors.js';
import { checkDType, isFloat } from './dtype.js';
import { fromValues, filled } from './raw.js';
import { normal, uniform } from './random.js';
import { checkShape, sizeOf } from './shape.js';
import { Tensor } from './tensor.js';

/** Options of the creation functions. */
export interface CreateOptions {
  /** Element type (default float32; `tensor` infers bool from booleans and the dtype of a typed array). */
  dtype?: DType;
  /** Track gradients for this leaf (float dtypes only). */
  requiresGrad?: boolean;
  /** Where the tensor lives (default: the default backend, see `setBackend`; `*Like`: the source's). */
  backend?: BackendName;
}

/** Options of `tensor`: also the shape of flat data. */
export interface TensorOptions extends CreateOptions {
  /** Shape of flat data (an array or typed array); default: inferred. */
  shape?: readonly number[];
}

/** What `tensor` accepts: a number, a boolean, nested arrays, or flat (typed) arrays with `shape`. */
export type TensorData = number | boolean | TypedArray | readonly TensorData[];

/** A shape argument: a list of sizes, or one size for a 1-D tensor. */
export type ShapeLike = number | readonly number[];

/**
 * Where a tensor made "like" `x` goes: `x`'s backend, unless it and the
 * default are both CPU backends (then the default, as before the GPU).
 */
export function deviceOf(x: Tensor): BackendName | undefined {
  return x.backend === 'webgpu' || backend().name === 'webgpu' ? x.backend : undefined;
}

function finish(t: Tensor, opts: CreateOptions | undefined): Tensor {
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

/** The dtype asked for (checked), after checking that the backend asked for is available. */
function dtypeOf(op: string, opts: CreateOptions | undefined, fallback: DType = 'float32'): DType {
  if (opts?.backend !== undefined) backendNamed(opts.backend, op);
  return opts?.dtype === undefined ? fallback : checkDType(op, opts.dtype);
}

function inferTyped(a: TypedArray): DType {
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'float32';
}

/** Flattens nested arrays, checking that they are rectangular. */
function flatten(data: TensorData, shape: number[], out: (number | boolean)[], depth: number): void {
  if (typeof data === 'number' || typeof data === 'boolean') {
    if (depth !== shape.length) throw new ShapeError('tensor', `ragged nested array: a number at depth ${depth}, expected a list of ${shape[depth]}`);
    out.push(data);
    return;
  }
  if (typeof data !== 'object' || data === null || typeof (data as { length?: unknown }).length !== 'number') {
    const what = typeof data === 'string' ? `the string ${JSON.stringify(data)}` : typeof data === 'object' && data !== null ? 'an object' : String(data);
    throw new DTypeError('tensor', `expected numbers, booleans or nested arrays of them, got ${what} at depth ${depth}`);
  }
  const n = data.length;
  if (depth === shape.length) {
    if (out.length === 0) shape.push(n);
    else throw new ShapeError('tensor', `ragged nested array: a list at depth ${depth}, expected a number`);
  } else if (shape[depth] !== n) {
    throw new ShapeError('tensor', `ragged nested array: expected length ${shape[depth]} at depth ${depth}, got ${n}`);
  }
  for (let i = 0; i < n; i++) {
    const item = (data as ArrayLike<TensorData>)[i]!;
    flatten(item, shape, out, depth + 1);
  }
}

/**
 * A tensor from values: a number (0-d), nested arrays, or a flat array /
 * typed array with `shape`. Booleans make a bool tensor; a typed array keeps
 * its dtype (Float64Array → float64, Int32Array → int32); otherwise float32.
 *
 * @example
 * tensor([[1, 2], [3, 4]]);                       // float32 [2, 2]
 * tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] });
 * tensor([true, false]);                          // bool
 * tensor(3, { requiresGrad: true });              // 0-d leaf
 */
export function tensor(values: TensorData, opts?: TensorOptions): Tensor {
  let flat: ArrayLike<number | boolean>;
  let shape: number[];
  let inferred: DType = 'float32';
  if (ArrayBuffer.isView(values)) {
    flat = values;
    shape = [values.length];
    inferred = inferTyped(values);
  } else if (typeof values === 'number' || typeof values === 'boolean') {
    flat = [values];
    shape = [];
    if (typeof values === 'boolean') inferred = 'bool';
  } else {
    const out: (number | boolean)[] = [];
    shape = [];
    flatten(values, shape, out, 0);
    flat = out;
    if (out.length > 0 && typeof out[0] === 'boolean') inferred = 'bool';
  }
  if (opts?.shape !== undefined) {
    const want = checkShape('tensor', opts.shape);
    if (sizeOf(want) !== flat.length) {
      throw new ShapeError('tensor', `data has ${flat.length} elements but shape ${fmtShape(want)} needs ${sizeOf(want)}`);
    }
    shape = want;
  }
  const dtype = dtypeOf('tensor', opts, inferred);
  const nums = typeof flat[0] === 'boolean' ? Array.from(flat, (v) => (v ? 1 : 0)) : (flat as ArrayLike<number>);
  return finish(fromValues(nums, shape, dtype, opts?.backend), opts);
}

/**
 * A tensor of `shape` filled with `value`.
 *
 * @example
 * full([2, 3], 7);
 */
export function full(shape: ShapeLike, value: number, opts?: CreateOptions): Tensor {
  return finish(filled(checkShape('full', shape), dtypeOf('full', opts), value, opts?.backend), opts);
}

/** Zeros of `shape`. @example zeros([2, 3], { dtype: 'float64' }); */
export function zeros(shape: ShapeLike, opts?: CreateOptions): Tensor {
  return finish(filled(checkShape('zeros', shape), dtypeOf('zeros', opts), 0, opts?.backend), opts);
}

/** Ones of `shape`. @example ones([3]); */
export function ones(shape: ShapeLike, opts?: CreateOptions): Tensor {
  return finish(filled(checkShape('ones', shape), dtypeOf('ones', opts), 1, opts?.backend), opts);
}

/** A tensor of `shape` (zero-filled: memory is never uninitialized here). @example empty([4]); */
export function empty(shape: ShapeLike, opts?: CreateOptions): Tensor {
  return finish(filled(checkShape('empty', shape), dtypeOf('empty', opts), 0, opts?.backend), opts);
}

/** Zeros with the shape (and by default the dtype) of `x`. @example zerosLike(x); */
export function zerosLike(x: Tensor, opts?: CreateOptions): Tensor {
  return finish(filled(x.shape, dtypeOf('zerosLike', opts, x.dtype), 0, opts?.backend ?? deviceOf(x)), opts);
}

/** Ones with the shape (and by default the dtype) of `x`. @example onesLike(x); */
export function onesLike(x: Tensor, opts?: CreateOptions): Tensor {
  return finish(filled(x.shape, dtypeOf('onesLike', opts, x.dtype), 1, opts?.backend ?? deviceOf(x)), opts);
}

/**
 * Values from `start` (inclusive) to `end` (exclusive) by `step`; `arange(n)` is `0..n-1`.
 *
 * @example
 * arange(4);          // [0, 1, 2, 3]
 * arange(1, 2, 0.25); // [1, 1.25, 1.5, 1.75]
 * arange(3, { dtype: 'int32' });
 */
export function arange(end: number, opts?: CreateOptions): Tensor;
export function arange(start: number, end: number, step?: number, opts?: CreateOptions): Tensor;
export function arange(a: number, b?: number | CreateOptions, c?: number, d?: CreateOptions): Tensor {
  const single = typeof b !== 'number';
  const start = single ? 0 : a;
  const end = single ? a : b;
  const step = single ? 1 : c ?? 1;
  const opts = single ? b : d;
  if (step === 0 || !Number.isFinite(step)) throw new RangeArgError('arange', `step must be nonzero and finite, got ${step}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = start + i * step;
  return finish(fromValues(values, [n], dtypeOf('arange', opts), opts?.backend), opts);
}

/**
 * `steps` evenly spaced values from `start` to `end` inclusive.
 *
 * @example
 * linspace(0, 1, 5); // [0, 0.25, 0.5, 0.75, 1]
 */
export function linspace(start: number, end: number, steps: number, opts?: CreateOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new RangeArgError('linspace', `steps must be a non-negative integer, got ${steps}`);
  const values = new Float64Array(steps);
  const h = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Like PyTorch: the second half counts back from `end` so that both ends are exact.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) values[i] = i < half || steps === 1 ? start + i * h : end - (steps - 1 - i) * h;
  return finish(fromValues(values, [steps], dtypeOf('linspace', opts), opts?.backend), opts);
}

/**
 * The identity matrix `[n, m]` (m defaults to n).
 *
 * @example
 * eye(3);
 */
export function eye(n: number, m?: number | CreateOptions, opts?: CreateOptions): Tensor {
  const cols = typeof m === 'number' ? m : n;
  const o = typeof m === 'number' ? opts : m;
  checkShape('eye', [n, cols]);
  const values = new Float64Array(n * cols);
  for (let i = 0; i < Math.min(n, cols); i++) values[i * cols + i] = 1;
  return finish(fromValues(values, [n, cols], dtypeOf('eye', o), o?.backend), o);
}

function randomFill(op: string, shape: ShapeLike, opts: CreateOptions | undefined, draw: () => number): Tensor {
  const s = checkShape(op, shape);
  const dtype = dtypeOf(op, opts);
  if (!isFloat(dtype)) throw new RangeArgError(op, `expected a floating dtype, got ${dtype}`);
  const vb = batching === null ? null : batching(op, s);
  const all = vb === null ? s : [...vb.prefix, ...s];
  const values = new Float64Array(sizeOf(all));
  for (let i = 0; i < values.length; i++) values[i] = draw();
  const t = finish(fromValues(values, all, dtype, opts?.backend), opts);
  return vb === null ? t : vb.wrap(t);
}

/** How `vmap` batches a random draw (see `autograd/batching.ts`): null outside vmap. */
export type RandomBatching = (op: string, shape: readonly number[]) => { prefix: number[]; wrap: (t: Tensor) => Tensor } | null;
let batching: RandomBatching | null = null;

/** Installs vmap's batching of random draws (called once by `autograd/`). @example setRandomBatching(randomBatching); */
export function setRandomBatching(hook: RandomBatching): void {
  batching = hook;
}

/**
 * Uniform draws in [0, 1) from the seeded source (see `manualSeed`).
 *
 * @example
 * manualSeed(1); rand([2, 2]);
 */
export function rand(shape: ShapeLike, opts?: CreateOptions): Tensor {
  return randomFill('rand', shape, opts, uniform);
}

/**
 * Standard normal draws from the seeded source.
 *
 * @example
 * randn([3], { dtype: 'float64' });
 */
export function randn(shape: ShapeLike, opts?: CreateOptions): Tensor {
  return randomFill('randn', shape, opts, normal);
}

/**
 * Uniform integers in [low, high) (int32 by default).
 *
 * @example
 * randint(0, 10, [5]);
 */
export function randint(low: number, high: number, shape: ShapeLike, opts?: CreateOptions): Tensor {
  if (!(Number.isInteger(low) && Number.isInteger(high) && high > low)) {
    throw new RangeArgError('randint', `expected integers low < high, got low ${low} and high ${high}`);
  }
  const s = checkShape('randint', shape);
  const vb = batching === null ? null : batching('randint', s);
  const all = vb === null ? s : [...vb.prefix, ...s];
  const values = new Float64Array(sizeOf(all));
  for (let i = 0; i < values.length; i++) values[i] = low + Math.floor(uniform() * (high - low));
  const t = finish(fromValues(values, all, dtypeOf('randint', opts, 'int32'), opts?.backend), opts);
  return vb === null ? t : vb.wrap(t);
}
