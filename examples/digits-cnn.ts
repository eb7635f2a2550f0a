/**
 * A convolutional network for the UCI 8x8 handwritten digits (1,797 images):
 * a custom `nn.Module` with batch norm, pooling and dropout, trained with
 * Adam and a cosine schedule on an 80/20 split, then saved as safetensors
 * and loaded back into a fresh model. About 99% test accuracy in 10 epochs
 * (20-30 s on the js backend).
 *
 *   npx tsx examples/digits-cnn.ts               # writes out/digits-cnn.safetensors
 *   npx tsx examples/digits-cnn.ts --epochs 3
 *   npx tsx examples/digits-cnn.ts --backend webgpu  # or js, wasm (default: the default backend)
 *   npx tsx examples/digits-cnn.ts --quick       # or ADJOINT_EXAMPLE_QUICK=1
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Tensor, argmax, getBackend, initWebGPU, manualSeed, noGrad, setBackend, synchronize, type BackendName } from 'adjoint';
import { DataLoader, Subset, TensorDataset, digits, randomSplit } from 'adjoint/data';
import { loadSafetensors, saveSafetensors } from 'adjoint/io';
import * as nn from 'adjoint/nn';
import { Adam, CosineAnnealingLR } from 'adjoint/optim';

const { values } = parseArgs({
  options: { epochs: { type: 'string' }, out: { type: 'string' }, quick: { type: 'boolean' }, backend: { type: 'string' } },
});
const quick = values.quick === true || process.env['ADJOINT_EXAMPLE_QUICK'] === '1';
const epochs = Number(values.epochs ?? (quick ? 1 : 10));
const outDir = values.out ?? 'out';
// Where the tensors live: the images, the model and everything computed from them.
const backend = values.backend as BackendName | undefined;
if (backend === 'webgpu') await initWebGPU();
if (backend !== undefined) setBackend(backend);
console.log(`backend: ${getBackend()}`);
manualSeed(0);

/** conv → batch norm → relu. */
class ConvBlock extends nn.Module {
  conv: nn.Conv2d;
  bn: nn.BatchNorm2d;

  constructor(cin: number, cout: number) {
    super();
    this.conv = new nn.Conv2d(cin, cout, 3, { padding: 1 });
    this.bn = new nn.BatchNorm2d(cout);
  }

  forward(x: Tensor): Tensor {
    return this.bn.forward(this.conv.forward(x)).relu();
  }
}

class DigitsNet extends nn.Module {
  features = new nn.Sequential(
    new ConvBlock(1, 32), new ConvBlock(32, 32), new nn.MaxPool2d(2), // [N, 32, 4, 4]
    new ConvBlock(32, 64), new nn.MaxPool2d(2), // [N, 64, 2, 2]
  );
  classifier = new nn.Sequential(new nn.Flatten(), new nn.Dropout(0.3), new nn.Linear(64 * 2 * 2, 10));

  forward(images: Tensor): Tensor {
    return this.classifier.forward(this.features.forward(images));
  }
}

const data = digits();
const all = new TensorDataset(data.images, data.y); // images [1797, 1, 8, 8] in [0, 1], labels int32
const [trainFull, test] = randomSplit(all, [0.8, 0.2], { seed: 0 });
const train = quick ? new Subset(trainFull!, Array.from({ length: 320 }, (_, i) => i)) : trainFull!;
const [xTest, yTest] = test!.getBatch(Array.from({ length: test!.length }, (_, i) => i)) as [Tensor, Tensor];

const model = new DigitsNet();
console.log(String(model));
console.log(`${model.parameters().reduce((s, p) => s + p.size, 0).toLocaleString('en-US')} parameters; ${train.length} training / ${test!.length} test images`);

const opt = new Adam(model.parameters(), { lr: 0.005 });
const schedule = new CosineAnnealingLR(opt, epochs);
const lossFn = new nn.CrossEntropyLoss();
const loader = new DataLoader(train, { batchSize: 64, shuffle: true, seed: 0 });

/** The fraction of the test images classified right, in eval mode (read asynchronously: that works on every backend). */
async function testAccuracy(m: DigitsNet): Promise<number> {
  m.eval();
  const hits = noGrad(() => argmax(m.forward(xTest), 1).eq(yTest).sum());
  m.train();
  return (await hits.itemAsync()) / yTest.shape[0]!;
}

const t0 = performance.now();
let first = NaN;
let last = NaN;
for (let epoch = 1; epoch <= epochs; epoch++) {
  let sum = 0;
  let step = 0;
  for (const [xb, yb] of loader) {
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(xb), yb);
    loss.backward();
    opt.step();
    const l = await loss.itemAsync();
    if (epoch === 1 && step === 0) first = l;
    sum += l * xb.shape[0]!;
    step++;
  }
  schedule.step();
  last = sum / train.length;
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`epoch ${String(epoch).padStart(2)}  loss ${last.toFixed(4)}  test accuracy ${(100 * (await testAccuracy(model))).toFixed(2)}%  ${secs}s`);
}
console.log(`loss ${first.toFixed(4)} -> ${last.toFixed(4)}`);

// Save the state dict (PyTorch's names: features.0.conv.weight, features.0.bn.running_mean, ...) and load it back.
// safetensors writes bytes it reads synchronously: tensors on a GPU are copied to the CPU first
// (PyTorch's `{k: v.cpu() for k, v in ...}`), and the copies land before they are saved.
const file = join(outDir, 'digits-cnn.safetensors');
const onCpu = new Map([...model.stateDict()].map(([name, t]) => [name, t.backend === 'webgpu' ? t.to('js') : t]));
await synchronize();
saveSafetensors(file, onCpu, { metadata: { format: 'pt' } });
const restored = new DigitsNet(); // on the default backend, like the tensors that loadSafetensors makes
restored.loadStateDict(loadSafetensors(file));
const acc = await testAccuracy(model);
console.log(`saved ${onCpu.size} tensors to ${file}; the restored model's test accuracy: ${(100 * (await testAccuracy(restored))).toFixed(2)}% (the trained one: ${(100 * acc).toFixed(2)}%)`);
