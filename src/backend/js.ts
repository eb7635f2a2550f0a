/**
 * The `js` backend: plain TypeScript loops over typed arrays. Short and
 * obviously correct; the oracle the fast backends are checked against.
 *
 * The elementwise kernels, copies and reductions walk strided views row by
 * row (`Rows`: the dims every view steps through as one are merged, size-1
 * dims dropped, and each row is a flat loop with one stride per view), so a
 * broadcast or transposed input costs no more than a contiguous one and no
 * list of positions is made; matmul, gather and scatterAdd use the batch or
 * index positions (`positionsOf`); the window kernels (`im2col`, `col2im`)
 * walk the strides directly. Arithmetic is done in float64 and rounded once
 * when stored (float32 results are rounded per op).
 */
import { RangeArgError } from '../errors.js';
import { erf, remainder, roundHalfEven, sigmoid, sign } from './math.js';
import { runLinalg } from './linalg.js';
import { PendingStorage } from './pending.js';
import { isContiguousStrides, sizeOf } from './shape.js';
import { scanValues, sortValues } from './scan.js';
import type {
  Backend, BinaryOp, CompareOp, DType, ReduceOp, Storage, TypedArray, UnaryOp, View, Window,
} from './types.js';

/** A storage of the js backend: a typed array in the JS heap. @example new JsStorage('float32', new Float32Array(4)); */
export class JsStorage implements Storage {
  readonly backend = 'js' as const;
  constructor(readonly dtype: DType, readonly data: TypedArray) {}
  get length(): number {
    return this.data.length;
  }
}

/** A zeroed typed array of `n` elements of `dtype` (also the wasm backend's small storages). @example makeArray('bool', 3); // Uint8Array [0, 0, 0] */
export function makeArray(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'int32': return new Int32Array(n);
    case 'bool': return new Uint8Array(n);
  }
}

function dataOf(v: View): TypedArray {
  return (v.storage as JsStorage).data;
}

/** True when the view's elements are `offset, offset+1, ...` in row-major order (also the webgpu backend's test). @example isContiguous(x); */
export function isContiguous(v: View): boolean {
  return isContiguousStrides(v.shape, v.strides);
}

/**
 * Storage positions of the elements of a view of `shape` with `strides` and
 * `offset`, in row-major order (also the wasm backend's batch offsets).
 *
 * @example
 * positionsOf([2, 2], [1, 2], 0); // Int32Array [0, 2, 1, 3]
 */
