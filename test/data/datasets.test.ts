/**
 * The seeded 2-D datasets: shapes, dtypes, class balance, determinism per
 * seed and independence from the global RNG, geometry (scikit-learn's
 * definitions), and option errors.
 */
import { describe, expect, it } from 'vitest';
import { RangeArgError, manualSeed, rand, type Tensor } from 'adjoint';
import { blobs, circles, moons, spirals, xor, type LabeledData } from 'adjoint/data';

function rows(x: Tensor): [number, number][] {
  const a = x.toTypedArray();
  return Array.from({ length: x.shape[0]! }, (_, i) => [a[2 * i]!, a[2 * i + 1]!]);
}

function labels(y: Tensor): number[] {
  return Array.from(y.toTypedArray());
}

function counts(y: Tensor, k: number): number[] {
  const c = new Array<number>(k).fill(0);
  for (const v of labels(y)) c[v]!++;
  return c;
}

const makers: [string, (o: { n?: number; noise?: number; seed?: number }) => LabeledData][] = [
  ['xor', xor], ['moons', moons], ['circles', circles], ['spirals', spirals], ['blobs', blobs],
];

describe.each(makers)('%s', (_name, make) => {
  it('gives x [n, 2] float32 and y [n] int32 (n = 100 by default)', () => {
    const { x, y, numClasses } = make({ n: 57, noise: 0.1 });
    expect(x.shape).toEqual([57, 2]);
    expect(x.dtype).toBe('float32');
    expect(y.shape).toEqual([57]);
    expect(y.dtype).toBe('int32');
    expect(labels(y).every((v) => Number.isInteger(v) && v >= 0 && v < numClasses)).toBe(true);
    expect(make({}).x.shape).toEqual([100, 2]);
  });

  it('is deterministic per seed, and seeds differ', () => {
    const a = make({ n: 50, noise: 0.2, seed: 7 });
    const b = make({ n: 50, noise: 0.2, seed: 7 });
    expect(a.x.toTypedArray()).toEqual(b.x.toTypedArray());
    expect(a.y.toTypedArray()).toEqual(b.y.toTypedArray());
    expect(make({ n: 50, noise: 0.2, seed: 8 }).x.toTypedArray()).not.toEqual(a.x.toTypedArray());
  });

  it('ignores manualSeed and leaves the global RNG untouched', () => {
    manualSeed(1);
    const a = make({ n: 30, noise: 0.3, seed: 4 });
    const after = rand([3]).toTypedArray();
    manualSeed(2);
    const b = make({ n: 30, noise: 0.3, seed: 4 });
    expect(b.x.toTypedArray()).toEqual(a.x.toTypedArray());
    manualSeed(1);
    expect(rand([3]).toTypedArray()).toEqual(after);
  });

  it('makes an empty dataset for n = 0 and refuses bad n, noise and seed', () => {
    expect(make({ n: 0 }).x.shape).toEqual([0, 2]);
    expect(() => make({ n: -1 })).toThrow(RangeArgError);
    expect(() => make({ n: 2.5 })).toThrow(/n must be an integer >= 0, got 2.5/);
    expect(() => make({ noise: -0.1 })).toThrow(/noise must be a finite number >= 0, got -0.1/);
    expect(() => make({ seed: 0.5 })).toThrow(/seed must be an integer, got 0.5/);
  });
});

