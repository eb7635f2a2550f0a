/**
 * 28.3 Forward Mode vs Reverse Mode: the adjoint table of f(x, y) = (x + y)·sin(x)
 * read off the engine's gradients, the two `Dual` passes forward mode needs
 * against one reverse pass, and the cost of a whole gradient for n = 1 … 1024
 * inputs, measured by counting the ops both modes execute (not drawn from the
 * O(n·T) vs O(T) formulas).
 */
import {
  Dual, Value, countDual, countForwardMode, countReverseMode,
  type ForwardModeCount, type ReverseModeCount,
} from '../../scalar/index.js';
import { COLORS, linePlot } from '../../viz/index.js';
import { count, fixed, mark } from '../writer.js';
import { saveFigure, type TourContext } from './context.js';
import type { GraphResult } from './graph.js';

/** One row of the adjoint table. */
export interface AdjointRow {
  step: string;
  adjoint: string;
  value: number;
  rule: string;
}

/** One forward-mode pass. */
export interface DualPass {
  seed: string;
  value: number;
  tangent: number;
  /** Flops of the pass (values + tangents). */
  ops: number;
}

/** One n of the cost sweep. */
export interface CostRow {
  n: number;
  forwardMode: number;
  reverseMode: number;
  /** Flops of one evaluation of f (T). */
  evaluation: number;
}

/** What {@link forwardVsReverse} computed. */
export interface ModesResult {
  adjoints: AdjointRow[];
  /** ∂f/∂x, ∂f/∂y by reverse mode (one backward pass). */
  gradient: [number, number];
  passes: DualPass[];
  forwardMode: ForwardModeCount;
  reverseMode: ReverseModeCount;
  cost: CostRow[];
}

/** The op set both `Value` and `Dual` have, so one function runs in both modes. */
interface Num<T> {
  add(other: T | number): T;
  mul(other: T | number): T;
  tanh(): T;
}

/**
 * f(x) = Σᵢ tanh(xᵢ)·x₍ᵢ₊₁₎ mod n, the n-input function of the cost figure
 * (for n = 1: tanh(x₀)·x₀). About 3n ops.
 *
 * @example
 * chainSum([new Value(1), new Value(2)]).data; // tanh 1 · 2 + tanh 2 · 1
 */
export function chainSum<T extends Num<T>>(xs: readonly T[]): T {
  const n = xs.length;
  let s = xs[0]!.tanh().mul(xs[1 % n]!);
  for (let i = 1; i < n; i++) s = s.add(xs[i]!.tanh().mul(xs[(i + 1) % n]!));
  return s;
}

const fDual = (x: Dual, y: Dual): Dual => x.add(y).mul(x.sin());
const fValue = (x: Value, y: Value): Value => x.add(y).mul(x.sin());

/**
 * Runs section 28.3 on the graph of 28.2 (already differentiated) and writes
 * `forward-vs-reverse.svg`.
 *
 * @example
 * const r = await forwardVsReverse(ctx, await computationalGraph(ctx));
 * r.gradient; // [sin 2 + 5 cos 2, sin 2]
 */
