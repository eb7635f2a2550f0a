/**
 * `OneCycleLR`: Smith's 1cycle policy, PyTorch 1.13's `torch.optim.lr_scheduler.OneCycleLR`.
 *
 * The lr rises from `maxLr / divFactor` to `maxLr` over the first `pctStart`
 * of the steps, then anneals to `initialLr / finalDivFactor`; with
 * `threePhase` it comes back down to the initial lr symmetrically before the
 * final anneal. Momentum (or Adam's β₁) moves the opposite way between
 * `maxMomentum` and `baseMomentum`. Step it once per batch.
 */
import { RangeArgError } from '../errors.js';
import type { ParamGroup, BaseOptions, SchedulerGroupKeys } from './optimizer.js';
import { LRScheduler, type AnyOptimizer } from './scheduler.js';

/** Options of `OneCycleLR` (give `totalSteps`, or `epochs` and `stepsPerEpoch`). */
export interface OneCycleLROptions {
  /** Total number of steps in the cycle. */
  totalSteps?: number;
  /** Number of epochs (with `stepsPerEpoch`, instead of `totalSteps`). */
  epochs?: number;
  /** Steps per epoch (with `epochs`). */
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the lr, in [0, 1] (default 0.3). */
  pctStart?: number;
  /** How to anneal: `'cos'` (default) or `'linear'`. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum (or β₁) inversely to the lr (default true). */
  cycleMomentum?: boolean;
  /** Lower momentum, per group or for all (default 0.85). */
  baseMomentum?: number | readonly number[];
  /** Upper momentum, per group or for all (default 0.95). */
  maxMomentum?: number | readonly number[];
  /** `initialLr = maxLr / divFactor` (default 25). */
  divFactor?: number;
  /** `minLr = initialLr / finalDivFactor` (default 1e4). */
  finalDivFactor?: number;
  /** Use three phases (up, back down, final anneal) instead of two (default false). */
  threePhase?: boolean;
  /** Resume from this step (default -1: start). */
  lastEpoch?: number;
}

type LrKey = 'initialLr' | 'maxLr' | 'minLr';
type MomentumKey = 'maxMomentum' | 'baseMomentum';

interface Phase {
  endStep: number;
  startLr: LrKey;
  endLr: LrKey;
  startMomentum: MomentumKey;
  endMomentum: MomentumKey;
}

type MomentumGroup = ParamGroup<BaseOptions> & { momentum?: number; betas?: [number, number] };

function cosAnneal(start: number, end: number, pct: number): number {
  return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
}

function linearAnneal(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}

function perGroup(op: string, name: string, v: number | readonly number[], n: number): number[] {
  if (typeof v === 'number') return new Array<number>(n).fill(v);
  if (v.length !== n) throw new RangeArgError(op, `expected ${n} values for ${name} (one per param group), got ${v.length}`);
  return [...v];
}

function positiveInt(op: string, name: string, v: number | undefined): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new RangeArgError(op, `${name} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

/**
 * The 1cycle learning-rate policy; `maxLr` is the peak lr (one for all
 * groups, or one per group).
 *
 * @example
 * const opt = new SGD(params, { lr: 0.1, momentum: 0.9 });
 * const scheduler = new OneCycleLR(opt, 1.0, { totalSteps: 1000 });
 * for (const batch of batches) {
 *   train(batch);
 *   opt.step();
 *   scheduler.step();
 * }
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly cycleMomentum: boolean;
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly useBeta1: boolean;

  constructor(optimizer: AnyOptimizer, maxLr: number | readonly number[], opts: OneCycleLROptions = {}) {
    super('OneCycleLR', optimizer, opts.lastEpoch);
    const op = this.name;
    if (opts.totalSteps !== undefined) {
      this.totalSteps = positiveInt(op, 'totalSteps', opts.totalSteps);
    } else if (opts.epochs !== undefined || opts.stepsPerEpoch !== undefined) {
      this.totalSteps = positiveInt(op, 'epochs', opts.epochs) * positiveInt(op, 'stepsPerEpoch', opts.stepsPerEpoch);
    } else {
      throw new RangeArgError(op, 'give either totalSteps or (epochs and stepsPerEpoch)');
    }
    const pct = opts.pctStart ?? 0.3;
    if (typeof pct !== 'number' || !(pct >= 0 && pct <= 1)) throw new RangeArgError(op, `pctStart must be in [0, 1], got ${String(pct)}`);
    const n = this.totalSteps;
    this.phases = opts.threePhase
      ? [
        { endStep: pct * n - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
        { endStep: 2 * pct * n - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
        { endStep: n - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
      ]
      : [
        { endStep: pct * n - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
        { endStep: n - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
      ];
    const strategy = opts.annealStrategy ?? 'cos';
    if (strategy !== 'cos' && strategy !== 'linear') {
      throw new RangeArgError(op, `annealStrategy must be 'cos' or 'linear', got ${JSON.stringify(strategy)}`);
    }
    this.anneal = strategy === 'cos' ? cosAnneal : linearAnneal;
    const divFactor = opts.divFactor ?? 25;
    const finalDivFactor = opts.finalDivFactor ?? 1e4;
    const groups = this.groups as MomentumGroup[];
    const maxLrs = perGroup(op, 'maxLr', maxLr, groups.length);
    if (this.lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i]! / divFactor;
        g.maxLr = maxLrs[i]!;
        g.minLr = g.initialLr / finalDivFactor;
      });
    }
    this.cycleMomentum = opts.cycleMomentum ?? true;
    const defaults = optimizer.defaults as Record<string, unknown>;
    this.useBeta1 = 'betas' in defaults;
    if (this.cycleMomentum) {
      if (!('momentum' in defaults) && !this.useBeta1) {
        throw new RangeArgError(op, `the optimizer (${optimizer.name}) has no momentum or betas to cycle; pass cycleMomentum: false`);
      }
      const maxM = perGroup(op, 'maxMomentum', opts.maxMomentum ?? 0.95, groups.length);
      const baseM = perGroup(op, 'baseMomentum', opts.baseMomentum ?? 0.85, groups.length);
      if (this.lastEpoch === -1) {
        groups.forEach((g, i) => {
          this.setMomentum(g, maxM[i]!);
          g.maxMomentum = maxM[i]!;
          g.baseMomentum = baseM[i]!;
        });
      }
    }
    this.start();
  }

  private setMomentum(g: MomentumGroup, m: number): void {
    if (this.useBeta1) g.betas = [m, g.betas![1]];
    else g.momentum = m;
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new RangeArgError(this.name, `tried to step ${stepNum + 1} times; the specified number of total steps is ${this.totalSteps}`);
    }
    return (this.groups as MomentumGroup[]).map((g, gi) => {
      const need = (k: LrKey | MomentumKey): number => {
        const v = (g as SchedulerGroupKeys)[k];
        if (v === undefined) throw new RangeArgError(this.name, `param group ${gi} has no ${k}, which resuming needs`);
        return v;
      };
      let start = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i]!;
        if (stepNum <= ph.endStep || i === this.phases.length - 1) {
          const pct = (stepNum - start) / (ph.endStep - start);
          if (this.cycleMomentum) this.setMomentum(g, this.anneal(need(ph.startMomentum), need(ph.endMomentum), pct));
          return this.anneal(need(ph.startLr), need(ph.endLr), pct);
        }
        start = ph.endStep;
      }
      throw new RangeArgError(this.name, 'internal: no phase');
    });
  }
}
