/**
 * The batching-rule table of every primitive, shared by the backends' tests
 * (vmap-rules.test.ts on js and wasm in float64, vmap-rules-webgpu.test.ts on
 * webgpu in float32): a case per primitive and the check of its batching rule
 * against a loop over the batch, values and gradients, with the batch dim at
 * different positions and under nested vmaps.
 */
import { expect } from 'vitest';
import { type Tensor, eye, getBackend, grad, randn, randint, manualSeed, stack, vmap } from '../../src/index.js';
import { apply, type Primitive } from '../../src/ops/index.js';

type Make = () => Tensor;

/** How one primitive is checked. */
export interface Case {
  /** Per-example inputs (of the table's dtype unless made otherwise). */
  inputs: Make[];
  /** The primitive applied to one example's inputs. */
  run: (xs: Tensor[]) => Tensor;
  /** Inputs that are not batched (shared by every example). */
  shared?: number[];
}

/** The batch size of every check. */
export const B = 3;

/** One case per primitive, with float inputs of `dtype` (the cast goes to float32 from float64, to int32 from float32). */
export function vmapCases(dtype: 'float32' | 'float64'): Record<Primitive, Case> {
  const fl = (shape: number[]): Make => () => randn(shape, { dtype });
  const pos = (shape: number[]): Make => () => randn(shape, { dtype }).abs().add(0.5);
  const idx = (high: number, shape: number[]): Make => () => randint(0, high, shape);
  const bool = (shape: number[]): Make => () => randn(shape).gt(0);
  const unary = (p: Primitive, make: Make = fl([2, 3])): Case => ({ inputs: [make], run: (x) => apply(p, x, {} as never) });
  const binary = (p: Primitive, a: Make = fl([2, 3]), b: Make = fl([3])): Case => ({ inputs: [a, b], run: (x) => apply(p, x, {} as never) });
  const WIN = { kernel: [2, 2], stride: [1, 1], padding: [0, 0], dilation: [1, 1], out: [2, 2] };
  return {
    add: binary('add'),
    sub: binary('sub', fl([3]), fl([2, 3])),
    mul: { ...binary('mul', fl([2, 3]), fl([2, 1])), shared: [1] },
    div: binary('div', fl([2, 3]), pos([3])),
    pow: binary('pow', pos([2, 3]), fl([2, 3])),
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
    compare: { inputs: [fl([2, 3]), fl([3])], run: (x) => apply('compare', x, { op: 'lt' }) },
    where: { inputs: [bool([2, 3]), fl([2, 3]), fl([3])], run: (x) => apply('where', x, {}), shared: [0] },
    maximum: binary('maximum'),
    minimum: { ...binary('minimum'), shared: [0] },
    sum: { inputs: [fl([2, 3, 4])], run: ([x]) => apply('sum', [x!], { dims: [0, 2], keepdim: false }) },
    extreme: { inputs: [fl([2, 3])], run: ([x]) => apply('extreme', [x!], { op: 'max', dims: [1], keepdim: true, nanPicks: false }) },
    argReduce: { inputs: [fl([2, 3])], run: ([x]) => apply('argReduce', [x!], { op: 'argmin', dim: 0, keepdim: false }) },
    reshape: { inputs: [fl([2, 3])], run: ([x]) => apply('reshape', [x!], { shape: [3, 1, 2] }) },
    permute: { inputs: [fl([2, 3, 4])], run: ([x]) => apply('permute', [x!], { dims: [2, 0, 1] }) },
    expand: { inputs: [fl([3, 1])], run: ([x]) => apply('expand', [x!], { shape: [2, 3, 4] }) },
    slice: { inputs: [fl([5, 4])], run: ([x]) => apply('slice', [x!], { start: [1, 0], step: [2, 3], shape: [2, 2] }) },
    unslice: { inputs: [fl([2, 2])], run: ([x]) => apply('unslice', [x!], { shape: [5, 4], start: [1, 0], step: [2, 3], value: 0.5 }) },
    cat: { inputs: [fl([2, 3]), fl([1, 3])], run: (x) => apply('cat', x, { dim: 0 }), shared: [1] },
    gather: { inputs: [fl([3, 4]), idx(3, [2, 4])], run: (x) => apply('gather', x, { dim: 0 }) },
    scatterAdd: { inputs: [fl([2, 4]), idx(3, [2, 4])], run: (x) => apply('scatterAdd', x, { dim: 0, shape: [3, 4] }), shared: [1] },
    matmul: binary('matmul', fl([2, 3]), fl([3, 4])),
    // linalg: well-conditioned per-example inputs (SPD, symmetric, 3 I added) made inside `run`
    cholesky: { inputs: [fl([3, 3])], run: ([x]) => apply('cholesky', [x!.matmul(x!.transpose(0, 1)).add(eye(3, { dtype }).mul(3))], {}) },
    triangularSolve: {
      inputs: [fl([3, 3]), fl([3, 2])], shared: [1],
      run: ([a, b]) => apply('triangularSolve', [a!.add(eye(3, { dtype }).mul(3)), b!], { upper: false, unitriangular: false }),
    },
    solve: { inputs: [fl([3, 3]), fl([3, 2])], shared: [0], run: ([a, b]) => apply('solve', [a!.add(eye(3, { dtype }).mul(3)), b!], { check: null }) },
    det: unary('det', fl([3, 3])),
    slogdet: unary('slogdet', fl([3, 3])),
    qr: unary('qr', fl([4, 3])),
    eigh: { inputs: [fl([3, 3])], run: ([x]) => apply('eigh', [x!.add(x!.transpose(0, 1))], {}) },
    svd: unary('svd', fl([3, 4])),
    im2col: { inputs: [fl([2, 1, 3, 3])], run: ([x]) => apply('im2col', [x!], WIN) },
    col2im: { inputs: [fl([2, 1, 2, 2, 2, 2])], run: ([x]) => apply('col2im', [x!], { window: WIN, spatial: [3, 3] }) },
    cast: { inputs: [fl([2, 3])], run: ([x]) => apply('cast', [x!], { dtype: dtype === 'float64' ? 'float32' : 'int32' }) },
    transfer: { inputs: [fl([2, 3])], run: ([x]) => apply('transfer', [x!], { backend: getBackend(), from: x!.backend }) },
    contiguous: { inputs: [() => randn([3, 2], { dtype }).transpose(0, 1)], run: ([x]) => apply('contiguous', [x!], {}) },
    asin: unary('asin', () => randn([2, 3], { dtype }).tanh().mul(0.9)),
    acos: unary('acos', () => randn([2, 3], { dtype }).tanh().mul(0.9)),
    atan: unary('atan'),
    atan2: { ...binary('atan2', fl([2, 3]), fl([3])), shared: [1] },
    rounding: { inputs: [fl([2, 3])], run: ([x]) => apply('rounding', [x!], { op: 'round' }) },
    mod: { inputs: [fl([2, 3]), pos([3])], run: (x) => apply('mod', x, { op: 'remainder' }) },
    // cumprod through its rule along dim 1 (gradients of the batched rule), and a reversed logsumexp scan along dim 0.
    scan: { inputs: [fl([2, 4])], run: ([x]) => apply('scan', [x!], { op: 'prod', dim: 1, reverse: false }) },
    sort: { inputs: [fl([3, 4])], run: ([x]) => apply('sort', [x!], { dim: 0, descending: true }) },
  };
}

