/**
 * The `Tensor` methods of the ops in `pointwise.ts`, `scan.ts` and
 * `sorting.ts` (PyTorch's method names in camelCase): `x.floor()`,
 * `x.cumsum(1)`, `x.sort(0, { descending: true })`... Installed when `ops/` loads.
 */
import { Tensor } from '../tensor/index.js';
import type { TensorLike } from './elementwise.js';
import * as P from './pointwise.js';
import type { ValuesIndices } from './reduction.js';
import * as S from './scan.js';
import * as So from './sorting.js';
import type { ArgsortOptions, SortOptions, TopkOptions } from './sorting.js';

declare module '../tensor/tensor.js' {
  interface Tensor {
    /** `asin(this)`. @example x.asin() */
    asin(): Tensor;
    /** `acos(this)`. @example x.acos() */
    acos(): Tensor;
    /** `atan(this)`. @example x.atan() */
    atan(): Tensor;
    /** `atan2(this, other)`. @example y.atan2(x) */
    atan2(other: TensorLike): Tensor;
    /** `floor(this)`. @example x.floor() */
    floor(): Tensor;
    /** `ceil(this)`. @example x.ceil() */
    ceil(): Tensor;
    /** `round(this)` (half to even). @example x.round() */
    round(): Tensor;
    /** `trunc(this)`. @example x.trunc() */
    trunc(): Tensor;
    /** `frac(this)`. @example x.frac() */
    frac(): Tensor;
    /** `remainder(this, other)` (sign of other). @example x.remainder(2) */
    remainder(other: TensorLike): Tensor;
    /** `fmod(this, other)` (sign of this). @example x.fmod(2) */
    fmod(other: TensorLike): Tensor;
    /** `isnan(this)`. @example x.isnan() */
    isnan(): Tensor;
    /** `cumsum(this, dim)`. @example x.cumsum(0) */
    cumsum(dim: number): Tensor;
    /** `cumprod(this, dim)`. @example x.cumprod(0) */
    cumprod(dim: number): Tensor;
    /** `logcumsumexp(this, dim)`. @example x.logcumsumexp(0) */
    logcumsumexp(dim: number): Tensor;
    /** `sort(this, dim, opts)`. @example x.sort().values */
    sort(dim?: number, opts?: SortOptions): ValuesIndices;
    /** `argsort(this, dim, opts)`. @example x.argsort(0, { descending: true }) */
    argsort(dim?: number, opts?: ArgsortOptions): Tensor;
    /** `topk(this, k, dim, opts)`. @example x.topk(3).indices */
    topk(k: number, dim?: number, opts?: TopkOptions): ValuesIndices;
  }
}

type Methods = Partial<Record<keyof Tensor, unknown>>;

const methods: Methods = {
  asin(this: Tensor) { return P.asin(this); },
  acos(this: Tensor) { return P.acos(this); },
  atan(this: Tensor) { return P.atan(this); },
  atan2(this: Tensor, o: TensorLike) { return P.atan2(this, o); },
  floor(this: Tensor) { return P.floor(this); },
  ceil(this: Tensor) { return P.ceil(this); },
  round(this: Tensor) { return P.round(this); },
  trunc(this: Tensor) { return P.trunc(this); },
  frac(this: Tensor) { return P.frac(this); },
  remainder(this: Tensor, o: TensorLike) { return P.remainder(this, o); },
  fmod(this: Tensor, o: TensorLike) { return P.fmod(this, o); },
  isnan(this: Tensor) { return P.isnan(this); },
  cumsum(this: Tensor, d: number) { return S.cumsum(this, d); },
  cumprod(this: Tensor, d: number) { return S.cumprod(this, d); },
  logcumsumexp(this: Tensor, d: number) { return S.logcumsumexp(this, d); },
  sort(this: Tensor, d?: number, o?: SortOptions) { return So.sort(this, d, o); },
  argsort(this: Tensor, d?: number, o?: ArgsortOptions) { return So.argsort(this, d, o); },
  topk(this: Tensor, k: number, d?: number, o?: TopkOptions) { return So.topk(this, k, d, o); },
};

Object.assign(Tensor.prototype, methods);
