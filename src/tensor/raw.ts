/**
 * Raw tensor kernels: backend calls wrapped to take and return `Tensor`s, with
 * no autograd. The op table's forward functions are made of these; user code
 * calls the differentiable ops in `ops/` instead.
 */
import { PendingStorage, backend, backendNamed, backendOf, makeArray } from '../backend/index.js';
import type {
  ArgReduceOp, Backend, BackendName, BinaryOp, CompareOp, DType, ReduceOp, ScanOp, Storage, TypedArray, UnaryOp, View, Window,
} from '../backend/index.js';
import { DeviceError, ShapeError, fmtShape } from '../errors.js';
import { broadcastShapes, sameShape, sizeOf } from './shape.js';
import { HOOKS } from './hooks.js';
import { Tensor } from './tensor.js';

/** Reports a raw kernel call to the tracer hooks (when installed) and returns `out`. */
function seen<T extends Tensor | undefined>(fn: (...args: never[]) => unknown, args: readonly unknown[], out: T): T {
  const h = HOOKS.current;
  if (h !== null) h.raw(fn, args, out ?? null);
  return out;
}

/**
 * A view of `x` with the given geometry, sharing its storage and version counter.
 *
 * @example
 * asStrided(x, [3, 2], [1, 3], 0); // the transpose of a contiguous [2, 3]
 */
export function asStrided(x: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return new Tensor(x.storage, shape, strides, offset, x);
}

/**
 * A broadcast view of `x` to `shape` (stride 0 on new and size-1 dims); `x`
 * itself when the shape already matches. The caller checks compatibility.
 *
 * @example
 * expandView(tensor([1, 2]), [3, 2]).shape; // [3, 2]
 */
export function expandView(x: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const lead = shape.length - x.shape.length;
  const strides = shape.map((n, i) => {
    if (i < lead) return 0;
    const d = x.shape[i - lead]!;
    return d === n ? x.strides[i - lead]! : 0;
  });
  return asStrided(x, shape, strides, x.offset);
}

/** A contiguous tensor wrapping a new storage. */
function wrap(storage: Storage, shape: readonly number[]): Tensor {
  return new Tensor(storage, shape);
}

// ---- where a kernel runs ----

const onGpu = (x: View | undefined): boolean => x !== undefined && x.storage.backend === 'webgpu';

/**
 * `x` as an operand of a kernel on `target`: itself when it lives there (or
 * both are CPU backends); a 0-d CPU tensor is uploaded to the GPU (PyTorch
 * lets a CPU scalar into a CUDA op); anything else is a `DeviceError`.
 */
function operand(op: string, x: Tensor, target: Backend): Tensor {
  const from = x.storage.backend;
  if (from === target.name || (from !== 'webgpu' && target.name !== 'webgpu')) return x;
  if (from !== 'webgpu' && x.ndim === 0) return new Tensor(target.fromArray(x.dtype, backendNamed(from).read(x)), []);
  throw new DeviceError(op, `expected all tensors on one backend, got ${target.name} and ${from} (move one with .to('${target.name}') or .to('${from}'))`);
}

/** The GPU backend when any of the tensors lives there, with the others made its operands; else null. */
function gpuPlace(op: string, xs: Tensor[]): Backend | null {
  let gpu: Backend | null = null;
  for (const x of xs) if (onGpu(x)) gpu = backendOf(x);
  if (gpu !== null) for (let i = 0; i < xs.length; i++) xs[i] = operand(op, xs[i]!, gpu);
  return gpu;
}

/** The backend new tensors go to: `on` by name, else the default. */
function target(on: BackendName | undefined): Backend {
  return on === undefined ? backend() : backendNamed(on);
}

/**
 * A new contiguous tensor of `shape` and `dtype` filled with `value`, on
 * backend `on` (default: the default backend).
 *
 * @example
 * filled([2], 'float32', 7).toArray(); // [7, 7]
 */
