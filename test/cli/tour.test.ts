import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTour, type TourResult } from '../../src/cli/tour/index.js';

const SIN2 = Math.sin(2);
const COS2 = Math.cos(2);
const E1 = Math.exp(-1);

const FIGURES = [
  'error-vs-h.svg',
  'graph.svg',
  'forward-vs-reverse.svg',
  'xor-loss.svg',
  'xor-boundary.svg',
  'exercise-28-3-graph.svg',
  'xor-depth-loss.svg',
];

let dir: string;
let r: TourResult;
let quietText: string;

/** An SVG's text with numeric character references decoded (Graphviz writes '-' as &#45;). */
function svgText(file: string): string {
  return readFileSync(join(dir, file), 'utf8').replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d)));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'adjoint-tour-'));
  const chunks: string[] = [];
  r = await runTour({ outDir: dir, quiet: true, write: (s) => chunks.push(s) });
  quietText = chunks.join('');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('tour, quiet', () => {
  it('prints one line, saying where the figures went', () => {
    const lines = quietText.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(dir);
    expect(lines[0]).toContain(`${FIGURES.length} figures`);
  });

  it('finishes in a few seconds', () => {
    expect(r.seconds).toBeLessThan(10);
  });
});

describe('28.1 three ways to differentiate x²·sin x at 2', () => {
  it('symbolic, numerical and automatic agree with 2x sin x + x² cos x', () => {
    const exact = 4 * SIN2 + 4 * COS2;
    const t = r.threeWays;
    expect(t.value).toBeCloseTo(4 * SIN2, 14);
    expect(t.symbolic).toBeCloseTo(exact, 14);
    expect(Math.abs(t.automatic - exact)).toBeLessThan(1e-14);
    expect(Math.abs(t.numerical - exact)).toBeLessThan(1e-7);
    expect(Math.abs(t.numerical - exact)).toBeGreaterThan(0); // approximate, unlike AD
  });

  it('the error vs h has the V shape: truncation for large h, roundoff for small h', () => {
    const err = (h: number) => r.threeWays.table.find((row) => row.h === h)!.error;
    expect(err(1e-1)).toBeGreaterThan(err(1e-5));
    expect(err(1e-13)).toBeGreaterThan(err(1e-5));
    // Truncation error is O(h²): two decades of h, four of error.
    expect(err(1e-1) / err(1e-3)).toBeGreaterThan(5e3);
    expect(r.threeWays.best.h).toBeGreaterThan(1e-8);
    expect(r.threeWays.best.h).toBeLessThan(1e-4);
  });
});

describe('28.2–28.3 the graph of (x + y)·sin x at (2, 3) and its adjoints', () => {
  it('forward table: v1 … v5', () => {
    expect(r.graph.forward.map((row) => row.value)).toEqual([2, 3, 5, SIN2, 5 * SIN2]);
    expect(r.graph.forward.map((row) => row.step)).toEqual(['v1 = x', 'v2 = y', 'v3 = v1 + v2', 'v4 = sin(v1)', 'v5 = v3 · v4']);
  });

  it('adjoint table: v̄5 = 1, v̄3 = sin 2, v̄4 = 5, v̄1 = sin 2 + 5 cos 2, v̄2 = sin 2', () => {
    const a = Object.fromEntries(r.modes.adjoints.map((row) => [row.step, row.value]));
    expect(a['v̄5']).toBe(1);
    expect(a['v̄3']).toBeCloseTo(SIN2, 14);
    expect(a['v̄4']).toBeCloseTo(5, 14);
    expect(a['v̄1']).toBeCloseTo(SIN2 + 5 * COS2, 14);
    expect(a['v̄2']).toBeCloseTo(SIN2, 14);
    expect(r.modes.gradient[0]).toBeCloseTo(SIN2 + 5 * COS2, 14);
    expect(r.modes.gradient[1]).toBeCloseTo(SIN2, 14);
  });

  it('forward mode: two Dual passes give the same partials; one reverse pass gives both', () => {
    const [p1, p2] = r.modes.passes;
    expect(p1!.tangent).toBeCloseTo(SIN2 + 5 * COS2, 14);
    expect(p2!.tangent).toBeCloseTo(SIN2, 14);
    expect(r.modes.forwardMode.passes).toBe(2);
    expect(r.modes.forwardMode.total).toBe(p1!.ops + p2!.ops);
    expect(r.modes.reverseMode.gradient[0]).toBeCloseTo(SIN2 + 5 * COS2, 14);
    expect(r.modes.reverseMode.total).toBe(r.modes.reverseMode.forward + r.modes.reverseMode.backward);
  });

  it('measured cost: forward mode grows like n·T, reverse mode like T', () => {
    const cost = r.modes.cost;
    expect(cost.map((c) => c.n)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]);
    const last = cost[cost.length - 1]!;
    const prev = cost[cost.length - 2]!;
    // Doubling n doubles reverse mode and quadruples forward mode (n passes of ~T).
    expect(last.reverseMode / prev.reverseMode).toBeCloseTo(2, 1);
    expect(last.forwardMode / prev.forwardMode).toBeCloseTo(4, 1);
    expect(last.forwardMode / last.reverseMode).toBeGreaterThan(100);
    for (const c of cost) expect(c.reverseMode).toBeLessThanOrEqual(6 * c.evaluation);
    const ratios = cost.map((c) => c.forwardMode / c.reverseMode);
    for (let i = 1; i < ratios.length; i++) expect(ratios[i]!).toBeGreaterThan(ratios[i - 1]!);
  });
});

