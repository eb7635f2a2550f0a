// Runs every ```ts block of README.md (and docs/*.md) as a module, so the examples cannot rot.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { setupWebGPU } from '../backend/webgpu-helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const scratch = join(root, 'test', '.examples');

function blocks(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)].filter(
  (f) => blocks(f).length > 0,
);

mkdirSync(scratch, { recursive: true });
// Blocks that use the GPU need an adapter (SwiftShader here); without one they are skipped, loudly (never under CI).
const noGpu = await setupWebGPU();
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(files)('examples in %s', (file) => {
  const found = blocks(file);
  it.each(found.map((code, i) => [i, code] as const))('block %i runs', async (i, code) => {
    if (noGpu !== null && code.includes('initWebGPU')) {
      console.warn(`SKIPPING ${file} block ${i}: it needs a WebGPU adapter (${noGpu})`);
      return;
    }
    const path = join(scratch, `${file.replace(/[/.]/g, '_')}_${i}.ts`);
    writeFileSync(path, code);
    // An example passes when it runs to the end without throwing; what it prints is not checked here.
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import(/* @vite-ignore */ path);
    } finally {
      log.mockRestore();
    }
  });
});

it('README has examples to run', () => {
  expect(blocks('README.md').length).toBeGreaterThanOrEqual(3);
});