export function filled(shape: readonly number[], dtype: DType, value: number, on?: BackendName): Tensor {
  const b = target(on);
  const t = new Tensor(b.alloc(dtype, sizeOf(shape)), shape);
  if (value !== 0) b.fill(t, value);
  return seen(filled, [shape, dtype, value, on], t);
}

/**
 * A contiguous copy of `x` converted to `dtype` (a cast when the dtypes
 * differ), on `x`'s backend or on backend `on` (a transfer).
 *
 * @example
 * copyAs(x.transpose(0, 1), 'float64').isContiguous(); // true
 */
export function copyAs(x: Tensor, dtype: DType = x.dtype, on?: BackendName): Tensor {
  const from = backendOf(x);
  const to = on === undefined ? from : backendNamed(on, 'to');
  if (to === from || (isCpuName(from.name) && isCpuName(to.name))) {
    const out = new Tensor(to.alloc(dtype, x.size), x.shape);
    to.copy(x, out);
    return seen(copyAs, [x, dtype, on], out);
  }
  if (!isCpuName(from.name)) {
    // GPU → CPU: the copy is under way when this returns; the storage fills when it lands.
    const onGpu = dtype === 'float64' || dtype === x.dtype ? x : copyAs(x, dtype);
    const arriving = from.readAsync(onGpu).then((a) => (onGpu.dtype === dtype ? a : makeArrayFrom(dtype, a)));
    return seen(copyAs, [x, dtype, on], new Tensor(new PendingStorage(to.name as 'js' | 'wasm', dtype, x.size, arriving), x.shape));
  }
  const c = copyAs(x, dtype);
  return seen(copyAs, [x, dtype, on], new Tensor(to.fromArray(dtype, from.read(c)), x.shape));
}

/** `a` converted to a typed array of `dtype`. */
function makeArrayFrom(dtype: DType, a: TypedArray): TypedArray {
  const out = makeArray(dtype, a.length);
  out.set(a);
  return out;
}

const isCpuName = (n: BackendName): boolean => n !== 'webgpu';

/** Copies `src` (broadcast to `dst.shape` by the caller) into the view `dst`. @example copyInto(src, dst); */
export function copyInto(src: Tensor, dst: Tensor, op = 'copy_'): void {
  const b = backendOf(dst);
  b.copy(operand(op, src, b), dst);
  seen(copyInto, [src, dst, op], undefined);
}

/** Fills the view `dst` with `value`. @example fillInto(x.narrow(0, 0, 1), 5); */
export function fillInto(dst: Tensor, value: number): void {
  backendOf(dst).fill(dst, value);
  seen(fillInto, [dst, value], undefined);
}

/** `op(x)` elementwise, as `dtype`. @example rawUnary('exp', x); */
export function rawUnary(op: UnaryOp, x: Tensor, dtype: DType = x.dtype): Tensor {
  return seen(rawUnary, [op, x, dtype], wrap(backendOf(x).unary(op, x, dtype), x.shape));
}

/**
 * `op(a, b)` elementwise with broadcasting, as `dtype`; `name` is the op
 * named in a broadcast error.
 *
 * @example
 * rawBinary('add', a, b);
 */
export function rawBinary(op: BinaryOp, a: Tensor, b: Tensor, dtype: DType = a.dtype, name: string = op): Tensor {
  const shape = broadcastShapes(name, a.shape, b.shape);
  let be: Backend;
  if (onGpu(a) || onGpu(b)) {
    const xs = [a, b];
    be = gpuPlace(name, xs)!;
    [a, b] = xs as [Tensor, Tensor];
  } else be = backendOf(a);
  return seen(rawBinary, [op, a, b, dtype, name], wrap(be.binary(op, expandView(a, shape), expandView(b, shape), dtype), shape));
}

/**
 * `dst = op(a, b)` in place: `dst` is contiguous, `b` broadcasts to its shape,
 * `a` has its shape, both have its dtype; `a` or `b` may be `dst` itself (no
 * other overlap). The caller bumps the version.
 *
 * @example
 * binaryInto('sub', w, g.mul(0.1), w); // w -= 0.1·g
 */
