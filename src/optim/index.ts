/**
 * `adjoint/optim`: optimizers (SGD, Adam, AdamW, RMSprop, Adagrad) with
 * parameter groups and state dicts, learning-rate schedulers, and gradient
 * clipping — PyTorch 1.13's algorithms and defaults, options in camelCase.
 *
 * @example
 * import { tensor } from 'adjoint';
 * import { Adam, StepLR, clipGradNorm_ } from 'adjoint/optim';
 * const w = tensor([0, 0], { requiresGrad: true });
 * const opt = new Adam([w], { lr: 0.1 });
 * const scheduler = new StepLR(opt, 50, { gamma: 0.5 });
 * for (let i = 0; i < 200; i++) {
 *   opt.zeroGrad();
 *   w.sub(tensor([1, 2])).square().sum().backward();
 *   clipGradNorm_([w], 10);
 *   opt.step();
 *   scheduler.step();
 * }
 */
import '../ops/index.js';
import '../autograd/index.js';

export {
  Optimizer, type BaseOptions, type GroupInput, type ParamsInput, type ParamGroup, type SavedGroup, type ParamState,
  type StateValue, type SchedulerGroupKeys, type OptimizerStateDict, type ZeroGradOptions,
} from './optimizer.js';
export { SGD, type SGDOptions, type SGDState } from './sgd.js';
export { Adam, AdamW, type AdamOptions, type AdamState } from './adam.js';
export { RMSprop, type RMSpropOptions, type RMSpropState } from './rmsprop.js';
export { Adagrad, type AdagradOptions, type AdagradState } from './adagrad.js';
export {
  LRScheduler, StepLR, ExponentialLR, CosineAnnealingLR, LinearLR, type AnyOptimizer, type SchedulerStateDict,
  type StepLROptions, type CosineAnnealingLROptions, type LinearLROptions,
} from './scheduler.js';
export { OneCycleLR, type OneCycleLROptions } from './one-cycle.js';
export { clipGradNorm_, clipGradValue_, type ClipGradNormOptions } from './clip.js';
