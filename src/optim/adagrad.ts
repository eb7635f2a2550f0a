/**
 * Adagrad (Duchi et al.) with learning-rate decay, weight decay and an initial
 * accumulator: PyTorch 1.13's `torch.optim.Adagrad`.
 *
 *     t ← t + 1;  g ← ∇θ (negated if maximize);  g ← g + λθ  (weightDecay λ ≠ 0)
 *     γₜ ← γ / (1 + (t − 1)η)                                 (lrDecay η)
 *     s ← s + g²;   θ ← θ − γₜ g / (√s + ε)
 */
import { hostEffect, hostScalar } from '../ops/index.js';
import { deviceOf, full, type Tensor } from '../tensor/index.js';
import {
  Optimizer, checkBoolean, checkNonNegative, type ParamGroup, type ParamsInput,
} from './optimizer.js';

/** Options of `Adagrad` (PyTorch's names in camelCase). */
export interface AdagradOptions {
  /** Learning rate γ (default 1e-2). */
  lr?: number;
  /** Learning-rate decay η (default 0). */
  lrDecay?: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay?: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue?: number;
  /** Added to the denominator for stability (default 1e-10). */
  eps?: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/** The state of one parameter: the step count and the sum of squared gradients. */
export type AdagradState = { step: number; sum: Tensor };

/**
 * Adagrad: per-element learning rates scaled by the accumulated squared
 * gradients. Like PyTorch, the state of every parameter is created when its
 * group is added (so it appears in `stateDict()` before the first step).
 *
 * @example
 * const opt = new Adagrad([w], { lr: 0.1, lrDecay: 1e-3, initialAccumulatorValue: 0.1 });
 * opt.zeroGrad();
 * loss.backward();
 * opt.step();
 */
export class Adagrad extends Optimizer<AdagradOptions, AdagradState> {
  constructor(params: ParamsInput<AdagradOptions>, opts: AdagradOptions = {}) {
    super('Adagrad', params, {
      lr: opts.lr ?? 1e-2, lrDecay: opts.lrDecay ?? 0, weightDecay: opts.weightDecay ?? 0,
      initialAccumulatorValue: opts.initialAccumulatorValue ?? 0, eps: opts.eps ?? 1e-10,
      maximize: opts.maximize ?? false,
    });
  }

  protected validate(o: Partial<AdagradOptions>, where: string): void {
    checkNonNegative(this.name, where, 'lr', o.lr);
    checkNonNegative(this.name, where, 'lrDecay', o.lrDecay);
    checkNonNegative(this.name, where, 'weightDecay', o.weightDecay);
    checkNonNegative(this.name, where, 'initialAccumulatorValue', o.initialAccumulatorValue);
    checkNonNegative(this.name, where, 'eps', o.eps);
    checkBoolean(this.name, where, 'maximize', o.maximize);
  }

  protected override initParam(p: Tensor, group: ParamGroup<AdagradOptions>): void {
    this.state.set(p, { step: 0, sum: full(p.shape, group.initialAccumulatorValue, { dtype: p.dtype, backend: deviceOf(p) }) });
  }

  protected override readonly hostOptions: readonly string[] = ['lr', 'lrDecay', 'weightDecay', 'eps'];

  protected updateGroup(group: ParamGroup<AdagradOptions>, params: Tensor[]): void {
    const { weightDecay, maximize } = group;
    // Numbers read through hostScalar are inputs of a compiled step (a scheduler may change lr;
    // the decayed rate follows the step count); hostEffect replays the count's update.
    for (const p of params) {
      let g = this.gradOf(p);
      if (maximize) g = g.neg();
      let s = this.state.get(p);
      if (s === undefined) {
        this.initParam(p, group);
        s = this.state.get(p)!;
      }
      const st = s;
      hostEffect(() => {
        st.step += 1;
      });
      if (weightDecay !== 0) g = g.add(p.mul(hostScalar(() => group.weightDecay, p)));
      const negClr = hostScalar(() => -group.lr / (1 + (st.step - 1) * group.lrDecay), p);
      s.sum.add_(g.mul(g));
      const std = s.sum.sqrt().add(hostScalar(() => group.eps, p));
      p.add_(g.div(std).mul(negClr));
    }
  }
}
