/**
 * Every optimizer option set against PyTorch 1.13 (test/fixtures/optim/optimizers.json):
 * the loss, gradients and parameters at every step to 1e-9 in float64, the final
 * state in PyTorch's layout, and a stateDict round trip in the middle of each run.
 */
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/index.js';
import type { AnyOptimizer, LRScheduler } from '../../src/optim/index.js';
import {
  expectNumber, expectTensor, leaves, load, lossOf, makeOptimizer, makeScheduler, toTensor,
  type OptimizerCase, type Problem,
} from './helpers.js';

const file = load<OptimizerCase, Problem>('optimizers');
const X = toTensor(file.about.X, 'float64');
const Y = toTensor(file.about.Y, 'float64');

interface Run {
  params: Tensor[];
  opt: AnyOptimizer;
  sched: LRScheduler | null;
}

function start(c: OptimizerCase): Run {
  const params = leaves(file.about.init);
  const opt = makeOptimizer(c.optimizer, params, c.options, c.groups);
  const sched = c.scheduler ? makeScheduler(opt, c.scheduler) : null;
  return { params, opt, sched };
}

/** Runs steps `from..to-1` of the case, checking each against the golden. */
function replay(c: OptimizerCase, run: Run, from: number, to: number): void {
  const { params, opt, sched } = run;
  for (let s = from; s < to; s++) {
    const gold = c.trajectory[s]!;
    const at = `${c.id} step ${s + 1}`;
    opt.zeroGrad();
    const loss = lossOf(X, Y, params);
    loss.backward();
    expectNumber(loss.item(), gold.loss, `${at} loss`);
    params.forEach((p, i) => expectTensor(p.grad, gold.grads[i]!, `${at} grad ${i}`));
    opt.step();
    params.forEach((p, i) => expectTensor(p, gold.params[i]!, `${at} param ${i}`));
    if (sched !== null) {
      sched.step();
      gold.lr!.forEach((lr, g) => expectNumber(run.opt.paramGroups[g]!.lr, lr, `${at} lr of group ${g}`));
    }
  }
}

function expectState(c: OptimizerCase, opt: AnyOptimizer): void {
  const { state } = opt.stateDict();
  expect(Object.keys(state).sort(), `${c.id}: parameters with state`).toEqual(Object.keys(c.finalState).sort());
  for (const [i, gold] of Object.entries(c.finalState)) {
    const mine = state[Number(i)]!;
    expect(Object.keys(mine).sort(), `${c.id}: state keys of parameter ${i}`).toEqual(Object.keys(gold).sort());
    for (const [k, g] of Object.entries(gold)) {
      const v = mine[k];
      const label = `${c.id}: state ${i}.${k}`;
      if (g === null || typeof g === 'number') expect(v, label).toEqual(g);
      else expectTensor(v as Tensor, g, label);
    }
  }
}

describe('optimizers match PyTorch 1.13 (float64, |Δ| ≤ 1e-9 at every step)', () => {
  it('has goldens for every optimizer and option set', () => {
    const ids = file.cases.map((c) => c.id);
    for (const id of ['sgd/plain', 'sgd/momentum', 'sgd/dampening', 'sgd/nesterov', 'sgd/weight_decay', 'sgd/maximize',
      'adam/plain', 'adam/amsgrad', 'adam/weight_decay', 'adamw/defaults', 'rmsprop/plain', 'rmsprop/momentum',
      'rmsprop/centered', 'adagrad/lr_decay', 'adagrad/initial_accumulator', 'sgd/two_groups', 'adam/two_groups']) {
      expect(ids).toContain(id);
    }
  });

  for (const c of file.cases) {
    it(`${c.id}${c.note ? ` (${c.note})` : ''}`, () => {
      const run = start(c);
      const before = [...run.params];
      replay(c, run, 0, c.steps);
      // The parameters are the same leaves, never recorded, and the unused one never moved.
      run.params.forEach((p, i) => {
        expect(p).toBe(before[i]);
        expect(p.isLeaf && p.requiresGrad && p.gradFn === null).toBe(true);
      });
      expect(run.params[2]!.toArray()).toEqual(toTensor(file.about.init[2]!, 'float64').toArray());
      expectState(c, run.opt);
    });

    it(`${c.id}: stateDict round trip in the middle of the run`, () => {
      const half = Math.floor(c.steps / 2);
      const a = start(c);
      replay(c, a, 0, half);
      const saved = a.opt.stateDict();
      const savedSched = a.sched?.stateDict();
      // Keep going with the first optimizer: the saved dict must not change.
      replay(c, a, half, c.steps);
      // A fresh optimizer (and scheduler) over copies of the parameters at `half`.
      const params = leaves(half === 0 ? file.about.init : c.trajectory[half - 1]!.params);
      const opt = makeOptimizer(c.optimizer, params, c.options, c.groups);
      const sched = c.scheduler ? makeScheduler(opt, c.scheduler) : null;
      opt.loadStateDict(saved);
      if (sched !== null) sched.loadStateDict(savedSched!);
      replay(c, { params, opt, sched }, half, c.steps);
      expectState(c, opt);
    });
  }
});
