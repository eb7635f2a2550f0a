// Reductions (sum, prod, max, min) over a set of dims of a strided view.
//
// The JS side splits the dims of x into kept and reduced ones and writes one
// geometry block for each (operand 0 = x's strides). Two layouts:
// - rows: every output is a strided walk over the reduced dims; SIMD along the
//   innermost reduced dim when it is contiguous;
// - cols: the innermost kept dim is contiguous (length M): each reduced
//   element adds a whole vector of M outputs at once. Each output then sees
//   its elements in row-major order, like the js backend.
// float32 sums and products accumulate in float64 (as the js backend does).
// max and min propagate NaN.

import { dimOf, iterNext, iterStart, ndOf, rowOffset, rowsOf, strideOf } from './iter';

const SUM = 0, PROD = 1, MAX = 2, MIN = 3;

@inline function initOf(op: i32): f64 {
  return op == SUM ? 0 : op == PROD ? 1 : op == MAX ? -Infinity : Infinity;
}

@inline function combine(op: i32, acc: f64, v: f64): f64 {
  if (op == SUM) return acc + v;
  if (op == PROD) return acc * v;
  if (op == MAX) return max<f64>(acc, v);
  return min<f64>(acc, v);
}

/** Reduces n elements at p with element stride s (bytes: s·sizeof<T>), as f64. */
function reduceRun<T>(op: i32, p: usize, s: i32, n: i32): f64 {
  const S = <usize>sizeof<T>();
  let i = 0;
  let acc = initOf(op);
  if (s == 1 && (op == SUM || op == MAX || op == MIN)) {
    if (op == SUM) {
      let v0 = f64x2.splat(0), v1 = f64x2.splat(0), v2 = f64x2.splat(0), v3 = f64x2.splat(0);
      if (S == 4) {
        for (; i + 8 <= n; i += 8) {
          const x0 = v128.load(p + <usize>i * 4);
          const x1 = v128.load(p + <usize>i * 4, 16);
          v0 = f64x2.add(v0, f64x2.promote_low_f32x4(x0));
          v1 = f64x2.add(v1, f64x2.promote_low_f32x4(v128.shuffle<f32>(x0, x0, 2, 3, 0, 1)));
          v2 = f64x2.add(v2, f64x2.promote_low_f32x4(x1));
          v3 = f64x2.add(v3, f64x2.promote_low_f32x4(v128.shuffle<f32>(x1, x1, 2, 3, 0, 1)));
        }
      } else {
        for (; i + 8 <= n; i += 8) {
          const q = p + <usize>i * 8;
          v0 = f64x2.add(v0, v128.load(q));
          v1 = f64x2.add(v1, v128.load(q, 16));
          v2 = f64x2.add(v2, v128.load(q, 32));
          v3 = f64x2.add(v3, v128.load(q, 48));
        }
      }
      const v = f64x2.add(f64x2.add(v0, v1), f64x2.add(v2, v3));
      acc = f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
    } else {
      const L = 16 / <i32>S;
      if (n >= 2 * L) {
        let m0 = v128.load(p), m1 = v128.load(p, 16);
        i = 2 * L;
        for (; i + 2 * L <= n; i += 2 * L) {
          const q = p + <usize>i * S;
          if (op == MAX) {
            m0 = v128.max<T>(m0, v128.load(q));
            m1 = v128.max<T>(m1, v128.load(q, 16));
          } else {
            m0 = v128.min<T>(m0, v128.load(q));
            m1 = v128.min<T>(m1, v128.load(q, 16));
          }
        }
        const m = op == MAX ? v128.max<T>(m0, m1) : v128.min<T>(m0, m1);
        // Lanes of m (extract_lane needs constant lanes).
        if (S == 4) {
          acc = combine(op, acc, <f64>f32x4.extract_lane(m, 0));
          acc = combine(op, acc, <f64>f32x4.extract_lane(m, 1));
          acc = combine(op, acc, <f64>f32x4.extract_lane(m, 2));
          acc = combine(op, acc, <f64>f32x4.extract_lane(m, 3));
        } else {
          acc = combine(op, acc, f64x2.extract_lane(m, 0));
          acc = combine(op, acc, f64x2.extract_lane(m, 1));
        }
      }
    }
  }
  const bs = <usize>s * S;
  let q = p + <usize>i * bs;
  for (; i < n; i++) {
    acc = combine(op, acc, <f64>load<T>(q));
    q += bs;
  }
  return acc;
}

