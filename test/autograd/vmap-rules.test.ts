// Every primitive's batching rule against a loop over the batch: values, and gradients through the
// batched function, with the batch dim at different positions and under nested vmaps, on js and wasm.
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Tensor, cast, eye, grad, initWasm, manualSeed, randn, randint, setBackend, stack, tensor, vmap, getBackend,
} from '../../src/index.js';
import { PRIMITIVES, apply, type Primitive } from '../../src/ops/index.js';

type Make = () => Tensor;
interface Case {
  /** Per-example inputs (float64 unless made otherwise). */
  inputs: Make[];
  /** The primitive applied to one example's inputs. */
  run: (xs: Tensor[]) => Tensor;
  /** Inputs that are not batched (shared by every example). */
  shared?: number[];
}

const B = 3;
const f64 = (shape: number[]): Make => () => randn(shape, { dtype: 'float64' });
const pos = (shape: number[]): Make => () => randn(shape, { dtype: 'float64' }).abs().add(0.5);
const idx = (high: number, shape: number[]): Make => () => randint(0, high, shape);
const bool = (shape: number[]): Make => () => randn(shape).gt(0);
const unary = (p: Primitive, make: Make = f64([2, 3])): Case => ({ inputs: [make], run: (x) => apply(p, x, {} as never) });
const binary = (p: Primitive, a: Make = f64([2, 3]), b: Make = f64([3])): Case => ({ inputs: [a, b], run: (x) => apply(p, x, {} as never) });
const WIN = { kernel: [2, 2], stride: [1, 1], padding: [0, 0], dilation: [1, 1], out: [2, 2] };

