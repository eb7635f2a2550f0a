/**
 * Exercises 28.4–28.6: gradient checkpointing on a 10,000-step chain (peak live
 * nodes against recomputed ops), deeper MLPs with per-layer activations on XOR,
 * and the op counts of the XOR MLP's forward and backward passes (the cheap
 * gradient principle).
 */
import { Value, checkpointedChain, countOps, type Activation, type OpCounts } from '../../scalar/index.js';
import { COLORS, linePlot } from '../../viz/index.js';
import { count, fixed, mark, sci } from '../writer.js';
import { saveFigure, type TourContext } from './context.js';
import { XOR_Y, trainXor, type XorRun } from './xor.js';

/** One row of the checkpointing table. */
export interface CheckpointRow {
  strategy: string;
  /** Segment length; `null` for the plain backward. */
  k: number | null;
  peakLiveNodes: number;
  recomputedOps: number;
  checkpoints: number;
  grad: number;
}

/** One network of Exercise 28.5. */
export interface DepthRow {
  name: string;
  sizes: number[];
  activations: Activation[];
  parameters: number;
  finalLoss: number;
  signsCorrect: boolean;
  losses: number[];
}

/** Op counts of one model's full-batch loss graph. */
export interface OpCountRow {
  name: string;
  counts: OpCounts;
  /** backward / forward. */
  ratio: number;
}

/** Exercises 28.4–28.6. */
export interface ExercisesBResult {
  checkpointing: { n: number; rows: CheckpointRow[]; closedForm: number };
  depth: { rows: DepthRow[]; seeds: { name: string; medianLoss: number; allSignsRight: number; of: number }[] };
  opCounts: OpCountRow[];
}

/** One step of the chain: x ↦ x + 0.001·sin(x) (3 ops). */
const step = (x: Value): Value => x.add(x.sin().mul(0.001));

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Runs Exercises 28.4–28.6, reusing the trained 2 → 8 → 1 of 28.5, and writes
 * `xor-depth-loss.svg`.
 *
 * @example
 * const r = await exercises4to6(ctx, xor.run);
 * r.opCounts[0].ratio; // ≈ 2.6, at most Griewank's 5
 */
