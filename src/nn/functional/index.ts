/**
 * `adjoint/nn/functional`: PyTorch's `torch.nn.functional` in camelCase.
 * Every function is a composite of the primitive ops, so gradients, higher
 * derivatives and forward mode come for free; conv and pooling run on the
 * `im2col`/`col2im` primitives and a matmul.
 *
 * @example
 * import * as F from 'adjoint/nn/functional';
 * import { randn, tensor, zeros } from 'adjoint';
 * const x = randn([8, 1, 28, 28]);
 * const w = randn([32, 1, 3, 3], { requiresGrad: true });
 * const h = F.maxPool2d(F.conv2d(x, w, zeros([32]), { padding: 1 }).relu(), 2); // [8, 32, 14, 14]
 * const logits = F.linear(h.flatten(1), randn([10, 32 * 14 * 14]));
 * F.crossEntropy(logits, tensor([0, 1, 2, 3, 4, 5, 6, 7], { dtype: 'int32' })).backward();
 */
import '../../ops/index.js';
import '../../autograd/index.js';

export {
  softmax, logSoftmax, gelu, leakyRelu, softplus, pad, relu, sigmoid, tanh, logsumexp,
  type GeluOptions, type LeakyReluOptions, type SoftplusOptions, type PadOptions,
} from '../../ops/index.js';
export { conv1d, conv2d, type ConvOptions } from './conv.js';
export { maxPool2d, avgPool2d, type PoolOptions } from './pool.js';
export { unfold, fold, type UnfoldOptions, type IntOrList } from './window.js';
export {
  crossEntropy, nllLoss, mseLoss, binaryCrossEntropyWithLogits,
  type Reduction, type LossOptions, type NllLossOptions, type CrossEntropyOptions,
} from './loss.js';
export { layerNorm, batchNorm, type LayerNormOptions, type BatchNormOptions } from './normalization.js';
export { linear, embedding, dropout, type DropoutOptions } from './layers.js';
export {
  silu, mish, elu, selu, celu, hardtanh, hardsigmoid, hardswish, relu6, softsign, logsigmoid,
  type EluOptions, type HardtanhOptions,
} from './activation.js';
export { interpolate, type InterpolateOptions } from './upsample.js';
export { convTranspose1d, convTranspose2d, type ConvTransposeOptions } from './transposed.js';
export { adaptiveAvgPool2d, adaptiveMaxPool2d, type AdaptiveSize, type AdaptiveMaxPoolOptions } from './adaptive.js';
export { groupNorm, instanceNorm, type GroupNormOptions, type InstanceNormOptions } from './groupnorm.js';
export { scaledDotProductAttention, type ScaledDotProductAttentionOptions } from './sdpa.js';
export { cosineSimilarity, pairwiseDistance, type CosineSimilarityOptions, type PairwiseDistanceOptions } from './distance.js';
export {
  l1Loss, smoothL1Loss, huberLoss, klDiv, binaryCrossEntropy,
  type SmoothL1LossOptions, type HuberLossOptions, type KlDivOptions, type BinaryCrossEntropyOptions,
} from './elementwise-loss.js';
export { oneHot } from './onehot.js';