const CASES: Record<Primitive, Case> = {
  add: binary('add'),
  sub: binary('sub', f64([3]), f64([2, 3])),
  mul: { ...binary('mul', f64([2, 3]), f64([2, 1])), shared: [1] },
  div: binary('div', f64([2, 3]), pos([3])),
  pow: binary('pow', pos([2, 3]), f64([2, 3])),
  neg: unary('neg'),
  exp: unary('exp'),
  log: unary('log', pos([2, 3])),
  sqrt: unary('sqrt', pos([2, 3])),
  sin: unary('sin'),
  cos: unary('cos'),
  tanh: unary('tanh'),
  sigmoid: unary('sigmoid'),
  abs: unary('abs'),
  log1p: unary('log1p', pos([2, 3])),
  expm1: unary('expm1'),
  erf: unary('erf'),
  sign: unary('sign'),
  compare: { inputs: [f64([2, 3]), f64([3])], run: (x) => apply('compare', x, { op: 'lt' }) },
  where: { inputs: [bool([2, 3]), f64([2, 3]), f64([3])], run: (x) => apply('where', x, {}), shared: [0] },
  maximum: binary('maximum'),
  minimum: { ...binary('minimum'), shared: [0] },
  sum: { inputs: [f64([2, 3, 4])], run: ([x]) => apply('sum', [x!], { dims: [0, 2], keepdim: false }) },
  extreme: { inputs: [f64([2, 3])], run: ([x]) => apply('extreme', [x!], { op: 'max', dims: [1], keepdim: true, nanPicks: false }) },
  argReduce: { inputs: [f64([2, 3])], run: ([x]) => apply('argReduce', [x!], { op: 'argmin', dim: 0, keepdim: false }) },
  reshape: { inputs: [f64([2, 3])], run: ([x]) => apply('reshape', [x!], { shape: [3, 1, 2] }) },
  permute: { inputs: [f64([2, 3, 4])], run: ([x]) => apply('permute', [x!], { dims: [2, 0, 1] }) },
  expand: { inputs: [f64([3, 1])], run: ([x]) => apply('expand', [x!], { shape: [2, 3, 4] }) },
  slice: { inputs: [f64([5, 4])], run: ([x]) => apply('slice', [x!], { start: [1, 0], step: [2, 3], shape: [2, 2] }) },
  unslice: { inputs: [f64([2, 2])], run: ([x]) => apply('unslice', [x!], { shape: [5, 4], start: [1, 0], step: [2, 3], value: 0.5 }) },
  cat: { inputs: [f64([2, 3]), f64([1, 3])], run: (x) => apply('cat', x, { dim: 0 }), shared: [1] },
  gather: { inputs: [f64([3, 4]), idx(3, [2, 4])], run: (x) => apply('gather', x, { dim: 0 }) },
  scatterAdd: { inputs: [f64([2, 4]), idx(3, [2, 4])], run: (x) => apply('scatterAdd', x, { dim: 0, shape: [3, 4] }), shared: [1] },
  matmul: binary('matmul', f64([2, 3]), f64([3, 4])),
  // linalg: well-conditioned per-example inputs (SPD, symmetric, 3 I added) made inside `run`
  cholesky: { inputs: [f64([3, 3])], run: ([x]) => apply('cholesky', [x!.matmul(x!.transpose(0, 1)).add(eye(3, { dtype: 'float64' }).mul(3))], {}) },
  triangularSolve: {
    inputs: [f64([3, 3]), f64([3, 2])], shared: [1],
    run: ([a, b]) => apply('triangularSolve', [a!.add(eye(3, { dtype: 'float64' }).mul(3)), b!], { upper: false, unitriangular: false }),
  },
  solve: { inputs: [f64([3, 3]), f64([3, 2])], shared: [0], run: ([a, b]) => apply('solve', [a!.add(eye(3, { dtype: 'float64' }).mul(3)), b!], { check: null }) },
  det: unary('det', f64([3, 3])),
  slogdet: unary('slogdet', f64([3, 3])),
  qr: unary('qr', f64([4, 3])),
  eigh: { inputs: [f64([3, 3])], run: ([x]) => apply('eigh', [x!.add(x!.transpose(0, 1))], {}) },
  svd: unary('svd', f64([3, 4])),
  im2col: { inputs: [f64([2, 1, 3, 3])], run: ([x]) => apply('im2col', [x!], WIN) },
  col2im: { inputs: [f64([2, 1, 2, 2, 2, 2])], run: ([x]) => apply('col2im', [x!], { window: WIN, spatial: [3, 3] }) },
  cast: { inputs: [f64([2, 3])], run: ([x]) => apply('cast', [x!], { dtype: 'float32' }) },
  transfer: { inputs: [f64([2, 3])], run: ([x]) => apply('transfer', [x!], { backend: getBackend(), from: x!.backend }) },
  contiguous: { inputs: [() => randn([3, 2], { dtype: 'float64' }).transpose(0, 1)], run: ([x]) => apply('contiguous', [x!], {}) },
  asin: unary('asin', () => randn([2, 3], { dtype: 'float64' }).tanh().mul(0.9)),
  acos: unary('acos', () => randn([2, 3], { dtype: 'float64' }).tanh().mul(0.9)),
  atan: unary('atan'),
  atan2: { ...binary('atan2', f64([2, 3]), f64([3])), shared: [1] },
  rounding: { inputs: [f64([2, 3])], run: ([x]) => apply('rounding', [x!], { op: 'round' }) },
  mod: { inputs: [f64([2, 3]), pos([3])], run: (x) => apply('mod', x, { op: 'remainder' }) },
  // cumprod through its rule along dim 1 (gradients of the batched rule), and a reversed logsumexp scan along dim 0.
  scan: { inputs: [f64([2, 4])], run: ([x]) => apply('scan', [x!], { op: 'prod', dim: 1, reverse: false }) },
  sort: { inputs: [f64([3, 4])], run: ([x]) => apply('sort', [x!], { dim: 0, descending: true }) },
};

/** Batch dim `d` of a stack of examples: `stack(examples, d)`. */
function batched(examples: Tensor[], d: number): Tensor {
  return stack(examples, d);
}

const close = (a: Tensor, b: Tensor, tol = 1e-12): void => {
  expect(a.shape).toEqual(b.shape);
  const d = cast(a, 'float64').sub(cast(b, 'float64')).abs();
  expect(d.size === 0 ? 0 : (d.max().item() as number)).toBeLessThanOrEqual(tol);
};

