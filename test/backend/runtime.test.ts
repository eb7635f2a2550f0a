/**
 * The wasm backend's runtime: GEMMs on worker threads (bit-identical to one
 * thread), the pooled allocator (size classes, reuse, eviction to the JS heap
 * and back, the FinalizationRegistry), tensors crossing backends, and whole
 * training steps agreeing with the js backend.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  jsBackend, setWasmOptions, stopWasmThreads, wasmBackend, wasmInfo, wasmThreadsReady, type DType, type View,
} from '../../src/backend/index.js';
import { WASM_ELEMENTWISE_THREAD_MIN } from '../../src/backend/wasm/index.js';
import { sizeClass } from '../../src/backend/wasm/memory.js';
import { runParallel } from '../../src/backend/wasm/threads.js';
import { getBackend, logSoftmax, manualSeed, matmul, noGrad, randn, setBackend, tensor, type Tensor } from '../../src/index.js';
import { EXACT, expectAgree, pair, readBoth, rng, whole } from './helpers.js';

const uniform = (seed: number) => {
  const r = rng(seed);
  return () => 2 * r() - 1;
};

/** Runs `f` with `backend` selected, restoring the previous one. */
function on<T>(backend: 'js' | 'wasm', f: () => T): T {
  const before = getBackend();
  setBackend(backend);
  try {
    return f();
  } finally {
    setBackend(before);
  }
}

