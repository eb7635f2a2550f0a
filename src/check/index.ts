/**
 * `adjoint/check`: finite differences and gradient checking.
 *
 * @example
 * import { finiteDifference, gradcheck, formatGradcheck } from 'adjoint/check';
 * finiteDifference((x) => x * x * Math.sin(x), 2); // ≈ 1.97260 (= 4 sin 2 + 4 cos 2)
 */
import { Tensor } from '../tensor/index.js';
import { gradcheck as gradcheckScalar, type GradcheckOptions, type GradcheckReport, type ScalarLoss, type ScalarParam } from './scalar.js';
import {
  gradcheck as gradcheckTensor, type TensorFn, type TensorGradcheckOptions, type TensorGradcheckReport,
} from './tensor.js';

export {
  finiteDifference,
  numericalGradient,
  errorVsStep,
  logspace,
  type FiniteDifferenceMethod,
  type FiniteDifferenceOptions,
  type StepErrorRow,
} from './finite.js';
export {
  formatGradcheck,
  relativeError,
  type ScalarParam,
  type ScalarLoss,
  type GradcheckOptions,
  type GradcheckRow,
  type GradcheckReport,
} from './scalar.js';
export {
  gradgradcheck,
  GradcheckError,
  type TensorFn,
  type TensorGradcheckOptions,
  type TensorGradcheckReport,
} from './tensor.js';


/**
 * Checks autograd gradients against finite differences. Two forms, told apart by
 * what the second argument holds:
 *
 * - scalar (the chapter's check): `f()` returns a `Value` loss and `params` are the
 *   `Value`s to nudge; the report has one row per parameter (see `formatGradcheck`).
 * - tensor: `f(...inputs)` returns a tensor; `inputs` are float64 tensors; VJP and JVP
 *   are checked per element and along random directions, and a failure names the
 *   input and output index, the shapes and both numbers.
 *
 * @example
 * const a = new Value(0.5), b = new Value(-1.5);
 * gradcheck(() => a.mul(b).tanh(), [a, b]).passed; // true
 * gradcheck((x) => x.sin().sum(), [randn([3], { dtype: 'float64' })]).passed; // true
 */
export function gradcheck(f: () => ScalarLoss, params: readonly ScalarParam[], options?: GradcheckOptions): GradcheckReport;
export function gradcheck(f: TensorFn, inputs: readonly Tensor[], options?: TensorGradcheckOptions): TensorGradcheckReport;
export function gradcheck(
  f: (() => ScalarLoss) | TensorFn,
  args: readonly ScalarParam[] | readonly Tensor[],
  options: GradcheckOptions | TensorGradcheckOptions = {},
): GradcheckReport | TensorGradcheckReport {
  if (args.length > 0 && args[0] instanceof Tensor) {
    return gradcheckTensor(f as TensorFn, args as readonly Tensor[], options as TensorGradcheckOptions);
  }
  return gradcheckScalar(f as () => ScalarLoss, args as ScalarParam[], options as GradcheckOptions);
}
