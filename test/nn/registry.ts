/**
 * The nn.functional op registry: one entry per golden op of the families conv,
 * pool, normalization, loss and layers, plus ops without goldens (unfold,
 * fold — the im2col/col2im primitives — and dropout) with samples. The
 * harness in test/helpers/registry.ts runs everything from it.
 */
import {
  DTypeError, RangeArgError, ShapeError, manualSeed, ones, randn, tensor, zeros, type Tensor,
} from '../../src/index.js';
import {
  avgPool2d, batchNorm, binaryCrossEntropyWithLogits, conv1d, conv2d, crossEntropy, dropout, embedding, fold, layerNorm,
  linear, maxPool2d, mseLoss, nllLoss, unfold, type ConvOptions, type PoolOptions, type Reduction,
} from '../../src/nn/functional/index.js';
import type { Registry } from '../helpers/registry.js';
import { NN_EXTRA_OPS_MORE, NN_REGISTRY_MORE } from './registry-more.js';

type A = readonly unknown[];
type K = Record<string, unknown>;
const T = (a: A, i: number): Tensor => a[i] as Tensor;
const opt = (a: A, i: number): Tensor | null => (a[i] ?? null) as Tensor | null;
const f64 = (shape: number[]): Tensor => randn(shape, { dtype: 'float64' });
const i32 = (values: number[], shape?: number[]): Tensor => tensor(values, { dtype: 'int32', shape });
const conv = (k: K): ConvOptions => ({ stride: k.stride as number, padding: k.padding as number, dilation: k.dilation as number, groups: k.groups as number });
const poolOpts = (k: K): PoolOptions => ({
  stride: k.stride as number, padding: k.padding as number, dilation: k.dilation as number, ceilMode: k.ceilMode as boolean,
  countIncludePad: k.countIncludePad as boolean,
});
const red = (k: K): { reduction: Reduction } => ({ reduction: k.reduction as Reduction });

/** Errors every loss with a same-shape target raises. */
const sameShapeLossErrors = (fn: typeof mseLoss, name: string): Registry[string]['errors'] => [
  { name: 'target shape mismatch', run: () => fn(zeros([3, 4]), zeros([3])), type: ShapeError, message: `${name}: target shape [3] must match input shape [3,4]` },
  { name: 'bad reduction', run: () => fn(zeros([2]), zeros([2]), { reduction: 'avg' as Reduction }), type: RangeArgError, message: `${name}: reduction must be 'none', 'mean' or 'sum', got "avg"` },
  { name: 'int32 input', run: () => fn(i32([1, 2]), zeros([2])), type: DTypeError, message: `${name}: expected a floating point tensor, got int32` },
];

