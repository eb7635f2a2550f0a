/// <reference types="@webgpu/types" />
/**
 * The `webgpu` backend object: which kernel runs each call, over the
 * storages of memory.ts, recorded by encoder.ts. The js backend is the spec:
 * same dtype conversions, NaN rules and integer semantics (see README.md for
 * what differs: float32 accumulation, out-of-range indices).
 */
import { DeviceError } from '../../errors.js';
import { gridOf, isContiguous } from '../js.js';
import type { Backend, DType, Storage, TypedArray, View } from '../types.js';
import { gpu } from './device.js';
import { checkErrors, clear, dispatch, readBytes, upload } from './encoder.js';
import {
  binaryKernel, compareKernel, copyKernel, fillBits, fillKernel, runElementwise, unaryKernel, whereKernel, type Elementwise,
} from './kernels/elementwise.js';
import { argReduceInto, reduceInto } from './kernels/reduce.js';
import { around, scanInto } from './kernels/scan.js';
import { sortInto } from './kernels/sort.js';
import { col2imInto, gatherInto, im2colInto, scatterAddInto } from './kernels/indexing.js';
import { linalgOnGpu } from './kernels/linalg.js';
import { collapse, contiguousStrides, sizeOf, type Strided } from './kernels/strided.js';
import { planMatmul } from './matmul.js';
import { checkDtype, newStorage, own, type GpuStorage } from './memory.js';

/** A fresh storage (contents undefined unless `zero`). */
function fresh(op: string, dtype: DType, length: number, zero = false): GpuStorage {
  checkErrors();
  const { storage, fresh: isNew } = newStorage(op, dtype, length);
  if (zero && !isNew && length > 0) clear(op, storage.box, length * 4);
  return storage;
}

function strided(op: string, v: View): Strided & { dtype: DType } {
  const s = own(op, v.storage);
  return { box: s.box, strides: v.strides, offset: v.offset, dtype: s.dtype };
}

function contiguousOut(s: GpuStorage, shape: readonly number[], offset = 0): Strided {
  return { box: s.box, strides: contiguousStrides(shape), offset };
}

/** Runs `k` over views of one shape into a new contiguous storage of `dtype`. */
function map(op: string, k: Elementwise, views: readonly View[], dtype: DType): Storage {
  const shape = views[0]!.shape;
  const ins = views.map((v) => strided(op, v));
  const out = fresh(op, dtype, sizeOf(shape));
  runElementwise(k, shape, contiguousOut(out, shape), ins);
  return out;
}


/** A contiguous copy of a view (itself when it already is one), as `dtype`. */
function contiguousCopy(op: string, v: View, dtype: DType = v.storage.dtype): { storage: GpuStorage; offset: number } {
  const s = own(op, v.storage);
  if (dtype === s.dtype && isContiguous(v)) return { storage: s, offset: v.offset };
  const out = fresh(op, dtype, sizeOf(v.shape));
  runElementwise(copyKernel(s.dtype, dtype), v.shape, contiguousOut(out, v.shape), [strided(op, v)]);
  return { storage: out, offset: 0 };
}

/** A contiguous storage converted to `dtype`. */
function convertStorage(s: GpuStorage, shape: readonly number[], dtype: DType): GpuStorage {
  const out = fresh('convert', dtype, sizeOf(shape));
  runElementwise(copyKernel(s.dtype, dtype), shape, contiguousOut(out, shape), [contiguousOut(s, shape)]);
  return out;
}

/** A matmul product `s` (contiguous, `shape`) as `dtype`: itself, converted, or copied (converted) into `into`. */
function finish(s: GpuStorage, shape: readonly number[], dtype: DType, into: View | undefined): GpuStorage {
  if (into === undefined) return dtype === s.dtype ? s : convertStorage(s, shape, dtype);
  const o = own('matmul', into.storage);
  if (o !== s) runElementwise(copyKernel(s.dtype, dtype), shape, contiguousOut(o, shape, into.offset), [contiguousOut(s, shape)]);
  return o;
}

function convert(bytes: ArrayBuffer, dtype: DType): TypedArray {
  if (dtype === 'float32') return new Float32Array(bytes);
  if (dtype === 'int32') return new Int32Array(bytes);
  return Uint8Array.from(new Uint32Array(bytes));
}

