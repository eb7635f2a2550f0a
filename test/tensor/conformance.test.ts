/**
 * The op registry over the PyTorch goldens of the tensor families: outputs,
 * gradients and grad_of_grad in float64 and float32, non-contiguous inputs,
 * numeric gradient checks, and error messages.
 */
import { conformanceTests, errorTests, numericTests } from '../helpers/registry.js';
import { EXTRA_OPS, REGISTRY } from './registry.js';

const FAMILIES = ['unary', 'binary', 'reduction', 'shape', 'linalg', 'softmax', 'special', 'manipulation', 'einsum', 'pointwise', 'scan', 'sorting'];

conformanceTests(FAMILIES, REGISTRY);
numericTests(FAMILIES, REGISTRY, EXTRA_OPS);
errorTests(REGISTRY);
