/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum,
 * weight decay and maximize: PyTorch 1.13's `torch.optim.SGD`.
 *
 *     g ← ∇θ (negated if maximize);  g ← g + λθ            (weightDecay λ ≠ 0)
 *     b ← g at the first step, else μb + (1 − τ)g          (momentum μ ≠ 0, dampening τ)
 *     g ← g + μb if nesterov, else b
 *     θ ← θ − γg
 */
import { RangeArgError } from '../errors.js';
import { hostScalar } from '../ops/index.js';
import type { Tensor } from '../tensor/index.js';
import {
  Optimizer, checkBoolean, checkNonNegative, type ParamGroup, type ParamsInput,
} from './optimizer.js';

/** Options of `SGD` (PyTorch's names in camelCase). */
export interface SGDOptions {
  /** Learning rate γ (required here or in every parameter group). */
  lr?: number;
  /** Momentum factor μ (default 0). */
  momentum?: number;
  /** Dampening τ of the momentum (default 0). */
  dampening?: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/** The state of one parameter: the momentum buffer (null while momentum is 0, like PyTorch). */
export type SGDState = { momentumBuffer: Tensor | null };

/**
 * Stochastic gradient descent (optionally with momentum).
 *
 * @example
 * const w = tensor([1, 2], { requiresGrad: true });
 * const opt = new SGD([w], { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad();
 * w.square().sum().backward();
 * opt.step(); // w ← w − 0.1·2w
 */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  constructor(params: ParamsInput<SGDOptions>, opts: SGDOptions = {}) {
    super('SGD', params, {
      lr: opts.lr, momentum: opts.momentum ?? 0, dampening: opts.dampening ?? 0,
      weightDecay: opts.weightDecay ?? 0, nesterov: opts.nesterov ?? false, maximize: opts.maximize ?? false,
    } as SGDOptions);
  }

  protected validate(o: Partial<SGDOptions>, where: string): void {
    if (o.lr !== undefined) checkNonNegative(this.name, where, 'lr', o.lr);
    checkNonNegative(this.name, where, 'momentum', o.momentum);
    if (typeof o.dampening !== 'number' || Number.isNaN(o.dampening)) {
      throw new RangeArgError(this.name, `${where}dampening must be a number, got ${String(o.dampening)}`);
    }
    checkNonNegative(this.name, where, 'weightDecay', o.weightDecay);
    checkBoolean(this.name, where, 'nesterov', o.nesterov);
    checkBoolean(this.name, where, 'maximize', o.maximize);
    if (o.nesterov && (!(o.momentum! > 0) || o.dampening !== 0)) {
      throw new RangeArgError(this.name, `${where}nesterov momentum requires momentum > 0 and dampening = 0, got momentum ${o.momentum} and dampening ${o.dampening}`);
    }
  }

  protected override readonly hostOptions: readonly string[] = ['lr', 'momentum', 'dampening', 'weightDecay'];

  protected updateGroup(group: ParamGroup<SGDOptions>, params: Tensor[]): void {
    const { momentum, weightDecay, nesterov, maximize } = group;
    // Numbers read through hostScalar are inputs of a compiled step (a scheduler may change them).
    for (const p of params) {
      let d = this.gradOf(p);
      if (maximize) d = d.neg();
      if (weightDecay !== 0) d = d.add(p.mul(hostScalar(() => group.weightDecay, p)));
      let state = this.state.get(p);
      if (state === undefined) {
        state = { momentumBuffer: null };
        this.state.set(p, state);
      }
      if (momentum !== 0) {
        let buf = state.momentumBuffer;
        if (buf === null) {
          buf = d.detach().clone();
          state.momentumBuffer = buf;
        } else {
          buf.mul_(hostScalar(() => group.momentum, p)).add_(d.mul(hostScalar(() => 1 - group.dampening, p)));
        }
        d = nesterov ? d.add(buf.mul(hostScalar(() => group.momentum, p))) : buf;
      }
      p.add_(d.mul(hostScalar(() => -group.lr, p)));
    }
  }
}
