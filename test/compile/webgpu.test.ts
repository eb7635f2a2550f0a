/**
 * `compile` on the `webgpu` backend (SwiftShader where no GPU is at hand: see
 * test/backend/webgpu-helpers.ts): the golden registries' functions (outputs,
 * loss and gradients) and a training step (MLP, Adam with a scheduler) equal
 * the eager ones to float32 rounding, compiled and eager steps interleaved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, getBackend, manualSeed, randn, setBackend, webgpuProfile, type BackendName, type Tensor } from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import * as F from '../../src/nn/functional/index.js';
import { Adam, SGD } from '../../src/optim/index.js';
import { twins } from './twin.js';
import { setupWebGPU } from '../backend/webgpu-helpers.js';
import { NN_FAMILIES, TENSOR_FAMILIES } from '../helpers/families.js';
import { NN_REGISTRY } from '../nn/registry.js';
import { REGISTRY } from '../tensor/registry.js';
import { registryTests } from './registry-harness.js';

const skip = await setupWebGPU();

describe.skipIf(skip !== null)('compile on webgpu', () => {
  let before: BackendName;
  beforeAll(() => {
    before = getBackend();
  });
  afterAll(() => setBackend(before));

  it('a training step (MLP, SGD with momentum / Adam, StepLR) matches eager, interleaved', async () => {
    setBackend('webgpu');
    for (const make of [
      (ps: Tensor[]) => new SGD(ps, { lr: 0.1, momentum: 0.9, weightDecay: 1e-3 }),
      (ps: Tensor[]) => new Adam(ps, { lr: 0.01 }),
    ]) {
      const { a, b, optA, optB, schedA, schedB, X, Y, stepOf } = twins(make, nn.Tanh);
      let traces = 0;
      const plain = stepOf(a, optA);
      const compiled = compile((x: Tensor, y: Tensor): Tensor => {
        traces++;
        return plain(x, y);
      });
      const eager = stepOf(b, optB);
      for (let i = 0; i < 7; i++) {
        const la = await (i === 4 ? plain : compiled)(X, Y).itemAsync();
        const lb = await eager(X, Y).itemAsync();
        expect(Math.abs(la - lb)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(lb)));
        schedA.step();
        schedB.step();
      }
      expect(traces).toBeLessThanOrEqual(2);
      const pb = b.parameters();
      for (const [i, p] of a.parameters().entries()) {
        const got = await p.toTypedArrayAsync();
        const want = await pb[i]!.toTypedArrayAsync();
        got.forEach((v, j) => expect(Math.abs(Number(v) - Number(want[j]))).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(Number(want[j])))));
      }
    }
  });

  it('a compiled step is one submit (its read), with fewer dispatches than eager (fused WGSL kernels)', async () => {
    setBackend('webgpu');
    manualSeed(4);
    const m = new nn.Sequential(new nn.Linear(8, 32), new nn.Tanh(), new nn.Linear(32, 4));
    const opt = new SGD(m.parameters(), { lr: 0.05, momentum: 0.9 });
    const X = randn([16, 8]);
    const Y = randn([16, 4]);
    const step = (x: Tensor, y: Tensor): Tensor => {
      opt.zeroGrad();
      const loss = F.mseLoss(m.forward(x), y);
      loss.backward();
      opt.step();
      return loss;
    };
    const compiled = compile(step);
    for (let i = 0; i < 3; i++) await compiled(X, Y).itemAsync();
    await webgpuProfile();
    await step(X, Y).itemAsync();
    const eager = await webgpuProfile();
    await compiled(X, Y).itemAsync();
    const replayed = await webgpuProfile();
    expect(replayed.submits).toBe(1);
    expect(eager.submits).toBe(1);
    expect(replayed.dispatches).toBeLessThan(eager.dispatches);
  });

  // One case per op on the GPU (SwiftShader: ~1 s a case); every case runs through compile on js and wasm.
  describe('tensor ops', () => registryTests(TENSOR_FAMILIES, REGISTRY, 'webgpu', 1));
  describe('nn ops', () => registryTests(NN_FAMILIES, NN_REGISTRY, 'webgpu', 1));
});
