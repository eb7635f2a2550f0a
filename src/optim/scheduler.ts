/**
 * Learning-rate schedulers: PyTorch 1.13's `StepLR`, `ExponentialLR`,
 * `CosineAnnealingLR`, `LinearLR` and `OneCycleLR`, with the same defaults.
 *
 * A scheduler sets `lr` of every parameter group of its optimizer. Creating
 * it records each group's `initialLr` and performs step 0; call `step()` once
 * per epoch (or batch, for `OneCycleLR`) after `optimizer.step()`. `step()`
 * uses PyTorch's chainable form (it scales the group's current `lr`, so
 * schedulers compose); `step(epoch)` uses the closed form at that epoch.
 */
import { RangeArgError } from '../errors.js';
import type { BaseOptions, Optimizer, ParamGroup, ParamState } from './optimizer.js';

/** Any optimizer (schedulers only read and write group options). */
export type AnyOptimizer = Optimizer<BaseOptions, ParamState>;

/** What `LRScheduler.stateDict()` returns. */
export interface SchedulerStateDict {
  lastEpoch: number;
  baseLrs: number[];
  lastLr: number[];
  stepCount: number;
}

function floorMod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

function checkPositiveInt(op: string, name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new RangeArgError(op, `${name} must be a positive integer, got ${String(v)}`);
  }
}

function checkNumber(op: string, name: string, v: unknown): void {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new RangeArgError(op, `${name} must be a number, got ${String(v)}`);
}

/**
 * The base of the schedulers. A subclass sets its fields, then calls
 * `start()` at the end of its constructor.
 *
 * @example
 * class HalveLR extends LRScheduler {
 *   constructor(opt: AnyOptimizer) { super('HalveLR', opt); this.start(); }
 *   protected getLr(): number[] {
 *     return this.optimizer.paramGroups.map((g) => (this.lastEpoch === 0 ? g.lr : g.lr / 2));
 *   }
 * }
 */
export abstract class LRScheduler {
  /** The scheduler's name, for error messages. */
  readonly name: string;
  /** The optimizer whose group `lr`s this scheduler sets. */
  readonly optimizer: AnyOptimizer;
  /** Each group's `initialLr`. */
  baseLrs: number[] = [];
  /** The index of the last epoch (0 after construction). */
  lastEpoch: number;
  /** How many times `step()` ran (including the one at construction). */
  protected stepCount = 0;
  private lastLr: number[] = [];

  protected constructor(name: string, optimizer: AnyOptimizer, lastEpoch = -1) {
    this.name = name;
    if (typeof optimizer !== 'object' || optimizer === null || !Array.isArray(optimizer.paramGroups)) {
      throw new RangeArgError(name, 'expected an optimizer');
    }
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) {
      throw new RangeArgError(name, `lastEpoch must be an integer >= -1, got ${lastEpoch}`);
    }
    this.optimizer = optimizer;
    this.lastEpoch = lastEpoch;
  }

  /** Records `initialLr` and the base lrs, then performs the initial step. */
  protected start(): void {
    const groups = this.optimizer.paramGroups;
    groups.forEach((g, i) => {
      if (this.lastEpoch === -1) g.initialLr ??= g.lr;
      else if (g.initialLr === undefined) {
        throw new RangeArgError(this.name, `param group ${i} has no initialLr, which resuming (lastEpoch ${this.lastEpoch}) needs`);
      }
    });
    this.baseLrs = groups.map((g) => g.initialLr!);
    this.step();
  }

  /** The chainable form: the new lr of each group from the current ones. */
  protected abstract getLr(): number[];

  /** The closed form at `lastEpoch` (defaults to the chainable form). */
  protected closedFormLr(): number[] {
    return this.getLr();
  }

  /**
   * Advances one epoch and sets the groups' `lr`; with `epoch`, jumps to that
   * epoch using the closed form (PyTorch's deprecated `step(epoch)`).
   *
   * @example
   * for (let epoch = 0; epoch < 10; epoch++) {
   *   train(opt);
   *   scheduler.step();
   * }
   */
  step(epoch?: number): void {
    this.stepCount += 1;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.getLr();
    } else {
      if (!Number.isInteger(epoch) || epoch < 0) throw new RangeArgError(this.name, `epoch must be an integer >= 0, got ${epoch}`);
      this.lastEpoch = epoch;
      values = this.closedFormLr();
    }
    const groups = this.optimizer.paramGroups;
    values.forEach((lr, i) => {
      if (groups[i] !== undefined) groups[i]!.lr = lr;
    });
    this.lastLr = groups.map((g) => g.lr);
  }

  /**
   * The lr of each group set by the last `step()`.
   *
   * @example
   * new StepLR(opt, 10).getLastLr(); // [0.1] for an optimizer with lr 0.1
   */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /**
   * The scheduler's progress (its settings are not included: construct the
   * same scheduler, then load).
   *
   * @example
   * const saved = scheduler.stateDict();
   * const again = new StepLR(opt, 30);
   * again.loadStateDict(saved);
   */
  stateDict(): SchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr], stepCount: this.stepCount };
  }

  /** Restores `stateDict()`. @example scheduler.loadStateDict(saved); */
  loadStateDict(sd: SchedulerStateDict): void {
    this.lastEpoch = sd.lastEpoch;
    this.baseLrs = [...sd.baseLrs];
    this.lastLr = [...sd.lastLr];
    this.stepCount = sd.stepCount;
  }

  /** @internal The optimizer's groups. */
  protected get groups(): ParamGroup<BaseOptions>[] {
    return this.optimizer.paramGroups;
  }
}

