// jax-js (@jax-js/jax) on its "wasm" device. Arrays are reference-counted: every call consumes its
// array arguments (also dataSync()/item()), so anything used again is passed as `x.ref`.
import { numpy as np, nn, lax, init, defaultDevice, jit, vjp, valueAndGrad } from "@jax-js/jax";
import * as data from "../data.mjs";
import { Unsupported, chainCheck, chainLength, sum, OPS, pkgVersion, labelled } from "./common.mjs";

export const version = pkgVersion("@jax-js/jax");

export async function setup() {
  const devices = await init("wasm"); // init() without arguments probes WebGPU via `navigator`, absent in Node
  if (!devices.includes("wasm")) throw new Error(`jax-js: no wasm device (got ${devices})`);
  defaultDevice("wasm");
  // The wasm device runs kernels on Web Workers only when a global `Worker` exists; Node has none.
  return { threads: typeof Worker === "undefined" ? 1 : "workers" };
}

const arr = (values, shape) => np.array(values).reshape(shape);

/** jit-compiled SGD step: (params, ...consts) -> [loss, newParams]. */
function trainer(lossFn, params, consts, lr) {
  const step = jit((ps, ...cs) => {
    const [l, grads] = valueAndGrad(lossFn)(ps.map((p) => p.ref), ...cs);
    return [l, ps.map((p, i) => p.sub(grads[i].mul(lr)))];
  });
  const check = {};
  let ps = params, n = 0;
  return {
    mode: "jit",
    check,
    step() {
      let l;
      [l, ps] = step(ps, ...consts.map((c) => c.ref));
      const v = l.item(); // realizes the step (arrays are lazy)
      if (n < 2) check[`loss${n}`] = v;
      n++;
    },
  };
}

const workloads = {
  W1b() {
    const d = data.mlpSmall();
    const X = arr(d.X, [100, 2]), Y = arr(d.y, [100, 1]);
    const params = d.layers.flatMap((l) => [arr(data.transpose(l.W, l.nout, l.nin), [l.nin, l.nout]), np.zeros([l.nout])]);
    const loss = ([W1, b1, W2, b2, W3, b3], X, Y) => {
      const h1 = np.tanh(np.matmul(X, W1).add(b1));
      const h2 = np.tanh(np.matmul(h1, W2).add(b2));
      const e = np.matmul(h2, W3).add(b3).sub(Y);
      return np.mean(e.ref.mul(e));
    };
    return trainer(loss, params, [X, Y], 0.05);
  },

  W2(n) {
    const chain = (len) => (x) => {
      for (let i = 0; i < len; i++) x = x.mul(1.00001).add(0.001);
      return x;
    };
    const check = {};
    return {
      mode: "eager",
      check,
      step(phase) {
        const len = chainLength(phase, n);
        const t0 = performance.now();
        const [y, back] = labelled("forward (vjp)", () => vjp(chain(len), [np.array(0.5)]));
        const xN = y.item();
        const t1 = performance.now();
        const [g] = labelled("backward", () => back(np.array(1)));
        const dx = g.item();
        back.dispose();
        const t2 = performance.now();
        if (phase === "timed") Object.assign(check, chainCheck(n, xN, dx));
        return { fwd_ms: t1 - t0, bwd_ms: t2 - t1 };
      },
    };
  },

  W3(n) {
    const { A, B } = data.matmulInputs(n);
    const a = arr(A, [n, n]), b = arr(B, [n, n]);
    const mm = jit((a, b) => np.matmul(a, b));
    const check = {};
    return {
      mode: "jit",
      check,
      step() {
        const v = mm(a.ref, b.ref).dataSync();
        check.c00 = v[0];
        check.c_last = v[n * n - 1];
      },
    };
  },

  W4() {
    const d = data.mlpMnist();
    const X = arr(d.X, [128, 784]);
    const onehot = arr(Float32Array.from({ length: 1280 }, (_, k) => (k % 10 === d.labels[Math.floor(k / 10)] ? 1 : 0)), [128, 10]);
    const params = d.layers.flatMap((l) => [arr(l.W, [l.nin, l.nout]), np.zeros([l.nout])]);
    const loss = ([W1, b1, W2, b2, W3, b3], X, T) => {
      const h1 = nn.relu(np.matmul(X, W1).add(b1));
      const h2 = nn.relu(np.matmul(h1, W2).add(b2));
      const logp = nn.logSoftmax(np.matmul(h2, W3).add(b3), -1);
      return np.negative(np.mean(np.sum(T.mul(logp), 1)));
    };
    return trainer(loss, params, [X, onehot], 0.01);
  },

  W5() {
    const x = np.array(data.perOpInput());
    const f = (x) => {
      for (let k = 0; k < OPS; k++) x = k % 3 === 0 ? x.add(0.01) : k % 3 === 1 ? x.mul(0.99) : np.tanh(x);
      return np.sum(x);
    };
    const vg = valueAndGrad(f);
    const check = {};
    return {
      mode: "eager",
      check,
      step() {
        const [l, g] = vg(x.ref);
        check.loss = l.item();
        check.grad_sum = sum(g.dataSync());
      },
    };
  },

  W6() {
    const d = data.convInputs();
    const X = arr(d.X, [32, 1, 28, 28]), W = arr(d.W, [32, 1, 3, 3]); // NCHW / OIHW, as BENCHMARKS.md
    const loss = (w, x) => np.sum(nn.relu(lax.convGeneralDilated(x, w, [1, 1], "VALID")));
    const vg = jit(valueAndGrad(loss));
    const check = {};
    return {
      mode: "jit",
      check,
      step() {
        const [l, g] = vg(W.ref, X.ref);
        check.loss = l.item();
        check.grad_sum = sum(g.dataSync());
      },
    };
  },
};

export function make(workload, param) {
  if (!workloads[workload]) throw new Unsupported(`jax-js: no ${workload}`);
  return workloads[workload](param);
}
