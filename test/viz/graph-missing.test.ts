import { expect, it, vi } from 'vitest';

it('renderSvg explains how to install @viz-js/viz when it is missing', async () => {
  vi.resetModules();
  vi.doMock('@viz-js/viz', () => {
    throw Object.assign(new Error("Cannot find package '@viz-js/viz'"), { code: 'ERR_MODULE_NOT_FOUND' });
  });
  const { renderSvg, toDot } = await import('../../src/viz/graph.js');
  // toDot needs nothing
  expect(toDot({ data: 1, grad: 0, op: '', children: [], label: 'x' })).toContain('data 1.0000');
  await expect(renderSvg('digraph { a }')).rejects.toThrow(/npm install @viz-js\/viz/);
  // not cached: a later call tries again (and fails the same way while the package is absent)
  await expect(renderSvg('digraph { a }')).rejects.toThrow(/optional package @viz-js\/viz/);
  vi.doUnmock('@viz-js/viz');
});
