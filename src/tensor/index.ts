/**
 * The tensor layer: `Tensor`, dtypes, shapes, creation, printing, RNG and raw
 * (non-differentiable) kernels.
 */
export { Tensor, type BatchInfo, type GradFn, type Hook, type NestedArray } from './tensor.js';
export {
  tensor, deviceOf, full, zeros, ones, empty, zerosLike, onesLike, arange, linspace, eye, rand, randn, randint,
  type CreateOptions, type TensorOptions, type TensorData, type ShapeLike,
} from './creation.js';
export { setRandomBatching, type RandomBatching } from './creation.js';
export { manualSeed, getRngState, setRngState, uniform, normal, type RngState } from './random.js';
export { isFloat, promoteTypes, resultType, assertFloat, checkDType, DTYPES, type DType } from './dtype.js';
export {
  sizeOf, contiguousStrides, isContiguousStrides, sameShape, broadcastShapes, normDim, normDims, checkShape,
  type Shape,
} from './shape.js';
export { formatTensor, formatData } from './format.js';
export * as raw from './raw.js';
export { checkRange } from './checks.js';
export { HOOKS, type TensorHooks } from './hooks.js';
