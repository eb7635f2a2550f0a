/**
 * What `checkpoint` buys: memory held between forward and backward for a deep MLP
 * (24 layers of 256→256 tanh, batch 128), plain and with checkpointed segments of
 * 6 layers (about √24: only segment boundaries are kept, the inside of a segment is
 * recomputed in backward), and the time it costs. Run with a GC handle so the numbers are what is live:
 *
 *   npm run bench:checkpoint
 *
 * Prints one JSON line per mode and a summary with the memory ratio; the gradients of
 * both modes are compared and must agree.
 */
import { checkpoint, manualSeed, randn, type Tensor } from '../src/index.js';

const depth = 24;
const width = 256;
const batch = 128;
const segment = 6;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:checkpoint does)');

manualSeed(0);
const weights: Tensor[] = Array.from({ length: depth }, () => randn([width, width]).mul(1 / Math.sqrt(width)).requiresGrad_());
const x = randn([batch, width]);

const live = (): number => {
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

function run(useCheckpoint: boolean): { heldMb: number; ms: number; grad: Float32Array | Float64Array | Int32Array | Uint8Array } {
  for (const w of weights) w.grad = null;
  const before = live();
  const t0 = performance.now();
  let h = x;
  for (let i = 0; i < depth; i += segment) {
    const layers = weights.slice(i, i + segment);
    const run = (t: Tensor): Tensor => layers.reduce((acc, w) => acc.matmul(w).tanh(), t);
    h = useCheckpoint ? checkpoint(run, h) : run(h);
  }
  const loss = h.sum();
  const after = live();
  const held = after - before;
  loss.backward();
  const ms = performance.now() - t0;
  return { heldMb: held / 2 ** 20, ms, grad: weights[0]!.grad!.toTypedArray() };
}

run(false); // warm-up
const plain = run(false);
const ckpt = run(true);
let maxDiff = 0;
for (let i = 0; i < plain.grad.length; i++) maxDiff = Math.max(maxDiff, Math.abs(Number(plain.grad[i]) - Number(ckpt.grad[i])));
const r = (v: number) => Math.round(v * 100) / 100;
console.log(JSON.stringify({ bench: 'checkpoint', mode: 'plain', depth, segment, width, batch, held_mb: r(plain.heldMb), ms: r(plain.ms) }));
console.log(JSON.stringify({ bench: 'checkpoint', mode: 'checkpoint', depth, segment, width, batch, held_mb: r(ckpt.heldMb), ms: r(ckpt.ms) }));
console.log(
  JSON.stringify({
    bench: 'checkpoint', summary: true, memory_ratio: r(plain.heldMb / ckpt.heldMb), time_ratio: r(ckpt.ms / plain.ms),
    max_grad_diff: maxDiff,
  }),
);
