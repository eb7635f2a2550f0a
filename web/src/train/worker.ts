/**
 * The training lab's Web Worker: owns a `Trainer`, runs steps in slices of about
 * 30 ms while training, and posts progress (loss, accuracy, steps per second, and
 * a decision-boundary grid a few times a second), so the page never waits on it.
 */
import { initWebGPU } from 'adjoint';
import { Trainer, type Grid, type Metrics, type PointsData, type TrainConfig } from './trainer.js';

/** Messages the page sends. */
export type ToWorker =
  | { type: 'reset'; config: TrainConfig; gridRes: number }
  | { type: 'train' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'set'; lr?: number; batchSize?: number };

/** Messages the worker sends. */
export type FromWorker =
  | { type: 'ready'; points: PointsData; parameters: number; config: TrainConfig }
  | {
      type: 'progress';
      steps: number;
      batchLoss: number;
      metrics: Metrics;
      stepsPerSecond: number;
      running: boolean;
      grid: Grid | null;
    }
  | { type: 'error'; message: string };

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;

let trainer: Trainer | null = null;
let gridRes = 48;
let running = false;
let generation = 0;
let lastGridAt = 0;
// (time, steps) samples over the last second, for steps per second.
let samples: [number, number][] = [];

function post(message: FromWorker): void {
  const transfer = message.type === 'progress' && message.grid !== null ? [message.grid.probs.buffer] : [];
  scope.postMessage(message, transfer);
}

async function report(withGrid: boolean): Promise<void> {
  if (trainer === null) return;
  const t = trainer;
  await t.settle();
  const metrics = await t.metrics();
  const grid = withGrid ? await t.grid(gridRes) : null;
  if (t !== trainer) return;
  const now = performance.now();
  samples.push([now, trainer.steps]);
  while (samples.length > 2 && now - samples[0]![0] > 1000) samples.shift();
  const [t0, s0] = samples[0]!;
  const stepsPerSecond = running && now > t0 ? ((trainer.steps - s0) * 1000) / (now - t0) : 0;
  if (withGrid) lastGridAt = now;
  post({
    type: 'progress',
    steps: trainer.steps,
    batchLoss: trainer.lastLoss,
    metrics,
    stepsPerSecond,
    running,
    grid,
  });
}

function fail(e: unknown): void {
  running = false;
  post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
}

// A macrotask without setTimeout's 4 ms clamp, so messages (pause) get in between slices.
const channel = new MessageChannel();
let loopGeneration = -1;
channel.port1.onmessage = async () => {
  if (!running || trainer === null || loopGeneration !== generation) return;
  try {
    const start = performance.now();
    // On the GPU a step only queues work: report() waits for it.
    while (performance.now() - start < 30) trainer.step();
    await report(performance.now() - lastGridAt > 150);
  } catch (e) {
    fail(e);
    return;
  }
  channel.port2.postMessage(null);
};

function startLoop(): void {
  loopGeneration = generation;
  samples = [[performance.now(), trainer?.steps ?? 0]];
  channel.port2.postMessage(null);
}

/** Sets up the GPU on first use (the trainer puts its tensors there; the data stays on the CPU). */
async function useBackend(config: TrainConfig): Promise<void> {
  if (config.backend === 'webgpu') await initWebGPU();
}

scope.onmessage = async (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  try {
    switch (msg.type) {
      case 'reset': {
        generation++;
        running = false;
        gridRes = msg.gridRes;
        trainer = null;
        await useBackend(msg.config);
        const t = new Trainer(msg.config);
        trainer = t;
        post({ type: 'ready', points: t.points(), parameters: t.parameterCount(), config: t.config });
        await report(true);
        break;
      }
      case 'train':
        if (trainer === null || running) return;
        running = true;
        startLoop();
        break;
      case 'pause':
        running = false;
        generation++;
        await report(true);
        break;
      case 'step':
        if (trainer === null) return;
        running = false;
        generation++;
        trainer.step();
        await report(true);
        break;
      case 'set':
        if (trainer === null) return;
        if (msg.lr !== undefined) trainer.setLearningRate(msg.lr);
        if (msg.batchSize !== undefined) trainer.setBatchSize(msg.batchSize);
        break;
    }
  } catch (err) {
    fail(err);
  }
};
