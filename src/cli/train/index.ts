/**
 * `adjoint train <xor|moons|circles|spirals|digits>`: trains an MLP (or, on
 * digits, a CNN) on a held-out split and reports test accuracy, with a loss
 * curve (and a decision boundary for the 2-D sets) written as SVG and the
 * state dict saved as safetensors on request.
 *
 * @example
 * // $ adjoint train digits --model cnn
 * // $ adjoint train moons --epochs 30 --hidden 32,32 --json
 * // $ adjoint train xor --save out/xor.safetensors
 */
import type { Command } from '../cli.js';
import { DATASETS, DEFAULTS, trainConfig } from './config.js';
import { runTrain } from './run.js';

export { DATASETS, DEFAULTS, trainConfig, type TrainConfig, type DatasetName } from './config.js';
export { runTrain, type TrainResult, type EpochStats, type TrainIO } from './run.js';
export { mlp, digitsCnn } from './models.js';

/**
 * A default per dataset, for the help text.
 *
 * @example
 * perDataset('epochs'); // 'xor 40, moons 60, circles 60, spirals 150, digits 30, digits cnn 10'
 */
function perDataset(key: 'epochs' | 'lr' | 'batchSize'): string {
  const parts = DATASETS.map((d) => `${d} ${DEFAULTS[d][key]}`);
  const cnn = DEFAULTS.digits.cnn;
  if (cnn) parts.push(`digits cnn ${cnn[key]}`);
  return parts.join(', ');
}

/**
 * The `train` entry of the command table.
 *
 * @example
 * await trainCommand.run({ epochs: '5', json: true }, ['xor'], io); // 0
 */
export const trainCommand: Command = {
  summary: `train a model on ${DATASETS.join(', ')}: test accuracy, loss curve, decision boundary`,
  synopsis: `train <${DATASETS.join('|')}> [--model mlp|cnn] [--epochs N] [--lr X] [--optimizer sgd|adam|adamw] ` +
    '[--batch-size N] [--seed N] [--hidden 64,64] [--backend js|wasm|webgpu] [--save FILE.safetensors] [--out DIR] [--json] [--quiet]',
  maxPositionals: 1,
  options: {
    model: { type: 'string', valueName: 'mlp|cnn', description: 'the model: an MLP (default) or, for digits, a CNN' },
    epochs: { type: 'string', valueName: 'N', description: `passes over the training split (default: ${perDataset('epochs')})` },
    lr: { type: 'string', valueName: 'X', description: `peak learning rate, cosine-annealed to 0 (default: ${perDataset('lr')}; ten times that for sgd)` },
    optimizer: { type: 'string', valueName: 'NAME', description: 'sgd (momentum 0.9), adam (default) or adamw' },
    'batch-size': { type: 'string', valueName: 'N', description: `examples per step (default: ${perDataset('batchSize')})` },
    seed: { type: 'string', valueName: 'N', description: 'seeds the data, the 80/20 split, the initialisation and the shuffling (default 0)' },
    hidden: { type: 'string', valueName: 'W,W', description: `hidden layer widths of the MLP (default: ${DATASETS.map((d) => `${d} ${DEFAULTS[d].hidden.join(',')}`).join(', ')})` },
    backend: { type: 'string', valueName: 'NAME', description: 'where tensors live: wasm (the default where its kernels are built), js, or webgpu (the GPU; in Node it needs `npm install webgpu`)' },
    save: { type: 'string', valueName: 'FILE', description: "write the model's state dict to FILE.safetensors" },
    out: { type: 'string', short: 'o', valueName: 'DIR', description: 'where the SVG figures go (default: out/)' },
    json: { type: 'boolean', description: 'print one JSON line at the end (testAccuracy, trainLoss, epochs, seconds, ...)' },
    quiet: { type: 'boolean', short: 'q', description: 'print only the result' },
  },
  async run(values, positionals, io) {
    const flags = values as Record<string, string | boolean | undefined>;
    const cfg = trainConfig(positionals[0], flags);
    const progress = !cfg.quiet && process.stderr.isTTY ? process.stderr : null;
    await runTrain(cfg, { stdout: io.stdout, progress });
    return 0;
  },
};
