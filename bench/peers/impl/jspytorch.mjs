// js-pytorch: tensors are nested JS arrays of float64 numbers; autograd recurses through the graph.
// It has no tanh, no conv2d, and its nn.ReLU is leaky (slope 1e-3), so: tanh is composed from its
// exp/add/div ops, relu is an exact 0/1 mask multiplied in with its mul op, and W6 is unsupported.
import { torch } from "js-pytorch";
import * as data from "../data.mjs";
import { Unsupported, chainCheck, chainLength, sum, OPS, pkgVersion, labelled } from "./common.mjs";

export const version = pkgVersion("js-pytorch");

/** Flat typed array -> nested arrays of the given shape. */
function nest(flat, shape) {
  if (shape.length === 1) return Array.from(flat.subarray ? flat.subarray(0, shape[0]) : flat.slice(0, shape[0]));
  const step = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(flat.subarray(i * step, (i + 1) * step), shape.slice(1)));
}
const tensor = (flat, shape, grad = false) => torch.tensor(nest(flat, shape), grad);

/** tanh(x) = 1 - 2 / (exp(2x) + 1), from js-pytorch ops (6 library ops). */
const tanh = (x) => torch.div(2, x.mul(2).exp().add(1)).neg().add(1);

/** Exact relu: x * (x > 0), the mask being a constant tensor. */
function relu(x) {
  const mask = (a) => (typeof a === "number" ? (a > 0 ? 1 : 0) : a.map(mask));
  return x.mul(torch.tensor(mask(x.data)));
}

/** Plain SGD the way js-pytorch's own Adam updates: rewrite _data, then zero_grad() to reset the graph. */
function sgd(params, lr) {
  for (const p of params) {
    p._data = p._grad.mul(-lr).add(p._data)._data;
    p.zero_grad();
  }
}

function trainer(forwardLoss, params, lr) {
  const check = {};
  let n = 0;
  return {
    check,
    step() {
      const loss = forwardLoss();
      loss.backward();
      sgd(params, lr);
      if (n < 2) check[`loss${n}`] = loss.data[0];
      n++;
    },
  };
}

const mlp = (x, [W1, b1, W2, b2, W3, b3], act) =>
  torch.matmul(act(torch.matmul(act(torch.matmul(x, W1).add(b1)), W2).add(b2)), W3).add(b3);

const workloads = {
  W1b() {
    const d = data.mlpSmall();
    const X = tensor(d.X, [100, 2]), Y = tensor(d.y, [100, 1]);
    const params = d.layers.flatMap((l) => [
      tensor(data.transpose(l.W, l.nout, l.nin), [l.nin, l.nout], true),
      tensor(new Float32Array(l.nout), [l.nout], true),
    ]);
    // mean over [100,1]: js-pytorch's mean reduces one dim at a time.
    return trainer(() => mlp(X, params, tanh).sub(Y).pow(2).mean(-1).mean(-1), params, 0.05);
  },

  W2(n) {
    const check = {};
    return {
      check,
      step(phase) {
        const len = chainLength(phase, n);
        const t0 = performance.now();
        const x0 = torch.tensor([0.5], true);
        let x = x0;
        for (let i = 0; i < len; i++) x = x.mul(1.00001).add(0.001);
        const t1 = performance.now();
        labelled("backward", () => x.backward());
        const t2 = performance.now();
        if (phase === "timed") Object.assign(check, chainCheck(n, x.data[0], x0.grad[0]));
        return { fwd_ms: t1 - t0, bwd_ms: t2 - t1 };
      },
    };
  },

  W3(n) {
    const { A, B } = data.matmulInputs(n);
    const a = tensor(A, [n, n]), b = tensor(B, [n, n]);
    const check = {};
    return {
      check,
      step() {
        const c = torch.matmul(a, b).data;
        check.c00 = c[0][0];
        check.c_last = c[n - 1][n - 1];
      },
    };
  },

  W4() {
    const d = data.mlpMnist();
    const X = tensor(d.X, [128, 784]);
    const y = torch.tensor(Array.from(d.labels));
    const params = d.layers.flatMap((l) => [tensor(l.W, [l.nin, l.nout], true), tensor(new Float32Array(l.nout), [l.nout], true)]);
    const ce = new torch.nn.CrossEntropyLoss(); // mean over the batch of -log softmax[label]
    return trainer(() => ce.forward(mlp(X, params, relu), y), params, 0.01);
  },

  W5() {
    const x0 = data.perOpInput();
    const check = {};
    return {
      note: "tanh = 6 js-pytorch ops (no tanh op)",
      check,
      step() {
        const x = tensor(x0, [16], true);
        let h = x;
        for (let k = 0; k < OPS; k++) h = k % 3 === 0 ? h.add(0.01) : k % 3 === 1 ? h.mul(0.99) : tanh(h);
        const loss = h.sum();
        loss.backward();
        check.loss = loss.data[0];
        check.grad_sum = sum(x.grad);
      },
    };
  },
};

export function make(workload, param) {
  if (workload === "W6") throw new Unsupported("js-pytorch 0.7.2 has no conv2d (nor any convolution op)");
  return workloads[workload](param);
}
