/**
 * The kinds of batching rule (`vmap`), so that each primitive's rule in
 * `table.ts` is one line: elementwise with broadcasting (align the batch
 * dims), reductions and views (shift the dims past the batch dim), matmul
 * (one batched matmul), and sliding windows (fold the batch into N).
 *
 * A rule sees each input's physical value and batch dim (`bdim`, null when
 * the input is the same for every example) and returns the physical output
 * and its batch dim. Rules are written with `apply`, so the batched
 * computation is recorded by autograd and forward mode like any other.
 */
import { stopGradient } from '../autograd/index.js';
import type { Tensor } from '../tensor/index.js';
import { apply, scalar } from './dispatch.js';
import type { BatchArg, Batched, BatchRule, PrimParams, Primitive } from './primitives.js';

const permute = (x: Tensor, dims: readonly number[]): Tensor => apply('permute', [x], { dims });
const reshape = (x: Tensor, shape: readonly number[]): Tensor => apply('reshape', [x], { shape });
const expand = (x: Tensor, shape: readonly number[]): Tensor => apply('expand', [x], { shape });

/** The per-example rank of an input. */
const rankOf = (a: BatchArg): number => a.value.ndim - (a.bdim === null ? 0 : 1);

/** `dims` with `v` inserted at `at`. */
function insertAt<T>(xs: readonly T[], at: number, v: T): T[] {
  return [...xs.slice(0, at), v, ...xs.slice(at)];
}

/**
 * The input as `[size, ...example]`: its batch dim moved to the front, or
 * (unbatched) broadcast to the batch size.
 *
 * @example
 * front({ value: x, bdim: 1 }, 4); // x.permute(1, 0, 2, ...)
 */
export function front(a: BatchArg, size: number): Tensor {
  const v = a.value;
  if (a.bdim === null) return expand(reshape(v, [1, ...v.shape]), [size, ...v.shape]);
  if (a.bdim === 0) return v;
  const d = a.bdim;
  return permute(v, [d, ...v.shape.map((_, i) => i).filter((i) => i !== d)]);
}

/** A batched input as `[size, 1, ..., ...example]` with `rank` per-example dims (for right-aligned broadcasting). */
function aligned(a: BatchArg, rank: number, size: number): Tensor {
  const v = front(a, size);
  const r = v.ndim - 1;
  return r === rank ? v : reshape(v, [v.shape[0]!, ...new Array<number>(rank - r).fill(1), ...v.shape.slice(1)]);
}

/**
 * Elementwise primitives with broadcasting: when every batched input has its
 * batch dim at one position of one rank and the unbatched ones broadcast
 * below it, the primitive runs on the values as they are; otherwise the
 * batch dims are moved to the front and the examples' dims right-aligned.
 *
 * @example
 * add: { ..., batch: elementwise('add') }
 */
export function elementwise<P extends Primitive>(prim: P): BatchRule<P> {
  return (x, p, size) => {
    let bdim = -1;
    let prank = -1;
    let rank = 0;
    let same = true;
    for (const a of x) {
      rank = Math.max(rank, rankOf(a));
      if (a.bdim === null) continue;
      if (bdim === -1) [bdim, prank] = [a.bdim, a.value.ndim];
      else if (a.bdim !== bdim || a.value.ndim !== prank) same = false;
    }
    if (same && x.every((a) => a.bdim !== null || a.value.ndim <= prank - 1 - bdim)) {
      return { value: apply(prim, x.map((a) => a.value), p), bdim };
    }
    return { value: apply(prim, x.map((a) => (a.bdim === null ? a.value : aligned(a, rank, size))), p), bdim: 0 };
  };
}

/** The physical dim of per-example dim `d` when the batch dim is at `b`. */
const past = (d: number, b: number): number => (d >= b ? d + 1 : d);

/**
 * Reductions over `dims` (sorted): the same reduction over the dims shifted
 * past the batch dim, which stays where it is (moved left by the reduced
 * dims before it when they are not kept).
 *
 * @example
 * sum: { ..., batch: reduction('sum') }
 */
export function reduction<P extends 'sum' | 'extreme'>(prim: P): BatchRule<P> {
  return (x, p) => {
    const { value, bdim } = x[0]!;
    const b = bdim!;
    const dims = p.dims.map((d) => past(d, b));
    const before = p.keepdim ? 0 : p.dims.filter((d) => d < b).length;
    return { value: apply(prim, [value], { ...p, dims } as PrimParams[P]), bdim: b - before };
  };
}

/** `argReduce` along one dim, shifted past the batch dim. @example argReduce: { ..., batch: argReduction } */
export const argReduction: BatchRule<'argReduce'> = (x, p) => {
  const { value, bdim } = x[0]!;
  const b = bdim!;
  const before = !p.keepdim && p.dim < b ? 1 : 0;
  return { value: apply('argReduce', [value], { ...p, dim: past(p.dim, b) }), bdim: b - before };
};

/**
 * The views and copies whose params name per-example dims or shapes: the
 * batch dim goes to the front (or stays, for `permute`, `slice`, `unslice`)
 * and the params gain it.
 *
 * @example
 * reshape: { ..., batch: views.reshape }
 */
