/**
 * A convolutional network for the UCI 8x8 handwritten digits (1,797 images):
 * a custom `nn.Module` with batch norm, pooling and dropout, trained with
 * Adam and a cosine schedule on an 80/20 split, then saved as safetensors
 * and loaded back into a fresh model. About 99% test accuracy in 10 epochs
 * (20-30 s on the js backend).
 *
 *   npx tsx examples/digits-cnn.ts               # writes out/digits-cnn.safetensors
 *   npx tsx examples/digits-cnn.ts --epochs 3
 *   npx tsx examples/digits-cnn.ts --quick       # or ADJOINT_EXAMPLE_QUICK=1
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Tensor, argmax, manualSeed, noGrad } from 'adjoint';
import { DataLoader, Subset, TensorDataset, digits, randomSplit } from 'adjoint/data';
import { loadSafetensors, saveSafetensors } from 'adjoint/io';
import * as nn from 'adjoint/nn';
import { Adam, CosineAnnealingLR } from 'adjoint/optim';

const { values } = parseArgs({ options: { epochs: { type: 'string' }, out: { type: 'string' }, quick: { type: 'boolean' } } });
const quick = values.quick === true || process.env['ADJOINT_EXAMPLE_QUICK'] === '1';
const epochs = Number(values.epochs ?? (quick ? 1 : 10));
const outDir = values.out ?? 'out';
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

function testAccuracy(m: DigitsNet): number {
  m.eval();
  const acc = noGrad(() => argmax(m.forward(xTest), 1).eq(yTest).to('float64').mean().item());
  m.train();
  return acc;
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
    if (epoch === 1 && step === 0) first = loss.item();
    sum += loss.item() * xb.shape[0]!;
    step++;
  }
  schedule.step();
  last = sum / train.length;
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`epoch ${String(epoch).padStart(2)}  loss ${last.toFixed(4)}  test accuracy ${(100 * testAccuracy(model)).toFixed(2)}%  ${secs}s`);
}
console.log(`loss ${first.toFixed(4)} -> ${last.toFixed(4)}`);

// Save the state dict (PyTorch's names: features.0.conv.weight, features.0.bn.running_mean, ...) and load it back.
const file = join(outDir, 'digits-cnn.safetensors');
saveSafetensors(file, model.stateDict(), { metadata: { format: 'pt' } });
const restored = new DigitsNet();
restored.loadStateDict(loadSafetensors(file));
const acc = testAccuracy(model);
console.log(`saved ${model.stateDict().size} tensors to ${file}; the restored model's test accuracy: ${(100 * testAccuracy(restored)).toFixed(2)}% (the trained one: ${(100 * acc).toFixed(2)}%)`);
