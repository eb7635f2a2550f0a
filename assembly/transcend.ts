// float32 exp, sigmoid and tanh, four lanes at a time (f32x4), for the unary
// kernel of elementwise.ts. float64 keeps the correctly rounded float64 path.
//
// Accuracy: within 2 ulp of the correctly rounded float32 result on the whole
// range (test/backend/kernels.test.ts checks 1e-6 relative against the js
// backend, which rounds the float64 function once), like the vectorised
// float32 kernels of PyTorch's CPU backend. Every element goes through the
// same lane code, whatever its position or the view's strides, so a value
// gives the same result in any tensor (vmap equals a loop exactly).
//
// exp: x = n·ln2 + r with |r| ≤ ln2/2 (Cody–Waite: ln2 in a high part exact
// in float32 and a low part), e^r as 1 + r + r²·P(r) with P of degree 5 (the
// float32 minimax coefficients published with the Cephes library's expf and
// tanhf, used here as constants), 2^n applied as two normal powers of two so
// that results down to the subnormals round once. sigmoid: 1/(1+e^{-x}) for
// x ≥ 0 and e^x/(1+e^x) below, with one e^{-|x|}. tanh: an odd polynomial in
// x² below |x| = 0.625, 1 − 2/(e^{2|x|}+1) with x's sign above.

const LOG2E: f32 = 1.44269504;
const LN2_HI: f32 = 0.693359375; // 8 significant bits: n·LN2_HI is exact for |n| ≤ 2^16
const LN2_LO: f32 = -2.12194440e-4;
// e^r ≈ 1 + r + r²·(P0 + P1·r + P2·r² + P3·r³ + P4·r⁴ + P5·r⁵) on |r| ≤ ln2/2.
const P0: f32 = 5.0000001201e-1;
const P1: f32 = 1.6666665459e-1;
const P2: f32 = 4.1665795894e-2;
const P3: f32 = 8.3334519073e-3;
const P4: f32 = 1.3981999507e-3;
const P5: f32 = 1.9875691500e-4;
// tanh x ≈ x + x·z·(T0 + T1·z + T2·z² + T3·z³ + T4·z⁴), z = x², |x| < 0.625.
const T0: f32 = -3.33332819422e-1;
const T1: f32 = 1.33314422036e-1;
const T2: f32 = -5.37397155531e-2;
const T3: f32 = 2.06390887954e-2;
const T4: f32 = -5.70498872745e-3;

export const EXP_F32: i32 = 0;
export const SIGMOID_F32: i32 = 1;
export const TANH_F32: i32 = 2;

@inline function splat(v: f32): v128 {
  return f32x4.splat(v);
}

@inline function fma(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(a, b), c);
}

/** e^x per lane: +inf above ~88.72, 0 below ~-103.97, NaN for NaN. */
@inline function exp4(x0: v128): v128 {
  // f32x4.min/max return NaN when either operand is NaN, so NaN passes through.
  const x = f32x4.max(f32x4.min(x0, splat(88.8)), splat(-104.0));
  const n = f32x4.nearest(f32x4.mul(x, splat(LOG2E)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, splat(LN2_HI))), f32x4.mul(n, splat(LN2_LO)));
  let p = fma(splat(P5), r, splat(P4));
  p = fma(p, r, splat(P3));
  p = fma(p, r, splat(P2));
  p = fma(p, r, splat(P1));
  p = fma(p, r, splat(P0));
  const y = f32x4.add(fma(p, f32x4.mul(r, r), r), splat(1));
  // 2^n as 2^n1 · 2^n2 (n1 = n >> 1): both normal for n in [-150, 129].
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const n1 = i32x4.shr_s(ni, 1);
  const n2 = i32x4.sub(ni, n1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(y, s1), s2);
}

/** 1/(1+e^{-x}) per lane, without overflow or cancellation on either side. */
@inline function sigmoid4(x: v128): v128 {
  const e = exp4(f32x4.neg(f32x4.abs(x)));
  const positive = f32x4.ge(x, splat(0));
  const num = v128.bitselect(splat(1), e, positive);
  return f32x4.div(num, f32x4.add(splat(1), e));
}

/** tanh x per lane. */
@inline function tanh4(x: v128): v128 {
  const a = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = fma(splat(T4), z, splat(T3));
  p = fma(p, z, splat(T2));
  p = fma(p, z, splat(T1));
  p = fma(p, z, splat(T0));
  const small = f32x4.add(x, f32x4.mul(f32x4.mul(x, z), p));
  const e = exp4(f32x4.add(a, a));
  const big = f32x4.sub(splat(1), f32x4.div(splat(2), f32x4.add(e, splat(1))));
  // |tanh| from the big branch with x's sign bit.
  const signed = v128.or(big, v128.and(x, i32x4.splat(<i32>0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(a, splat(0.625)));
}

@inline function apply4(fn: i32, x: v128): v128 {
  if (fn == EXP_F32) return exp4(x);
  if (fn == SIGMOID_F32) return sigmoid4(x);
  return tanh4(x);
}

/**
 * One row: `out[i] = fn(x[i·sx])` for i < n, float32, `out` contiguous. Groups
 * of four lanes; a strided row or the last 1–3 elements are gathered into lanes.
 */
export function transcendRowF32(fn: i32, x: usize, sx: i32, out: usize, n: i32): void {
  let i = 0;
  if (sx == 1) {
    for (; i + 4 <= n; i += 4) v128.store(out + (<usize>i << 2), apply4(fn, v128.load(x + (<usize>i << 2))));
  } else {
    const step = <usize>sx << 2;
    for (; i + 4 <= n; i += 4) {
      const p = x + <usize>i * step;
      let v = f32x4.splat(load<f32>(p));
      v = f32x4.replace_lane(v, 1, load<f32>(p + step));
      v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * step));
      v = f32x4.replace_lane(v, 3, load<f32>(p + 3 * step));
      v128.store(out + (<usize>i << 2), apply4(fn, v));
    }
  }
  if (i < n) {
    const step = <usize>sx << 2;
    const p = x + <usize>i * step;
    const left = n - i;
    let v = f32x4.splat(load<f32>(p));
    if (left > 1) v = f32x4.replace_lane(v, 1, load<f32>(p + step));
    if (left > 2) v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * step));
    const y = apply4(fn, v);
    const o = out + (<usize>i << 2);
    store<f32>(o, f32x4.extract_lane(y, 0));
    if (left > 1) store<f32>(o + 4, f32x4.extract_lane(y, 1));
    if (left > 2) store<f32>(o + 8, f32x4.extract_lane(y, 2));
  }
}