export const NN_REGISTRY: Registry = {
  // conv
  conv1d: {
    call: (a, k) => conv1d(T(a, 0), T(a, 1), opt(a, 2), conv(k)),
    gradgrad: true,
    samples: () => [
      { id: 'unbatched_same_padding', args: [f64([3, 7]), f64([2, 3, 4]), f64([2])], kwargs: { padding: 'same' } },
    ],
    errors: [
      { name: 'weight ndim', run: () => conv1d(zeros([2, 4, 9]), zeros([6, 4])), type: ShapeError, message: 'conv1d: weight must be [Cout, Cin/groups, K] = [Cout, 4, K], got [6,4]' },
      { name: 'input ndim', run: () => conv1d(zeros([9]), zeros([6, 4, 3])), type: ShapeError, message: 'conv1d: expected x of shape [N, C, L] or [C, L], got [9]' },
    ],
  },
  conv2d: {
    call: (a, k) => conv2d(T(a, 0), T(a, 1), opt(a, 2), conv(k)),
    gradgrad: true,
    samples: () => [
      { id: 'unbatched_s2x1_d1x2', args: [f64([2, 6, 7]), f64([3, 2, 2, 3]), null], kwargs: { stride: [2, 1], dilation: [1, 2], padding: [1, 0] } },
      { id: 'same_padding_even_kernel', args: [f64([1, 2, 5, 4]), f64([2, 2, 2, 4]), f64([2])], kwargs: { padding: 'same' } },
    ],
    errors: [
      {
        name: 'weight ndim', run: () => conv2d(zeros([2, 3, 6, 5]), zeros([4, 3, 3])), type: ShapeError,
        message: 'conv2d: weight must be [Cout, Cin/groups, kH, kW] = [Cout, 3, kH, kW], got [4,3,3]',
      },
      {
        name: 'input channels mismatch', run: () => conv2d(zeros([2, 3, 6, 5]), zeros([4, 2, 3, 3])), type: ShapeError,
        message: 'conv2d: x [2,3,6,5] has 3 input channels, but weight [4,2,3,3] with groups 1 expects 2',
      },
      {
        name: 'kernel larger than padded input', run: () => conv2d(zeros([1, 1, 5, 5]), zeros([1, 1, 7, 7]), null, { padding: 0 }), type: ShapeError,
        message: 'conv2d: kernel [7,7] (with dilation [1,1]) is larger than the padded input [5,5]',
      },
      {
        name: 'groups do not divide Cout', run: () => conv2d(zeros([1, 4, 5, 5]), zeros([3, 2, 3, 3]), null, { groups: 2 }), type: RangeArgError,
        message: 'conv2d: groups 2 must divide the output channels Cout = 3 (weight [3,2,3,3])',
      },
      { name: 'bias shape', run: () => conv2d(zeros([1, 3, 5, 5]), zeros([4, 3, 3, 3]), zeros([3])), type: ShapeError, message: 'conv2d: bias must be [Cout] = [4], got [3]' },
      { name: 'bad stride', run: () => conv2d(zeros([1, 3, 5, 5]), zeros([4, 3, 3, 3]), null, { stride: [1, 0] }), type: RangeArgError, message: 'conv2d: stride must be a positive integer or a list of 2, got [1,0]' },
      { name: 'dtype mismatch', run: () => conv2d(zeros([1, 3, 5, 5]), zeros([4, 3, 3, 3], { dtype: 'float64' })), type: DTypeError, message: 'conv2d: x is float32 but weight is float64; expected one dtype', float64: true },
      { name: "'same' with stride", run: () => conv2d(zeros([1, 3, 5, 5]), zeros([4, 3, 3, 3]), null, { padding: 'same', stride: 2 }), type: RangeArgError, message: "conv2d: padding 'same' needs stride 1, got [2,2]" },
    ],
  },
  // pool
  maxPool2d: {
    call: (a, k) => maxPool2d(T(a, 0), k.kernelSize as number, poolOpts(k)),
    samples: () => [
      { id: 'ceil_mode_k2_s2_5x5', args: [f64([1, 2, 5, 5])], kwargs: { kernelSize: 2, ceilMode: true } },
      { id: 'ceil_mode_k3_s2_p1_dil2_7x6', args: [f64([2, 1, 7, 6])], kwargs: { kernelSize: 3, stride: 2, padding: 1, dilation: 2, ceilMode: true } },
    ],
    errors: [
      { name: 'padding over half the kernel', run: () => maxPool2d(zeros([1, 1, 6, 6]), 3, { padding: 2 }), type: RangeArgError, message: 'maxPool2d: padding [2,2] must be at most half of kernelSize [3,3]' },
      { name: 'kernel larger than padded input', run: () => maxPool2d(zeros([1, 1, 2, 5]), 3), type: ShapeError, message: 'maxPool2d: kernel [3,3] (with dilation [1,1]) is larger than the padded input [2,5]' },
      { name: 'input ndim', run: () => maxPool2d(zeros([4, 4]), 2), type: ShapeError, message: 'maxPool2d: expected x of shape [N, C, H, W] or [C, H, W], got [4,4]' },
      { name: 'int32 input', run: () => maxPool2d(zeros([1, 4, 4], { dtype: 'int32' }), 2), type: DTypeError, message: 'maxPool2d: expected a floating point tensor, got int32' },
    ],
  },
  avgPool2d: {
    call: (a, k) => avgPool2d(T(a, 0), k.kernelSize as number, poolOpts(k)),
    samples: () => [
      { id: 'ceil_mode_include_pad_k3_s2_p1_6x5', args: [f64([1, 2, 6, 5])], kwargs: { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true } },
      { id: 'ceil_mode_exclude_pad_k3_s2_p1_6x5', args: [f64([1, 2, 6, 5])], kwargs: { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false } },
      { id: 'unbatched_k2x3_s1x2', args: [f64([2, 4, 7])], kwargs: { kernelSize: [2, 3], stride: [1, 2] } },
    ],
    errors: [
      { name: 'padding over half the kernel', run: () => avgPool2d(zeros([1, 1, 6, 6]), 2, { padding: [0, 2] }), type: RangeArgError, message: 'avgPool2d: padding [0,2] must be at most half of kernelSize [2,2]' },
      { name: 'bad kernel size', run: () => avgPool2d(zeros([1, 1, 6, 6]), [2, 2, 2]), type: RangeArgError, message: 'avgPool2d: kernelSize must be a positive integer or a list of 2, got [2,2,2]' },
    ],
  },
  // normalization
  layerNorm: {
    call: (a, k) => layerNorm(T(a, 0), a[1] as number[], { weight: opt(a, 2), bias: opt(a, 3), eps: k.eps as number }),
    gradgrad: true,
    errors: [
      { name: 'normalizedShape mismatch', run: () => layerNorm(zeros([3, 5]), [4]), type: ShapeError, message: 'layerNorm: normalizedShape [4] must be non-empty and match the last dims of x [3,5]' },
      { name: 'weight shape', run: () => layerNorm(zeros([3, 4]), [4], { weight: ones([3]) }), type: ShapeError, message: 'layerNorm: weight must have the shape normalizedShape [4], got [3]' },
    ],
  },
  batchNorm: {
    // Goldens: [x, weight, bias] with batch statistics; the eval sample: [x, runningMean, runningVar, weight, bias].
    call: (a, k) =>
      k.eval
        ? batchNorm(T(a, 0), T(a, 1), T(a, 2), { weight: opt(a, 3), bias: opt(a, 4) })
        : batchNorm(T(a, 0), null, null, { weight: opt(a, 1), bias: opt(a, 2), training: true, eps: k.eps as number }),
    gradgrad: true,
    samples: () => [
      { id: 'eval_running_stats', args: [f64([4, 3, 2]), f64([3]), f64([3]).abs().add(0.5), f64([3]), f64([3])], kwargs: { eval: true } },
    ],
    errors: [
      { name: 'running stats shape', run: () => batchNorm(zeros([2, 3, 5]), zeros([4]), ones([4]), { training: true }), type: ShapeError, message: 'batchNorm: runningMean must be [C] = [3] for x [2,3,5], got [4]' },
      { name: 'one value per channel', run: () => batchNorm(zeros([1, 3]), null, null, { training: true }), type: RangeArgError, message: 'batchNorm: expected more than 1 value per channel when training, got x [1,3]' },
      { name: 'eval without running stats', run: () => batchNorm(zeros([2, 3]), null, null), type: RangeArgError, message: 'batchNorm: runningMean and runningVar are required when training is false' },
      { name: '1-d input', run: () => batchNorm(zeros([3]), null, null, { training: true }), type: ShapeError, message: 'batchNorm: expected x of shape [N, C, ...], got [3]' },
    ],
  },
  // loss
  crossEntropy: {
    call: (a, k) => crossEntropy(T(a, 0), T(a, 1), { ...red(k), labelSmoothing: k.labelSmoothing as number, weight: opt(a, 2) }),
    gradgrad: true,
    samples: () => [
      { id: 'ignore_index_smoothing_mean', args: [f64([5, 4]), i32([1, -100, 3, 0, -100])], kwargs: { reduction: 'mean', labelSmoothing: 0.2 } },
      { id: 'probability_targets', args: [f64([3, 4]), f64([3, 4]).softmax(1)], kwargs: { reduction: 'mean', labelSmoothing: 0.1 } },
    ],
    errors: [
      { name: 'class index out of range', run: () => crossEntropy(zeros([2, 5]), i32([1, 5])), type: RangeArgError, message: 'crossEntropy: class index 5 is out of range for 5 classes (expected targets in [0, 4])' },
      { name: 'negative class index', run: () => crossEntropy(zeros([2, 5]), i32([-1, 0])), type: RangeArgError, message: 'crossEntropy: class index -1 is out of range for 5 classes (expected targets in [0, 4])' },
      {
        name: 'target shape mismatch', run: () => crossEntropy(zeros([4, 5]), i32([0, 1, 2])), type: ShapeError,
        message: 'crossEntropy: target shape [3] must be [4] for input [4,5] (input [N, C, d1...] with target [N, d1...], or input [C] with a 0-d target)',
      },
      { name: 'float target of another shape', run: () => crossEntropy(zeros([4, 5]), zeros([4])), type: ShapeError, message: "crossEntropy: a float target holds class probabilities and must have the input's shape [4,5], got [4]" },
      { name: 'bad labelSmoothing', run: () => crossEntropy(zeros([2, 5]), i32([0, 1]), { labelSmoothing: 1.5 }), type: RangeArgError, message: 'crossEntropy: labelSmoothing must be in [0, 1], got 1.5' },
    ],
  },
  nllLoss: {
    call: (a, k) => nllLoss(T(a, 0), T(a, 1), { ...red(k), weight: opt(a, 2) }),
    errors: [
      { name: 'bool target', run: () => nllLoss(zeros([2, 3]), tensor([true, false])), type: DTypeError, message: 'nllLoss: expected class indices as an int32 target, got bool' },
      { name: 'class index out of range', run: () => nllLoss(zeros([2, 3, 4]), i32([0, 1, 2, 3, 0, 0, 0, 0], [2, 4])), type: RangeArgError, message: 'nllLoss: class index 3 is out of range for 3 classes (expected targets in [0, 2])' },
    ],
  },
  mseLoss: { call: (a, k) => mseLoss(T(a, 0), T(a, 1), red(k)), errors: sameShapeLossErrors(mseLoss, 'mseLoss') },
  binaryCrossEntropyWithLogits: {
    call: (a, k) => binaryCrossEntropyWithLogits(T(a, 0), T(a, 1), red(k)),
    gradgrad: true,
    samples: () => [{ id: 'zero_and_large_logits', args: [tensor([0, 0, 30, -30, 2.5], { dtype: 'float64' }), tensor([0.3, 1, 0, 1, 0.5], { dtype: 'float64' })], kwargs: { reduction: 'sum' } }],
    errors: sameShapeLossErrors(binaryCrossEntropyWithLogits, 'binaryCrossEntropyWithLogits'),
  },
  // layers
  embedding: {
    call: (a) => embedding(T(a, 0), T(a, 1)),
    errors: [
      { name: 'index out of range', run: () => embedding(i32([0, 9]), zeros([7, 4])), type: RangeArgError, message: 'embedding: index 9 is out of range for 7 embeddings (weight [7,4])' },
      { name: 'float indices', run: () => embedding(zeros([2]), zeros([7, 4])), type: DTypeError, message: 'embedding: expected int32 indices, got float32' },
      { name: '1-d weight', run: () => embedding(i32([0]), zeros([7])), type: ShapeError, message: 'embedding: weight must be 2-D [numEmbeddings, dim], got [7]' },
    ],
  },
  linear: {
    call: (a) => linear(T(a, 0), T(a, 1), opt(a, 2)),
    gradgrad: true,
    errors: [
      { name: 'in features mismatch', run: () => linear(zeros([4, 5]), zeros([3, 4])), type: ShapeError, message: 'linear: weight must be [out, in] = [out, 5] for x [4,5], got [3,4]' },
      { name: 'bias shape', run: () => linear(zeros([4, 5]), zeros([3, 5]), zeros([4])), type: ShapeError, message: 'linear: bias must be [out] = [3], got [4]' },
    ],
  },

  // ops without goldens: the im2col/col2im primitives through unfold/fold, and dropout with a fixed seed
  unfold: {
    call: (a, k) => unfold(T(a, 0), k.kernelSize as number, k),
    gradgrad: true,
    samples: () => [
      { id: 'k2x3_s2x1_p1_d1x2', args: [f64([2, 2, 5, 6])], kwargs: { kernelSize: [2, 3], stride: [2, 1], padding: 1, dilation: [1, 2] } },
      { id: 'unbatched_k3', args: [f64([1, 4, 4])], kwargs: { kernelSize: 3 } },
    ],
    errors: [
      { name: 'input ndim', run: () => unfold(zeros([4, 4]), 2), type: ShapeError, message: 'unfold: expected x of shape [N, C, H, W] or [C, H, W], got [4,4]' },
    ],
  },
  fold: {
    call: (a, k) => fold(T(a, 0), k.outputSize as number[], k.kernelSize as number, k),
    gradgrad: true,
    samples: () => [
      { id: 'k2x3_s2x1_p1_d1x2', args: [f64([2, 12, 12])], kwargs: { outputSize: [5, 6], kernelSize: [2, 3], stride: [2, 1], padding: 1, dilation: [1, 2] } },
      { id: 'overlapping_k3_s1', args: [f64([9, 4])], kwargs: { outputSize: [4, 4], kernelSize: 3 } },
    ],
    errors: [
      { name: 'columns shape', run: () => fold(zeros([1, 8, 4]), [4, 4], 3), type: ShapeError, message: 'fold: columns [1,8,4] must be [N, C·9, 4] for kernel [3,3] and [2,2] windows over [4,4]' },
    ],
  },
  dropout: {
    // A fixed seed inside the call: every evaluation draws the same mask, so the op is a fixed linear map.
    call: (a, k) => {
      manualSeed(7);
      return dropout(T(a, 0), { p: k.p as number });
    },
    samples: () => [{ id: 'p0.3_4x5', args: [f64([4, 5])], kwargs: { p: 0.3 } }],
    errors: [
      { name: 'p out of range', run: () => dropout(zeros([2]), { p: 1.5 }), type: RangeArgError, message: 'dropout: p must be in [0, 1], got 1.5' },
      { name: 'int32 input', run: () => dropout(i32([1, 2])), type: DTypeError, message: 'dropout: expected a floating point tensor, got int32' },
    ],
  },
  // the second op set (activation, sampling, transposed, groupnorm, sdpa, distance, elementwise_loss)
  ...NN_REGISTRY_MORE,
};

/** Registry ops without goldens that have samples. */
export const NN_EXTRA_OPS = ['unfold', 'fold', 'dropout', ...NN_EXTRA_OPS_MORE];