describe('28.4–28.6 tests 1–4, XOR, gradient check, the PyTorch example', () => {
  it('Tests 1–4 pass with the expected values', () => {
    expect(r.engine.passed).toBe(true);
    const get = (test: number, q: string) => r.engine.checks.find((c) => c.test === test && c.quantity === q)!;
    expect(get(1, 'dz/dx').got).toBe(7);
    expect(get(1, 'dz/dy').got).toBe(2);
    const s = 1 / (1 + Math.exp(-1.5));
    expect(get(2, "f'(1.5)").got).toBeCloseTo(s * (1 - s), 14);
    expect(get(3, "f'(0.7)").got).toBeCloseTo(1 - Math.tanh(0.7) ** 2, 14);
    expect(get(4, "f'(2) vs closed form").got).toBeCloseTo(12 * Math.log(2) + 4 - Math.exp(-2), 12);
  });

  it('XOR: 2 → 8 → 1 trains, prints every 20 epochs and the last, predicts the right signs', () => {
    const { xor } = r;
    expect(xor.parameters).toBe(33);
    expect(xor.run.losses).toHaveLength(200);
    expect(xor.printed.map((p) => p.epoch)).toEqual([0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 199]);
    expect(xor.run.losses[0]!).toBeGreaterThan(0.5);
    expect(xor.run.losses[199]!).toBeLessThan(0.01);
    expect(xor.run.predictions.map(Math.sign)).toEqual([-1, 1, 1, -1]);
    expect(xor.signsCorrect).toBe(true);
  });

  it('gradient verification of the 2 → 4 → 1 MLP passes', () => {
    const { report, text } = r.verify;
    expect(report.passed).toBe(true);
    expect(report.rows).toHaveLength(17);
    expect(report.maxRelError).toBeLessThan(1e-6);
    expect(text).toContain('GRADIENT CHECK PASSED');
  });

  it('z = x·y + relu(x²): x.grad 7, y.grad 2', () => {
    expect(r.pytorch).toEqual({ z: 10, dx: 7, dy: 2 });
  });
});

describe('exercises', () => {
  it('28.1 sigmoid: σ(1 − σ) and a passing gradient check', () => {
    for (const p of r.exercises.sigmoid.points) {
      const s = 1 / (1 + Math.exp(-p.x));
      expect(p.value).toBeCloseTo(s, 15);
      expect(p.grad).toBeCloseTo(s * (1 - s), 15);
    }
    expect(r.exercises.sigmoid.report.passed).toBe(true);
  });

  it('28.2 Dual: two forward passes and one reverse pass match the closed forms', () => {
    const d = r.exercises.dual;
    const [x, y] = d.at;
    const dfdx = 2 * x * y + y * Math.cos(x * y);
    const dfdy = x * x + x * Math.cos(x * y);
    expect(d.value).toBeCloseTo(x * x * y + Math.sin(x * y), 14);
    expect(d.forward[0]).toBeCloseTo(dfdx, 14);
    expect(d.forward[1]).toBeCloseTo(dfdy, 14);
    expect(d.reverse[0]).toBeCloseTo(dfdx, 14);
    expect(d.reverse[1]).toBeCloseTo(dfdy, 14);
    expect(d.ops.reverse).toBeLessThan(d.ops.forwardPasses[0] + d.ops.forwardPasses[1]);
  });

  it('28.3 (x + y)·z + exp(x·z) at (1, 2, −1): gradients equal the hand-derived ones', () => {
    const t = r.exercises.threeInput;
    expect(t.value).toBeCloseTo(-3 + E1, 14);
    expect(t.grads[0]).toBeCloseTo(-1 - E1, 14);
    expect(t.grads[1]).toBe(-1);
    expect(t.grads[2]).toBeCloseTo(3 + E1, 14);
    expect(t.closedForm[0]).toBeCloseTo(-1 - E1, 14);
  });

  it('28.4 checkpointing: the same gradient for every k; k = √n needs the fewest live nodes', () => {
    const { n, rows, closedForm } = r.exercises.checkpointing;
    expect(n).toBe(10_000);
    const [plain, k1, kSqrt, kN] = rows;
    expect(rows.map((row) => row.k)).toEqual([null, 1, 100, 10_000]);
    for (const row of rows) expect(row.grad).toBe(plain!.grad);
    expect(Math.abs(plain!.grad - closedForm) / closedForm).toBeLessThan(1e-12);
    expect(kSqrt!.peakLiveNodes).toBeLessThan(k1!.peakLiveNodes);
    expect(kSqrt!.peakLiveNodes).toBeLessThan(kN!.peakLiveNodes);
    expect(kSqrt!.peakLiveNodes).toBeLessThan(plain!.peakLiveNodes / 50);
    expect(plain!.recomputedOps).toBe(0);
    // Three ops per step, recomputed once whatever k.
    for (const row of [k1, kSqrt, kN]) expect(row!.recomputedOps).toBe(3 * n);
    expect(k1!.checkpoints).toBe(n);
    expect(kN!.checkpoints).toBe(1);
  });

  it('28.5 deeper networks: per-layer activations, compared to 2 → 8 → 1', () => {
    const { rows, seeds } = r.exercises.depth;
    expect(rows[0]!.finalLoss).toBe(r.xor.run.losses[199]);
    expect(rows.map((row) => row.parameters)).toEqual([33, 105, 105, 105]);
    expect(rows[2]!.activations).toEqual(['relu', 'tanh', 'linear']);
    for (const row of rows) expect(row.signsCorrect).toBe(true);
    // What the engine gives at lr 0.05 and 200 epochs: the deeper tanh net fits XOR more tightly.
    expect(rows[1]!.finalLoss).toBeLessThan(rows[0]!.finalLoss);
    expect(seeds[1]!.medianLoss).toBeLessThan(seeds[0]!.medianLoss);
  });

  it('28.6 op counts: backward costs a small constant times forward (≤ 5)', () => {
    for (const row of r.exercises.opCounts) {
      expect(row.ratio).toBeGreaterThan(1);
      expect(row.ratio).toBeLessThanOrEqual(5);
      expect(row.ratio).toBeCloseTo(row.counts.backward / row.counts.forward, 14);
    }
    const [small, deep] = r.exercises.opCounts;
    expect(deep!.counts.forward).toBeGreaterThan(2 * small!.counts.forward);
  });
});

