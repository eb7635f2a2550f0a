/**
 * 28.5 Training a Neural Network with Micrograd: the chapter's 2 → 8 → 1 MLP
 * (tanh hidden layer, linear output) trained on XOR with full-batch gradient
 * descent on the MSE, lr 0.05, 200 epochs; its loss curve and decision boundary.
 */
import { MLP, Value, zeroGrad, type Activation } from '../../scalar/index.js';
import { COLORS, decisionBoundaryPlot, linePlot } from '../../viz/index.js';
import { ProgressBar } from '../progress.js';
import { fixed, signed } from '../writer.js';
import { saveFigure, type TourContext } from './context.js';

/** The XOR inputs. */
export const XOR_X: readonly (readonly [number, number])[] = [[0, 0], [0, 1], [1, 0], [1, 1]];
/** The XOR targets, −1/+1 for a tanh-range output. */
export const XOR_Y: readonly number[] = [-1, 1, 1, -1];

/** Options of {@link trainXor}. */
export interface TrainXorOptions {
  /** Layer sizes after the 2 inputs. Default `[8, 1]`. */
  sizes?: readonly number[];
  /** One per layer; default tanh hidden, linear output. */
  activations?: readonly Activation[];
  /** Weight seed (the LCG of `adjoint/scalar`). Default 5, the seed the scalar tests use. */
  seed?: number;
  /** Default 0.05. */
  lr?: number;
  /** Default 200. */
  epochs?: number;
  /** Called after each epoch with its index and loss (before the update's effect). */
  onEpoch?: (epoch: number, loss: number) => void;
}

/** A trained XOR model. */
export interface XorRun {
  model: MLP;
  /** The loss of every epoch, measured before that epoch's update. */
  losses: number[];
  /** The model's outputs on the four inputs after training. */
  predictions: number[];
  /** The loss graph of the last epoch (for counting its ops). */
  lastLoss: Value;
}

/**
 * Trains an MLP on XOR exactly as the chapter does: each epoch builds the
 * full-batch MSE, zeroes the grads, runs backward and takes an SGD step.
 *
 * @example
 * const run = trainXor({ seed: 5 });
 * run.losses.at(-1); // ≈ 0.002
 * run.predictions;   // ≈ [-0.98, 0.96, 0.95, -0.94]
 */
export function trainXor(options: TrainXorOptions = {}): XorRun {
  const { sizes = [8, 1], seed = 5, lr = 0.05, epochs = 200 } = options;
  const model = new MLP(2, sizes, options.activations ? { seed, activations: options.activations } : { seed });
  const params = model.parameters();
  const losses: number[] = [];
  let lastLoss = new Value(0);
  for (let epoch = 0; epoch < epochs; epoch++) {
    let sum = new Value(0);
    XOR_X.forEach((x, i) => {
      sum = sum.add((model.forward(x) as Value).sub(XOR_Y[i]!).pow(2));
    });
    const loss = sum.mul(1 / XOR_X.length);
    losses.push(loss.data);
    zeroGrad(params);
    loss.backward();
    for (const p of params) p.data -= lr * p.grad;
    lastLoss = loss;
    options.onEpoch?.(epoch, loss.data);
  }
  const predictions = XOR_X.map((x) => (model.forward(x) as Value).data);
  return { model, losses, predictions, lastLoss };
}

/** What {@link trainingXor} computed. */
export interface XorResult {
  parameters: number;
  run: XorRun;
  /** The epochs printed and their losses. */
  printed: { epoch: number; loss: number }[];
  /** Every prediction has the target's sign. */
  signsCorrect: boolean;
}

/**
 * Runs section 28.5 (training) and writes `xor-loss.svg` and `xor-boundary.svg`.
 *
 * @example
 * const r = await trainingXor(ctx);
 * r.signsCorrect; // true
 */
export async function trainingXor(ctx: TourContext): Promise<XorResult> {
  const { out } = ctx;
  const epochs = 200;
  out.heading('28.5 Training a Neural Network with Micrograd');
  const parameters = new MLP(2, [8, 1], { seed: 5 }).parameters().length;
  out.line('Network: 2 -> 8 -> 1 (tanh hidden layer, linear output), weights uniform(−1, 1), seed 5');
  out.line(`Total parameters: ${parameters}`);
  out.line('XOR, targets −1/+1; full-batch MSE; gradient descent, lr 0.05, 200 epochs');
  out.line();

  const bar = new ProgressBar(epochs, { label: 'training XOR', enabled: ctx.progress && Boolean(process.stderr.isTTY) });
  const printed: { epoch: number; loss: number }[] = [];
  const run = trainXor({
    seed: 5,
    lr: 0.05,
    epochs,
    onEpoch: (epoch, loss) => {
      bar.tick({ loss });
      if (epoch % 20 === 0 || epoch === epochs - 1) printed.push({ epoch, loss });
    },
  });
  bar.done();
  for (const { epoch, loss } of printed) out.line(`Epoch ${String(epoch).padStart(4)}/${epochs}: Loss = ${fixed(loss, 6)}`);

  out.line();
  out.line('Final predictions (target -1 or +1):');
  XOR_X.forEach((x, i) => {
    const ok = Math.sign(run.predictions[i]!) === XOR_Y[i];
    out.line(`  Input: (${x[0]}, ${x[1]}) -> Predicted: ${signed(run.predictions[i]!, 4)}, Target: ${signed(XOR_Y[i]!, 0)}  ${ok ? '✓' : '✗'}`);
  });
  const signsCorrect = run.predictions.every((p, i) => Math.sign(p) === XOR_Y[i]);
  out.line(signsCorrect ? 'Every sign is right: the engine trained the network with no hand-written backprop.'
    : 'Some signs are wrong (✗).');
  out.line();

  const loss = linePlot({
    series: [{ x: run.losses.map((_, i) => i), y: run.losses, label: 'MSE loss', color: COLORS.blue }],
    title: 'XOR Training with the Value Engine (2 → 8 → 1)',
    xLabel: 'Epoch',
    yLabel: 'MSE loss',
    logY: true,
    legend: 'upper right',
  });
  await saveFigure(ctx, 'xor-loss.svg', loss, 'XOR training loss per epoch (log y)');
  const predict = (a: number, b: number): number => (run.model.forward([a, b]) as Value).data;
  const boundary = decisionBoundaryPlot({
    predict,
    xRange: [-0.5, 1.5],
    yRange: [-0.5, 1.5],
    resolution: 200,
    points: XOR_X.map((x, i) => ({ x: x[0], y: x[1], label: XOR_Y[i]! })),
    title: 'XOR Decision Boundary (Value Engine)',
  });
  await saveFigure(ctx, 'xor-boundary.svg', boundary, 'XOR decision boundary over [-0.5, 1.5]² with the 4 points');
  return { parameters, run, printed, signsCorrect };
}
