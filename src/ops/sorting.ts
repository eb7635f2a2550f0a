/**
 * Sorting: `sort`, `argsort`, `topk`. One `sort` primitive returns the
 * stable int32 permutation along a dim (NaN sorted as the largest value, as
 * PyTorch); the values are `gather`ed with it, so their gradient is gather's.
 */
import { DTypeError, RangeArgError, fmtShape } from '../errors.js';
import { Tensor, normDim } from '../tensor/index.js';
import { apply } from './dispatch.js';
import type { ValuesIndices } from './reduction.js';

/** Options of `sort`. */
export interface SortOptions {
  /** Largest first (NaN first); default false. */
  descending?: boolean;
  /** Keep the order of equal elements; sorting here is always stable, so this is accepted for PyTorch's signature. */
  stable?: boolean;
}

/** Options of `argsort`. */
export type ArgsortOptions = SortOptions;

/** Options of `topk`. */
export interface TopkOptions {
  /** The k largest (default) or the k smallest. */
  largest?: boolean;
  /** Results in sorted order; they always are here (PyTorch leaves the order unspecified when false). */
  sorted?: boolean;
}

function tensorArg(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(op, `expected a Tensor, got ${Array.isArray(x) ? 'an array (wrap it with tensor())' : typeof x}`);
  return x;
}

/** The sorting permutation of `x` (at least 1-d) along `d`. */
function permutation(x: Tensor, d: number, descending: boolean): Tensor {
  return apply('sort', [x], { dim: d, descending });
}

/** Runs `f` on `x` as 1-d when it is 0-d, the results back to 0-d. */
function lifted(x: Tensor, f: (t: Tensor, d: number) => ValuesIndices, op: string, dim: number): ValuesIndices {
  const d = normDim(op, dim, Math.max(1, x.ndim));
  if (x.ndim > 0) return f(x, d);
  const r = f(apply('reshape', [x], { shape: [1] }), 0);
  const back = (t: Tensor): Tensor => apply('reshape', [t], { shape: [] });
  return { values: back(r.values), indices: back(r.indices) };
}

/**
 * `x` sorted along `dim` (default the last), with the int32 positions the
 * values came from. Stable: equal elements keep their order in both
 * directions; NaN sorts as the largest value. Differentiable in the values.
 *
 * @example
 * const { values, indices } = sort(tensor([3, 1, 2]));          // [1, 2, 3], [1, 2, 0]
 * sort(tensor([[1, 5], [4, 2]]), 0, { descending: true }).values; // [[4, 5], [1, 2]]
 */
export function sort(x: Tensor, dim = -1, opts: SortOptions = {}): ValuesIndices {
  tensorArg('sort', x);
  return lifted(x, (t, d) => {
    const indices = permutation(t, d, opts.descending ?? false);
    return { values: apply('gather', [t, indices], { dim: d }), indices };
  }, 'sort', dim);
}

/**
 * The int32 positions that sort `x` along `dim` (default the last): `sort`'s indices.
 *
 * @example
 * argsort(tensor([3, 1, 2])); // [1, 2, 0]
 */
export function argsort(x: Tensor, dim = -1, opts: ArgsortOptions = {}): Tensor {
  tensorArg('argsort', x);
  return lifted(x, (t, d) => {
    const indices = permutation(t, d, opts.descending ?? false);
    return { values: indices, indices };
  }, 'argsort', dim).indices;
}

/**
 * The `k` largest (or, with `largest: false`, smallest) elements along
 * `dim` (default the last), in sorted order, with their int32 positions;
 * NaN counts as the largest value. Differentiable in the values.
 *
 * @example
 * topk(tensor([1, 5, 3, 4]), 2).values; // [5, 4]
 * topk(tensor([1, 5, 3, 4]), 2, 0, { largest: false }).indices; // [0, 2]
 */
export function topk(x: Tensor, k: number, dim = -1, opts: TopkOptions = {}): ValuesIndices {
  tensorArg('topk', x);
  return lifted(x, (t, d) => {
    const n = t.shape[d]!;
    if (!Number.isInteger(k) || k < 0 || k > n) {
      throw new RangeArgError('topk', `k must be an integer in [0, ${n}] (the size of dim ${d} of x ${fmtShape(x.shape)}), got ${k}`);
    }
    const perm = permutation(t, d, opts.largest ?? true);
    const first = apply('slice', [perm], { start: t.shape.map(() => 0), step: t.shape.map(() => 1), shape: t.shape.map((s, i) => (i === d ? k : s)) });
    const indices = apply('contiguous', [first], {});
    return { values: apply('gather', [t, indices], { dim: d }), indices };
  }, 'topk', dim);
}
