/**
 * `DataLoader`: iterates a dataset in batches, optionally shuffled from a seed.
 */
import { RangeArgError } from '../errors.js';
import { gatherBatch, type Collated, type Dataset } from './dataset.js';
import { Rng, seedOrGlobal } from './random.js';

/** Options of `DataLoader` (PyTorch's, in camelCase). */
export interface DataLoaderOptions {
  /** Items per batch (default 1). */
  batchSize?: number;
  /** Visit the items in a new random order each epoch (default false). */
  shuffle?: boolean;
  /** Seed of the shuffling (default: drawn from the global source when the loader is made; ignored without `shuffle`). */
  seed?: number;
  /** Drop the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
}

/**
 * Batches of a dataset, an iterable: each `for ... of` is one epoch. With
 * `shuffle`, every epoch visits the items in a new order drawn from the
 * loader's own generator, so the sequence of epochs is fixed by `seed` and
 * untouched by `manualSeed`. Batches of a `TensorDataset` (or a `Subset` of
 * one) are gathered with `indexSelect`; other datasets are collated item by
 * item (see `collate`).
 *
 * @example
 * const { x, y } = moons({ n: 200, noise: 0.1 });
 * const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 32, shuffle: true, seed: 0 });
 * for (let epoch = 0; epoch < 10; epoch++) {
 *   for (const [xb, yb] of loader) {
 *     // xb [32, 2] float32, yb [32] int32 (the last batch has 8 rows)
 *   }
 * }
 */
export class DataLoader<T> implements Iterable<Collated<T>> {
  /** The dataset batched. */
  readonly dataset: Dataset<T>;
  /** Items per batch. */
  readonly batchSize: number;
  /** Whether each epoch is shuffled. */
  readonly shuffle: boolean;
  /** Whether a last, smaller batch is dropped. */
  readonly dropLast: boolean;
  readonly #generator: Rng | null;

  constructor(dataset: Dataset<T>, opts: DataLoaderOptions = {}) {
    const batchSize = opts.batchSize ?? 1;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeArgError('DataLoader', `batchSize must be a positive integer, got ${batchSize}`);
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.#generator = this.shuffle ? new Rng(seedOrGlobal('DataLoader', opts.seed)) : null;
  }

  /**
   * Batches per epoch: `ceil(n / batchSize)`, or `floor` with `dropLast`.
   *
   * @example
   * new DataLoader(ds, { batchSize: 32 }).length; // 7 for 200 items
   */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /**
   * One epoch of batches. The order is drawn when the iteration starts.
   *
   * @example
   * const [xb, yb] = loader[Symbol.iterator]().next().value!;
   */
  [Symbol.iterator](): Iterator<Collated<T>> {
    const n = this.dataset.length;
    const order = this.#generator ? this.#generator.randperm(n) : Array.from({ length: n }, (_, i) => i);
    const batches = this.length;
    const { dataset, batchSize } = this;
    return (function* epoch(): Generator<Collated<T>> {
      for (let b = 0; b < batches; b++) yield gatherBatch(dataset, order.slice(b * batchSize, (b + 1) * batchSize));
    })();
  }
}
