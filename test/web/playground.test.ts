// The playground (web/) in headless Chromium: built with Vite into a temp dir, served on
// 127.0.0.1, driven by playwright-core with Debian's /usr/bin/chromium. Set
// PLAYGROUND_SCREENSHOTS=1 to also write docs/playground-*.png.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, browserMissingReason, buildPlayground, launch, serve } from './browser.js';

const missing = browserMissingReason();
if (missing !== null) console.warn(`\n*** ${missing}\n`);

const SCREENSHOTS = process.env.PLAYGROUND_SCREENSHOTS === '1';
const DX = Math.sin(2) + 5 * Math.cos(2); // −1.1714…
const DY = Math.sin(2); // 0.9093…

describe.skipIf(missing !== null)(`playground in Chromium${missing === null ? '' : ` — SKIPPED: ${missing}`}`, () => {
  let dir = '';
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Awaited<ReturnType<typeof launch>>;

  beforeAll(async () => {
    dir = await buildPlayground();
    server = await serve(dir);
    browser = await launch();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a lab, recording console errors, page errors, failed and off-host requests. */
  async function open(lab: string, viewport?: { width: number; height: number }): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.context.newPage();
    if (viewport !== undefined) await page.setViewportSize(viewport);
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(server.url) && !url.startsWith('data:') && !url.startsWith('blob:')) problems.push(`request off the page's host: ${url}`);
    });
    await page.goto(`${server.url}#${lab}`);
    return { page, problems };
  }

  async function graphReady(page: Page): Promise<void> {
    await page.waitForSelector('#graph-svg svg #node-0', { timeout: 20_000 });
  }

  it('keeps HTML + CSS + JS under 400 KB gzipped before Graphviz, which is its own lazy chunk', () => {
    const files = (d: string): string[] =>
      readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? files(join(d, n)) : [join(d, n)]));
    const all = files(dir);
    const graphviz = all.filter((f) => /assets\/viz-[^/]*\.js$/.test(f));
    expect(graphviz, 'a separate Graphviz chunk').toHaveLength(1);
    const code = all.filter((f) => /\.(html|css|js)$/.test(f) && !graphviz.includes(f));
    const gz = code.reduce((s, f) => s + gzipSync(readFileSync(f), { level: 9 }).length, 0);
    expect(gz).toBeLessThan(400 * 1024);
    // Graphviz (WASM inlined in its JS) is not in the entry chunk: it is imported dynamically.
    const entry = code.filter((f) => /assets\/index-[^/]*\.js$/.test(f));
    expect(entry).toHaveLength(1);
    expect(statSync(entry[0]!).size).toBeLessThan(400 * 1024);
    expect(statSync(graphviz[0]!).size).toBeGreaterThan(500 * 1024);
    console.log(`playground bundle before Graphviz: ${(gz / 1024).toFixed(1)} KB gzipped (${code.length} files)`);
  });

  it('loads each lab with no console errors, all from its own host, every control labelled', async () => {
    for (const lab of ['graph', 'training', 'gradcheck']) {
      const { page, problems } = await open(lab);
      if (lab === 'graph') await graphReady(page);
      if (lab === 'training') await page.waitForFunction(() => document.querySelector('#stat-acc')?.textContent !== '–');
      if (lab === 'gradcheck') await page.waitForSelector('#check-table tbody tr[data-testid="best"]');
      await page.waitForTimeout(300);
      expect(await page.getAttribute(`#tab-${lab}`, 'aria-selected')).toBe('true');
      const unlabelled = await page.evaluate((id) => {
        const panel = document.getElementById(id)!;
        return Array.from(panel.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select'))
          .filter((el) => (el.labels?.length ?? 0) === 0 && !el.getAttribute('aria-label'))
          .map((el) => el.id || el.outerHTML);
      }, lab);
      expect(unlabelled, `${lab}: controls without a label`).toEqual([]);
      expect(problems, `${lab}: ${problems.join('\n')}`).toEqual([]);
      await page.close();
    }
  });

  it('steps (x + y) * sin(x) at x=2, y=3 through the whole backward pass and shows dx and dy', async () => {
    const { page, problems } = await open('graph');
    await graphReady(page);
    await page.fill('#expr', '(x + y) * sin(x)');
    await page.press('#expr', 'Enter');
    await page.fill('#var-x', '2');
    await page.fill('#var-y', '3');
    if (await page.isEnabled('#step-reset')) await page.click('#step-reset');
    // Keyboard: the stepper is reachable and Enter on a focused button steps.
    await page.focus('#step-next');
    let clicks = 0;
    while (await page.isEnabled('#step-next')) {
      await page.keyboard.press('Enter');
      clicks++;
      expect(clicks).toBeLessThanOrEqual(10);
    }
    expect(clicks).toBe(10); // 5 nodes forward, 5 nodes backward
    const rows = await page.$$eval('#adj-table tbody tr', (trs) => trs.map((tr) => Array.from(tr.children).map((td) => td.textContent)));
    expect(rows.map((r) => r[0])).toEqual(['v̄5', 'v̄3', 'v̄4', 'v̄1', 'v̄2']);
    expect(rows[3]).toEqual(['v̄1', '∂f/∂x', '-1.1714', 'v̄3 + v̄4 · cos(v1)']);
    expect(rows[4]).toEqual(['v̄2', '∂f/∂y', '0.9093', 'v̄3']);

    const dx = page.locator('[data-testid="grad-x"]');
    const dy = page.locator('[data-testid="grad-y"]');
    expect(await dx.textContent()).toBe('∂f/∂x = -1.1714');
    expect(await dy.textContent()).toBe('∂f/∂y = 0.9093');
    expect(Math.abs(Number(await dx.getAttribute('data-value')) - DX)).toBeLessThan(1e-12);
    expect(Math.abs(Number(await dy.getAttribute('data-value')) - DY)).toBeLessThan(1e-12);
    // The graph shows each node's adjoint and the local derivatives on its edges.
    expect(await page.textContent('#node-0')).toContain('v̄1 = -1.1714');
    expect(await page.textContent('#node-1')).toContain('v̄2 = 0.9093');
    expect(await page.locator('.gedge.lit').count()).toBe(5); // every edge has carried its adjoint

    // Forward mode: one Dual pass with y seeded gives dy.
    await page.check('input[name="mode"][value="forward"]');
    await page.selectOption('#seed', 'y');
    await page.click('#step-end');
    const t = page.locator('[data-testid="tangent-y"]');
    expect(Math.abs(Number(await t.getAttribute('data-value')) - DY)).toBeLessThan(1e-12);
    expect(await page.textContent('[data-testid="ops-forward"]')).toMatch(/= \d+$/);

    if (SCREENSHOTS) {
      await page.check('input[name="mode"][value="reverse"]');
      await page.click('#step-end');
      for (let i = 0; i < 2; i++) await page.click('#step-back');
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.mouse.move(0, 0);
      await page.waitForTimeout(400);
      await page.screenshot({ path: join(ROOT, 'docs', 'playground-graph.png'), fullPage: true });
    }
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows a bad expression’s error at its position and keeps the last graph', async () => {
    const { page, problems } = await open('graph');
    await graphReady(page);
    await page.fill('#expr', '(x + * y');
    await page.press('#expr', 'Enter');
    await page.waitForSelector('#expr-error:not([hidden])');
    expect(await page.textContent('#expr-error .message')).toBe(
      "Syntax error: expected a number, a name or '(' but found '*' (column 6).",
    );
    const caret = (await page.textContent('#expr-error pre'))!.split('\n');
    expect(caret).toEqual(['(x + * y', '     ^']);
    expect(await page.getAttribute('#expr', 'aria-invalid')).toBe('true');
    expect(await page.locator('#graph-svg svg #node-4').count()).toBe(1); // the previous graph stays
    await page.fill('#expr', 'x^3 * log(x) + exp(-x)');
    await page.press('#expr', 'Enter');
    await page.waitForSelector('#expr-error', { state: 'hidden' });
    await page.waitForFunction(() => document.querySelectorAll('#graph-svg .gnode').length === 7);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('trains XOR in the worker until the page shows accuracy 100%, staying responsive', async () => {
    const { page, problems } = await open('training');
    await page.selectOption('#dataset', 'xor');
    await page.waitForFunction(() => document.querySelector('#net-summary')?.textContent?.includes('MLP'));
    await page.click('#train-toggle');
    expect(await page.getAttribute('#train-toggle', 'aria-pressed')).toBe('true');
    // The main thread answers quickly while the worker trains.
    const lag = await page.evaluate(() => new Promise<number>((done) => {
      const t0 = performance.now();
      setTimeout(() => done(performance.now() - t0), 0);
    }));
    expect(lag).toBeLessThan(200);
    await page.waitForFunction(() => document.querySelector('#stat-acc')?.textContent === '100.0%', undefined, { timeout: 30_000 });
    expect(Number(await page.textContent('#stat-step'))).toBeGreaterThan(0);
    await page.waitForFunction(() => Number(document.querySelector('#stat-sps')?.textContent?.replace(/,/g, '')) > 0);
    await page.click('#train-toggle'); // pause
    expect(await page.textContent('#train-toggle')).toBe('▶ Train');
    await page.waitForFunction(() => document.querySelector('#stat-sps')?.textContent === '0'); // the worker's last report
    const steps = await page.textContent('#stat-step');
    await page.waitForTimeout(300);
    expect(await page.textContent('#stat-step')).toBe(steps);
    await page.click('#train-step');
    await page.waitForFunction((s) => document.querySelector('#stat-step')?.textContent === String(Number(s) + 1), steps);
    expect(await page.locator('#loss-plot svg').count()).toBe(1);

    if (SCREENSHOTS) {
      await page.selectOption('#dataset', 'spirals');
      await page.selectOption('#lr', '0.01');
      await page.fill('#width', '16');
      await page.press('#width', 'Tab');
      await page.click('#train-toggle');
      await page.mouse.move(0, 0);
      await page.waitForTimeout(6000);
      await page.screenshot({ path: join(ROOT, 'docs', 'playground-training.png'), fullPage: true });
      await page.click('#train-toggle');
    }
    expect(problems).toEqual([]);
    await page.close();
  });

  it('trains on the GPU when WebGPU is chosen (navigator.gpu: SwiftShader here)', async () => {
    const { page, problems } = await open('training');
    await page.selectOption('#dataset', 'xor');
    expect(await page.isDisabled('#backend-webgpu')).toBe(false);
    await page.selectOption('#backend', 'webgpu');
    await page.waitForFunction(() => document.querySelector('#net-summary')?.textContent?.includes('MLP'));
    await page.click('#train-toggle');
    await page.waitForFunction(() => Number(document.querySelector('#stat-step')?.textContent?.replace(/,/g, '')) >= 20, undefined, { timeout: 60_000 });
    await page.waitForFunction(() => parseFloat(document.querySelector('#stat-acc')?.textContent ?? '0') > 80, undefined, { timeout: 60_000 });
    await page.click('#train-toggle');
    expect(await page.isHidden('#train-error')).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('compares exact, forward-mode, reverse-mode and finite-difference derivatives', async () => {
    const { page, problems } = await open('gradcheck');
    await page.waitForSelector('#check-table tbody tr[data-testid="best"]');
    const value = async (id: string): Promise<number> => Number(await page.getAttribute(`[data-testid="${id}"] td[data-value]`, 'data-value'));
    const exact = 4 * Math.sin(2) + 4 * Math.cos(2); // d/dx x² sin x at 2
    expect(Math.abs((await value('exact')) - exact)).toBeLessThan(1e-12);
    expect(Math.abs((await value('forward-mode')) - exact)).toBeLessThan(1e-12);
    expect(Math.abs((await value('reverse-mode')) - exact)).toBeLessThan(1e-12);
    expect(Math.abs((await value('central')) - exact)).toBeLessThan(1e-6);
    expect(await page.locator('#check-plot svg path.line').count()).toBe(2);
    // Another point and a bad formula.
    await page.fill('#check-x', '0.5');
    await page.waitForFunction(() => document.querySelector('#check-title')?.textContent === 'Derivatives at x = 0.5');
    await page.fill('#check-f', 'x^2 * sin(x');
    await page.waitForSelector('#check-error:not([hidden])');
    expect(await page.textContent('#check-error .message')).toMatch(/column 12/);
    await page.selectOption('#preset', '0');
    await page.waitForSelector('#check-error', { state: 'hidden' });
    if (SCREENSHOTS) {
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.screenshot({ path: join(ROOT, 'docs', 'playground-gradcheck.png'), fullPage: true });
    }
    expect(problems).toEqual([]);
    await page.close();
  });

  it('fits a phone width without sideways scrolling', async () => {
    for (const lab of ['graph', 'training', 'gradcheck']) {
      const { page, problems } = await open(lab, { width: 390, height: 844 });
      if (lab === 'graph') await graphReady(page);
      await page.waitForTimeout(300);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${lab} at 390 px`).toBeLessThanOrEqual(0);
      if (SCREENSHOTS && lab === 'graph') {
        await page.click('#step-end');
        await page.waitForTimeout(300);
        await page.screenshot({ path: join(ROOT, 'docs', 'playground-phone.png'), fullPage: true });
      }
      expect(problems).toEqual([]);
      await page.close();
    }
  });
});
