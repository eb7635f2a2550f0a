/**
 * The `wasm` backend: the `Backend` interface over the kernels of assembly/
 * (SIMD; the big GEMMs on worker threads), with storages in the wasm memory
 * (memory.ts).
 *
 * In wasm: matmul, unary/binary/compare/where and copy/fill for float32 and
 * float64 (copy/fill for every dtype), reductions of floats, im2col/col2im;
 * float64 tanh of a contiguous view runs in JS over the wasm memory (`tanhContiguous`);
 * float32 exp, sigmoid and tanh run four lanes at a time in float32 (within 2 ulp,
 * the same values for tensors too small for a wasm call: `transcend.ts`).
 * The rest (argReduce, scan, sort, gather, scatterAdd, int32/bool arithmetic and dtype
 * conversions) runs the js backend's code directly over the wasm memory
 * (a `WasmStorage` exposes its elements as `data`, the way a `JsStorage`
 * does) and copies its result in: all data still lives in wasm memory.
 *
 * Inputs from another backend (a `JsStorage` made before `setBackend('wasm')`)
 * are copied into a temporary block for the call.
 */
import { jsBackend, JsStorage, positionsOf } from '../js.js';
import { runLinalg } from '../linalg.js';
import type { ArgReduceOp, Backend, BinaryOp, CompareOp, DType, ReduceOp, Storage, UnaryOp, View, Window } from '../types.js';
import { collapse, contiguousStrides, geoWords, sizeOf, writeGeo, type Geometry } from './geometry.js';
import {
  BYTES, WasmStorage, addressOf, beginOp, endOp, heap, hostStorage, isSmall, newStorage, outputAddress, permanentBlock, tempBlock,
  typedView,
} from './memory.js';
import type { Kernels, Runtime } from './module.js';
import { splitRows } from './split.js';
import { exp32, sigmoid32, tanh32 } from './transcend.js';
import { JOB_KERNELS, JOB_WORDS, MAX_THREADS, availableWorkers, runParallel, threadCount } from './threads.js';

const UNARY: Record<Exclude<UnaryOp, 'isnan'>, number> = {
  neg: 0, exp: 1, log: 2, sqrt: 3, sin: 4, cos: 5, tanh: 6, sigmoid: 7, abs: 8, log1p: 9, expm1: 10, erf: 11, sign: 12,
  asin: 13, acos: 14, atan: 15, floor: 16, ceil: 17, round: 18, trunc: 19,
};
const BINARY: Record<BinaryOp, number> = {
  add: 0, sub: 1, mul: 2, div: 3, pow: 4, maximum: 5, minimum: 6, atan2: 7, remainder: 8, fmod: 9,
};
const COMPARE: Record<CompareOp, number> = { eq: 0, ne: 1, lt: 2, le: 3, gt: 4, ge: 5 };
const REDUCE: Record<ReduceOp, number> = { sum: 0, prod: 1, max: 2, min: 3 };
const INIT: Record<ReduceOp, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity };

/**
 * Below this many flops a GEMM stays on one thread. With an awake (spinning)
 * worker two threads win from ~0.2 MFLOP here (n = 48: 10 → 8.5 µs; n = 64:
 * 19 → 14 µs; W4's 0.66 MFLOP N=10 layers: 32–37 → 21–23 µs); a sleeping
 * worker costs nothing extra since the caller takes an unclaimed share back
 * (threads.ts). 2·64³ leaves a margin for the posting overhead.
 */
export const THREAD_MIN_FLOPS = 2 * 64 ** 3;
let threadMinFlops = THREAD_MIN_FLOPS;

/**
 * Elementwise kernels (unary, binary, compare, where) of at least this many
 * elements are split over the threads.
 */
export const ELEMENTWISE_THREAD_MIN = 1 << 15;
let elementwiseThreadMin = ELEMENTWISE_THREAD_MIN;

/** Sets the size (elements) from which elementwise kernels use the workers (benchmarks, tests). */
export function setElementwiseThreadMin(n: number): void {
  elementwiseThreadMin = n;
}