describe('threads', () => {
  afterAll(() => {
    setWasmOptions({ threads: 2 });
    stopWasmThreads();
  });

  it('splits big GEMMs over workers with results identical to one thread', async () => {
    setWasmOptions({ threads: 2 });
    expect(await wasmThreadsReady()).toBe(true);
    expect(wasmInfo().readyWorkers).toBe(1);
    const cases: { dtype: DType; batch: number[]; n: number; k: number; m: number; la: 'contiguous' | 'transposed'; lb: 'contiguous' | 'transposed' }[] = [
      { dtype: 'float32', batch: [], n: 200, k: 300, m: 150, la: 'contiguous', lb: 'contiguous' },
      { dtype: 'float32', batch: [], n: 37, k: 130, m: 701, la: 'transposed', lb: 'contiguous' }, // split by columns
      { dtype: 'float64', batch: [], n: 130, k: 257, m: 99, la: 'contiguous', lb: 'transposed' },
      { dtype: 'float32', batch: [6], n: 64, k: 100, m: 80, la: 'contiguous', lb: 'transposed' }, // whole matrices per thread
      { dtype: 'float32', batch: [3], n: 90, k: 100, m: 70, la: 'transposed', lb: 'contiguous' },
    ];
    for (const c of cases) {
      const a = pair(c.dtype, [...c.batch, c.n, c.k], c.la, uniform(1));
      const b = pair(c.dtype, [...c.batch, c.k, c.m], c.lb, uniform(2));
      const read = (s: ReturnType<typeof wasmBackend.matmul>) => wasmBackend.read({ storage: s, shape: [s.length], strides: [1], offset: 0 });
      setWasmOptions({ threads: 2 });
      const before = wasmInfo().stats.parallelCalls;
      const two = read(wasmBackend.matmul(a.wasm, b.wasm, c.dtype));
      expect(wasmInfo().stats.parallelCalls, `${JSON.stringify(c)} ran on the worker`).toBe(before + 1);
      setWasmOptions({ threads: 1 });
      const one = read(wasmBackend.matmul(a.wasm, b.wasm, c.dtype));
      expectAgree(two, one, EXACT, `threads 2 vs 1 ${JSON.stringify(c)}`);
      const js = jsBackend.matmul(a.js, b.js, c.dtype);
      const ref = jsBackend.read({ storage: js, shape: [js.length], strides: [1], offset: 0 });
      expectAgree(one, ref, c.dtype === 'float64' ? EXACT : { rtol: 1e-5, atol: 1e-4 }, `vs js ${JSON.stringify(c)}`);
    }
  });

  it('runs the share of a worker that failed on the calling thread, and replaces the worker', async () => {
    setWasmOptions({ threads: 2 });
    expect(await wasmThreadsReady()).toBe(true);
    // A job whose pointers are out of bounds traps in the worker: the caller gets its list back.
    const bad = [0, 2 ** 31 - 64, 1, 1, 0, 1, 1, 0, 1, 4, 4, 8];
    const ranHere: number[][] = [];
    runParallel([[], bad], false, (words) => {
      // The caller's own (empty) share: give the worker time to claim its list and fail
      // (a list still unclaimed at the end of this share would be taken back instead).
      const t0 = performance.now();
      while (words.length === 0 && wasmInfo().readyWorkers > 0 && performance.now() - t0 < 2000);
      ranHere.push(words);
    });
    expect(ranHere).toEqual([[], bad]);
    expect(wasmInfo().readyWorkers).toBe(0);
    expect(await wasmThreadsReady()).toBe(true);
    const a = pair('float32', [150, 150], 'contiguous', uniform(5));
    const before = wasmInfo().stats.parallelCalls;
    const r = wasmBackend.matmul(a.wasm, a.wasm, 'float32');
    expect(wasmInfo().stats.parallelCalls).toBe(before + 1);
    const ref = jsBackend.matmul(a.js, a.js, 'float32');
    expectAgree(wasmBackend.read({ storage: r, shape: [r.length], strides: [1], offset: 0 }), jsBackend.read({ storage: ref, shape: [ref.length], strides: [1], offset: 0 }), { rtol: 1e-5, atol: 1e-4 }, 'after replacement');
  });

  it('takes back the share of a sleeping worker, and runs every posted list exactly once', async () => {
    setWasmOptions({ threads: 2 });
    expect(await wasmThreadsReady()).toBe(true);
    const a = pair('float32', [72, 72], 'contiguous', uniform(6));
    const b = pair('float32', [72, 72], 'transposed', uniform(7));
    const read = (s: ReturnType<typeof wasmBackend.matmul>) => wasmBackend.read({ storage: s, shape: [s.length], strides: [1], offset: 0 });
    setWasmOptions({ threads: 1 });
    const one = read(wasmBackend.matmul(a.wasm, b.wasm, 'float32'));
    setWasmOptions({ threads: 2 });
    const s0 = { ...wasmInfo().stats };
    for (let i = 0; i < 20; i++) {
      // Past the worker's spin it sleeps: waking it takes longer than the caller's ~10 µs share.
      if (i % 2 === 0) await new Promise((r) => setTimeout(r, 20));
      expectAgree(read(wasmBackend.matmul(a.wasm, b.wasm, 'float32')), one, EXACT, `call ${i}`);
    }
    const s1 = wasmInfo().stats;
    expect(s1.parallelCalls - s0.parallelCalls).toBe(20);
    expect(s1.workerJobs - s0.workerJobs + (s1.takenBack - s0.takenBack)).toBe(20);
    expect(s1.takenBack - s0.takenBack).toBeGreaterThan(0);
  });

  it('keeps small GEMMs on the calling thread', async () => {
    setWasmOptions({ threads: 2 });
    await wasmThreadsReady();
    const before = wasmInfo().stats.parallelCalls;
    const a = pair('float32', [40, 40], 'contiguous', uniform(3));
    wasmBackend.matmul(a.wasm, a.wasm, 'float32');
    expect(wasmInfo().stats.parallelCalls).toBe(before);
  });

  it('splits big elementwise kernels over the threads with results identical to the js backend', async () => {
    setWasmOptions({ threads: 2, elementwiseThreadMin: 64 });
    expect(await wasmThreadsReady()).toBe(true);
    try {
      let seed = 500;
      for (const dtype of ['float32', 'float64'] as const) {
        for (const shape of [[1000], [37, 29], [3, 50, 7], [130, 1]]) {
          for (const [la, lb] of [['contiguous', 'broadcast'], ['transposed', 'offset'], ['sliced', 'contiguous']] as const) {
            const a = pair(dtype, shape, la, uniform(seed++));
            const b = pair(dtype, shape, lb, uniform(seed++));
            const c = pair('bool', shape, lb, uniform(seed++));
            const label = `${dtype} [${shape}] ${la}×${lb}`;
            const before = wasmInfo().stats.parallelCalls;
            expectAgree(...readBoth(wasmBackend.binary('mul', a.wasm, b.wasm, dtype), jsBackend.binary('mul', a.js, b.js, dtype), shape), EXACT, `mul ${label}`);
            // exp: the wasm kernels' float64 exp is within an ulp of V8's, the float32 one within an ulp
            // of the correctly rounded value (kernels.test.ts); split or not, it is the same.
            const exp2 = wasmBackend.unary('exp', a.wasm, dtype);
            setWasmOptions({ threads: 1 });
            const exp1 = wasmBackend.unary('exp', a.wasm, dtype);
            setWasmOptions({ threads: 2 });
            const expTol = dtype === 'float64' ? { rtol: 1e-14, atol: 0 } : { rtol: 2.4e-7, atol: 0 };
            expectAgree(...readBoth(exp2, jsBackend.unary('exp', a.js, dtype), shape), expTol, `exp ${label}`);
            const flat = (s: typeof exp1) => wasmBackend.read({ storage: s, shape: [s.length], strides: [1], offset: 0 });
            expectAgree(flat(exp2), flat(exp1), EXACT, `exp split vs one thread ${label}`);
            expectAgree(...readBoth(wasmBackend.compare('lt', a.wasm, b.wasm), jsBackend.compare('lt', a.js, b.js), shape), EXACT, `lt ${label}`);
            expectAgree(...readBoth(wasmBackend.where(c.wasm, a.wasm, b.wasm, dtype), jsBackend.where(c.js, a.js, b.js, dtype), shape), EXACT, `where ${label}`);
            expectAgree(...readBoth(wasmBackend.unary('isnan', a.wasm, 'bool'), jsBackend.unary('isnan', a.js, 'bool'), shape), EXACT, `isnan ${label}`);
            expect(wasmInfo().stats.parallelCalls - before, `${label}: every kernel split`).toBe(5);
          }
        }
        // In place (`into`), split: dst = dst - b over a contiguous dst.
        const n = 3000;
        const values = Array.from({ length: n }, (_, i) => Math.sin(i));
        const bv = pair(dtype, [n], 'sliced', uniform(seed++));
        const dst = whole(wasmBackend, dtype, [n], values);
        const oracle = jsBackend.binary('sub', whole(jsBackend, dtype, [n], values), bv.js, dtype);
        wasmBackend.binary('sub', dst, bv.wasm, dtype, dst);
        expectAgree(...readBoth(dst.storage, oracle, [n]), EXACT, `sub into ${dtype}`);
      }
    } finally {
      setWasmOptions({ elementwiseThreadMin: WASM_ELEMENTWISE_THREAD_MIN });
    }
  });
});

