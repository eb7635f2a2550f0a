/**
 * LSTM training step benchmark: forward + backward of `nn.LSTM(256, 256)` on a float32 sequence
 * [32, 32, 256] (seq, batch, features), loss `out.sum() + hN.sum()`, on adjoint's js and wasm backends
 * and on PyTorch 1.13 CPU (`/usr/bin/python3`, 2 threads) in the same run. One JSON line per
 * implementation: median, min and max milliseconds over the timed runs after one warm-up run.
 *
 *   npx tsx bench/lstm.ts              seq 32, batch 32, hidden 256, 5 runs
 *   npx tsx bench/lstm.ts --quick      seq 8, batch 8, hidden 64, 3 runs
 */
import { spawnSync } from 'node:child_process';

const { manualSeed, randn, setBackend } = await import('../src/index.js');
const { LSTM } = await import('../src/nn/index.js');

const quick = process.argv.includes('--quick');
const [seq, batch, hidden, runs] = quick ? [8, 8, 64, 3] : [32, 32, 256, 5];

function stats(ms: number[]): { median_ms: number; min_ms: number; max_ms: number } {
  const s = [...ms].sort((a, b) => a - b);
  const r = (x: number): number => Math.round(x * 100) / 100;
  return { median_ms: r(s[Math.floor(s.length / 2)]!), min_ms: r(s[0]!), max_ms: r(s[s.length - 1]!) };
}

function adjointRow(backend: 'js' | 'wasm'): Record<string, unknown> {
  try {
    setBackend(backend);
  } catch (e) {
    return { impl: `adjoint-${backend}`, error: (e as Error).message };
  }
  manualSeed(0);
  const lstm = new LSTM(hidden, hidden);
  const x = randn([seq, batch, hidden]);
  const step = (): void => {
    lstm.zeroGrad();
    const [out, [hN]] = lstm.forward(x);
    out.sum().add(hN.sum()).backward();
    void lstm.parameters()[0]!.grad!.toTypedArray()[0]; // wait for the result
  };
  const ms: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    step();
    if (i > 0) ms.push(performance.now() - t0);
  }
  return { impl: `adjoint-${backend}`, ...stats(ms) };
}

const PY = `
import json, sys, time, torch
torch.set_num_threads(2)
seq, batch, hidden, runs = ${seq}, ${batch}, ${hidden}, ${runs}
torch.manual_seed(0)
lstm = torch.nn.LSTM(hidden, hidden)
x = torch.randn(seq, batch, hidden)
ms = []
for i in range(runs + 1):
    t0 = time.perf_counter()
    lstm.zero_grad(set_to_none=True)
    out, (h, c) = lstm(x)
    (out.sum() + h.sum()).backward()
    if i > 0:
        ms.append((time.perf_counter() - t0) * 1000)
print(json.dumps(ms))
`;

function torchRow(): Record<string, unknown> {
  const r = spawnSync('/usr/bin/python3', ['-c', PY], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) return { impl: 'pytorch', error: (r.stderr || String(r.error)).trim().split('\n').pop() };
  return { impl: 'pytorch', threads: 2, ...stats(JSON.parse(r.stdout.trim()) as number[]) };
}

const shape = { bench: 'lstm_step', seq, batch, input: hidden, hidden, dtype: 'float32', runs };
for (const row of [adjointRow('js'), adjointRow('wasm'), torchRow()]) console.log(JSON.stringify({ ...shape, ...row }));
