/**
 * Shape arithmetic: sizes, strides, broadcasting and dim normalization, with
 * the error messages every op shares.
 */
import { RangeArgError, ShapeError, fmtShape } from '../errors.js';
import { contiguousStrides, isContiguousStrides, sizeOf } from '../backend/shape.js';

/** A tensor shape. */
export type Shape = readonly number[];

export { contiguousStrides, isContiguousStrides, sizeOf };

/** Elementwise shape equality. @example sameShape([2, 3], [2, 3]); // true */
export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The NumPy broadcast of two shapes.
 *
 * @example
 * broadcastShapes('add', [3, 1], [1, 4]); // [3, 4]
 * broadcastShapes('add', [3, 1], [2, 4]); // ShapeError: add: cannot broadcast [3,1] with [2,4]
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  if (sameShape(a, b)) return a as number[];
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new ShapeError(op, `cannot broadcast ${fmtShape(a)} with ${fmtShape(b)}`);
    }
    out[i] = x === 1 ? y : x;
  }
  return out;
}

/**
 * A dim in `[-ndim, ndim)` as a non-negative index.
 *
 * @example
 * normDim('sum', -1, 2); // 1
 * normDim('sum', 3, 2);  // RangeArgError: sum: dim 3 out of range for a tensor of 2 dims
 */
export function normDim(op: string, dim: number, ndim: number): number {
  if (!Number.isInteger(dim) || dim < -ndim || dim >= ndim) {
    const range = ndim === 0 ? 'a 0-d tensor has no dims' : `expected a dim in [${-ndim}, ${ndim - 1}]`;
    throw new RangeArgError(op, `dim ${dim} out of range for a tensor of ${ndim} dims (${range})`);
  }
  return dim < 0 ? dim + ndim : dim;
}

/**
 * Normalized, sorted, distinct dims; `null`/`undefined` means all dims.
 *
 * @example
 * normDims('sum', [-1, 0], 3); // [0, 2]
 */
export function normDims(op: string, dims: number | readonly number[] | null | undefined, ndim: number): number[] {
  if (dims === null || dims === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dims === 'number' ? [dims] : dims;
  const out = list.map((d) => normDim(op, d, ndim));
  const sorted = [...out].sort((x, y) => x - y);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) throw new RangeArgError(op, `dim ${sorted[i]} appears more than once in ${fmtShape(list)}`);
  }
  return sorted;
}

/**
 * Checks a shape argument: non-negative integers.
 *
 * @example
 * checkShape('zeros', [2, -1]); // ShapeError
 */
export function checkShape(op: string, shape: unknown): number[] {
  const s = typeof shape === 'number' ? [shape] : shape;
  if (!Array.isArray(s) || !s.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ShapeError(op, `expected a shape of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return s as number[];
}