export function positionsOf(shape: readonly number[], strides: readonly number[], offset: number): Int32Array {
  const n = sizeOf(shape);
  const out = new Int32Array(n);
  const nd = shape.length;
  if (n === 0) return out;
  if (nd === 0) {
    out[0] = offset;
    return out;
  }
  const idx = new Array<number>(nd).fill(0);
  const last = shape[nd - 1]!;
  const lastStride = strides[nd - 1]!;
  let base = offset;
  for (let i = 0; i < n; i += last) {
    for (let j = 0; j < last; j++) out[i + j] = base + j * lastStride;
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      base += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      base -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * A row-major walk over views of one shape, a row at a time: `len` elements
 * per row, view `k` at positions `base[k] + j·step[k]` (j < len) in the
 * current row; `next()` moves every view to the next row. Dims that every
 * view steps through as one are merged and size-1 dims dropped first, so a
 * contiguous view is one row and a broadcast one has a stride of 0.
 *
 * @example
 * const w = new Rows([2, 3], [[3, 1], [0, 1]], [0, 0]); // w.rows 2, w.len 3, w.step [1, 1]
 */
export class Rows {
  /** Rows to visit (0 for an empty shape). */
  readonly rows: number;
  /** Elements per row. */
  readonly len: number;
  /** Each view's stride along a row. */
  readonly step: number[];
  /** Each view's position of the current row's first element. */
  readonly base: number[];
  private readonly shape: number[];
  private readonly strides: number[][];
  private readonly idx: number[];

  constructor(shape: readonly number[], strides: readonly (readonly number[])[], offsets: readonly number[]) {
    const k = strides.length;
    const dims: number[] = [];
    const st: number[][] = strides.map(() => []);
    for (let d = shape.length - 1; d >= 0; d--) {
      const n = shape[d]!;
      if (n === 1) continue;
      const last = dims.length - 1;
      // Merge into the inner dim when every view's stride here is the inner stride times the inner size.
      if (last >= 0 && strides.every((s, v) => s[d] === st[v]![last]! * dims[last]!)) {
        dims[last] = dims[last]! * n;
        continue;
      }
      dims.push(n);
      for (let v = 0; v < k; v++) st[v]!.push(strides[v]![d]!);
    }
    dims.reverse();
    for (const s of st) s.reverse();
    const total = shape.reduce((a, n) => a * n, 1);
    const nd = dims.length;
    this.len = nd === 0 ? 1 : dims[nd - 1]!;
    this.rows = total === 0 ? 0 : total / this.len;
    this.step = st.map((s) => (nd === 0 ? 0 : s[nd - 1]!));
    this.base = [...offsets];
    this.shape = dims.slice(0, Math.max(nd - 1, 0));
    this.strides = st.map((s) => s.slice(0, Math.max(nd - 1, 0)));
    this.idx = new Array<number>(this.shape.length).fill(0);
  }

  /** Moves every view to the next row (row-major order of the outer dims). */
  next(): void {
    const { shape, strides, idx, base } = this;
    const k = base.length;
    for (let d = shape.length - 1; d >= 0; d--) {
      const n = shape[d]!;
      if (++idx[d]! < n) {
        for (let v = 0; v < k; v++) base[v] = base[v]! + strides[v]![d]!;
        return;
      }
      idx[d] = 0;
      for (let v = 0; v < k; v++) base[v] = base[v]! - strides[v]![d]! * (n - 1);
    }
  }
}

/** The row walk over views of one shape (the shape of the first). */
function rowsOf(views: readonly View[]): Rows {
  return new Rows(views[0]!.shape, views.map((v) => v.strides), views.map((v) => v.offset));
}

/** Reads every element of a view into a float64 array (row-major). */
function gatherValues(v: View): Float64Array {
  const n = sizeOf(v.shape);
  const src = dataOf(v);
  const out = new Float64Array(n);
  if (isContiguous(v)) {
    for (let i = 0; i < n; i++) out[i] = src[v.offset + i]!;
    return out;
  }
  const w = rowsOf([v]);
  const { len, base } = w;
  const s = w.step[0]!;
  for (let r = 0, i = 0; r < w.rows; r++, w.next()) for (let j = 0, p = base[0]!; j < len; j++, p += s) out[i++] = src[p]!;
  return out;
}

const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid,
  abs: Math.abs,
  log1p: Math.log1p,
  expm1: Math.expm1,
  erf,
  sign,
  isnan: (x) => (x !== x ? 1 : 0),
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundHalfEven,
  trunc: Math.trunc,
};

const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  minimum: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  atan2: Math.atan2,
  remainder,
  fmod: (a, b) => a % b,
};

const COMPARE: Record<CompareOp, (a: number, b: number) => number> = {
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
};

/** Accumulators of the reductions; a NaN, once in, stays. */
const REDUCE: Record<ReduceOp, (acc: number, v: number) => number> = {
  sum: (a, v) => a + v,
  prod: (a, v) => a * v,
  max: (a, v) => (v > a || v !== v || a !== a ? (a !== a ? a : v) : a),
  min: (a, v) => (v < a || v !== v || a !== a ? (a !== a ? a : v) : a),
};

/**
 * One row of a binary op: `out[i + j] = op(a[pa + j·sa], b[pb + j·sb])` for
 * j < len. The arithmetic ops have their own loops (a call through the op
 * table does not inline once several ops have run); the others call it.
 */
