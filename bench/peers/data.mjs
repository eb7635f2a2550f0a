// Deterministic workload data, exactly as ../../../shared/BENCHMARKS.md defines it.
// Python twin: lcg.py (run.mjs --check-data compares the two).
import { readFileSync } from "node:fs";

/** The 32-bit LCG: each draw advances s = (s*1664525 + 1013904223) mod 2^32, then yields s / 2^32. */
export function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** `count` draws of uniform(-a, a) = (2u - 1) * a, in draw order, as float32. */
export function uniform(rand, count, a = 1) {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (2 * rand() - 1) * a;
  return out;
}

/** uniform(-1,1)/sqrt(fanIn), computed as ((2u - 1) * 1) / sqrt(fanIn) in double, then float32. */
function scaled(rand, count, fanIn) {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = ((2 * rand() - 1) * 1) / Math.sqrt(fanIn);
  return out;
}

/** Transpose a row-major [rows][cols] matrix into [cols][rows]. */
export function transpose(m, rows, cols) {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
  return t;
}

/** W1 / W1b: 100 points (seed 1), labels sign(x0*x1), MLP 2-16-16-1 weights [out][in] (seed 2). */
export function mlpSmall() {
  const X = uniform(lcg(1), 200); // x0 then x1 per point
  const y = new Float32Array(100);
  for (let i = 0; i < 100; i++) y[i] = X[2 * i] * X[2 * i + 1] > 0 ? 1 : -1;
  const r = lcg(2);
  const sizes = [[2, 16], [16, 16], [16, 1]];
  const layers = sizes.map(([nin, nout]) => ({ nin, nout, W: uniform(r, nout * nin) })); // [out][in]
  return { X, y, layers };
}

/** W3: A then B, both n x n uniform(-1,1), from one stream (seed 9; BENCHMARKS.md leaves the seed open). */
export function matmulInputs(n) {
  const r = lcg(9);
  return { A: uniform(r, n * n), B: uniform(r, n * n) };
}

/** W4: X [128,784] (seed 3), labels i % 10, W1 [784,256], W2 [256,256], W3 [256,10] (seed 4), [in,out]. */
export function mlpMnist() {
  const X = uniform(lcg(3), 128 * 784);
  const labels = Int32Array.from({ length: 128 }, (_, i) => i % 10);
  const r = lcg(4);
  const sizes = [[784, 256], [256, 256], [256, 10]];
  const layers = sizes.map(([nin, nout]) => ({ nin, nout, W: scaled(r, nin * nout, nin) }));
  return { X, labels, layers };
}

/** W5: x [16] uniform(-1,1) (seed 6). */
export const perOpInput = () => uniform(lcg(6), 16);

/** W6: X [32,1,28,28] uniform(-1,1) (seed 7), W [32,1,3,3] uniform(-1/3,1/3) (seed 8). */
export function convInputs() {
  return { X: uniform(lcg(7), 32 * 28 * 28), W: uniform(lcg(8), 32 * 9, 1 / 3) };
}

/** The sizes and titles of workloads O1–O5 (ops.json, shared with lcg.py and torch_bench.py). */
export const OPS_SPEC = JSON.parse(readFileSync(new URL("./ops.json", import.meta.url), "utf8"));

/**
 * O1–O5 inputs, all uniform(-1,1) unless said: O1 a then b [b,n,n] (seed 30); O2 x [seq,batch,in] (seed 31),
 * then weight_ih [4h,in], weight_hh [4h,h], bias_ih, bias_hh (PyTorch's gate order i,f,g,o) uniform(-1/√h, 1/√h)
 * from one stream (seed 32); O3 x [batch,cin,hw,hw] (seed 33), w [cin,cout,k,k] uniform(-1/4,1/4) (seed 34);
 * O4 A [n,n] (seed 35), the input being A·Aᵀ + n·I (built by each library, untimed); O5 A [n,n] (seed 36).
 */
export function opInputs(id) {
  const o = OPS_SPEC[id];
  switch (id) {
    case "O1": {
      const r = lcg(30);
      return { a: uniform(r, o.b * o.n * o.n), b: uniform(r, o.b * o.n * o.n) };
    }
    case "O2": {
      const r = lcg(32), h = o.hidden, a = 1 / Math.sqrt(h);
      const x = uniform(lcg(31), o.seq * o.batch * o.input);
      return { x, wih: uniform(r, 4 * h * o.input, a), whh: uniform(r, 4 * h * h, a), bih: uniform(r, 4 * h, a), bhh: uniform(r, 4 * h, a) };
    }
    case "O3":
      return { x: uniform(lcg(33), o.batch * o.cin * o.hw * o.hw), w: uniform(lcg(34), o.cin * o.cout * o.k * o.k, 1 / 4) };
    case "O4":
      return { A: uniform(lcg(35), o.n * o.n) };
    case "O5":
      return { A: uniform(lcg(36), o.n * o.n) };
    default:
      throw new Error(`unknown op workload ${id}`);
  }
}

/** Plain left-to-right double sum (so the Python twin can reproduce it bit for bit). */
function total(a) {
  let t = 0;
  for (let i = 0; i < a.length; i++) t += a[i];
  return t;
}

/** First values of every data set, for the cross-language check. */
export function fingerprint() {
  const s = mlpSmall(), m = mlpMnist(), c = convInputs(), mm = matmulInputs(4);
  const head = (a, k = 4) => Array.from(a.slice(0, k));
  return {
    raw_seed1: head(Float64Array.from({ length: 4 }, lcg(1))),
    w1_X: head(s.X), w1_y: head(s.y), w1_W3: head(s.layers[2].W),
    w3_B: head(mm.B), w4_X: head(m.X), w4_W1: head(m.layers[0].W), w4_W3: head(m.layers[2].W),
    w5_x: head(perOpInput()), w6_X: head(c.X), w6_W: head(c.W),
    ops: ["O1", "O2", "O3", "O4", "O5"].map((id) => Object.values(opInputs(id)).map((a) => [...head(a), total(a)])),
    sums: [s.X, ...s.layers.map((l) => l.W), m.X, ...m.layers.map((l) => l.W), c.X, c.W, matmulInputs(64).A].map(total),
  };
}
