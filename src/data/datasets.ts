/**
 * Seeded toy datasets in the plane for classification: `xor`, `moons`,
 * `circles`, `spirals`, `blobs`. Each returns `{x: [n, 2], y: [n] int32,
 * numClasses}`. `moons`, `circles` and `blobs` follow scikit-learn's
 * `make_moons`, `make_circles` and `make_blobs` (the geometry and the order
 * of operations: build, shuffle, then add noise; not its random numbers).
 *
 * Every dataset draws from its own generator seeded by `seed` (default 0), so
 * the same seed gives the same data whatever `manualSeed` was called with, and
 * making a dataset does not change what `rand`/`randn` draw next.
 */
import { RangeArgError } from '../errors.js';
import { tensor, type Tensor } from '../tensor/index.js';
import { Rng, checkSeed } from './random.js';

/** Inputs, integer labels and the number of classes of a classification dataset. */
export interface LabeledData {
  /** Inputs `[n, features]` (float32 unless `dtype` says otherwise). */
  readonly x: Tensor;
  /** Class labels `[n]`, int32 in `0..numClasses-1`. */
  readonly y: Tensor;
  /** Number of classes. */
  readonly numClasses: number;
}

/** Options shared by the 2-D datasets. */
export interface PlaneOptions {
  /** Number of points (default 100). */
  n?: number;
  /** Standard deviation of Gaussian noise added to each coordinate (default 0). */
  noise?: number;
  /** Seed of the dataset's own generator (default 0). */
  seed?: number;
  /** Shuffle the rows (default true); otherwise rows are grouped by class. */
  shuffle?: boolean;
  /** dtype of `x`: `'float32'` (default) or `'float64'`. */
  dtype?: 'float32' | 'float64';
}

/** Options of `circles`. */
export interface CirclesOptions extends PlaneOptions {
  /** Radius of the inner circle relative to the outer one (radius 1), in [0, 1) (default 0.8). */
  factor?: number;
}

/** Options of `spirals`. */
export interface SpiralsOptions extends PlaneOptions {
  /** Number of arms, one class each (default 2). */
  classes?: number;
  /** Turns each arm makes from the centre to radius 1 (default 1). */
  turns?: number;
}

/** Options of `blobs`. */
export interface BlobsOptions extends PlaneOptions {
  /** Number of centres (drawn uniformly in `centerBox`), or the centres themselves (default 3). */
  centers?: number | readonly (readonly [number, number])[];
  /** Standard deviation of each blob: one for all or one per centre (default 1). */
  std?: number | readonly number[];
  /** Box the random centres are drawn from, on both axes (default [-10, 10]). */
  centerBox?: readonly [number, number];
}

function count(op: string, name: string, v: number | undefined, fallback: number, min: number): number {
  const n = v ?? fallback;
  if (!Number.isInteger(n) || n < min) throw new RangeArgError(op, `${name} must be an integer >= ${min}, got ${n}`);
  return n;
}

function nonNegative(op: string, name: string, v: number | undefined, fallback: number): number {
  const x = v ?? fallback;
  if (!(Number.isFinite(x) && x >= 0)) throw new RangeArgError(op, `${name} must be a finite number >= 0, got ${x}`);
  return x;
}

/** numpy's `linspace(a, b, m, endpoint)`. */
function linspace(a: number, b: number, m: number, endpoint = true): number[] {
  const div = endpoint ? m - 1 : m;
  const step = div > 0 ? (b - a) / div : 0;
  return Array.from({ length: m }, (_, i) => a + i * step);
}

/** Sizes of `k` groups sharing `n` items, the first `n % k` one larger (scikit-learn's split). */
function groupSizes(n: number, k: number): number[] {
  return Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));
}

/** Shuffles the rows (if asked), adds the noise, and wraps the result in tensors. */
function finish(
  op: string, opts: PlaneOptions, gen: Rng, points: number[], labels: number[], numClasses: number,
): LabeledData {
  const n = labels.length;
  const noise = nonNegative(op, 'noise', opts.noise, 0);
  const order = (opts.shuffle ?? true) ? gen.randperm(n) : labels.map((_, i) => i);
  const xs = new Float64Array(2 * n);
  const ys = new Int32Array(n);
  order.forEach((src, dst) => {
    xs[2 * dst] = points[2 * src]!;
    xs[2 * dst + 1] = points[2 * src + 1]!;
    ys[dst] = labels[src]!;
  });
  if (noise > 0) {
    const z = gen.normal(2 * n);
    for (let i = 0; i < 2 * n; i++) xs[i]! += noise * z[i]!;
  }
  const dtype = opts.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new RangeArgError(op, `dtype must be float32 or float64, got ${String(dtype)}`);
  return { x: tensor(xs, { shape: [n, 2], dtype }), y: tensor(ys, { shape: [n] }), numClasses };
}

function start(op: string, opts: PlaneOptions): [number, Rng] {
  return [count(op, 'n', opts.n, 100, 0), new Rng(checkSeed(op, opts.seed ?? 0))];
}

/**
 * XOR: points at the corners of the unit square, labelled `a XOR b` (the
 * truth table: (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0), cycling through the four
 * corners so the classes are balanced, plus Gaussian `noise`.
 *
 * @example
 * const { x, y } = xor({ n: 4, shuffle: false }); // exactly the truth table
 * const data = xor({ n: 200, noise: 0.1, seed: 1 });
 */
export function xor(opts: PlaneOptions = {}): LabeledData {
  const [n, gen] = start('xor', opts);
  const points: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = (i >> 1) & 1;
    const b = i & 1;
    points.push(a, b);
    labels.push(a ^ b);
  }
  return finish('xor', opts, gen, points, labels, 2);
}