function checkCase(c: Case, bdim: number): void {
  manualSeed(11);
  const shared = new Set(c.shared ?? []);
  const examples = Array.from({ length: B }, () => c.inputs.map((m) => m()));
  const ins = c.inputs.map((_, i) => (shared.has(i) ? examples[0]![i]! : batched(examples.map((e) => e[i]!), Math.min(bdim, examples[0]![i]!.ndim))));
  const inDims = c.inputs.map((_, i) => (shared.has(i) ? null : Math.min(bdim, examples[0]![i]!.ndim)));
  const expected = stack(examples.map((e) => c.run(e.map((x, i) => (shared.has(i) ? examples[0]![i]! : x)))), 0);
  close(vmap((...xs: Tensor[]) => c.run(xs), { inDims })(...ins), expected);
  // Nested: the batch split in two vmaps ([1, B] over two dims).
  const nestedIns = ins.map((x, i) => (shared.has(i) ? x : x.unsqueeze(0)));
  const nested = vmap(vmap((...xs: Tensor[]) => c.run(xs), { inDims }), { inDims: inDims.map((d) => (d === null ? null : 0)) })(...nestedIns);
  close(nested, expected.unsqueeze(0));
  // Gradients through the batched function, against the loop.
  const floats = c.inputs.map((_, i) => examples[0]![i]!.dtype === 'float64');
  if (!expected._isFloat || !floats.some(Boolean)) return;
  const w = randn(expected.shape, { dtype: expected.dtype });
  const nums = floats.flatMap((f, i) => (f ? [i] : []));
  const batchedLoss = (...xs: Tensor[]) => vmap((...ys: Tensor[]) => c.run(ys), { inDims })(...xs).mul(w).sum();
  const loopLoss = (...xs: Tensor[]) => {
    const outs = Array.from({ length: B }, (_, b) =>
      c.run(xs.map((x, i) => (shared.has(i) ? x : x.narrow(inDims[i]!, b, 1).squeeze(inDims[i]!)))),
    );
    return stack(outs, 0).mul(w).sum();
  };
  const gb = grad(batchedLoss, { argnums: nums })(...ins);
  const gl = grad(loopLoss, { argnums: nums })(...ins);
  gb.forEach((g, k) => close(g, gl[k]!, 1e-10));
}

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
    for (const bdim of [0, 1]) checkCase(CASES[p], bdim);
  });
});

it('elementwise with the batch at the last dim of one input and shared inputs of higher rank', () => {
  manualSeed(3);
  const a = randn([2, 3, B], { dtype: 'float64' });
  const b = randn([4, 2, 3], { dtype: 'float64' });
  const out = vmap((x: Tensor, y: Tensor) => x.add(y), { inDims: [-1, null] })(a, b);
  const loop = stack([0, 1, 2].map((i) => a.narrow(2, i, 1).squeeze(2).add(b)), 0);
  close(out, loop);
  expect(tensor(0).item()).toBe(0);
});

it('matmul with an inner dim of 1 (per-example outer products) and with a shared 2-D side, against a loop', () => {
  manualSeed(4);
  const a = randn([B, 4, 1], { dtype: 'float64' });
  const b = randn([B, 1, 5], { dtype: 'float64' });
  const m = randn([5, 2], { dtype: 'float64' });
  const loop = stack([0, 1, 2].map((i) => a.narrow(0, i, 1).squeeze(0).matmul(b.narrow(0, i, 1).squeeze(0)).matmul(m)), 0);
  close(vmap((x: Tensor, y: Tensor) => apply('matmul', [apply('matmul', [x, y], {}), m], {}))(a, b), loop, 1e-14);
  const left = stack([0, 1, 2].map((i) => m.transpose(0, 1).matmul(b.narrow(0, i, 1).squeeze(0).transpose(0, 1))), 0);
  close(vmap((y: Tensor) => apply('matmul', [m.transpose(0, 1).contiguous(), y.transpose(0, 1)], {}))(b), left, 1e-14);
});
