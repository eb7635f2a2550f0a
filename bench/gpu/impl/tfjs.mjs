// TensorFlow.js on its `webgpu` backend. Layout NHWC / HWIO for conv2d.
import * as tf from "@tensorflow/tfjs";
import * as data from "../../peers/data.mjs";
import { nodeNavigator } from "../gpu-node.mjs";

export const version = "@tensorflow/tfjs 4.22.0 + tfjs-backend-webgpu";

export async function setup() {
  await nodeNavigator();
  await import("@tensorflow/tfjs-backend-webgpu"); // it registers itself only where navigator.gpu exists at load
  if (!(await tf.setBackend("webgpu"))) throw new Error("tf.setBackend('webgpu') failed");
  await tf.ready();
  return {};
}

function mlpStep(batch) {
  const d = data.mlpMnist();
  const rows = Float32Array.from({ length: batch * 784 }, (_, i) => d.X[i % (128 * 784)]);
  const X = tf.tensor2d(rows, [batch, 784]);
  const onehot = tf.oneHot(tf.tensor1d(Int32Array.from({ length: batch }, (_, i) => d.labels[i % 128]), "int32"), 10).toFloat();
  let ps = d.layers.flatMap((l) => [tf.tensor2d(Float32Array.from(l.W), [l.nin, l.nout]), tf.zeros([l.nout])]);
  const vg = tf.valueAndGrads((W1, b1, W2, b2, W3, b3) => {
    const h1 = tf.relu(X.matMul(W1).add(b1));
    const h2 = tf.relu(h1.matMul(W2).add(b2));
    return tf.neg(tf.mean(tf.sum(onehot.mul(tf.logSoftmax(h2.matMul(W3).add(b3))), 1)));
  });
  const check = {};
  let n = 0;
  return {
    check,
    async step() {
      const out = tf.tidy(() => {
        const { value, grads } = vg(ps);
        return [value, ...ps.map((p, i) => p.sub(grads[i].mul(0.01)))];
      });
      ps.forEach((p) => p.dispose());
      ps = out.slice(1);
      const v = (await out[0].data())[0];
      out[0].dispose();
      if (n < 2) check[`loss${n}`] = v;
      n++;
    },
  };
}

export const workloads = {
  G3(n, { reps }) {
    const d = data.matmulInputs(n);
    const a = tf.tensor2d(Float32Array.from(d.A), [n, n]), b = tf.tensor2d(Float32Array.from(d.B), [n, n]);
    return {
      flops: 2 * n ** 3 * reps,
      async step() {
        const s = tf.tidy(() => {
          let acc = null;
          for (let r = 0; r < reps; r++) {
            const c = tf.sum(tf.matMul(a, b));
            acc = acc === null ? c : acc.add(c);
          }
          return acc;
        });
        await s.data();
        s.dispose();
      },
    };
  },
  G4: (batch) => mlpStep(batch),
  G6(kind) {
    if (kind !== "W6") throw new Error("tfjs: only W6");
    const d = data.convInputs();
    const X = tf.tensor4d(Float32Array.from(d.X), [32, 28, 28, 1]);
    const W = tf.tidy(() => tf.transpose(tf.tensor4d(Float32Array.from(d.W), [32, 1, 3, 3]), [2, 3, 1, 0]));
    const vg = tf.valueAndGrad((w) => tf.sum(tf.relu(tf.conv2d(X, w, 1, "valid"))));
    const check = {};
    return {
      check,
      async step() {
        const { value, grad } = vg(W);
        check.loss = (await value.data())[0];
        value.dispose();
        grad.dispose();
      },
    };
  },
};
