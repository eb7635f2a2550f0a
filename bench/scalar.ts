/**
 * Scalar-engine benchmark (`npm run bench:scalar`): workloads W1 and W2 of
 * BENCHMARKS.md on adjoint's `Value`, on a closure-per-node JavaScript port of the
 * chapter's micrograd (bench/baselines/micrograd-closure.js) and on the chapter's
 * micrograd in Python (bench/baselines/micrograd.py).
 *
 * Every (implementation, workload) runs in its own process, so the JIT state and
 * the peak RSS of one do not leak into another. Output: one JSON line per
 * (impl, workload) on stdout, then a summary line with the ratios and targets.
 *
 *   W1: MLP 2→16→16→1 (tanh, tanh, linear) on 100 points, loss 0.01·Σ(out−y)²,
 *       one forward + backward + SGD (lr 0.05) step as one graph; ms per step.
 *   W2: x = x·1.00001 + 0.001 repeated N = 10^5 and 10^6 times from 0.5, then
 *       backward; d x_N / d x_0 = 1.00001^N.
 *
 * Options: --runs N (timed runs, default 30 for JS after 20 warm-up steps, 5 for
 * Python after 1), --quick (fewer runs, no Python W2).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MLP, Value } from '../src/scalar/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const jsRuns = Number(flag('--runs') ?? (quick ? 10 : 30));
const pyRuns = Number(flag('--runs') ?? 5);

/** BENCHMARKS.md's LCG: advance s, then u = s / 2^32; uniform(-a, a) = (2u − 1)·a. */
function lcg(seed: number): (a: number) => number {
  let s = seed >>> 0;
  return (a) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (2 * (s / 4294967296) - 1) * a;
  };
}

/** W1 data: 100 points (x0 then x1, seed 1), label x0·x1 > 0 ? 1 : −1. */
function w1Data(): { xs: number[][]; ys: number[] } {
  const u = lcg(1);
  const xs: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < 100; i++) {
    const x0 = u(1);
    const x1 = u(1);
    xs.push([x0, x1]);
    ys.push(x0 * x1 > 0 ? 1 : -1);
  }
  return { xs, ys };
}

