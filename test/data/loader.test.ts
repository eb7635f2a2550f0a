/**
 * TensorDataset, Subset, DataLoader and randomSplit: rows and batches, every
 * index once per epoch, dropLast, epoch orders fixed by the seed, splits'
 * sizes and disjointness, and the error messages.
 */
import { describe, expect, it } from 'vitest';
import { RangeArgError, ShapeError, arange, manualSeed, rand, tensor, zeros, type Tensor } from 'adjoint';
import { DataError, DataLoader, Subset, TensorDataset, collate, randomSplit, type Dataset } from 'adjoint/data';

const flat = (t: Tensor): number[] => Array.from(t.toTypedArray());

/** x[i] = [i, -i] (float32), y[i] = i % 3 (int32), n rows. */
function rowsDataset(n: number): TensorDataset<[Tensor, Tensor]> {
  const idx = arange(n);
  const x = tensor(Float32Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? k / 2 : -(k - 1) / 2)), { shape: [n, 2] });
  return new TensorDataset(x, tensor(Int32Array.from(flat(idx), (i) => i % 3)));
}

/** The row indices an epoch visits, read from x[:, 0]. */
function epochOrder(loader: DataLoader<[Tensor, Tensor]>): number[] {
  const seen: number[] = [];
  for (const [xb] of loader) for (let r = 0; r < xb.shape[0]!; r++) seen.push(flat(xb)[2 * r]!);
  return seen;
}

describe('TensorDataset', () => {
  it('indexes rows of every tensor', () => {
    const ds = rowsDataset(5);
    expect(ds.length).toBe(5);
    const [xi, yi] = ds.get(4);
    expect(xi.shape).toEqual([2]);
    expect(flat(xi)).toEqual([4, -4]);
    expect(yi.shape).toEqual([]);
    expect(yi.item()).toBe(1);
    const [xb, yb] = ds.getBatch([3, 0]);
    expect(xb.toArray()).toEqual([[3, -3], [0, -0]]);
    expect(yb.dtype).toBe('int32');
  });

  it('refuses tensors of different lengths, naming the shapes', () => {
    expect(() => new TensorDataset(zeros([5, 2]), zeros([4]))).toThrow(ShapeError);
    expect(() => new TensorDataset(zeros([5, 2]), zeros([4]))).toThrow(
      'TensorDataset: size mismatch along dim 0: the tensors have shapes [5,2], [4]',
    );
    expect(() => new TensorDataset(tensor(1))).toThrow('TensorDataset: tensor 0 is 0-d; every tensor needs a first dim to index rows');
    expect(() => new TensorDataset()).toThrow('TensorDataset: expected at least one tensor');
  });

  it('refuses indices out of range', () => {
    const ds = rowsDataset(3);
    expect(() => ds.get(3)).toThrow(RangeArgError);
    expect(() => ds.get(3)).toThrow('TensorDataset.get: index 3 is out of range for a dataset of length 3');
    expect(() => ds.get(-1)).toThrow(/index -1 is out of range/);
    expect(() => ds.getBatch([0, 7])).toThrow('TensorDataset.getBatch: index 7 is out of range for a dataset of length 3');
  });
});

