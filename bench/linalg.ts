/**
 * Benchmarks of `linalg.cholesky`, `linalg.svd` and `linalg.eigh` (forward) at n = 256 in float64 against PyTorch
 * (LAPACK) on the same machine, in one run. JSON lines out: `{impl, workload, dtype, param, median_ms, reps}`;
 * PyTorch rows come from /usr/bin/python3 (skipped when it is absent). float32 cholesky and svd at n = 256 are
 * rows O4 and O5 of `npm run bench` (bench/run.ts: js and wasm backends, PyTorch, in the suite's format).
 *
 *   npx tsx bench/linalg.ts            adjoint (default backend) and PyTorch, n = 256
 *   npx tsx bench/linalg.ts --quick    n = 64, few repetitions
 *   npx tsx bench/linalg.ts --webgpu   the webgpu kernels (float32 only; batches of 1 and 64 matrices), then PyTorch
 *
 * Under --webgpu each timing ends with an async read (the GPU's only sync); on SwiftShader the numbers say
 * nothing about a real GPU.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { add, eye, getBackend, initWebGPU, linalg, manualSeed, matmul, mul, noGrad, randn, setBackend, transpose, type Tensor } from '../src/index.js';

const quick = process.argv.includes('--quick');
const webgpu = process.argv.includes('--webgpu');
const REPS = quick ? 3 : 5;
const N = quick ? 64 : 256;

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
const emit = (r: Record<string, unknown>): void => console.log(JSON.stringify(r));

async function medianAsync(f: () => Promise<unknown>, reps = REPS): Promise<number> {
  await f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)]!;
}

manualSeed(0);
if (webgpu) {
  const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
  if (process.env.VK_ICD_FILENAMES === undefined && existsSync(swiftshader)) process.env.VK_ICD_FILENAMES = swiftshader;
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  await initWebGPU();
  setBackend('webgpu');
  for (const batch of [1, 64]) {
    const shape = batch === 1 ? [N, N] : [batch, N, N];
    const x = randn(shape);
    const spd = add(matmul(x, transpose(x, -2, -1)), mul(eye(N), N));
    const runs: [string, () => Tensor][] = [
      ['linalg.cholesky', () => linalg.cholesky(spd)],
      ['linalg.solve', () => linalg.solve(spd, x)],
      ['linalg.qr', () => linalg.qr(x).R],
      ['linalg.eigh', () => linalg.eigh(spd).eigenvalues],
      ['linalg.svd', () => linalg.svd(x).S],
    ];
    for (const [workload, f] of runs) {
      const ms = await medianAsync(() => noGrad(f).toTypedArrayAsync());
      emit({ impl: 'adjoint-webgpu', workload, dtype: 'float32', param: N, batch, median_ms: ms, reps: REPS });
    }
  }
}
const impl = `adjoint-${getBackend()}`;
for (const dtype of webgpu ? [] : (['float64'] as const)) {
  const x = randn([N, N], { dtype });
  const spd = add(matmul(x, transpose(x, 0, 1)), mul(eye(N, { dtype }), N));
  noGrad(() => {
    emit({ impl, workload: 'linalg.cholesky', dtype, param: N, median_ms: median(() => sync(linalg.cholesky(spd))), reps: REPS });
    emit({ impl, workload: 'linalg.svd', dtype, param: N, median_ms: median(() => sync(linalg.svd(x).S)), reps: REPS });
    emit({ impl, workload: 'linalg.eigh', dtype, param: N, median_ms: median(() => sync(linalg.eigh(spd).eigenvalues)), reps: REPS });
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
n = ${N}
for dt, name in [(torch.float64, 'float64')] if ${webgpu ? 'False' : 'True'} else [(torch.float32, 'float32')]:
    x = torch.randn(n, n, dtype=dt)
    spd = x @ x.T + n * torch.eye(n, dtype=dt)
    with torch.no_grad():
        print(json.dumps({'impl': 'pytorch', 'workload': 'linalg.cholesky', 'dtype': name, 'param': n, 'median_ms': median(lambda: torch.linalg.cholesky(spd)), 'reps': ${REPS}}))
        print(json.dumps({'impl': 'pytorch', 'workload': 'linalg.svd', 'dtype': name, 'param': n, 'median_ms': median(lambda: torch.linalg.svd(x)), 'reps': ${REPS}}))
        print(json.dumps({'impl': 'pytorch', 'workload': 'linalg.eigh', 'dtype': name, 'param': n, 'median_ms': median(lambda: torch.linalg.eigh(spd)), 'reps': ${REPS}}))
`;
  try {
    for (const line of execFileSync(PY, ['-c', script], { encoding: 'utf8' }).trim().split('\n')) emit(JSON.parse(line) as Record<string, unknown>);
  } catch (e) {
    emit({ impl: 'pytorch', skipped: true, error: String(e).slice(0, 200) });
  }
}
