/**
 * RMSprop (Hinton) with momentum, centering and weight decay: PyTorch 1.13's
 * `torch.optim.RMSprop`.
 *
 *     g ← ∇θ (negated if maximize);  g ← g + λθ            (weightDecay λ ≠ 0)
 *     v ← αv + (1 − α)g²
 *     centered:  ḡ ← αḡ + (1 − α)g;  d ← √(v − ḡ²) + ε;   else  d ← √v + ε
 *     momentum μ > 0:  b ← μb + g/d;  θ ← θ − γb;          else  θ ← θ − γg/d
 */
import { hostEffect, hostScalar } from '../ops/index.js';
import { zerosLike, type Tensor } from '../tensor/index.js';
import {
  Optimizer, checkBoolean, checkNonNegative, type ParamGroup, type ParamsInput,
} from './optimizer.js';

/** Options of `RMSprop` (PyTorch's names in camelCase). */
export interface RMSpropOptions {
  /** Learning rate γ (default 1e-2). */
  lr?: number;
  /** Smoothing constant α of the squared-gradient average (default 0.99). */
  alpha?: number;
  /** Added to the denominator for stability (default 1e-8). */
  eps?: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay?: number;
  /** Momentum factor μ (default 0). */
  momentum?: number;
  /** Normalize by an estimate of the gradient's variance instead of its second moment (default false). */
  centered?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/** The state of one parameter (`momentumBuffer` with momentum > 0, `gradAvg` when centered). */
export type RMSpropState = { step: number; squareAvg: Tensor; momentumBuffer?: Tensor; gradAvg?: Tensor };

/**
 * RMSprop: divides the gradient by a running root mean square of recent gradients.
 *
 * @example
 * const opt = new RMSprop([w], { lr: 1e-2, momentum: 0.9, centered: true });
 * opt.zeroGrad();
 * loss.backward();
 * opt.step();
 */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  constructor(params: ParamsInput<RMSpropOptions>, opts: RMSpropOptions = {}) {
    super('RMSprop', params, {
      lr: opts.lr ?? 1e-2, alpha: opts.alpha ?? 0.99, eps: opts.eps ?? 1e-8, weightDecay: opts.weightDecay ?? 0,
      momentum: opts.momentum ?? 0, centered: opts.centered ?? false, maximize: opts.maximize ?? false,
    });
  }

  protected validate(o: Partial<RMSpropOptions>, where: string): void {
    checkNonNegative(this.name, where, 'lr', o.lr);
    checkNonNegative(this.name, where, 'alpha', o.alpha);
    checkNonNegative(this.name, where, 'eps', o.eps);
    checkNonNegative(this.name, where, 'weightDecay', o.weightDecay);
    checkNonNegative(this.name, where, 'momentum', o.momentum);
    checkBoolean(this.name, where, 'centered', o.centered);
    checkBoolean(this.name, where, 'maximize', o.maximize);
  }

  protected override readonly hostOptions: readonly string[] = ['lr', 'alpha', 'eps', 'weightDecay', 'momentum'];

  protected updateGroup(group: ParamGroup<RMSpropOptions>, params: Tensor[]): void {
    const { weightDecay, momentum, centered, maximize } = group;
    // Numbers read through hostScalar are inputs of a compiled step (a scheduler may change lr);
    // hostEffect replays the step count's update.
    for (const p of params) {
      let g = this.gradOf(p);
      if (maximize) g = g.neg();
      let s = this.state.get(p);
      if (s === undefined) {
        s = { step: 0, squareAvg: zerosLike(p) };
        if (momentum > 0) s.momentumBuffer = zerosLike(p);
        if (centered) s.gradAvg = zerosLike(p);
        this.state.set(p, s);
      }
      const st = s;
      hostEffect(() => {
        st.step += 1;
      });
      if (weightDecay !== 0) g = g.add(p.mul(hostScalar(() => group.weightDecay, p)));
      const alpha = hostScalar(() => group.alpha, p);
      s.squareAvg.mul_(alpha).add_(g.mul(g).mul(hostScalar(() => 1 - group.alpha, p)));
      let avg: Tensor;
      if (centered) {
        s.gradAvg ??= zerosLike(p);
        s.gradAvg.mul_(alpha).add_(g.mul(hostScalar(() => 1 - group.alpha, p)));
        avg = s.squareAvg.sub(s.gradAvg.mul(s.gradAvg)).sqrt();
      } else {
        avg = s.squareAvg.sqrt();
      }
      avg = avg.add(hostScalar(() => group.eps, p));
      const negLr = hostScalar(() => -group.lr, p);
      if (momentum > 0) {
        s.momentumBuffer ??= zerosLike(p);
        s.momentumBuffer.mul_(hostScalar(() => group.momentum, p)).add_(g.div(avg));
        p.add_(s.momentumBuffer.mul(negLr));
      } else {
        p.add_(g.div(avg).mul(negLr));
      }
    }
  }
}
