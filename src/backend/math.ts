/**
 * Scalar math functions that `Math` lacks, shared by the backends.
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * The error function, accurate to a few ulp in float64.
 *
 * Uses the series erf(x) = 2/√π · e^{-x²} · Σ_n 2ⁿ x^{2n+1} / (1·3·…·(2n+1)),
 * whose terms are all positive (no cancellation); |x| ≥ 6 gives ±1 exactly in
 * float64.
 *
 * @example
 * erf(1); // 0.8427007929497149
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax >= 6) return x > 0 ? 1 : -1;
  const x2 = ax * ax;
  let term = ax;
  let sum = ax;
  for (let n = 1; n < 500; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  const r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  return x < 0 ? -r : r;
}

/**
 * The logistic sigmoid 1 / (1 + e^{-x}), computed without overflow for either sign.
 *
 * @example
 * sigmoid(0); // 0.5
 */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** The sign of x: -1, 0 or 1 (NaN stays NaN). @example sign(-3); // -1 */
export function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : x;
}

/**
 * Rounds to the nearest integer, halfway cases to the even one (PyTorch's
 * `round`, IEEE roundTiesToEven); ±0, ±Infinity and NaN stay.
 *
 * @example
 * roundHalfEven(2.5); // 2
 * roundHalfEven(-1.5); // -2
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round sends halves up; r − x is exact for the |x| < 2^52 that have a fraction.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The remainder of `a / b` with the sign of `b` (Python's `%`, PyTorch's
 * `remainder`): `fmod(a, b)`, plus `b` when the signs differ.
 *
 * @example
 * remainder(-3, 2); // 1
 */
export function remainder(a: number, b: number): number {
  const m = a % b;
  return m !== 0 && m < 0 !== b < 0 ? m + b : m;
}