describe('allocator', () => {
  it('rounds requests to size classes with bounded waste', () => {
    let last = 0;
    for (let bytes = 1; bytes < 5_000_000; bytes = Math.ceil(bytes * 1.37) + 1) {
      const c = sizeClass(bytes);
      expect(c).toBeGreaterThanOrEqual(bytes);
      expect(c % 64).toBe(0);
      expect(c).toBeLessThanOrEqual(Math.max(64, bytes * 1.25 + 64));
      expect(c).toBeGreaterThanOrEqual(last);
      last = c;
    }
  });

  it('evicts least recently used storages to the JS heap beyond the limit, and brings them back intact', () => {
    const limit = 1 << 20;
    const startTop = wasmInfo().topBytes!;
    setWasmOptions({ residentLimitBytes: limit });
    try {
      const evictions = wasmInfo().stats.evictions;
      const n = 25_600; // 100 KiB of float32
      const live: { w: View; values: Float32Array }[] = [];
      for (let i = 0; i < 40; i++) {
        const values = Float32Array.from({ length: n }, (_, j) => i * 1000 + j);
        live.push({ w: whole(wasmBackend, 'float32', [n], values), values });
        expect(wasmInfo().residentBytes).toBeLessThanOrEqual(limit);
      }
      expect(wasmInfo().stats.evictions).toBeGreaterThan(evictions);
      // 4 MB allocated, at most ~1 MB resident: the blocks were reused.
      expect(wasmInfo().topBytes! - startTop).toBeLessThan(2 * limit);
      const refaults = wasmInfo().stats.refaults;
      for (const { w, values } of live) {
        expectAgree(wasmBackend.read(w), values, EXACT, 'read back');
        // A kernel reading an evicted storage copies it back in.
        const doubled = wasmBackend.binary('add', w, w, 'float32');
        expectAgree(wasmBackend.read({ storage: doubled, shape: [n], strides: [1], offset: 0 }), values.map((v) => 2 * v), EXACT, 'kernel on evicted');
      }
      expect(wasmInfo().stats.refaults).toBeGreaterThan(refaults);
    } finally {
      setWasmOptions({ residentLimitBytes: 128 * 2 ** 20 });
    }
  });

  it('raises the limit to twice a block bigger than half of it instead of evicting everything else', () => {
    setWasmOptions({ residentLimitBytes: 1 << 20 });
    try {
      const values = Float32Array.from({ length: 393_216 }, (_, j) => j); // 1.5 MiB of float32: over the limit
      const small = whole(wasmBackend, 'float32', [25_600], values.subarray(0, 25_600));
      const evictions = wasmInfo().stats.evictions;
      const big = whole(wasmBackend, 'float32', [values.length], values);
      expect(wasmInfo().residentLimitBytes).toBeGreaterThanOrEqual(2 * values.length * 4);
      expect(wasmInfo().stats.evictions).toBe(evictions);
      expectAgree(wasmBackend.read(big), values, EXACT, 'read back');
      expectAgree(wasmBackend.read(small), values.subarray(0, 25_600), EXACT, 'read back');
    } finally {
      setWasmOptions({ residentLimitBytes: 128 * 2 ** 20 });
    }
  });

  it('keeps memory bounded in a synchronous loop that drops its tensors', () => {
    setWasmOptions({ residentLimitBytes: 4 << 20 });
    try {
      const startTop = wasmInfo().topBytes!;
      for (let i = 0; i < 300; i++) wasmBackend.alloc('float64', 8192); // 64 KiB each, 19 MB in all
      expect(wasmInfo().topBytes! - startTop).toBeLessThan(6 << 20);
    } finally {
      setWasmOptions({ residentLimitBytes: 128 * 2 ** 20 });
    }
  });

  it('returns blocks of unreachable storages to the pool when the program yields (FinalizationRegistry)', () => {
    const child = fileURLToPath(new URL('./finalize-child.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', child], { encoding: 'utf8', env: { ...process.env, ADJOINT_THREADS: '1' } });
    expect(r.status, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { stats: { finalized: number; evictions: number }; grownBytes: number; allocatedBytes: number };
    expect(info.stats.finalized).toBeGreaterThan(0);
    expect(info.stats.evictions).toBe(0);
    expect(info.grownBytes).toBeLessThan(info.allocatedBytes / 4);
  }, 60_000);

  it('grows the default residency limit while the GCs it runs take over a tenth of the time; a limit set stays', () => {
    const child = fileURLToPath(new URL('./adaptive-child.ts', import.meta.url));
    const run = (...args: string[]) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', child, ...args], { encoding: 'utf8', env: { ...process.env, ADJOINT_THREADS: '1' } });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { residentLimitBytes: number; stats: { gcs: number; limitGrowths: number; evictions: number } };
    };
    const grown = run();
    expect(grown.stats.limitGrowths).toBeGreaterThan(0);
    expect(grown.residentLimitBytes).toBe(64 * 2 ** 20 * 2 ** grown.stats.limitGrowths);
    expect(grown.residentLimitBytes).toBeLessThanOrEqual(256 * 2 ** 20);
    const fixed = run('--fixed');
    expect(fixed.stats.limitGrowths).toBe(0);
    expect(fixed.residentLimitBytes).toBe(64 * 2 ** 20);
  }, 60_000);
});