/** W1 weights: seed 2, layer by layer, row by row ([out][in]); biases 0. */
function w1Weights(): number[][][] {
  const u = lcg(2);
  return [[16, 2], [16, 16], [1, 16]].map(([nOut, nIn]) =>
    Array.from({ length: nOut! }, () => Array.from({ length: nIn! }, () => u(1))),
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;
const emit = (rec: Record<string, unknown>): void => console.log(JSON.stringify(rec));

interface StepModel {
  params: { data: number; grad: number }[];
  step: () => number;
}

/** The scalar MLPs of both engines have the chapter's shape: layers of neurons with `w` and `b`. */
interface ScalarMLPShape {
  layers: { neurons: { w: { data: number }[]; b: { data: number } }[] }[];
}

/** Loads W1's weights (BENCHMARKS.md, seed 2) into either engine's MLP, biases 0. */
function setW1Weights(model: ScalarMLPShape): void {
  const W = w1Weights();
  model.layers.forEach((layer, l) =>
    layer.neurons.forEach((n, o) => {
      n.w.forEach((w, i) => (w.data = W[l]![o]![i]!));
      n.b.data = 0;
    }),
  );
}

function adjointW1(): StepModel {
  const { xs, ys } = w1Data();
  const model = new MLP(2, [16, 16, 1], { activations: ['tanh', 'tanh', 'linear'] });
  setW1Weights(model);
  const params = model.parameters();
  const step = (): number => {
    let sum = new Value(0);
    for (let p = 0; p < xs.length; p++) {
      const out = model.forward(xs[p]!) as Value;
      sum = sum.add(out.sub(ys[p]!).pow(2));
    }
    const loss = sum.mul(0.01);
    for (const q of params) q.grad = 0;
    loss.backward();
    for (const q of params) q.data -= 0.05 * q.grad;
    return loss.data;
  };
  return { params, step };
}

async function closureW1(): Promise<StepModel> {
  // A plain-JS module without types: loaded by URL and described by the
  // interfaces below (the chapter's API, methods instead of operators).
  const m = (await import(pathToFileURL(join(here, 'baselines/micrograd-closure.js')).href)) as ClosureModule;
  const { xs, ys } = w1Data();
  const model = new m.MLP(2, [16, 16, 1], () => 0);
  setW1Weights(model);
  const params = model.parameters();
  const step = (): number => {
    const preds = xs.map((x) => model.call(x));
    const losses = preds.map((p, i) => p.sub(ys[i]!).pow(2));
    const loss = losses.reduce((acc, l) => acc.add(l), new m.Value(0.0)).mul(0.01);
    for (const q of params) q.grad = 0;
    loss.backward();
    for (const q of params) q.data -= 0.05 * q.grad;
    return loss.data;
  };
  return { params, step };
}

interface ClosureValue {
  data: number;
  grad: number;
  add(o: ClosureValue | number): ClosureValue;
  sub(o: ClosureValue | number): ClosureValue;
  mul(o: ClosureValue | number): ClosureValue;
  pow(k: number): ClosureValue;
  backward(): void;
}

interface ClosureModule {
  Value: new (x: number) => ClosureValue;
  MLP: new (nIn: number, sizes: number[], uniform: () => number) => {
    layers: { neurons: { w: ClosureValue[]; b: ClosureValue }[] }[];
    call(x: number[]): ClosureValue;
    parameters(): ClosureValue[];
  };
}

function timeW1(impl: string, model: StepModel, runs: number): void {
  // JIT tiers and the young generation's size settle within ~20 steps.
  const warmup = 20;
  const losses: number[] = [];
  for (let i = 0; i < warmup; i++) losses.push(model.step());
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    losses.push(model.step());
    times.push(performance.now() - t0);
  }
  emit({
    impl, workload: 'W1', unit: 'ms/step', median_ms: median(times), runs, warmup,
    mean_ms: times.reduce((a, b) => a + b, 0) / runs, min_ms: Math.min(...times), max_ms: Math.max(...times), first_loss: losses[0], last_loss: losses[losses.length - 1],
    peak_rss_mb: peakRssMb(), node: process.version,
  });
}

interface ChainValue {
  data: number;
  grad: number;
  backward(): void;
  mul(c: number): ChainValue;
  add(c: number): ChainValue;
}

function timeW2(impl: string, make: (x: number) => ChainValue, runs: number): void {
  for (const n of [1e5, 1e6]) {
    const fwd: number[] = [];
    const bwd: number[] = [];
    let grad = NaN;
    let stage = 'forward';
    try {
      for (let r = 0; r < runs + 1; r++) {
        stage = 'forward';
        const t0 = performance.now();
        const x0 = make(0.5);
        let x = x0;
        for (let i = 0; i < n; i++) x = x.mul(1.00001).add(0.001);
        const t1 = performance.now();
        fwd.push(t1 - t0);
        stage = 'backward';
        x.backward();
        bwd.push(performance.now() - t1);
        grad = x0.grad;
      }
      // Run 0 is the warm-up.
      fwd.shift();
      bwd.shift();
      const expected = Math.pow(1.00001, n);
      emit({
        impl, workload: 'W2', n, finished: true, forward_ms: median(fwd), backward_ms: median(bwd),
        total_ms: median(fwd.map((f, i) => f + bwd[i]!)), runs, grad, expected,
        rel_error: Math.abs(grad - expected) / expected, peak_rss_mb: peakRssMb(),
      });
    } catch (e) {
      emit({
        impl, workload: 'W2', n, finished: false, error: `${stage}: ${String(e)}`,
        forward_ms: fwd.length > 0 ? fwd[fwd.length - 1] : null, runs: fwd.length, peak_rss_mb: peakRssMb(),
      });
    }
  }
}

/** Runs one (impl, workload) in this process. */
async function runOne(id: string, runs: number): Promise<void> {
  if (id === 'adjoint:W1') timeW1('adjoint', adjointW1(), runs);
  else if (id === 'closure:W1') timeW1('micrograd-closure-js', await closureW1(), runs);
  else if (id === 'adjoint:W2') timeW2('adjoint', (x) => new Value(x), runs);
  else if (id === 'closure:W2') {
    const m = (await import(pathToFileURL(join(here, 'baselines/micrograd-closure.js')).href)) as ClosureModule;
    timeW2('micrograd-closure-js', (x) => new m.Value(x), Math.min(runs, 3));
  } else throw new Error(`unknown workload ${id}`);
}

type Rec = Record<string, unknown>;

/** Spawns a child process and returns the JSON lines it printed (also echoed). */
function child(cmd: string, cmdArgs: string[]): Rec[] {
  const r = spawnSync(cmd, cmdArgs, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const recs: Rec[] = [];
  for (const line of (r.stdout ?? '').split('\n')) {
    if (!line.startsWith('{')) continue;
    process.stdout.write(line + '\n');
    recs.push(JSON.parse(line) as Rec);
  }
  if (r.status !== 0 || recs.length === 0) {
    const error = (r.stderr || String(r.error ?? `exit ${r.status}`)).trim().split('\n').slice(-3).join(' | ');
    const rec = { impl: cmdArgs.join(' '), finished: false, error };
    emit(rec);
    recs.push(rec);
  }
  return recs;
}

async function main(): Promise<void> {
  const one = flag('--one');
  if (one !== undefined) {
    await runOne(one, jsRuns);
    return;
  }
  const self = fileURLToPath(import.meta.url);
  const node = (id: string): Rec[] =>
    child(process.execPath, [...process.execArgv, self, '--one', id, '--runs', String(jsRuns)]);
  const all: Rec[] = [];
  for (const id of ['adjoint:W1', 'closure:W1', 'adjoint:W2', 'closure:W2']) all.push(...node(id));
  const pyArgs = [join(here, 'baselines/micrograd.py'), '--runs', String(pyRuns), '--warmup', '1'];
  if (!quick) pyArgs.push('--w2');
  all.push(...child('python3', pyArgs));

  const find = (impl: string, workload: string, n?: number): Rec | undefined =>
    all.find((r) => r.impl === impl && r.workload === workload && (n === undefined || r.n === n));
  const ms = (r: Rec | undefined, key: string): number => (typeof r?.[key] === 'number' ? (r[key] as number) : NaN);
  const a1 = ms(find('adjoint', 'W1'), 'median_ms');
  const c1 = ms(find('micrograd-closure-js', 'W1'), 'median_ms');
  const p1 = ms(find('micrograd-python', 'W1'), 'median_ms');
  const chain = ms(find('adjoint', 'W2', 1e6), 'total_ms');
  const vsClosure = c1 / a1;
  const vsPython = p1 / a1;
  emit({
    summary: true,
    w1_ms: { adjoint: a1, closure_js: c1, python: p1 },
    w1_mean_ms: {
      adjoint: ms(find('adjoint', 'W1'), 'mean_ms'),
      closure_js: ms(find('micrograd-closure-js', 'W1'), 'mean_ms'),
      python: ms(find('micrograd-python', 'W1'), 'mean_ms'),
    },
    w1_speedup_vs_closure_js: vsClosure,
    w1_speedup_vs_python: vsPython,
    w2_1e6_total_ms: chain,
    targets: {
      w1_vs_closure_ge_5x: vsClosure >= 5,
      w1_vs_python_ge_100x: vsPython >= 100,
      w2_1e6_under_1s: chain < 1000,
    },
  });
}

await main();