describe('figures', () => {
  it('writes every figure as SVG under the output folder and lists it', () => {
    expect(r.outDir).toBe(dir);
    expect(r.figures.map((f) => f.file)).toEqual(FIGURES);
    for (const f of r.figures) {
      expect(isAbsolute(f.path)).toBe(true);
      expect(f.path).toBe(join(dir, f.file));
      expect(existsSync(f.path)).toBe(true);
      const svg = readFileSync(f.path, 'utf8');
      expect(svg.startsWith('<svg') || svg.startsWith('<?xml')).toBe(true);
      expect(svg).toContain('</svg>');
    }
  });

  it('the graph of 28.2 shows each node’s value and grad', () => {
    const svg = svgText('graph.svg');
    for (const v of ['data 2.0000', 'data 3.0000', 'data 5.0000', 'data 0.9093', 'data 4.5465']) expect(svg).toContain(v);
    for (const g of ['grad -1.1714', 'grad 0.9093', 'grad 5.0000', 'grad 1.0000']) expect(svg).toContain(g);
  });

  it('the graph of Exercise 28.3 shows its values and grads', () => {
    const svg = svgText('exercise-28-3-graph.svg');
    for (const v of ['data -2.6321', 'data 0.3679', 'grad -1.3679', 'grad 3.3679']) expect(svg).toContain(v);
  });

  it('the plots carry the chapter’s titles and marks', () => {
    const err = readFileSync(join(dir, 'error-vs-h.svg'), 'utf8');
    expect(err).toContain('Numerical Differentiation Error vs Step Size');
    expect(err).toContain('h = 1e-7');
    expect(err).toContain('Roundoff error');
    expect(readFileSync(join(dir, 'xor-boundary.svg'), 'utf8')).toContain('XOR Decision Boundary');
  });
});

describe('tour, printed', () => {
  it('replays the chapter in order, with the tables and the list of figures', async () => {
    const out = mkdtempSync(join(tmpdir(), 'adjoint-tour-text-'));
    try {
      const chunks: string[] = [];
      const r2 = await runTour({ outDir: out, write: (s) => chunks.push(s), progress: false });
      const text = chunks.join('');
      const headings = [
        '28.1 Three Ways to Compute Derivatives',
        '28.2 The Computational Graph',
        '28.3 Forward Mode vs Reverse Mode',
        '28.4 Building a Micrograd Engine',
        '28.5 Training a Neural Network with Micrograd',
        'Verifying Gradients Against Finite Differences',
        '28.6 From Micrograd to PyTorch',
        'Exercise 28.1',
        'Exercise 28.2',
        'Exercise 28.3',
        'Exercise 28.4',
        'Exercise 28.5',
        'Exercise 28.6',
        'Figures',
      ];
      let at = -1;
      for (const h of headings) {
        const i = text.indexOf(`\n${h}`, at + 1);
        expect(i, h).toBeGreaterThan(at);
        at = i;
      }
      expect(text).toContain('Epoch    0/200: Loss = ');
      expect(text).toContain('Epoch  199/200: Loss = ');
      expect(text).toMatch(/Input: \(0, 1\) -> Predicted: \+0\.\d{4}, Target: \+1/);
      expect(text).toContain('GRADIENT CHECK PASSED');
      expect(text).toContain('-1.1714');
      expect(text).not.toContain('✗');
      for (const f of r2.figures) expect(text).toContain(f.path);
      // Same seeds, same numbers.
      expect(r2.xor.run.losses).toEqual(r.xor.run.losses);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
