/**
 * `scaledDotProductAttention` with PyTorch 2's semantics (its math
 * reference): `softmax(q·kᵀ·scale + bias)·v`, where a bool `attnMask` keeps
 * the positions that are true, a float one is added, and `isCausal` keeps
 * `j ≤ i`. A row with every position masked gives NaN, as in PyTorch.
 */
import { DTypeError, RangeArgError, ShapeError, fmtShape } from '../../errors.js';
import { add, matmul, mul, softmax, transpose, where } from '../../ops/index.js';
import { Tensor, assertFloat, broadcastShapes, raw } from '../../tensor/index.js';
import { dropout } from './layers.js';

/** Options of `scaledDotProductAttention`. */
export interface ScaledDotProductAttentionOptions {
  /** `[..., L, S]` (broadcast): bool keeps the true positions; float is added to the scores (default none). */
  attnMask?: Tensor | null;
  /** Dropout probability on the attention weights (default 0). */
  dropoutP?: number;
  /** Only `j ≤ i` take part (a lower-triangular `[L, S]` mask); not with `attnMask` (default false). */
  isCausal?: boolean;
  /** Scale of the scores (default `1/√E`, PyTorch 2.1's `scale`). */
  scale?: number | null;
}

const OP = 'scaledDotProductAttention';

/**
 * Attention of `q: [..., L, E]` over `k: [..., S, E]` and `v: [..., S, Ev]`
 * (batch dims broadcast), giving `[..., L, Ev]`.
 *
 * @example
 * scaledDotProductAttention(q, k, v, { isCausal: true });
 * scaledDotProductAttention(q, k, v, { attnMask: keep, dropoutP: 0.1 }); // keep: bool [L, S]
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: ScaledDotProductAttentionOptions = {}): Tensor {
  for (const [name, t] of [['q', q], ['k', k], ['v', v]] as const) {
    if (!(t instanceof Tensor)) throw new DTypeError(OP, `expected ${name} to be a Tensor, got ${typeof t}`);
    if (t.ndim < 2) throw new ShapeError(OP, `expected ${name} of shape [..., length, features], got ${fmtShape(t.shape)}`);
  }
  assertFloat(OP, q.dtype);
  if (k.dtype !== q.dtype || v.dtype !== q.dtype) throw new DTypeError(OP, `expected q, k and v of one dtype, got ${q.dtype}, ${k.dtype} and ${v.dtype}`);
  const e = q.shape[q.ndim - 1]!;
  const l = q.shape[q.ndim - 2]!;
  const s = k.shape[k.ndim - 2]!;
  if (k.shape[k.ndim - 1] !== e) throw new ShapeError(OP, `q ${fmtShape(q.shape)} and k ${fmtShape(k.shape)} must have the same number of features (last dim)`);
  if (v.shape[v.ndim - 2] !== s) throw new ShapeError(OP, `k ${fmtShape(k.shape)} and v ${fmtShape(v.shape)} must have the same length S (dim -2)`);
  const p = opts.dropoutP ?? 0;
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeArgError(OP, `dropoutP must be in [0, 1], got ${String(p)}`);
  const mask = opts.attnMask ?? null;
  if (opts.isCausal && mask !== null) throw new RangeArgError(OP, 'give either attnMask or isCausal, not both');
  const scale = opts.scale ?? 1 / Math.sqrt(e);
  let scores = mul(matmul(q, transpose(k, -2, -1)), scale);
  if (opts.isCausal) {
    const keep = new Uint8Array(l * s);
    for (let i = 0; i < l; i++) for (let j = 0; j <= Math.min(i, s - 1); j++) keep[i * s + j] = 1;
    scores = where(raw.fromValues(keep, [l, s], 'bool', q.backend), scores, -Infinity);
  } else if (mask !== null) {
    if (!(mask instanceof Tensor)) throw new DTypeError(OP, `expected attnMask to be a Tensor, got ${typeof mask}`);
    broadcastShapes(OP, mask.shape, scores.shape);
    if (mask.dtype === 'bool') scores = where(mask, scores, -Infinity);
    else if (mask.dtype === q.dtype) scores = add(scores, mask);
    else throw new DTypeError(OP, `attnMask must be bool or ${q.dtype} (the dtype of q), got ${mask.dtype}`);
  }
  let weights = softmax(scores, -1);
  if (p > 0) weights = dropout(weights, { p, training: true });
  return matmul(weights, v);
}
