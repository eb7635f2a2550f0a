/**
 * More elementwise math, all composites of the primitives: `tan sinh cosh
 * asinh acosh atanh log2 log10 exp2 logaddexp hypot lerp isinf isfinite
 * nanToNum`. Formulas are chosen for accuracy (no cancellation near 0, no
 * overflow before the true result overflows) and match PyTorch at ±Inf, NaN
 * and 0. Where a formula has two branches, each branch is fed a safe input
 * where it is not selected, so its gradient there is finite (no 0·∞ = NaN).
 */
import { DTypeError } from '../errors.js';
import { Tensor, assertFloat, broadcastShapes, isFloat } from '../tensor/index.js';
import {
  abs, add, cos, div, eq, exp, expm1, gt, log, log1p, lt, maximum, mul, ne, neg, promote, sin, sqrt, sub, where,
  type TensorLike,
} from './elementwise.js';

const LN2 = Math.LN2;
/** Above this, `sqrt(1 + x²)` is `x` to double precision and `x²` may overflow. */
const BIG = 2 ** 28;

function floatArg(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(op, `expected a Tensor, got ${Array.isArray(x) ? 'an array (wrap it with tensor())' : typeof x}`);
  assertFloat(op, x.dtype);
  return x;
}

/** Elementwise `p && q` of bool tensors. */
function and(p: Tensor, q: Tensor): Tensor {
  return where(p, q, p);
}

/** Elementwise `p || q` of bool tensors. */
function or(p: Tensor, q: Tensor): Tensor {
  return where(p, p, q);
}

/** `cond ? f(x) : g(x)`, each branch evaluated at a harmless point where it is not taken. */
function branch(cond: Tensor, x: Tensor, f: (t: Tensor) => Tensor, fSafe: number, g: (t: Tensor) => Tensor, gSafe: number): Tensor {
  return where(cond, f(where(cond, x, fSafe)), g(where(cond, gSafe, x)));
}

/** Tangent `sin x / cos x`. @example tan(tensor([0.5])); // [0.5463] */
export function tan(x: Tensor): Tensor {
  floatArg('tan', x);
  return div(sin(x), cos(x));
}

/**
 * Hyperbolic sine: `(expm1(x) − expm1(−x)) / 2` near 0 (no cancellation),
 * `e^{x − ln 2} − e^{−x − ln 2}` elsewhere (finite up to where sinh itself overflows).
 *
 * @example
 * sinh(tensor([1])); // [1.1752]
 */
export function sinh(x: Tensor): Tensor {
  floatArg('sinh', x);
  return branch(
    lt(abs(x), 1), x,
    (t) => mul(sub(expm1(t), expm1(neg(t))), 0.5), 0,
    (t) => sub(exp(sub(t, LN2)), exp(sub(neg(t), LN2))), 1,
  );
}

/** Hyperbolic cosine `e^{x − ln 2} + e^{−x − ln 2}` (finite up to where cosh overflows). @example cosh(tensor([0])); // [1] */
export function cosh(x: Tensor): Tensor {
  floatArg('cosh', x);
  return add(exp(sub(x, LN2)), exp(sub(neg(x), LN2)));
}

/** `asinh(t)` for `t ≥ 0`: `log1p(t + t²/(1 + √(1 + t²)))`, or `log t + ln 2` for huge t. */
function asinhPositive(t: Tensor): Tensor {
  return branch(
    gt(t, BIG), t,
    (s) => add(log(s), LN2), BIG * 2,
    (s) => log1p(add(s, div(mul(s, s), add(sqrt(add(mul(s, s), 1)), 1)))), 0,
  );
}

/**
 * Inverse hyperbolic sine, odd by construction (`−asinh(−x)` for x < 0, so
 * no cancellation for negative x) and exact near 0 and for huge |x|.
 *
 * @example
 * asinh(tensor([-2, 0, 2])); // [-1.4436, 0, 1.4436]
 */
export function asinh(x: Tensor): Tensor {
  floatArg('asinh', x);
  return branch(lt(x, 0), x, (t) => neg(asinhPositive(neg(t))), -1, asinhPositive, 0);
}

/**
 * Inverse hyperbolic cosine (x ≥ 1, NaN below): `log1p((x−1) + √((x−1)(x+1)))`,
 * accurate near 1, or `log x + ln 2` for huge x.
 *
 * @example
 * acosh(tensor([1, 2])); // [0, 1.3170]
 */
export function acosh(x: Tensor): Tensor {
  floatArg('acosh', x);
  return branch(
    gt(x, BIG), x,
    (t) => add(log(t), LN2), BIG * 2,
    (t) => {
      const u = sub(t, 1);
      return log1p(add(u, sqrt(mul(u, add(t, 1)))));
    }, 2,
  );
}

/**
 * Inverse hyperbolic tangent `½·log1p(2x / (1 − x))`: ±Inf at ±1, NaN outside [−1, 1].
 *
 * @example
 * atanh(tensor([0.5])); // [0.5493]
 */
export function atanh(x: Tensor): Tensor {
  floatArg('atanh', x);
  return mul(log1p(div(mul(x, 2), sub(1, x))), 0.5);
}

/** Base-2 logarithm. @example log2(tensor([8])); // [3] */
export function log2(x: Tensor): Tensor {
  floatArg('log2', x);
  return mul(log(x), Math.LOG2E);
}

