// jax-js on its `webgpu` device (jit for the training steps). Arrays are reference-counted: every call
// consumes its array arguments, so anything used again is passed as `x.ref`.
import { numpy as np, nn, lax, init, defaultDevice, jit, valueAndGrad } from "@jax-js/jax";
import * as data from "../../peers/data.mjs";
import { nodeNavigator } from "../gpu-node.mjs";

export const version = "@jax-js/jax 0.1.25";

export async function setup() {
  await nodeNavigator();
  const devices = await init("webgpu");
  if (!devices.includes("webgpu")) throw new Error(`jax-js: no webgpu device (got ${devices})`);
  defaultDevice("webgpu");
  return {};
}

const arr = (values, shape) => np.array(Float32Array.from(values)).reshape(shape);

function mlpStep(batch) {
  const d = data.mlpMnist();
  const rows = Float32Array.from({ length: batch * 784 }, (_, i) => d.X[i % (128 * 784)]);
  const X = arr(rows, [batch, 784]);
  const hot = new Float32Array(batch * 10);
  for (let i = 0; i < batch; i++) hot[i * 10 + d.labels[i % 128]] = 1;
  const T = arr(hot, [batch, 10]);
  let ps = d.layers.flatMap((l) => [arr(l.W, [l.nin, l.nout]), np.zeros([l.nout])]);
  const loss = ([W1, b1, W2, b2, W3, b3], X, T) => {
    const h1 = nn.relu(np.matmul(X, W1).add(b1));
    const h2 = nn.relu(np.matmul(h1, W2).add(b2));
    const logp = nn.logSoftmax(np.matmul(h2, W3).add(b3), -1);
    return np.negative(np.mean(np.sum(T.mul(logp), 1)));
  };
  const step = jit((ps, X, T) => {
    const [l, grads] = valueAndGrad(loss)(ps.map((p) => p.ref), X, T);
    return [l, ps.map((p, i) => p.sub(grads[i].mul(0.01)))];
  });
  const check = {};
  let n = 0;
  return {
    check,
    async step() {
      let l;
      [l, ps] = step(ps, X.ref, T.ref);
      const v = (await l.data())[0];
      if (n < 2) check[`loss${n}`] = v;
      n++;
    },
  };
}

export const workloads = {
  G3(n, { reps }) {
    const d = data.matmulInputs(n);
    const a = arr(d.A, [n, n]), b = arr(d.B, [n, n]);
    return {
      flops: 2 * n ** 3 * reps,
      async step() {
        const cs = [];
        for (let r = 0; r < reps; r++) cs.push(np.matmul(a.ref, b.ref));
        const s = cs.reduce((acc, c) => (acc === null ? np.sum(c) : acc.add(np.sum(c))), null);
        await s.data();
      },
    };
  },
  G4: (batch) => mlpStep(batch),
  G6(kind) {
    if (kind !== "W6") throw new Error("jax-js: only W6");
    const d = data.convInputs();
    const X = arr(d.X, [32, 1, 28, 28]), W = arr(d.W, [32, 1, 3, 3]);
    const vg = jit(valueAndGrad((w, x) => np.sum(nn.relu(lax.convGeneralDilated(x, w, [1, 1], "VALID")))));
    const check = {};
    return {
      check,
      async step() {
        const [l, g] = vg(W.ref, X.ref);
        check.loss = (await l.data())[0];
        g.dispose?.();
      },
    };
  },
};