/**
 * Two interleaving half circles of radius 1 (scikit-learn's `make_moons`):
 * class 0 is the upper half of the circle centred at (0, 0), class 1 the lower
 * half of the circle centred at (1, 0.5); `floor(n/2)` points in class 0.
 *
 * @example
 * const { x, y, numClasses } = moons({ n: 200, noise: 0.1, seed: 0 }); // x [200,2], y [200], 2
 */
export function moons(opts: PlaneOptions = {}): LabeledData {
  const [n, gen] = start('moons', opts);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const points: number[] = [];
  for (const t of linspace(0, Math.PI, nOut)) points.push(Math.cos(t), Math.sin(t));
  for (const t of linspace(0, Math.PI, nIn)) points.push(1 - Math.cos(t), 1 - Math.sin(t) - 0.5);
  const labels = [...new Array<number>(nOut).fill(0), ...new Array<number>(nIn).fill(1)];
  return finish('moons', opts, gen, points, labels, 2);
}

/**
 * A large circle (radius 1, class 0) around a small one (radius `factor`,
 * class 1), points evenly spaced in angle (scikit-learn's `make_circles`).
 *
 * @example
 * const { x, y } = circles({ n: 200, factor: 0.5, noise: 0.05, seed: 3 });
 */
export function circles(opts: CirclesOptions = {}): LabeledData {
  const [n, gen] = start('circles', opts);
  const factor = opts.factor ?? 0.8;
  if (!(factor >= 0 && factor < 1)) throw new RangeArgError('circles', `factor must be in [0, 1), got ${factor}`);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const points: number[] = [];
  for (const t of linspace(0, 2 * Math.PI, nOut, false)) points.push(Math.cos(t), Math.sin(t));
  for (const t of linspace(0, 2 * Math.PI, nIn, false)) points.push(factor * Math.cos(t), factor * Math.sin(t));
  const labels = [...new Array<number>(nOut).fill(0), ...new Array<number>(nIn).fill(1)];
  return finish('circles', opts, gen, points, labels, 2);
}

/**
 * `classes` interleaved spiral arms, one class each. Arm `j` (of `k`) with
 * `m` points has, for `i = 1..m`, `t = i/m`, radius `t` and angle
 * `2πj/k + 2π·turns·t`; points are shared between arms like scikit-learn's
 * blobs (the first `n % k` arms get one more).
 *
 * @example
 * const { x, y, numClasses } = spirals({ n: 300, classes: 3, noise: 0.02 }); // numClasses 3
 */
export function spirals(opts: SpiralsOptions = {}): LabeledData {
  const [n, gen] = start('spirals', opts);
  const k = count('spirals', 'classes', opts.classes, 2, 1);
  const turns = opts.turns ?? 1;
  if (!(Number.isFinite(turns) && turns > 0)) throw new RangeArgError('spirals', `turns must be a finite number > 0, got ${turns}`);
  const points: number[] = [];
  const labels: number[] = [];
  groupSizes(n, k).forEach((m, j) => {
    for (let i = 1; i <= m; i++) {
      const t = i / m;
      const angle = (2 * Math.PI * j) / k + 2 * Math.PI * turns * t;
      points.push(t * Math.cos(angle), t * Math.sin(angle));
      labels.push(j);
    }
  });
  return finish('spirals', opts, gen, points, labels, k);
}

/**
 * Isotropic Gaussian blobs (scikit-learn's `make_blobs` in 2-D): `centers`
 * random centres in `centerBox` (or given ones), blob `i` with standard
 * deviation `std` and label `i`; the first `n % k` blobs get one more point.
 * `noise` (default 0) adds further Gaussian noise on top, like the other sets.
 *
 * @example
 * const { x, y } = blobs({ n: 300, centers: 4, std: 0.5, seed: 7 });
 * blobs({ centers: [[-1, 0], [1, 0]], std: [0.2, 0.4] });
 */
export function blobs(opts: BlobsOptions = {}): LabeledData {
  const [n, gen] = start('blobs', opts);
  const spec = opts.centers ?? 3;
  let centers: (readonly [number, number])[];
  if (typeof spec === 'number') {
    const k = count('blobs', 'centers', spec, 3, 1);
    const [lo, hi] = opts.centerBox ?? [-10, 10];
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi)) {
      throw new RangeArgError('blobs', `centerBox must be [low, high] with low <= high, got [${lo}, ${hi}]`);
    }
    const u = gen.uniform(2 * k);
    centers = Array.from({ length: k }, (_, i) => [lo + (hi - lo) * u[2 * i]!, lo + (hi - lo) * u[2 * i + 1]!] as const);
  } else {
    if (spec.length === 0 || spec.some((c) => c.length !== 2 || !c.every(Number.isFinite))) {
      throw new RangeArgError('blobs', 'centers must be a count or a non-empty list of [x, y] points');
    }
    centers = [...spec];
  }
  const k = centers.length;
  const stds = typeof opts.std === 'object' ? [...opts.std] : new Array<number>(k).fill(opts.std ?? 1);
  if (stds.length !== k) throw new RangeArgError('blobs', `std has ${stds.length} entries for ${k} centers`);
  stds.forEach((s) => nonNegative('blobs', 'std', s, 1));
  const points: number[] = [];
  const labels: number[] = [];
  groupSizes(n, k).forEach((m, j) => {
    const z = gen.normal(2 * m);
    const [cx, cy] = centers[j]!;
    for (let i = 0; i < m; i++) {
      points.push(cx + stds[j]! * z[2 * i]!, cy + stds[j]! * z[2 * i + 1]!);
      labels.push(j);
    }
  });
  return finish('blobs', opts, gen, points, labels, k);
}