/** Sets the GEMM size (flops) from which workers take part (benchmarks, tests). */
export function setThreadMinFlops(flops: number): void {
  threadMinFlops = flops;
}
/** Bytes of each geometry area (enough for 72 dims). */
const GEO_BYTES = 2048;

let rt: Runtime | null = null;
let K: Kernels;
let gemmKernels: Kernels;
let geoA = 0;
let geoB = 0;
/** One geometry block per thread for split elementwise kernels (they keep iteration state in it). */
const geoPar: number[] = [];
let work = 0;

/** Binds the backend to a loaded runtime. */
export function bindRuntime(runtime: Runtime): void {
  rt = runtime;
  K = runtime.plain;
  gemmKernels = runtime.plain;
  geoA = permanentBlock(GEO_BYTES);
  geoB = permanentBlock(GEO_BYTES);
  geoPar.length = 0;
  for (let t = 0; t < MAX_THREADS; t++) geoPar.push(permanentBlock(GEO_BYTES));
  work = permanentBlock(runtime.gemmWorkBytes);
}

/** Chooses the GEMM variant (relaxed SIMD only when loaded). */
export function useRelaxed(on: boolean): void {
  if (rt !== null) gemmKernels = on && rt.relaxed !== null ? rt.relaxed : rt.plain;
}

/** Whether GEMMs use the relaxed SIMD kernels. */
export function relaxedInUse(): boolean {
  return rt !== null && gemmKernels === rt.relaxed;
}

const isFloat = (d: DType): boolean => d === 'float32' || d === 'float64';

/** True when every view has the (float) dtype `dtype`. */
function floats(dtype: DType, ...views: View[]): boolean {
  return isFloat(dtype) && views.every((v) => v.storage.dtype === dtype);
}

/** Byte address of element 0 of the view's storage (pinned for this call). */
function base(v: View): number {
  const s = v.storage;
  if (s instanceof WasmStorage) return addressOf(s);
  // A storage of another backend: a temporary copy for this call.
  const data = (s as JsStorage).data;
  const p = tempBlock(data.byteLength);
  typedView(s.dtype, p, s.length).set(data);
  return p;
}

/** Byte address of the view's first element. */
function addr(v: View): number {
  return base(v) + v.offset * BYTES[v.storage.dtype];
}

function geo(at: number, g: Geometry): number {
  if (geoWords(g.shape.length) * 4 > GEO_BYTES) throw new RangeError(`wasm: too many dims (${g.shape.length})`);
  writeGeo(heap().i32, at >> 2, g);
  return at;
}

/** Runs `f` as one backend call (pins, temporaries). */
function call<T>(f: () => T): T {
  beginOp();
  try {
    return f();
  } finally {
    endOp();
  }
}

/** A js backend result as a wasm storage: kept in the JS heap when small, else copied in. */
function adopt(s: Storage): WasmStorage {
  const data = (s as JsStorage).data;
  if (isSmall(s.dtype, s.length)) return hostStorage(data, s.dtype);
  const out = newStorage(s.dtype, s.length);
  typedView(s.dtype, out.box.ptr, s.length).set(data);
  return out;
}

/**
 * Runs a js backend kernel over the views (reading wasm memory in place) and
 * adopts its result; with `into`, `f` writes into it (its storage's `data`).
 */
function viaJs(f: () => Storage, into?: View): Storage {
  return call(() => (into === undefined ? adopt(f()) : f()));
}

/**
 * Runs `write(p)` with `p` the byte address of `n` elements of `into`: its
 * wasm block, or a temporary block copied into a small (or another
 * backend's) storage after. Returns `into.storage`. Inside `call`.
 */
function writeInto(into: View, n: number, write: (p: number) => void): Storage {
  const s = into.storage;
  if (s instanceof WasmStorage && !s.box.small) {
    write(addr(into));
    return s;
  }
  const p = tempBlock(n * BYTES[s.dtype]);
  write(p);
  if (n > 0) (s as WasmStorage | JsStorage).data.set(typedView(s.dtype, p, n), into.offset);
  return s;
}

/**
 * `out = op(inputs)` over views of one shape with a contiguous output of
 * `dtype` (`into` when given; `small` then writes into it too); `small` (the
 * js kernel) when every view is small: a wasm call costs more than the work then.
 */
