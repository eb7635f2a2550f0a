/**
 * The differentiable building blocks the rule tables (table.ts,
 * table-prims.ts, linalg-rules.ts) write their VJPs and JVPs with: each is a
 * primitive through `apply`, so differentiating a rule gives higher
 * derivatives. Inputs already share a dtype.
 */
import type { Tensor } from '../tensor/index.js';
import { apply, scalar } from './dispatch.js';
import type { CompareOp } from '../backend/index.js';
import type { NoParams, PrimParams } from './primitives.js';

type T = Tensor;
const NONE: NoParams = {};

/** `a + b`. @example add(x, y); */
export const add = (a: T, b: T): T => apply('add', [a, b], NONE);
/** `a − b`. @example sub(x, y); */
export const sub = (a: T, b: T): T => apply('sub', [a, b], NONE);
/** `a · b`. @example mul(x, y); */
export const mul = (a: T, b: T): T => apply('mul', [a, b], NONE);
/** `a / b`. @example div(x, y); */
export const div = (a: T, b: T): T => apply('div', [a, b], NONE);
/** `a ** b`. @example pow(x, y); */
export const pow = (a: T, b: T): T => apply('pow', [a, b], NONE);
/** `−a`. @example neg(x); */
export const neg = (a: T): T => apply('neg', [a], NONE);
/** e^a. @example exp(x); */
export const exp = (a: T): T => apply('exp', [a], NONE);
/** ln a. @example log(x); */
export const log = (a: T): T => apply('log', [a], NONE);
/** √a. @example sqrt(x); */
export const sqrt = (a: T): T => apply('sqrt', [a], NONE);
/** sin a. @example sin(x); */
export const sin = (a: T): T => apply('sin', [a], NONE);
/** cos a. @example cos(x); */
export const cos = (a: T): T => apply('cos', [a], NONE);
/** The sign of a (−1, 0, 1). @example sign(x); */
export const sign = (a: T): T => apply('sign', [a], NONE);
/** `c ? a : b`. @example where(mask, x, y); */
export const where = (c: T, a: T, b: T): T => apply('where', [c, a, b], NONE);
/** `a op b` as bool. @example compare('eq', x, y); */
export const compare = (op: CompareOp, a: T, b: T): T => apply('compare', [a, b], { op });
/** The sum over `dims`. @example sum(x, [0], true); */
export const sum = (x: T, dims: readonly number[], keepdim: boolean): T => apply('sum', [x], { dims, keepdim });
/** `x` reshaped. @example reshape(x, [2, 3]); */
export const reshape = (x: T, shape: readonly number[]): T => apply('reshape', [x], { shape });
/** `x` broadcast to `shape`. @example expand(x, [4, 3]); */
export const expand = (x: T, shape: readonly number[]): T => apply('expand', [x], { shape });
/** `x` with its dims permuted. @example permute(x, [1, 0]); */
export const permute = (x: T, dims: readonly number[]): T => apply('permute', [x], { dims });
/** The matrix product (batched). @example matmul(a, b); */
export const matmul = (a: T, b: T): T => apply('matmul', [a, b], NONE);
/** `xs` concatenated along `dim` (negative from the end). @example cat([a, b], -1); */
export const cat = (xs: readonly T[], dim: number): T => apply('cat', xs, { dim: dim < 0 ? xs[0]!.ndim + dim : dim });
/** The inclusive scan of `x` along `dim`. @example scan(x, 'sum', 0, false); */
export const scan = (x: T, op: PrimParams['scan']['op'], dim: number, reverse: boolean): T => apply('scan', [x], { op, dim, reverse });
/** Swaps the last two dims. @example mT(x); */
export const mT = (x: T): T => permute(x, x.shape.map((_, i) => (i < x.ndim - 2 ? i : 2 * x.ndim - 3 - i)));
/** A 0-d constant `v` with the dtype (and backend) of `like`. @example k(0.5, g); */
export const k = (v: number, like: T): T => scalar(v, like.dtype, like);
