/**
 * Elementwise ops: arithmetic with broadcasting and type promotion, unary
 * math, comparisons, `where`, `clamp`, `maximum`/`minimum`. Plain numbers mix
 * with tensors (`add(x, 1)`, `x.mul(2)`) and never promote a float tensor.
 */
import { DTypeError } from '../errors.js';
import { Tensor, assertFloat, isFloat, resultType, type DType } from '../tensor/index.js';
import { apply, isTracked, scalar } from './dispatch.js';
import type { NoParams, Primitive } from './primitives.js';
import { traced } from './trace.js';
import './table.js';

/** A tensor or a plain number. */
export type TensorLike = Tensor | number;

const NONE: NoParams = {};

/**
 * `v` as a tensor of `dtype` (a recorded cast when a tensor's dtype differs;
 * a number becomes a constant where `like` lives).
 *
 * @example
 * asType(2, 'float64');
 */
export function asType(v: TensorLike | boolean, dtype: DType, like?: Tensor): Tensor {
  if (v instanceof Tensor) return v.dtype === dtype ? v : apply('cast', [v], { dtype });
  return scalar(typeof v === 'boolean' ? (v ? 1 : 0) : v, dtype, like);
}

/**
 * Two operands converted to their promoted dtype (`arith`: bool becomes
 * int32; `float`: ints become float32, for true division).
 *
 * @example
 * promote('add', tensor([1], { dtype: 'int32' }), 1.5); // two float32 tensors
 */
export function promote(op: string, a: TensorLike, b: TensorLike, kind: 'arith' | 'float' | 'any' = 'arith'): [Tensor, Tensor] {
  if (a instanceof Tensor && typeof b === 'number' && a._isFloat) return [a, scalar(b, a.dtype, a)];
  for (const v of [a, b]) {
    if (!(v instanceof Tensor) && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new DTypeError(op, `expected a Tensor or a number, got ${Array.isArray(v) ? 'an array (wrap it with tensor())' : typeof v}`);
    }
  }
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) {
    throw new DTypeError(op, `expected at least one tensor operand, got ${typeof a} and ${typeof b}`);
  }
  let dt = resultType([a, b]);
  if (kind === 'float' && !isFloat(dt)) dt = 'float32';
  if (kind === 'arith' && dt === 'bool') dt = 'int32';
  const like = a instanceof Tensor ? a : (b as Tensor);
  return [asType(a, dt, like), asType(b, dt, like)];
}

function binary(prim: 'add' | 'sub' | 'mul' | 'div' | 'pow', a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = promote(prim, a, b, prim === 'div' ? 'float' : 'arith');
  return apply(prim, [x, y], NONE);
}

function floatUnary(prim: Primitive & ('exp' | 'log' | 'sqrt' | 'sin' | 'cos' | 'tanh' | 'sigmoid' | 'log1p' | 'expm1' | 'erf'), x: Tensor): Tensor {
  assertFloat(prim, x.dtype);
  return apply(prim, [x], NONE);
}

/** `a + b` with broadcasting. @example add(tensor([1, 2]), 10); // [11, 12] */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return binary('add', a, b);
}
/** `a − b` with broadcasting. @example sub(x, 1); */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return binary('sub', a, b);
}
/** `a · b` elementwise with broadcasting. @example mul(x, y); */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binary('mul', a, b);
}
/** `a / b` (true division: integers give float32). @example div(x, 2); */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return binary('div', a, b);
}
/** `a ** b` elementwise. @example pow(x, 3); pow(2, x); */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  if (a instanceof Tensor && !a._isFloat && typeof b === 'number' && Number.isInteger(b) && b < 0) {
    throw new DTypeError('pow', `integers to negative integer powers are not allowed: a ${a.dtype} tensor to the power ${b} (cast it to a float dtype first)`);
  }
  return binary('pow', a, b);
}
/** `−x`. @example neg(x); */
export function neg(x: Tensor): Tensor {
  if (x.dtype === 'bool') throw new DTypeError('neg', 'expected a numeric tensor, got bool');
  return apply('neg', [x], NONE);
}
/** `e^x`. @example exp(x); */
export function exp(x: Tensor): Tensor {
  return floatUnary('exp', x);
}
/** Natural log. @example log(x); */
export function log(x: Tensor): Tensor {
  return floatUnary('log', x);
}
/** Square root. @example sqrt(x); */
export function sqrt(x: Tensor): Tensor {
  return floatUnary('sqrt', x);
}
/** `1 / sqrt(x)`. @example rsqrt(tensor([4])); // [0.5] */
export function rsqrt(x: Tensor): Tensor {
  return reciprocal(sqrt(x));
}
/** Sine. @example sin(x); */
export function sin(x: Tensor): Tensor {
  return floatUnary('sin', x);
}
/** Cosine. @example cos(x); */
export function cos(x: Tensor): Tensor {
  return floatUnary('cos', x);
}
/** Hyperbolic tangent. @example tanh(x); */
export function tanh(x: Tensor): Tensor {
  return floatUnary('tanh', x);
}
/** Logistic sigmoid `1 / (1 + e^{−x})`, stable for both signs. @example sigmoid(x); */
export function sigmoid(x: Tensor): Tensor {
  return floatUnary('sigmoid', x);
}
/** `log(1 + x)`, accurate near 0. @example log1p(x); */
export function log1p(x: Tensor): Tensor {
  return floatUnary('log1p', x);
}
/** `e^x − 1`, accurate near 0. @example expm1(x); */
export function expm1(x: Tensor): Tensor {
  return floatUnary('expm1', x);
}
/** The error function. @example erf(x); */
export function erf(x: Tensor): Tensor {
  return floatUnary('erf', x);
}
/** `|x|`. @example abs(tensor([-2, 3])); // [2, 3] */
export function abs(x: Tensor): Tensor {
  if (x.dtype === 'bool') throw new DTypeError('abs', 'expected a numeric tensor, got bool');
  return apply('abs', [x], NONE);
}
/** −1, 0 or 1 (zero gradient). @example sign(x); */
export function sign(x: Tensor): Tensor {
  return apply('sign', [x], NONE);
}
/** `x²`. @example square(x); */
export function square(x: Tensor): Tensor {
  return mul(x, x);
}
/** `1 / x`. @example reciprocal(x); */
export function reciprocal(x: Tensor): Tensor {
  assertFloat('reciprocal', x.dtype);
  return apply('div', [scalar(1, x.dtype, x), x], NONE);
}
/**
 * `max(x, 0)`; NaN stays NaN and passes its gradient, as in PyTorch.
 *
 * @example
 * relu(tensor([-1, 2])); // [0, 2]
 */
