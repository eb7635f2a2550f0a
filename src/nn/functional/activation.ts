/**
 * More activations: `silu mish elu selu celu hardtanh hardsigmoid hardswish
 * relu6 softsign logsigmoid`, composites of the ops, with PyTorch's options
 * and PyTorch's gradients at the kinks (hardtanh, relu6 and hardsigmoid pass
 * no gradient at their bounds; hardswish's middle piece holds both ends; elu
 * and celu take the exponential side at 0). Exponential branches see a safe
 * input where they are not taken, so no overflow leaks a NaN into gradients.
 */
import { DTypeError, RangeArgError } from '../../errors.js';
import { abs, add, div, exp, expm1, gt, le, log1p, lt, mul, neg, sigmoid, softplus, sub, tanh, traced, where } from '../../ops/index.js';
import { Tensor, assertFloat } from '../../tensor/index.js';

function floatArg(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(op, `expected x to be a Tensor, got ${typeof x}`);
  assertFloat(op, x.dtype);
  return x;
}

function finite(op: string, name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeArgError(op, `${name} must be a finite number, got ${String(v)}`);
  return v;
}

/** `x·σ(x)` (swish). @example silu(tensor([1])); // [0.7311] */
export function silu(x: Tensor): Tensor {
  floatArg('silu', x);
  return mul(x, sigmoid(x));
}

/** `x·tanh(softplus(x))`. @example mish(tensor([1])); // [0.8651] */
export function mish(x: Tensor): Tensor {
  floatArg('mish', x);
  return traced('mish', {}, [x], () => mul(x, tanh(softplus(x))));
}

/** Options of `elu` and `celu`. */
export interface EluOptions {
  /** The scale of the negative side (default 1). */
  alpha?: number;
}

/** `x > 0 ? x : scale·α·(e^{x·inScale} − 1)` with `x > 0` taking the linear side. */
function expLinear(x: Tensor, alpha: number, scale: number, inScale: number): Tensor {
  const pos = gt(x, 0);
  const negSide = mul(expm1(mul(where(pos, 0, x), inScale)), alpha * scale);
  return where(pos, scale === 1 ? x : mul(x, scale), negSide);
}

/**
 * Exponential linear unit: `x` for x > 0, `α·(e^x − 1)` otherwise.
 *
 * @example
 * elu(tensor([-1, 2])); // [-0.6321, 2]
 * elu(x, { alpha: 0.5 });
 */
export function elu(x: Tensor, opts: EluOptions = {}): Tensor {
  floatArg('elu', x);
  const alpha = finite('elu', 'alpha', opts.alpha ?? 1);
  return traced('elu', { alpha }, [x], () => expLinear(x, alpha, 1, 1));
}

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/** Scaled ELU with the self-normalizing constants (α ≈ 1.6733, scale ≈ 1.0507). @example selu(tensor([-1, 1])); // [-1.1113, 1.0507] */
export function selu(x: Tensor): Tensor {
  floatArg('selu', x);
  return traced('selu', {}, [x], () => expLinear(x, SELU_ALPHA, SELU_SCALE, 1));
}

/**
 * Continuously differentiable ELU: `x` for x > 0, `α·(e^{x/α} − 1)` otherwise (α ≠ 0).
 *
 * @example
 * celu(tensor([-1, 1]), { alpha: 2 }); // [-0.7869, 1]
 */
export function celu(x: Tensor, opts: EluOptions = {}): Tensor {
  floatArg('celu', x);
  const alpha = finite('celu', 'alpha', opts.alpha ?? 1);
  if (alpha === 0) throw new RangeArgError('celu', 'alpha must not be 0 (ZeroDivisionError in PyTorch)');
  return traced('celu', { alpha }, [x], () => expLinear(x, alpha, 1, 1 / alpha));
}

/** Options of `hardtanh`. */
export interface HardtanhOptions {
  /** Lower bound (default −1). */
  minVal?: number;
  /** Upper bound (default 1). */
  maxVal?: number;
}

/** `x` clipped to `[lo, hi]`, with gradient 1 strictly inside only (PyTorch's hardtanh_backward). */
function clipOpen(x: Tensor, lo: number, hi: number): Tensor {
  return where(le(x, lo), lo, where(lt(x, hi), x, hi));
}

/**
 * `x` clipped to `[minVal, maxVal]`; the gradient is 1 strictly inside and 0
 * at and beyond the bounds, as in PyTorch.
 *
 * @example
 * hardtanh(tensor([-2, 0.5, 2])); // [-1, 0.5, 1]
 * hardtanh(x, { minVal: 0, maxVal: 6 }); // relu6
 */
export function hardtanh(x: Tensor, opts: HardtanhOptions = {}): Tensor {
  floatArg('hardtanh', x);
  const lo = finite('hardtanh', 'minVal', opts.minVal ?? -1);
  const hi = finite('hardtanh', 'maxVal', opts.maxVal ?? 1);
  if (lo > hi) throw new RangeArgError('hardtanh', `minVal ${lo} must not exceed maxVal ${hi}`);
  return traced('hardtanh', { minVal: lo, maxVal: hi }, [x], () => clipOpen(x, lo, hi));
}

/** `min(max(x, 0), 6)`; no gradient at 0 and 6 (PyTorch's hardtanh(0, 6)). @example relu6(tensor([-1, 3, 7])); // [0, 3, 6] */
export function relu6(x: Tensor): Tensor {
  floatArg('relu6', x);
  return traced('relu6', {}, [x], () => clipOpen(x, 0, 6));
}

/** `relu6(x + 3) / 6`; gradient 1/6 strictly inside (−3, 3). @example hardsigmoid(tensor([0])); // [0.5] */
export function hardsigmoid(x: Tensor): Tensor {
  floatArg('hardsigmoid', x);
  return traced('hardsigmoid', {}, [x], () => where(le(x, -3), 0, where(lt(x, 3), add(div(x, 6), 0.5), 1)));
}

/**
 * `x·relu6(x + 3) / 6`: 0 below −3, `x(x + 3)/6` on [−3, 3], `x` above; PyTorch's
 * gradient `x/3 + 1/2` holds on the closed middle interval.
 *
 * @example
 * hardswish(tensor([-4, 1, 4])); // [0, 0.6667, 4]
 */
export function hardswish(x: Tensor): Tensor {
  floatArg('hardswish', x);
  return traced('hardswish', {}, [x], () => where(lt(x, -3), 0, where(le(x, 3), div(mul(x, add(x, 3)), 6), x)));
}

/** `x / (1 + |x|)`. @example softsign(tensor([1])); // [0.5] */
export function softsign(x: Tensor): Tensor {
  floatArg('softsign', x);
  return traced('softsign', {}, [x], () => div(x, add(abs(x), 1)));
}

/**
 * `log σ(x) = −softplus(−x)`, stable for both signs: `x − log1p(e^x)` for
 * x < 0 and `−log1p(e^{−x})` otherwise.
 *
 * @example
 * logsigmoid(tensor([-1000, 0])); // [-1000, -0.6931]
 */
export function logsigmoid(x: Tensor): Tensor {
  floatArg('logsigmoid', x);
  const negative = lt(x, 0);
  const xn = where(negative, x, 0);
  const xp = where(negative, 0, x);
  return where(negative, sub(xn, log1p(exp(xn))), neg(log1p(exp(neg(xp)))));
}
