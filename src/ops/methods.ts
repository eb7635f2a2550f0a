/**
 * Every op as a `Tensor` method: `x.add(y)` is `add(x, y)`. Installed when
 * `ops/` loads.
 */
import type { BackendName, DType } from '../backend/index.js';
import { to } from './device.js';
import { Tensor } from '../tensor/index.js';
import { softmax, logSoftmax } from './activation.js';
import * as E from './elementwise.js';
import type { ClampOptions, TensorLike } from './elementwise.js';
import * as I from './inplace.js';
import { gather, indexSelect, scatterAdd } from './indexing.js';
import { matmul } from './linalg.js';
import * as R from './reduction.js';
import type { DimArg, NormOptions, ReduceOptions, ValuesIndices, VarOptions } from './reduction.js';
import * as S from './shape.js';
import type { SliceSpec } from './shape.js';

declare module '../tensor/tensor.js' {
  interface Tensor {
    /** `add(this, other)`. @example x.add(1) */
    add(other: TensorLike): Tensor;
    /** `sub(this, other)`. @example x.sub(y) */
    sub(other: TensorLike): Tensor;
    /** `mul(this, other)`. @example x.mul(2) */
    mul(other: TensorLike): Tensor;
    /** `div(this, other)`. @example x.div(2) */
    div(other: TensorLike): Tensor;
    /** `pow(this, exponent)`. @example x.pow(3) */
    pow(exponent: TensorLike): Tensor;
    /** `neg(this)`. @example x.neg() */
    neg(): Tensor;
    /** `exp(this)`. @example x.exp() */
    exp(): Tensor;
    /** `log(this)`. @example x.log() */
    log(): Tensor;
    /** `sqrt(this)`. @example x.sqrt() */
    sqrt(): Tensor;
    /** `rsqrt(this)`. @example x.rsqrt() */
    rsqrt(): Tensor;
    /** `abs(this)`. @example x.abs() */
    abs(): Tensor;
    /** `sin(this)`. @example x.sin() */
    sin(): Tensor;
    /** `cos(this)`. @example x.cos() */
    cos(): Tensor;
    /** `tanh(this)`. @example x.tanh() */
    tanh(): Tensor;
    /** `sigmoid(this)`. @example x.sigmoid() */
    sigmoid(): Tensor;
    /** `relu(this)`. @example x.relu() */
    relu(): Tensor;
    /** `square(this)`. @example x.square() */
    square(): Tensor;
    /** `reciprocal(this)`. @example x.reciprocal() */
    reciprocal(): Tensor;
    /** `log1p(this)`. @example x.log1p() */
    log1p(): Tensor;
    /** `expm1(this)`. @example x.expm1() */
    expm1(): Tensor;
    /** `erf(this)`. @example x.erf() */
    erf(): Tensor;
    /** `sign(this)`. @example x.sign() */
    sign(): Tensor;
    /** `clamp(this, opts)`. @example x.clamp({ min: 0 }) */
    clamp(opts: ClampOptions): Tensor;
    /** `maximum(this, other)`. @example x.maximum(y) */
    maximum(other: TensorLike): Tensor;
    /** `minimum(this, other)`. @example x.minimum(0) */
    minimum(other: TensorLike): Tensor;
    /** `where(cond, this, other)` (PyTorch's `x.where(cond, y)`). @example x.where(mask, 0) */
    where(cond: Tensor, other: TensorLike): Tensor;
    /** `eq(this, other)`. @example x.eq(0) */
    eq(other: TensorLike): Tensor;
    /** `ne(this, other)`. @example x.ne(0) */
    ne(other: TensorLike): Tensor;
    /** `lt(this, other)`. @example x.lt(0) */
    lt(other: TensorLike): Tensor;
    /** `le(this, other)`. @example x.le(0) */
    le(other: TensorLike): Tensor;
    /** `gt(this, other)`. @example x.gt(0) */
    gt(other: TensorLike): Tensor;
    /** `ge(this, other)`. @example x.ge(0) */
    ge(other: TensorLike): Tensor;
    /** `cast(this, dtype)`, or a differentiable copy to a backend. @example x.to('float64'); x.to('webgpu') */
    to(target: DType | BackendName): Tensor;
    /** `sum(this, dim, opts)`. @example x.sum(1, { keepdim: true }) */
    sum(dim?: DimArg, opts?: ReduceOptions): Tensor;
    /** `mean(this, dim, opts)`. @example x.mean() */
    mean(dim?: DimArg, opts?: ReduceOptions): Tensor;
    /** `prod(this, dim, opts)`. @example x.prod() */
    prod(dim?: number | null, opts?: ReduceOptions): Tensor;
    /** `max(this)` or `max(this, dim, opts)`. @example x.max(); x.max(1).indices */
    max(): Tensor;
    max(dim: number, opts?: ReduceOptions): ValuesIndices;
    /** `min(this)` or `min(this, dim, opts)`. @example x.min() */
    min(): Tensor;
    min(dim: number, opts?: ReduceOptions): ValuesIndices;
    /** `amax(this, dim, opts)`. @example x.amax([0, 1]) */
    amax(dim?: DimArg, opts?: ReduceOptions): Tensor;
    /** `amin(this, dim, opts)`. @example x.amin(0) */
    amin(dim?: DimArg, opts?: ReduceOptions): Tensor;
    /** `argmax(this, dim, opts)`. @example x.argmax(1) */
    argmax(dim?: number, opts?: ReduceOptions): Tensor;
    /** `argmin(this, dim, opts)`. @example x.argmin() */
    argmin(dim?: number, opts?: ReduceOptions): Tensor;
    /** `var(this, dim, opts)`. @example x.var(0, { unbiased: false }) */
    var(dim?: DimArg, opts?: VarOptions): Tensor;
    /** `std(this, dim, opts)`. @example x.std() */
    std(dim?: DimArg, opts?: VarOptions): Tensor;
    /** `logsumexp(this, dim, opts)`. @example x.logsumexp(1) */
    logsumexp(dim?: DimArg, opts?: ReduceOptions): Tensor;
    /** `norm(this, opts)`. @example x.norm({ p: 1 }) */
    norm(opts?: NormOptions): Tensor;
    /** `softmax(this, dim)`. @example x.softmax(-1) */
    softmax(dim: number): Tensor;
    /** `logSoftmax(this, dim)`. @example x.logSoftmax(-1) */
    logSoftmax(dim: number): Tensor;
    /** `matmul(this, other)`. @example a.matmul(b) */
    matmul(other: Tensor): Tensor;
    /** `reshape(this, shape)`. @example x.reshape([2, -1]) */
    reshape(shape: readonly number[]): Tensor;
    /** `view(this, shape)`. @example x.view([-1]) */
    view(shape: readonly number[]): Tensor;
    /** `transpose(this, d0, d1)`. @example x.transpose(0, 1) */
    transpose(d0: number, d1: number): Tensor;
    /** `permute(this, dims)`. @example x.permute([2, 0, 1]) */
    permute(dims: readonly number[]): Tensor;
    /** `expand(this, sizes)`. @example x.expand([3, -1]) */
    expand(sizes: readonly number[]): Tensor;
    /** `squeeze(this, dim)`. @example x.squeeze() */
    squeeze(dim?: number | readonly number[]): Tensor;
    /** `unsqueeze(this, dim)`. @example x.unsqueeze(0) */
    unsqueeze(dim: number): Tensor;
    /** `flatten(this, startDim, endDim)`. @example x.flatten(1) */
    flatten(startDim?: number, endDim?: number): Tensor;
    /** `narrow(this, dim, start, length)`. @example x.narrow(0, 1, 2) */
    narrow(dim: number, start: number, length: number): Tensor;
    /** `slice(this, ...perDim)`. @example x.slice(null, [0, null, 2]) */
    slice(...perDim: SliceSpec[]): Tensor;
    /** `indexSelect(this, dim, index)`. @example x.indexSelect(0, idx) */
    indexSelect(dim: number, index: Tensor): Tensor;
    /** `gather(this, dim, index)`. @example x.gather(1, idx) */
    gather(dim: number, index: Tensor): Tensor;
    /** `scatterAdd(this, dim, index, src)`. @example x.scatterAdd(0, idx, src) */
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    /** `contiguous(this)`. @example x.transpose(0, 1).contiguous() */
    contiguous(): Tensor;
    /** `clone(this)`. @example x.clone() */
    clone(): Tensor;
    /** `add_(this, other)`. @example x.add_(1) */
    add_(other: TensorLike): Tensor;
    /** `sub_(this, other)`. @example x.sub_(1) */
    sub_(other: TensorLike): Tensor;
    /** `mul_(this, other)`. @example x.mul_(2) */
    mul_(other: TensorLike): Tensor;
    /** `div_(this, other)`. @example x.div_(2) */
    div_(other: TensorLike): Tensor;
    /** `zero_(this)`. @example x.zero_() */
    zero_(): Tensor;
    /** `fill_(this, value)`. @example x.fill_(1) */
    fill_(value: number): Tensor;
    /** `copy_(this, src)`. @example x.copy_(y) */
    copy_(src: Tensor): Tensor;
    /** `clamp_(this, opts)`. @example x.clamp_({ max: 1 }) */
    clamp_(opts: ClampOptions): Tensor;
  }
}

