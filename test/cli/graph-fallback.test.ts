import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { saveGraph, type TourContext } from '../../src/cli/tour/context.js';
import { Writer } from '../../src/cli/writer.js';
import { Value } from '../../src/scalar/index.js';

// Graphviz (the optional @viz-js/viz) missing: renderSvg throws as it does then.
vi.mock('../../src/viz/index.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/viz/index.js')>()),
  renderSvg: async () => {
    throw new Error('renderSvg: Graphviz is not available: the optional package @viz-js/viz could not be loaded. Install it');
  },
}));

describe('saveGraph without Graphviz', () => {
  it('writes the DOT source instead, says so, and records it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'adjoint-dot-'));
    try {
      const text: string[] = [];
      const ctx: TourContext = { out: new Writer((s) => text.push(s)), outDir: dir, figures: [], progress: false };
      const x = new Value(2, 'x');
      const f = x.mul(x);
      f.backward();
      const rec = await saveGraph(ctx, 'graph.svg', f, {}, 'x²');
      expect(rec.file).toBe('graph.dot');
      expect(ctx.figures).toEqual([rec]);
      const dot = readFileSync(join(dir, 'graph.dot'), 'utf8');
      expect(dot).toMatch(/^digraph G \{/);
      expect(dot).toContain('data 4.0000');
      expect(text.join('')).toContain('Graphviz is not available');
      expect(text.join('')).toContain(join(dir, 'graph.dot'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