/** Options of `StepLR`. */
export interface StepLROptions {
  /** Multiplicative factor of the decay (default 0.1). */
  gamma?: number;
  /** Resume from this epoch (default -1: start). */
  lastEpoch?: number;
}

/**
 * Multiplies each group's lr by `gamma` every `stepSize` epochs:
 * `lr = initialLr · gamma^⌊epoch / stepSize⌋`.
 *
 * @example
 * const scheduler = new StepLR(opt, 30, { gamma: 0.1 }); // 0.1 for 30 epochs, then 0.01...
 * scheduler.step();
 */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, stepSize: number, opts: StepLROptions = {}) {
    super('StepLR', optimizer, opts.lastEpoch);
    checkPositiveInt(this.name, 'stepSize', stepSize);
    this.stepSize = stepSize;
    this.gamma = opts.gamma ?? 0.1;
    checkNumber(this.name, 'gamma', this.gamma);
    this.start();
  }

  protected getLr(): number[] {
    const keep = this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0;
    return this.groups.map((g) => (keep ? g.lr : g.lr * this.gamma));
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/**
 * Multiplies each group's lr by `gamma` every epoch: `lr = initialLr · gamma^epoch`.
 *
 * @example
 * const scheduler = new ExponentialLR(opt, 0.9);
 * scheduler.step();
 */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, gamma: number, opts: { lastEpoch?: number } = {}) {
    super('ExponentialLR', optimizer, opts.lastEpoch);
    checkNumber(this.name, 'gamma', gamma);
    this.gamma = gamma;
    this.start();
  }

  protected getLr(): number[] {
    return this.groups.map((g) => (this.lastEpoch === 0 ? g.lr : g.lr * this.gamma));
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}

/** Options of `CosineAnnealingLR`. */
export interface CosineAnnealingLROptions {
  /** Minimum lr (default 0). */
  etaMin?: number;
  /** Resume from this epoch (default -1: start). */
  lastEpoch?: number;
}

/**
 * Cosine annealing from `initialLr` down to `etaMin` over `tMax` epochs (SGDR
 * without restarts): `lr = etaMin + (initialLr − etaMin)(1 + cos(π·epoch/tMax))/2`.
 * Past `tMax` the chainable form climbs back up, as in PyTorch.
 *
 * @example
 * const scheduler = new CosineAnnealingLR(opt, 100, { etaMin: 1e-5 });
 * scheduler.step();
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: AnyOptimizer, tMax: number, opts: CosineAnnealingLROptions = {}) {
    super('CosineAnnealingLR', optimizer, opts.lastEpoch);
    if (typeof tMax !== 'number' || !(tMax > 0)) throw new RangeArgError(this.name, `tMax must be > 0, got ${String(tMax)}`);
    this.tMax = tMax;
    this.etaMin = opts.etaMin ?? 0;
    checkNumber(this.name, 'etaMin', this.etaMin);
    this.start();
  }

  protected getLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    if (e === 0) return this.groups.map((g) => g.lr);
    if (this.stepCount === 1 && e > 0) return this.closedFormLr();
    if (floorMod(e - 1 - T, 2 * T) === 0) {
      return this.groups.map((g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return this.groups.map(
      (g) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (g.lr - etaMin) + etaMin,
    );
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}

/** Options of `LinearLR`. */
export interface LinearLROptions {
  /** Factor of the lr at epoch 0, in (0, 1] (default 1/3). */
  startFactor?: number;
  /** Factor of the lr from `totalIters` on, in [0, 1] (default 1). */
  endFactor?: number;
  /** Epochs over which the factor moves linearly (default 5). */
  totalIters?: number;
  /** Resume from this epoch (default -1: start). */
  lastEpoch?: number;
}

/**
 * Scales each group's lr by a factor going linearly from `startFactor` to
 * `endFactor` over `totalIters` epochs (a warm-up with the defaults).
 *
 * @example
 * const warmup = new LinearLR(opt, { startFactor: 0.1, totalIters: 10 });
 * warmup.step();
 */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(optimizer: AnyOptimizer, opts: LinearLROptions = {}) {
    super('LinearLR', optimizer, opts.lastEpoch);
    this.startFactor = opts.startFactor ?? 1 / 3;
    this.endFactor = opts.endFactor ?? 1;
    this.totalIters = opts.totalIters ?? 5;
    if (typeof this.startFactor !== 'number' || !(this.startFactor > 0 && this.startFactor <= 1)) {
      throw new RangeArgError(this.name, `startFactor must be in (0, 1], got ${String(this.startFactor)}`);
    }
    if (typeof this.endFactor !== 'number' || !(this.endFactor >= 0 && this.endFactor <= 1)) {
      throw new RangeArgError(this.name, `endFactor must be in [0, 1], got ${String(this.endFactor)}`);
    }
    checkPositiveInt(this.name, 'totalIters', this.totalIters);
    this.start();
  }

  protected getLr(): number[] {
    const { lastEpoch: e, startFactor: s, endFactor: f, totalIters: n } = this;
    if (e === 0) return this.groups.map((g) => g.lr * s);
    if (e > n) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: e, startFactor: s, endFactor: f, totalIters: n } = this;
    return this.baseLrs.map((b) => b * (s + ((f - s) * Math.min(n, e)) / n));
  }
}
