// adjoint's `webgpu` backend, from the built package (dist/): what a user of the published package runs.
import * as A from "../../../dist/index.js";
import { conv2d, crossEntropy, relu } from "../../../dist/nn/functional/index.js";
import { SGD } from "../../../dist/optim/index.js";
import * as data from "../../peers/data.mjs";

export const version = "adjoint (this checkout)";

export async function setup() {
  const info = await A.initWebGPU({ powerPreference: "high-performance" });
  A.setBackend("webgpu");
  return { adapter: info };
}

const t = (values, shape, opts = {}) => A.tensor(Float32Array.from(values), { shape, ...opts });

/** `f`, under `compile` for the adjoint-webgpu-compiled rows (traced at the first warm-up step, replayed after). */
const maybeCompiled = (f, compiled) => (compiled ? A.compile(f) : f);

/** The W4 MLP (BENCHMARKS.md) at `batch` rows (X's 128 rows repeated), trained by SGD; one step reads the loss. */
function mlpStep(batch, compiled = false) {
  const d = data.mlpMnist();
  const rows = Float32Array.from({ length: batch * 784 }, (_, i) => d.X[i % (128 * 784)]);
  const X = t(rows, [batch, 784]);
  const y = A.tensor(Int32Array.from({ length: batch }, (_, i) => d.labels[i % 128]), { shape: [batch] });
  const params = d.layers.flatMap((l) => [t(l.W, [l.nin, l.nout], { requiresGrad: true }), A.zeros([l.nout], { requiresGrad: true })]);
  const [W1, b1, W2, b2, W3, b3] = params;
  const opt = new SGD(params, { lr: 0.01 });
  const check = {};
  let n = 0;
  const train = maybeCompiled(() => {
    opt.zeroGrad();
    const h1 = relu(X.matmul(W1).add(b1));
    const h2 = relu(h1.matmul(W2).add(b2));
    const loss = crossEntropy(h2.matmul(W3).add(b3), y);
    loss.backward();
    opt.step();
    return loss;
  }, compiled);
  return {
    check,
    async step() {
      const v = await train().itemAsync();
      if (n < 2) check[`loss${n}`] = v;
      n++;
    },
  };
}

/** G6: conv2d + relu + sum, forward and backward (W6's shapes, or ResNet scale); one step reads the loss. */
function convStep(kind, compiled = false) {
  if (kind === "W6") {
    const d = data.convInputs();
    const X = t(d.X, [32, 1, 28, 28]);
    const W = t(d.W, [32, 1, 3, 3], { requiresGrad: true });
    const check = {};
    const run = maybeCompiled(() => {
      W.grad = null;
      const loss = relu(conv2d(X, W)).sum();
      loss.backward();
      return loss;
    }, compiled);
    return {
      check,
      async step() {
        check.loss = await run().itemAsync();
      },
    };
  }
  // ResNet scale: X [64,64,56,56], W [64,64,3,3], padding 1, backward to X and W.
  A.manualSeed(7);
  const X = A.rand([64, 64, 56, 56]).sub(0.5).requiresGrad_();
  const W = A.rand([64, 64, 3, 3]).sub(0.5).div(24).requiresGrad_();
  const run = maybeCompiled(() => {
    X.grad = null;
    W.grad = null;
    const loss = relu(conv2d(X, W, null, { padding: 1 })).sum();
    loss.backward();
    return loss;
  }, compiled);
  return {
    flops: 3 * 2 * 64 * 64 * 56 * 56 * 64 * 9,
    async step() {
      await run().itemAsync();
    },
  };
}

/**
 * The adjoint-webgpu-compiled rows (bench/gpu/impl/adjoint-webgpu-compiled.mjs): G4 and G6 with
 * each step under `compile` (fused WGSL elementwise kernels, planned buffers, one submit per step).
 */
export const compiledWorkloads = {
  G4: (batch) => mlpStep(batch, true),
  G6: (kind) => convStep(kind, true),
};

export const workloads = {
  G3(n, { reps }) {
    const d = data.matmulInputs(n);
    const a = t(d.A, [n, n]), b = t(d.B, [n, n]);
    return {
      flops: 2 * n ** 3 * reps,
      async step() {
        let c = null;
        for (let r = 0; r < reps; r++) c = A.matmul(a, b);
        await c.sum().itemAsync();
      },
    };
  },
  G4: (batch) => mlpStep(batch),
  G6: (kind) => convStep(kind),
  /** G10: W4 steps with no freeing by hand; GPU bytes in use at each checkpoint. */
  async G10(checkpoints) {
    const s = mlpStep(128);
    const out = {};
    const last = checkpoints[checkpoints.length - 1];
    for (let i = 1; i <= last; i++) {
      await s.step();
      if (checkpoints.includes(i)) out[`step${i}_mb`] = A.webgpuMemory().bytesInUse / 2 ** 20;
    }
    out.rss_mb = process.memoryUsage().rss / 2 ** 20;
    return out;
  },
  /** Where G4's time goes: GPU time per kernel (timestamp queries), dispatches, submits, encode time. */
  async profile({ batch, warmup, steps }) {
    const s = mlpStep(batch);
    for (let i = 0; i < warmup; i++) await s.step();
    A.setWebGPUOptions({ profile: true });
    await A.webgpuProfile();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) await s.step();
    const wall = (performance.now() - t0) / steps;
    const p = await A.webgpuProfile();
    A.setWebGPUOptions({ profile: false });
    return { batch, steps, wall_ms: wall, profile: p };
  },
};
