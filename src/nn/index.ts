/**
 * `adjoint/nn`: PyTorch's `torch.nn` in camelCase — `Module` and
 * `Parameter`, containers, layers, losses, `init`, and `functional` (also at
 * `adjoint/nn/functional`). State dicts use PyTorch's key names, so they
 * round-trip through safetensors files shared with PyTorch.
 *
 * @example
 * import { manualSeed, randn, tensor } from 'adjoint';
 * import * as nn from 'adjoint/nn';
 * import { Adam } from 'adjoint/optim';
 * manualSeed(0);
 * const model = new nn.Sequential(new nn.Linear(2, 16), new nn.Tanh(), new nn.Linear(16, 2));
 * const lossFn = new nn.CrossEntropyLoss();
 * const opt = new Adam(model.parameters(), { lr: 0.01 });
 * const x = randn([32, 2]);
 * const y = tensor(Array.from({ length: 32 }, (_, i) => i % 2), { dtype: 'int32' });
 * for (let step = 0; step < 10; step++) {
 *   opt.zeroGrad();
 *   lossFn.forward(model.forward(x), y).backward();
 *   opt.step();
 * }
 * String(model); // 'Sequential(\n  (0): Linear(in_features=2, out_features=16, bias=True)\n  ...'
 */
import '../ops/index.js';
import '../autograd/index.js';

export {
  Module, Parameter,
  type AnyModule, type StateDict, type StateDictInput, type LoadStateDictOptions, type LoadStateDictResult,
  type RegisterBufferOptions, type NamedOptions, type ModuleZeroGradOptions,
} from './module.js';
export { StateDictError } from './errors.js';
export type { ForwardPreHook, ForwardHook, FullBackwardHook } from './hooks.js';
export { functionalCall } from './stateless.js';
export { Sequential, ModuleList, ModuleDict, type TensorModule } from './containers.js';
export {
  Identity, Linear, Flatten, Dropout, Embedding, resetLinearLike_,
  type FloatDType, type DTypeOptions, type LinearOptions, type FlattenOptions, type EmbeddingOptions,
} from './layers.js';
export {
  Conv1d, Conv2d, MaxPool2d, AvgPool2d, type ConvLayerOptions, type MaxPool2dOptions, type AvgPool2dOptions,
} from './conv.js';
export { BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormLayerOptions, type LayerNormLayerOptions } from './normalization.js';
export { ReLU, Tanh, Sigmoid, GELU, LeakyReLU, Softmax, LogSoftmax } from './activation.js';
export { MultiheadAttention, type MultiheadAttentionOptions, type AttentionOptions } from './attention.js';
export { RNN, LSTM, GRU, type RecurrentOptions, type RNNOptions, type LSTMOptions } from './rnn.js';
export { RNNCell, LSTMCell, GRUCell, type RNNCellOptions, type GatedCellOptions, type RNNNonlinearity } from './rnncell.js';
export {
  TransformerEncoderLayer, TransformerDecoderLayer, TransformerEncoder, TransformerDecoder,
  type TransformerActivation, type TransformerLayerOptions, type EncoderLayerForwardOptions, type DecoderForwardOptions,
  type EncoderForwardOptions, type TransformerStackOptions,
} from './transformer.js';
export {
  MSELoss, CrossEntropyLoss, NLLLoss, BCEWithLogitsLoss,
  type LossModuleOptions, type CrossEntropyLossOptions, type BCEWithLogitsLossOptions,
} from './loss.js';
export * as init from './init.js';
export * as functional from './functional/index.js';
export { SiLU, Mish, ELU, SELU, CELU, Hardtanh, ReLU6, Hardsigmoid, Hardswish, Softsign, LogSigmoid } from './pointwise.js';
export { ConvTranspose1d, ConvTranspose2d, type ConvTransposeLayerOptions } from './transposed.js';
export { Upsample, AdaptiveAvgPool2d, AdaptiveMaxPool2d, Unflatten, type UpsampleOptions } from './sampling.js';
export { GroupNorm, InstanceNorm1d, InstanceNorm2d, type GroupNormLayerOptions, type InstanceNormLayerOptions } from './groupnorm.js';
export { L1Loss, SmoothL1Loss, HuberLoss, KLDivLoss, BCELoss, CosineSimilarity, PairwiseDistance } from './elementwise-loss.js';
