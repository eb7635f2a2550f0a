/**
 * `adjoint/check`: finite differences and gradient checking.
 *
 * @example
 * import { finiteDifference, gradcheck, formatGradcheck } from 'adjoint/check';
 * finiteDifference((x) => x * x * Math.sin(x), 2); // ≈ 1.97260 (= 4 sin 2 + 4 cos 2)
 */
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
  gradcheck,
  formatGradcheck,
  relativeError,
  type ScalarParam,
  type ScalarLoss,
  type GradcheckOptions,
  type GradcheckRow,
  type GradcheckReport,
} from './scalar.js';
