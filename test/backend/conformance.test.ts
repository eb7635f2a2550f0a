/**
 * The op registries (tensor ops and nn.functional) over the PyTorch goldens on
 * BOTH backends, with no per-backend skip list: outputs, gradients and
 * grad_of_grad in float64 and float32, non-contiguous inputs, numeric gradient
 * checks and error messages, with `setBackend('js')`, with `setBackend('wasm')`,
 * and with wasm and no small-tensor path (tiny tensors, like most golden inputs,
 * otherwise stay in the JS heap and run the js kernels): every op on the wasm
 * kernels. (The files under test/tensor and test/nn run the same harness on
 * the default backend.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WASM_SMALL_BYTES, setWasmOptions } from '../../src/backend/index.js';
import { getBackend, setBackend, type BackendName } from '../../src/index.js';
import { NN_FAMILIES, TENSOR_FAMILIES } from '../helpers/families.js';
import { conformanceTests, errorTests, numericTests } from '../helpers/registry.js';
import { NN_EXTRA_OPS, NN_REGISTRY } from '../nn/registry.js';
import { EXTRA_OPS, REGISTRY } from '../tensor/registry.js';


const RUNS: { label: string; backend: BackendName; smallBytes: number; numeric: boolean }[] = [
  { label: 'js', backend: 'js', smallBytes: WASM_SMALL_BYTES, numeric: true },
  { label: 'wasm', backend: 'wasm', smallBytes: WASM_SMALL_BYTES, numeric: true },
  // The goldens again with every op on the wasm kernels (the numeric checks, which test rules, once per backend suffice).
  { label: 'wasm, every op on the wasm kernels', backend: 'wasm', smallBytes: 0, numeric: false },
];

describe.each(RUNS)('backend $label', ({ backend, smallBytes, numeric }) => {
  let before: BackendName;
  beforeAll(() => {
    before = getBackend();
    setBackend(backend);
    setWasmOptions({ smallBytes });
  });
  afterAll(() => {
    setBackend(before);
    setWasmOptions({ smallBytes: WASM_SMALL_BYTES });
  });

  it(`runs on ${backend}`, () => expect(getBackend()).toBe(backend));

  describe('tensor ops', () => {
    conformanceTests(TENSOR_FAMILIES, REGISTRY);
    if (numeric) numericTests(TENSOR_FAMILIES, REGISTRY, EXTRA_OPS);
    errorTests(REGISTRY);
  });
  describe('nn.functional', () => {
    conformanceTests(NN_FAMILIES, NN_REGISTRY);
    if (numeric) numericTests(NN_FAMILIES, NN_REGISTRY, NN_EXTRA_OPS);
    errorTests(NN_REGISTRY);
  });
});
