/**
 * Kernel benchmark: float32 square matmul (W3 of shared/BENCHMARKS.md) in GFLOP/s = 2n³ / time,
 * on the js backend, the wasm backend on one thread and on all threads, each with relaxed SIMD
 * (fused multiply-add) off and on. One JSON line per (configuration, n); median of at least 5
 * timed runs after a warm-up run.
 *
 *   node --expose-gc --import tsx bench/kernels.ts            n = 128 … 2048 (js up to 1024)
 *   node --expose-gc --import tsx bench/kernels.ts --quick    n = 128 … 512
 *   node --expose-gc --import tsx bench/kernels.ts --js-max 2048
 *   node --expose-gc --import tsx bench/kernels.ts --no-js      (wasm only)
 *
 * Relaxed SIMD is on by default where the runtime has it (adjoint sets the V8 flag Node 20
 * needs); `setWasmOptions({ relaxed })` switches between the variants in one process.
 * For n ≥ 512 it yields to the event loop after a `gc()` (with --expose-gc) between runs, so
 * that the previous output returns to the pool, as in a program that awaits; without it
 * every run would touch fresh pages (or evict the previous outputs to the JS heap).
 */
const { matmul, noGrad, setBackend, tensor } = await import('../src/index.js');
const { setWasmOptions, wasmInfo, wasmThreadsReady } = await import('../src/backend/index.js');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jsMaxArg = args.indexOf('--js-max');
const jsMax = jsMaxArg >= 0 ? Number(args[jsMaxArg + 1]) : quick ? 512 : 1024;
const sizes = quick ? [128, 256, 512] : [128, 256, 512, 1024, 2048];
const gc = (globalThis as { gc?: () => void }).gc;

/** The LRU generator of BENCHMARKS.md: uniform(-1, 1) in row-major order. */
function uniform(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (2 * (s / 2 ** 32) - 1) * 1;
  }
  return out;
}

const settle = async (): Promise<void> => {
  gc?.();
  await new Promise((r) => setImmediate(r));
};

async function time(n: number, minRuns: number, budgetMs: number): Promise<{ median: number; runs: number }> {
  const a = tensor(uniform(n * n, 1), { shape: [n, n] });
  const b = tensor(uniform(n * n, 2), { shape: [n, n] });
  const run = (): number => {
    const t0 = performance.now();
    noGrad(() => matmul(a, b));
    return performance.now() - t0;
  };
  run();
  await settle();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns || (performance.now() - start < budgetMs && times.length < 200)) {
    times.push(run());
    // Let big outputs return to the pool between runs (small ones: the pool and the
    // residency limit cope, and a GC between runs would let the worker threads fall asleep).
    if (n >= 512) await settle();
  }
  times.sort((x, y) => x - y);
  return { median: times[times.length >> 1]!, runs: times.length };
}

interface Config {
  backend: 'js' | 'wasm';
  threads: number;
  relaxed: boolean;
}

const cores = wasmInfo().threads;
const configs: Config[] = args.includes('--no-js') ? [] : [{ backend: 'js', threads: 1, relaxed: false }];
for (const threads of [...new Set([1, cores])]) {
  for (const relaxed of wasmInfo().relaxedAvailable ? [false, true] : [false]) configs.push({ backend: 'wasm', threads, relaxed });
}

console.log(JSON.stringify({ bench: 'kernels', node: process.version, cores, relaxedAvailable: wasmInfo().relaxedAvailable, sharedMemory: wasmInfo().sharedMemory }));
for (const c of configs) {
  setBackend(c.backend);
  if (c.backend === 'wasm') {
    setWasmOptions({ threads: c.threads, relaxed: c.relaxed });
    await wasmThreadsReady();
  }
  for (const n of sizes) {
    if (c.backend === 'js' && n > jsMax) continue;
    const { median, runs } = await time(n, 5, c.backend === 'js' ? 0 : 1000);
    const gflops = (2 * n ** 3) / (median * 1e6);
    console.log(JSON.stringify({ bench: 'matmul', dtype: 'float32', ...c, n, median_ms: Math.round(median * 1000) / 1000, runs, gflops: Math.round(gflops * 10) / 10 }));
  }
}
