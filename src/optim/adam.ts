/**
 * Adam and AdamW: PyTorch 1.13's `torch.optim.Adam` and `torch.optim.AdamW`.
 *
 *     t ← t + 1;  g ← ∇θ (negated if maximize)
 *     Adam:  g ← g + λθ (weightDecay λ ≠ 0)      AdamW:  θ ← θ(1 − γλ)
 *     m ← β₁m + (1 − β₁)g;   v ← β₂v + (1 − β₂)g²
 *     v̂ ← max(v̂, v) if amsgrad, else v
 *     θ ← θ − γ/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
 */
import { RangeArgError } from '../errors.js';
import { hostEffect, hostScalar, maximum } from '../ops/index.js';
import { zerosLike, type Tensor } from '../tensor/index.js';
import {
  Optimizer, checkBoolean, checkNonNegative, checkUnitInterval, type ParamGroup, type ParamsInput,
} from './optimizer.js';

/** Options of `Adam` and `AdamW` (PyTorch's names in camelCase). */
export interface AdamOptions {
  /** Learning rate γ (default 1e-3). */
  lr?: number;
  /** Decay rates (β₁, β₂) of the moment estimates, each in [0, 1) (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps?: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay rate (default 1e-2). */
  weightDecay?: number;
  /** Use the maximum of past second moments (AMSGrad; default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/** The state of one parameter (`maxExpAvgSq` only with amsgrad). */
export type AdamState = { step: number; expAvg: Tensor; expAvgSq: Tensor; maxExpAvgSq?: Tensor };

abstract class AdamBase extends Optimizer<AdamOptions, AdamState> {
  /** AdamW's decoupled weight decay instead of Adam's L2 penalty. */
  protected abstract readonly decoupled: boolean;

  protected constructor(name: string, params: ParamsInput<AdamOptions>, opts: AdamOptions, weightDecay: number) {
    super(name, params, {
      lr: opts.lr ?? 1e-3, betas: opts.betas ?? [0.9, 0.999], eps: opts.eps ?? 1e-8,
      weightDecay: opts.weightDecay ?? weightDecay, amsgrad: opts.amsgrad ?? false, maximize: opts.maximize ?? false,
    });
  }

  protected validate(o: Partial<AdamOptions>, where: string): void {
    checkNonNegative(this.name, where, 'lr', o.lr);
    checkNonNegative(this.name, where, 'eps', o.eps);
    if (!Array.isArray(o.betas) || o.betas.length !== 2) {
      throw new RangeArgError(this.name, `${where}betas must be a pair [beta1, beta2], got ${JSON.stringify(o.betas)}`);
    }
    checkUnitInterval(this.name, where, 'betas[0]', o.betas[0]);
    checkUnitInterval(this.name, where, 'betas[1]', o.betas[1]);
    checkNonNegative(this.name, where, 'weightDecay', o.weightDecay);
    checkBoolean(this.name, where, 'amsgrad', o.amsgrad);
    checkBoolean(this.name, where, 'maximize', o.maximize);
  }

  protected override readonly hostOptions: readonly string[] = ['lr', 'betas', 'eps', 'weightDecay'];

  protected updateGroup(group: ParamGroup<AdamOptions>, params: Tensor[]): void {
    const { weightDecay, amsgrad, maximize } = group;
    // Numbers read through hostScalar are inputs of a compiled step (a scheduler may change lr;
    // the bias corrections follow the step count); hostEffect replays the count's update.
    const num = (f: () => number, like: Tensor): number | Tensor => hostScalar(f, like);
    for (const p of params) {
      let g = this.gradOf(p);
      if (maximize) g = g.neg();
      let s = this.state.get(p);
      if (s === undefined) {
        s = { step: 0, expAvg: zerosLike(p), expAvgSq: zerosLike(p) };
        if (amsgrad) s.maxExpAvgSq = zerosLike(p);
        this.state.set(p, s);
      }
      const st = s;
      hostEffect(() => {
        st.step += 1;
      });
      if (this.decoupled) p.mul_(num(() => 1 - group.lr * group.weightDecay, p));
      else if (weightDecay !== 0) g = g.add(p.mul(num(() => group.weightDecay, p)));
      s.expAvg.mul_(num(() => group.betas[0], p)).add_(g.mul(num(() => 1 - group.betas[0], p)));
      s.expAvgSq.mul_(num(() => group.betas[1], p)).add_(g.mul(g).mul(num(() => 1 - group.betas[1], p)));
      const negStepSize = num(() => -group.lr / (1 - group.betas[0] ** st.step), p);
      const bias2Sqrt = num(() => Math.sqrt(1 - group.betas[1] ** st.step), p);
      let second = s.expAvgSq;
      if (amsgrad) {
        s.maxExpAvgSq ??= zerosLike(p);
        s.maxExpAvgSq.copy_(maximum(s.maxExpAvgSq, s.expAvgSq));
        second = s.maxExpAvgSq;
      }
      const denom = second.sqrt().div(bias2Sqrt).add(num(() => group.eps, p));
      p.add_(s.expAvg.div(denom).mul(negStepSize));
    }
  }
}

/**
 * Adam: adaptive moment estimation (Kingma & Ba), with optional AMSGrad and
 * L2 weight decay.
 *
 * @example
 * const w = tensor([1, -1], { requiresGrad: true });
 * const opt = new Adam([w], { lr: 1e-2, betas: [0.9, 0.999] });
 * for (let i = 0; i < 100; i++) {
 *   opt.zeroGrad();
 *   w.square().sum().backward();
 *   opt.step();
 * }
 */
export class Adam extends AdamBase {
  protected readonly decoupled: boolean = false;

  constructor(params: ParamsInput<AdamOptions>, opts: AdamOptions = {}) {
    super('Adam', params, opts, 0);
  }
}

/**
 * AdamW: Adam with decoupled weight decay (Loshchilov & Hutter); `weightDecay`
 * defaults to 1e-2 and shrinks the parameters directly, `θ ← θ(1 − γλ)`.
 *
 * @example
 * const opt = new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
 * opt.zeroGrad();
 * loss.backward();
 * opt.step();
 */
export class AdamW extends AdamBase {
  protected readonly decoupled: boolean = true;

  constructor(params: ParamsInput<AdamOptions>, opts: AdamOptions = {}) {
    super('AdamW', params, opts, 1e-2);
  }
}
