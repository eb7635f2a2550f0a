/**
 * Elementwise functions with their own kernels: `asin acos atan atan2`, the
 * roundings `floor ceil round trunc` (zero gradient, as PyTorch) and `frac`,
 * `remainder` (Python's sign rule) and `fmod` (C's), and `isnan`. Integer
 * inputs follow PyTorch: the inverse trigonometric functions promote them to
 * float32, the roundings return them unchanged, remainder and fmod stay
 * integer (a zero divisor is an error, as PyTorch's ZeroDivisionError).
 */
import { DTypeError, RangeArgError } from '../errors.js';
import { Tensor, assertFloat, checkRange, raw } from '../tensor/index.js';
import { apply } from './dispatch.js';
import { cast, ne, promote, sub, type TensorLike } from './elementwise.js';

function tensorArg(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(op, `expected a Tensor, got ${Array.isArray(x) ? 'an array (wrap it with tensor())' : typeof x}`);
  return x;
}

/** `x` as a float tensor: integers and bool become float32, as PyTorch's unary float functions. */
function floatOf(op: string, x: unknown): Tensor {
  const t = tensorArg(op, x);
  return t._isFloat ? t : cast(t, 'float32');
}

/** Arcsine (NaN outside [−1, 1]). @example asin(tensor([0.5])); // [0.5236] */
export function asin(x: Tensor): Tensor {
  return apply('asin', [floatOf('asin', x)], {});
}

/** Arccosine (NaN outside [−1, 1]). @example acos(tensor([0.5])); // [1.0472] */
export function acos(x: Tensor): Tensor {
  return apply('acos', [floatOf('acos', x)], {});
}

/** Arctangent. @example atan(tensor([1])); // [0.7854] */
export function atan(x: Tensor): Tensor {
  return apply('atan', [floatOf('atan', x)], {});
}

/**
 * The angle of the point `(b, a)`: `atan(a / b)` in the right quadrant, in
 * [−π, π] (`atan2(±0, −0) = ±π`, as `Math.atan2`). Integers promote to float32.
 *
 * @example
 * atan2(tensor([1]), tensor([-1])); // [2.3562]
 */
export function atan2(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = promote('atan2', a, b, 'float');
  return apply('atan2', [x, y], {});
}

function rounding(op: 'floor' | 'ceil' | 'round' | 'trunc', x: unknown): Tensor {
  const t = tensorArg(op, x);
  if (t.dtype === 'bool') throw new DTypeError(op, 'expected a numeric tensor, got bool');
  // Integers are already integral: a copy, as PyTorch.
  return t._isFloat ? apply('rounding', [t], { op }) : apply('contiguous', [t], {});
}

/** The largest integer ≤ x (zero gradient). @example floor(tensor([-1.5, 1.5])); // [-2, 1] */
export function floor(x: Tensor): Tensor {
  return rounding('floor', x);
}

/** The smallest integer ≥ x (zero gradient). @example ceil(tensor([-1.5, 1.5])); // [-1, 2] */
export function ceil(x: Tensor): Tensor {
  return rounding('ceil', x);
}

/**
 * The nearest integer, halfway cases to the even one (as PyTorch and IEEE
 * 754; zero gradient).
 *
 * @example
 * round(tensor([0.5, 1.5, 2.5, -0.5])); // [0, 2, 2, -0]
 */
export function round(x: Tensor): Tensor {
  return rounding('round', x);
}

/** `x` rounded toward zero (zero gradient). @example trunc(tensor([-1.7, 1.7])); // [-1, 1] */
export function trunc(x: Tensor): Tensor {
  return rounding('trunc', x);
}

/**
 * The fractional part `x − trunc(x)`, with the sign of `x` (gradient 1).
 *
 * @example
 * frac(tensor([-1.25, 2.5])); // [-0.25, 0.5]
 */
export function frac(x: Tensor): Tensor {
  assertFloat('frac', tensorArg('frac', x).dtype);
  return sub(x, apply('rounding', [x], { op: 'trunc' }));
}

function mod(op: 'remainder' | 'fmod', a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = promote(op, a, b, 'arith');
  if (!x._isFloat) {
    if (a instanceof Tensor && a.dtype === 'bool' && b instanceof Tensor && b.dtype === 'bool') {
      throw new DTypeError(op, 'expected numeric tensors, got bool and bool');
    }
    // Integer division by zero has no value (PyTorch raises ZeroDivisionError); checked at the next read on the GPU.
    checkRange(raw.rawUnary('abs', y), (lo) => (lo === 0 ? new RangeArgError(op, 'integer division by zero: b has a zero element') : null));
  }
  return apply('mod', [x, y], { op });
}

/**
 * The remainder of `a / b` with the sign of `b` (Python's `%`):
 * `a − b·floor(a/b)`, computed exactly. Gradients 1 for `a` and
 * `−floor(a/b)` for `b`, as PyTorch.
 *
 * @example
 * remainder(tensor([-3, 3]), 2); // [1, 1]
 */
export function remainder(a: TensorLike, b: TensorLike): Tensor {
  return mod('remainder', a, b);
}

/**
 * The remainder of `a / b` with the sign of `a` (C's `fmod`):
 * `a − b·trunc(a/b)`, computed exactly. Gradients 1 for `a` and
 * `−trunc(a/b)` for `b`, as PyTorch.
 *
 * @example
 * fmod(tensor([-3, 3]), 2); // [-1, 1]
 */
export function fmod(a: TensorLike, b: TensorLike): Tensor {
  return mod('fmod', a, b);
}

/** True where `x` is NaN (always false for integer and bool tensors). @example isnan(tensor([1, NaN])); // [false, true] */
export function isnan(x: Tensor): Tensor {
  const t = tensorArg('isnan', x);
  // NaN is the one value unequal to itself.
  return ne(t, t);
}
