/**
 * The nn.functional registry over the PyTorch goldens of conv, pool,
 * normalization, loss and layers: outputs and gradients in float64 and
 * float32, non-contiguous inputs, numeric gradient checks, and error messages.
 */
import { conformanceTests, errorTests, numericTests } from '../helpers/registry.js';
import { NN_EXTRA_OPS, NN_REGISTRY } from './registry.js';

const FAMILIES = ['conv', 'pool', 'normalization', 'loss', 'layers', 'activation', 'sampling', 'transposed', 'groupnorm', 'sdpa', 'distance', 'elementwise_loss'];

conformanceTests(FAMILIES, NN_REGISTRY);
numericTests(FAMILIES, NN_REGISTRY, NN_EXTRA_OPS);
errorTests(NN_REGISTRY);
