/**
 * Trains the digits CNN briefly, exports it to ONNX with a dynamic batch dim,
 * runs the model in ONNX Runtime (`onnxruntime-node`) and checks that its
 * outputs agree with adjoint's on the test images, at two batch sizes.
 *
 *   npx tsx examples/export-onnx.ts            # writes out/digits-cnn.onnx
 *   npx tsx examples/export-onnx.ts --quick    # or ADJOINT_EXAMPLE_QUICK=1
 *   npx tsx examples/export-onnx.ts --backend webgpu  # or js, wasm (default: the default backend)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { Tensor, argmax, getBackend, initWebGPU, manualSeed, noGrad, setBackend, synchronize, type BackendName } from 'adjoint';
import { DataLoader, Subset, TensorDataset, digits, randomSplit } from 'adjoint/data';
import { exportOnnx } from 'adjoint/io';
import * as nn from 'adjoint/nn';
import { Adam } from 'adjoint/optim';

const { values } = parseArgs({ options: { out: { type: 'string' }, quick: { type: 'boolean' }, backend: { type: 'string' } } });
const quick = values.quick === true || process.env['ADJOINT_EXAMPLE_QUICK'] === '1';
const outDir = values.out ?? 'out';
// Where the tensors live: the images, the model and everything computed from them.
const backend = values.backend as BackendName | undefined;
if (backend === 'webgpu') await initWebGPU();
if (backend !== undefined) setBackend(backend);
console.log(`backend: ${getBackend()}`);
manualSeed(0);

// The digits CNN of `adjoint train --model cnn` (src/cli/train/models.ts).
const block = (cin: number, cout: number): nn.TensorModule[] => [new nn.Conv2d(cin, cout, 3, { padding: 1 }), new nn.BatchNorm2d(cout), new nn.ReLU()];
const model = new nn.Sequential(
  ...block(1, 32), ...block(32, 32), new nn.MaxPool2d(2),
  ...block(32, 64), new nn.MaxPool2d(2),
  new nn.Flatten(), new nn.Dropout(0.3), new nn.Linear(256, 10),
);

const data = digits();
const [trainFull, test] = randomSplit(new TensorDataset(data.images, data.y), [0.8, 0.2], { seed: 0 });
const train = new Subset(trainFull!, Array.from({ length: quick ? 256 : 1024 }, (_, i) => i));
const [xTest, yTest] = test!.getBatch(Array.from({ length: test!.length }, (_, i) => i)) as [Tensor, Tensor];

const opt = new Adam(model.parameters(), { lr: 0.005 });
const lossFn = new nn.CrossEntropyLoss();
let first = NaN;
let last = NaN;
for (const [x, y] of new DataLoader(train, { batchSize: 64, shuffle: true, seed: 0 })) {
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(x as Tensor), y as Tensor);
  loss.backward();
  opt.step();
  last = await loss.itemAsync(); // the async readers work on every backend (item() cannot wait for a GPU)
  if (Number.isNaN(first)) first = last;
}
console.log(`trained on ${train.length} images: loss ${first.toFixed(4)} -> ${last.toFixed(4)}`);

// adjoint's outputs and accuracy, computed where the model was trained.
model.eval();
const sizes = [1, xTest.shape[0]!];
const ours = await Promise.all(sizes.map((n) => noGrad(() => model.forward(xTest.narrow(0, 0, n))).toTypedArrayAsync()));
const hits = await noGrad(() => argmax(model.forward(xTest), 1).eq(yTest).sum()).itemAsync();
const images = await xTest.toTypedArrayAsync();

// exportOnnx writes the weights, which it reads synchronously: a model on the GPU moves to the CPU
// (PyTorch users call model.cpu() the same way), the copies land, and the export's traced forward
// runs there with the CPU as the default backend.
let example = xTest.narrow(0, 0, 4);
if (getBackend() === 'webgpu') {
  model.to('js');
  example = example.to('js');
  await synchronize();
  setBackend('js');
}
const bytes = exportOnnx(model, [example], {
  inputNames: ['images'], outputNames: ['logits'], dynamicAxes: { images: { 0: 'batch' }, logits: { 0: 'batch' } },
});
mkdirSync(outDir, { recursive: true });
const file = join(outDir, 'digits-cnn.onnx');
writeFileSync(file, bytes);
console.log(`wrote ${file} (${bytes.length.toLocaleString('en-US')} bytes, opset 17)`);

const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all' });
let worst = 0;
for (const [j, n] of sizes.entries()) {
  const shape = [n, ...xTest.shape.slice(1)];
  const feeds = { images: new ort.Tensor('float32', (images as Float32Array).subarray(0, shape.reduce((a, b) => a * b, 1)), shape) };
  const theirs = (await session.run(feeds))['logits']!;
  const a = ours[j]!;
  const b = theirs.data as Float32Array;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i]! - b[i]!) / (1e-6 / 1e-5 + Math.abs(a[i]!)));
  worst = Math.max(worst, diff);
  console.log(`batch ${n}: ONNX Runtime output [${theirs.dims.join(', ')}], largest relative difference ${diff.toExponential(2)}`);
}
console.log(`test accuracy ${((100 * hits) / xTest.shape[0]!).toFixed(1)}%`);
if (!(worst <= 1e-5)) throw new Error(`outputs disagree: relative difference ${worst}`);
console.log('ONNX Runtime and adjoint agree (within 1e-5 relative)');