export function relu(x: Tensor): Tensor {
  const z = scalar(0, x.dtype === 'bool' ? 'int32' : x.dtype, x);
  // x <= 0 ? 0 : x, not x > 0 ? x : 0: NaN fails both tests and must come out as itself.
  return traced('relu', {}, [x], () => apply('where', [apply('compare', [x, z], { op: 'le' }), z, x], NONE));
}

function compare(op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = promote(op, a, b, 'any');
  return apply('compare', [x, y], { op });
}
/** `a == b` → bool. @example eq(x, 0); */
export function eq(a: TensorLike, b: TensorLike): Tensor {
  return compare('eq', a, b);
}
/** `a != b` → bool. @example ne(x, 0); */
export function ne(a: TensorLike, b: TensorLike): Tensor {
  return compare('ne', a, b);
}
/** `a < b` → bool. @example lt(x, y); */
export function lt(a: TensorLike, b: TensorLike): Tensor {
  return compare('lt', a, b);
}
/** `a <= b` → bool. @example le(x, y); */
export function le(a: TensorLike, b: TensorLike): Tensor {
  return compare('le', a, b);
}
/** `a > b` → bool. @example gt(x, 0); */
export function gt(a: TensorLike, b: TensorLike): Tensor {
  return compare('gt', a, b);
}
/** `a >= b` → bool. @example ge(x, 0); */
export function ge(a: TensorLike, b: TensorLike): Tensor {
  return compare('ge', a, b);
}

/**
 * `cond ? a : b` elementwise, broadcasting all three; `cond` is bool.
 *
 * @example
 * where(gt(x, 0), x, 0); // relu
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (cond.dtype !== 'bool') throw new DTypeError('where', `expected a bool condition, got ${cond.dtype}`);
  const [x, y] = promote('where', a, b, 'any');
  return apply('where', [cond, x, y], NONE);
}

/**
 * The larger of `a` and `b` elementwise (NaN propagates); at a tie each
 * input gets half the gradient, as in PyTorch.
 *
 * @example
 * maximum(tensor([1, 5]), tensor([3, 2])); // [3, 5]
 */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = promote('maximum', a, b, 'any');
  return apply('maximum', [x, y], NONE);
}

/** The smaller of `a` and `b` elementwise (NaN propagates; half the gradient each at a tie). @example minimum(x, 0); */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = promote('minimum', a, b, 'any');
  return apply('minimum', [x, y], NONE);
}

/** Options of `clamp`. */
export interface ClampOptions {
  /** Lower bound (null/absent: none). */
  min?: TensorLike | null;
  /** Upper bound (null/absent: none). */
  max?: TensorLike | null;
}

/**
 * `x` limited to `[min, max]`; the gradient is 1 inside (bounds included),
 * 0 outside and at NaN, as in PyTorch.
 *
 * @example
 * clamp(x, { min: -1, max: 1 });
 * clamp(x, { min: 0 });
 */
export function clamp(x: Tensor, opts: ClampOptions = {}): Tensor {
  const { min = null, max = null } = opts;
  if (min === null && max === null) throw new DTypeError('clamp', 'expected at least one of min and max');
  let y = x;
  if (min !== null) {
    const [a, m] = promote('clamp', y, min, 'any');
    y = apply('where', [apply('compare', [a, m], { op: 'lt' }), m, a], NONE);
  }
  if (max !== null) {
    const [a, m] = promote('clamp', y, max, 'any');
    y = apply('where', [apply('compare', [a, m], { op: 'gt' }), m, a], NONE);
  }
  // A NaN stays NaN but passes no gradient (PyTorch's mask is min <= x <= max); only matters when one flows.
  if (x._isFloat && isTracked(x)) {
    y = apply('where', [apply('compare', [x, x], { op: 'ne' }), x.detach(), y], NONE);
  }
  return y;
}

/**
 * `x` converted to `dtype` (differentiable between float dtypes).
 *
 * @example
 * cast(tensor([1.7]), 'int32'); // [1]
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  return x.dtype === dtype ? x : apply('cast', [x], { dtype });
}
