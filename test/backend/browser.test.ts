/**
 * The wasm backend in headless Chromium (Debian's, through playwright-core and the
 * helpers of test/web/browser.ts), two pages, each served once with cross-origin
 * isolation (COOP/COEP: shared memory, a Web Worker takes part of the big GEMMs)
 * and once without (private memory, one thread):
 *
 * - test/backend/browser-page/ bundled by Vite from src/ (the .wasm files become
 *   assets): a matmul and four training steps agree with the js backend;
 * - the BUILT browser bundle (scripts/build-browser.mjs, built into a temp dir) under
 *   a plain page, test/backend/browser-page/bundle/, that imports it by URL: PyTorch
 *   golden cases (test/fixtures/conformance) in float32 on the wasm kernels, outputs,
 *   gradients and grad-of-grads within rtol 1e-4 / atol 1e-5; a threaded GEMM; Adam
 *   steps of a small conv net that agree with the js backend.
 *
 * The build itself (every entry point, shared chunks, the kernels next to them, no
 * static `node:` import) is checked with or without a browser; the Chromium tests are
 * skipped, loudly, when /usr/bin/chromium is missing.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensor, type DType } from '../../src/index.js';
import { TOL, expectClose, loadFamily, type GoldenCase, type GoldenTensor } from '../helpers/golden.js';
import { CHROMIUM, ROOT, launch, serve } from '../web/browser.js';

const missing = existsSync(CHROMIUM)
  ? null
  : `${CHROMIUM} is missing, so the wasm backend's browser tests are SKIPPED. ` +
    "Install Debian's Chromium to run them: `apt-get update && apt-get install -y chromium` (never `npx playwright install`).";
if (missing !== null) console.warn(`\n*** ${missing}\n`);

const PAGE = fileURLToPath(new URL('./browser-page/', import.meta.url));
const SRC = join(ROOT, 'src');

/** The golden cases run in the page: matmul, conv2d, softmax/logSoftmax, crossEntropy, reductions, tanh. */
const GOLDENS: Record<string, string[]> = {
  linalg: ['matmul/2d_2d', 'matmul/3d_3d_batched', 'matmul/4d_broadcast_batch_2x1_1x3'],
  conv: ['conv2d/s1_p0_bias', 'conv2d/s2_p1_dil2_groups2_nobias'],
  softmax: ['softmax/2x3x4_dim-1', 'logSoftmax/3x4_dim0'],
  loss: ['crossEntropy/label_smoothing0.1_mean_4x5', 'crossEntropy/kdim_2x3x4_label_smoothing0.1_sum'],
  reduction: ['sum/dims-1_-3_keepdim_2x3x2x2', 'logsumexp/dims0_1_3x4x2'],
  unary: ['tanh/2x3x4'],
};
const cases: GoldenCase[] = Object.entries(GOLDENS).flatMap(([family, ids]) => {
  const all = loadFamily(family).cases;
  return ids.map((id) => {
    const c = all.find((x) => x.id === id);
    if (c === undefined) throw new Error(`golden case ${id} is not in ${family}.json`);
    return c;
  });
});

const COI_HEADERS = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

let bundleDir = '';
let bundleLog = '';

// The real build script, into a temp dir (never the repo's dist/: other builds may run at the same time).
beforeAll(async () => {
  bundleDir = mkdtempSync(join(tmpdir(), 'adjoint-browser-bundle-'));
  const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'build-browser.mjs'), '--outdir', join(bundleDir, 'adjoint')], {
    cwd: ROOT,
  });
  bundleLog = stdout;
  for (const f of ['index.html', 'page.js']) copyFileSync(join(PAGE, 'bundle', f), join(bundleDir, f));
}, 60_000);

afterAll(() => {
  if (bundleDir !== '') rmSync(bundleDir, { recursive: true, force: true });
});