export function binaryInto(op: BinaryOp, a: Tensor, b: Tensor, dst: Tensor): void {
  const be = backendOf(dst);
  be.binary(op, operand(`${op}_`, a, be), expandView(operand(`${op}_`, b, be), dst.shape), dst.dtype, dst);
  seen(binaryInto, [op, a, b, dst], undefined);
}

/** `a op b` elementwise with broadcasting, as bool. @example rawCompare('gt', a, b); */
export function rawCompare(op: CompareOp, a: Tensor, b: Tensor, name: string = op): Tensor {
  const shape = broadcastShapes(name, a.shape, b.shape);
  let be: Backend;
  if (onGpu(a) || onGpu(b)) {
    const xs = [a, b];
    be = gpuPlace(name, xs)!;
    [a, b] = xs as [Tensor, Tensor];
  } else be = backendOf(a);
  return seen(rawCompare, [op, a, b, name], wrap(be.compare(op, expandView(a, shape), expandView(b, shape)), shape));
}

/** `cond ? a : b` elementwise with broadcasting of all three. @example rawWhere(mask, a, b); */
export function rawWhere(cond: Tensor, a: Tensor, b: Tensor, dtype: DType = a.dtype, name = 'where'): Tensor {
  const shape = broadcastShapes(name, broadcastShapes(name, cond.shape, a.shape), b.shape);
  let be: Backend;
  if (onGpu(cond) || onGpu(a) || onGpu(b)) {
    const xs = [cond, a, b];
    be = gpuPlace(name, xs)!;
    [cond, a, b] = xs as [Tensor, Tensor, Tensor];
  } else be = backendOf(a);
  const s = be.where(expandView(cond, shape), expandView(a, shape), expandView(b, shape), dtype);
  return seen(rawWhere, [cond, a, b, dtype, name], wrap(s, shape));
}

/**
 * Reduces sorted distinct `dims`; keeps them as size 1 when `keepdim`.
 *
 * @example
 * rawReduce('max', x, [1], false, x.dtype);
 */