/** Base-10 logarithm. @example log10(tensor([100])); // [2] */
export function log10(x: Tensor): Tensor {
  floatArg('log10', x);
  return mul(log(x), Math.LOG10E);
}

/** `2^x`. @example exp2(tensor([3])); // [8] */
export function exp2(x: Tensor): Tensor {
  floatArg('exp2', x);
  return exp(mul(x, LN2));
}

function floatPair(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  const [x, y] = promote(op, a, b, 'float');
  broadcastShapes(op, x.shape, y.shape);
  return [x, y];
}

/**
 * `log(e^a + e^b)` without overflow: `max(a, b) + log1p(e^{−|a − b|})`
 * (both −Inf gives −Inf, both +Inf gives +Inf, as PyTorch).
 *
 * @example
 * logaddexp(tensor([1000]), tensor([1000])); // [1000.6931]
 */
export function logaddexp(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = floatPair('logaddexp', a, b);
  // Equal infinities: a − b is NaN; the difference is taken as 0 (the result is the infinity itself).
  const d = where(and(eq(x, y), eq(abs(x), Infinity)), 0, sub(x, y));
  return add(maximum(x, y), log1p(exp(neg(abs(d)))));
}

/**
 * `√(a² + b²)` without overflow or underflow: `m·√((a/m)² + (b/m)²)` with
 * `m = max(|a|, |b|)`; an infinite operand gives +Inf even with a NaN.
 *
 * @example
 * hypot(tensor([3]), tensor([4])); // [5]
 * hypot(tensor([3e30]), tensor([4e30])); // [5e30] in float32
 */
export function hypot(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = floatPair('hypot', a, b);
  const m = maximum(abs(x), abs(y));
  const zero = eq(m, 0);
  const infinite = or(eq(abs(x), Infinity), eq(abs(y), Infinity));
  const safeM = where(or(zero, infinite), 1, m);
  const p = div(x, safeM);
  const q = div(y, safeM);
  const r = mul(safeM, sqrt(add(mul(p, p), mul(q, q))));
  return where(infinite, Infinity, where(zero, 0, r));
}

/**
 * Linear interpolation `a + weight·(b − a)`, with PyTorch's formula
 * `b − (b − a)·(1 − weight)` for `|weight| ≥ 0.5` (exact at `weight = 1`).
 * `weight` is a number or a tensor (differentiable).
 *
 * @example
 * lerp(tensor([0]), tensor([10]), 0.3); // [3]
 */
export function lerp(a: Tensor, b: TensorLike, weight: TensorLike): Tensor {
  const [x, y] = floatPair('lerp', a, b);
  floatArg('lerp', x);
  const diff = sub(y, x);
  if (typeof weight === 'number') return Math.abs(weight) < 0.5 ? add(x, mul(diff, weight)) : sub(y, mul(diff, 1 - weight));
  if (!(weight instanceof Tensor)) throw new DTypeError('lerp', `expected weight to be a number or a Tensor, got ${typeof weight}`);
  if (weight.dtype !== x.dtype) throw new DTypeError('lerp', `expected weight of dtype ${x.dtype} (the dtype of start and end), got ${weight.dtype}`);
  return where(lt(abs(weight), 0.5), add(x, mul(diff, weight)), sub(y, mul(diff, sub(1, weight))));
}

/** Elementwise `x == ±Inf` (bool; all false for integer tensors). @example isinf(tensor([1, Infinity])); // [false, true] */
export function isinf(x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError('isinf', `expected a Tensor, got ${typeof x}`);
  if (!isFloat(x.dtype)) return ne(x, x);
  return eq(abs(x), Infinity);
}

/** Elementwise "neither NaN nor ±Inf" (bool; all true for integer tensors). @example isfinite(tensor([1, NaN])); // [true, false] */
export function isfinite(x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError('isfinite', `expected a Tensor, got ${typeof x}`);
  if (!isFloat(x.dtype)) return eq(x, x);
  return lt(abs(x), Infinity);
}

/** Options of `nanToNum`. */
export interface NanToNumOptions {
  /** Replaces NaN (default 0). */
  nan?: number;
  /** Replaces +Inf (default: the dtype's largest finite value). */
  posinf?: number | null;
  /** Replaces −Inf (default: the dtype's lowest finite value). */
  neginf?: number | null;
}

const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * `x` with NaN, +Inf and −Inf replaced by finite numbers; the gradient passes
 * where `x` is finite and is 0 at the replaced elements. Integer tensors come back unchanged.
 *
 * @example
 * nanToNum(tensor([NaN, Infinity, -Infinity, 1])); // [0, 3.4028e38, -3.4028e38, 1]
 * nanToNum(x, { nan: 0, posinf: 1, neginf: -1 });
 */
export function nanToNum(x: Tensor, opts: NanToNumOptions = {}): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError('nanToNum', `expected a Tensor, got ${typeof x}`);
  if (!isFloat(x.dtype)) return x;
  const big = x.dtype === 'float32' ? FLOAT32_MAX : Number.MAX_VALUE;
  const nan = opts.nan ?? 0;
  const posinf = opts.posinf ?? big;
  const neginf = opts.neginf ?? -big;
  return where(ne(x, x), nan, where(eq(x, Infinity), posinf, where(eq(x, -Infinity), neginf, x)));
}
