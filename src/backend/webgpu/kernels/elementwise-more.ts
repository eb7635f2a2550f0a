/**
 * The WGSL of the elementwise ops added with the scans and sorting: asin,
 * acos, atan, floor, ceil, round, trunc (unary), atan2, remainder, fmod
 * (binary), merged into the tables of `elementwise.ts`. WGSL's own atan and
 * atan2 may be 4096 ulp off and its `%` on floats is `a − b·trunc(a/b)`
 * rounded, so these are written out: a Cephes-style float32 atan with range
 * reduction (≈2 ulp) and an exact fmod (binary long division).
 * Special values follow JS's `Math` (the js backend).
 */
import type { BinaryOp, UnaryOp } from '../../types.js';

/** The unary ops of this file. */
export type MoreUnaryOp = 'asin' | 'acos' | 'atan' | 'floor' | 'ceil' | 'round' | 'trunc';
/** The binary ops of this file. */
export type MoreBinaryOp = 'atan2' | 'remainder' | 'fmod';

/** WGSL functions the expressions below call (needs `MATH` of wgsl.ts before it). */
export const MATH_MORE = /* wgsl */ `
fn atan_(x: f32) -> f32 {
  if (isnan_(x)) { return x; }
  let a = abs(x);
  var y = 0.0;
  var z = a;
  if (a > 2.414213562373095) { y = 1.5707963267948966; z = -1.0 / a; }
  else if (a > 0.4142135623730950) { y = 0.7853981633974483; z = (a - 1.0) / (a + 1.0); }
  let z2 = z * z;
  let r = y + (z + z * z2 * (-0.333329491539 + z2 * (0.199777106478 + z2 * (-0.138776856032 + z2 * 0.0805374449538))));
  return select(r, -r, (bitcast<u32>(x) >> 31u) != 0u);
}
fn atan2_(y: f32, x: f32) -> f32 {
  if (isnan_(x) || isnan_(y)) { return nan_(); }
  let neg_y = (bitcast<u32>(y) >> 31u) != 0u;
  let neg_x = (bitcast<u32>(x) >> 31u) != 0u;
  let pi = 3.141592653589793;
  var r: f32;
  if (y == 0.0) {
    // atan2(±0, +0 or x > 0) = ±0; atan2(±0, −0 or x < 0) = ±π.
    r = select(0.0, pi, neg_x);
  } else if (isinf_(x) && isinf_(y)) {
    r = select(0.7853981633974483, 2.356194490192345, neg_x);
  } else if (x == 0.0 || isinf_(y)) {
    r = 1.5707963267948966;
  } else if (isinf_(x)) {
    r = select(0.0, pi, neg_x);
  } else if (abs(x) >= abs(y)) {
    r = atan_(abs(y) / abs(x));
    if (neg_x) { r = pi - r; }
  } else {
    r = 1.5707963267948966 - atan_(abs(x) / abs(y));
    if (neg_x) { r = pi - r; }
  }
  return select(r, -r, neg_y);
}
fn asin_(x: f32) -> f32 {
  if (abs(x) > 1.0 || isnan_(x)) { return nan_(); }
  return atan2_(x, sqrt((1.0 - x) * (1.0 + x)));
}
fn acos_(x: f32) -> f32 {
  if (abs(x) > 1.0 || isnan_(x)) { return nan_(); }
  return atan2_(sqrt((1.0 - x) * (1.0 + x)), x);
}
fn fmod_(a: f32, b: f32) -> f32 {
  if (isnan_(a) || isnan_(b) || isinf_(a) || b == 0.0) { return nan_(); }
  if (isinf_(b) || a == 0.0) { return a; }
  let ab = abs(b);
  var r = abs(a);
  // Binary long division: subtract |b|·2^e for e from the exponent gap down to 0 where it fits.
  // r < 2·|b|·2^e holds at each step, so every subtraction is exact (Sterbenz): the result is exact.
  var e = frexp(r).exp - frexp(ab).exp;
  loop {
    if (r < ab || e < 0) { break; }
    let s = ldexp(ab, e);
    if (s <= r) { r = r - s; }
    e = e - 1;
  }
  return select(r, -r, a < 0.0);
}
fn remainder_(a: f32, b: f32) -> f32 {
  let m = fmod_(a, b);
  if (m != 0.0 && (m < 0.0) != (b < 0.0)) { return m + b; }
  return m;
}
fn fmod_i(a: i32, b: i32) -> i32 {
  // JS: a % 0 is NaN, stored as 0; WGSL leaves it a.
  if (b == 0) { return 0; }
  return a % b;
}
fn remainder_i(a: i32, b: i32) -> i32 {
  let m = fmod_i(a, b);
  if (m != 0 && (m < 0) != (b < 0)) { return m + b; }
  return m;
}
`;

/** float32 expressions (WGSL's floor, ceil, trunc are exact; its round is half to even, as PyTorch). */
export const UNARY_MORE_F32: Record<MoreUnaryOp, (v: string) => string> = {
  asin: (v) => `asin_(${v})`,
  acos: (v) => `acos_(${v})`,
  atan: (v) => `atan_(${v})`,
  floor: (v) => `floor(${v})`,
  ceil: (v) => `ceil(${v})`,
  round: (v) => `round(${v})`,
  trunc: (v) => `trunc(${v})`,
};

/** int32 expressions: the roundings of an integer are itself. */
export const UNARY_MORE_I32: Partial<Record<UnaryOp, (v: string) => string>> = {
  floor: (v) => v,
  ceil: (v) => v,
  round: (v) => v,
  trunc: (v) => v,
};

export const BINARY_MORE_F32: Record<MoreBinaryOp, (a: string, b: string) => string> = {
  atan2: (a, b) => `atan2_(${a}, ${b})`,
  remainder: (a, b) => `remainder_(${a}, ${b})`,
  fmod: (a, b) => `fmod_(${a}, ${b})`,
};

/** int32: atan2 of integers is computed in float32 by the frontend's promotion; here for completeness as JS would (truncated). */
export const BINARY_MORE_I32: Record<MoreBinaryOp, (a: string, b: string) => string> = {
  atan2: (a, b) => `to_i32(atan2_(f32(${a}), f32(${b})))`,
  remainder: (a, b) => `remainder_i(${a}, ${b})`,
  fmod: (a, b) => `fmod_i(${a}, ${b})`,
};

/** True for the ops whose expressions need `MATH_MORE`. */
export function needsMore(op: UnaryOp | BinaryOp): boolean {
  return op === 'asin' || op === 'acos' || op === 'atan' || op === 'atan2' || op === 'remainder' || op === 'fmod';
}
