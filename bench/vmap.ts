/**
 * Per-sample gradients (`vmap(grad)`) of the W4 MLP of BENCHMARKS.md (784→256→256→10, relu,
 * weights [in, out], softmax cross-entropy) for 128 examples: `vmap(grad(loss), {inDims: [null, 0, 0]})`
 * against a loop of 128 `grad` calls, on adjoint's js and wasm backends, and against PyTorch 1.13's
 * `functorch.vmap(functorch.grad(loss))` on CPU (`/usr/bin/python3`, 2 threads), in one run. One JSON
 * line per implementation: median, min and max milliseconds over the timed runs after one warm-up.
 * Each run reads one element of the w0 gradient (not all 103 MB of it, which PyTorch's row does not copy either).
 *
 *   npm run bench:vmap            128 examples, 5 runs
 *   npm run bench:vmap -- --quick 16 examples, 3 runs
 */
import { spawnSync } from 'node:child_process';
import type { Tensor } from '../src/index.js';

const { grad, manualSeed, rand, setBackend, tensor, vmap, zeros, initWasm } = await import('../src/index.js');
const F = await import('../src/nn/functional/index.js');

const quick = process.argv.includes('--quick');
const [batch, runs] = quick ? [16, 3] : [128, 5];
const SIZES = [784, 256, 256, 10];

function stats(ms: number[]): { median_ms: number; min_ms: number; max_ms: number } {
  const s = [...ms].sort((a, b) => a - b);
  const r = (x: number): number => Math.round(x * 100) / 100;
  return { median_ms: r(s[Math.floor(s.length / 2)]!), min_ms: r(s[0]!), max_ms: r(s[s.length - 1]!) };
}

function time(step: () => void): number[] {
  const ms: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    step();
    if (i > 0) ms.push(performance.now() - t0);
  }
  return ms;
}

type Params = Record<string, Tensor>;

/** Reads one element of `t` (the result is computed; copying all of its 103 MB out is not part of the work timed, nor of PyTorch's). */
const touch = (t: Tensor): number => t.reshape([-1]).narrow(0, 0, 1).toTypedArray()[0]!;
const loss = (ps: Params, x: Tensor, y: Tensor): Tensor => {
  let h = x.unsqueeze(0);
  for (let l = 0; l < 3; l++) {
    h = h.matmul(ps[`w${l}`]!).add(ps[`b${l}`]!);
    if (l < 2) h = h.relu();
  }
  return F.crossEntropy(h, y.unsqueeze(0));
};

function adjointRows(backend: 'js' | 'wasm'): Record<string, unknown>[] {
  try {
    setBackend(backend);
  } catch (e) {
    return [{ impl: `adjoint-${backend}`, error: (e as Error).message }];
  }
  manualSeed(3);
  const X = rand([batch, 784]).mul(2).sub(1);
  const Y = tensor(Array.from({ length: batch }, (_, i) => i % 10), { dtype: 'int32' });
  manualSeed(4);
  const ps: Params = {};
  for (let l = 0; l < 3; l++) {
    ps[`w${l}`] = rand([SIZES[l]!, SIZES[l + 1]!]).mul(2).sub(1).div(Math.sqrt(SIZES[l]!));
    ps[`b${l}`] = zeros([SIZES[l + 1]!]);
  }
  const perSample = vmap(grad(loss), { inDims: [null, 0, 0] });
  const vm = time(() => {
    const g = perSample(ps, X, Y) as unknown as Params;
    touch(g.w0!);
  });
  const g1 = grad(loss);
  const loop = time(() => {
    for (let i = 0; i < batch; i++) {
      const g = g1(ps, X.narrow(0, i, 1).squeeze(0), Y.narrow(0, i, 1).squeeze(0)) as unknown as Params;
      touch(g.w0!);
    }
  });
  return [
    { impl: `adjoint-${backend}`, method: 'vmap(grad)', ...stats(vm) },
    { impl: `adjoint-${backend}`, method: `loop of ${batch} grad`, ...stats(loop) },
  ];
}

const PY = `
import json, time, torch, functorch
import torch.nn.functional as F
torch.set_num_threads(2)
batch, runs, sizes = ${batch}, ${runs}, ${JSON.stringify(SIZES)}
torch.manual_seed(3)
X = torch.rand(batch, 784) * 2 - 1
Y = torch.arange(batch) % 10
ps = {}
for l in range(3):
    ps[f"w{l}"] = (torch.rand(sizes[l], sizes[l + 1]) * 2 - 1) / sizes[l] ** 0.5
    ps[f"b{l}"] = torch.zeros(sizes[l + 1])
def loss(ps, x, y):
    h = x.unsqueeze(0)
    for l in range(3):
        h = h @ ps[f"w{l}"] + ps[f"b{l}"]
        if l < 2:
            h = h.relu()
    return F.cross_entropy(h, y.unsqueeze(0))
per_sample = functorch.vmap(functorch.grad(loss), in_dims=(None, 0, 0))
ms = []
for i in range(runs + 1):
    t0 = time.perf_counter()
    g = per_sample(ps, X, Y)
    if i > 0:
        ms.append((time.perf_counter() - t0) * 1000)
print(json.dumps(ms))
`;

function torchRow(): Record<string, unknown> {
  const r = spawnSync('/usr/bin/python3', ['-c', PY], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) return { impl: 'pytorch', error: (r.stderr || String(r.error)).trim().split('\n').pop() };
  return { impl: 'pytorch', method: 'functorch.vmap(grad)', threads: 2, ...stats(JSON.parse(r.stdout.trim()) as number[]) };
}

await initWasm().catch(() => undefined);
const shape = { bench: 'per_sample_grad_w4', batch, sizes: SIZES, dtype: 'float32', runs };
for (const row of [...adjointRows('js'), ...adjointRows('wasm'), torchRow()]) console.log(JSON.stringify({ ...shape, ...row }));