export async function exercises4to6(ctx: TourContext, chapterRun: XorRun): Promise<ExercisesBResult> {
  const { out } = ctx;

  // 28.4
  const n = 10_000;
  const x0 = 0.5;
  out.subheading(`Exercise 28.4: gradient checkpointing on a chain of n = ${count(n)} steps x ← x + 0.001·sin(x)`);
  const plainIn = new Value(x0);
  let v = plainIn;
  for (let i = 0; i < n; i++) v = step(v);
  const plainNodes = countOps(v).nodes;
  v.backward();
  const rows: CheckpointRow[] = [
    { strategy: 'plain backward (whole graph kept)', k: null, peakLiveNodes: plainNodes, recomputedOps: 0, checkpoints: 0, grad: plainIn.grad },
  ];
  const sqrtN = Math.round(Math.sqrt(n));
  for (const [strategy, k] of [['checkpoint every step', 1], ['checkpoint every √n steps', sqrtN], ['one checkpoint (x₀ only)', n]] as const) {
    const r = checkpointedChain(step, x0, n, k);
    rows.push({ strategy, k, peakLiveNodes: r.peakLiveNodes, recomputedOps: r.recomputedOps, checkpoints: r.checkpoints, grad: r.grad });
  }
  // dx_n/dx_0 = Π (1 + 0.001·cos xᵢ), the chain rule done by hand.
  let closedForm = 1;
  for (let i = 0, x = x0; i < n; i++) {
    closedForm *= 1 + 0.001 * Math.cos(x);
    x += 0.001 * Math.sin(x);
  }
  out.table(
    ['Strategy', 'k', 'checkpoints', 'peak live nodes', 'recomputed ops', 'dxₙ/dx₀'],
    rows.map((r) => [r.strategy, r.k === null ? '—' : count(r.k), count(r.checkpoints), count(r.peakLiveNodes),
      count(r.recomputedOps), sci(r.grad, 12)]),
    ['l', 'r', 'r', 'r', 'r', 'r'],
  );
  const same = rows.every((r) => r.grad === rows[0]!.grad);
  out.line();
  out.line(`Same gradient every time ${mark(same)}; Π(1 + 0.001·cos xᵢ) = ${sci(closedForm, 12)} (relative diff ` +
    `${sci(Math.abs(rows[0]!.grad - closedForm) / Math.abs(closedForm))}).`);
  out.line(`Trade-off: memory falls from ~3n nodes to ~n/k + 3k (smallest at k = √n: ${count(rows[2]!.peakLiveNodes)} nodes)`);
  out.line('for one extra forward pass (3n recomputed ops) whatever k; k = 1 stores every value,');
  out.line('k = n rebuilds the whole graph in one piece and saves nothing.');

  // 28.5
  out.subheading('Exercise 28.5: deeper networks on XOR (lr 0.05, 200 epochs, seed 5)');
  const configs: { name: string; sizes: number[]; activations: Activation[] }[] = [
    { name: '2 → 8 → 1 (tanh, linear)', sizes: [8, 1], activations: ['tanh', 'linear'] },
    { name: '2 → 8 → 8 → 1 (tanh, tanh, linear)', sizes: [8, 8, 1], activations: ['tanh', 'tanh', 'linear'] },
    { name: '2 → 8 → 8 → 1 (relu, tanh, linear)', sizes: [8, 8, 1], activations: ['relu', 'tanh', 'linear'] },
    { name: '2 → 8 → 8 → 1 (relu, relu, linear)', sizes: [8, 8, 1], activations: ['relu', 'relu', 'linear'] },
  ];
  const runs = configs.map((c, i) => (i === 0 ? chapterRun : trainXor({ sizes: c.sizes, activations: c.activations, seed: 5 })));
  const depthRows: DepthRow[] = configs.map((c, i) => {
    const run = runs[i]!;
    return {
      ...c,
      parameters: run.model.parameters().length,
      finalLoss: run.losses[run.losses.length - 1]!,
      signsCorrect: run.predictions.every((p, j) => Math.sign(p) === XOR_Y[j]),
      losses: run.losses,
    };
  });
  out.table(
    ['Network', 'params', 'final loss', 'signs'],
    depthRows.map((r) => [r.name, String(r.parameters), sci(r.finalLoss), mark(r.signsCorrect)]),
    ['l', 'r', 'r', 'l'],
  );
  const seeds = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const seedSummary = configs.slice(0, 2).map((c) => {
    const rs = seeds.map((seed) => trainXor({ sizes: c.sizes, activations: c.activations, seed }));
    return {
      name: c.name,
      medianLoss: median(rs.map((r) => r.losses[r.losses.length - 1]!)),
      allSignsRight: rs.filter((r) => r.predictions.every((p, j) => Math.sign(p) === XOR_Y[j])).length,
      of: seeds.length,
    };
  });
  out.line();
  out.line('Over seeds 0–9:');
  out.table(
    ['Network', 'median final loss', 'runs with every sign right'],
    seedSummary.map((s) => [s.name, sci(s.medianLoss), `${s.allSignsRight}/${s.of}`]),
    ['l', 'r', 'r'],
  );
  const deeper = seedSummary[1]!.medianLoss < seedSummary[0]!.medianLoss;
  out.line();
  out.line(deeper
    ? 'Depth helps here: at the same step size and budget the 2 → 8 → 8 → 1 net fits XOR far more tightly,'
    : 'Depth does not help here: the shallow net already fits XOR at this step size and budget,');
  out.line(`at about 3x the parameters and ops per step. ${depthRows.every((r) => r.signsCorrect)
    ? 'Every network above gets all four signs right.' : 'Not every network above gets all four signs right (✗).'}`);
  const palette = [COLORS.blue, COLORS.red, COLORS.green, COLORS.orange];
  const svg = linePlot({
    series: depthRows.map((r, i) => ({ x: r.losses.map((_, e) => e), y: r.losses, label: r.name, color: palette[i]! })),
    title: 'Exercise 28.5: XOR loss vs depth and activations (seed 5)',
    xLabel: 'Epoch',
    yLabel: 'MSE loss',
    logY: true,
    legend: 'lower left',
  });
  await saveFigure(ctx, 'xor-depth-loss.svg', svg, 'Exercise 28.5: XOR loss curves, 2→8→1 vs 2→8→8→1 (log y)');

  // 28.6
  out.subheading('Exercise 28.6: operation counts of the XOR MLP (one full-batch step, 4 points)');
  const opCounts: OpCountRow[] = [
    { name: '2 → 8 → 1', counts: countOps(chapterRun.lastLoss), ratio: 0 },
    { name: '2 → 8 → 8 → 1', counts: countOps(runs[1]!.lastLoss), ratio: 0 },
  ].map((r) => ({ ...r, ratio: r.counts.backward / r.counts.forward }));
  const main = opCounts[0]!.counts;
  out.table(
    ['op kind', 'nodes', 'forward ops', 'backward ops'],
    Object.entries(main.byOp).map(([kind, c]) => [kind, String(c.count), String(c.forward), String(c.backward)]),
    ['l', 'r', 'r', 'r'],
  );
  out.line();
  out.table(
    ['Network', 'graph nodes', 'forward ops', 'backward ops', 'backward / forward', '≤ 5'],
    opCounts.map((r) => [r.name, count(r.counts.nodes), count(r.counts.forward), count(r.counts.backward), fixed(r.ratio, 2), mark(r.ratio <= 5)]),
    ['l', 'r', 'r', 'r', 'r', 'l'],
  );
  out.line();
  out.line('Backward costs a small constant times forward, whatever the number of parameters:');
  out.line("Griewank's cheap gradient principle (bound 5). Not counted: the one add per node");
  out.line(`that stores each adjoint into .grad (${count(main.gradAccumulate)} for 2 → 8 → 1).`);
  return {
    checkpointing: { n, rows, closedForm },
    depth: { rows: depthRows, seeds: seedSummary },
    opCounts,
  };
}