function binaryRow(
  op: BinaryOp, out: TypedArray, i: number, len: number, a: TypedArray, pa: number, sa: number, b: TypedArray, pb: number, sb: number,
): void {
  const end = i + len;
  switch (op) {
    case 'add':
      for (; i < end; i++, pa += sa, pb += sb) out[i] = a[pa]! + b[pb]!;
      return;
    case 'sub':
      for (; i < end; i++, pa += sa, pb += sb) out[i] = a[pa]! - b[pb]!;
      return;
    case 'mul':
      for (; i < end; i++, pa += sa, pb += sb) out[i] = a[pa]! * b[pb]!;
      return;
    case 'div':
      for (; i < end; i++, pa += sa, pb += sb) out[i] = a[pa]! / b[pb]!;
      return;
    default: {
      const f = BINARY[op];
      for (; i < end; i++, pa += sa, pb += sb) out[i] = f(a[pa]!, b[pb]!);
    }
  }
}

/** Stores float64 values as `dtype` (bool: nonzero or NaN → 1). */
function storeAs(dtype: DType, values: ArrayLike<number>): JsStorage {
  const out = makeArray(dtype, values.length);
  if (dtype === 'bool') for (let i = 0; i < values.length; i++) out[i] = values[i] !== 0 ? 1 : 0;
  else out.set(values);
  return new JsStorage(dtype, out);
}

/** A 1-d or 2-d window as 2-d (a 1-d one gets a unit height), with the input's batch, channel and spatial sizes. */
export interface Grid {
  n: number; c: number; h: number; w: number;
  kh: number; kw: number; sh: number; sw: number; ph: number; pw: number; dh: number; dw: number; oh: number; ow: number;
}

/** The 2-d form of a window over `[N, C, ...spatial]` (also the webgpu backend's); `RangeArgError` unless 1 or 2 spatial dims match it. @example gridOf('im2col', [1, 1], [4], win).kh; // 1 */
export function gridOf(op: string, lead: readonly number[], spatial: readonly number[], win: Window): Grid {
  const nd = win.kernel.length;
  if ((nd !== 1 && nd !== 2) || spatial.length !== nd) {
    throw new RangeArgError(op, `expected 1 or 2 spatial dims matching the window, got spatial [${spatial.join(',')}] and kernel [${win.kernel.join(',')}]`);
  }
  // Spatial dim d of the 2-d form: the height is a unit dim for 1-d windows.
  const at = (a: readonly number[], d: 0 | 1, unit: number): number => (nd === 2 ? a[d]! : d === 0 ? unit : a[0]!);
  return {
    n: lead[0]!, c: lead[1]!, h: at(spatial, 0, 1), w: at(spatial, 1, 1),
    kh: at(win.kernel, 0, 1), kw: at(win.kernel, 1, 1), sh: at(win.stride, 0, 1), sw: at(win.stride, 1, 1),
    ph: at(win.padding, 0, 0), pw: at(win.padding, 1, 0), dh: at(win.dilation, 0, 1), dw: at(win.dilation, 1, 1),
    oh: at(win.out, 0, 1), ow: at(win.out, 1, 1),
  };
}

/**
 * Visits every tap of every window in the row-major order of
 * `[N, C, kh, kw, oh, ow]`: `visit(o, i)` with `o` the tap's index and `i`
 * the input element `(n, c, ih, iw)` as `base(n, c) + ih·rowStride + iw·colStride`
 * (taps outside the input are skipped).
 */
function eachTap(g: Grid, base: (n: number, c: number) => number, rowStride: number, colStride: number, visit: (o: number, i: number) => void): void {
  let o = 0;
  for (let n = 0; n < g.n; n++) {
    for (let c = 0; c < g.c; c++) {
      const b = base(n, c);
      for (let ki = 0; ki < g.kh; ki++) {
        for (let kj = 0; kj < g.kw; kj++) {
          for (let oi = 0; oi < g.oh; oi++, o += g.ow) {
            const ih = oi * g.sh - g.ph + ki * g.dh;
            if (ih < 0 || ih >= g.h) continue;
            const row = b + ih * rowStride;
            const iw0 = kj * g.dw - g.pw;
            for (let oj = 0; oj < g.ow; oj++) {
              const iw = iw0 + oj * g.sw;
              if (iw >= 0 && iw < g.w) visit(o + oj, row + iw * colStride);
            }
          }
        }
      }
    }
  }
}

