/**
 * Shape arithmetic every layer shares: element counts and row-major strides
 * (the backends', and the tensor layer's through `tensor/shape.ts`).
 */

/** Elements of a shape (1 for a 0-d shape). @example sizeOf([2, 3]); // 6 */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a shape. @example contiguousStrides([2, 3]); // [3, 1] */
export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d]!;
  }
  return s;
}

/** True when `strides` are the row-major strides of `shape` (size-1 dims ignored). @example isContiguousStrides([2, 3], [3, 1]); // true */
export function isContiguousStrides(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    if (n !== 1 && strides[d] !== expected) return false;
    expected *= n;
  }
  return true;
}
