/**
 * The few differentiable ops the engine and the transforms need (accumulating
 * gradients, summing them back to an input's shape, building Jacobians).
 * `autograd/` sits below `ops/`, so `ops/` installs them when it loads; they
 * are differentiable so that `createGraph` and forward mode see through them.
 */
import { AdjointError } from '../errors.js';
import type { DType, Tensor } from '../tensor/index.js';

/** Differentiable ops provided by `ops/`. */
export interface GradMath {
  /** `a + b` (same shape). */
  add(a: Tensor, b: Tensor): Tensor;
  /** Sums `g` over the dims broadcasting added, back to `shape`. The one place broadcasting is undone. */
  sumTo(g: Tensor, shape: readonly number[]): Tensor;
  /** `x` converted to `dtype`. */
  cast(x: Tensor, dtype: DType): Tensor;
  /** A new tensor equal to `x`, recorded as an identity op of `x`. */
  alias(x: Tensor): Tensor;
  /** `tensors` stacked along a new leading dim. */
  stack(tensors: readonly Tensor[]): Tensor;
  /** `x` reshaped. */
  reshape(x: Tensor, shape: readonly number[]): Tensor;
  /** `x` with its dims reordered (a view). */
  permute(x: Tensor, dims: readonly number[]): Tensor;
  /** `x` broadcast to `shape` (a view). */
  expand(x: Tensor, shape: readonly number[]): Tensor;
  /** `x` summed over `dims`. */
  sum(x: Tensor, dims: readonly number[], keepdim: boolean): Tensor;
}

let installed: GradMath | null = null;

/** Called once by `ops/` at load. @example installGradMath({ add, sumTo, cast, alias, stack, reshape }); */
export function installGradMath(m: GradMath): void {
  installed = m;
}

/** The installed ops. @example gm().sumTo(g, [3, 1]); */
export function gm(): GradMath {
  if (installed === null) {
    throw new AdjointError('autograd', "the op table is not loaded; import from 'adjoint' (src/index.ts) or 'src/ops/index.js'");
  }
  return installed;
}
