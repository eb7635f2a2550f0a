/**
 * The ops: the primitive table and every op as a function (and, once loaded,
 * as a `Tensor` method).
 */
import './table.js';
import './methods.js';
import './methods-more.js';
import './methods-prims.js';

export { apply, defineRules, scalar } from './dispatch.js';
export { ruleOf, PRIMITIVES } from './table.js';
export type { Primitive, PrimParams, Rule, RuleTable, Ctx, Save, NoParams } from './primitives.js';
export {
  add, sub, mul, div, pow, neg, exp, log, sqrt, rsqrt, sin, cos, tanh, sigmoid, log1p, expm1, erf, abs, sign,
  square, reciprocal, relu, eq, ne, lt, le, gt, ge, where, maximum, minimum, clamp, cast, promote, asType,
  type TensorLike, type ClampOptions,
} from './elementwise.js';
export {
  sum, mean, prod, max, min, amax, amin, argmax, argmin, variance, variance as var, std, logsumexp, norm,
  type ReduceOptions, type VarOptions, type NormOptions, type DimArg, type ValuesIndices,
} from './reduction.js';
export {
  reshape, view, flatten, permute, transpose, expand, squeeze, unsqueeze, contiguous, clone, narrow, slice, cat,
  stack, pad, type SliceSpec, type PadOptions,
} from './shape.js';
export { gather, indexSelect, scatterAdd } from './indexing.js';
export { matmul } from './linalg.js';
export * as linalg from './linalg-ops.js';
export { to } from './device.js';
export {
  softmax, logSoftmax, gelu, leakyRelu, softplus, type GeluOptions, type LeakyReluOptions, type SoftplusOptions,
} from './activation.js';
export { add_, sub_, mul_, div_, zero_, fill_, copy_, clamp_ } from './inplace.js';
export { viewStrides } from './kernels.js';
export { Tracer, withTracer, traced, hostScalar, hostEffect, hostGuard, type TraceNode, type TracerOptions } from './trace.js';
export {
  tan, sinh, cosh, asinh, acosh, atanh, log2, log10, exp2, logaddexp, hypot, lerp, isinf, isfinite, nanToNum,
  type NanToNumOptions,
} from './special.js';
export { any, all, maskedFill } from './selection.js';
export {
  flip, roll, tril, triu, repeat, tile, chunk, split, unbind, movedim, diag, diagonal, trace, outer, dot, bmm,
  type DiagonalOptions,
} from './manipulation.js';
export { einsum } from './einsum.js';
export { asin, acos, atan, atan2, floor, ceil, round, trunc, frac, remainder, fmod, isnan } from './pointwise.js';
export { cumsum, cumprod, logcumsumexp } from './scan.js';
export { sort, argsort, topk, type SortOptions, type ArgsortOptions, type TopkOptions } from './sorting.js';
