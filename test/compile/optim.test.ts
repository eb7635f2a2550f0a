/**
 * The optimizer goldens (test/fixtures/optim/optimizers.json: every optimizer and
 * option set, two parameter groups, StepLR and OneCycleLR) with the training step
 * under `compile`: loss, gradients, parameters and lr at every step to 1e-9 in
 * float64 against PyTorch 1.13, one eager step in the middle, and the final state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { compile, setBackend, type Tensor } from '../../src/index.js';
import {
  expectNumber, expectTensor, leaves, load, lossOf, makeOptimizer, makeScheduler, toTensor,
  type OptimizerCase, type Problem,
} from '../optim/helpers.js';

const file = load<OptimizerCase, Problem>('optimizers');

describe.each(['js', 'wasm'] as const)('optimizer goldens through compile on %s', (backend) => {
  afterEach(() => setBackend('wasm'));

  for (const c of file.cases) {
    it(c.id, () => {
      setBackend(backend);
      const X = toTensor(file.about.X, 'float64');
      const Y = toTensor(file.about.Y, 'float64');
      const params = leaves(file.about.init);
      const opt = makeOptimizer(c.optimizer, params, c.options, c.groups);
      const sched = c.scheduler ? makeScheduler(opt, c.scheduler) : null;
      let traces = 0;
      const body = (x: Tensor, y: Tensor): Tensor => {
        opt.zeroGrad();
        const loss = lossOf(x, y, params);
        loss.backward();
        opt.step();
        return loss;
      };
      const step = compile((x: Tensor, y: Tensor): Tensor => {
        traces++;
        return body(x, y);
      });
      const eagerAt = Math.floor(c.steps / 2);
      for (let s = 0; s < c.steps; s++) {
        const gold = c.trajectory[s]!;
        const at = `${c.id} step ${s + 1}`;
        const loss = s === eagerAt ? body(X, Y) : step(X, Y);
        expectNumber(loss.item(), gold.loss, `${at} loss`);
        params.forEach((p, i) => expectTensor(p.grad, gold.grads[i]!, `${at} grad ${i}`));
        params.forEach((p, i) => expectTensor(p, gold.params[i]!, `${at} param ${i}`));
        if (sched !== null) {
          sched.step();
          gold.lr!.forEach((lr, g) => expectNumber(opt.paramGroups[g]!.lr, lr, `${at} lr of group ${g}`));
        }
      }
      // Traced at the first call and once more when the state was created; a scheduler changes no trace.
      expect(traces).toBeLessThanOrEqual(2);
      params.forEach((p) => expect(p.isLeaf && p.requiresGrad && p.gradFn === null).toBe(true));
      const { state } = opt.stateDict();
      expect(Object.keys(state).sort()).toEqual(Object.keys(c.finalState).sort());
      for (const [i, gold] of Object.entries(c.finalState)) {
        for (const [k, g] of Object.entries(gold)) {
          const v = state[Number(i)]![k];
          if (g === null || typeof g === 'number') expect(v, `${c.id}: state ${i}.${k}`).toEqual(g);
          else expectTensor(v as Tensor, g, `${c.id}: state ${i}.${k}`);
        }
      }
    });
  }
});