function elementwise(views: View[], dtype: DType, small: () => Storage, kernel: ElementwiseKernel, lead: readonly number[], into?: View): Storage {
  const shape = views[0]!.shape;
  const n = sizeOf(shape);
  if (isSmall('float64', n)) return viaJs(small, into);
  return call(() => {
    const ptrs = views.map(addr);
    if (into !== undefined) return writeInto(into, n, (p) => launch(kernel, lead, views, ptrs, p, BYTES[dtype], n));
    const out = newStorage(dtype, n);
    launch(kernel, lead, views, ptrs, outputAddress(out), BYTES[dtype], n);
    return out;
  });
}

type ElementwiseKernel = 'unaryF32' | 'unaryF64' | 'binaryF32' | 'binaryF64' | 'compareF32' | 'compareF64' | 'whereF32' | 'whereF64';

/**
 * Runs an elementwise kernel (`lead` arguments, then the views' pointers, the
 * output's and a geometry) over `n` elements with a contiguous output of
 * `outBytes` per element: on the calling thread, or split by rows over the
 * workers from `elementwiseThreadMin` elements (split.ts).
 */
function launch(kernel: ElementwiseKernel, lead: readonly number[], views: readonly View[], ptrs: readonly number[], out: number, outBytes: number, n: number): void {
  const g = collapse(views[0]!.shape, views.map((v) => v.strides));
  const workers = n >= elementwiseThreadMin && threadCount() > 1 && g.shape[0]! > 1 ? availableWorkers() : 0;
  if (workers === 0) {
    (K[kernel] as (...args: number[]) => void)(...lead, ...ptrs, out, geo(geoA, g));
    return;
  }
  const code = JOB_KERNELS.indexOf(kernel);
  const bytes = [...views.map((v) => BYTES[v.storage.dtype]), outBytes];
  const parts = splitRows(g, Math.min(workers + 1, threadCount()), bytes);
  const jobs = parts.map((p, t) => {
    const words = [code, ...lead, ...ptrs.map((q, o) => q + p.offsets[o]!), out + p.offsets[views.length]!, geo(geoPar[t]!, p.geometry)];
    while (words.length < JOB_WORDS) words.push(0);
    return words;
  });
  runParallel(jobs, gemmKernels !== rt!.plain, runJobs);
}

/** The float32 functions the wasm kernels compute four lanes at a time (assembly/transcend.ts), one element at a time in JS. */
const LANES: Partial<Record<UnaryOp, (x: number) => number>> = { exp: exp32, sigmoid: sigmoid32, tanh: tanh32 };

/** float32 exp, sigmoid or tanh of a view too small for a wasm call (into `into` when given): the same values as the wasm lanes. */
function lanesSmall(fn: (x: number) => number, x: View, into?: View): Storage {
  const pos = positionsOf(x.shape, x.strides, x.offset);
  const src = (x.storage as WasmStorage | JsStorage).data;
  const out = into === undefined ? new Float32Array(pos.length) : (into.storage as WasmStorage | JsStorage).data;
  const o = into === undefined ? 0 : into.offset;
  for (let i = 0; i < pos.length; i++) out[o + i] = fn(src[pos[i]!]!);
  return into === undefined ? hostStorage(out, 'float32') : into.storage;
}

/**
 * tanh of a contiguous float64 view (`n` elements), in JS over the wasm memory:
 * V8's Math.tanh (fdlibm, native code) takes about 60% of the time of the
 * kernels' port (musl, scalar float64 in wasm), and is exactly what the js
 * backend computes: float64, rounded once. (The other transcendental
 * functions are faster in wasm: they stay there.)
 */
function tanhContiguous(x: View, n: number, dtype: DType, into?: View): Storage {
  const out = into === undefined ? newStorage(dtype, n) : into.storage; // first: an allocation may grow the memory, detaching views
  const src = (x.storage as WasmStorage | JsStorage).data;
  const dst = (out as WasmStorage | JsStorage).data;
  for (let i = 0, o = x.offset, d = into === undefined ? 0 : into.offset; i < n; i++) dst[d + i] = Math.tanh(src[o + i]!);
  return out;
}

