// Every primitive's batching rule against a loop over the batch: values, and gradients through the
// batched function, with the batch dim at different positions and under nested vmaps, on js and wasm
// in float64 (the table is in vmap-cases.ts; vmap-rules-webgpu.test.ts runs it on webgpu in float32).
import { afterAll, describe, expect, it } from 'vitest';
import { type Tensor, initWasm, manualSeed, randn, setBackend, stack, tensor, vmap, getBackend } from '../../src/index.js';
import { PRIMITIVES, apply, type Primitive } from '../../src/ops/index.js';
import { B, checkCase, close, vmapCases } from './vmap-cases.js';

const CASES = vmapCases('float64');
const TOL = { values: 1e-12, grads: 1e-10 };

const backends = ['js', 'wasm'] as const;
const before = getBackend();
afterAll(() => setBackend(before));

describe.each(backends)('batching rules on %s', (name) => {
  it('the table covers every primitive', async () => {
    if (name === 'wasm') await initWasm();
    setBackend(name);
    expect(Object.keys(CASES).sort()).toEqual([...PRIMITIVES].sort());
  });
  it.each(Object.keys(CASES) as Primitive[])('%s: batch dim 0, 1, nested; values and gradients match a loop', async (p) => {
    if (name === 'wasm') await initWasm();
    setBackend(name);
    for (const bdim of [0, 1]) await checkCase(CASES[p], bdim, TOL);
  });
});

it('elementwise with the batch at the last dim of one input and shared inputs of higher rank', async () => {
  manualSeed(3);
  const a = randn([2, 3, B], { dtype: 'float64' });
  const b = randn([4, 2, 3], { dtype: 'float64' });
  const out = vmap((x: Tensor, y: Tensor) => x.add(y), { inDims: [-1, null] })(a, b);
  const loop = stack([0, 1, 2].map((i) => a.narrow(2, i, 1).squeeze(2).add(b)), 0);
  await close(out, loop, 1e-12);
  expect(tensor(0).item()).toBe(0);
});

it('matmul with an inner dim of 1 (per-example outer products) and with a shared 2-D side, against a loop', async () => {
  manualSeed(4);
  const a = randn([B, 4, 1], { dtype: 'float64' });
  const b = randn([B, 1, 5], { dtype: 'float64' });
  const m = randn([5, 2], { dtype: 'float64' });
  const loop = stack([0, 1, 2].map((i) => a.narrow(0, i, 1).squeeze(0).matmul(b.narrow(0, i, 1).squeeze(0)).matmul(m)), 0);
  await close(vmap((x: Tensor, y: Tensor) => apply('matmul', [apply('matmul', [x, y], {}), m], {}))(a, b), loop, 1e-14);
  const left = stack([0, 1, 2].map((i) => m.transpose(0, 1).matmul(b.narrow(0, i, 1).squeeze(0).transpose(0, 1))), 0);
  await close(vmap((y: Tensor) => apply('matmul', [m.transpose(0, 1).contiguous(), y.transpose(0, 1)], {}))(b), left, 1e-14);
});