describe('class balance', () => {
  it('splits the points between the classes like scikit-learn', () => {
    expect(counts(moons({ n: 101 }).y, 2)).toEqual([50, 51]);
    expect(counts(circles({ n: 101 }).y, 2)).toEqual([50, 51]);
    expect(counts(xor({ n: 100 }).y, 2)).toEqual([50, 50]);
    expect(counts(spirals({ n: 300, classes: 3 }).y, 3)).toEqual([100, 100, 100]);
    expect(counts(blobs({ n: 100 }).y, 3)).toEqual([34, 33, 33]);
    expect(spirals({ classes: 5 }).numClasses).toBe(5);
    expect(blobs({ centers: 4 }).numClasses).toBe(4);
  });

  it('shuffles the rows unless shuffle is false', () => {
    expect(labels(moons({ n: 6, shuffle: false }).y)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(labels(moons({ n: 40 }).y)).not.toEqual([...new Array(20).fill(0), ...new Array(20).fill(1)]);
  });
});

describe('geometry (noise 0)', () => {
  it('xor is the truth table at the corners of the unit square', () => {
    const { x, y } = xor({ n: 4, shuffle: false });
    expect(x.toArray()).toEqual([[0, 0], [0, 1], [1, 0], [1, 1]]);
    expect(labels(y)).toEqual([0, 1, 1, 0]);
    const big = xor({ n: 200, noise: 0.05 });
    const ys = labels(big.y);
    rows(big.x).forEach(([a, b], i) => expect(ys[i]).toBe(Math.round(a) ^ Math.round(b)));
  });

  it('moons are two interleaving half circles of radius 1', () => {
    const { x, y } = moons({ n: 200, dtype: 'float64' });
    const ys = labels(y);
    rows(x).forEach(([a, b], i) => {
      if (ys[i] === 0) {
        expect(Math.hypot(a, b)).toBeCloseTo(1, 12);
        expect(b).toBeGreaterThanOrEqual(0);
      } else {
        expect(Math.hypot(a - 1, b - 0.5)).toBeCloseTo(1, 12);
        expect(b).toBeLessThanOrEqual(0.5 + 1e-12);
      }
    });
    // The ends of the outer moon: (1, 0) and (-1, 0); of the inner one: (0, 0.5) and (2, 0.5).
    const pts = rows(moons({ n: 10, shuffle: false, dtype: 'float64' }).x);
    expect(pts[0]![0]).toBeCloseTo(1, 12);
    expect(pts[4]![0]).toBeCloseTo(-1, 12);
    expect(pts[5]).toEqual([0, 0.5]);
    expect(pts[9]![0]).toBeCloseTo(2, 12);
  });

  it('circles: the inner radius is factor times the outer radius 1', () => {
    for (const factor of [0.8, 0.3]) {
      const { x, y } = circles({ n: 120, factor: factor === 0.8 ? undefined : factor, dtype: 'float64' });
      const ys = labels(y);
      rows(x).forEach(([a, b], i) => expect(Math.hypot(a, b)).toBeCloseTo(ys[i] === 0 ? 1 : factor, 12));
    }
    // Evenly spaced angles, without the endpoint: the first point of each circle is at angle 0.
    const pts = rows(circles({ n: 8, factor: 0.5, shuffle: false, dtype: 'float64' }).x);
    expect(pts[0]).toEqual([1, 0]);
    expect(pts[4]).toEqual([0.5, 0]);
    expect(pts[2]![0]).toBeCloseTo(-1, 12);
  });

  it('spiral arm j has radius t and angle 2πj/k + 2π·turns·t', () => {
    const k = 3;
    const turns = 1.5;
    const { x, y } = spirals({ n: 90, classes: k, turns, shuffle: false, dtype: 'float64' });
    const ys = labels(y);
    rows(x).forEach(([a, b], i) => {
      const t = ((i % 30) + 1) / 30;
      expect(ys[i]).toBe(Math.floor(i / 30));
      expect(Math.hypot(a, b)).toBeCloseTo(t, 12);
      const angle = (2 * Math.PI * ys[i]!) / k + 2 * Math.PI * turns * t;
      expect(a).toBeCloseTo(t * Math.cos(angle), 12);
      expect(b).toBeCloseTo(t * Math.sin(angle), 12);
    });
  });

  it('blobs sit at their centres with their own std', () => {
    const centers = [[-5, 0], [5, 5]] as const;
    const exact = blobs({ n: 10, centers, std: 0 });
    const ys = labels(exact.y);
    rows(exact.x).forEach((p, i) => expect(p).toEqual(centers[ys[i]!]));
    const { x, y } = blobs({ n: 4000, centers, std: [0.5, 2], seed: 1, dtype: 'float64' });
    const yl = labels(y);
    [0, 1].forEach((c) => {
      const pts = rows(x).filter((_, i) => yl[i] === c);
      const mx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
      const sd = Math.sqrt(pts.reduce((s, p) => s + (p[0] - mx) ** 2, 0) / pts.length);
      expect(mx).toBeCloseTo(centers[c]![0], 0);
      expect(sd / [0.5, 2][c]!).toBeGreaterThan(0.9);
      expect(sd / [0.5, 2][c]!).toBeLessThan(1.1);
    });
  });

  it('random blob centres lie in centerBox', () => {
    const { x } = blobs({ n: 50, centers: 5, std: 0, centerBox: [2, 3] });
    for (const [a, b] of rows(x)) {
      expect(a).toBeGreaterThanOrEqual(2);
      expect(a).toBeLessThanOrEqual(3);
      expect(b).toBeGreaterThanOrEqual(2);
      expect(b).toBeLessThanOrEqual(3);
    }
  });
});

describe('noise', () => {
  it('adds Gaussian noise of standard deviation `noise` to each coordinate', () => {
    // Same seed: same shuffle, drawn before the noise, so the difference is the noise itself.
    const clean = moons({ n: 4000, seed: 3, dtype: 'float64' }).x.toTypedArray();
    const noisy = moons({ n: 4000, seed: 3, noise: 0.1, dtype: 'float64' }).x.toTypedArray();
    const d = Array.from(noisy, (v, i) => v - clean[i]!);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(sd).toBeGreaterThan(0.095);
    expect(sd).toBeLessThan(0.105);
  });
});

describe('option errors', () => {
  it('names the dataset and the bad option', () => {
    expect(() => circles({ factor: 1 })).toThrow('circles: factor must be in [0, 1), got 1');
    expect(() => circles({ factor: -0.1 })).toThrow(RangeArgError);
    expect(() => spirals({ classes: 0 })).toThrow('spirals: classes must be an integer >= 1, got 0');
    expect(() => spirals({ turns: 0 })).toThrow('spirals: turns must be a finite number > 0, got 0');
    expect(() => blobs({ centers: 2, std: [1, 2, 3] })).toThrow('blobs: std has 3 entries for 2 centers');
    expect(() => blobs({ centers: [] })).toThrow('blobs: centers must be a count or a non-empty list of [x, y] points');
    expect(() => blobs({ centerBox: [1, 0] })).toThrow('blobs: centerBox must be [low, high] with low <= high, got [1, 0]');
    expect(() => moons({ dtype: 'int32' as 'float32' })).toThrow('moons: dtype must be float32 or float64, got int32');
  });
});
