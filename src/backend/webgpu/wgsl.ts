/**
 * WGSL pieces shared by the kernels: element types, the parameter block,
 * loads and stores with the js backend's dtype conversions, and float32 math
 * written out where WGSL's built-ins are too loose or undefined (WGSL leaves
 * NaN, infinities, `log(0)`, `sqrt(-1)` and `pow` of negative bases
 * indeterminate, and allows `exp`/`sin` errors far above 1 ulp).
 */
import type { DType } from '../types.js';

/** The WGSL element type a dtype is stored as (bool: u32 0/1). */
export function wgslType(d: DType): 'f32' | 'i32' | 'u32' {
  return d === 'float32' ? 'f32' : d === 'int32' ? 'i32' : 'u32';
}

/**
 * A cache of generated WGSL sources by key, one per kernel family: `make` runs
 * once per key (pipelines are cached by source downstream).
 *
 * @example
 * const cached = shaderCache();
 * const code = cached(`exp:${dtype}`, () => expCode(dtype));
 */
export function shaderCache(): (key: string, make: () => string) => string {
  const codes = new Map<string, string>();
  return (key, make) => {
    let c = codes.get(key);
    if (c === undefined) codes.set(key, (c = make()));
    return c;
  };
}

/** Words in each dispatch's parameter block (`p.w`, 256 bytes: one uniform-offset alignment). */
export const PARAM_WORDS = 64;

/** Most dims a kernel indexes after collapsing (more are split into several dispatches). */
export const MAXD = 8;

/** The parameter block at `binding` and its word readers. */
export function paramsDecl(binding: number): string {
  return `struct P { w: array<vec4<u32>, ${PARAM_WORDS / 4}> }
@group(0) @binding(${binding}) var<uniform> p: P;
fn pu(i: u32) -> u32 { return p.w[i >> 2u][i & 3u]; }
fn pi(i: u32) -> i32 { return bitcast<i32>(pu(i)); }
fn pf(i: u32) -> f32 { return bitcast<f32>(pu(i)); }`;
}

/** The flat invocation index over a 2-D grid of 1-D workgroups of `wg` threads. */
export function flatIndex(wg: number): string {
  return `(wid.y * nwg.x + wid.x) * ${wg}u + lid`;
}

/** Builtins of a compute entry point with a 2-D grid. */
export const ENTRY_ARGS = '@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32';

/** Compute types of the kernels: float32 arithmetic, int32 arithmetic, or raw bits (same-dtype moves). */
export type Compute = 'f32' | 'i32' | 'bits';

/** An element of dtype `d` read by expression `e`, as compute type `c`. */
export function load(d: DType, e: string, c: Compute): string {
  if (c === 'bits') return e;
  if (c === 'f32') return d === 'float32' ? e : `f32(${e})`;
  return d === 'int32' ? e : d === 'bool' ? `i32(${e})` : `to_i32(${e})`;
}

/** A compute-type value `v` stored as dtype `d` (float → int truncates and wraps as JS's ToInt32; bool: nonzero or NaN → 1). */
export function store(d: DType, v: string, c: Compute): string {
  if (c === 'bits') return v;
  if (c === 'f32') return d === 'float32' ? v : d === 'int32' ? `to_i32(${v})` : `select(0u, 1u, (bitcast<u32>(${v}) & 0x7fffffffu) != 0u)`;
  return d === 'float32' ? `f32(${v})` : d === 'int32' ? v : `select(0u, 1u, ${v} != 0)`;
}

/** The zero of a compute type. */
export function zero(c: Compute): string {
  return c === 'f32' ? '0.0' : c === 'i32' ? '0' : '0u';
}

/**
 * Float32 math: NaN/Inf tests on the bits, JS's ToInt32, and exp, log, sin,
 * cos, expm1, log1p, tanh, sigmoid, erf and pow with argument reduction and
 * polynomials (≈1–3 ulp, the special values of JS's Math).
 */
