/**
 * `linalg` over its PyTorch goldens (family linalg2): outputs, gradients and
 * grad_of_grad in float64 and float32, non-contiguous inputs, gradcheck and
 * gradgradcheck in float64, and the error messages. The other families run
 * in conformance.test.ts; the js/wasm/webgpu runs in test/backend/.
 */
import { conformanceTests, errorTests, numericTests } from '../helpers/registry.js';
import { REGISTRY_LINALG } from './registry-linalg.js';

conformanceTests(['linalg2'], REGISTRY_LINALG);
numericTests(['linalg2'], REGISTRY_LINALG, []);
errorTests(REGISTRY_LINALG);
