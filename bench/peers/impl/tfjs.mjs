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

/** Rows [r0, r1) of a row-major [rows, cols] matrix, as a new array. */
const rowBlock = (m, cols, r0, r1) => m.slice(r0 * cols, r1 * cols);

// O1–O5 (sizes in ../ops.json, inputs from data.mjs opInputs); TF.js has no cholesky or svd.
const O = data.OPS_SPEC;
Object.assign(workloads, {
  O1() {
    const { b, n, equation } = O.O1;
    const d = data.opInputs("O1");
    const a = tf.tensor3d(d.a, [b, n, n]), bb = tf.tensor3d(d.b, [b, n, n]);
    const check = {};
    return {
      check,
      step() {
        tf.tidy(() => {
          const c = tf.einsum(equation, a, bb);
          check.c000 = c.slice([0, 0, 0], [1, 1, 1]).dataSync()[0];
          check.c_last = c.slice([b - 1, n - 1, n - 1], [1, 1, 1]).dataSync()[0];
        });
      },
    };
  },
  /** tf.basicLSTMCell per time step: kernel [in+h, 4h] with gates i, j(=g), f, o, forget bias 0; PyTorch's i, f, g, o reordered. */
  O2() {
    const { seq, batch, input, hidden: h } = O.O2;
    const d = data.opInputs("O2");
    const order = [0, 2, 1, 3]; // tfjs gate k is PyTorch gate order[k]
    const gates = (m, cols) => order.flatMap((g) => Array.from(rowBlock(m, cols, g * h, (g + 1) * h)));
    const kernel = tf.tidy(() => tf.concat([tf.tensor2d(gates(d.wih, input), [4 * h, input]), tf.tensor2d(gates(d.whh, h), [4 * h, h])], 1).transpose());
    const bias = tf.tidy(() => tf.tensor1d(gates(d.bih, 1)).add(tf.tensor1d(gates(d.bhh, 1))));
    const xs = tf.tidy(() => tf.unstack(tf.tensor3d(d.x, [seq, batch, input])));
    const forgetBias = tf.scalar(0);
    const vg = tf.valueAndGrads((k, bi) => {
      let hh = tf.zeros([batch, h]), c = tf.zeros([batch, h]), total = tf.scalar(0);
      for (const x of xs) {
        [c, hh] = tf.basicLSTMCell(forgetBias, k, bi, x, c, hh);
        total = total.add(hh.sum());
      }
      return total.add(hh.sum()); // out.sum() + hN.sum()
    });
    const check = {};
    return {
      check,
      step() {
        tf.tidy(() => {
          const { value, grads } = vg([kernel, bias]);
          check.loss = value.dataSync()[0];
          check.grad_sum = sum(grads[0].slice([input, 0], [h, 4 * h]).dataSync()); // weight_hh's gradient
        });
      },
    };
  },
  /** NHWC / [k, k, out, in]; 'same' padding is padding 1 for k 4, stride 2 (output 2·hw). */
  O3() {
    const { batch, cin, cout, hw, k, stride, padding } = O.O3;
    if (!(k === 4 && stride === 2 && padding === 1)) throw new Unsupported("tfjs O3 maps only k 4, stride 2, padding 1 to pad 'same'");
    const d = data.opInputs("O3");
    const X = tf.tidy(() => tf.transpose(tf.tensor4d(d.x, [batch, cin, hw, hw]), [0, 2, 3, 1]));
    const W = tf.tidy(() => tf.transpose(tf.tensor4d(d.w, [cin, cout, k, k]), [2, 3, 1, 0]));
    const out = [batch, hw * stride, hw * stride, cout];
    const vg = tf.valueAndGrads((x, w) => tf.sum(tf.conv2dTranspose(x, w, out, stride, "same")));
    const check = {};
    return {
      check,
      step() {
        tf.tidy(() => {
          const { value, grads } = vg([X, W]);
          check.loss = value.dataSync()[0];
          check.grad_sum = sum(grads[1].dataSync());
        });
      },
    };
  },
});

export function make(workload, param) {
  if (workload === "W1") throw new Unsupported("tensor library: W1 (scalar Value graph) does not apply");
  if (workload === "O4" || workload === "O5") throw new Unsupported(`TF.js has no ${workload === "O4" ? "cholesky" : "svd"}`);
  return workloads[workload](param);
}
