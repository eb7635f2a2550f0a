/**
 * float32 exp, sigmoid and tanh one element at a time in JS, bit for bit the
 * lanes of the wasm kernels (assembly/transcend.ts): the wasm backend runs
 * them on tensors too small for a wasm call, and compiled loops on the wasm
 * backend call them, so a value gets the same result in any tensor, fused or
 * not. Each float32 operation is a float64 one rounded by `Math.fround`,
 * which is exact for + − × ÷ (float64 carries more than twice float32's
 * precision, so the double rounding never differs from rounding once).
 */

const f = Math.fround;
const LOG2E = f(1.44269504);
const LN2_HI = f(0.693359375);
const LN2_LO = f(-2.1219444e-4);
const P0 = f(5.0000001201e-1);
const P1 = f(1.6666665459e-1);
const P2 = f(4.1665795894e-2);
const P3 = f(8.3334519073e-3);
const P4 = f(1.3981999507e-3);
const P5 = f(1.98756915e-4);
const T0 = f(-3.33332819422e-1);
const T1 = f(1.33314422036e-1);
const T2 = f(-5.37397155531e-2);
const T3 = f(2.06390887954e-2);
const T4 = f(-5.70498872745e-3);

/** Round half to even (wasm's `nearest`) of a float32 value. */
function nearest(x: number): number {
  const r = Math.round(x);
  // Math.round rounds halves up: a half that went up to an odd integer goes back down.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * e^x in float32, as the wasm kernel computes it (within 1 ulp of the correctly rounded value).
 *
 * @example
 * exp32(1); // 2.7182817459106445 (Math.fround(Math.E))
 */
export function exp32(x0: number): number {
  if (x0 !== x0) return NaN;
  const x = x0 > 88.8 ? f(88.8) : x0 < -104 ? -104 : x0;
  const n = nearest(f(x * LOG2E));
  const r = f(f(x - f(n * LN2_HI)) - f(n * LN2_LO));
  let p = f(f(P5 * r) + P4);
  p = f(f(p * r) + P3);
  p = f(f(p * r) + P2);
  p = f(f(p * r) + P1);
  p = f(f(p * r) + P0);
  const y = f(f(f(p * f(r * r)) + r) + 1);
  const n1 = n >> 1;
  return f(f(y * 2 ** n1) * 2 ** (n - n1));
}

/**
 * 1/(1+e^{-x}) in float32, as the wasm kernel computes it (within 2 ulp).
 *
 * @example
 * sigmoid32(0); // 0.5
 */
export function sigmoid32(x: number): number {
  const e = exp32(-Math.abs(x));
  return f((x >= 0 ? 1 : e) / f(1 + e));
}

/**
 * tanh x in float32, as the wasm kernel computes it (within 1 ulp).
 *
 * @example
 * tanh32(0.5); // 0.46211716532707214
 */
export function tanh32(x: number): number {
  const a = Math.abs(x);
  if (a < 0.625) {
    const z = f(x * x);
    let p = f(f(T4 * z) + T3);
    p = f(f(p * z) + T2);
    p = f(f(p * z) + T1);
    p = f(f(p * z) + T0);
    return f(x + f(f(x * z) * p));
  }
  const e = exp32(f(a + a));
  const big = f(1 - f(2 / f(e + 1)));
  return x < 0 ? -big : big;
}