/** Tolerances of a check: values, and gradients (max |a − b| / max(1, |b|)). */
export interface Tolerance {
  values: number;
  grads: number;
}

/** `a` and `b` have one shape and agree within `tol` (read on the host, so on every backend). */
export async function close(a: Tensor, b: Tensor, tol: number): Promise<void> {
  expect(a.shape).toEqual(b.shape);
  const [x, y] = [await a.toTypedArrayAsync(), await b.toTypedArrayAsync()];
  let worst = 0;
  for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(Number(x[i]) - Number(y[i])) / Math.max(1, Math.abs(Number(y[i]))));
  expect(worst).toBeLessThanOrEqual(tol);
}

/** The examples, batched inputs and inDims of a case with the batch at `bdim` (or the last dim where an input has fewer). */
function setup(c: Case, bdim: number): { examples: Tensor[][]; ins: Tensor[]; inDims: (number | null)[]; shared: Set<number> } {
  manualSeed(11);
  const shared = new Set(c.shared ?? []);
  const examples = Array.from({ length: B }, () => c.inputs.map((m) => m()));
  const inDims = c.inputs.map((_, i) => (shared.has(i) ? null : Math.min(bdim, examples[0]![i]!.ndim)));
  const ins = c.inputs.map((_, i) => (shared.has(i) ? examples[0]![i]! : stack(examples.map((e) => e[i]!), inDims[i]!)));
  return { examples, ins, inDims, shared };
}

/**
 * The case's batching rule against a loop over the batch: the vmapped
 * primitive, the same under two nested vmaps, and (float outputs) the
 * gradients through the vmapped function against those through the loop.
 */
export async function checkCase(c: Case, bdim: number, tol: Tolerance): Promise<void> {
  const { examples, ins, inDims, shared } = setup(c, bdim);
  const expected = stack(examples.map((e) => c.run(e.map((x, i) => (shared.has(i) ? examples[0]![i]! : x)))), 0);
  await close(vmap((...xs: Tensor[]) => c.run(xs), { inDims })(...ins), expected, tol.values);
  // Nested: the batch split in two vmaps ([1, B] over two dims).
  const nestedIns = ins.map((x, i) => (shared.has(i) ? x : x.unsqueeze(0)));
  const nested = vmap(vmap((...xs: Tensor[]) => c.run(xs), { inDims }), { inDims: inDims.map((d) => (d === null ? null : 0)) })(...nestedIns);
  await close(nested, expected.unsqueeze(0), tol.values);
  // Gradients through the batched function, against the loop.
  const floats = c.inputs.map((_, i) => examples[0]![i]!._isFloat);
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
  for (let k = 0; k < gb.length; k++) await close(gb[k]!, gl[k]!, tol.grads);
}

/**
 * The error of the case's primitive on one example, or null when it runs
 * (a backend without a kernel for it throws a `DeviceError`).
 */
export function forwardError(c: Case): unknown {
  const { examples } = setup(c, 0);
  try {
    c.run(examples[0]!);
    return null;
  } catch (e) {
    return e;
  }
}

/** The vmapped primitive (batch dim 0), for asserting that it throws what the forward throws. */
export function runBatched(c: Case): Tensor {
  const { ins, inDims } = setup(c, 0);
  return vmap((...xs: Tensor[]) => c.run(xs), { inDims })(...ins);
}