/** The webgpu backend (after `await initWebGPU()`). @example webgpuBackend.unary('exp', view, 'float32'); */
export const webgpuBackend: Backend = {
  name: 'webgpu',

  alloc(dtype, length) {
    return fresh('alloc', dtype, length, true);
  },

  fromArray(dtype, values) {
    checkDtype('fromArray', dtype);
    const s = fresh('fromArray', dtype, values.length);
    let data: Float32Array | Int32Array | Uint32Array;
    if (dtype === 'float32') data = Float32Array.from(values);
    else if (dtype === 'int32') data = Int32Array.from(values);
    else data = Uint32Array.from(values, (v) => (v !== 0 ? 1 : 0));
    upload('fromArray', s.box, data);
    return s;
  },

  read() {
    throw new DeviceError('read', 'webgpu: tensors on the GPU cannot be read synchronously; use await x.toArrayAsync(), x.toTypedArrayAsync() or x.itemAsync()');
  },

  async readAsync(x) {
    const s = own('readAsync', x.storage);
    const n = sizeOf(x.shape);
    const c = contiguousCopy('readAsync', x);
    const bytes = await readBytes('readAsync', c.storage.box, c.offset * 4, n * 4);
    return convert(bytes, s.dtype);
  },

  fill(dst, value) {
    const d = own('fill', dst.storage);
    runElementwise(fillKernel(d.dtype), dst.shape, strided('fill', dst), [], fillBits(d.dtype, value));
  },

  copy(src, dst) {
    const d = own('copy', dst.storage);
    const s = own('copy', src.storage);
    if (s === d) {
      // Views of one buffer may overlap: through a contiguous temporary, as the js backend gathers first.
      const tmp = fresh('copy', s.dtype, sizeOf(src.shape));
      runElementwise(copyKernel(s.dtype, s.dtype), src.shape, contiguousOut(tmp, src.shape), [strided('copy', src)]);
      webgpuBackend.copy({ storage: tmp, shape: src.shape, strides: contiguousStrides(src.shape), offset: 0 }, dst);
      return;
    }
    runElementwise(copyKernel(s.dtype, d.dtype), dst.shape, strided('copy', dst), [strided('copy', src)]);
  },

  unary(op, x, dtype, into) {
    const k = unaryKernel(op, own(op, x.storage).dtype, dtype);
    if (into === undefined) return map(`unary.${op}`, k, [x], dtype);
    const o = own(op, into.storage);
    checkDtype(op, dtype);
    runElementwise(k, x.shape, contiguousOut(o, x.shape, into.offset), [strided(op, x)]);
    return o;
  },

  binary(op, a, b, dtype, into) {
    const k = binaryKernel(op, own(op, a.storage).dtype, own(op, b.storage).dtype, dtype);
    if (into === undefined) return map(op, k, [a, b], dtype);
    const o = own(op, into.storage);
    checkDtype(op, dtype);
    runElementwise(k, a.shape, contiguousOut(o, a.shape, into.offset), [strided(op, a), strided(op, b)]);
    return o;
  },

  compare(op, a, b) {
    return map(op, compareKernel(op, own(op, a.storage).dtype, own(op, b.storage).dtype), [a, b], 'bool');
  },

  where(cond, a, b, dtype) {
    const k = whereKernel(own('where', cond.storage).dtype, own('where', a.storage).dtype, own('where', b.storage).dtype, dtype);
    return map('where', k, [cond, a, b], dtype);
  },

  reduce(op, x, dims, dtype) {
    const s = own(op, x.storage);
    checkDtype(op, dtype);
    const m = sizeOf(x.shape.map((d, i) => (dims.includes(i) ? 1 : d)));
    const r = sizeOf(dims.map((d) => x.shape[d]!));
    const out = fresh(op, dtype, m);
    if (m === 0) return out;
    if (r === 0) {
      // The js backend's empty reductions: 0, 1, ∓Infinity converted to dtype.
      const v = op === 'sum' ? 0 : op === 'prod' ? 1 : op === 'max' ? -Infinity : Infinity;
      runElementwise(fillKernel(dtype), [m], contiguousOut(out, [m]), [], fillBits(dtype, v));
      return out;
    }
    reduceInto(op, { box: s.box, dtype: s.dtype, shape: x.shape, strides: x.strides, offset: x.offset }, dims, dtype, out);
    return out;
  },

  argReduce(op, x, dim) {
    const s = own(op, x.storage);
    const m = sizeOf(x.shape.map((d, i) => (i === dim ? 1 : d)));
    const out = fresh(op, 'int32', m, x.shape[dim] === 0);
    if (m === 0 || x.shape[dim] === 0) return out;
    argReduceInto(op, { box: s.box, dtype: s.dtype, shape: x.shape, strides: x.strides, offset: x.offset }, dim, out);
    return out;
  },

  scan(op, x, dim, reverse, dtype) {
    const c = contiguousCopy('scan', x);
    const out = fresh('scan', dtype, sizeOf(x.shape));
    scanInto(op, { box: c.storage.box, dtype: c.storage.dtype, offset: c.offset }, around(x.shape, dim), reverse, out.box, dtype);
    return out;
  },

  sort(x, dim, descending) {
    const c = contiguousCopy('sort', x);
    const out = fresh('sort', 'int32', sizeOf(x.shape));
    sortInto({ box: c.storage.box, dtype: c.storage.dtype, offset: c.offset }, around(x.shape, dim), descending, out.box);
    return out;
  },

  matmul(a, b, dtype, into) {
    checkDtype('matmul', dtype);
    const nd = a.shape.length;
    const n = a.shape[nd - 2]!;
    const k = a.shape[nd - 1]!;
    const m = b.shape[nd - 1]!;
    const batch = a.shape.slice(0, nd - 2);
    const count = sizeOf(batch);
    const type = dtype === 'float32' ? 'f32' : 'i32';
    const store: DType = type === 'f32' ? 'float32' : 'int32';
    // Operands in the kernel's element type.
    const [va, vb] = [a, b].map((v) => {
      const s = own('matmul', v.storage);
      if (s.dtype === store) return { storage: s, strides: v.strides, offset: v.offset };
      const c = contiguousCopy('matmul', v, store);
      return { storage: c.storage, strides: contiguousStrides(v.shape), offset: c.offset };
    }) as [{ storage: GpuStorage; strides: readonly number[]; offset: number }, { storage: GpuStorage; strides: readonly number[]; offset: number }];
    const total = count * n * m;
    // `into` at offset 0 in the kernel's type takes the product directly; otherwise it is computed, then copied (converted) in.
    const direct = into !== undefined && into.offset === 0 && dtype === store;
    const out = direct ? own('matmul', into.storage) : fresh('matmul', store, total, k === 0);
    if (direct && k === 0 && total > 0) runElementwise(fillKernel(store), [total], contiguousOut(out, [total]), [], fillBits(store, 0));
    if (total === 0 || k === 0) return finish(out, [total], dtype, into);
    const cb = collapse(batch, [va.strides.slice(0, nd - 2), vb.strides.slice(0, nd - 2), contiguousStrides(batch)]);
    const g = gpu('matmul');
    const plan = planMatmul({
      batch: cb.shape, n, k, m, type,
      a: { offset: va.offset, batchStrides: cb.strides[0]!, rowStride: va.strides[nd - 2]!, colStride: va.strides[nd - 1]! },
      b: { offset: vb.offset, batchStrides: cb.strides[1]!, rowStride: vb.strides[nd - 2]!, colStride: vb.strides[nd - 1]! },
    }, { subgroups: g.subgroups, maxWorkgroupStorage: g.limits.maxComputeWorkgroupStorageSize, maxInvocations: g.limits.maxComputeInvocationsPerWorkgroup });
    dispatch({
      name: 'matmul', key: plan.key, code: plan.code, boxes: [va.storage.box, vb.storage.box, out.box], writes: [false, false, true],
      params: plan.params, workgroups: plan.workgroups,
    });
    return direct ? out : finish(out, [total], dtype, into);
  },

  gather(x, dim, index, dtype) {
    const s = strided('gather', x);
    const out = fresh('gather', dtype, sizeOf(index.shape));
    gatherInto(s, x.shape[dim]!, dim, strided('gather', index), index.shape, out.box, dtype);
    return out;
  },

  scatterAdd(shape, dim, index, src, dtype) {
    const out = fresh('scatterAdd', dtype, sizeOf(shape));
    if (sizeOf(shape) > 0) scatterAddInto(shape, dim, strided('scatterAdd', index), index.shape, strided('scatterAdd', src), out.box, dtype);
    return out;
  },

  im2col(x, win, dtype) {
    const g = gridOf('im2col', x.shape, x.shape.slice(2), win);
    const st = x.strides;
    const strides4 = win.kernel.length === 2 ? [st[0]!, st[1]!, st[2]!, st[3]!] : [st[0]!, st[1]!, 0, st[2]!];
    const total = g.n * g.c * g.kh * g.kw * g.oh * g.ow;
    const out = fresh('im2col', dtype, total);
    if (total > 0) im2colInto(strided('im2col', x), strides4, g, out.box, dtype);
    return out;
  },

  col2im(cols, spatial, win, dtype) {
    const g = gridOf('col2im', cols.shape, spatial, win);
    const st = cols.strides;
    const strides6 = win.kernel.length === 2 ? st.slice(0, 6) : [st[0]!, st[1]!, 0, st[2]!, 0, st[3]!];
    const total = g.n * g.c * g.h * g.w;
    const out = fresh('col2im', dtype, total);
    if (total > 0) col2imInto(strided('col2im', cols), strides6, g, out.box, dtype);
    return out;
  },
  linalg(op, inputs, options, dtype) {
    return linalgOnGpu(op, inputs, options, dtype);
  },
};