type Methods = Partial<Record<keyof Tensor, unknown>>;

const methods: Methods = {
  add(this: Tensor, o: TensorLike) { return E.add(this, o); },
  sub(this: Tensor, o: TensorLike) { return E.sub(this, o); },
  mul(this: Tensor, o: TensorLike) { return E.mul(this, o); },
  div(this: Tensor, o: TensorLike) { return E.div(this, o); },
  pow(this: Tensor, o: TensorLike) { return E.pow(this, o); },
  neg(this: Tensor) { return E.neg(this); },
  exp(this: Tensor) { return E.exp(this); },
  log(this: Tensor) { return E.log(this); },
  sqrt(this: Tensor) { return E.sqrt(this); },
  rsqrt(this: Tensor) { return E.rsqrt(this); },
  abs(this: Tensor) { return E.abs(this); },
  sin(this: Tensor) { return E.sin(this); },
  cos(this: Tensor) { return E.cos(this); },
  tanh(this: Tensor) { return E.tanh(this); },
  sigmoid(this: Tensor) { return E.sigmoid(this); },
  relu(this: Tensor) { return E.relu(this); },
  square(this: Tensor) { return E.square(this); },
  reciprocal(this: Tensor) { return E.reciprocal(this); },
  log1p(this: Tensor) { return E.log1p(this); },
  expm1(this: Tensor) { return E.expm1(this); },
  erf(this: Tensor) { return E.erf(this); },
  sign(this: Tensor) { return E.sign(this); },
  clamp(this: Tensor, o: ClampOptions) { return E.clamp(this, o); },
  maximum(this: Tensor, o: TensorLike) { return E.maximum(this, o); },
  minimum(this: Tensor, o: TensorLike) { return E.minimum(this, o); },
  where(this: Tensor, c: Tensor, o: TensorLike) { return E.where(c, this, o); },
  eq(this: Tensor, o: TensorLike) { return E.eq(this, o); },
  ne(this: Tensor, o: TensorLike) { return E.ne(this, o); },
  lt(this: Tensor, o: TensorLike) { return E.lt(this, o); },
  le(this: Tensor, o: TensorLike) { return E.le(this, o); },
  gt(this: Tensor, o: TensorLike) { return E.gt(this, o); },
  ge(this: Tensor, o: TensorLike) { return E.ge(this, o); },
  to(this: Tensor, t: DType | BackendName) { return to(this, t); },
  sum(this: Tensor, d?: DimArg, o?: ReduceOptions) { return R.sum(this, d, o); },
  mean(this: Tensor, d?: DimArg, o?: ReduceOptions) { return R.mean(this, d, o); },
  prod(this: Tensor, d?: number | null, o?: ReduceOptions) { return R.prod(this, d, o); },
  max(this: Tensor, d?: number, o?: ReduceOptions) { return d === undefined ? R.max(this) : R.max(this, d, o); },
  min(this: Tensor, d?: number, o?: ReduceOptions) { return d === undefined ? R.min(this) : R.min(this, d, o); },
  amax(this: Tensor, d?: DimArg, o?: ReduceOptions) { return R.amax(this, d, o); },
  amin(this: Tensor, d?: DimArg, o?: ReduceOptions) { return R.amin(this, d, o); },
  argmax(this: Tensor, d?: number, o?: ReduceOptions) { return R.argmax(this, d, o); },
  argmin(this: Tensor, d?: number, o?: ReduceOptions) { return R.argmin(this, d, o); },
  var(this: Tensor, d?: DimArg, o?: VarOptions) { return R.variance(this, d, o); },
  std(this: Tensor, d?: DimArg, o?: VarOptions) { return R.std(this, d, o); },
  logsumexp(this: Tensor, d?: DimArg, o?: ReduceOptions) { return R.logsumexp(this, d, o); },
  norm(this: Tensor, o?: NormOptions) { return R.norm(this, o); },
  softmax(this: Tensor, d: number) { return softmax(this, d); },
  logSoftmax(this: Tensor, d: number) { return logSoftmax(this, d); },
  matmul(this: Tensor, o: Tensor) { return matmul(this, o); },
  reshape(this: Tensor, s: readonly number[]) { return S.reshape(this, s); },
  view(this: Tensor, s: readonly number[]) { return S.view(this, s); },
  transpose(this: Tensor, a: number, b: number) { return S.transpose(this, a, b); },
  permute(this: Tensor, d: readonly number[]) { return S.permute(this, d); },
  expand(this: Tensor, s: readonly number[]) { return S.expand(this, s); },
  squeeze(this: Tensor, d?: number | readonly number[]) { return S.squeeze(this, d); },
  unsqueeze(this: Tensor, d: number) { return S.unsqueeze(this, d); },
  flatten(this: Tensor, a?: number, b?: number) { return S.flatten(this, a, b); },
  narrow(this: Tensor, d: number, s: number, n: number) { return S.narrow(this, d, s, n); },
  slice(this: Tensor, ...p: SliceSpec[]) { return S.slice(this, ...p); },
  indexSelect(this: Tensor, d: number, i: Tensor) { return indexSelect(this, d, i); },
  gather(this: Tensor, d: number, i: Tensor) { return gather(this, d, i); },
  scatterAdd(this: Tensor, d: number, i: Tensor, s: Tensor) { return scatterAdd(this, d, i, s); },
  contiguous(this: Tensor) { return S.contiguous(this); },
  clone(this: Tensor) { return S.clone(this); },
  add_(this: Tensor, o: TensorLike) { return I.add_(this, o); },
  sub_(this: Tensor, o: TensorLike) { return I.sub_(this, o); },
  mul_(this: Tensor, o: TensorLike) { return I.mul_(this, o); },
  div_(this: Tensor, o: TensorLike) { return I.div_(this, o); },
  zero_(this: Tensor) { return I.zero_(this); },
  fill_(this: Tensor, v: number) { return I.fill_(this, v); },
  copy_(this: Tensor, s: Tensor) { return I.copy_(this, s); },
  clamp_(this: Tensor, o: ClampOptions) { return I.clamp_(this, o); },
};

Object.assign(Tensor.prototype, methods);
