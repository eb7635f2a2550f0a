/**
 * Bounded memory without dispose(): a training loop of 20,000 steps (MLP 64→128→128→10,
 * batch 32, softmax cross-entropy written with tensor ops, SGD in place) with no
 * `dispose()` or `tidy()`, printing resident memory along the way as JSON lines.
 *
 *   npm run bench:memory            (20,000 steps)
 *   npm run bench:memory -- 2000    (a shorter run)
 *
 * The last line compares the peak RSS of the second half of the run with the peak of
 * the first half (after a tenth of the run as warm-up): a leak shows up as growth.
 */
import { getBackend, logSoftmax, manualSeed, noGrad, ones, randint, randn, scatterAdd, type Tensor, zeros } from '../src/index.js';

const steps = Number(process.argv[2] ?? 20_000);
manualSeed(0);

const sizes = [64, 128, 128, 10];
const params: Tensor[] = [];
for (let i = 0; i + 1 < sizes.length; i++) {
  params.push(randn([sizes[i]!, sizes[i + 1]!]).mul(1 / Math.sqrt(sizes[i]!)).requiresGrad_());
  params.push(zeros([sizes[i + 1]!]).requiresGrad_());
}
const x = randn([32, 64]);
const target = randint(0, 10, [32], { dtype: 'int32' });
const oneHot = scatterAdd(zeros([32, 10]), 1, target.unsqueeze(1), ones([32, 1]));

function step(): number {
  let h = x;
  for (let i = 0; i < params.length; i += 2) {
    h = h.matmul(params[i]!).add(params[i + 1]!);
    if (i + 2 < params.length) h = h.relu();
  }
  const loss = logSoftmax(h, 1).mul(oneHot).sum().neg().div(32);
  loss.backward();
  noGrad(() => {
    for (const p of params) {
      p.sub_(p.grad!.mul(0.05));
      p.grad = null;
    }
  });
  return loss.item();
}

const mb = (n: number) => Math.round((n / 2 ** 20) * 10) / 10;
const every = Math.max(1, Math.floor(steps / 20));
let firstHalfPeak = 0;
let secondHalfPeak = 0;
let loss = 0;
const t0 = performance.now();
for (let s = 1; s <= steps; s++) {
  loss = step();
  if (s % every === 0 || s === steps) {
    const m = process.memoryUsage();
    if (s > steps / 2) secondHalfPeak = Math.max(secondHalfPeak, m.rss);
    else if (s >= steps / 10) firstHalfPeak = Math.max(firstHalfPeak, m.rss);
    console.log(JSON.stringify({ bench: 'memory', backend: getBackend(), step: s, loss, rss_mb: mb(m.rss), heap_mb: mb(m.heapUsed), array_buffers_mb: mb(m.arrayBuffers) }));
  }
}
console.log(
  JSON.stringify({
    bench: 'memory', summary: true, backend: getBackend(), steps, seconds: Math.round(performance.now() - t0) / 1000,
    rss_peak_first_half_mb: mb(firstHalfPeak), rss_peak_second_half_mb: mb(secondHalfPeak),
    growth_mb: mb(secondHalfPeak - firstHalfPeak), final_loss: loss,
  }),
);