describe('tensors across backends', () => {
  it('uses js tensors as inputs on wasm and wasm tensors on js, in both directions of every op family', () => {
    manualSeed(3);
    const [a, b] = on('js', () => [randn([20, 30]), randn([30, 10])]);
    const viaWasm = on('wasm', () => matmul(a!, b!).relu().sum(1).toArray());
    const viaJs = on('js', () => matmul(a!, b!).relu().sum(1).toArray());
    expect(viaWasm).toHaveLength(20);
    (viaWasm as number[]).forEach((v, i) => expect(v).toBeCloseTo((viaJs as number[])[i]!, 4));
    const w = on('wasm', () => randn([50]).mul(2));
    expect(w.storage.backend).toBe('wasm');
    const back = on('js', () => w.exp().add(tensor(1)).toArray()) as number[];
    const ref = on('wasm', () => w.exp().add(1).toArray()) as number[];
    back.forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 5));
  });

  it('writes in place into a tensor of the other backend', () => {
    const x = on('js', () => tensor(Array.from({ length: 40 }, (_, i) => i)));
    on('wasm', () => noGrad(() => x.add_(tensor(1)).mul_(2)));
    expect(x.storage.backend).toBe('js');
    expect((x.toArray() as number[])[39]).toBe(80);
    const y = on('wasm', () => tensor(Array.from({ length: 40 }, (_, i) => i)));
    on('js', () => noGrad(() => y.sub_(tensor(1))));
    expect(y.storage.backend).toBe('wasm');
    expect((y.toArray() as number[])[0]).toBe(-1);
  });

  it('backpropagates through a graph that mixes backends', () => {
    const x = on('js', () => randn([8, 40], { requiresGrad: true }));
    const loss = on('wasm', () => x.tanh().mul(x).sum());
    on('js', () => loss.backward());
    const g = x.grad!.toTypedArray();
    const xv = x.toTypedArray();
    for (let i = 0; i < xv.length; i++) {
      const t = Math.tanh(xv[i]!);
      expect(g[i]).toBeCloseTo(t + xv[i]! * (1 - t * t), 5);
    }
  });
});

