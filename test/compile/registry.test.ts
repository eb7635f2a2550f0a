/**
 * The golden registries' functions (outputs, loss and gradients) through
 * `compile` on js and wasm equal the eager ones to float32 rounding (see
 * registry-harness.ts).
 */
import { afterEach, describe } from 'vitest';
import { setBackend } from '../../src/index.js';
import { NN_FAMILIES, TENSOR_FAMILIES } from '../helpers/families.js';
import { NN_REGISTRY } from '../nn/registry.js';
import { REGISTRY } from '../tensor/registry.js';
import { registryTests } from './registry-harness.js';

describe.each(['js', 'wasm'] as const)('golden registry through compile on %s', (backend) => {
  afterEach(() => setBackend('wasm'));
  describe('tensor ops', () => {
    registryTests(TENSOR_FAMILIES, REGISTRY, backend);
  });
  describe('nn ops', () => {
    registryTests(NN_FAMILIES, NN_REGISTRY, backend);
  });
});

