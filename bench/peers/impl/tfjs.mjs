// TensorFlow.js (tfjs-core + cpu or wasm backend). Layout: NHWC / HWIO for conv2d.
import * as tf from "@tensorflow/tfjs"; // the umbrella: tfjs-core alone registers no gradients or chained ops in Node
import "@tensorflow/tfjs-backend-wasm";
import * as data from "../data.mjs";
import { Unsupported, chainCheck, chainLength, sum, OPS, pkgVersion } from "./common.mjs";

export const version = pkgVersion("@tensorflow/tfjs-core");

export async function setup(backend) {
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed`);
  await tf.ready();
  const f = tf.env().features;
  return { threads: backend === "wasm" ? (f.WASM_HAS_MULTITHREAD_SUPPORT ? "multi" : 1) : 1, simd: f.WASM_HAS_SIMD_SUPPORT };
}

/** One SGD step on `params` (an array of tensors) for `loss(...params)`; returns [loss, newParams]. */
function sgd(loss, params, lr) {
  const vg = tf.valueAndGrads(loss);
  return (ps) => {
    const out = tf.tidy(() => {
      const { value, grads } = vg(ps);
      return [value, ...ps.map((p, i) => p.sub(grads[i].mul(lr)))];
    });
    ps.forEach((p) => p.dispose());
    const l = out[0].dataSync()[0];
    out[0].dispose();
    return [l, out.slice(1)];
  };
}

function trainer(lossFn, params, lr) {
  const stepFn = sgd(lossFn, params, lr);
  const check = {};
  let ps = params, n = 0;
  return {
    check,
    step() {
      let l;
      [l, ps] = stepFn(ps);
      if (n < 2) check[`loss${n}`] = l;
      n++;
    },
  };
}

const workloads = {
  W1b() {
    const d = data.mlpSmall();
    const X = tf.tensor2d(d.X, [100, 2]), Y = tf.tensor2d(d.y, [100, 1]);
    const params = d.layers.flatMap((l) => [tf.tensor2d(data.transpose(l.W, l.nout, l.nin), [l.nin, l.nout]), tf.zeros([l.nout])]);
    const loss = (W1, b1, W2, b2, W3, b3) => {
      const h1 = tf.tanh(X.matMul(W1).add(b1));
      const h2 = tf.tanh(h1.matMul(W2).add(b2));
      return h2.matMul(W3).add(b3).sub(Y).square().mean();
    };
    return trainer(loss, params, 0.05);
  },

  W2(n) {
    const x0 = tf.scalar(0.5), a = tf.scalar(1.00001), b = tf.scalar(0.001);
    const chain = (len) => (x) => {
      for (let i = 0; i < len; i++) x = x.mul(a).add(b);
      return x;
    };
    const check = {};
    return {
      check,
      step(phase) {
        const len = chainLength(phase, n);
        const t0 = performance.now();
        tf.tidy(() => chain(len)(x0).dataSync()); // forward alone (no tape)
        const t1 = performance.now();
        const [xN, dx] = tf.tidy(() => {
          const { value, grad } = tf.valueAndGrad(chain(len))(x0);
          return [value.dataSync()[0], grad.dataSync()[0]];
        });
        const t2 = performance.now();
        if (phase === "timed") Object.assign(check, chainCheck(n, xN, dx));
        // TF.js runs forward and backward inside one valueAndGrad call: bwd = (fwd+bwd) - fwd alone.
        return { fwd_ms: t1 - t0, bwd_ms: t2 - t1 - (t1 - t0) };
      },
    };
  },

  W3(n) {
    const { A, B } = data.matmulInputs(n);
    const a = tf.tensor2d(A, [n, n]), b = tf.tensor2d(B, [n, n]);
    const check = {};
    return {
      check,
      step() {
        const c = tf.matMul(a, b);
        const v = c.dataSync();
        c.dispose();
        check.c00 = v[0];
        check.c_last = v[n * n - 1];
      },
    };
  },

  W4() {
    const d = data.mlpMnist();
    const X = tf.tensor2d(d.X, [128, 784]);
    const onehot = tf.oneHot(tf.tensor1d(d.labels, "int32"), 10).toFloat();
    const params = d.layers.flatMap((l) => [tf.tensor2d(l.W, [l.nin, l.nout]), tf.zeros([l.nout])]);
    const loss = (W1, b1, W2, b2, W3, b3) => {
      const h1 = tf.relu(X.matMul(W1).add(b1));
      const h2 = tf.relu(h1.matMul(W2).add(b2));
      const logits = h2.matMul(W3).add(b3);
      return tf.neg(tf.mean(tf.sum(onehot.mul(tf.logSoftmax(logits)), 1)));
    };
    return trainer(loss, params, 0.01);
  },

  W5() {
    const x = tf.tensor1d(data.perOpInput());
    const c1 = tf.scalar(0.01), c2 = tf.scalar(0.99);
    const f = (x) => {
      for (let k = 0; k < OPS; k++) x = k % 3 === 0 ? x.add(c1) : k % 3 === 1 ? x.mul(c2) : tf.tanh(x);
      return x.sum();
    };
    const vg = tf.valueAndGrad(f);
    const check = {};
    return {
      check,
      step() {
        tf.tidy(() => {
          const { value, grad } = vg(x);
          check.loss = value.dataSync()[0];
          check.grad_sum = sum(grad.dataSync());
        });
      },
    };
  },

  W6() {
    const d = data.convInputs();
    // NCHW with C=1 is NHWC [32,28,28,1] as is; OIHW [32,1,3,3] -> HWIO [3,3,1,32] (layout prep, untimed).
    const X = tf.tensor4d(d.X, [32, 28, 28, 1]);
    const W = tf.tidy(() => tf.transpose(tf.tensor4d(d.W, [32, 1, 3, 3]), [2, 3, 1, 0]));
    const vg = tf.valueAndGrad((w) => tf.sum(tf.relu(tf.conv2d(X, w, 1, "valid"))));
    const check = {};
    return {
      check,
      step() {
        tf.tidy(() => {
          const { value, grad } = vg(W);
          check.loss = value.dataSync()[0];
          check.grad_sum = sum(grad.dataSync());
        });
      },
    };
  },
};

export function make(workload, param) {
  if (workload === "W1") throw new Unsupported("tensor library: W1 (scalar Value graph) does not apply");
  return workloads[workload](param);
}
