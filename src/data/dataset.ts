/**
 * Datasets: the `Dataset<T>` interface (`length` and `get(i)`), `TensorDataset`
 * (rows of tensors sharing their first dim), `Subset`, `randomSplit`, and the
 * collation that turns items into a batch.
 */
import { RangeArgError, ShapeError, fmtShape } from '../errors.js';
import { indexSelect, narrow, reshape, stack } from '../ops/index.js';
import { Tensor, tensor } from '../tensor/index.js';
import { DataError } from './errors.js';
import { Rng, seedOrGlobal } from './random.js';

/**
 * What a batch of items of type `T` looks like: tensors are stacked along a
 * new first dim, numbers and booleans become a 1-D tensor, arrays and tuples
 * are batched position by position (PyTorch's `default_collate`).
 */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | boolean
    ? Tensor
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: Collated<T[K]> }
      : never;

/**
 * A map-style dataset: `length` items, item `i` from `get(i)`. A dataset may
 * also gather a whole batch at once (`getBatch`), as `TensorDataset` does with
 * `indexSelect`; `DataLoader` uses it when present.
 *
 * @example
 * const squares: Dataset<[number, number]> = { length: 10, get: (i) => [i, i * i] };
 * for (const [x, y] of new DataLoader(squares, { batchSize: 5 })) console.log(x.shape, y.shape); // [5] [5]
 */
export interface Dataset<T> {
  /** Number of items. */
  readonly length: number;
  /** Item `i`, for `0 <= i < length`. */
  get(i: number): T;
  /** Optional: the items at `indices` already collated into one batch. */
  getBatch?(indices: readonly number[]): Collated<T>;
}

function checkItemIndex(op: string, i: number, length: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= length) {
    throw new RangeArgError(op, `index ${i} is out of range for a dataset of length ${length}`);
  }
}

/**
 * Batches items like PyTorch's `default_collate`: tensors are stacked, numbers
 * become int32 (all integers) or float32, booleans bool, and tuples are
 * batched element-wise.
 *
 * @example
 * collate([[tensor([1, 2]), 0], [tensor([3, 4]), 1]]); // [tensor [2, 2], int32 tensor [0, 1]]
 */
export function collate<T>(items: readonly T[]): Collated<T> {
  return collateAny(items as readonly unknown[]) as Collated<T>;
}

function collateAny(items: readonly unknown[]): unknown {
  if (items.length === 0) throw new DataError('collate', 'cannot batch zero items');
  const first = items[0];
  if (first instanceof Tensor) {
    if (!items.every((t) => t instanceof Tensor)) throw new DataError('collate', 'cannot batch a mix of tensors and other values');
    const shapes = (items as Tensor[]).map((t) => t.shape);
    if (shapes.some((s) => fmtShape(s) !== fmtShape(shapes[0]!))) {
      throw new ShapeError('collate', `items have different shapes, e.g. ${fmtShape(shapes[0]!)} and ${fmtShape(shapes.find((s) => fmtShape(s) !== fmtShape(shapes[0]!))!)}`);
    }
    return stack(items as Tensor[], 0);
  }
  if (typeof first === 'number') {
    if (!items.every((v) => typeof v === 'number')) throw new DataError('collate', 'cannot batch a mix of numbers and other values');
    const nums = items as number[];
    return tensor(nums, { dtype: nums.every(Number.isInteger) ? 'int32' : 'float32' });
  }
  if (typeof first === 'boolean') {
    if (!items.every((v) => typeof v === 'boolean')) throw new DataError('collate', 'cannot batch a mix of booleans and other values');
    return tensor(items as boolean[]);
  }
  if (Array.isArray(first)) {
    const n = first.length;
    if (!items.every((v) => Array.isArray(v) && v.length === n)) throw new DataError('collate', `items are not all arrays of length ${n}`);
    return Array.from({ length: n }, (_, k) => collateAny(items.map((v) => (v as unknown[])[k])));
  }
  throw new DataError('collate', `cannot batch items of type ${first === null ? 'null' : typeof first}; expected tensors, numbers, booleans or arrays of them`);
}

/**
 * The batch of `dataset` at `indices`, with `getBatch` when the dataset has
 * it, else by collating the items.
 *
 * @example
 * const [xb, yb] = gatherBatch(new TensorDataset(x, y), [0, 2, 4]); // rows 0, 2, 4
 */
export function gatherBatch<T>(dataset: Dataset<T>, indices: readonly number[]): Collated<T> {
  return dataset.getBatch ? dataset.getBatch(indices) : collate(indices.map((i) => dataset.get(i)));
}

/**
 * A dataset of rows of tensors: item `i` is `[t0[i], t1[i], ...]`. All the
 * tensors have the same size along dim 0. Batches are gathered with
 * `indexSelect`, one call per tensor.
 *
 * @example
 * const { x, y } = moons({ n: 100 });
 * const ds = new TensorDataset(x, y);
 * ds.length;           // 100
 * const [xi, yi] = ds.get(0); // xi [2], yi []
 */
export class TensorDataset<T extends Tensor[] = Tensor[]> implements Dataset<T> {
  /** The tensors, as given. */
  readonly tensors: T;
  /** Their common size along dim 0. */
  readonly length: number;