export const MATH = /* wgsl */ `
// Not constants: WGSL rejects a NaN or infinite constant expression.
var<private> nan_bits: u32 = 0x7fc00000u;
var<private> inf_bits: u32 = 0x7f800000u;
fn nan_() -> f32 { return bitcast<f32>(nan_bits); }
fn inf_() -> f32 { return bitcast<f32>(inf_bits); }
fn isnan_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn isinf_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn sqrt_(x: f32) -> f32 { return select(sqrt(x), nan_(), x < 0.0 || isnan_(x)); }
fn abs_(x: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) & 0x7fffffffu); }
fn to_i32(v: f32) -> i32 {
  if ((bitcast<u32>(v) & 0x7fffffffu) >= 0x7f800000u) { return 0; }
  let t = trunc(v);
  if (abs(t) < 2147483648.0) { return i32(t); }
  let m = t - floor(t / 4294967296.0) * 4294967296.0;
  return bitcast<i32>(u32(m));
}
fn exp_(x: f32) -> f32 {
  if (isnan_(x)) { return x; }
  if (x > 88.72283935546875) { return inf_(); }
  if (x < -103.97208) { return 0.0; }
  let k = round(x * 1.4426950408889634);
  let r = (x - k * 0.693145751953125) - k * 1.428606765330187e-06;
  let q = 1.0 + r * (1.0 + r * (0.5 + r * (0.16666666666666666 + r * (0.041666666666666664 + r * (0.008333333333333333 + r * (0.001388888888888889 + r * 0.0001984126984126984))))));
  let e = i32(k);
  if (e > 127) { return ldexp(q * 2.0, e - 1); }
  if (e < -125) { return ldexp(ldexp(q, e + 64), -64); }
  return ldexp(q, e);
}
fn log_(x: f32) -> f32 {
  if (isnan_(x) || x == inf_()) { return x; }
  if (x < 0.0) { return nan_(); }
  if (x == 0.0) { return -inf_(); }
  let fe = frexp(x);
  var m = fe.fract;
  var e = f32(fe.exp);
  if (m < 0.70710678118654752) { m = m * 2.0; e = e - 1.0; }
  let s = (m - 1.0) / (m + 1.0);
  let s2 = s * s;
  let t = 2.0 * s * (1.0 + s2 * (0.3333333333333333 + s2 * (0.2 + s2 * (0.14285714285714285 + s2 * (0.1111111111111111 + s2 * 0.09090909090909091)))));
  return e * 0.693145751953125 + (e * 1.428606765330187e-06 + t);
}
fn expm1_(x: f32) -> f32 {
  if (isnan_(x)) { return x; }
  if (abs(x) < 0.5) {
    return x * (1.0 + x * (0.5 + x * (0.16666666666666666 + x * (0.041666666666666664 + x * (0.008333333333333333 + x * (0.001388888888888889 + x * (0.0001984126984126984 + x * (2.48015873015873e-05 + x * 2.7557319223985893e-06))))))));
  }
  if (x < -18.0) { return -1.0; }
  return exp_(x) - 1.0;
}
fn log1p_(x: f32) -> f32 {
  if (isnan_(x) || x == inf_()) { return x; }
  if (x < -1.0) { return nan_(); }
  if (x == -1.0) { return -inf_(); }
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  return log_(u) + (x - (u - 1.0)) / u;
}
fn sincos_(x: f32, cosine: bool) -> f32 {
  if (isnan_(x) || isinf_(x)) { return nan_(); }
  let k = round(x * 0.6366197723675814);
  let r = ((x - k * 1.5703125) - k * 0.0004837512969970703) - k * 7.549790126404332e-08;
  let r2 = r * r;
  let s = r + r * r2 * (-0.16666666666666666 + r2 * (0.008333333333333333 + r2 * (-0.0001984126984126984 + r2 * 2.7557319223985893e-06)));
  let c = 1.0 - r2 * 0.5 + r2 * r2 * (0.041666666666666664 + r2 * (-0.001388888888888889 + r2 * (2.48015873015873e-05 - r2 * 2.755731922398589e-07)));
  var q = i32(k - 4.0 * floor(k * 0.25));
  if (cosine) { q = q + 1; }
  switch (q & 3) {
    case 0: { return s; }
    case 1: { return c; }
    case 2: { return -s; }
    default: { return -c; }
  }
}
fn tanh_(x: f32) -> f32 {
  if (isnan_(x)) { return x; }
  let a = abs(x);
  if (a > 9.0) { return sign(x); }
  let t = expm1_(2.0 * a);
  return select(1.0, -1.0, x < 0.0) * (t / (t + 2.0));
}
fn sigmoid_(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp_(-x)); }
  let e = exp_(x);
  return e / (1.0 + e);
}
fn erf_(x: f32) -> f32 {
  if (isnan_(x)) { return x; }
  let z = abs(x);
  if (z < 0.9) {
    // Taylor series: 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)).
    let y = z * z;
    let s = 1.0 + y * (-0.3333333333333333 + y * (0.1 + y * (-0.023809523809523808 + y * (0.004629629629629629 + y * (-0.0007575757575757576 + y * (0.00010683760683760684 + y * (-1.3227513227513228e-05 + y * (1.4589169000933706e-06 + y * (-1.4503852223150468e-07 + y * 1.3122532963802806e-08)))))))));
    return x * 1.1283791670955126 * s;
  }
  if (z >= 4.0) { return sign(x); }
  // erfc by Numerical Recipes' Chebyshev fit (relative error < 1.2e-7).
  let t = 1.0 / (1.0 + 0.5 * z);
  let c = t * exp_(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return select(1.0, -1.0, x < 0.0) * (1.0 - c);
}
fn ipow_f(a: f32, n: u32) -> f32 {
  var r = 1.0;
  var b = a;
  var e = n;
  loop {
    if ((e & 1u) != 0u) { r = r * b; }
    e = e >> 1u;
    if (e == 0u) { break; }
    b = b * b;
  }
  return r;
}
fn pow_(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (isnan_(a) || isnan_(b)) { return nan_(); }
  let aa = abs(a);
  if (isinf_(b)) {
    if (aa == 1.0) { return nan_(); }
    return select(0.0, inf_(), (aa > 1.0) == (b > 0.0));
  }
  let integer = floor(b) == b;
  let odd = integer && abs(b) < 16777216.0 && (i32(b) & 1) != 0;
  if (a == 0.0 || isinf_(a)) {
    // JS: 0^b and inf^b are 0 or inf; odd integer b keeps the sign of a.
    let big = (b > 0.0) == isinf_(a);
    let r = select(0.0, inf_(), big);
    return select(r, -r, odd && (bitcast<u32>(a) >> 31u) != 0u);
  }
  if (a < 0.0 && !integer) { return nan_(); }
  var r: f32;
  if (integer && abs(b) <= 64.0) {
    r = ipow_f(aa, u32(abs(b)));
    if (b < 0.0) { r = 1.0 / r; }
  } else {
    r = exp_(b * log_(aa));
  }
  return select(r, -r, a < 0.0 && odd);
}
fn pow_i(a: i32, b: i32) -> i32 {
  if (b < 0) {
    if (a == 1) { return 1; }
    if (a == -1) { return select(1, -1, (b & 1) != 0); }
    return 0;
  }
  // JS computes a float64 power and then ToInt32: past 2^84 its low 32 bits are 0 (and Infinity
  // gives 0). Below 2^53 the float64 is exact and equals the wrapped product computed here.
  if (a != 0 && f32(b) * log2(abs(f32(a))) > 84.5) { return 0; }
  var r = 1;
  var x = a;
  var e = u32(b);
  loop {
    if ((e & 1u) != 0u) { r = r * x; }
    e = e >> 1u;
    if (e == 0u) { break; }
    x = x * x;
  }
  return r;
}
`;
