/**
 * nn.functional registry entries of the second op set (families activation,
 * sampling, transposed, groupnorm, sdpa, distance, elementwise_loss; goldens
 * by tools/goldens/functional2.py), spread into the one nn registry of registry.ts.
 */
import { DTypeError, RangeArgError, ShapeError, randn, tensor, zeros, type Tensor } from '../../src/index.js';
import {
  adaptiveAvgPool2d, adaptiveMaxPool2d, binaryCrossEntropy, celu, convTranspose1d, convTranspose2d, cosineSimilarity, elu, groupNorm,
  hardsigmoid, hardswish, hardtanh, huberLoss, instanceNorm, interpolate, klDiv, l1Loss, logsigmoid, mish, oneHot, pairwiseDistance,
  relu6, scaledDotProductAttention, selu, silu, smoothL1Loss, softsign, type AdaptiveSize, type ConvTransposeOptions,
  type InterpolateOptions, type KlDivOptions, type Reduction,
} from '../../src/nn/functional/index.js';
import type { Registry } from '../helpers/registry.js';

type A = readonly unknown[];
type K = Record<string, unknown>;
const T = (a: A, i: number): Tensor => a[i] as Tensor;
const opt = (a: A, i: number): Tensor | null => (a[i] ?? null) as Tensor | null;
const f64 = (shape: number[]): Tensor => randn(shape, { dtype: 'float64' });
const i32 = (values: number[], shape?: number[]): Tensor => tensor(values, { dtype: 'int32', shape });
const red = (k: K): { reduction: Reduction } => ({ reduction: k.reduction as Reduction });

const ACT: Record<string, (x: Tensor, k: K) => Tensor> = {
  silu: (x) => silu(x),
  mish: (x) => mish(x),
  elu: (x, k) => elu(x, { alpha: k.alpha as number }),
  selu: (x) => selu(x),
  celu: (x, k) => celu(x, { alpha: k.alpha as number }),
  hardtanh: (x, k) => hardtanh(x, { minVal: k.minVal as number, maxVal: k.maxVal as number }),
  hardsigmoid: (x) => hardsigmoid(x),
  hardswish: (x) => hardswish(x),
  relu6: (x) => relu6(x),
  softsign: (x) => softsign(x),
  logsigmoid: (x) => logsigmoid(x),
};

const act = (name: string): Registry[string] => ({
  call: (a, k) => ACT[name]!(T(a, 0), k),
  errors: [{ name: 'int32 input', run: () => ACT[name]!(i32([1, 2]), {}), type: DTypeError, message: `${name}: expected a floating point tensor, got int32` }],
});

const sameShapeErrors = (fn: (x: Tensor, t: Tensor) => Tensor, name: string): Registry[string]['errors'] => [
  { name: 'target shape mismatch', run: () => fn(zeros([3, 4]), zeros([3])), type: ShapeError, message: `${name}: target shape [3] must match input shape [3,4]` },
];

const transposedOpts = (k: K): ConvTransposeOptions => ({
  stride: k.stride as number, padding: k.padding as number, outputPadding: k.outputPadding as number, dilation: k.dilation as number, groups: k.groups as number,
});