/** `a @ b` (float views of `dtype`, at byte addresses `pa`, `pb`) into the contiguous product at `pc`: one GEMM or jobs over the threads. Inside `call`. */
function gemm(a: View, b: View, dtype: DType, pa: number, pb: number, pc: number): void {
  const nd = a.shape.length;
  const batch = a.shape.slice(0, nd - 2);
  const count = sizeOf(batch);
  const n = a.shape[nd - 2]!;
  const k = a.shape[nd - 1]!;
  const m = b.shape[nd - 1]!;
  const S = BYTES[dtype];
  if (k === 0) {
    K.zero(pc, count * n * m * S);
    return;
  }
  const [sai, sak] = [a.strides[nd - 2]!, a.strides[nd - 1]!];
  const [sbk, sbj] = [b.strides[nd - 2]!, b.strides[nd - 1]!];
  const code = dtype === 'float32' ? 0 : 1;
  const flops = 2 * count * n * k * m;
  const workers = threadCount() > 1 && flops >= threadMinFlops ? availableWorkers() : 0;
  const T = Math.min(workers + 1, threadCount());
  if (T === 1 && count === 1) {
    // One product on this thread (most small GEMMs): no job lists.
    (code === 0 ? gemmKernels.gemmF32 : gemmKernels.gemmF64)(pa, sai, sak, pb, sbk, sbj, pc, m, n, k, m, work);
    return;
  }
  const offA = positionsOf(batch, a.strides.slice(0, nd - 2), 0);
  const offB = positionsOf(batch, b.strides.slice(0, nd - 2), 0);
  const pas: number[] = [];
  const pbs: number[] = [];
  const pcs: number[] = [];
  for (let t = 0; t < count; t++) {
    pas.push(pa + offA[t]! * S);
    pbs.push(pb + offB[t]! * S);
    pcs.push(pc + t * n * m * S);
  }
  const jobs = splitGemm(T, code, pas, pbs, pcs, sai, sak, sbk, sbj, n, k, m, S);
  if (T === 1) runJobs(jobs[0]!);
  else runParallel(jobs, gemmKernels !== rt!.plain, runJobs);
}

function fillValue(dtype: DType, value: number): number {
  return dtype === 'bool' ? (value !== 0 ? 1 : 0) : value;
}

/** The GEMM jobs of one product split over `T` threads: jobs[t] is a flat list of job words. */
function splitGemm(T: number, code: number, pas: number[], pbs: number[], pcs: number[], sai: number, sak: number, sbk: number, sbj: number, n: number, k: number, m: number, S: number): number[][] {
  const jobs: number[][] = Array.from({ length: T }, () => []);
  const count = pas.length;
  const job = (t: number, a: number, b: number, c: number, rows: number, cols: number): void => {
    if (rows > 0 && cols > 0) jobs[t]!.push(code, a, sai, sak, b, sbk, sbj, c, m, rows, k, cols);
  };
  if (count >= 2 * T) {
    // Whole matrices per thread.
    for (let t = 0; t < count; t++) {
      const th = Math.floor((t * T) / count);
      job(th, pas[t]!, pbs[t]!, pcs[t]!, n, m);
    }
    return jobs;
  }
  for (let t = 0; t < count; t++) {
    if (n >= m) {
      const chunk = Math.ceil(n / T / 4) * 4;
      for (let th = 0; th < T; th++) {
        const i0 = th * chunk;
        job(th, pas[t]! + i0 * sai * S, pbs[t]!, pcs[t]! + i0 * m * S, Math.min(chunk, n - i0), m);
      }
    } else {
      const chunk = Math.ceil(m / T / 8) * 8;
      for (let th = 0; th < T; th++) {
        const j0 = th * chunk;
        job(th, pas[t]!, pbs[t]! + j0 * sbj * S, pcs[t]! + j0 * S, n, Math.min(chunk, m - j0));
      }
    }
  }
  return jobs;
}

