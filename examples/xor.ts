/**
 * XOR three ways up the stack: raw tensors with autograd, then the same
 * network as an `nn.Module`, trained with an optimizer.
 *
 *   npx tsx examples/xor.ts
 *   npx tsx examples/xor.ts --steps 100
 *   npx tsx examples/xor.ts --backend webgpu  # or js, wasm (default: the default backend)
 *   npx tsx examples/xor.ts --quick        # or ADJOINT_EXAMPLE_QUICK=1
 */
import { parseArgs } from 'node:util';
import { Tensor, getBackend, initWebGPU, manualSeed, noGrad, randn, setBackend, sigmoid, tensor, zeros, type BackendName } from 'adjoint';
import * as nn from 'adjoint/nn';
import { Adam } from 'adjoint/optim';

const { values } = parseArgs({ options: { steps: { type: 'string' }, quick: { type: 'boolean' }, backend: { type: 'string' } } });
const quick = values.quick === true || process.env['ADJOINT_EXAMPLE_QUICK'] === '1';
const steps = Number(values.steps ?? (quick ? 60 : 500));
// Where the tensors live: every tensor made below is made on the default backend.
const backend = values.backend as BackendName | undefined;
if (backend === 'webgpu') await initWebGPU();
if (backend !== undefined) setBackend(backend);
console.log(`backend: ${getBackend()}`);
manualSeed(0);

// The truth table.
const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const y = tensor([[0], [1], [1], [0]]);

// ---- 1. Tensors and autograd only: parameters are leaves, the update is by hand. ----
const w1 = randn([2, 8]).mul(0.7).requiresGrad_();
const b1 = zeros([8]).requiresGrad_();
const w2 = randn([8, 1]).mul(0.4).requiresGrad_();
const b2 = zeros([1]).requiresGrad_();
const forward = (input: Tensor): Tensor => input.matmul(w1).add(b1).tanh().matmul(w2).add(b2);

// The losses stay tensors until the end: reading one waits for the device (a GPU) to catch up.
let rawFirst: Tensor | undefined;
let rawLast: Tensor | undefined;
for (let step = 0; step < steps; step++) {
  const loss = forward(x).sub(y).square().mean();
  for (const p of [w1, b1, w2, b2]) p.grad = null;
  loss.backward();
  noGrad(() => {
    for (const p of [w1, b1, w2, b2]) p.sub_(p.grad!.mul(0.2));
  });
  if (step === 0) rawFirst = loss;
  rawLast = loss;
}
// The async readers work on every backend (the synchronous item() cannot wait for a GPU).
console.log(`tensors + autograd (gradient descent, lr 0.2): mse ${(await rawFirst!.itemAsync()).toFixed(4)} -> ${(await rawLast!.itemAsync()).toFixed(4)}`);

// ---- 2. The same network as an nn.Module, with Adam and a loss module. ----
class XorNet extends nn.Module {
  hidden = new nn.Linear(2, 8);
  out = new nn.Linear(8, 1);

  forward(input: Tensor): Tensor {
    return this.out.forward(this.hidden.forward(input).tanh()); // logits
  }
}

const net = new XorNet();
console.log(String(net));
const opt = new Adam(net.parameters(), { lr: 0.05 });
const lossFn = new nn.BCEWithLogitsLoss();
let first: Tensor | undefined;
let last: Tensor | undefined;
for (let step = 0; step < steps; step++) {
  opt.zeroGrad();
  const loss = lossFn.forward(net.forward(x), y);
  loss.backward();
  opt.step();
  if (step === 0) first = loss;
  last = loss;
  if (!quick && step % 100 === 0) console.log(`step ${String(step).padStart(3)}  bce ${(await loss.itemAsync()).toFixed(4)}`);
}
console.log(`loss ${(await first!.itemAsync()).toFixed(4)} -> ${(await last!.itemAsync()).toFixed(4)}`);

net.eval();
const p = await noGrad(() => sigmoid(net.forward(x))).toTypedArrayAsync();
const rows = [[0, 0], [0, 1], [1, 0], [1, 1]];
console.log('\n a  b | a xor b | P(1)');
rows.forEach(([a, b], i) => console.log(` ${a}  ${b} |    ${a! ^ b!}    | ${p[i]!.toFixed(3)}`));
const correct = rows.filter(([a, b], i) => (p[i]! > 0.5 ? 1 : 0) === (a! ^ b!)).length;
console.log(`\n${correct}/4 correct`);
