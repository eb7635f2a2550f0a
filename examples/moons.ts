/**
 * Two moons: an MLP classifier trained with mini-batches on a held-out
 * split, and its decision boundary drawn as SVG.
 *
 *   npx tsx examples/moons.ts                 # writes out/moons-boundary.svg
 *   npx tsx examples/moons.ts --epochs 20 --out figures
 *   npx tsx examples/moons.ts --backend webgpu  # or js, wasm (default: the default backend)
 *   npx tsx examples/moons.ts --quick         # or ADJOINT_EXAMPLE_QUICK=1
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Tensor, argmax, getBackend, initWebGPU, manualSeed, noGrad, setBackend, softmax, tensor, type BackendName } from 'adjoint';
import { DataLoader, TensorDataset, moons, randomSplit } from 'adjoint/data';
import * as nn from 'adjoint/nn';
import { Adam } from 'adjoint/optim';
import { decisionBoundaryPlot, writeSvg } from 'adjoint/viz';

const { values } = parseArgs({
  options: { epochs: { type: 'string' }, out: { type: 'string' }, quick: { type: 'boolean' }, backend: { type: 'string' } },
});
const quick = values.quick === true || process.env['ADJOINT_EXAMPLE_QUICK'] === '1';
const epochs = Number(values.epochs ?? (quick ? 5 : 60));
const outDir = values.out ?? 'out';
// Where the tensors live: the data set, the model and everything computed from them.
const backend = values.backend as BackendName | undefined;
if (backend === 'webgpu') await initWebGPU();
if (backend !== undefined) setBackend(backend);
console.log(`backend: ${getBackend()}`);
manualSeed(0);

const data = moons({ n: 600, noise: 0.15, seed: 0 });
const [train, test] = randomSplit(new TensorDataset(data.x, data.y), [0.8, 0.2], { seed: 0 });
const loader = new DataLoader(train!, { batchSize: 32, shuffle: true, seed: 0 });
const [xTest, yTest] = test!.getBatch(Array.from({ length: test!.length }, (_, i) => i)) as [Tensor, Tensor];

const model = new nn.Sequential(new nn.Linear(2, 32), new nn.ReLU(), new nn.Linear(32, 32), new nn.ReLU(), new nn.Linear(32, 2));
console.log(String(model));
const opt = new Adam(model.parameters(), { lr: 0.01 });
const lossFn = new nn.CrossEntropyLoss();

/** The fraction of `x` classified as `y`, in eval mode (read asynchronously: that works on every backend). */
async function accuracy(x: Tensor, y: Tensor): Promise<number> {
  model.eval();
  const hits = noGrad(() => argmax(model.forward(x), 1).eq(y).sum());
  model.train();
  return (await hits.itemAsync()) / y.shape[0]!;
}

let first = NaN;
let last = NaN;
for (let epoch = 1; epoch <= epochs; epoch++) {
  let sum = 0;
  for (const [xb, yb] of loader) {
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(xb), yb);
    loss.backward();
    opt.step();
    sum += (await loss.itemAsync()) * xb.shape[0]!;
  }
  last = sum / train!.length;
  if (epoch === 1) first = last;
  if (epoch % 10 === 0 || epoch === epochs) console.log(`epoch ${String(epoch).padStart(3)}  loss ${last.toFixed(4)}  test accuracy ${(100 * (await accuracy(xTest, yTest))).toFixed(1)}%`);
}
console.log(`loss ${first.toFixed(4)} -> ${last.toFixed(4)}`);

// The boundary: P(class 1) − P(class 0) on a 100 x 100 grid, evaluated in one batch.
const xRange: [number, number] = [-1.6, 2.6];
const yRange: [number, number] = [-1.1, 1.6];
const res = 100;
const grid: number[] = [];
for (let j = 0; j < res; j++) {
  for (let i = 0; i < res; i++) grid.push(xRange[0] + ((xRange[1] - xRange[0]) * i) / (res - 1), yRange[0] + ((yRange[1] - yRange[0]) * j) / (res - 1));
}
model.eval();
const p = await noGrad(() => softmax(model.forward(tensor(grid, { shape: [res * res, 2] })), 1)).toTypedArrayAsync();
const cell = (v: number, [lo, hi]: [number, number]): number => Math.max(0, Math.min(res - 1, Math.round(((v - lo) / (hi - lo)) * (res - 1))));
const xs = await data.x.toTypedArrayAsync();
const labels = await data.y.toTypedArrayAsync();
const svg = decisionBoundaryPlot({
  predict: (x, y) => {
    const k = cell(y, yRange) * res + cell(x, xRange);
    return p[2 * k + 1]! - p[2 * k]!;
  },
  xRange, yRange, resolution: res,
  points: Array.from(labels, (label, i) => ({ x: xs[2 * i]!, y: xs[2 * i + 1]!, label: label === 1 ? 1 : -1 })),
  title: 'Two moons: MLP decision boundary',
});
const file = join(outDir, 'moons-boundary.svg');
await writeSvg(file, svg);
console.log(`test accuracy ${(100 * (await accuracy(xTest, yTest))).toFixed(1)}%; wrote ${file}`);