export const NN_REGISTRY_MORE: Registry = {
  // activation
  ...Object.fromEntries(Object.keys(ACT).map((n) => [n, act(n)])),
  activationKinks: { call: (a, k) => ACT[k.fn as string]!(T(a, 0), k), gradcheck: false },
  // sampling
  interpolate: {
    call: (a, k) => interpolate(T(a, 0), k as InterpolateOptions),
    errors: [
      { name: 'both size and scale', run: () => interpolate(zeros([1, 1, 4, 4]), { size: 2, scaleFactor: 2 }), type: RangeArgError, message: 'interpolate: give only one of size and scaleFactor' },
      { name: 'neither size nor scale', run: () => interpolate(zeros([1, 1, 4, 4])), type: RangeArgError, message: 'interpolate: either size or scaleFactor must be given' },
      { name: 'bilinear on 3-d', run: () => interpolate(zeros([1, 1, 4]), { size: 2, mode: 'bilinear' }), type: ShapeError, message: "interpolate: mode 'bilinear' needs a 4-D input [N, C, H, W], got [1,1,4]" },
      { name: 'alignCorners with nearest', run: () => interpolate(zeros([1, 1, 4]), { size: 2, alignCorners: true }), type: RangeArgError, message: "interpolate: alignCorners can only be set with mode 'bilinear'" },
      { name: 'size list length', run: () => interpolate(zeros([1, 1, 4, 4]), { size: [2] }), type: RangeArgError, message: 'interpolate: size must be a positive integer or a list of 2, got [2]' },
    ],
  },
  adaptiveAvgPool2d: {
    call: (a) => adaptiveAvgPool2d(T(a, 0), a[1] as AdaptiveSize),
    errors: [
      { name: 'input ndim', run: () => adaptiveAvgPool2d(zeros([4, 4]), 2), type: ShapeError, message: 'adaptiveAvgPool2d: expected x of shape [N, C, H, W] or [C, H, W], got [4,4]' },
      { name: 'bad output size', run: () => adaptiveAvgPool2d(zeros([1, 4, 4]), [2, 0]), type: RangeArgError, message: 'adaptiveAvgPool2d: outputSize must be a positive integer or a list of 2 (entries may be null), got [2,0]' },
    ],
  },
  adaptiveMaxPool2d: {
    call: (a) => adaptiveMaxPool2d(T(a, 0), a[1] as AdaptiveSize, { returnIndices: true }),
    errors: [{ name: 'int32 input', run: () => adaptiveMaxPool2d(zeros([1, 4, 4], { dtype: 'int32' }), 2), type: DTypeError, message: 'adaptiveMaxPool2d: expected a floating point tensor, got int32' }],
  },
  oneHot: {
    call: (a) => oneHot(T(a, 0), a[1] as number),
    readsShape: (a) => (a[1] ?? -1) === -1,
    gradcheck: false,
    errors: [
      { name: 'negative class', run: () => oneHot(i32([0, -1]), 3), type: RangeArgError, message: 'oneHot: class values must be non-negative, got -1' },
      { name: 'class too large', run: () => oneHot(i32([0, 3]), 3), type: RangeArgError, message: 'oneHot: class values must be smaller than numClasses 3, got 3' },
      { name: 'float indices', run: () => oneHot(zeros([2]), 3), type: DTypeError, message: 'oneHot: expected int32 class indices, got float32' },
    ],
  },
  // transposed
  convTranspose1d: {
    call: (a, k) => convTranspose1d(T(a, 0), T(a, 1), opt(a, 2), transposedOpts(k)),
    gradgrad: true,
    errors: [{ name: 'weight ndim', run: () => convTranspose1d(zeros([1, 2, 5]), zeros([2, 3])), type: ShapeError, message: 'convTranspose1d: weight must be [Cin, Cout/groups, K], got [2,3]' }],
  },
  convTranspose2d: {
    call: (a, k) => convTranspose2d(T(a, 0), T(a, 1), opt(a, 2), transposedOpts(k)),
    gradgrad: true,
    errors: [
      { name: 'channels mismatch', run: () => convTranspose2d(zeros([1, 3, 4, 4]), zeros([2, 3, 3, 3])), type: ShapeError, message: 'convTranspose2d: x [1,3,4,4] has 3 input channels, but weight [2,3,3,3] ([Cin, Cout/groups, kH, kW]) has 2' },
      { name: 'outputPadding too large', run: () => convTranspose2d(zeros([1, 2, 4, 4]), zeros([2, 3, 3, 3]), null, { outputPadding: 1 }), type: RangeArgError, message: 'convTranspose2d: outputPadding [1,1] must be smaller than either stride [1,1] or dilation [1,1]' },
      { name: 'bias shape', run: () => convTranspose2d(zeros([1, 2, 4, 4]), zeros([2, 3, 3, 3]), zeros([2])), type: ShapeError, message: 'convTranspose2d: bias must be [Cout] = [3], got [2]' },
    ],
  },
  // groupnorm
  groupNorm: {
    call: (a, k) => groupNorm(T(a, 0), a[1] as number, { weight: opt(a, 2), bias: opt(a, 3), eps: k.eps as number }),
    errors: [
      { name: 'groups do not divide C', run: () => groupNorm(zeros([2, 6, 3]), 4), type: RangeArgError, message: 'groupNorm: numGroups 4 must be a positive integer dividing the C = 6 channels of x [2,6,3]' },
      { name: 'weight shape', run: () => groupNorm(zeros([2, 6, 3]), 3, { weight: zeros([3]) }), type: ShapeError, message: 'groupNorm: weight must be [C] = [6] for x [2,6,3], got [3]' },
    ],
  },
  instanceNorm: {
    // Goldens: [x, weight, bias] with instance statistics; the eval sample: [x, runningMean, runningVar].
    call: (a, k) =>
      k.eval
        ? instanceNorm(T(a, 0), { runningMean: T(a, 1), runningVar: T(a, 2), useInputStats: false })
        : instanceNorm(T(a, 0), { weight: opt(a, 1), bias: opt(a, 2), eps: k.eps as number }),
    samples: () => [{ id: 'eval_running_stats', args: [f64([2, 3, 4]), f64([3]), f64([3]).abs().add(0.5)], kwargs: { eval: true } }],
    errors: [
      { name: '2-d input', run: () => instanceNorm(zeros([2, 3])), type: ShapeError, message: 'instanceNorm: expected x of shape [N, C, L] or [N, C, H, W] (at least one spatial dim), got [2,3]' },
      { name: 'eval without running stats', run: () => instanceNorm(zeros([2, 3, 4]), { useInputStats: false }), type: RangeArgError, message: 'instanceNorm: runningMean and runningVar are required when useInputStats is false' },
    ],
  },
  // sdpa
  scaledDotProductAttention: {
    call: (a, k) => scaledDotProductAttention(T(a, 0), T(a, 1), T(a, 2), { attnMask: opt(a, 3), isCausal: k.isCausal as boolean }),
    errors: [
      { name: 'feature mismatch', run: () => scaledDotProductAttention(zeros([3, 4]), zeros([5, 3]), zeros([5, 2])), type: ShapeError, message: 'scaledDotProductAttention: q [3,4] and k [5,3] must have the same number of features (last dim)' },
      { name: 'mask and causal', run: () => scaledDotProductAttention(zeros([3, 4]), zeros([3, 4]), zeros([3, 4]), { attnMask: zeros([3, 3]), isCausal: true }), type: RangeArgError, message: 'scaledDotProductAttention: give either attnMask or isCausal, not both' },
      { name: 'int mask', run: () => scaledDotProductAttention(zeros([3, 4]), zeros([3, 4]), zeros([3, 4]), { attnMask: zeros([3, 3], { dtype: 'int32' }) }), type: DTypeError, message: 'scaledDotProductAttention: attnMask must be bool or float32 (the dtype of q), got int32' },
    ],
  },
  // distance
  cosineSimilarity: {
    call: (a, k) => cosineSimilarity(T(a, 0), T(a, 1), { dim: k.dim as number, eps: k.eps as number }),
    errors: [{ name: 'shapes do not broadcast', run: () => cosineSimilarity(zeros([3, 4]), zeros([2, 4])), type: ShapeError, message: 'cosineSimilarity: cannot broadcast [3,4] with [2,4]' }],
  },
  // PyTorch's gradient where a norm is clamped is not the function's derivative: goldens only, no numeric checks.
  cosineSimilarityClamped: { call: (a, k) => cosineSimilarity(T(a, 0), T(a, 1), { dim: k.dim as number, eps: k.eps as number }), gradcheck: false },
  pairwiseDistance: {
    call: (a, k) => pairwiseDistance(T(a, 0), T(a, 1), { p: k.p as number, eps: k.eps as number, keepdim: k.keepdim as boolean }),
    errors: [{ name: 'dtypes differ', run: () => pairwiseDistance(zeros([3]), zeros([3], { dtype: 'float64' })), type: DTypeError, message: 'pairwiseDistance: expected x1 and x2 of one dtype, got float32 and float64', float64: true }],
  },
  // elementwise_loss
  l1Loss: { call: (a, k) => l1Loss(T(a, 0), T(a, 1), red(k)), errors: sameShapeErrors(l1Loss, 'l1Loss') },
  smoothL1Loss: {
    call: (a, k) => smoothL1Loss(T(a, 0), T(a, 1), { ...red(k), beta: k.beta as number }),
    errors: [
      ...sameShapeErrors(smoothL1Loss, 'smoothL1Loss')!,
      { name: 'negative beta', run: () => smoothL1Loss(zeros([2]), zeros([2]), { beta: -1 }), type: RangeArgError, message: 'smoothL1Loss: beta must be a non-negative number, got -1' },
    ],
  },
  huberLoss: {
    call: (a, k) => huberLoss(T(a, 0), T(a, 1), { ...red(k), delta: k.delta as number }),
    errors: [{ name: 'zero delta', run: () => huberLoss(zeros([2]), zeros([2]), { delta: 0 }), type: RangeArgError, message: 'huberLoss: delta must be positive, got 0' }],
  },
  klDiv: {
    call: (a, k) => klDiv(T(a, 0), T(a, 1), { reduction: k.reduction as KlDivOptions['reduction'], logTarget: k.logTarget as boolean }),
    errors: [
      { name: 'bad reduction', run: () => klDiv(zeros([2]), zeros([2]), { reduction: 'avg' as Reduction }), type: RangeArgError, message: `klDiv: reduction must be 'none', 'mean' or 'sum', got "avg"` },
    ],
  },
  lossEdges: {
    call: (a, k) => (k.fn === 'klDiv' ? klDiv(T(a, 0), T(a, 1), { reduction: 'none' }) : binaryCrossEntropy(T(a, 0), T(a, 1), { reduction: 'none' })),
    gradcheck: false,
  },
  binaryCrossEntropy: {
    call: (a, k) => binaryCrossEntropy(T(a, 0), T(a, 1), { ...red(k), weight: opt(a, 2) }),
    errors: [
      ...sameShapeErrors(binaryCrossEntropy, 'binaryCrossEntropy')!,
      { name: 'weight shape', run: () => binaryCrossEntropy(zeros([3, 4]), zeros([3, 4]), { weight: zeros([2, 1, 4]) }), type: ShapeError, message: 'binaryCrossEntropy: weight [2,1,4] must broadcast to the input\'s shape [3,4]' },
    ],
  },
};

/** Ops of this set that have samples beyond the goldens. */
export const NN_EXTRA_OPS_MORE: string[] = [];
