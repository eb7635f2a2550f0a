/**
 * The model zoo on the `webgpu` backend, in float32 (WGSL has no float64):
 * each model is loaded with PyTorch's weights on the CPU, moved with
 * `model.to('webgpu')` (its inputs with `x.to('webgpu')`), and its output,
 * loss, gradients and three optimizer steps are read back with the async
 * readers and compared with PyTorch's float64 goldens to 1e-4, as on the CPU
 * (zoo.test.ts), the GP's Cholesky, triangular solves and slogdet included
 * (their WGSL kernels). Runs on a real adapter, SwiftShader where no GPU is at hand
 * (see test/backend/webgpu-helpers.ts); the models are a few thousand
 * parameters, small enough for it.
 */
import { describe, expect, it } from 'vitest';
import { getBackend, ones, zeros } from 'adjoint';
import { LSTM, LSTMCell } from 'adjoint/nn';
import { setupWebGPU } from '../backend/webgpu-helpers.js';
import { CASES } from './cases.js';
import { checkForwardBackward, checkTraining, loadGolden } from './harness.js';

const skip = await setupWebGPU();
// SwiftShader compiles each new kernel on first use: the first model pays about a minute for that, later ones seconds.
const TIMEOUT = 240_000;

describe.skipIf(skip !== null)('model zoo on webgpu (float32)', () => {
  it('keeps the default backend on the CPU: only the models and their inputs move', () => {
    expect(getBackend()).not.toBe('webgpu');
  });

  it('gives LSTM and LSTMCell their zero initial state on the GPU when they live there', async () => {
    // (It was made on the default backend: "matmul: expected all tensors on one backend, got webgpu and wasm".)
    const lstm = new LSTM(3, 4, { numLayers: 2 }).to('webgpu');
    const [out, [h, c]] = lstm.forward(zeros([5, 2, 3], { backend: 'webgpu' }));
    expect([out.backend, h.backend, c.backend]).toEqual(['webgpu', 'webgpu', 'webgpu']);
    const cell = new LSTMCell(3, 4).to('webgpu');
    const [h1] = cell.forward(ones([2, 3], { backend: 'webgpu' }));
    expect(h1.backend).toBe('webgpu');
    expect((await h1.toTypedArrayAsync()).length).toBe(8);
  }, TIMEOUT);

  for (const c of CASES.filter((k) => k.notOnWebgpu === undefined)) {
    describe(c.label, () => {
      it('forward, loss and every gradient match PyTorch', async () => {
        await checkForwardBackward(c, loadGolden(c.fixture), { backend: 'webgpu', dtype: 'float32' });
      }, TIMEOUT);
      it('three optimizer steps match torch.optim', async () => {
        await checkTraining(c, loadGolden(c.fixture), { backend: 'webgpu', dtype: 'float32' });
      }, TIMEOUT);
    });
  }
});