/** The js backend. @example jsBackend.unary('exp', view, 'float32'); */
export const jsBackend: Backend = {
  name: 'js',

  alloc(dtype, length) {
    return new JsStorage(dtype, makeArray(dtype, length));
  },

  fromArray(dtype, values) {
    return storeAs(dtype, values);
  },

  read(x) {
    const n = sizeOf(x.shape);
    const src = dataOf(x);
    if (isContiguous(x)) return src.slice(x.offset, x.offset + n);
    const out = makeArray(x.storage.dtype, n);
    const w = rowsOf([x]);
    const { len, base } = w;
    const s = w.step[0]!;
    for (let r = 0, i = 0; r < w.rows; r++, w.next()) for (let j = 0, p = base[0]!; j < len; j++, p += s) out[i++] = src[p]!;
    return out;
  },

  async readAsync(x) {
    if (x.storage instanceof PendingStorage) await x.storage.ready;
    return jsBackend.read(x);
  },

  fill(dst, value) {
    const data = dataOf(dst);
    const v = dst.storage.dtype === 'bool' ? (value !== 0 ? 1 : 0) : value;
    const w = rowsOf([dst]);
    const { len, base } = w;
    const s = w.step[0]!;
    for (let r = 0; r < w.rows; r++, w.next()) for (let j = 0, p = base[0]!; j < len; j++, p += s) data[p] = v;
  },

  copy(src, dst) {
    if (src.storage !== dst.storage && isContiguous(src) && isContiguous(dst)) {
      // Distinct storages never overlap: copy element by element, without the position lists
      // (storing a number into the typed array converts exactly as the float64 path below).
      const s = dataOf(src);
      const d = dataOf(dst);
      const n = sizeOf(dst.shape);
      const so = src.offset;
      const o = dst.offset;
      if (dst.storage.dtype === 'bool') for (let i = 0; i < n; i++) d[o + i] = s[so + i] !== 0 ? 1 : 0;
      else for (let i = 0; i < n; i++) d[o + i] = s[so + i]!;
      return;
    }
    // Every value is read before any is written: `src` and `dst` may overlap in one storage.
    const values = gatherValues(src);
    const data = dataOf(dst);
    const isBool = dst.storage.dtype === 'bool';
    const w = rowsOf([dst]);
    const { len, base } = w;
    const s = w.step[0]!;
    for (let r = 0, i = 0; r < w.rows; r++, w.next()) {
      for (let j = 0, p = base[0]!; j < len; j++, p += s, i++) data[p] = isBool ? (values[i] !== 0 ? 1 : 0) : values[i]!;
    }
  },

  unary(op, x, dtype, into) {
    const f = UNARY[op];
    const n = sizeOf(x.shape);
    const src = dataOf(x);
    // `into`: a contiguous view of `dtype` (not overlapping `x`), written from its offset.
    const out = into === undefined ? makeArray(dtype, n) : dataOf(into);
    const i0 = into === undefined ? 0 : into.offset;
    if (isContiguous(x)) {
      for (let i = 0, o = x.offset; i < n; i++) out[i0 + i] = f(src[o + i]!);
    } else {
      const w = rowsOf([x]);
      const { len, base } = w;
      const s = w.step[0]!;
      for (let r = 0, i = i0; r < w.rows; r++, w.next()) for (let j = 0, p = base[0]!; j < len; j++, p += s) out[i++] = f(src[p]!);
    }
    return into === undefined ? new JsStorage(dtype, out) : into.storage;
  },

  binary(op, a, b, dtype, into) {
    const n = sizeOf(a.shape);
    const da = dataOf(a);
    const db = dataOf(b);
    // `into`: write in place (a contiguous view; `a` or `b` may be it, each element read before it is written).
    const out = into === undefined ? makeArray(dtype, n) : dataOf(into);
    // One row when both are contiguous; a broadcast operand (e.g. `x.mul(2)`) has a step of 0.
    const w = rowsOf([a, b]);
    const { len, base, step } = w;
    for (let r = 0, i = into === undefined ? 0 : into.offset; r < w.rows; r++, i += len, w.next()) {
      binaryRow(op, out, i, len, da, base[0]!, step[0]!, db, base[1]!, step[1]!);
    }
    return into === undefined ? new JsStorage(dtype, out) : into.storage;
  },

  compare(op, a, b) {
    const f = COMPARE[op];
    const [da, db] = [dataOf(a), dataOf(b)];
    const out = makeArray('bool', sizeOf(a.shape));
    const w = rowsOf([a, b]);
    const { len, base, step } = w;
    const [sa, sb] = [step[0]!, step[1]!];
    for (let r = 0, i = 0; r < w.rows; r++, w.next()) {
      for (let j = 0, pa = base[0]!, pb = base[1]!; j < len; j++, pa += sa, pb += sb) out[i++] = f(da[pa]!, db[pb]!);
    }
    return new JsStorage('bool', out);
  },

  where(cond, a, b, dtype) {
    const [dc, da, db] = [dataOf(cond), dataOf(a), dataOf(b)];
    const out = makeArray(dtype, sizeOf(a.shape));
    const w = rowsOf([cond, a, b]);
    const { len, base, step } = w;
    const [sc, sa, sb] = [step[0]!, step[1]!, step[2]!];
    for (let r = 0, i = 0; r < w.rows; r++, w.next()) {
      for (let j = 0, pc = base[0]!, pa = base[1]!, pb = base[2]!; j < len; j++, pc += sc, pa += sa, pb += sb) {
        out[i++] = dc[pc] !== 0 ? da[pa]! : db[pb]!;
      }
    }
    return new JsStorage(dtype, out);
  },

  reduce(op, x, dims, dtype) {
    const outShape = x.shape.map((d, i) => (dims.includes(i) ? 1 : d));
    const m = sizeOf(outShape);
    // Output position of each input element: row-major strides of the output, 0 on reduced dims.
    const outStrides = new Array<number>(x.shape.length);
    for (let d = x.shape.length - 1, s = 1; d >= 0; d--) {
      outStrides[d] = dims.includes(d) ? 0 : s;
      s *= outShape[d]!;
    }
    const init = op === 'sum' ? 0 : op === 'prod' ? 1 : op === 'max' ? -Infinity : Infinity;
    const f = REDUCE[op];
    const acc = new Float64Array(m).fill(init);
    // The input's elements in row-major order, each into its output slot.
    const src = dataOf(x);
    const w = new Rows(x.shape, [x.strides, outStrides], [x.offset, 0]);
    const { len, base, step } = w;
    const [sx, st] = [step[0]!, step[1]!];
    for (let r = 0; r < w.rows; r++, w.next()) {
      for (let j = 0, p = base[0]!, t = base[1]!; j < len; j++, p += sx, t += st) acc[t] = f(acc[t]!, src[p]!);
    }
    return storeAs(dtype, acc);
  },

  argReduce(op, x, dim) {
    const outShape = x.shape.map((d, i) => (i === dim ? 1 : d));
    const m = sizeOf(outShape);
    const inner = sizeOf(x.shape.slice(dim + 1));
    const len = x.shape[dim]!;
    const values = gatherValues(x);
    const best = new Float64Array(m);
    const out = new Int32Array(m);
    const better = op === 'argmax'
      ? (v: number, b: number) => v > b || (v !== v && b === b)
      : (v: number, b: number) => v < b || (v !== v && b === b);
    for (let i = 0; i < values.length; i++) {
      const k = Math.floor(i / inner) % len;
      const t = Math.floor(i / (inner * len)) * inner + (i % inner);
      if (k === 0 || better(values[i]!, best[t]!)) {
        best[t] = values[i]!;
        out[t] = k;
      }
    }
    return new JsStorage('int32', out);
  },

  scan(op, x, dim, reverse, dtype) {
    return storeAs(dtype, scanValues(op, gatherValues(x), x.shape, dim, reverse));
  },

  sort(x, dim, descending) {
    return new JsStorage('int32', sortValues(gatherValues(x), x.shape, dim, descending));
  },

  matmul(a, b, dtype, into) {
    const nd = a.shape.length;
    const batch = a.shape.slice(0, nd - 2);
    const n = a.shape[nd - 2]!;
    const k = a.shape[nd - 1]!;
    const m = b.shape[nd - 1]!;
    const [sai, sak] = [a.strides[nd - 2]!, a.strides[nd - 1]!];
    const [sbk, sbj] = [b.strides[nd - 2]!, b.strides[nd - 1]!];
    const baseA = positionsOf(batch, a.strides.slice(0, nd - 2), a.offset);
    const baseB = positionsOf(batch, b.strides.slice(0, nd - 2), b.offset);
    const da = dataOf(a);
    const db = dataOf(b);
    // `into`: a contiguous view of `dtype` (not overlapping `a` or `b`), written from its offset.
    const out = into === undefined ? makeArray(dtype, baseA.length * n * m) : dataOf(into);
    const o0 = into === undefined ? 0 : into.offset;
    const row = new Float64Array(m);
    for (let t = 0; t < baseA.length; t++) {
      const oa = baseA[t]!;
      const ob = baseB[t]!;
      for (let i = 0; i < n; i++) {
        row.fill(0);
        for (let p = 0; p < k; p++) {
          const aip = da[oa + i * sai + p * sak]!;
          const rb = ob + p * sbk;
          for (let j = 0; j < m; j++) row[j] = row[j]! + aip * db[rb + j * sbj]!;
        }
        out.set(row, o0 + (t * n + i) * m);
      }
    }
    return into === undefined ? new JsStorage(dtype, out) : into.storage;
  },

  gather(x, dim, index, dtype) {
    // Position of x at i with i[dim] replaced by 0, for every i of index.shape.
    const strides = x.strides.map((s, d) => (d === dim ? 0 : s));
    const base = positionsOf(index.shape, strides, x.offset);
    const idx = gatherValues(index);
    const src = dataOf(x);
    const size = x.shape[dim]!;
    const out = makeArray(dtype, idx.length);
    for (let i = 0; i < idx.length; i++) {
      const j = idx[i]!;
      if (!(j >= 0 && j < size)) throw new RangeArgError('gather', `index ${j} is out of range for dim ${dim} of size ${size}`);
      out[i] = src[base[i]! + j * x.strides[dim]!]!;
    }
    return new JsStorage(dtype, out);
  },

  scatterAdd(shape, dim, index, src, dtype) {
    const outStrides = new Array<number>(shape.length);
    for (let d = shape.length - 1, s = 1; d >= 0; d--) {
      outStrides[d] = s;
      s *= shape[d]!;
    }
    const base = positionsOf(index.shape, outStrides.map((s, d) => (d === dim ? 0 : s)), 0);
    const idx = gatherValues(index);
    const values = gatherValues(src);
    const size = shape[dim]!;
    const acc = new Float64Array(sizeOf(shape));
    for (let i = 0; i < idx.length; i++) {
      const j = idx[i]!;
      if (!(j >= 0 && j < size)) throw new RangeArgError('scatterAdd', `index ${j} is out of range for dim ${dim} of size ${size}`);
      const t = base[i]! + j * outStrides[dim]!;
      acc[t] = acc[t]! + values[i]!;
    }
    return storeAs(dtype, acc);
  },

  im2col(x, win, dtype) {
    const g = gridOf('im2col', x.shape, x.shape.slice(2), win);
    const nd = win.kernel.length;
    const st = x.strides;
    const src = dataOf(x);
    const out = makeArray(dtype, g.n * g.c * g.kh * g.kw * g.oh * g.ow);
    const rowStride = nd === 2 ? st[2]! : 0;
    eachTap(g, (n, c) => x.offset + n * st[0]! + c * st[1]!, rowStride, st[nd + 1]!, (o, i) => {
      out[o] = src[i]!;
    });
    return new JsStorage(dtype, out);
  },

  col2im(cols, spatial, win, dtype) {
    const g = gridOf('col2im', cols.shape, spatial, win);
    const values = gatherValues(cols);
    const acc = new Float64Array(g.n * g.c * g.h * g.w);
    eachTap(g, (n, c) => (n * g.c + c) * g.h * g.w, g.w, 1, (o, i) => {
      acc[i] = acc[i]! + values[o]!;
    });
    return storeAs(dtype, acc);
  },
  linalg(op, inputs, options, dtype) {
    return runLinalg(jsBackend, op, inputs, options, dtype);
  },
};
