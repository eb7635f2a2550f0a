/**
 * The wasm backend in headless Chromium (Debian's, through playwright-core):
 * the page (test/backend/browser-page, bundled by Vite with the .wasm files as
 * assets) loads the kernels by URL with `initWasm()`, then a matmul and four
 * training steps agree with the js backend. Served once with cross-origin
 * isolation (shared memory: a Web Worker takes half of the big GEMM) and once
 * without (private memory, one thread). Skipped when /usr/bin/chromium is missing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const page = fileURLToPath(new URL('./browser-page/', import.meta.url));
const src = fileURLToPath(new URL('../../src/', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

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

describe.skipIf(!existsSync(CHROMIUM))('wasm backend in Chromium', () => {
  let dist = '';
  beforeAll(async () => {
    const { build } = await import('vite');
    dist = mkdtempSync(join(tmpdir(), 'adjoint-wasm-page-'));
    await build({
      root: page,
      base: './',
      logLevel: 'error',
      configFile: false,
      resolve: { alias: [{ find: /^adjoint$/, replacement: `${src}index.ts` }] },
      build: { outDir: dist, emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
    });
  }, 120_000);
  afterAll(() => {
    if (dist !== '') rmSync(dist, { recursive: true, force: true });
  });

  async function open(isolated: boolean): Promise<Result> {
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const file = join(dist, path.endsWith('/') ? `${path}index.html` : path);
      if (!file.startsWith(dist) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      const headers: Record<string, string> = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' };
      if (isolated) Object.assign(headers, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
      res.writeHead(200, headers).end(readFileSync(file));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as { port: number };
    const { chromium } = await import('playwright-core');
    const profile = mkdtempSync(join(tmpdir(), 'adjoint-chromium-'));
    const ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const tab = await ctx.newPage();
      await tab.goto(`http://127.0.0.1:${port}/`);
      await tab.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, null, { timeout: 60_000 });
      return (await tab.evaluate(() => (window as unknown as { __result: unknown }).__result)) as Result;
    } finally {
      await ctx.close();
      server.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }

  function check(r: Result): void {
    expect(r.error).toBeUndefined();
    expect(r.loaded).toBe(true);
    expect(r.matmulMaxErr).toBeLessThan(1e-3);
    expect(r.wasmLosses).toHaveLength(4);
    r.wasmLosses.forEach((l, i) => expect(Math.abs(l - r.jsLosses[i]!)).toBeLessThan(1e-5 * Math.abs(r.jsLosses[i]!)));
  }

  it('with cross-origin isolation: shared memory, a Web Worker takes part of the GEMM', async () => {
    const r = await open(true);
    check(r);
    expect(r.crossOriginIsolated).toBe(true);
    expect(r.info.sharedMemory).toBe(true);
    expect(r.workersReady).toBe(true);
    expect(r.info.stats.parallelCalls).toBeGreaterThan(0);
  }, 120_000);

  it('without isolation: private memory, one thread', async () => {
    const r = await open(false);
    check(r);
    expect(r.crossOriginIsolated).toBe(false);
    expect(r.info.sharedMemory).toBe(false);
    expect(r.info.threads).toBe(1);
  }, 120_000);
});