  constructor(...tensors: T) {
    if (tensors.length === 0) throw new ShapeError('TensorDataset', 'expected at least one tensor');
    tensors.forEach((t, k) => {
      if (!(t instanceof Tensor)) throw new DataError('TensorDataset', `argument ${k} is not a Tensor`);
      if (t.ndim === 0) throw new ShapeError('TensorDataset', `tensor ${k} is 0-d; every tensor needs a first dim to index rows`);
    });
    const n = tensors[0]!.shape[0]!;
    if (tensors.some((t) => t.shape[0] !== n)) {
      throw new ShapeError(
        'TensorDataset',
        `size mismatch along dim 0: the tensors have shapes ${tensors.map((t) => fmtShape(t.shape)).join(', ')}`,
      );
    }
    this.tensors = tensors;
    this.length = n;
  }

  /** Row `i` of every tensor (views). @example ds.get(3); */
  get(i: number): T {
    checkItemIndex('TensorDataset.get', i, this.length);
    return this.tensors.map((t) => reshape(narrow(t, 0, i, 1), t.shape.slice(1))) as T;
  }

  /** Rows `indices` of every tensor, gathered with `indexSelect`. @example ds.getBatch([0, 5, 2]); */
  getBatch(indices: readonly number[]): Collated<T> {
    indices.forEach((i) => checkItemIndex('TensorDataset.getBatch', i, this.length));
    const idx = tensor(Int32Array.from(indices));
    return this.tensors.map((t) => indexSelect(t, 0, idx)) as Collated<T>;
  }
}

/**
 * The items of `dataset` at `indices`, in that order (PyTorch's `Subset`).
 *
 * @example
 * const firstTen = new Subset(ds, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 * firstTen.get(0); // ds.get(0)
 */
export class Subset<T> implements Dataset<T> {
  /** The dataset indexed into. */
  readonly dataset: Dataset<T>;
  /** Positions in `dataset` of this subset's items. */
  readonly indices: readonly number[];

  constructor(dataset: Dataset<T>, indices: readonly number[]) {
    indices.forEach((i) => checkItemIndex('Subset', i, dataset.length));
    this.dataset = dataset;
    this.indices = [...indices];
  }

  /** Number of items. */
  get length(): number {
    return this.indices.length;
  }

  /** Item `i` of the subset: `dataset.get(indices[i])`. @example sub.get(0); */
  get(i: number): T {
    checkItemIndex('Subset.get', i, this.length);
    return this.dataset.get(this.indices[i]!);
  }

  /** The batch at subset positions `indices` (using the dataset's `getBatch` when it has one). @example sub.getBatch([0, 1]); */
  getBatch(indices: readonly number[]): Collated<T> {
    indices.forEach((i) => checkItemIndex('Subset.getBatch', i, this.length));
    return gatherBatch(this.dataset, indices.map((i) => this.indices[i]!));
  }
}

/** Options of `randomSplit`. */
export interface RandomSplitOptions {
  /** Seed of the permutation (default: drawn from the global source, so `manualSeed` fixes it). */
  seed?: number;
}

/**
 * Splits `dataset` at random into non-overlapping `Subset`s of the given
 * `lengths`, which sum to `dataset.length`, or are fractions summing to 1
 * (each part gets `floor(n·f)` items and the remainder is dealt one by one
 * from the first part, like PyTorch).
 *
 * @example
 * const [train, test] = randomSplit(ds, [0.8, 0.2], { seed: 0 });
 * randomSplit(ds, [60, 40], { seed: 1 });
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], opts: RandomSplitOptions = {}): Subset<T>[] {
  const n = dataset.length;
  if (lengths.length === 0) throw new RangeArgError('randomSplit', 'expected at least one length');
  lengths.forEach((l, i) => {
    if (!(Number.isFinite(l) && l >= 0)) throw new RangeArgError('randomSplit', `length ${i} must be a non-negative number, got ${l}`);
  });
  const total = lengths.reduce((a, b) => a + b, 0);
  let sizes: number[];
  if (Math.abs(total - 1) <= 1e-9 && total <= 1 + 1e-12) {
    lengths.forEach((f, i) => {
      if (f > 1) throw new RangeArgError('randomSplit', `fraction ${i} is ${f}, not between 0 and 1`);
    });
    sizes = lengths.map((f) => Math.floor(n * f));
    const remainder = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length]!++;
  } else {
    lengths.forEach((l, i) => {
      if (!Number.isInteger(l)) {
        throw new RangeArgError('randomSplit', `length ${i} is ${l}: lengths are integers, or fractions summing to 1 (these sum to ${total})`);
      }
    });
    sizes = [...lengths];
  }
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (sum !== n) {
    throw new RangeArgError('randomSplit', `lengths [${sizes.join(', ')}] sum to ${sum} but the dataset has ${n} items`);
  }
  const perm = new Rng(seedOrGlobal('randomSplit', opts.seed)).randperm(n);
  let offset = 0;
  return sizes.map((len) => {
    const part = new Subset(dataset, perm.slice(offset, offset + len));
    offset += len;
    return part;
  });
}
