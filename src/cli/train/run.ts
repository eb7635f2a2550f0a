/**
 * The training run of `adjoint train`: data and held-out split, model,
 * optimizer with a cosine learning-rate schedule, the epoch loop with a
 * progress bar (on a terminal) or a line per epoch, then the figures (loss
 * curve; decision boundary for 2-D sets), the saved state dict and the report.
 */
import { join } from 'node:path';
import {
  Tensor, argmax, cast, eq, getBackend, initWebGPU, manualSeed, noGrad, setBackend, softmax, tensor,
} from '../../index.js';
import {
  DataLoader, TensorDataset, circles, digits, moons, randomSplit, spirals, xor, type LabeledData,
} from '../../data/index.js';
import { saveSafetensors } from '../../io/index.js';
import { CrossEntropyLoss, type Sequential } from '../../nn/index.js';
import { Adam, AdamW, CosineAnnealingLR, SGD, type Optimizer } from '../../optim/index.js';
import { decisionBoundaryPlot, linePlot, writeSvg } from '../../viz/index.js';
import { ProgressBar } from '../progress.js';
import type { Sink } from '../writer.js';
import type { TrainConfig } from './config.js';
import { digitsCnn, mlp } from './models.js';

/** One epoch of the history. */
export interface EpochStats {
  epoch: number;
  /** Mean training loss over the epoch's batches (weighted by batch size). */
  trainLoss: number;
  /** Accuracy on the training batches during the epoch (training mode). */
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  /** Seconds since training started. */
  seconds: number;
}

/** What a run reports (the `--json` line is this without `history`). */
export interface TrainResult {
  dataset: string;
  model: string;
  epochs: number;
  /** Accuracy on the held-out split after the last epoch, in [0, 1]. */
  testAccuracy: number;
  testLoss: number;
  /** Mean training loss of the last epoch. */
  trainLoss: number;
  trainAccuracy: number;
  /** Wall-clock seconds of training and evaluation. */
  seconds: number;
  parameters: number;
  trainSize: number;
  testSize: number;
  optimizer: string;
  lr: number;
  batchSize: number;
  seed: number;
  /** Files written: the loss curve, the decision boundary (2-D sets), the state dict (`--save`). */
  files: { lossCurve: string; boundary?: string; model?: string };
  history: EpochStats[];
}

/** Where a run writes: the report, and a terminal for the progress bar (null for none). */
export interface TrainIO {
  stdout: Sink;
  progress?: NodeJS.WriteStream | null;
}

/** The dataset as tensors (images for the CNN). */
function loadData(cfg: TrainConfig): LabeledData {
  const n = cfg.samples;
  const seed = cfg.seed;
  switch (cfg.dataset) {
    case 'xor': return xor({ n, noise: 0.15, seed });
    case 'moons': return moons({ n, noise: 0.15, seed });
    case 'circles': return circles({ n, noise: 0.08, factor: 0.5, seed });
    case 'spirals': return spirals({ n, noise: 0.03, seed });
    case 'digits': {
      const d = digits();
      return { x: cfg.model === 'cnn' ? d.images : d.x, y: d.y, numClasses: d.numClasses };
    }
  }
}

function makeOptimizer(cfg: TrainConfig, model: Sequential): Optimizer<{ lr?: number }> {
  const params = model.parameters();
  if (cfg.optimizer === 'sgd') return new SGD(params, { lr: cfg.lr, momentum: 0.9 });
  if (cfg.optimizer === 'adamw') return new AdamW(params, { lr: cfg.lr });
  return new Adam(params, { lr: cfg.lr });
}

/** How many rows of `logits` pick their label (as a 0-d tensor: read it when needed). */
const hits = (logits: Tensor, y: Tensor): Tensor => noGrad(() => cast(eq(argmax(logits, 1), y), 'int32').sum());

/** Loss and accuracy of `model` on a whole split, in eval mode (read asynchronously: any backend). */
async function evaluate(model: Sequential, x: Tensor, y: Tensor, lossFn: CrossEntropyLoss): Promise<{ loss: number; correct: number }> {
  model.eval();
  const [loss, correct] = noGrad(() => {
    const logits = model.forward(x);
    return [lossFn.forward(logits, y), hits(logits, y)];
  });
  model.train();
  return { loss: await loss.itemAsync(), correct: await correct.itemAsync() };
}

