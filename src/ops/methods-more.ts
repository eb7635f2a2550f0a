/**
 * The `Tensor` methods of the ops in `special.ts`, `selection.ts` and
 * `manipulation.ts` (PyTorch's method names in camelCase): `x.tan()`,
 * `x.maskedFill(mask, 0)`, `x.chunk(2, 1)`... Installed when `ops/` loads.
 */
import { Tensor } from '../tensor/index.js';
import type { TensorLike } from './elementwise.js';
import * as M from './manipulation.js';
import type { DiagonalOptions } from './manipulation.js';
import type { DimArg, ReduceOptions } from './reduction.js';
import * as Sel from './selection.js';
import * as Sp from './special.js';
import type { NanToNumOptions } from './special.js';

declare module '../tensor/tensor.js' {
  interface Tensor {
    /** `tan(this)`. @example x.tan() */
    tan(): Tensor;
    /** `sinh(this)`. @example x.sinh() */
    sinh(): Tensor;
    /** `cosh(this)`. @example x.cosh() */
    cosh(): Tensor;
    /** `asinh(this)`. @example x.asinh() */
    asinh(): Tensor;
    /** `acosh(this)`. @example x.acosh() */
    acosh(): Tensor;
    /** `atanh(this)`. @example x.atanh() */
    atanh(): Tensor;
    /** `log2(this)`. @example x.log2() */
    log2(): Tensor;
    /** `log10(this)`. @example x.log10() */
    log10(): Tensor;
    /** `exp2(this)`. @example x.exp2() */
    exp2(): Tensor;
    /** `logaddexp(this, other)`. @example a.logaddexp(b) */
    logaddexp(other: TensorLike): Tensor;
    /** `hypot(this, other)`. @example a.hypot(b) */
    hypot(other: TensorLike): Tensor;
    /** `lerp(this, end, weight)`. @example a.lerp(b, 0.5) */
    lerp(end: TensorLike, weight: TensorLike): Tensor;
    /** `isinf(this)`. @example x.isinf() */
    isinf(): Tensor;
    /** `isfinite(this)`. @example x.isfinite() */
    isfinite(): Tensor;
    /** `nanToNum(this, opts)`. @example x.nanToNum({ nan: 0 }) */
    nanToNum(opts?: NanToNumOptions): Tensor;
    /** `any(this, dim, opts)`. @example mask.any() */
    any(dim?: DimArg, opts?: ReduceOptions): Tensor;
    /** `all(this, dim, opts)`. @example mask.all(1) */
    all(dim?: DimArg, opts?: ReduceOptions): Tensor;
    /** `maskedFill(this, mask, value)`. @example x.maskedFill(mask, 0) */
    maskedFill(mask: Tensor, value: number | Tensor): Tensor;
    /** `flip(this, dims)`. @example x.flip([0]) */
    flip(dims: number | readonly number[]): Tensor;
    /** `roll(this, shifts, dims)`. @example x.roll(1, 0) */
    roll(shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor;
    /** `tril(this, diagonal)`. @example x.tril() */
    tril(diagonal?: number): Tensor;
    /** `triu(this, diagonal)`. @example x.triu(1) */
    triu(diagonal?: number): Tensor;
    /** `repeat(this, sizes)`. @example x.repeat([2, 1]) */
    repeat(sizes: readonly number[]): Tensor;
    /** `tile(this, sizes)`. @example x.tile([2]) */
    tile(sizes: readonly number[]): Tensor;
    /** `chunk(this, chunks, dim)`. @example x.chunk(2) */
    chunk(chunks: number, dim?: number): Tensor[];
    /** `split(this, sizeOrSizes, dim)`. @example x.split([1, 2], 1) */
    split(sizeOrSizes: number | readonly number[], dim?: number): Tensor[];
    /** `unbind(this, dim)`. @example x.unbind() */
    unbind(dim?: number): Tensor[];
    /** `movedim(this, source, destination)`. @example x.movedim(0, -1) */
    movedim(source: number | readonly number[], destination: number | readonly number[]): Tensor;
    /** `diag(this, diagonal)`. @example v.diag() */
    diag(diagonal?: number): Tensor;
    /** `diagonal(this, opts)`. @example m.diagonal({ offset: 1 }) */
    diagonal(opts?: DiagonalOptions): Tensor;
    /** `trace(this)`. @example m.trace() */
    trace(): Tensor;
    /** `outer(this, other)`. @example u.outer(v) */
    outer(other: Tensor): Tensor;
    /** `dot(this, other)`. @example u.dot(v) */
    dot(other: Tensor): Tensor;
    /** `bmm(this, other)`. @example a.bmm(b) */
    bmm(other: Tensor): Tensor;
  }
}

type Methods = Partial<Record<keyof Tensor, unknown>>;

const methods: Methods = {
  tan(this: Tensor) { return Sp.tan(this); },
  sinh(this: Tensor) { return Sp.sinh(this); },
  cosh(this: Tensor) { return Sp.cosh(this); },
  asinh(this: Tensor) { return Sp.asinh(this); },
  acosh(this: Tensor) { return Sp.acosh(this); },
  atanh(this: Tensor) { return Sp.atanh(this); },
  log2(this: Tensor) { return Sp.log2(this); },
  log10(this: Tensor) { return Sp.log10(this); },
  exp2(this: Tensor) { return Sp.exp2(this); },
  logaddexp(this: Tensor, o: TensorLike) { return Sp.logaddexp(this, o); },
  hypot(this: Tensor, o: TensorLike) { return Sp.hypot(this, o); },
  lerp(this: Tensor, e: TensorLike, w: TensorLike) { return Sp.lerp(this, e, w); },
  isinf(this: Tensor) { return Sp.isinf(this); },
  isfinite(this: Tensor) { return Sp.isfinite(this); },
  nanToNum(this: Tensor, o?: NanToNumOptions) { return Sp.nanToNum(this, o); },
  any(this: Tensor, d?: DimArg, o?: ReduceOptions) { return Sel.any(this, d, o); },
  all(this: Tensor, d?: DimArg, o?: ReduceOptions) { return Sel.all(this, d, o); },
  maskedFill(this: Tensor, m: Tensor, v: number | Tensor) { return Sel.maskedFill(this, m, v); },
  flip(this: Tensor, d: number | readonly number[]) { return M.flip(this, d); },
  roll(this: Tensor, s: number | readonly number[], d?: number | readonly number[] | null) { return M.roll(this, s, d); },
  tril(this: Tensor, k?: number) { return M.tril(this, k); },
  triu(this: Tensor, k?: number) { return M.triu(this, k); },
  repeat(this: Tensor, s: readonly number[]) { return M.repeat(this, s); },
  tile(this: Tensor, s: readonly number[]) { return M.tile(this, s); },
  chunk(this: Tensor, c: number, d?: number) { return M.chunk(this, c, d); },
  split(this: Tensor, s: number | readonly number[], d?: number) { return M.split(this, s, d); },
  unbind(this: Tensor, d?: number) { return M.unbind(this, d); },
  movedim(this: Tensor, s: number | readonly number[], d: number | readonly number[]) { return M.movedim(this, s, d); },
  diag(this: Tensor, k?: number) { return M.diag(this, k); },
  diagonal(this: Tensor, o?: DiagonalOptions) { return M.diagonal(this, o); },
  trace(this: Tensor) { return M.trace(this); },
  outer(this: Tensor, o: Tensor) { return M.outer(this, o); },
  dot(this: Tensor, o: Tensor) { return M.dot(this, o); },
  bmm(this: Tensor, o: Tensor) { return M.bmm(this, o); },
};

Object.assign(Tensor.prototype, methods);
