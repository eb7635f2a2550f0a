/**
 * A tiny character-level language model: a two-layer transformer (token and
 * position embeddings, causal multi-head self-attention, an MLP, layer norms)
 * trained to predict the next character of examples/data/gradient-garden.txt,
 * then sampled from.
 *
 *   npx tsx examples/char-lm.ts              # ~600 steps, about a minute on the js backend
 *   npx tsx examples/char-lm.ts --steps 200  # shorter
 *   npx tsx examples/char-lm.ts --quick      # a few steps, to check that it runs (or ADJOINT_EXAMPLE_QUICK=1)
 *   npx tsx examples/char-lm.ts --backend webgpu  # or js, wasm (default: the default backend)
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  Tensor, arange, getBackend, initWebGPU, manualSeed, noGrad, rand, randint, setBackend, softmax, tensor, type BackendName,
} from 'adjoint';
import * as nn from 'adjoint/nn';
import { AdamW, CosineAnnealingLR, clipGradNorm_ } from 'adjoint/optim';

const { values } = parseArgs({
  options: {
    steps: { type: 'string' }, quick: { type: 'boolean' }, seed: { type: 'string' }, chars: { type: 'string' }, backend: { type: 'string' },
  },
});
const quick = values.quick === true || process.env['ADJOINT_EXAMPLE_QUICK'] === '1';
const steps = Number(values.steps ?? (quick ? 15 : 600));
const sampleLength = Number(values.chars ?? (quick ? 80 : 400));
// Where the tensors live: the model, the batches and everything computed from them.
const backend = values.backend as BackendName | undefined;
if (backend === 'webgpu') await initWebGPU();
if (backend !== undefined) setBackend(backend);
console.log(`backend: ${getBackend()}`);
manualSeed(Number(values.seed ?? 0));

// ---- data: characters as int32 token ids ----
const text = readFileSync(new URL('./data/gradient-garden.txt', import.meta.url), 'utf8');
const vocab = [...new Set(text)].sort();
const id = new Map(vocab.map((c, i) => [c, i]));
const tokens = Int32Array.from(text, (c) => id.get(c)!);
const decode = (ids: Iterable<number>): string => Array.from(ids, (i) => vocab[i]).join('');

const CONTEXT = 32;
const WIDTH = 48;
const HEADS = 4;
const LAYERS = 2;
const BATCH = 32;

/** `BATCH` random windows of the text: inputs `[B, T]` and the next characters `[B, T]`. */
async function batch(): Promise<[Tensor, Tensor]> {
  const starts = await randint(0, tokens.length - CONTEXT - 1, [BATCH]).toTypedArrayAsync();
  const x = new Int32Array(BATCH * CONTEXT);
  const y = new Int32Array(BATCH * CONTEXT);
  starts.forEach((s, b) => {
    x.set(tokens.subarray(s, s + CONTEXT), b * CONTEXT);
    y.set(tokens.subarray(s + 1, s + CONTEXT + 1), b * CONTEXT);
  });
  return [tensor(x, { shape: [BATCH, CONTEXT] }), tensor(y, { shape: [BATCH, CONTEXT] })];
}

// ---- the model ----
/** Pre-norm transformer block: x + attention(norm(x)), then x + mlp(norm(x)). */
class Block extends nn.Module {
  norm1 = new nn.LayerNorm(WIDTH);
  attn = new nn.MultiheadAttention(WIDTH, HEADS, { batchFirst: true });
  norm2 = new nn.LayerNorm(WIDTH);
  mlp = new nn.Sequential(new nn.Linear(WIDTH, 4 * WIDTH), new nn.GELU(), new nn.Linear(4 * WIDTH, WIDTH));

  forward(x: Tensor): Tensor {
    const h = this.norm1.forward(x);
    const [a] = this.attn.forward(h, h, h, { isCausal: true, needWeights: false });
    const y = x.add(a);
    return y.add(this.mlp.forward(this.norm2.forward(y)));
  }
}

class TinyTransformer extends nn.Module {
  tokens = new nn.Embedding(vocab.length, WIDTH);
  positions = new nn.Embedding(CONTEXT, WIDTH);
  blocks = new nn.ModuleList(Array.from({ length: LAYERS }, () => new Block()));
  norm = new nn.LayerNorm(WIDTH);
  head = new nn.Linear(WIDTH, vocab.length);

