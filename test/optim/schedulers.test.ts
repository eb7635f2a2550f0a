/**
 * LR schedulers against PyTorch 1.13 (test/fixtures/optim/schedulers.json): the lr of
 * each group after construction and after every step (chainable `step()` and closed-form
 * `step(epoch)`), the momentum / betas[0] that OneCycleLR cycles, and a stateDict resume.
 */
import { describe, expect, it } from 'vitest';
import { RangeArgError, tensor } from '../../src/index.js';
import {
  Adagrad, Adam, CosineAnnealingLR, ExponentialLR, LinearLR, OneCycleLR, SGD, StepLR, type AnyOptimizer,
} from '../../src/optim/index.js';
import { expectNumber, leaves, load, makeOptimizer, makeScheduler, type Problem, type SchedulerCase } from './helpers.js';

const file = load<SchedulerCase>('schedulers');
const init = load<unknown, Problem>('optimizers').about.init.slice(0, 2);

function momentaOf(opt: AnyOptimizer): number[] {
  return opt.paramGroups.map((g) => {
    const h = g as { betas?: [number, number]; momentum?: number };
    return h.betas !== undefined ? h.betas[0] : h.momentum!;
  });
}

function check(c: SchedulerCase, opt: AnyOptimizer, lrs: number[], at: number): void {
  lrs.forEach((lr, g) => expectNumber(lr, c.lr[at]![g]!, `${c.id} step ${at}: lr of group ${g}`));
  opt.paramGroups.forEach((g, i) => expectNumber(g.lr, c.lr[at]![i]!, `${c.id} step ${at}: group ${i} lr`));
  momentaOf(opt).forEach((m, g) => expectNumber(m, c.momentum[at]![g]!, `${c.id} step ${at}: momentum of group ${g}`));
}

describe('schedulers match PyTorch 1.13', () => {
  for (const c of file.cases) {
    it(c.id, () => {
      const opt = makeOptimizer(c.optimizer, leaves(init), c.options, c.groups);
      const sched = makeScheduler(opt, c.scheduler);
      check(c, opt, sched.getLastLr(), 0);
      for (let s = 0; s < c.steps; s++) {
        opt.step();
        if (c.epochs) sched.step(c.epochs[s]);
        else sched.step();
        check(c, opt, sched.getLastLr(), s + 1);
      }
      expect(opt.paramGroups.every((g) => g.initialLr !== undefined)).toBe(true);
    });

    if (c.epochs) continue;
    it(`${c.id}: resumes from stateDict`, () => {
      const half = Math.floor(c.steps / 2);
      const a = makeOptimizer(c.optimizer, leaves(init), c.options, c.groups);
      const sa = makeScheduler(a, c.scheduler);
      for (let s = 0; s < half; s++) sa.step();
      const b = makeOptimizer(c.optimizer, leaves(init), c.options, c.groups);
      const sb = makeScheduler(b, c.scheduler);
      b.loadStateDict(a.stateDict());
      sb.loadStateDict(sa.stateDict());
      for (let s = half; s < c.steps; s++) {
        sb.step();
        check(c, b, sb.getLastLr(), s + 1);
      }
    });
  }
});