describe('DataLoader', () => {
  it('yields batches in order without shuffle, the last one smaller', () => {
    const loader = new DataLoader(rowsDataset(10), { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map(([xb, yb]) => [xb.shape, yb.shape])).toEqual([[[4, 2], [4]], [[4, 2], [4]], [[2, 2], [2]]]);
    expect(epochOrder(loader)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(flat(batches[2]![1])).toEqual([2, 0]);
  });

  it('drops the last partial batch with dropLast', () => {
    const loader = new DataLoader(rowsDataset(10), { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect([...loader].map(([xb]) => xb.shape[0])).toEqual([4, 4]);
    expect(new DataLoader(rowsDataset(8), { batchSize: 4, dropLast: true }).length).toBe(2);
    expect([...new DataLoader(rowsDataset(3), { batchSize: 4, dropLast: true })]).toEqual([]);
  });

  it('batchSize defaults to 1', () => {
    const batches = [...new DataLoader(rowsDataset(3))];
    expect(batches.map(([xb]) => xb.shape)).toEqual([[1, 2], [1, 2], [1, 2]]);
  });

  it('covers every index exactly once per epoch, in a new order each epoch', () => {
    const loader = new DataLoader(rowsDataset(50), { batchSize: 8, shuffle: true, seed: 3 });
    const orders = [epochOrder(loader), epochOrder(loader), epochOrder(loader)];
    for (const o of orders) expect([...o].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(orders[0]).not.toEqual(orders[1]);
    expect(orders[1]).not.toEqual(orders[2]);
    expect(orders[0]).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('keeps rows together: the labels follow their inputs', () => {
    for (const [xb, yb] of new DataLoader(rowsDataset(20), { batchSize: 6, shuffle: true, seed: 1 })) {
      const xs = flat(xb);
      flat(yb).forEach((y, r) => expect(y).toBe(xs[2 * r]! % 3));
    }
  });

  it('repeats the same sequence of epochs for the same seed, whatever manualSeed says', () => {
    manualSeed(1);
    const a = new DataLoader(rowsDataset(30), { batchSize: 5, shuffle: true, seed: 9 });
    const a1 = epochOrder(a);
    const a2 = epochOrder(a);
    const next = rand([2]).toTypedArray();
    manualSeed(2);
    const b = new DataLoader(rowsDataset(30), { batchSize: 5, shuffle: true, seed: 9 });
    expect(epochOrder(b)).toEqual(a1);
    expect(epochOrder(b)).toEqual(a2);
    const c = new DataLoader(rowsDataset(30), { batchSize: 5, shuffle: true, seed: 10 });
    expect(epochOrder(c)).not.toEqual(a1);
    // A seeded loader does not advance the global RNG.
    manualSeed(1);
    epochOrder(new DataLoader(rowsDataset(30), { batchSize: 5, shuffle: true, seed: 9 }));
    expect(rand([2]).toTypedArray()).toEqual(next);
  });

  it('without a seed draws one from the global RNG, so manualSeed fixes the order', () => {
    manualSeed(5);
    const a = epochOrder(new DataLoader(rowsDataset(30), { batchSize: 7, shuffle: true }));
    manualSeed(5);
    const b = epochOrder(new DataLoader(rowsDataset(30), { batchSize: 7, shuffle: true }));
    expect(a).toEqual(b);
  });

  it('collates datasets that are not TensorDatasets', () => {
    const squares: Dataset<[number, number]> = { length: 5, get: (i) => [i, i * i + 0.5] };
    const [[a, b]] = [...new DataLoader(squares, { batchSize: 5 })];
    expect(a!.dtype).toBe('int32');
    expect(flat(a!)).toEqual([0, 1, 2, 3, 4]);
    expect(b!.dtype).toBe('float32');
    expect(flat(b!)).toEqual([0.5, 1.5, 4.5, 9.5, 16.5]);
    const images: Dataset<[Tensor, boolean]> = { length: 4, get: (i) => [zeros([3, 3]).add(i), i % 2 === 0] };
    const [[xb, flags]] = [...new DataLoader(images, { batchSize: 4 })];
    expect(xb!.shape).toEqual([4, 3, 3]);
    expect(flags!.toArray()).toEqual([true, false, true, false]);
  });

  it('collate refuses what it cannot batch', () => {
    expect(() => collate([zeros([2]), zeros([3])])).toThrow('collate: items have different shapes, e.g. [2] and [3]');
    expect(() => collate([1, 'a' as unknown as number])).toThrow(DataError);
    expect(() => collate(['a'])).toThrow("collate: cannot batch items of type string; expected tensors, numbers, booleans or arrays of them");
    expect(() => collate([])).toThrow('collate: cannot batch zero items');
  });

  it('batches a Subset through its dataset', () => {
    const sub = new Subset(rowsDataset(10), [9, 2, 5]);
    const [[xb, yb]] = [...new DataLoader(sub, { batchSize: 3 })];
    expect(xb!.toArray()).toEqual([[9, -9], [2, -2], [5, -5]]);
    expect(flat(yb!)).toEqual([0, 2, 2]);
    expect(flat(sub.get(1)[0])).toEqual([2, -2]);
    expect(() => new Subset(rowsDataset(3), [0, 3])).toThrow('Subset: index 3 is out of range for a dataset of length 3');
  });

  it('refuses a bad batchSize', () => {
    expect(() => new DataLoader(rowsDataset(3), { batchSize: 0 })).toThrow('DataLoader: batchSize must be a positive integer, got 0');
    expect(() => new DataLoader(rowsDataset(3), { batchSize: 1.5 })).toThrow(RangeArgError);
    expect(() => new DataLoader(rowsDataset(3), { shuffle: true, seed: 0.5 })).toThrow('DataLoader: seed must be an integer, got 0.5');
  });
});

describe('randomSplit', () => {
  const all = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

  it('splits into disjoint subsets of the given lengths covering the dataset', () => {
    const ds = rowsDataset(100);
    const parts = randomSplit(ds, [70, 20, 10], { seed: 0 });
    expect(parts.map((p) => p.length)).toEqual([70, 20, 10]);
    const union = parts.flatMap((p) => [...p.indices]);
    expect(new Set(union).size).toBe(100);
    expect([...union].sort((a, b) => a - b)).toEqual(all(100));
    expect(parts[0]!.indices).not.toEqual(all(70));
  });

  it('takes fractions summing to 1, dealing the remainder from the first part (like PyTorch)', () => {
    expect(randomSplit(rowsDataset(100), [0.8, 0.2], { seed: 0 }).map((p) => p.length)).toEqual([80, 20]);
    expect(randomSplit(rowsDataset(11), [0.5, 0.5], { seed: 0 }).map((p) => p.length)).toEqual([6, 5]);
    expect(randomSplit(rowsDataset(10), [0.1, 0.1, 0.1, 0.7], { seed: 0 }).map((p) => p.length)).toEqual([1, 1, 1, 7]);
    expect(randomSplit(rowsDataset(5), [1 / 3, 1 / 3, 1 / 3], { seed: 0 }).map((p) => p.length)).toEqual([2, 2, 1]);
  });

  it('is deterministic per seed and independent of manualSeed', () => {
    manualSeed(1);
    const a = randomSplit(rowsDataset(40), [0.5, 0.5], { seed: 4 });
    manualSeed(2);
    const b = randomSplit(rowsDataset(40), [0.5, 0.5], { seed: 4 });
    expect(b.map((p) => p.indices)).toEqual(a.map((p) => p.indices));
    expect(randomSplit(rowsDataset(40), [0.5, 0.5], { seed: 5 })[0]!.indices).not.toEqual(a[0]!.indices);
  });

  it('refuses lengths that do not add up, naming the sums', () => {
    expect(() => randomSplit(rowsDataset(10), [5, 4])).toThrow('randomSplit: lengths [5, 4] sum to 9 but the dataset has 10 items');
    expect(() => randomSplit(rowsDataset(10), [0.5, 0.4])).toThrow(
      'randomSplit: length 0 is 0.5: lengths are integers, or fractions summing to 1 (these sum to 0.9)',
    );
    expect(() => randomSplit(rowsDataset(10), [-1, 11])).toThrow('randomSplit: length 0 must be a non-negative number, got -1');
    expect(() => randomSplit(rowsDataset(10), [])).toThrow('randomSplit: expected at least one length');
  });
});
