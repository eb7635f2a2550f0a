/**
 * The op registries (tensor ops and nn.functional) over the PyTorch goldens on
 * the `webgpu` backend: outputs, gradients and grad_of_grad, contiguous and
 * non-contiguous inputs, in float32 (WGSL has no float64, so the float64
 * passes and the float64 numeric checks stay with the CPU backends), through
 * Dawn on a real adapter (SwiftShader where no GPU is at hand: see
 * webgpu-helpers.ts). Values are read with the async readers, as on any GPU.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBackend, setBackend, type BackendName } from '../../src/index.js';
import { NN_FAMILIES, TENSOR_FAMILIES } from '../helpers/families.js';
import { conformanceTests, errorTests } from '../helpers/registry.js';
import { NN_REGISTRY } from '../nn/registry.js';
import { REGISTRY } from '../tensor/registry.js';
import { setupWebGPU } from './webgpu-helpers.js';

const skip = await setupWebGPU();
const GPU = { dtypes: ['float32'], noncontig: 'float32', syncReads: false } as const;

describe.skipIf(skip !== null)('backend webgpu', () => {
  let before: BackendName;
  beforeAll(() => {
    before = getBackend();
    setBackend('webgpu');
  });
  afterAll(() => setBackend(before));

  it('runs on webgpu', () => expect(getBackend()).toBe('webgpu'));

  describe('tensor ops', () => {
    conformanceTests(TENSOR_FAMILIES, REGISTRY, GPU);
    errorTests(REGISTRY, { float64: false });
  });
  describe('nn.functional', () => {
    conformanceTests(NN_FAMILIES, NN_REGISTRY, GPU);
    errorTests(NN_REGISTRY, { float64: false });
  });
});
