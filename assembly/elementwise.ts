// Elementwise kernels over strided views (see iter.ts for the geometry block):
// unary and binary maps, comparisons, where, copy and fill. The output of the
// maps is contiguous (row r at out + r·rowLength); copy and fill write through
// a strided destination. SIMD runs a row when its strides are 1 (or 0: a
// broadcast operand is splatted once per row).
//
// Arithmetic matches the js backend: + − × ÷ √ are correctly rounded in the
// dtype, transcendental functions are computed in float64 and rounded once,
// except float32 exp, sigmoid and tanh: four lanes at a time in float32
// (transcend.ts, within 2 ulp).

import { dimOf, iterNext, iterStart, ndOf, rowOffset, rowsOf, strideOf } from './iter';
import { EXP_F32, SIGMOID_F32, TANH_F32, transcendRowF32 } from './transcend';

// Op codes, in the order of the JS side's tables (src/backend/wasm/codes.ts).
const NEG = 0, EXP = 1, LOG = 2, SQRT = 3, SIN = 4, COS = 5, TANH = 6, SIGMOID = 7, ABS = 8, LOG1P = 9, EXPM1 = 10, ERF = 11, SIGN = 12;
const ASIN = 13, ACOS = 14, ATAN = 15, FLOOR = 16, CEIL = 17, ROUND = 18, TRUNC = 19;
const ADD = 0, SUB = 1, MUL = 2, DIV = 3, POW = 4, MAXIMUM = 5, MINIMUM = 6, ATAN2 = 7, REMAINDER = 8, FMOD = 9;
const EQ = 0, NE = 1, LT = 2, LE = 3, GT = 4, GE = 5;

const TWO_OVER_SQRT_PI: f64 = 1.1283791670955126;