/** Rows layout: out[j] for every kept index j (row-major), each over all reduced elements. */
function reduceRows<T>(op: i32, x: usize, out: usize, geoK: usize, geoR: usize): void {
  const S = <usize>sizeof<T>();
  const ndK = ndOf(geoK);
  const nk = dimOf(geoK, ndK - 1);
  const sk = strideOf(geoK, 0, ndK - 1);
  const rowsK = rowsOf(geoK);
  const ndR = ndOf(geoR);
  const nr = dimOf(geoR, ndR - 1);
  const sr = strideOf(geoR, 0, ndR - 1);
  const rowsR = rowsOf(geoR);
  let o = out;
  iterStart(geoK, 1);
  for (let rk = 0; rk < rowsK; rk++) {
    const baseK = rowOffset(geoK, 0);
    for (let j = 0; j < nk; j++) {
      const base = x + <usize>(baseK + j * sk) * S;
      let acc = initOf(op);
      iterStart(geoR, 1);
      for (let rr = 0; rr < rowsR; rr++) {
        acc = combine(op, acc, reduceRun<T>(op, base + <usize>rowOffset(geoR, 0) * S, sr, nr));
        iterNext(geoR, 1);
      }
      store<T>(o, <T>acc);
      o += S;
    }
    iterNext(geoK, 1);
  }
}

export function reduceRowsF32(op: i32, x: usize, out: usize, geoK: usize, geoR: usize): void { reduceRows<f32>(op, x, out, geoK, geoR); }
export function reduceRowsF64(op: i32, x: usize, out: usize, geoK: usize, geoR: usize): void { reduceRows<f64>(op, x, out, geoK, geoR); }

/**
 * Cols layout: the innermost kept dim is contiguous in x with length m; geoK
 * holds the other kept dims (outer), geoR the reduced ones. float32 sums and
 * products accumulate into `work` (m float64s), the rest directly into out.
 */
function reduceCols<T>(op: i32, x: usize, out: usize, m: i32, geoK: usize, geoR: usize, work: usize): void {
  const S = <usize>sizeof<T>();
  const wide = S == 4 && (op == SUM || op == PROD);
  const ndK = ndOf(geoK);
  const nk = dimOf(geoK, ndK - 1);
  const sk = strideOf(geoK, 0, ndK - 1);
  const rowsK = rowsOf(geoK);
  const ndR = ndOf(geoR);
  const nr = dimOf(geoR, ndR - 1);
  const sr = strideOf(geoR, 0, ndR - 1);
  const rowsR = rowsOf(geoR);
  const init = initOf(op);
  let o = out;
  iterStart(geoK, 1);
  for (let rk = 0; rk < rowsK; rk++) {
    const baseK = rowOffset(geoK, 0);
    for (let j = 0; j < nk; j++) {
      const base = x + <usize>(baseK + j * sk) * S;
      const acc = wide ? work : o;
      const A = wide ? <usize>8 : S;
      // acc = init
      if (wide) {
        const v = f64x2.splat(init);
        let i = 0;
        for (; i + 2 <= m; i += 2) v128.store(acc + <usize>i * 8, v);
        for (; i < m; i++) store<f64>(acc + <usize>i * 8, init);
      } else {
        for (let i = 0; i < m; i++) store<T>(acc + <usize>i * S, <T>init);
      }
      iterStart(geoR, 1);
      for (let rr = 0; rr < rowsR; rr++) {
        let p = base + <usize>rowOffset(geoR, 0) * S;
        for (let t = 0; t < nr; t++) {
          let i = 0;
          if (wide) {
            for (; i + 4 <= m; i += 4) {
              const xv = v128.load(p + <usize>i * 4);
              const lo = f64x2.promote_low_f32x4(xv);
              const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(xv, xv, 2, 3, 0, 1));
              const q = acc + <usize>i * 8;
              if (op == SUM) {
                v128.store(q, f64x2.add(v128.load(q), lo));
                v128.store(q, f64x2.add(v128.load(q, 16), hi), 16);
              } else {
                v128.store(q, f64x2.mul(v128.load(q), lo));
                v128.store(q, f64x2.mul(v128.load(q, 16), hi), 16);
              }
            }
          } else {
            const L = 16 / <i32>S;
            for (; i + L <= m; i += L) {
              const q = acc + <usize>i * S;
              const xv = v128.load(p + <usize>i * S);
              const av = v128.load(q);
              v128.store(q, op == SUM ? v128.add<T>(av, xv) : op == PROD ? v128.mul<T>(av, xv) : op == MAX ? v128.max<T>(av, xv) : v128.min<T>(av, xv));
            }
          }
          for (; i < m; i++) {
            const q = acc + <usize>i * A;
            const v = <f64>load<T>(p + <usize>i * S);
            if (wide) store<f64>(q, combine(op, load<f64>(q), v));
            else store<T>(q, <T>combine(op, <f64>load<T>(q), v));
          }
          p += <usize>sr * S;
        }
        iterNext(geoR, 1);
      }
      if (wide) {
        for (let i = 0; i < m; i++) store<f32>(o + <usize>i * 4, <f32>load<f64>(work + <usize>i * 8));
      }
      o += <usize>m * S;
    }
    iterNext(geoK, 1);
  }
}

export function reduceColsF32(op: i32, x: usize, out: usize, m: i32, geoK: usize, geoR: usize, work: usize): void {
  reduceCols<f32>(op, x, out, m, geoK, geoR, work);
}
export function reduceColsF64(op: i32, x: usize, out: usize, m: i32, geoK: usize, geoR: usize, work: usize): void {
  reduceCols<f64>(op, x, out, m, geoK, geoR, work);
}