export function rawReduce(op: ReduceOp, x: Tensor, dims: readonly number[], keepdim: boolean, dtype: DType): Tensor {
  const s = backendOf(x).reduce(op, x, dims, dtype);
  const shape = keepdim ? x.shape.map((d, i) => (dims.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !dims.includes(i));
  return seen(rawReduce, [op, x, dims, keepdim, dtype], wrap(s, shape));
}

/** int32 index of the max/min along `dim`. @example rawArgReduce('argmax', x, 1, false); */
export function rawArgReduce(op: ArgReduceOp, x: Tensor, dim: number, keepdim: boolean): Tensor {
  const s = backendOf(x).argReduce(op, x, dim);
  const shape = keepdim ? x.shape.map((d, i) => (i === dim ? 1 : d)) : x.shape.filter((_, i) => i !== dim);
  return seen(rawArgReduce, [op, x, dim, keepdim], wrap(s, shape));
}

/** The inclusive scan of `x` along `dim` (from the end when `reverse`), as `dtype`. @example rawScan('sum', x, 0, false, x.dtype); */
export function rawScan(op: ScanOp, x: Tensor, dim: number, reverse: boolean, dtype: DType): Tensor {
  return wrap(backendOf(x).scan(op, x, dim, reverse, dtype), x.shape);
}

/** The int32 stable sorting permutation of `x` along `dim` (NaN largest). @example rawSort(x, 1, false); */
export function rawSort(x: Tensor, dim: number, descending: boolean): Tensor {
  return wrap(backendOf(x).sort(x, dim, descending), x.shape);
}

/**
 * Batched matmul `[...ba, n, k] @ [...bb, k, m]` with broadcast batch dims
 * (both at least 2-D; the caller checks the inner dims).
 *
 * @example
 * rawMatmul(a, b);
 */
export function rawMatmul(a: Tensor, b: Tensor, dtype: DType = a.dtype): Tensor {
  const batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const n = a.shape[a.ndim - 2]!;
  const k = a.shape[a.ndim - 1]!;
  const m = b.shape[b.ndim - 1]!;
  const xs = [a, b];
  const be = gpuPlace('matmul', xs) ?? backendOf(a);
  const av = expandView(xs[0]!, [...batch, n, k]);
  const bv = expandView(xs[1]!, [...batch, k, m]);
  return seen(rawMatmul, [a, b, dtype], wrap(be.matmul(av, bv, dtype), [...batch, n, m]));
}

/** `x` gathered along `dim` at int32 `index` (same ndim); the result has the shape of `index`. @example rawGather(x, 1, idx); */
export function rawGather(x: Tensor, dim: number, index: Tensor): Tensor {
  const xs = [x, index];
  const be = gpuPlace('gather', xs) ?? backendOf(x);
  return seen(rawGather, [x, dim, index], wrap(be.gather(xs[0]!, dim, xs[1]!, x.dtype), index.shape));
}

/** Zeros of `shape` with `src` (the shape of `index`) added at `index` along `dim`. @example rawScatterAdd([3], 0, idx, src); */
export function rawScatterAdd(shape: readonly number[], dim: number, index: Tensor, src: Tensor): Tensor {
  if (!sameShape(index.shape, src.shape)) {
    throw new ShapeError('scatterAdd', `index ${fmtShape(index.shape)} and src ${fmtShape(src.shape)} must have one shape`);
  }
  const xs = [index, src];
  const be = gpuPlace('scatterAdd', xs) ?? backendOf(src);
  return seen(rawScatterAdd, [shape, dim, index, src], wrap(be.scatterAdd(shape, dim, xs[0]!, xs[1]!, src.dtype), shape));
}

/**
 * The windows of `x: [N, C, ...spatial]` as `[N, C, ...kernel, ...out]` (0 where a tap falls outside `x`).
 *
 * @example
 * rawIm2col(x, { kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], out: [5, 5] }); // [N, C, 3, 3, 5, 5] of a [N, C, 5, 5]
 */
export function rawIm2col(x: Tensor, w: Window): Tensor {
  return seen(rawIm2col, [x, w], wrap(backendOf(x).im2col(x, w, x.dtype), [x.shape[0]!, x.shape[1]!, ...w.kernel, ...w.out]));
}

/**
 * The transpose of `rawIm2col`: windows `[N, C, ...kernel, ...out]` summed into `[N, C, ...spatial]`.
 *
 * @example
 * rawCol2im(cols, [5, 5], w); // [N, C, 5, 5]
 */
export function rawCol2im(cols: Tensor, spatial: readonly number[], w: Window): Tensor {
  return seen(rawCol2im, [cols, spatial, w], wrap(backendOf(cols).col2im(cols, spatial, w, cols.dtype), [cols.shape[0]!, cols.shape[1]!, ...spatial]));
}

/**
 * A tensor from raw values (row-major) of a given shape and dtype.
 *
 * @example
 * fromValues([1, 2, 3, 4], [2, 2], 'float32');
 */
export function fromValues(values: ArrayLike<number>, shape: readonly number[], dtype: DType, on?: BackendName): Tensor {
  return seen(fromValues, [values, shape, dtype, on], new Tensor(target(on).fromArray(dtype, values), shape));
}

/**
 * True when any element is NaN (float tensors). It reads a value, so a GPU
 * tensor is a `DeviceError` naming `op`.
 *
 * @example
 * hasNaN(tensor([NaN])); // true
 */
export function hasNaN(x: Tensor, op = 'hasNaN'): boolean {
  if ((x.dtype !== 'float32' && x.dtype !== 'float64') || x.size === 0) return false;
  const be = backendOf(x);
  if (!isCpuName(be.name)) throw new DeviceError(op, 'checking a GPU tensor for NaN would read it synchronously; this check needs a CPU backend');
  const flags = be.unary('isnan', x, 'bool');
  const any = be.reduce('max', { storage: flags, shape: [x.size], strides: [1], offset: 0 }, [0], 'bool');
  return be.read({ storage: any, shape: [1], strides: [1], offset: 0 })[0] !== 0;
}

export { rawLinalg, type RawLinalg } from './raw-linalg.js';