  /** Logits `[B, T, vocab]` for token ids `[B, T]`. */
  forward(ids: Tensor): Tensor {
    const t = ids.shape[1]!;
    let x = this.tokens.forward(ids).add(this.positions.forward(arange(t, { dtype: 'int32' })));
    for (const block of this.blocks) x = block.forward(x);
    return this.head.forward(this.norm.forward(x));
  }
}

const model = new TinyTransformer();
model.apply((m) => {
  // GPT-2's initialisation: small normal weights, zero biases.
  if (m instanceof nn.Linear || m instanceof nn.Embedding) nn.init.normal_(m.weight, { std: 0.02 });
  if (m instanceof nn.Linear && m.bias) nn.init.zeros_(m.bias);
});
const parameters = model.parameters().reduce((s, p) => s + p.size, 0);
console.log(`text: ${tokens.length} characters, vocabulary of ${vocab.length}; model: ${parameters.toLocaleString('en-US')} parameters`);

// ---- training ----
const opt = new AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0.01 });
const schedule = new CosineAnnealingLR(opt, steps, { etaMin: 3e-4 });
const lossFn = new nn.CrossEntropyLoss();
const t0 = performance.now();
let first = NaN;
let recent: number[] = [];
for (let step = 1; step <= steps; step++) {
  const [x, y] = await batch();
  const logits = model.forward(x);
  const loss = lossFn.forward(logits.reshape([-1, vocab.length]), y.reshape([-1]));
  opt.zeroGrad();
  loss.backward();
  clipGradNorm_(model.parameters(), 1);
  opt.step();
  schedule.step();
  const l = await loss.itemAsync(); // the async readers work on every backend (item() cannot wait for a GPU)
  if (step === 1) first = l;
  recent.push(l);
  if (step % 50 === 0 || step === steps) {
    const avg = recent.reduce((a, b) => a + b, 0) / recent.length;
    console.log(`step ${String(step).padStart(4)}  loss ${avg.toFixed(4)}  ${((performance.now() - t0) / 1000).toFixed(1)}s`);
    recent = [];
  }
}
const final = await lossFnOnText();
console.log(`loss ${first.toFixed(4)} -> ${final.toFixed(4)} (uniform guessing: ${Math.log(vocab.length).toFixed(4)})`);

/** Mean loss over a few fixed windows, in eval mode. */
async function lossFnOnText(): Promise<number> {
  model.eval();
  const ids: number[] = [];
  const next: number[] = [];
  for (let s = 0; s + CONTEXT + 1 < tokens.length && ids.length < 16 * CONTEXT; s += 211) {
    ids.push(...tokens.subarray(s, s + CONTEXT));
    next.push(...tokens.subarray(s + 1, s + CONTEXT + 1));
  }
  const n = ids.length / CONTEXT;
  const l = noGrad(() => lossFn.forward(
    model.forward(tensor(ids, { shape: [n, CONTEXT], dtype: 'int32' })).reshape([-1, vocab.length]),
    tensor(next, { dtype: 'int32' }),
  ));
  model.train();
  return l.itemAsync();
}

// ---- sampling ----
/** Continues `prompt` by `length` characters, sampling at `temperature` from the seeded RNG. */
async function sample(prompt: string, length: number, temperature = 0.8): Promise<string> {
  model.eval();
  const out = Array.from(prompt, (c) => id.get(c) ?? 0);
  for (let i = 0; i < length; i++) {
    const window = out.slice(-CONTEXT);
    // The next character's probabilities and a uniform draw, both from the default backend
    // (float32: a GPU has no float64), read together.
    const [probs, draw] = noGrad(() => {
      const logits = model.forward(tensor(window, { shape: [1, window.length], dtype: 'int32' }));
      const last = logits.narrow(1, window.length - 1, 1).reshape([vocab.length]);
      return [softmax(last.div(temperature), 0), rand([1])];
    });
    const p = await probs.toTypedArrayAsync();
    let u = await draw.itemAsync();
    let k = 0;
    while (k < p.length - 1 && u >= p[k]!) u -= p[k++]!;
    out.push(k);
  }
  model.train();
  return decode(out);
}

console.log('\nsample:');
console.log(await sample('The gardener ', sampleLength));
