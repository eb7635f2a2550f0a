/**
 * `linear`, `embedding` and `dropout`: a matmul, a row lookup and a seeded
 * mask, all composites.
 */
import { bottom } from '../../autograd/index.js';
import { DTypeError, RangeArgError, ShapeError, fmtShape } from '../../errors.js';
import { add, cast, indexSelect, lt, matmul, mul, reshape, traced, transpose } from '../../ops/index.js';
import { Tensor, assertFloat, checkRange, rand, raw } from '../../tensor/index.js';

/**
 * `x @ weightᵀ + bias` over the last dim of `x: [..., in]`, with `weight:
 * [out, in]` and `bias: [out]`.
 *
 * @example
 * linear(randn([4, 5]), randn([3, 5]), zeros([3])).shape; // [4, 3]
 * linear(randn([5]), randn([3, 5])).shape;                // [3]
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (!(x instanceof Tensor) || !(weight instanceof Tensor)) throw new DTypeError('linear', 'expected x and weight to be tensors');
  if (x.ndim === 0) throw new ShapeError('linear', 'expected x of shape [..., in], got []');
  const inF = x.shape[x.ndim - 1]!;
  if (weight.ndim !== 2 || weight.shape[1] !== inF) {
    throw new ShapeError('linear', `weight must be [out, in] = [out, ${inF}] for x ${fmtShape(x.shape)}, got ${fmtShape(weight.shape)}`);
  }
  if (bias !== null && bias !== undefined && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0])) {
    throw new ShapeError('linear', `bias must be [out] = [${weight.shape[0]}], got ${fmtShape(bias.shape)}`);
  }
  return traced('linear', {}, [x, weight, bias ?? null], () => {
    const y = matmul(x, transpose(weight, 0, 1));
    return bias ? add(y, bias) : y;
  });
}

/**
 * The rows of `weight: [numEmbeddings, dim]` at the int32 `indices` (any
 * shape): the result is `[...indices.shape, dim]`. Repeated indices add
 * their gradients.
 *
 * @example
 * embedding(tensor([[0, 2], [2, 1]], { dtype: 'int32' }), randn([3, 4])).shape; // [2, 2, 4]
 */
export function embedding(indices: Tensor, weight: Tensor): Tensor {
  if (!(indices instanceof Tensor) || indices.dtype !== 'int32') {
    throw new DTypeError('embedding', `expected int32 indices, got ${indices instanceof Tensor ? indices.dtype : typeof indices}`);
  }
  if (!(weight instanceof Tensor) || weight.ndim !== 2) {
    throw new ShapeError('embedding', `weight must be 2-D [numEmbeddings, dim], got ${weight instanceof Tensor ? fmtShape(weight.shape) : typeof weight}`);
  }
  const rows = weight.shape[0]!;
  // Under vmap: every example's indices; on the GPU the check is deferred to the next read.
  checkRange(bottom(indices), (lo, hi) =>
    lo < 0 || hi >= rows ? new RangeArgError('embedding', `index ${lo < 0 ? lo : hi} is out of range for ${rows} embeddings (weight ${fmtShape(weight.shape)})`) : null);
  return traced('embedding', {}, [indices, weight], () => {
    const picked = indexSelect(weight, 0, reshape(indices, [-1]));
    return reshape(picked, [...indices.shape, weight.shape[1]!]);
  });
}

/** Options of `dropout`. */
export interface DropoutOptions {
  /** Probability of zeroing an element (default 0.5). */
  p?: number;
  /** Apply dropout (default true, like `F.dropout`); when false `x` is returned unchanged. */
  training?: boolean;
}

/**
 * Zeroes each element with probability `p` and scales the rest by
 * `1/(1 − p)`, so the expectation is unchanged. The mask is drawn from the
 * seeded tensor RNG (`manualSeed`), identical on every backend.
 *
 * @example
 * manualSeed(0);
 * dropout(ones([6]), { p: 0.5 }); // [0, 2, 2, 2, 0, 0]
 * dropout(x, { training: false }); // x
 */
export function dropout(x: Tensor, opts: DropoutOptions = {}): Tensor {
  const p = opts.p ?? 0.5;
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeArgError('dropout', `p must be in [0, 1], got ${String(p)}`);
  if (!(x instanceof Tensor)) throw new DTypeError('dropout', 'expected x to be a tensor');
  assertFloat('dropout', x.dtype);
  if (!(opts.training ?? true) || p === 0) return x;
  if (p === 1) return mul(x, 0);
  // Drawn on the CPU (the seeded float64 source, identical on every backend), then moved to x's backend.
  let keep = lt(rand(x.shape, { dtype: 'float64', backend: 'js' }), 1 - p);
  if (x.backend === 'webgpu') keep = raw.copyAs(keep, 'bool', 'webgpu');
  return mul(x, mul(cast(keep, x.dtype), 1 / (1 - p)));
}
