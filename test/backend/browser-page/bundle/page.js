// The page of test/backend/browser.test.ts for the BUILT browser bundle: plain JavaScript,
// no bundler, the library imported by URL exactly as docs/BROWSER.md shows. It loads the
// wasm kernels with `initWasm()`, then exposes `window.adjointPage` for the test to drive
// with `page.evaluate`: golden cases (inputs from test/fixtures/conformance, results sent
// back for the test to compare), a threaded GEMM, and training steps on wasm and js.
import * as A from './adjoint/adjoint.js';
import * as F from './adjoint/nn-functional.js';
import * as nn from './adjoint/nn.js';
import { Adam } from './adjoint/optim.js';

/** How each golden op is called (the same calls as test/tensor/registry.ts and test/nn/registry.ts). */
const OPS = {
  matmul: (a) => A.matmul(a[0], a[1]),
  conv2d: (a, k) => F.conv2d(a[0], a[1], a[2] ?? null, { stride: k.stride, padding: k.padding, dilation: k.dilation, groups: k.groups }),
  softmax: (a, k) => A.softmax(a[0], k.dim),
  logSoftmax: (a, k) => A.logSoftmax(a[0], k.dim),
  crossEntropy: (a, k) => F.crossEntropy(a[0], a[1], { reduction: k.reduction, labelSmoothing: k.labelSmoothing }),
  sum: (a, k) => (k.dim === undefined ? A.sum(a[0]) : A.sum(a[0], k.dim, { keepdim: k.keepdim })),
  mean: (a, k) => (k.dim === undefined ? A.mean(a[0]) : A.mean(a[0], k.dim, { keepdim: k.keepdim })),
  logsumexp: (a, k) => A.logsumexp(a[0], k.dim, { keepdim: k.keepdim }),
  tanh: (a) => A.tanh(a[0]),
};

const num = (v) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);
const isTensorArg = (v) => typeof v === 'object' && v !== null && 'tensor' in v;
/** A golden tensor as a tensor: int64 → int32, bool → bool, floats → float32. */
const toTensor = (t) =>
  A.tensor(Float64Array.from(t.data, num), { shape: t.shape, dtype: t.dtype === 'int64' ? 'int32' : t.dtype === 'bool' ? 'bool' : 'float32' });
const asList = (v) => (Array.isArray(v) ? v : [v]);
/** A tensor as plain data, read asynchronously (the one reader the GPU has). */
const plain = async (t) => (t === null || t === undefined ? null : { shape: [...t.shape], dtype: t.dtype, data: Array.from(await t.toTypedArrayAsync()) });
const plainAll = (ts) => Promise.all(ts.map(plain));

/** Σ sum(t_i · w_i) over the tensors that take part in the graph. */
function weighted(ts, ws) {
  let total = null;
  ws.forEach((w, i) => {
    const t = ts[i];
    if (w === null || w === undefined || t === null || t === undefined || !t.requiresGrad) return;
    const term = A.sum(A.mul(t, toTensor(w)));
    total = total === null ? term : total.add(term);
  });
  return total;
}

/** One golden case in float32, as test/helpers/registry.ts runs it: outputs, gradients, grad_of_grad. */
async function runCase(c) {
  const args = c.args.map((a) => {
    if (!isTensorArg(a)) return a;
    const t = toTensor(a.tensor);
    if (t.dtype === 'float32') t.requiresGrad = true;
    return t;
  });
  const outs = asList(OPS[c.op](args, c.kwargs ?? {}));
  const idx = args.flatMap((a, i) => (a instanceof A.Tensor && a.requiresGrad ? [i] : []));
  const leaves = idx.map((i) => args[i]);
  const loss = weighted(outs, asList(c.cotangent));
  const gog = c.grad_of_grad !== undefined;
  const g = loss === null ? leaves.map(() => null) : A.autogradGrad(loss, leaves, { createGraph: gog, allowUnused: true });
  const result = {
    id: c.id,
    backend: A.getBackend(),
    sameTensorClass: outs.every((o) => o instanceof A.Tensor),
    onBackend: outs.every((o) => o.backend === A.getBackend()),
    outs: await plainAll(outs),
    grads: await plainAll(c.args.map((_, i) => (idx.includes(i) ? g[idx.indexOf(i)] : null))),
  };
  if (gog) {
    const s = weighted(idx.map((_, k) => g[k] ?? null), idx.map((i) => c.grad_of_grad.v[i] ?? null));
    const gg = s === null ? leaves.map(() => null) : A.autogradGrad(s, leaves, { allowUnused: true });
    result.gradOfGrad = await plainAll(c.args.map((_, i) => (idx.includes(i) ? gg[idx.indexOf(i)] : null)));
  }
  return result;
}