describe('schedulers', () => {
  const params = () => [tensor([1, 2], { requiresGrad: true })];

  it('compose: LinearLR warm-up then StepLR scale the same group lr (chainable)', () => {
    const opt = new SGD(params(), { lr: 1 });
    const warm = new LinearLR(opt, { startFactor: 0.5, totalIters: 2 });
    const decay = new StepLR(opt, 2, { gamma: 0.1 });
    expect(opt.paramGroups[0]!.lr).toBeCloseTo(0.5, 15);
    warm.step();
    decay.step();
    expect(opt.paramGroups[0]!.lr).toBeCloseTo(0.75, 15);
    warm.step();
    decay.step();
    expect(opt.paramGroups[0]!.lr).toBeCloseTo(0.1, 15);
  });

  it('lastEpoch resumes from the group initialLr', () => {
    const opt = new SGD(params(), { lr: 1 });
    expect(() => new ExponentialLR(opt, 0.5, { lastEpoch: 3 })).toThrow(
      'ExponentialLR: param group 0 has no initialLr, which resuming (lastEpoch 3) needs',
    );
    opt.paramGroups[0]!.initialLr = 1;
    opt.paramGroups[0]!.lr = 0.125;
    const s = new ExponentialLR(opt, 0.5, { lastEpoch: 3 });
    expect(s.lastEpoch).toBe(4);
    expect(s.getLastLr()).toEqual([0.0625]);
    const cos = new CosineAnnealingLR(opt, 10, { lastEpoch: 4 });
    expect(cos.getLastLr()[0]).toBeCloseTo((1 + Math.cos(Math.PI * 5 / 10)) / 2, 15);
  });

  it('OneCycleLR refuses to step past totalSteps, like PyTorch', () => {
    const opt = new SGD(params(), { lr: 0.1, momentum: 0.9 });
    const s = new OneCycleLR(opt, 1, { totalSteps: 3 });
    for (let i = 0; i < 3; i++) s.step();
    expect(() => s.step()).toThrow(
      new RangeArgError('OneCycleLR', 'tried to step 5 times; the specified number of total steps is 3'),
    );
  });

  it('validates arguments with typed errors', () => {
    const sgd = new SGD(params(), { lr: 0.1 });
    const cases: [() => unknown, string][] = [
      [() => new StepLR(sgd, 0), 'StepLR: stepSize must be a positive integer, got 0'],
      [() => new StepLR(sgd, 2.5), 'StepLR: stepSize must be a positive integer, got 2.5'],
      [() => new ExponentialLR(sgd, Number.NaN), 'ExponentialLR: gamma must be a number, got NaN'],
      [() => new CosineAnnealingLR(sgd, 0), 'CosineAnnealingLR: tMax must be > 0, got 0'],
      [() => new LinearLR(sgd, { startFactor: 0 }), 'LinearLR: startFactor must be in (0, 1], got 0'],
      [() => new LinearLR(sgd, { endFactor: 1.5 }), 'LinearLR: endFactor must be in [0, 1], got 1.5'],
      [() => new LinearLR(sgd, { totalIters: -1 }), 'LinearLR: totalIters must be a positive integer, got -1'],
      [() => new OneCycleLR(sgd, 1), 'OneCycleLR: give either totalSteps or (epochs and stepsPerEpoch)'],
      [() => new OneCycleLR(sgd, 1, { totalSteps: 0 }), 'OneCycleLR: totalSteps must be a positive integer, got 0'],
      [() => new OneCycleLR(sgd, 1, { epochs: 2 }), 'OneCycleLR: stepsPerEpoch must be a positive integer, got undefined'],
      [() => new OneCycleLR(sgd, 1, { totalSteps: 10, pctStart: 1.5 }), 'OneCycleLR: pctStart must be in [0, 1], got 1.5'],
      [() => new OneCycleLR(sgd, [1, 2], { totalSteps: 10 }), 'OneCycleLR: expected 1 values for maxLr (one per param group), got 2'],
      [() => new OneCycleLR(sgd, 1, { totalSteps: 10, annealStrategy: 'exp' as 'cos' }),
        `OneCycleLR: annealStrategy must be 'cos' or 'linear', got "exp"`],
      [() => new OneCycleLR(new Adagrad(params()), 1, { totalSteps: 10 }),
        'OneCycleLR: the optimizer (Adagrad) has no momentum or betas to cycle; pass cycleMomentum: false'],
      [() => new StepLR(sgd, 2, { lastEpoch: -2 }), 'StepLR: lastEpoch must be an integer >= -1, got -2'],
    ];
    for (const [fn, message] of cases) {
      expect(fn).toThrow(RangeArgError);
      expect(fn).toThrow(message);
    }
    // Without momentum cycling, Adagrad works.
    expect(new OneCycleLR(new Adagrad(params()), 1, { totalSteps: 10, cycleMomentum: false }).getLastLr()[0]).toBeCloseTo(0.04, 15);
  });

  it('OneCycleLR cycles Adam betas[0] and keeps betas[1]', () => {
    const opt = new Adam(params(), { betas: [0.9, 0.98] });
    const s = new OneCycleLR(opt, 0.01, { totalSteps: 10 });
    s.step();
    const [b1, b2] = opt.paramGroups[0]!.betas;
    expect(b1).toBeLessThan(0.95);
    expect(b2).toBe(0.98);
  });
});
