/**
 * `adjoint/data`: seeded toy datasets (`xor`, `moons`, `circles`, `spirals`,
 * `blobs`), the UCI 8x8 `digits`, and PyTorch's `TensorDataset`,
 * `DataLoader`, `Subset` and `randomSplit`.
 *
 * @example
 * import { moons, TensorDataset, DataLoader, randomSplit } from 'adjoint/data';
 * const { x, y } = moons({ n: 500, noise: 0.1, seed: 0 });
 * const [train, test] = randomSplit(new TensorDataset(x, y), [0.8, 0.2], { seed: 0 });
 * for (const [xb, yb] of new DataLoader(train, { batchSize: 64, shuffle: true, seed: 0 })) {
 *   // xb [64, 2] float32, yb [64] int32
 * }
 */
import '../ops/index.js';

export {
  xor, moons, circles, spirals, blobs,
  type LabeledData, type PlaneOptions, type CirclesOptions, type SpiralsOptions, type BlobsOptions,
} from './datasets.js';
export { digits, parseDigitsCsv, type DigitsData, type DigitsOptions } from './digits.js';
export {
  TensorDataset, Subset, randomSplit, collate, type Dataset, type Collated, type RandomSplitOptions,
} from './dataset.js';
export { DataLoader, type DataLoaderOptions } from './loader.js';
export { DataError } from './errors.js';