/** The series erf of src/backend/math.ts, term for term. */
function erf(x: f64): f64 {
  if (isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax >= 6) return x > 0 ? 1 : -1;
  const x2 = ax * ax;
  let term = ax;
  let sum = ax;
  for (let n = 1; n < 500; n++) {
    term *= (2 * x2) / <f64>(2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  const r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  return x < 0 ? -r : r;
}

function unaryScalar(op: i32, x: f64): f64 {
  switch (op) {
    case NEG: return -x;
    case EXP: return Math.exp(x);
    case LOG: return Math.log(x);
    case SQRT: return Math.sqrt(x);
    case SIN: return Math.sin(x);
    case COS: return Math.cos(x);
    case TANH: return Math.tanh(x);
    case SIGMOID: {
      if (x >= 0) return 1 / (1 + Math.exp(-x));
      const e = Math.exp(x);
      return e / (1 + e);
    }
    case ABS: return Math.abs(x);
    case LOG1P: return Math.log1p(x);
    case EXPM1: return Math.expm1(x);
    case ERF: return erf(x);
    case SIGN: return x > 0 ? 1 : x < 0 ? -1 : x;
    case ASIN: return Math.asin(x);
    case ACOS: return Math.acos(x);
    case ATAN: return Math.atan(x);
  }
  return NaN;
}

@inline function unaryVec<T>(op: i32, x: v128): v128 {
  if (op == NEG) return v128.neg<T>(x);
  if (op == ABS) return v128.abs<T>(x);
  if (op == FLOOR) return v128.floor<T>(x);
  if (op == CEIL) return v128.ceil<T>(x);
  // nearest: round half to even, as PyTorch's round.
  if (op == ROUND) return v128.nearest<T>(x);
  if (op == TRUNC) return v128.trunc<T>(x);
  return v128.sqrt<T>(x);
}

/** The ops with a SIMD instruction, one element at a time (exact in the dtype: no float64 detour). */
@inline function unaryNative<T>(op: i32, v: T): T {
  if (op == NEG) return -v;
  if (op == ABS) return abs<T>(v);
  if (op == FLOOR) return floor<T>(v);
  if (op == CEIL) return ceil<T>(v);
  if (op == ROUND) return nearest<T>(v);
  if (op == TRUNC) return trunc<T>(v);
  return sqrt<T>(v);
}

@inline function unaryLoop<T>(op: i32, x: usize, sx: i32, o: usize, n: i32): void {
  const S = <usize>sizeof<T>();
  const L = 16 / <i32>S;
  let i = 0;
  if (sx == 1) {
    for (; i + L <= n; i += L) {
      const off = <usize>i * S;
      v128.store(o + off, unaryVec<T>(op, v128.load(x + off)));
    }
  }
  for (; i < n; i++) {
    const v = load<T>(x + <usize>(i * sx) * S);
    store<T>(o + <usize>i * S, unaryNative<T>(op, v));
  }
}

function unary<T>(op: i32, x: usize, out: usize, geo: usize): void {
  const S = <usize>sizeof<T>();
  const nd = ndOf(geo);
  const n = dimOf(geo, nd - 1);
  const sx = strideOf(geo, 0, nd - 1);
  const rows = rowsOf(geo);
  iterStart(geo, 1);
  for (let r = 0; r < rows; r++) {
    const px = x + <usize>rowOffset(geo, 0) * S;
    const po = out + <usize>r * <usize>n * S;
    if (op == NEG) unaryLoop<T>(NEG, px, sx, po, n);
    else if (op == ABS) unaryLoop<T>(ABS, px, sx, po, n);
    else if (op == SQRT) unaryLoop<T>(SQRT, px, sx, po, n);
    else if (op == FLOOR) unaryLoop<T>(FLOOR, px, sx, po, n);
    else if (op == CEIL) unaryLoop<T>(CEIL, px, sx, po, n);
    else if (op == ROUND) unaryLoop<T>(ROUND, px, sx, po, n);
    else if (op == TRUNC) unaryLoop<T>(TRUNC, px, sx, po, n);
    else if (S == 4 && op == EXP) transcendRowF32(EXP_F32, px, sx, po, n);
    else if (S == 4 && op == SIGMOID) transcendRowF32(SIGMOID_F32, px, sx, po, n);
    else if (S == 4 && op == TANH) transcendRowF32(TANH_F32, px, sx, po, n);
    else {
      for (let i = 0; i < n; i++) {
        store<T>(po + <usize>i * S, <T>unaryScalar(op, <f64>load<T>(px + <usize>(i * sx) * S)));
      }
    }
    iterNext(geo, 1);
  }
}

export function unaryF32(op: i32, x: usize, out: usize, geo: usize): void { unary<f32>(op, x, out, geo); }
export function unaryF64(op: i32, x: usize, out: usize, geo: usize): void { unary<f64>(op, x, out, geo); }

@inline function binaryVec<T>(op: i32, a: v128, b: v128): v128 {
  if (op == ADD) return v128.add<T>(a, b);
  if (op == SUB) return v128.sub<T>(a, b);
  if (op == MUL) return v128.mul<T>(a, b);
  if (op == DIV) return v128.div<T>(a, b);
  if (op == MAXIMUM) return v128.max<T>(a, b);
  return v128.min<T>(a, b);
}

@inline function binaryScalar<T>(op: i32, a: T, b: T): T {
  if (op == ADD) return a + b;
  if (op == SUB) return a - b;
  if (op == MUL) return a * b;
  if (op == DIV) return a / b;
  if (op == MAXIMUM) return max<T>(a, b);
  if (op == MINIMUM) return min<T>(a, b);
  if (op == ATAN2) return <T>Math.atan2(<f64>a, <f64>b);
  if (op == FMOD) return <T>(<f64>a % <f64>b);
  if (op == REMAINDER) {
    // Python's sign rule: fmod, plus b when the signs differ (as the js backend, in float64).
    const m = <f64>a % <f64>b;
    return <T>(m != 0 && (m < 0) != (<f64>b < 0) ? m + <f64>b : m);
  }
  return <T>Math.pow(<f64>a, <f64>b);
}

@inline function binaryLoop<T>(op: i32, a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void {
  const S = <usize>sizeof<T>();
  const L = 16 / <i32>S;
  let i = 0;
  if (op < POW || op == MAXIMUM || op == MINIMUM) {
    if (sa == 1 && sb == 1) {
      for (; i + L <= n; i += L) {
        const off = <usize>i * S;
        v128.store(o + off, binaryVec<T>(op, v128.load(a + off), v128.load(b + off)));
      }
    } else if (sa == 1 && sb == 0) {
      const vb = v128.splat<T>(load<T>(b));
      for (; i + L <= n; i += L) {
        const off = <usize>i * S;
        v128.store(o + off, binaryVec<T>(op, v128.load(a + off), vb));
      }
    } else if (sa == 0 && sb == 1) {
      const va = v128.splat<T>(load<T>(a));
      for (; i + L <= n; i += L) {
        const off = <usize>i * S;
        v128.store(o + off, binaryVec<T>(op, va, v128.load(b + off)));
      }
    }
  }
  for (; i < n; i++) {
    store<T>(o + <usize>i * S, binaryScalar<T>(op, load<T>(a + <usize>(i * sa) * S), load<T>(b + <usize>(i * sb) * S)));
  }
}

function binary<T>(op: i32, a: usize, b: usize, out: usize, geo: usize): void {
  const S = <usize>sizeof<T>();
  const nd = ndOf(geo);
  const n = dimOf(geo, nd - 1);
  const sa = strideOf(geo, 0, nd - 1);
  const sb = strideOf(geo, 1, nd - 1);
  const rows = rowsOf(geo);
  iterStart(geo, 2);
  for (let r = 0; r < rows; r++) {
    const pa = a + <usize>rowOffset(geo, 0) * S;
    const pb = b + <usize>rowOffset(geo, 1) * S;
    const po = out + <usize>r * <usize>n * S;
    switch (op) {
      case ADD: binaryLoop<T>(ADD, pa, sa, pb, sb, po, n); break;
      case SUB: binaryLoop<T>(SUB, pa, sa, pb, sb, po, n); break;
      case MUL: binaryLoop<T>(MUL, pa, sa, pb, sb, po, n); break;
      case DIV: binaryLoop<T>(DIV, pa, sa, pb, sb, po, n); break;
      case MAXIMUM: binaryLoop<T>(MAXIMUM, pa, sa, pb, sb, po, n); break;
      case MINIMUM: binaryLoop<T>(MINIMUM, pa, sa, pb, sb, po, n); break;
      case ATAN2: binaryLoop<T>(ATAN2, pa, sa, pb, sb, po, n); break;
      case REMAINDER: binaryLoop<T>(REMAINDER, pa, sa, pb, sb, po, n); break;
      case FMOD: binaryLoop<T>(FMOD, pa, sa, pb, sb, po, n); break;
      default: binaryLoop<T>(POW, pa, sa, pb, sb, po, n);
    }
    iterNext(geo, 2);
  }
}

export function binaryF32(op: i32, a: usize, b: usize, out: usize, geo: usize): void { binary<f32>(op, a, b, out, geo); }
export function binaryF64(op: i32, a: usize, b: usize, out: usize, geo: usize): void { binary<f64>(op, a, b, out, geo); }

@inline function compareScalar<T>(op: i32, a: T, b: T): bool {
  switch (op) {
    case EQ: return a == b;
    case NE: return a != b;
    case LT: return a < b;
    case LE: return a <= b;
    case GT: return a > b;
  }
  return a >= b;
}

@inline function compareVec<T>(op: i32, a: v128, b: v128): v128 {
  if (op == EQ) return v128.eq<T>(a, b);
  if (op == NE) return v128.ne<T>(a, b);
  if (op == LT) return v128.lt<T>(a, b);
  if (op == LE) return v128.le<T>(a, b);
  if (op == GT) return v128.gt<T>(a, b);
  return v128.ge<T>(a, b);
}

/** Lane masks of 16 elements (4 f32x4 or 8 f64x2 comparisons) narrowed to 16 bytes of 0/1. */
@inline function compare16<T>(op: i32, a: usize, sa: i32, va: v128, b: usize, sb: i32, vb: v128): v128 {
  const S = <usize>sizeof<T>();
  let q0: v128, q1: v128, q2: v128, q3: v128;
  if (S == 4) {
    q0 = compareVec<T>(op, sa == 0 ? va : v128.load(a), sb == 0 ? vb : v128.load(b));
    q1 = compareVec<T>(op, sa == 0 ? va : v128.load(a, 16), sb == 0 ? vb : v128.load(b, 16));
    q2 = compareVec<T>(op, sa == 0 ? va : v128.load(a, 32), sb == 0 ? vb : v128.load(b, 32));
    q3 = compareVec<T>(op, sa == 0 ? va : v128.load(a, 48), sb == 0 ? vb : v128.load(b, 48));
  } else {
    // Eight 64-bit masks: keep the low 32 bits of each.
    const m0 = compareVec<T>(op, sa == 0 ? va : v128.load(a), sb == 0 ? vb : v128.load(b));
    const m1 = compareVec<T>(op, sa == 0 ? va : v128.load(a, 16), sb == 0 ? vb : v128.load(b, 16));
    const m2 = compareVec<T>(op, sa == 0 ? va : v128.load(a, 32), sb == 0 ? vb : v128.load(b, 32));
    const m3 = compareVec<T>(op, sa == 0 ? va : v128.load(a, 48), sb == 0 ? vb : v128.load(b, 48));
    const m4 = compareVec<T>(op, sa == 0 ? va : v128.load(a, 64), sb == 0 ? vb : v128.load(b, 64));
    const m5 = compareVec<T>(op, sa == 0 ? va : v128.load(a, 80), sb == 0 ? vb : v128.load(b, 80));
    const m6 = compareVec<T>(op, sa == 0 ? va : v128.load(a, 96), sb == 0 ? vb : v128.load(b, 96));
    const m7 = compareVec<T>(op, sa == 0 ? va : v128.load(a, 112), sb == 0 ? vb : v128.load(b, 112));
    q0 = v128.shuffle<i32>(m0, m1, 0, 2, 4, 6);
    q1 = v128.shuffle<i32>(m2, m3, 0, 2, 4, 6);
    q2 = v128.shuffle<i32>(m4, m5, 0, 2, 4, 6);
    q3 = v128.shuffle<i32>(m6, m7, 0, 2, 4, 6);
  }
  const bytes = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(q0, q1), i16x8.narrow_i32x4_s(q2, q3));
  return v128.and(bytes, i8x16.splat(1));
}

@inline function compareLoop<T>(op: i32, a: usize, sa: i32, b: usize, sb: i32, o: usize, n: i32): void {
  const S = <usize>sizeof<T>();
  let i = 0;
  if ((sa | sb) == 1) {
    // Strides 0 or 1 (not both 0): 16 elements per step.
    const va = v128.splat<T>(load<T>(a));
    const vb = v128.splat<T>(load<T>(b));
    for (; i + 16 <= n; i += 16) {
      v128.store(o + <usize>i, compare16<T>(op, a + <usize>(i * sa) * S, sa, va, b + <usize>(i * sb) * S, sb, vb));
    }
  }
  const bsa = <usize>sa * S;
  const bsb = <usize>sb * S;
  let pa = a + <usize>i * bsa;
  let pb = b + <usize>i * bsb;
  for (; i < n; i++) {
    store<u8>(o + <usize>i, compareScalar<T>(op, load<T>(pa), load<T>(pb)) ? 1 : 0);
    pa += bsa;
    pb += bsb;
  }
}

/** `out[i] = a[i] op b[i]` as bytes 0/1. */
function compare<T>(op: i32, a: usize, b: usize, out: usize, geo: usize): void {
  const S = <usize>sizeof<T>();
  const nd = ndOf(geo);
  const n = dimOf(geo, nd - 1);
  const sa = strideOf(geo, 0, nd - 1);
  const sb = strideOf(geo, 1, nd - 1);
  const rows = rowsOf(geo);
  iterStart(geo, 2);
  for (let r = 0; r < rows; r++) {
    const pa = a + <usize>rowOffset(geo, 0) * S;
    const pb = b + <usize>rowOffset(geo, 1) * S;
    const po = out + <usize>r * <usize>n;
    switch (op) {
      case EQ: compareLoop<T>(EQ, pa, sa, pb, sb, po, n); break;
      case NE: compareLoop<T>(NE, pa, sa, pb, sb, po, n); break;
      case LT: compareLoop<T>(LT, pa, sa, pb, sb, po, n); break;
      case LE: compareLoop<T>(LE, pa, sa, pb, sb, po, n); break;
      case GT: compareLoop<T>(GT, pa, sa, pb, sb, po, n); break;
      default: compareLoop<T>(GE, pa, sa, pb, sb, po, n);
    }
    iterNext(geo, 2);
  }
}

export function compareF32(op: i32, a: usize, b: usize, out: usize, geo: usize): void { compare<f32>(op, a, b, out, geo); }
export function compareF64(op: i32, a: usize, b: usize, out: usize, geo: usize): void { compare<f64>(op, a, b, out, geo); }

/** 16 selected elements: `cond` 16 bytes of 0/1 at c; a, b at strides 0 (splat) or 1. */
@inline function where16<T>(c: usize, a: usize, sa: i32, va: v128, b: usize, sb: i32, vb: v128, o: usize): void {
  const S = <usize>sizeof<T>();
  const m = i8x16.neg(v128.load(c)); // 0 / -1 bytes
  const lo = i16x8.extend_low_i8x16_s(m);
  const hi = i16x8.extend_high_i8x16_s(m);
  const w0 = i32x4.extend_low_i16x8_s(lo);
  const w1 = i32x4.extend_high_i16x8_s(lo);
  const w2 = i32x4.extend_low_i16x8_s(hi);
  const w3 = i32x4.extend_high_i16x8_s(hi);
  if (S == 4) {
    v128.store(o, v128.bitselect(sa == 0 ? va : v128.load(a), sb == 0 ? vb : v128.load(b), w0));
    v128.store(o, v128.bitselect(sa == 0 ? va : v128.load(a, 16), sb == 0 ? vb : v128.load(b, 16), w1), 16);
    v128.store(o, v128.bitselect(sa == 0 ? va : v128.load(a, 32), sb == 0 ? vb : v128.load(b, 32), w2), 32);
    v128.store(o, v128.bitselect(sa == 0 ? va : v128.load(a, 48), sb == 0 ? vb : v128.load(b, 48), w3), 48);
  } else {
    v128.store(o, v128.bitselect(sa == 0 ? va : v128.load(a), sb == 0 ? vb : v128.load(b), i64x2.extend_low_i32x4_s(w0)));
    v128.store(o, v128.bitselect(sa == 0 ? va : v128.load(a, 16), sb == 0 ? vb : v128.load(b, 16), i64x2.extend_high_i32x4_s(w0)), 16);
    v128.store(o, v128.bitselect(sa == 0 ? va : v128.load(a, 32), sb == 0 ? vb : v128.load(b, 32), i64x2.extend_low_i32x4_s(w1)), 32);
    v128.store(o, v128.bitselect(sa == 0 ? va : v128.load(a, 48), sb == 0 ? vb : v128.load(b, 48), i64x2.extend_high_i32x4_s(w1)), 48);
    v128.store(o, v128.bitselect(sa == 0 ? va : v128.load(a, 64), sb == 0 ? vb : v128.load(b, 64), i64x2.extend_low_i32x4_s(w2)), 64);
    v128.store(o, v128.bitselect(sa == 0 ? va : v128.load(a, 80), sb == 0 ? vb : v128.load(b, 80), i64x2.extend_high_i32x4_s(w2)), 80);
    v128.store(o, v128.bitselect(sa == 0 ? va : v128.load(a, 96), sb == 0 ? vb : v128.load(b, 96), i64x2.extend_low_i32x4_s(w3)), 96);
    v128.store(o, v128.bitselect(sa == 0 ? va : v128.load(a, 112), sb == 0 ? vb : v128.load(b, 112), i64x2.extend_high_i32x4_s(w3)), 112);
  }
}

/** `out[i] = cond[i] ? a[i] : b[i]` with a bool (byte) condition. */
function where<T>(cond: usize, a: usize, b: usize, out: usize, geo: usize): void {
  const S = <usize>sizeof<T>();
  const nd = ndOf(geo);
  const n = dimOf(geo, nd - 1);
  const sc = strideOf(geo, 0, nd - 1);
  const sa = strideOf(geo, 1, nd - 1);
  const sb = strideOf(geo, 2, nd - 1);
  const rows = rowsOf(geo);
  const vector = sc == 1 && (sa | sb) <= 1;
  iterStart(geo, 3);
  for (let r = 0; r < rows; r++) {
    let pc = cond + <usize>rowOffset(geo, 0);
    let pa = a + <usize>rowOffset(geo, 1) * S;
    let pb = b + <usize>rowOffset(geo, 2) * S;
    let po = out + <usize>r * <usize>n * S;
    let i = 0;
    if (vector) {
      const va = v128.splat<T>(load<T>(pa));
      const vb = v128.splat<T>(load<T>(pb));
      for (; i + 16 <= n; i += 16) {
        where16<T>(pc, pa, sa, va, pb, sb, vb, po);
        pc += 16;
        pa += <usize>(16 * sa) * S;
        pb += <usize>(16 * sb) * S;
        po += 16 * S;
      }
    }
    const bsc = <usize>sc;
    const bsa = <usize>sa * S;
    const bsb = <usize>sb * S;
    for (; i < n; i++) {
      store<T>(po, select<T>(load<T>(pa), load<T>(pb), load<u8>(pc) != 0));
      pc += bsc;
      pa += bsa;
      pb += bsb;
      po += S;
    }
    iterNext(geo, 3);
  }
}

export function whereF32(cond: usize, a: usize, b: usize, out: usize, geo: usize): void { where<f32>(cond, a, b, out, geo); }
export function whereF64(cond: usize, a: usize, b: usize, out: usize, geo: usize): void { where<f64>(cond, a, b, out, geo); }

/** Copies operand 0 (src) into operand 1 (dst), both strided, elements of `size` bytes (1, 4 or 8). */
export function copy(src: usize, dst: usize, size: i32, geo: usize): void {
  const S = <usize>size;
  const nd = ndOf(geo);
  const n = dimOf(geo, nd - 1);
  const ss = strideOf(geo, 0, nd - 1);
  const sd = strideOf(geo, 1, nd - 1);
  const rows = rowsOf(geo);
  iterStart(geo, 2);
  for (let r = 0; r < rows; r++) {
    let ps = src + <usize>rowOffset(geo, 0) * S;
    let pd = dst + <usize>rowOffset(geo, 1) * S;
    if (ss == 1 && sd == 1) {
      memory.copy(pd, ps, <usize>n * S);
    } else {
      const bs = <usize>ss * S;
      const bd = <usize>sd * S;
      if (size == 4) {
        for (let i = 0; i < n; i++) { store<u32>(pd, load<u32>(ps)); ps += bs; pd += bd; }
      } else if (size == 8) {
        for (let i = 0; i < n; i++) { store<u64>(pd, load<u64>(ps)); ps += bs; pd += bd; }
      } else {
        for (let i = 0; i < n; i++) { store<u8>(pd, load<u8>(ps)); ps += bs; pd += bd; }
      }
    }
    iterNext(geo, 2);
  }
}

/** Writes `value` (as T) into every element of operand 0. */
function fill<T>(dst: usize, value: T, geo: usize): void {
  const S = <usize>sizeof<T>();
  const nd = ndOf(geo);
  const n = dimOf(geo, nd - 1);
  const sd = <usize>strideOf(geo, 0, nd - 1) * S;
  const rows = rowsOf(geo);
  iterStart(geo, 1);
  for (let r = 0; r < rows; r++) {
    let pd = dst + <usize>rowOffset(geo, 0) * S;
    for (let i = 0; i < n; i++) {
      store<T>(pd, value);
      pd += sd;
    }
    iterNext(geo, 1);
  }
}

export function fillF32(dst: usize, value: f32, geo: usize): void { fill<f32>(dst, value, geo); }
export function fillF64(dst: usize, value: f64, geo: usize): void { fill<f64>(dst, value, geo); }
export function fillI32(dst: usize, value: i32, geo: usize): void { fill<i32>(dst, value, geo); }
export function fillU8(dst: usize, value: u8, geo: usize): void { fill<u8>(dst, value, geo); }

/** Zeroes `bytes` bytes at `ptr`. */
export function zero(ptr: usize, bytes: usize): void {
  memory.fill(ptr, 0, bytes);
}
