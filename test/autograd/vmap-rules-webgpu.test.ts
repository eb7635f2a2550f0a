// The batching-rule table of vmap-cases.ts on the webgpu backend (SwiftShader where no GPU is at hand)
// in float32: every primitive batched with the batch dim at 0 and 1 and under nested vmaps, values and
// gradients against a loop over the batch on the GPU. A primitive whose forward has no GPU kernel
// must throw that DeviceError on one example and the same under vmap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceError, getBackend, setBackend, type BackendName } from '../../src/index.js';
import { PRIMITIVES, type Primitive } from '../../src/ops/index.js';
import { setupWebGPU } from '../backend/webgpu-helpers.js';
import { checkCase, forwardError, runBatched, vmapCases } from './vmap-cases.js';

const skip = await setupWebGPU();
const CASES = vmapCases('float32');
// float32 kernels, summed in another order on the batched path than in the loop.
const TOL = { values: 1e-5, grads: 1e-4 };

describe.skipIf(skip !== null)('batching rules on webgpu (float32)', () => {
  let before: BackendName;
  beforeAll(() => {
    before = getBackend();
    setBackend('webgpu');
  });
  afterAll(() => setBackend(before));

  it('the table covers every primitive', () => {
    expect(Object.keys(CASES).sort()).toEqual([...PRIMITIVES].sort());
  });

  it.each(Object.keys(CASES) as Primitive[])('%s: batch dim 0, 1, nested; values and gradients match a loop (or the forward\'s DeviceError, batched too)', async (p) => {
    const c = CASES[p];
    const e = forwardError(c);
    if (e !== null) {
      // No GPU kernel: exactly a DeviceError, and the batched primitive reaches the same one.
      expect(e).toBeInstanceOf(DeviceError);
      expect(() => runBatched(c)).toThrow(DeviceError);
      expect(() => runBatched(c)).toThrow((e as DeviceError).message);
      return;
    }
    for (const bdim of [0, 1]) await checkCase(c, bdim, TOL);
  });
});