function runJobs(words: readonly number[]): void {
  const g = gemmKernels as unknown as Record<(typeof JOB_KERNELS)[number], (...args: number[]) => void>;
  for (let o = 0; o < words.length; o += JOB_WORDS) {
    const f = g[JOB_KERNELS[words[o]!]!];
    f(words[o + 1]!, words[o + 2]!, words[o + 3]!, words[o + 4]!, words[o + 5]!, words[o + 6]!, words[o + 7]!, words[o + 8]!, words[o + 9]!, words[o + 10]!, words[o + 11]!, work);
  }
}

/** A 1-d or 2-d window as the 18-word block of assembly/window.ts, or null when it is neither. */
function windowBlock(lead: readonly number[], spatial: readonly number[], w: Window, strides: readonly number[] | null): number[] | null {
  const nd = w.kernel.length;
  if ((nd !== 1 && nd !== 2) || spatial.length !== nd) return null;
  const two = (a: readonly number[], unit: number): [number, number] => (nd === 2 ? [a[0]!, a[1]!] : [unit, a[0]!]);
  const [h, wd] = two(spatial, 1);
  const [kh, kw] = two(w.kernel, 1);
  const [sh, sw] = two(w.stride, 1);
  const [ph, pw] = two(w.padding, 0);
  const [dh, dw] = two(w.dilation, 1);
  const [oh, ow] = two(w.out, 1);
  const st = strides ?? [0, 0, 0, 0];
  const [sH, sW] = nd === 2 ? [st[2]!, st[3]!] : [0, st[2]!];
  return [lead[0]!, lead[1]!, h, wd, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, st[0]!, st[1]!, sH, sW];
}