describe('the browser build (scripts/build-browser.mjs)', () => {
  it('has every entry point as an ES module, shared chunks, the kernels next to them, a size report', () => {
    const files = readdirSync(join(bundleDir, 'adjoint'));
    const entries = ['adjoint', 'nn', 'nn-functional', 'optim', 'data', 'scalar', 'viz', 'check', 'io'];
    for (const e of entries) expect(files).toContain(`${e}.js`);
    expect(files.filter((f) => f.endsWith('.wasm')).sort()).toEqual(
      ['kernels-relaxed-shared.wasm', 'kernels-relaxed.wasm', 'kernels-simd-shared.wasm', 'kernels-simd.wasm'],
    );
    expect(files.some((f) => /^chunk-.*\.js$/.test(f)), 'shared chunks').toBe(true);
    expect(files.every((f) => /\.(js|wasm)$/.test(f))).toBe(true);
    for (const f of files.filter((x) => x.endsWith('.js'))) {
      const code = readFileSync(join(bundleDir, 'adjoint', f), 'utf8');
      expect(code, `${f} imports a node: module statically`).not.toMatch(/(?:^|[;}\s])import\s*(?:[\w*{][^;]*?from\s*)?["']node:/);
    }
    expect(bundleLog).toMatch(/all JavaScript/);
    expect(bundleLog).toMatch(/\.\/adjoint\.js/);
  });
});

describe.skipIf(missing !== null)(`wasm backend in Chromium${missing === null ? '' : ` — SKIPPED: ${missing}`}`, () => {
  let viteDir = '';
  let viteServer: Awaited<ReturnType<typeof serve>> | undefined;
  let bundleServer: Awaited<ReturnType<typeof serve>> | undefined;
  let browser: Awaited<ReturnType<typeof launch>> | undefined;

  beforeAll(async () => {
    viteDir = mkdtempSync(join(tmpdir(), 'adjoint-wasm-page-'));
    const buildPage = (async () => {
      const { build } = await import('vite');
      await build({
        root: PAGE,
        base: './',
        logLevel: 'error',
        configFile: false,
        resolve: { alias: [{ find: /^adjoint$/, replacement: join(SRC, 'index.ts') }] },
        build: { outDir: viteDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
      });
    })();
    const [b] = await Promise.all([launch(), buildPage]);
    browser = b;
    viteServer = await serve(viteDir);
    bundleServer = await serve(bundleDir);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await viteServer?.close();
    await bundleServer?.close();
    if (viteDir !== '') rmSync(viteDir, { recursive: true, force: true });
  });

  /** Opens `url` in a new tab, with COOP/COEP added to every response when `isolated`; records page errors. */
  async function open(url: string, isolated: boolean): Promise<{ tab: Page; problems: string[] }> {
    const tab = await browser!.context.newPage();
    const problems: string[] = [];
    tab.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    tab.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
    });
    tab.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    tab.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    if (isolated) {
      await tab.route('**/*', async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, headers: { ...response.headers(), ...COI_HEADERS } });
      });
    }
    await tab.goto(url);
    return { tab, problems };
  }

  describe('a page bundled by Vite from src/', () => {
    interface Result {
      error?: string;
      loaded: boolean;
      crossOriginIsolated: boolean;
      workersReady: boolean;
      info: { sharedMemory: boolean; threads: number; stats: { parallelCalls: number } };
      matmulMaxErr: number;
      wasmLosses: number[];
      jsLosses: number[];
    }

    async function run(isolated: boolean): Promise<Result> {
      const { tab, problems } = await open(viteServer!.url, isolated);
      try {
        await tab.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, null, { timeout: 60_000 });
        const r = (await tab.evaluate(() => (window as unknown as { __result: unknown }).__result)) as Result;
        expect(problems).toEqual([]);
        expect(r.error).toBeUndefined();
        expect(r.loaded).toBe(true);
        expect(r.matmulMaxErr).toBeLessThan(1e-3);
        expect(r.wasmLosses).toHaveLength(4);
        r.wasmLosses.forEach((l, i) => expect(Math.abs(l - r.jsLosses[i]!)).toBeLessThan(1e-5 * Math.abs(r.jsLosses[i]!)));
        return r;
      } finally {
        await tab.close();
      }
    }

    it('with cross-origin isolation: shared memory, a Web Worker takes part of the GEMM', async () => {
      const r = await run(true);
      expect(r.crossOriginIsolated).toBe(true);
      expect(r.info.sharedMemory).toBe(true);
      expect(r.workersReady).toBe(true);
      expect(r.info.stats.parallelCalls).toBeGreaterThan(0);
    }, 60_000);

    it('without isolation: private memory, one thread', async () => {
      const r = await run(false);
      expect(r.crossOriginIsolated).toBe(false);
      expect(r.info.sharedMemory).toBe(false);
      expect(r.info.threads).toBe(1);
    }, 60_000);
  });

  describe('the built bundle (scripts/build-browser.mjs) imported by URL from a plain page', () => {
    interface Plain {
      shape: number[];
      dtype: DType;
      data: number[];
    }
    interface CaseResult {
      id: string;
      backend: string;
      onBackend: boolean;
      sameTensorClass: boolean;
      outs: (Plain | null)[];
      grads: (Plain | null)[];
      gradOfGrad?: (Plain | null)[];
    }
    interface Ready {
      error?: string;
      defaultBackend: string;
      loaded: boolean;
      backend: string;
      crossOriginIsolated: boolean;
      info: { sharedMemory: boolean; relaxed: boolean; threads: number };
    }
    interface PageApi {
      goldens(cs: GoldenCase[]): Promise<{ results: CaseResult[]; wasmAllocs: number }>;
      goldensGpu(cs: GoldenCase[]): Promise<{ adapter: { vendor: string; architecture: string }; results: CaseResult[] }>;
      threadedMatmul(): Promise<{
        workersReady: boolean; threads: number; readyWorkers: number; parallelCalls: number; maxErr: number;
        elementwiseSplits: number; elementwiseMaxRelErr: number;
      }>;
      train(backends?: string[]): Promise<Record<string, number[]>>;
    }
    type PageWindow = { adjointPage: PageApi };

    const asTensor = (p: Plain | null) => (p === null ? null : tensor(Float64Array.from(p.data), { shape: p.shape, dtype: p.dtype }));

    /** Each page result against its golden, with the float32 tolerances of the conformance suite. */
    function checkGoldens(results: CaseResult[], backend = 'wasm'): void {
      expect(results.map((r) => r.id)).toEqual(cases.map((c) => c.id));
      results.forEach((r, n) => {
        const c = cases[n]!;
        expect(r.backend, r.id).toBe(backend);
        expect(r.onBackend, `${r.id}: the outputs live on ${backend}`).toBe(true);
        expect(r.sameTensorClass, `${r.id}: outputs of nn-functional.js are adjoint.js's Tensor (one shared chunk)`).toBe(true);
        const golds = Array.isArray(c.out) ? c.out : [c.out];
        golds.forEach((g, i) => {
          expect(r.outs[i]!.dtype, `${r.id} out ${i}`).toBe('float32');
          expectClose(asTensor(r.outs[i]!), g, TOL.float32, `${r.id} out ${i}`);
        });
        c.grads.forEach((g, i) => {
          if (g !== null) expectClose(asTensor(r.grads[i] ?? null), g, TOL.float32, `${r.id} grad ${i}`);
        });
        if (c.grad_of_grad !== undefined) {
          expect(r.gradOfGrad, `${r.id} grad_of_grad`).toBeDefined();
          c.grad_of_grad.grads.forEach((g: GoldenTensor | null, i) => {
            if (g !== null) expectClose(asTensor(r.gradOfGrad![i] ?? null), g, TOL.float32, `${r.id} grad_of_grad ${i}`);
          });
        }
      });
    }

    async function run(isolated: boolean) {
      const { tab, problems } = await open(bundleServer!.url, isolated);
      try {
        await tab.waitForFunction(() => (window as unknown as { __ready?: unknown }).__ready !== undefined, null, { timeout: 30_000 });
        const ready = (await tab.evaluate(() => (window as unknown as { __ready: unknown }).__ready)) as Ready;
        expect(ready.error).toBeUndefined();
        expect(ready.defaultBackend).toBe('js'); // nothing loads synchronously in a browser
        expect(ready.loaded).toBe(true);
        expect(ready.backend).toBe('wasm');
        expect(ready.info.relaxed).toBe(true); // Chromium has relaxed SIMD
        const goldens = await tab.evaluate((cs) => (window as unknown as PageWindow).adjointPage.goldens(cs), cases);
        checkGoldens(goldens.results);
        expect(goldens.wasmAllocs, 'the golden cases allocated in the wasm memory').toBeGreaterThan(0);
        const training = await tab.evaluate(() => (window as unknown as PageWindow).adjointPage.train());
        const [wasm, js] = [training.wasm!, training.js!];
        expect(wasm).toHaveLength(4);
        wasm.forEach((l, i) => expect(Math.abs(l - js[i]!), `loss ${i}: wasm ${l}, js ${js[i]}`).toBeLessThan(1e-5 * Math.abs(js[i]!)));
        expect(wasm[3]!).toBeLessThan(wasm[0]!);
        const gemm = await tab.evaluate(() => (window as unknown as PageWindow).adjointPage.threadedMatmul());
        expect(gemm.maxErr).toBeLessThan(1e-3);
        expect(gemm.elementwiseMaxRelErr, 'x·y + 1, exp: wasm (split or not) vs js').toBeLessThan(1e-6);
        expect(problems).toEqual([]);
        return { ready, gemm };
      } finally {
        await tab.close();
      }
    }

    it('with cross-origin isolation: goldens, training and a GEMM split over a Web Worker', async () => {
      const { ready, gemm } = await run(true);
      expect(ready.crossOriginIsolated).toBe(true);
      expect(ready.info.sharedMemory).toBe(true);
      expect(gemm.workersReady).toBe(true);
      expect(gemm.parallelCalls).toBeGreaterThan(0);
      expect(gemm.elementwiseSplits, 'mul, add and exp split over the Web Worker').toBe(3);
    }, 60_000);

    it('on the GPU through navigator.gpu: the goldens and the training steps on webgpu', async () => {
      const { tab, problems } = await open(bundleServer!.url, false);
      try {
        await tab.waitForFunction(() => (window as unknown as { __ready?: unknown }).__ready !== undefined, null, { timeout: 30_000 });
        const gpu = await tab.evaluate((cs) => (window as unknown as PageWindow).adjointPage.goldensGpu(cs), cases);
        expect(gpu.adapter.vendor.length, 'an adapter from navigator.gpu').toBeGreaterThan(0);
        checkGoldens(gpu.results, 'webgpu');
        const t = await tab.evaluate(() => (window as unknown as PageWindow).adjointPage.train(['webgpu', 'js']));
        const [onGpu, js] = [t.webgpu!, t.js!];
        expect(onGpu).toHaveLength(4);
        onGpu.forEach((l, i) => expect(Math.abs(l - js[i]!), `loss ${i}: webgpu ${l}, js ${js[i]}`).toBeLessThan(1e-5 * Math.abs(js[i]!)));
        expect(problems).toEqual([]);
      } finally {
        await tab.close();
      }
    }, 120_000);

    it('without isolation: goldens and training on one thread (private memory)', async () => {
      const { ready, gemm } = await run(false);
      expect(ready.crossOriginIsolated).toBe(false);
      expect(ready.info.sharedMemory).toBe(false);
      expect(ready.info.threads).toBe(1);
      expect(gemm.parallelCalls).toBe(0);
      expect(gemm.elementwiseSplits).toBe(0);
    }, 60_000);
  });
});
