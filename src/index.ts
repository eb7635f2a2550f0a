/**
 * `adjoint`: tensors with PyTorch semantics, exact gradients, forward and
 * reverse mode, function transforms, and selectable backends.
 *
 * @example
 * import { tensor, grad } from 'adjoint';
 * const x = tensor([1, 2, 3], { requiresGrad: true });
 * x.mul(x).sum().backward();
 * x.grad!.toArray();                                        // [2, 4, 6]
 * grad((t: Tensor) => t.pow(3).sum())(tensor([2])).item(); // 12
 */
import './ops/index.js';
import './autograd/index.js';

export { compile, GraphBreakError, type CompileOptions } from './compile/index.js';

export * from './errors.js';
export {
  setBackend, getBackend, initWasm, setWasmOptions, wasmInfo, type BackendName, type DType, type TypedArray,
  initWebGPU, closeWebGPU, synchronize, flushWebGPU, setWebGPUOptions, webgpuMemory, webgpuProfile,
  type WebGPUInfo, type WebGPUInitOptions, type WebGPUMemory, type WebGPUOptions, type WebGPUProfile,
} from './backend/index.js';
export {
  Tensor, tensor, full, zeros, ones, empty, zerosLike, onesLike, arange, linspace, eye, rand, randn, randint,
  manualSeed, promoteTypes, resultType, isFloat,
  type CreateOptions, type TensorOptions, type TensorData, type ShapeLike, type NestedArray, type Hook, type GradFn,
} from './tensor/index.js';
export {
  add, sub, mul, div, pow, neg, exp, log, sqrt, rsqrt, sin, cos, tanh, sigmoid, log1p, expm1, erf, abs, sign,
  square, reciprocal, relu, eq, ne, lt, le, gt, ge, where, maximum, minimum, clamp, cast,
  sum, mean, prod, max, min, amax, amin, argmax, argmin, variance, var, std, logsumexp, norm,
  reshape, view, flatten, permute, transpose, expand, squeeze, unsqueeze, contiguous, clone, narrow, slice, cat,
  stack, pad, gather, indexSelect, scatterAdd, matmul, to,
  softmax, logSoftmax, gelu, leakyRelu, softplus,
  add_, sub_, mul_, div_, zero_, fill_, copy_, clamp_,
  type TensorLike, type ClampOptions, type ReduceOptions, type VarOptions, type NormOptions, type DimArg,
  type ValuesIndices, type SliceSpec, type PadOptions, type GeluOptions, type LeakyReluOptions, type SoftplusOptions,
} from './ops/index.js';
export {
  tan, sinh, cosh, asinh, acosh, atanh, log2, log10, exp2, logaddexp, hypot, lerp, isinf, isfinite, nanToNum,
  any, all, maskedFill, flip, roll, tril, triu, repeat, tile, chunk, split, unbind, movedim, diag, diagonal, trace,
  outer, dot, bmm, einsum, type NanToNumOptions, type DiagonalOptions,
} from './ops/index.js';
export { linalg } from './ops/index.js';
export {
  asin, acos, atan, atan2, floor, ceil, round, trunc, frac, remainder, fmod, isnan, cumsum, cumprod, logcumsumexp,
  sort, argsort, topk, type SortOptions, type ArgsortOptions, type TopkOptions,
} from './ops/index.js';
export {
  noGrad, enableGrad, detectAnomaly, isGradEnabled, autogradGrad, backward, checkpoint,
  grad, valueAndGrad, vjp, jvp, jacobian, hessian,
  vmap, jacrev, jacfwd, hvp, linearize, customVjp, customJvp, type CustomVjpRules, type CustomJvpRules, type VmapOptions, type InDims, type OutDims, type Randomness,
  type BackwardOptions, type AutogradGradOptions, type ArgnumsOptions, type Grads, type TensorFunction, type HookHandle,
} from './autograd/index.js';