/** Runs the cases one after another. */
async function runAll(cases) {
  const results = [];
  for (const c of cases) results.push(await runCase(c));
  return results;
}

/** Every case on the wasm backend, each op through the wasm kernels (no small-tensor shortcut to js). */
async function goldens(cases) {
  A.setBackend('wasm');
  A.setWasmOptions({ smallBytes: 0 });
  const before = A.wasmInfo().stats.allocs;
  try {
    const results = await runAll(cases);
    return { results, wasmAllocs: A.wasmInfo().stats.allocs - before };
  } finally {
    A.setWasmOptions({ smallBytes: 256 }); // the default (WASM_SMALL_BYTES)
  }
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/**
 * A GEMM big enough for the worker threads (300×200 · 200×250): the first one starts the
 * workers (and runs on one thread), then once they are up a second one is split.
 */
async function threadedMatmul() {
  A.setBackend('wasm');
  A.manualSeed(1);
  const a = A.randn([300, 200]);
  const b = A.randn([200, 250]);
  A.matmul(a, b);
  const until = performance.now() + 10_000;
  while (A.wasmInfo().readyWorkers < A.wasmInfo().threads - 1 && performance.now() < until) await sleep(20);
  const workersReady = A.wasmInfo().threads > 1 && A.wasmInfo().readyWorkers > 0;
  const w = A.matmul(a, b).toTypedArray();
  const info = A.wasmInfo();
  // Elementwise kernels of 2^15+ elements are split over the workers too (75,000 elements: mul, add, exp).
  const x = A.randn([300, 250]);
  const y = A.randn([300, 250]);
  const before = A.wasmInfo().stats.parallelCalls;
  const e = x.mul(y).add(1).exp().toTypedArray();
  const elementwiseSplits = A.wasmInfo().stats.parallelCalls - before;
  A.setBackend('js');
  const j = A.matmul(a, b).toTypedArray();
  const ej = x.mul(y).add(1).exp().toTypedArray();
  A.setBackend('wasm');
  let maxErr = 0;
  for (let i = 0; i < j.length; i++) maxErr = Math.max(maxErr, Math.abs(w[i] - j[i]));
  let elementwiseMaxRelErr = 0;
  for (let i = 0; i < ej.length; i++) elementwiseMaxRelErr = Math.max(elementwiseMaxRelErr, Math.abs(e[i] - ej[i]) / Math.abs(ej[i]));
  return {
    workersReady, threads: info.threads, readyWorkers: info.readyWorkers, parallelCalls: info.stats.parallelCalls, maxErr,
    elementwiseSplits, elementwiseMaxRelErr,
  };
}

/** The same cases on the GPU through navigator.gpu (WebGPU), and the adapter it ran on. */
async function goldensGpu(cases) {
  const adapter = await A.initWebGPU();
  A.setBackend('webgpu');
  try {
    return { adapter, results: await runAll(cases) };
  } finally {
    A.setBackend('wasm');
  }
}

/** Four Adam steps of a small conv net (nn, nn/functional and optim from their own entry files). */
async function train(backend) {
  if (backend === 'webgpu') await A.initWebGPU();
  A.setBackend(backend);
  A.manualSeed(3);
  const model = new nn.Sequential(new nn.Conv2d(1, 6, 3), new nn.ReLU(), new nn.Flatten(), new nn.Linear(6 * 6 * 6, 10));
  const opt = new Adam(model.parameters(), { lr: 0.01 });
  const x = A.randn([32, 1, 8, 8]);
  const y = A.tensor(Array.from({ length: 32 }, (_, i) => (i * 7) % 10), { dtype: 'int32' });
  const losses = [];
  for (let step = 0; step < 4; step++) {
    opt.zeroGrad();
    const loss = F.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    losses.push(await loss.itemAsync());
  }
  return losses;
}

window.adjointPage = {
  goldens,
  goldensGpu,
  threadedMatmul,
  train: async (backends = ['wasm', 'js']) => {
    try {
      const out = {};
      for (const b of backends) out[b] = await train(b);
      return out;
    } finally {
      A.setBackend('wasm');
    }
  },
};

async function start() {
  const defaultBackend = A.getBackend();
  const loaded = await A.initWasm();
  if (loaded) A.setBackend('wasm');
  return { defaultBackend, loaded, backend: A.getBackend(), crossOriginIsolated: globalThis.crossOriginIsolated === true, info: A.wasmInfo() };
}

start().then(
  (r) => (window.__ready = r),
  (e) => (window.__ready = { error: String(e?.stack ?? e) }),
);
