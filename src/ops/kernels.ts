/**
 * Forward computations of the primitives that need more than one raw kernel
 * call: the view geometry of reshape/permute/expand/slice, unslice and cat.
 * No autograd here; `table.ts` calls these from its rules' `forward`.
 */
import type { DType } from '../backend/index.js';
import { Tensor, contiguousStrides, deviceOf, raw, sizeOf } from '../tensor/index.js';

/**
 * Strides that let `shape` view a tensor of `oldShape`/`oldStrides` without
 * copying, or null (PyTorch's `computeStride`).
 *
 * @example
 * viewStrides([2, 3], [3, 1], [6]); // [1]
 * viewStrides([2, 3], [1, 2], [6]); // null (a transpose)
 */
export function viewStrides(oldShape: readonly number[], oldStrides: readonly number[], shape: readonly number[]): number[] | null {
  if (oldShape.length === 0 || sizeOf(oldShape) === 0) return contiguousStrides(shape);
  const strides = new Array<number>(shape.length);
  let viewD = shape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d]!;
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] === 1)) {
        strides[viewD] = viewNumel * chunkBase;
        viewNumel *= shape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? strides : null;
}

/** `x` with a new shape of the same size: a view when the strides allow, else a copy. @example reshapeForward(x, [6]); */
export function reshapeForward(x: Tensor, shape: readonly number[]): Tensor {
  const s = viewStrides(x.shape, x.strides, shape);
  if (s !== null) return raw.asStrided(x, shape, s, x.offset);
  const c = raw.copyAs(x);
  return new Tensor(c.storage, shape);
}

/** The view of `x` with dims reordered. @example permuteForward(x, [1, 0]); */
export function permuteForward(x: Tensor, dims: readonly number[]): Tensor {
  return raw.asStrided(x, dims.map((d) => x.shape[d]!), dims.map((d) => x.strides[d]!), x.offset);
}

/** The broadcast view of `x` to `shape` (always a new tensor object). @example expandForward(x, [4, 3]); */
export function expandForward(x: Tensor, shape: readonly number[]): Tensor {
  const v = raw.expandView(x, shape);
  return v === x ? raw.asStrided(x, x.shape, x.strides, x.offset) : v;
}

/** The strided window of `x`. @example sliceForward(x, [1], [2], [3]); // x[1:7:2] of a [10] */
export function sliceForward(x: Tensor, start: readonly number[], step: readonly number[], shape: readonly number[]): Tensor {
  let offset = x.offset;
  for (let d = 0; d < start.length; d++) offset += start[d]! * x.strides[d]!;
  return raw.asStrided(x, shape, x.strides.map((s, d) => s * step[d]!), offset);
}

/** `x` written into the window `start/step` of a new tensor of `shape` filled with `value`. @example unsliceForward(x, [5], [1], [1], 0); */
export function unsliceForward(x: Tensor, shape: readonly number[], start: readonly number[], step: readonly number[], value: number): Tensor {
  const out = raw.filled(shape, x.dtype, value, deviceOf(x));
  if (x.size > 0) raw.copyInto(x, sliceForward(out, start, step, x.shape));
  return out;
}

/** The tensors joined along `dim` (one dtype, equal other dims). @example catForward([a, b], 0, 'float32'); */
export function catForward(xs: readonly Tensor[], dim: number, dtype: DType): Tensor {
  const first = xs[0]!;
  const shape = first.shape.slice();
  shape[dim] = xs.reduce((n, x) => n + x.shape[dim]!, 0);
  const out = raw.filled(shape, dtype, 0, deviceOf(first));
  let at = 0;
  const zeroStart = shape.map(() => 0);
  const ones = shape.map(() => 1);
  for (const x of xs) {
    if (x.size > 0) {
      const start = zeroStart.slice();
      start[dim] = at;
      raw.copyInto(x, sliceForward(out, start, ones, x.shape), 'cat');
    }
    at += x.shape[dim]!;
  }
  return out;
}

