/**
 * The training lab's model and loop, free of the DOM so that the Web Worker runs
 * it and a Node test checks it: an MLP written with adjoint tensors (`linear` from
 * `adjoint/nn/functional`, parameters are tensors with `requiresGrad`), trained
 * with `crossEntropy` and an `adjoint/optim` optimizer on a 2-D dataset of
 * `adjoint/data`.
 */
import {
  argmax, manualSeed, noGrad, randn, softmax, tensor, zeros, type BackendName, type Tensor,
} from 'adjoint';
import { blobs, circles, moons, spirals, xor, type LabeledData } from 'adjoint/data';
import { crossEntropy, gelu, leakyRelu, linear, relu, sigmoid, tanh } from 'adjoint/nn/functional';
import { Adagrad, Adam, RMSprop, SGD, type Optimizer } from 'adjoint/optim';

export const DATASETS = ['xor', 'moons', 'circles', 'spirals', 'blobs'] as const;
export type DatasetName = (typeof DATASETS)[number];

export const ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'gelu', 'leakyRelu', 'linear'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export const OPTIMIZERS = ['adam', 'sgd', 'momentum', 'rmsprop', 'adagrad'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** Everything that defines a run. */
export interface TrainConfig {
  dataset: DatasetName;
  /** Standard deviation of the Gaussian noise added to the points. */
  noise: number;
  /** Number of points. */
  points: number;
  /** Seed of the data and of the initial weights. */
  seed: number;
  /** Width of each hidden layer (its length is the number of hidden layers). */
  hidden: number[];
  /** Activation after each hidden layer (same length as `hidden`). */
  activations: ActivationName[];
  optimizer: OptimizerName;
  lr: number;
  batchSize: number;
  /** Where the tensors live: the CPU (wasm, or js where wasm is not loaded) or the GPU (WebGPU). */
  backend: 'cpu' | 'webgpu';
}

export const DEFAULT_CONFIG: TrainConfig = {
  dataset: 'xor',
  noise: 0.1,
  points: 200,
  seed: 1,
  hidden: [8, 8],
  activations: ['tanh', 'tanh'],
  optimizer: 'adam',
  lr: 0.03,
  batchSize: 32,
  backend: 'cpu',
};

/** The metrics of the whole dataset. */
export interface Metrics {
  loss: number;
  accuracy: number;
}

/** A decision-boundary grid: class probabilities at res × res points of `bounds`. */
export interface Grid {
  res: number;
  classes: number;
  /** [xmin, xmax, ymin, ymax] in data coordinates. */
  bounds: [number, number, number, number];
  /** Row-major from the top row (ymax) down: probs[(row * res + col) * classes + k]. */
  probs: Float32Array;
}

/** The points, for drawing. */
export interface PointsData {
  xy: Float32Array;
  labels: Int32Array;
  classes: number;
  bounds: [number, number, number, number];
}

function makeData(cfg: TrainConfig): LabeledData {
  const opts = { n: cfg.points, noise: cfg.noise, seed: cfg.seed };
  switch (cfg.dataset) {
    case 'xor': return xor(opts);
    case 'moons': return moons(opts);
    case 'circles': return circles({ ...opts, factor: 0.5 });
    case 'spirals': return spirals({ ...opts, turns: 1.25 });
    case 'blobs': return blobs({ ...opts, centers: 3, std: 0.35, centerBox: [-2, 2] });
  }
}

function activate(name: ActivationName, x: Tensor): Tensor {
  switch (name) {
    case 'tanh': return tanh(x);
    case 'relu': return relu(x);
    case 'sigmoid': return sigmoid(x);
    case 'gelu': return gelu(x);
    case 'leakyRelu': return leakyRelu(x, { negativeSlope: 0.1 });
    case 'linear': return x;
  }
}

function makeOptimizer(name: OptimizerName, params: Tensor[], lr: number): Optimizer {
  switch (name) {
    case 'adam': return new Adam(params, { lr });
    case 'sgd': return new SGD(params, { lr });
    case 'momentum': return new SGD(params, { lr, momentum: 0.9 });
    case 'rmsprop': return new RMSprop(params, { lr });
    case 'adagrad': return new Adagrad(params, { lr });
  }
}

/** A small seeded generator for shuffling minibatches (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One training run: data, parameters, optimizer, and the minibatch order.
 *
 * @example
 * const t = new Trainer({ ...DEFAULT_CONFIG, dataset: 'moons' });
 * for (let i = 0; i < 500; i++) t.step();
 * (await t.metrics()).accuracy; // close to 1
 *
 * The data is made and kept on the CPU; the model, the batches and the
 * optimizer live on `config.backend`. Every value read goes through the async
 * readers, so the same code runs on the GPU, where a step only queues work.
 */
export class Trainer {
  readonly config: TrainConfig;
  readonly classes: number;
  /** Steps taken. */
  steps = 0;
  /** Loss of the last minibatch (up to date after `settle()`). */
  lastLoss = NaN;
  private lastLossTensor: Tensor | null = null;
  private readonly on: BackendName | undefined;
  /** The normalized inputs on the CPU, for making minibatches. */
  private readonly xn: Float32Array;
  private readonly x: Tensor;
  private readonly y: Tensor;
  private readonly xs: Float32Array;
  private readonly ys: Int32Array;
  private readonly n: number;
  /** Standardization of the inputs: (x - mean) / std per feature. */
  private readonly mean: [number, number];
  private readonly std: [number, number];
  private readonly weights: Tensor[] = [];
  private readonly biases: Tensor[] = [];
  private readonly optimizer: Optimizer;
  private readonly random: () => number;
  private order: number[] = [];
  private cursor = 0;

  constructor(config: TrainConfig) {
    if (config.hidden.length !== config.activations.length) {
      throw new Error(`training lab: ${config.hidden.length} hidden layers but ${config.activations.length} activations`);
    }
    this.config = { ...config, hidden: [...config.hidden], activations: [...config.activations] };
    const data = makeData(config);
    this.classes = data.numClasses;
    this.xs = Float32Array.from(data.x.toTypedArray() as Float32Array);
    this.ys = Int32Array.from(data.y.toTypedArray() as Int32Array);
    this.n = this.ys.length;
    const mean: [number, number] = [0, 0];
    const sq: [number, number] = [0, 0];
    for (let i = 0; i < this.n; i++) {
      for (let d = 0; d < 2; d++) {
        const v = this.xs[2 * i + d]!;
        mean[d] += v / this.n;
        sq[d] += (v * v) / this.n;
      }
    }
    this.mean = mean;
    this.std = [Math.sqrt(Math.max(sq[0] - mean[0] ** 2, 1e-12)), Math.sqrt(Math.max(sq[1] - mean[1] ** 2, 1e-12))];
    this.on = config.backend === 'webgpu' ? 'webgpu' : undefined;
    this.xn = this.normalized(this.xs);
    this.x = tensor(this.xn, { shape: [this.n, 2], backend: this.on });
    this.y = tensor(this.ys, { shape: [this.n], dtype: 'int32', backend: this.on });

    manualSeed(config.seed);
    const sizes = [2, ...config.hidden, this.classes];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const fanIn = sizes[l]!;
      const act = config.activations[l] ?? 'linear';
      // He initialisation for the ReLU family, Xavier (Glorot) otherwise.
      const gain = act === 'relu' || act === 'leakyRelu' || act === 'gelu' ? Math.sqrt(2 / fanIn) : Math.sqrt(1 / fanIn);
      // Drawn on the CPU (the seeded source), then moved: the same initial weights on every backend.
      const w = randn([sizes[l + 1]!, fanIn]).mul(gain);
      this.weights.push((this.on === undefined ? w : w.to(this.on)).requiresGrad_());
      this.biases.push(zeros([sizes[l + 1]!], { backend: this.on }).requiresGrad_());
    }
    this.optimizer = makeOptimizer(config.optimizer, this.parameters(), config.lr);
    this.random = rng(config.seed * 7919 + 17);
  }

  /** The weights and biases, in layer order. */
  parameters(): Tensor[] {
    return this.weights.flatMap((w, i) => [w, this.biases[i]!]);
  }

  /** Number of scalar parameters. */
  parameterCount(): number {
    return this.parameters().reduce((s, p) => s + p.size, 0);
  }

  /** Changes the learning rate of a running optimizer. */
  setLearningRate(lr: number): void {
    this.config.lr = lr;
    for (const g of this.optimizer.paramGroups) g.lr = lr;
  }

  /** Changes the minibatch size from the next step on. */
  setBatchSize(batchSize: number): void {
    this.config.batchSize = batchSize;
  }

  private normalized(xs: Float32Array): Float32Array {
    const out = new Float32Array(xs.length);
    for (let i = 0; i < xs.length; i += 2) {
      out[i] = (xs[i]! - this.mean[0]) / this.std[0];
      out[i + 1] = (xs[i + 1]! - this.mean[1]) / this.std[1];
    }
    return out;
  }

  /** The logits of a [m, 2] batch of normalized inputs. */
  forward(x: Tensor): Tensor {
    let h = x;
    const last = this.weights.length - 1;
    for (let l = 0; l <= last; l++) {
      h = linear(h, this.weights[l]!, this.biases[l]!);
      if (l < last) h = activate(this.config.activations[l]!, h);
    }
    return h;
  }

  private nextBatch(): number[] {
    const size = Math.max(1, Math.min(this.config.batchSize, this.n));
    const batch: number[] = [];
    while (batch.length < size) {
      if (this.cursor >= this.order.length) {
        // A new epoch: a fresh shuffle (Fisher–Yates).
        this.order = Array.from({ length: this.n }, (_, i) => i);
        for (let i = this.n - 1; i > 0; i--) {
          const j = Math.floor(this.random() * (i + 1));
          [this.order[i], this.order[j]] = [this.order[j]!, this.order[i]!];
        }
        this.cursor = 0;
      }
      batch.push(this.order[this.cursor++]!);
    }
    return batch;
  }

  /** One optimizer step on one minibatch (on the GPU: queued); `settle()` reads its loss. */
  step(): void {
    const idx = this.nextBatch();
    const m = idx.length;
    const xb = new Float32Array(2 * m);
    const yb = new Int32Array(m);
    const x = this.xn;
    idx.forEach((i, k) => {
      xb[2 * k] = x[2 * i]!;
      xb[2 * k + 1] = x[2 * i + 1]!;
      yb[k] = this.ys[i]!;
    });
    this.optimizer.zeroGrad();
    const on = { backend: this.on };
    const loss = crossEntropy(this.forward(tensor(xb, { shape: [m, 2], ...on })), tensor(yb, { shape: [m], dtype: 'int32', ...on }));
    loss.backward();
    this.optimizer.step();
    this.steps++;
    this.lastLossTensor = loss;
  }

  /** Waits for the queued steps and reads the last minibatch's loss into `lastLoss`. */
  async settle(): Promise<number> {
    if (this.lastLossTensor !== null) this.lastLoss = await this.lastLossTensor.itemAsync();
    return this.lastLoss;
  }

  /** Loss and accuracy on the whole dataset. */
  async metrics(): Promise<Metrics> {
    const [loss, pred] = noGrad(() => {
      const logits = this.forward(this.x);
      return [crossEntropy(logits, this.y), argmax(logits, 1)];
    });
    const p = await pred.toTypedArrayAsync();
    let right = 0;
    for (let i = 0; i < this.n; i++) if (p[i] === this.ys[i]) right++;
    return { loss: await loss.itemAsync(), accuracy: right / this.n };
  }

  /** The plotted region: the data's bounding box with a margin, square in data units. */
  bounds(): [number, number, number, number] {
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (let i = 0; i < this.n; i++) {
      x0 = Math.min(x0, this.xs[2 * i]!);
      x1 = Math.max(x1, this.xs[2 * i]!);
      y0 = Math.min(y0, this.xs[2 * i + 1]!);
      y1 = Math.max(y1, this.xs[2 * i + 1]!);
    }
    const cx = (x0 + x1) / 2;
    const cy = (y0 + y1) / 2;
    const half = (Math.max(x1 - x0, y1 - y0, 1e-6) / 2) * 1.15;
    return [cx - half, cx + half, cy - half, cy + half];
  }

  /** The points and their labels, for drawing. */
  points(): PointsData {
    return { xy: this.xs.slice(), labels: this.ys.slice(), classes: this.classes, bounds: this.bounds() };
  }

  /** Class probabilities on a res × res grid over `bounds()` (one batched forward pass). */
  async grid(res: number): Promise<Grid> {
    const bounds = this.bounds();
    const [x0, x1, y0, y1] = bounds;
    const pts = new Float32Array(2 * res * res);
    for (let r = 0; r < res; r++) {
      for (let c = 0; c < res; c++) {
        const k = r * res + c;
        pts[2 * k] = x0 + ((c + 0.5) / res) * (x1 - x0);
        pts[2 * k + 1] = y1 - ((r + 0.5) / res) * (y1 - y0);
      }
    }
    const x = tensor(this.normalized(pts), { shape: [res * res, 2], backend: this.on });
    const probs = (await noGrad(() => softmax(this.forward(x), 1)).toTypedArrayAsync()) as Float32Array;
    return { res, classes: this.classes, bounds, probs: Float32Array.from(probs) };
  }
}
