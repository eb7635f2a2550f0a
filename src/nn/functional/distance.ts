/**
 * Similarities and distances along a dim: `cosineSimilarity` and
 * `pairwiseDistance`, with PyTorch's broadcasting and `eps` rules.
 */
import { DTypeError, RangeArgError } from '../../errors.js';
import { add, clamp, expand, mul, norm, rsqrt, sub, sum } from '../../ops/index.js';
import { Tensor, assertFloat, broadcastShapes, normDim } from '../../tensor/index.js';

function pair(op: string, x1: unknown, x2: unknown): [Tensor, Tensor] {
  if (!(x1 instanceof Tensor) || !(x2 instanceof Tensor)) throw new DTypeError(op, 'expected x1 and x2 to be tensors');
  assertFloat(op, x1.dtype);
  if (x2.dtype !== x1.dtype) throw new DTypeError(op, `expected x1 and x2 of one dtype, got ${x1.dtype} and ${x2.dtype}`);
  return [x1, x2];
}

/** Options of `cosineSimilarity`. */
export interface CosineSimilarityOptions {
  /** The dim of the vectors (default 1). */
  dim?: number;
  /** Each norm is at least `eps` in value (default 1e-8). */
  eps?: number;
}

/**
 * `x1·x2 / √(max(‖x1‖², eps²)·max(‖x2‖², eps²))` along `dim` (x1 and x2 broadcast), with
 * PyTorch 1.13's gradient where a norm is clamped (as if it were not).
 *
 * @example
 * cosineSimilarity(tensor([[1, 0]]), tensor([[1, 1]])); // [0.7071]
 * cosineSimilarity(a, b, { dim: -1 });
 */
export function cosineSimilarity(x1: Tensor, x2: Tensor, opts: CosineSimilarityOptions = {}): Tensor {
  const op = 'cosineSimilarity';
  pair(op, x1, x2);
  const shape = broadcastShapes(op, x1.shape, x2.shape);
  const d = normDim(op, opts.dim ?? 1, Math.max(1, shape.length));
  const eps = opts.eps ?? 1e-8;
  if (typeof eps !== 'number' || !(eps >= 0)) throw new RangeArgError(op, `eps must be a non-negative number, got ${String(eps)}`);
  const a = expand(x1, shape);
  const b = expand(x2, shape);
  const dims = shape.length === 0 ? undefined : d;
  // PyTorch 1.13 clamps the squared norms at eps² in place under no_grad: the value is clamped, the gradient
  // still flows as through the unclamped squared norm.
  const squared = (t: Tensor): Tensor => {
    const s = sum(mul(t, t), dims);
    return add(s, sub(clamp(s, { min: eps * eps }), s).detach());
  };
  return mul(sum(mul(a, b), dims), rsqrt(mul(squared(a), squared(b))));
}

/** Options of `pairwiseDistance`. */
export interface PairwiseDistanceOptions {
  /** The order of the norm (default 2). */
  p?: number;
  /** Added to the difference (default 1e-6), so that the norm is never taken at 0. */
  eps?: number;
  /** Keep the reduced last dim (default false). */
  keepdim?: boolean;
}

/**
 * `‖x1 − x2 + eps‖_p` along the last dim (x1 and x2 broadcast).
 *
 * @example
 * pairwiseDistance(tensor([[0, 0]]), tensor([[3, 4]])); // [5.0000]
 * pairwiseDistance(a, b, { p: 1, keepdim: true });
 */
export function pairwiseDistance(x1: Tensor, x2: Tensor, opts: PairwiseDistanceOptions = {}): Tensor {
  const op = 'pairwiseDistance';
  pair(op, x1, x2);
  const shape = broadcastShapes(op, x1.shape, x2.shape);
  const p = opts.p ?? 2;
  if (typeof p !== 'number' || Number.isNaN(p)) throw new RangeArgError(op, `p must be a number, got ${String(p)}`);
  const eps = opts.eps ?? 1e-6;
  const diff = add(sub(x1, x2), eps);
  if (shape.length === 0) return norm(diff, { p });
  return norm(diff, { p, dim: shape.length - 1, keepdim: opts.keepdim ?? false });
}