export const views = {
  reshape: ((x, p, size) => ({ value: reshape(front(x[0]!, size), [size, ...p.shape]), bdim: 0 })) as BatchRule<'reshape'>,
  permute: ((x, p) => {
    const b = x[0]!.bdim!;
    return { value: permute(x[0]!.value, [b, ...p.dims.map((d) => past(d, b))]), bdim: 0 };
  }) as BatchRule<'permute'>,
  expand: ((x, p, size) => ({ value: expand(aligned(x[0]!, p.shape.length, size), [size, ...p.shape]), bdim: 0 })) as BatchRule<'expand'>,
  slice: ((x, p, size) => {
    const b = x[0]!.bdim!;
    const q = { start: insertAt(p.start, b, 0), step: insertAt(p.step, b, 1), shape: insertAt(p.shape, b, size) };
    return { value: apply('slice', [x[0]!.value], q), bdim: b };
  }) as BatchRule<'slice'>,
  unslice: ((x, p, size) => {
    const b = x[0]!.bdim!;
    const q = { ...p, start: insertAt(p.start, b, 0), step: insertAt(p.step, b, 1), shape: insertAt(p.shape, b, size) };
    return { value: apply('unslice', [x[0]!.value], q), bdim: b };
  }) as BatchRule<'unslice'>,
};

/**
 * Primitives along a `dim` param over several inputs of one per-example rank
 * (cat, gather, scatterAdd): every input to the front (unbatched ones
 * broadcast), the dim shifted by one, and a `shape` param gaining the batch.
 *
 * @example
 * cat: { ..., batch: alongDim('cat') }
 */
export function alongDim<P extends 'cat' | 'gather' | 'scatterAdd'>(prim: P): BatchRule<P> {
  return (x, p, size) => {
    const q = { ...p, dim: p.dim + 1, ...('shape' in p ? { shape: [size, ...p.shape] } : {}) } as PrimParams[P];
    return { value: apply(prim, x.map((a) => front(a, size)), q), bdim: 0 };
  };
}

/**
 * Batched matmul. With one side shared by all examples and 2-D, the batch
 * folds into the other side's rows (or columns): one large product instead
 * of `size` small ones. Otherwise the batch dims are aligned like
 * elementwise broadcasting and one batched matmul runs.
 *
 * @example
 * matmul: { ..., batch: batchedMatmul }
 */
export const batchedMatmul: BatchRule<'matmul'> = (x, p, size) => {
  const [a, b] = x as [BatchArg, BatchArg];
  if (b.bdim === null && b.value.ndim === 2) {
    // [size, ..., n, k] → [size·...·n, k] @ [k, m]
    const av = front(a, size);
    const rows = av.shape.slice(0, -1);
    const flat = reshape(av, [rows.reduce((s, n) => s * n, 1), av.shape[av.ndim - 1]!]);
    return { value: reshape(apply('matmul', [flat, b.value], p), [...rows, b.value.shape[1]!]), bdim: 0 };
  }
  if (a.bdim === null && a.value.ndim === 2 && b.value.ndim === 3) {
    // [n, k] @ [k, size·m] with b as [k, size, m]; the result [n, size, m] has the batch at dim 1.
    const bv = front(b, size);
    const [k, m] = [bv.shape[1]!, bv.shape[2]!];
    const cols = reshape(permute(bv, [1, 0, 2]), [k, size * m]);
    return { value: reshape(apply('matmul', [a.value, cols], p), [a.value.shape[0]!, size, m]), bdim: 1 };
  }
  const rank = Math.max(rankOf(a), rankOf(b));
  const v = [a, b].map((t) => (t.bdim === null ? t.value : aligned(t, rank, size)));
  // An inner dim of 1 (per-example outer products, as in per-sample weight gradients): one broadcast multiply, the same values.
  if (a.value.shape[a.value.ndim - 1] === 1) return { value: apply('mul', v, {}), bdim: 0 };
  return { value: apply('matmul', v, p), bdim: 0 };
};

/**
 * Sliding windows over `[N, C, ...spatial]` examples: the batch folds into N,
 * one pass over all windows, then splits out again.
 *
 * @example
 * im2col: { ..., batch: windows('im2col') }
 */
export function windows<P extends 'im2col' | 'col2im'>(prim: P): BatchRule<P> {
  return (x, p, size) => {
    const v = front(x[0]!, size);
    const folded = reshape(v, [size * v.shape[1]!, ...v.shape.slice(2)]);
    const y = apply(prim, [folded], p);
    return { value: reshape(y, [size, v.shape[1]!, ...y.shape.slice(1)]), bdim: 0 };
  };
}

export type { BatchArg, Batched };

/**
 * The max of `x` over `dims` (kept) as a constant for every transform, with
 * ±inf replaced by 0: the stabilizing shift of softmax and logsumexp for a
 * tensor batched by vmap (the raw kernels would see one example only).
 *
 * @example
 * const m = batchedMaxShift(x, [1]);
 */
export function batchedMaxShift(x: Tensor, dims: readonly number[]): Tensor {
  const m = apply('extreme', [stopGradient(x)], { op: 'max', dims, keepdim: true, nanPicks: false });
  const inf = apply('compare', [apply('abs', [m], {}), scalar(Infinity, x.dtype, x)], { op: 'eq' });
  return apply('where', [inf, scalar(0, x.dtype, x), m], {});
}
