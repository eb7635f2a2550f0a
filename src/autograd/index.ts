/**
 * Autograd: graph recording, the backward engine, modes, forward-mode state,
 * checkpointing and function transforms.
 */
import './methods.js';

export { backward, autogradGrad, type BackwardOptions, type AutogradGradOptions } from './engine.js';
export { noGrad, enableGrad, detectAnomaly, isGradEnabled, isAnomalyEnabled, withGradMode } from './mode.js';
export { Node, AccumulateGrad, Frame, nodeOf } from './node.js';
export {
  forwardActive, activeLevels, enterLevel, exitLevel, isMasked, withMasked, getTangent, setTangent, clearTangent,
} from './forward.js';
export { installGradMath, gm, type GradMath } from './math.js';
export { checkpoint } from './checkpoint.js';
export {
  grad, valueAndGrad, vjp, jvp, jacobian, hessian, type ArgnumsOptions, type Grads, type TensorFunction,
} from './transforms.js';
export type { HookHandle } from './methods.js';
export {
  enterBatchLevel, exitBatchLevel, batchingActive, batchSize, makeBatched, topBatchLevel, unbatch, bottom, shallowCopy,
  stopGradient, describeBatched, randomBatching, type Randomness, type Unbatched,
} from './batching.js';
export { vmap, type VmapOptions, type InDims, type OutDims } from './vmap.js';
export { jacrev, jacfwd, hvp, linearize } from './func.js';
export { customVjp, customJvp, type CustomVjpRules, type CustomJvpRules } from './custom.js';