/** The wasm backend. @example setBackend('wasm'); */
export const wasmBackend: Backend = {
  name: 'wasm',

  alloc(dtype, length) {
    return call(() => {
      const s = newStorage(dtype, length);
      if (!s.box.small) K.zero(s.box.ptr, length * BYTES[dtype]);
      return s;
    });
  },

  fromArray(dtype, values) {
    return call(() => {
      const s = newStorage(dtype, values.length);
      if (values.length > 0) {
        const v = s.data;
        if (dtype === 'bool') for (let i = 0; i < values.length; i++) v[i] = values[i] !== 0 ? 1 : 0;
        else v.set(values);
      }
      return s;
    });
  },

  read(x) {
    // The js backend reads the elements through `storage.data` (no wasm allocation in between).
    return jsBackend.read(x);
  },

  readAsync(x) {
    return jsBackend.readAsync(x);
  },

  fill(dst, value) {
    const s = dst.storage;
    if (!(s instanceof WasmStorage) || s.box.small) return jsBackend.fill(dst, value);
    if (sizeOf(dst.shape) === 0) return;
    call(() => {
      const p = addr(dst);
      const g = geo(geoA, collapse(dst.shape, [dst.strides]));
      const v = fillValue(s.dtype, value);
      switch (s.dtype) {
        case 'float32': K.fillF32(p, v, g); break;
        case 'float64': K.fillF64(p, v, g); break;
        case 'int32': K.fillI32(p, v, g); break;
        case 'bool': K.fillU8(p, v, g); break;
      }
    });
  },

  copy(src, dst) {
    const d = dst.storage;
    // Conversions, another backend's destination, and overlapping copies within one storage: the js backend (in place).
    if (!(d instanceof WasmStorage) || d.box.small || src.storage.dtype !== d.dtype || src.storage === d) return jsBackend.copy(src, dst);
    if (sizeOf(dst.shape) === 0) return;
    call(() => {
      const ps = addr(src);
      const pd = addr(dst);
      K.copy(ps, pd, BYTES[d.dtype], geo(geoA, collapse(dst.shape, [src.strides, dst.strides])));
    });
  },

  // With `into`, every path is the one taken without it, writing there instead (the same values).
  unary(op, x, dtype, into) {
    const js = (): Storage => jsBackend.unary(op, x, dtype, into);
    if (op === 'isnan') {
      if (isFloat(x.storage.dtype) && dtype === 'bool') {
        const f = x.storage.dtype === 'float32' ? 'compareF32' : 'compareF64';
        return elementwise([x, x], 'bool', js, f, [COMPARE.ne], into);
      }
      return viaJs(js, into);
    }
    if (!floats(dtype, x)) return viaJs(js, into);
    const lane = dtype === 'float32' && x.storage.dtype === 'float32' ? LANES[op] : undefined;
    if (lane !== undefined && isSmall('float64', sizeOf(x.shape))) return call(() => lanesSmall(lane, x, into));
    if (op === 'tanh' && dtype === 'float64') {
      const g = collapse(x.shape, [x.strides]);
      if (g.shape.length === 1 && g.strides[0]![0] === 1) return call(() => tanhContiguous(x, g.shape[0]!, dtype, into));
    }
    return elementwise([x], dtype, js, dtype === 'float32' ? 'unaryF32' : 'unaryF64', [UNARY[op]], into);
  },

  binary(op, a, b, dtype, into) {
    if (into !== undefined) {
      // In place: the wasm kernel writes rows contiguously, which `into` is.
      const d = into.storage;
      if (!floats(dtype, a, b) || !(d instanceof WasmStorage) || d.box.small || isSmall('float64', sizeOf(a.shape))) {
        return call(() => jsBackend.binary(op, a, b, dtype, into));
      }
      return call(() => {
        const ptrs = [addr(a), addr(b)];
        launch(dtype === 'float32' ? 'binaryF32' : 'binaryF64', [BINARY[op]], [a, b], ptrs, addr(into), BYTES[dtype], sizeOf(a.shape));
        return d;
      });
    }
    if (!floats(dtype, a, b)) return viaJs(() => jsBackend.binary(op, a, b, dtype));
    return elementwise([a, b], dtype, () => jsBackend.binary(op, a, b, dtype), dtype === 'float32' ? 'binaryF32' : 'binaryF64', [BINARY[op]]);
  },

  compare(op, a, b) {
    const dt = a.storage.dtype;
    if (!floats(dt, a, b)) return viaJs(() => jsBackend.compare(op, a, b));
    return elementwise([a, b], 'bool', () => jsBackend.compare(op, a, b), dt === 'float32' ? 'compareF32' : 'compareF64', [COMPARE[op]]);
  },

  where(cond, a, b, dtype) {
    if (cond.storage.dtype !== 'bool' || !floats(dtype, a, b)) return viaJs(() => jsBackend.where(cond, a, b, dtype));
    return elementwise([cond, a, b], dtype, () => jsBackend.where(cond, a, b, dtype), dtype === 'float32' ? 'whereF32' : 'whereF64', []);
  },

  reduce(op, x, dims, dtype) {
    if (!floats(dtype, x) || isSmall('float64', sizeOf(x.shape))) return viaJs(() => jsBackend.reduce(op, x, dims, dtype));
    return call(() => {
      const keptShape: number[] = [];
      const keptStrides: number[] = [];
      const redShape: number[] = [];
      const redStrides: number[] = [];
      x.shape.forEach((n, d) => {
        if (dims.includes(d)) {
          redShape.push(n);
          redStrides.push(x.strides[d]!);
        } else {
          keptShape.push(n);
          keptStrides.push(x.strides[d]!);
        }
      });
      const m = sizeOf(keptShape);
      const px = addr(x);
      const out = newStorage(dtype, m);
      if (m === 0) return out;
      const po = outputAddress(out);
      if (sizeOf(redShape) === 0) {
        typedView(dtype, po, m).fill(INIT[op]);
        return out;
      }
      const gK = collapse(keptShape, [keptStrides]);
      const gR = collapse(redShape, [redStrides]);
      const kIn = gK.strides[0]!.at(-1)!;
      const mK = gK.shape.at(-1)!;
      const rIn = gR.strides[0]!.at(-1)!;
      const F = dtype === 'float32';
      if (rIn !== 1 && kIn === 1 && mK >= 4 && mK * 8 <= rt!.gemmWorkBytes) {
        // Whole rows of outputs at once.
        const outer: Geometry = gK.shape.length > 1 ? { shape: gK.shape.slice(0, -1), strides: [gK.strides[0]!.slice(0, -1)] } : { shape: [1], strides: [[0]] };
        (F ? K.reduceColsF32 : K.reduceColsF64)(REDUCE[op], px, po, mK, geo(geoA, outer), geo(geoB, gR), work);
      } else {
        (F ? K.reduceRowsF32 : K.reduceRowsF64)(REDUCE[op], px, po, geo(geoA, gK), geo(geoB, gR));
      }
      return out;
    });
  },

  argReduce(op: ArgReduceOp, x, dim) {
    return viaJs(() => jsBackend.argReduce(op, x, dim));
  },

  // A running scan and a comparison sort gain nothing from SIMD: the js code over the wasm memory.
  scan(op, x, dim, reverse, dtype) {
    return viaJs(() => jsBackend.scan(op, x, dim, reverse, dtype));
  },

  sort(x, dim, descending) {
    return viaJs(() => jsBackend.sort(x, dim, descending));
  },

  // With `into`: the same path (the js code when both operands are small, else the GEMMs) writing there.
  matmul(a, b, dtype, into) {
    if (!floats(dtype, a, b) || (isSmall('float64', sizeOf(a.shape)) && isSmall('float64', sizeOf(b.shape)))) {
      return viaJs(() => jsBackend.matmul(a, b, dtype, into), into);
    }
    return call(() => {
      const nd = a.shape.length;
      const total = sizeOf(a.shape.slice(0, nd - 2)) * a.shape[nd - 2]! * b.shape[nd - 1]!;
      const pa = addr(a);
      const pb = addr(b);
      if (into !== undefined) return total === 0 ? into.storage : writeInto(into, total, (pc) => gemm(a, b, dtype, pa, pb, pc));
      const out = newStorage(dtype, total);
      if (total > 0) gemm(a, b, dtype, pa, pb, outputAddress(out));
      return out;
    });
  },

  gather(x, dim, index, dtype) {
    return viaJs(() => jsBackend.gather(x, dim, index, dtype));
  },

  scatterAdd(shape, dim, index, src, dtype) {
    return viaJs(() => jsBackend.scatterAdd(shape, dim, index, src, dtype));
  },

  im2col(x, w, dtype) {
    const block = windowBlock(x.shape, x.shape.slice(2), w, x.strides);
    if (block === null || !floats(dtype, x)) return viaJs(() => jsBackend.im2col(x, w, dtype));
    return call(() => {
      const px = addr(x);
      const out = newStorage(dtype, block[0]! * block[1]! * block[4]! * block[5]! * block[12]! * block[13]!);
      if (out.length === 0) return out;
      heap().i32.set(block, geoA >> 2);
      (dtype === 'float32' ? K.im2colF32 : K.im2colF64)(px, outputAddress(out), geoA);
      return out;
    });
  },

  col2im(cols, spatial, w, dtype) {
    const block = windowBlock(cols.shape, spatial, w, null);
    if (block === null || !floats(dtype, cols)) return viaJs(() => jsBackend.col2im(cols, spatial, w, dtype));
    return call(() => {
      const S = BYTES[dtype];
      let pc = addr(cols);
      const n = sizeOf(cols.shape);
      const out = newStorage(dtype, block[0]! * block[1]! * block[2]! * block[3]!);
      if (out.length === 0) return out;
      const po = outputAddress(out);
      if (n === 0) {
        K.zero(po, out.length * S);
        return out;
      }
      const g = collapse(cols.shape, [cols.strides, contiguousStrides(cols.shape)]);
      if (g.shape.length > 1 || g.strides[0]![0] !== 1) {
        // Windows must be contiguous: copy them first.
        const tmp = tempBlock(n * S);
        K.copy(pc, tmp, S, geo(geoA, g));
        pc = tmp;
      }
      heap().i32.set(block, geoA >> 2);
      (dtype === 'float32' ? K.col2imF32 : K.col2imF64)(pc, po, geoA);
      return out;
    });
  },
  // The js code over the wasm memory (reads copy the inputs out, results are copied in): O(n³) work on small matrices.
  linalg(op, inputs, options, dtype) {
    return runLinalg(wasmBackend, op, inputs, options, dtype);
  },
};
