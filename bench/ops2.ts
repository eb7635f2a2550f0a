/**
 * Benchmarks of two composite ops of the second op set against PyTorch on the same machine, in one run:
 * `einsum('bij,bjk->bik')` against `matmul` (the overhead of einsum's parsing, permutes and reshapes over the
 * batched matmul it lowers to) and `convTranspose2d` forward + backward (col2im of a matmul). JSON lines out:
 * `{impl, workload, param, median_ms, reps}`; PyTorch rows come from /usr/bin/python3 (skipped when it is absent).
 *
 *   npx tsx bench/ops2.ts            adjoint (default backend) and PyTorch
 *   npx tsx bench/ops2.ts --quick    small sizes, few repetitions
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { einsum, getBackend, manualSeed, matmul, noGrad, randn, type Tensor } from '../src/index.js';
import { convTranspose2d } from '../src/nn/functional/index.js';

const quick = process.argv.includes('--quick');
const REPS = quick ? 3 : 15;

function median(f: () => void, reps = REPS): number {
  f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)]!;
}

const sync = (t: Tensor): void => void t.toTypedArray();
const rows: Record<string, unknown>[] = [];
const emit = (r: Record<string, unknown>): void => {
  rows.push(r);
  console.log(JSON.stringify(r));
};

manualSeed(0);
const impl = `adjoint-${getBackend()}`;
for (const n of quick ? [64] : [128, 256]) {
  const a = randn([8, n, n]);
  const b = randn([8, n, n]);
  noGrad(() => {
    emit({ impl, workload: 'bmm via matmul', param: n, median_ms: median(() => sync(matmul(a, b))), reps: REPS });
    emit({ impl, workload: "einsum('bij,bjk->bik')", param: n, median_ms: median(() => sync(einsum('bij,bjk->bik', a, b))), reps: REPS });
  });
}
for (const c of quick ? [8] : [16, 32]) {
  const x = randn([8, c, 16, 16], { requiresGrad: true });
  const w = randn([c, c, 4, 4], { requiresGrad: true });
  emit({
    impl, workload: 'convTranspose2d k4 s2 p1 fwd+bwd', param: c, reps: REPS,
    median_ms: median(() => {
      convTranspose2d(x, w, null, { stride: 2, padding: 1 }).sum().backward();
      sync(w.grad!);
    }),
  });
}

const PY = '/usr/bin/python3';
if (existsSync(PY)) {
  const script = `
import json, time, torch
torch.manual_seed(0)
torch.set_num_threads(${process.env.BENCH_THREADS ?? 2})
def median(f, reps=${REPS}):
    f(); ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); f(); ts.append((time.perf_counter() - t0) * 1e3)
    ts.sort(); return ts[len(ts) // 2]
for n in ${JSON.stringify(quick ? [64] : [128, 256])}:
    a, b = torch.randn(8, n, n), torch.randn(8, n, n)
    with torch.no_grad():
        print(json.dumps({'impl': 'pytorch', 'workload': 'bmm via matmul', 'param': n, 'median_ms': median(lambda: torch.matmul(a, b)), 'reps': ${REPS}}))
        print(json.dumps({'impl': 'pytorch', 'workload': "einsum('bij,bjk->bik')", 'param': n, 'median_ms': median(lambda: torch.einsum('bij,bjk->bik', a, b)), 'reps': ${REPS}}))
for c in ${JSON.stringify(quick ? [8] : [16, 32])}:
    x = torch.randn(8, c, 16, 16, requires_grad=True); w = torch.randn(c, c, 4, 4, requires_grad=True)
    def step():
        x.grad = None; w.grad = None
        torch.nn.functional.conv_transpose2d(x, w, None, stride=2, padding=1).sum().backward()
    print(json.dumps({'impl': 'pytorch', 'workload': 'convTranspose2d k4 s2 p1 fwd+bwd', 'param': c, 'median_ms': median(step), 'reps': ${REPS}}))
`;
  try {
    for (const line of execFileSync(PY, ['-c', script], { encoding: 'utf8' }).trim().split('\n')) emit(JSON.parse(line) as Record<string, unknown>);
  } catch (e) {
    emit({ impl: 'pytorch', skipped: true, error: String(e).slice(0, 200) });
  }
}
