/** The golden families every backend runs (test/fixtures/conformance/<family>.json): tensor ops, and nn.functional. */
export const TENSOR_FAMILIES = ['unary', 'binary', 'reduction', 'shape', 'linalg', 'softmax', 'special', 'manipulation', 'einsum', 'pointwise', 'scan', 'sorting', 'linalg2'];
export const NN_FAMILIES = ['conv', 'pool', 'normalization', 'loss', 'layers', 'activation', 'sampling', 'transposed', 'groupnorm', 'sdpa', 'distance', 'elementwise_loss'];