/** The state dict with every tensor copied to the CPU (safetensors writes bytes it reads synchronously). */
async function cpuStateDict(model: Sequential): Promise<Map<string, Tensor>> {
  const out = new Map<string, Tensor>();
  for (const [k, t] of model.stateDict()) out.set(k, t.backend === 'webgpu' ? tensor(await t.toTypedArrayAsync(), { shape: t.shape, dtype: t.dtype, backend: 'js' }) : t);
  return out;
}

const pct = (v: number): string => `${(100 * v).toFixed(2)}%`;

/**
 * Trains a model as configured, printing progress to `io`, and resolves to
 * the result (also written as one JSON line with `json`).
 *
 * @example
 * const r = await runTrain(trainConfig('moons', { epochs: '20', json: true }), { stdout: (s) => process.stdout.write(s) });
 * r.testAccuracy; // 0.98...
 */
export async function runTrain(cfg: TrainConfig, io: TrainIO): Promise<TrainResult> {
  const report = (line: string): void => {
    if (!cfg.json && !cfg.quiet) io.stdout(`${line}\n`);
  };
  const before = getBackend();
  if (cfg.backend === 'webgpu') await initWebGPU();
  if (cfg.backend !== null) setBackend(cfg.backend);
  try {
    return await train(cfg, io, report);
  } finally {
    setBackend(before);
  }
}

