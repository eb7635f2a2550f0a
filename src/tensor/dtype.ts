/**
 * Dtypes and PyTorch's type promotion.
 *
 * Categories rank bool < integer < floating. Promotion takes the highest
 * category; within floats, float64 wins. Dimensioned tensors decide the dtype;
 * a 0-d tensor or a plain JS number only raises the category (a float32 tensor
 * plus a float64 0-d tensor or a number stays float32; an int32 tensor plus 1.5
 * becomes float32).
 */
import type { DType } from '../backend/index.js';
import { DTypeError } from '../errors.js';

export type { DType } from '../backend/index.js';

/** The dtypes, for validation and iteration. @example DTYPES.includes('int32'); // true */
export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

/** True for float32 and float64. @example isFloat('float64'); // true */
export function isFloat(d: DType): boolean {
  return d === 'float32' || d === 'float64';
}

function category(d: DType): number {
  return d === 'bool' ? 0 : d === 'int32' ? 1 : 2;
}

/**
 * The promoted dtype of two dtypes (the larger category; float64 over float32).
 *
 * @example
 * promoteTypes('float32', 'float64'); // 'float64'
 * promoteTypes('int32', 'float32');   // 'float32'
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  const ca = category(a);
  const cb = category(b);
  if (ca !== cb) return ca > cb ? a : b;
  return 'float64'; // both float, different
}

/** What an operand of an op contributes to type promotion. */
export interface PromotionOperand {
  readonly dtype: DType;
  readonly ndim: number;
}

/**
 * PyTorch's `result_type` over tensors (with `dtype` and `ndim`), numbers and booleans.
 *
 * @example
 * resultType([tensor([1, 2], {dtype: 'int32'}), 1.5]); // 'float32'
 */
export function resultType(operands: readonly (PromotionOperand | number | boolean)[]): DType {
  let dim: DType | null = null;
  let zero: DType | null = null;
  let scalar: DType | null = null;
  for (const o of operands) {
    if (typeof o === 'number') {
      const d: DType = Number.isInteger(o) ? 'int32' : 'float32';
      scalar = scalar === null ? d : promoteTypes(scalar, d);
    } else if (typeof o === 'boolean') {
      scalar = scalar === null ? 'bool' : scalar;
    } else if (o.ndim === 0) {
      zero = zero === null ? o.dtype : promoteTypes(zero, o.dtype);
    } else {
      dim = dim === null ? o.dtype : promoteTypes(dim, o.dtype);
    }
  }
  let r = dim;
  if (zero !== null && (r === null || category(zero) > category(r))) r = zero;
  if (scalar !== null && (r === null || category(scalar) > category(r))) {
    r = category(scalar) === 2 ? 'float32' : scalar;
  }
  return r ?? 'float32';
}

/**
 * Throws a `DTypeError` unless `d` is a floating dtype.
 *
 * @example
 * assertFloat('exp', 'int32'); // DTypeError: exp: expected a floating point tensor, got int32
 */
export function assertFloat(op: string, d: DType, what = 'a floating point tensor'): void {
  if (!isFloat(d)) throw new DTypeError(op, `expected ${what}, got ${d}`);
}

/**
 * Throws a `DTypeError` unless `d` is a valid dtype name.
 *
 * @example
 * checkDType('zeros', 'float16'); // DTypeError
 */
export function checkDType(op: string, d: unknown): DType {
  if (typeof d === 'string' && (DTYPES as readonly string[]).includes(d)) return d as DType;
  throw new DTypeError(op, `unknown dtype ${String(d)}; expected one of ${DTYPES.join(', ')}`);
}
