/**
 * Activations and normalizing maps that `adjoint/nn/functional` re-exports:
 * `softmax logSoftmax gelu leakyRelu softplus`. All composites of primitives.
 */
import { Tensor, assertFloat, normDim, raw } from '../tensor/index.js';
import { add, div, erf, exp, gt, log, log1p, mul, sub, tanh, where } from './elementwise.js';
import { batchedMaxShift } from './batching.js';
import { sum } from './reduction.js';
import { traced } from './trace.js';

/** The normalized dim of `x` (a 0-d tensor accepts 0 / -1). */
function softDim(op: string, x: Tensor, dim: number): number[] {
  if (x.ndim === 0) {
    normDim(op, dim, 1);
    return [];
  }
  return [normDim(op, dim, x.ndim)];
}

/** The max along dims as a constant (its gradient cancels), with ±inf replaced by 0. */
function shiftOf(x: Tensor, dims: readonly number[]): Tensor {
  if (x._batch !== null) return batchedMaxShift(x, dims);
  const m = raw.rawReduce('max', x, dims, true, x.dtype);
  const inf = raw.rawCompare('eq', raw.rawUnary('abs', m), raw.fromValues([Infinity], [], x.dtype));
  return raw.rawWhere(inf, raw.filled([], x.dtype, 0), m);
}

/**
 * `exp(x) / sum(exp(x))` along `dim`, computed stably.
 *
 * @example
 * softmax(tensor([1, 2, 3]), 0); // [0.0900, 0.2447, 0.6652]
 */
export function softmax(x: Tensor, dim: number): Tensor {
  assertFloat('softmax', x.dtype);
  const dims = softDim('softmax', x, dim);
  return traced('softmax', { dim: dims[0] ?? 0 }, [x], () => {
    const e = exp(sub(x, shiftOf(x, dims)));
    return div(e, sum(e, dims, { keepdim: true }));
  });
}

/**
 * `log(softmax(x))` along `dim`, computed stably (no log of 0 for logits of ±1000).
 *
 * @example
 * logSoftmax(tensor([1000, 0]), 0); // [0, -1000]
 */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  assertFloat('logSoftmax', x.dtype);
  const dims = softDim('logSoftmax', x, dim);
  return traced('logSoftmax', { dim: dims[0] ?? 0 }, [x], () => {
    const z = sub(x, shiftOf(x, dims));
    return sub(z, log(sum(exp(z), dims, { keepdim: true })));
  });
}

/** Options of `gelu`. */
export interface GeluOptions {
  /** `'none'`: exact `x·Φ(x)` with erf (default); `'tanh'`: the tanh approximation. */
  approximate?: 'none' | 'tanh';
}

const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * Gaussian error linear unit: `x·Φ(x) = x/2·(1 + erf(x/√2))`, or with
 * `approximate: 'tanh'`, `x/2·(1 + tanh(√(2/π)(x + 0.044715x³)))`.
 *
 * @example
 * gelu(x);
 * gelu(x, { approximate: 'tanh' });
 */
export function gelu(x: Tensor, opts: GeluOptions = {}): Tensor {
  assertFloat('gelu', x.dtype);
  const approximate = opts.approximate ?? 'none';
  return traced('gelu', { approximate }, [x], () => {
    const half = mul(x, 0.5);
    if (approximate === 'tanh') {
      const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), SQRT_2_OVER_PI);
      return mul(half, add(tanh(inner), 1));
    }
    return mul(half, add(erf(mul(x, SQRT_HALF)), 1));
  });
}

/** Options of `leakyRelu`. */
export interface LeakyReluOptions {
  /** Slope for x < 0 (default 0.01). */
  negativeSlope?: number;
}

/**
 * `x` for x > 0, `negativeSlope·x` otherwise.
 *
 * @example
 * leakyRelu(tensor([-10, 10]), { negativeSlope: 0.1 }); // [-1, 10]
 */
export function leakyRelu(x: Tensor, opts: LeakyReluOptions = {}): Tensor {
  assertFloat('leakyRelu', x.dtype);
  const negativeSlope = opts.negativeSlope ?? 0.01;
  return traced('leakyRelu', { negativeSlope }, [x], () => where(gt(x, 0), x, mul(x, negativeSlope)));
}

/** Options of `softplus`. */
export interface SoftplusOptions {
  /** Sharpness (default 1). */
  beta?: number;
  /** Above `beta·x > threshold` the result is `x` (default 20). */
  threshold?: number;
}

/**
 * `log(1 + e^{βx}) / β`, and `x` itself where `βx > threshold` (like PyTorch).
 *
 * @example
 * softplus(tensor([0])); // [0.6931]
 */
export function softplus(x: Tensor, opts: SoftplusOptions = {}): Tensor {
  assertFloat('softplus', x.dtype);
  const beta = opts.beta ?? 1;
  const threshold = opts.threshold ?? 20;
  return traced('softplus', { beta, threshold }, [x], () => {
    const bx = mul(x, beta);
    const linear = gt(bx, threshold);
    // The smooth branch sees 0 where the linear one is taken, so it never overflows (no NaN gradient).
    const safe = where(linear, 0, bx);
    return where(linear, x, div(log1p(exp(safe)), beta));
  });
}