describe('training steps agree with the js backend', () => {
  /** Five SGD steps of a 2-layer MLP with softmax cross-entropy; the losses. */
  function train(backend: 'js' | 'wasm', dtype: DType): number[] {
    return on(backend, () => {
      manualSeed(11);
      const x = randn([64, 50], { dtype });
      const w1 = randn([50, 70], { dtype }).mul(0.1).requiresGrad_();
      const w2 = randn([70, 10], { dtype }).mul(0.1).requiresGrad_();
      const target = tensor(Array.from({ length: 64 * 10 }, (_, i) => (i % 10 === Math.floor(i / 10) % 10 ? 1 : 0)), { shape: [64, 10], dtype });
      const losses: number[] = [];
      for (let s = 0; s < 5; s++) {
        const logits = matmul(matmul(x, w1).relu(), w2);
        const loss = logSoftmax(logits, 1).mul(target).sum().neg().div(64);
        loss.backward();
        losses.push(loss.item());
        noGrad(() => {
          for (const p of [w1, w2] as Tensor[]) {
            p.sub_(p.grad!.mul(0.5));
            p.grad = null;
          }
        });
      }
      return losses;
    });
  }
  for (const dtype of ['float32', 'float64'] as const) {
    it(dtype, () => {
      const js = train('js', dtype);
      const wasm = train('wasm', dtype);
      expect(js[4]).toBeLessThan(js[0]!);
      wasm.forEach((l, i) => expect(Math.abs(l - js[i]!)).toBeLessThanOrEqual((dtype === 'float64' ? 1e-12 : 1e-5) * Math.abs(js[i]!)));
    });
  }
});