export async function forwardVsReverse(ctx: TourContext, graph: GraphResult): Promise<ModesResult> {
  const { out } = ctx;
  const { v1, v2, v3, v4, v5 } = graph.nodes;
  out.heading('28.3 Forward Mode vs Reverse Mode');
  out.line('Reverse mode: after the forward pass, propagate v̄ⱼ = ∂f/∂vⱼ from the output back.');
  out.line('The values below are the .grad fields the engine filled in 28.2.');

  const adjoints: AdjointRow[] = [
    { step: 'v̄5', adjoint: '∂f/∂v5', value: v5.grad, rule: '1 (seed)' },
    { step: 'v̄3', adjoint: '∂f/∂v3', value: v3.grad, rule: 'v̄5 · v4' },
    { step: 'v̄4', adjoint: '∂f/∂v4', value: v4.grad, rule: 'v̄5 · v3' },
    { step: 'v̄1', adjoint: '∂f/∂x', value: v1.grad, rule: 'v̄3 + v̄4 · cos(v1)' },
    { step: 'v̄2', adjoint: '∂f/∂y', value: v2.grad, rule: 'v̄3' },
  ];
  out.subheading('Reverse pass (adjoints)');
  out.table(
    ['Step', 'Adjoint', 'Value', 'Rule'],
    adjoints.map((r) => [r.step, r.adjoint, fixed(r.value, 4), r.rule]),
    ['l', 'l', 'r', 'l'],
  );
  const dx = Math.sin(2) + 5 * Math.cos(2);
  const dy = Math.sin(2);
  out.line();
  out.line(`Closed form: ∂f/∂x = sin 2 + 5·cos 2 = ${fixed(dx, 6).padStart(9)}  ${mark(Math.abs(v1.grad - dx) < 1e-12)}`);
  out.line(`             ∂f/∂y = sin 2          = ${fixed(dy, 6).padStart(9)}  ${mark(Math.abs(v2.grad - dy) < 1e-12)}`);
  out.line('(The chapter\'s table prints −1.1726 for v̄1; 0.9093 + 5·cos 2 is −1.1714.)');

  // Forward mode: one Dual pass per input.
  out.subheading('Forward mode with Dual numbers: one pass per input');
  const passes: DualPass[] = [
    { seed: 'pass 1: ẋ = 1, ẏ = 0 → ∂f/∂x', tangents: [1, 0] as const },
    { seed: 'pass 2: ẋ = 0, ẏ = 1 → ∂f/∂y', tangents: [0, 1] as const },
  ].map(({ seed, tangents }) => {
    const { result, primal, tangent } = countDual(() => fDual(new Dual(2, tangents[0]), new Dual(3, tangents[1])));
    return { seed, value: result.value, tangent: result.tangent, ops: primal + tangent };
  });
  const forwardMode = countForwardMode(fDual, [2, 3]);
  const reverseMode = countReverseMode(fValue, [2, 3]);
  out.table(
    ['Pass', 'f', 'tangent', 'ops'],
    [
      ...passes.map((p) => [p.seed, fixed(p.value, 4), fixed(p.tangent, 4), String(p.ops)]),
      ['reverse: 1 forward + 1 backward → both', fixed(v5.data, 4),
        `(${fixed(reverseMode.gradient[0]!, 4)}, ${fixed(reverseMode.gradient[1]!, 4)})`, String(reverseMode.total)],
    ],
    ['l', 'r', 'r', 'r'],
  );
  out.line();
  out.line(`Measured: forward mode ${forwardMode.total} ops in ${forwardMode.passes} passes, ` +
    `reverse mode ${reverseMode.total} ops (${reverseMode.forward} forward + ${reverseMode.backward} backward).`);
  out.line('With two inputs the two are close; the gap grows with n:');

  // The cost sweep, measured.
  const cost: CostRow[] = [];
  for (let n = 1; n <= 1024; n *= 2) {
    const xs = Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const fm = countForwardMode((...d: Dual[]) => chainSum(d), xs);
    const rm = countReverseMode((...v: Value[]) => chainSum(v), xs);
    cost.push({ n, forwardMode: fm.total, reverseMode: rm.total, evaluation: rm.forward });
  }
  out.subheading('Cost of the whole gradient of f(x) = Σ tanh(xᵢ)·xᵢ₊₁ (measured op counts)');
  out.table(
    ['n', 'T = ops of f', 'forward mode (n passes)', 'reverse mode (1+1)', 'forward / reverse'],
    cost.map((r) => [String(r.n), count(r.evaluation), count(r.forwardMode), count(r.reverseMode), fixed(r.forwardMode / r.reverseMode, 1)]),
  );
  out.line();
  out.line('Forward mode grows like n·T (n passes of ~T each), reverse mode like T: the');
  out.line('ratio grows linearly in n. This is why training uses reverse mode (backprop).');

  const ns = cost.map((r) => r.n);
  const svg = linePlot({
    series: [
      { x: ns, y: cost.map((r) => r.forwardMode), label: 'forward mode: n Dual passes', color: COLORS.red, marker: 'o' },
      { x: ns, y: cost.map((r) => r.reverseMode), label: 'reverse mode: 1 forward + 1 backward', color: COLORS.blue, marker: 's' },
      { x: ns, y: cost.map((r) => r.evaluation), label: 'one evaluation of f (T)', color: COLORS.gray, dashed: true },
    ],
    title: 'Cost of the Full Gradient of Σ tanh(xᵢ)·xᵢ₊₁ (measured)',
    xLabel: 'Number of inputs n',
    yLabel: 'Elementary operations',
    logX: true,
    logY: true,
    legend: 'upper left',
  });
  await saveFigure(ctx, 'forward-vs-reverse.svg', svg, 'measured op counts of forward vs reverse mode, n = 1 … 1024 (log-log)');
  return { adjoints, gradient: [v1.grad, v2.grad], passes, forwardMode, reverseMode, cost };
}