async function train(cfg: TrainConfig, io: TrainIO, report: (line: string) => void): Promise<TrainResult> {
  manualSeed(cfg.seed);
  const data = loadData(cfg);
  const [trainSet, testSet] = randomSplit(new TensorDataset(data.x, data.y), [1 - cfg.testFraction, cfg.testFraction], { seed: cfg.seed });
  const [xTest, yTest] = testSet!.getBatch(Array.from({ length: testSet!.length }, (_, i) => i)) as [Tensor, Tensor];
  const inputs = data.x.shape[1]!;
  const model = cfg.model === 'cnn' ? digitsCnn(data.numClasses) : mlp(inputs, cfg.hidden, data.numClasses, cfg.activation);
  const parameters = model.parameters().reduce((s, p) => s + p.size, 0);
  const opt = makeOptimizer(cfg, model);
  const schedule = new CosineAnnealingLR(opt, cfg.epochs);
  const lossFn = new CrossEntropyLoss();
  const loader = new DataLoader(trainSet!, { batchSize: cfg.batchSize, shuffle: true, seed: cfg.seed });

  const what = cfg.dataset === 'digits' ? 'images' : 'points';
  report(`adjoint train ${cfg.dataset}: ${cfg.model}, ${parameters.toLocaleString('en-US')} parameters; ` +
    `${trainSet!.length} training / ${testSet!.length} test ${what}, ${data.numClasses} classes`);
  report(`${cfg.optimizer} lr ${cfg.lr} (cosine schedule), batch size ${cfg.batchSize}, ${cfg.epochs} epochs, seed ${cfg.seed}`);

  const history: EpochStats[] = [];
  const t0 = performance.now();
  const width = String(cfg.epochs).length;
  for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
    const label = `epoch ${String(epoch).padStart(width)}/${cfg.epochs}`;
    const bar = io.progress ? new ProgressBar(loader.length, { label, stream: io.progress, enabled: true }) : null;
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (const [xb, yb] of loader) {
      opt.zeroGrad();
      const logits = model.forward(xb);
      const loss = lossFn.forward(logits, yb);
      loss.backward();
      opt.step();
      const n = xb.shape[0]!;
      lossSum += (await loss.itemAsync()) * n;
      correct += await hits(logits, yb).itemAsync();
      seen += n;
      bar?.tick({ loss: lossSum / seen, acc: `${((100 * correct) / seen).toFixed(1)}%` });
    }
    bar?.done();
    schedule.step();
    const test = await evaluate(model, xTest, yTest, lossFn);
    const stats: EpochStats = {
      epoch, trainLoss: lossSum / seen, trainAccuracy: correct / seen,
      testLoss: test.loss, testAccuracy: test.correct / testSet!.length, seconds: (performance.now() - t0) / 1000,
    };
    history.push(stats);
    report(`${label}  loss ${stats.trainLoss.toFixed(4)}  train ${pct(stats.trainAccuracy)}  ` +
      `test ${pct(stats.testAccuracy)}  ${stats.seconds.toFixed(1)}s`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const last = history[history.length - 1]!;

  const files: TrainResult['files'] = { lossCurve: join(cfg.outDir, `train-${cfg.dataset}-${cfg.model}-loss.svg`) };
  const epochs = history.map((h) => h.epoch);
  await writeSvg(files.lossCurve, linePlot({
    series: [
      { x: epochs, y: history.map((h) => h.trainLoss), label: 'train loss' },
      { x: epochs, y: history.map((h) => h.testLoss), label: 'test loss', dashed: true },
    ],
    title: `${cfg.dataset} (${cfg.model}): cross-entropy per epoch`,
    xLabel: 'epoch', yLabel: 'loss', logY: history.every((h) => h.trainLoss > 0 && h.testLoss > 0),
  }));
  if (inputs === 2 && data.numClasses === 2 && cfg.model === 'mlp') {
    files.boundary = join(cfg.outDir, `train-${cfg.dataset}-boundary.svg`);
    await writeSvg(files.boundary, await boundary(model, data, cfg, last.testAccuracy));
  }
  if (cfg.save !== null) {
    const sd = await cpuStateDict(model);
    saveSafetensors(cfg.save, sd, {
      metadata: { format: 'pt', producer: 'adjoint train', dataset: cfg.dataset, model: cfg.model, architecture: String(model) },
    });
    files.model = cfg.save;
  }

  const result: TrainResult = {
    dataset: cfg.dataset, model: cfg.model, epochs: cfg.epochs,
    testAccuracy: last.testAccuracy, testLoss: last.testLoss, trainLoss: last.trainLoss, trainAccuracy: last.trainAccuracy,
    seconds, parameters, trainSize: trainSet!.length, testSize: testSet!.length,
    optimizer: cfg.optimizer, lr: cfg.lr, batchSize: cfg.batchSize, seed: cfg.seed, files, history,
  };
  if (cfg.json) {
    const { history: _omit, ...line } = result;
    void _omit;
    io.stdout(`${JSON.stringify(line)}\n`);
  } else {
    const right = Math.round(last.testAccuracy * testSet!.length);
    io.stdout(`test accuracy ${pct(last.testAccuracy)} (${right}/${testSet!.length}) · train loss ${last.trainLoss.toFixed(4)} · ` +
      `${cfg.epochs} epochs in ${seconds.toFixed(1)}s\n`);
    io.stdout(`wrote ${files.lossCurve}${files.boundary ? ` and ${files.boundary}` : ''}\n`);
    if (files.model) io.stdout(`saved the state dict (${model.stateDict().size} tensors) to ${files.model}\n`);
  }
  return result;
}

/** The decision boundary of a 2-class model over its data: P(class 1) − P(class 0) on a grid, with the points. */
async function boundary(model: Sequential, data: LabeledData, cfg: TrainConfig, testAccuracy: number): Promise<string> {
  const xs = await data.x.toTypedArrayAsync();
  const labels = await data.y.toTypedArrayAsync();
  const range = (axis: number): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = axis; i < xs.length; i += 2) {
      lo = Math.min(lo, xs[i]!);
      hi = Math.max(hi, xs[i]!);
    }
    const pad = 0.1 * (hi - lo || 1);
    return [lo - pad, hi + pad];
  };
  const xRange = range(0);
  const yRange = range(1);
  const res = 100;
  const grid = new Float32Array(res * res * 2);
  for (let j = 0; j < res; j++) {
    for (let i = 0; i < res; i++) {
      grid[2 * (j * res + i)] = xRange[0] + ((xRange[1] - xRange[0]) * i) / (res - 1);
      grid[2 * (j * res + i) + 1] = yRange[0] + ((yRange[1] - yRange[0]) * j) / (res - 1);
    }
  }
  model.eval();
  const p = await noGrad(() => softmax(model.forward(tensor(grid, { shape: [res * res, 2] })), 1)).toTypedArrayAsync();
  model.train();
  const at = (v: number, [lo, hi]: [number, number]): number => Math.min(res - 1, Math.max(0, Math.round(((v - lo) / (hi - lo)) * (res - 1))));
  return decisionBoundaryPlot({
    predict: (x, y) => {
      const k = at(y, yRange) * res + at(x, xRange);
      return p[2 * k + 1]! - p[2 * k]!;
    },
    xRange, yRange, resolution: res,
    points: Array.from(labels, (label, i) => ({ x: xs[2 * i]!, y: xs[2 * i + 1]!, label: label === 1 ? 1 : -1 })),
    title: `${cfg.dataset}: P(class 1) − P(class 0), test accuracy ${pct(testAccuracy)}`,
  });
}
