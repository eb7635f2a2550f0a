/**
 * `adjoint/scalar`: the chapter's scalar autograd engine and everything around it.
 *
 * - `Value` (reverse mode) with `add sub mul div pow neg exp log tanh relu sigmoid
 *   sin cos` as methods and as functions, `.backward()`, `zeroGrad`, `topoSort`;
 * - second derivatives: `backward({createGraph: true})` and `grad(grad(f))`;
 * - `Dual` (forward mode), `derivative`, `gradientForward`, `jacobianForward`, and
 *   their reverse-mode peers `gradient`, `jacobianReverse`;
 * - operation counts (`countOps`, `countForwardMode`, `countReverseMode`,
 *   `COST_MODEL`) and gradient checkpointing (`checkpointedChain`);
 * - the scalar nn: `Neuron`, `Layer`, `MLP`, seeded by `LCG`.
 *
 * @example
 * import { Value, MLP } from 'adjoint/scalar';
 * const x = new Value(2), y = new Value(3);
 * const z = x.mul(y).add(x.mul(x).relu());
 * z.backward();
 * console.log(x.grad, y.grad); // 7 2
 */
export { Value, topoSort, zeroGrad, type BackwardOptions } from './value.js';
export { Dual, countDual, derivative, gradientForward, jacobianForward, type DualOut } from './dual.js';
export { add, sub, mul, div, pow, neg, exp, log, tanh, relu, sigmoid, sin, cos, type BinaryOp, type UnaryOp } from './ops.js';
export { grad, gradient, jacobianReverse, type GradOptions, type ScalarFn } from './modes.js';
export {
  countOps, countForwardMode, countReverseMode,
  type OpCounts, type OpKindCount, type ForwardModeCount, type ReverseModeCount,
} from './count.js';
export { COST_MODEL, OP_KINDS, type OpCost, type OpKind } from './cost.js';
export { checkpointedChain, type CheckpointReport } from './checkpoint.js';
export {
  Neuron, Layer, MLP,
  type Activation, type NeuronOptions, type LayerOptions, type MLPOptions,
} from './nn.js';
export { LCG } from './random.js';
export {
  parseExpression, evaluate, evaluateDual, compileExpression, variables, ExpressionSyntaxError, EXPRESSION_FUNCTIONS,
  type ExprNode, type ExpressionFunction, type BinaryOperator, type EvaluateOptions, type ExpressionFunctionOf,
} from './expr.js';
