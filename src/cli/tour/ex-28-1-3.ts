/**
 * Exercises 28.1–28.3: `sigmoid` and its gradient check; forward mode with `Dual`
 * numbers on f(x, y) = x²y + sin(xy) against one reverse pass; the graph of
 * f(x, y, z) = (x + y)·z + exp(x·z) at (1, 2, −1) with the backward pass by hand.
 */
import { formatGradcheck, gradcheck, type GradcheckReport } from '../../check/index.js';
import { Dual, LCG, Neuron, Value, countDual, countReverseMode } from '../../scalar/index.js';
import { fixed, mark, sci } from '../writer.js';
import { saveGraph, type TourContext } from './context.js';

/** Exercise 28.1's results. */
export interface SigmoidResult {
  points: { x: number; value: number; grad: number; expectedValue: number; expectedGrad: number }[];
  report: GradcheckReport;
}

/** Exercise 28.2's results. */
export interface DualExerciseResult {
  at: [number, number];
  value: number;
  /** [∂f/∂x, ∂f/∂y] from the two Dual passes. */
  forward: [number, number];
  /** [∂f/∂x, ∂f/∂y] from one backward pass. */
  reverse: [number, number];
  /** [2xy + y cos(xy), x² + x cos(xy)]. */
  closedForm: [number, number];
  /** Ops of each forward pass, and of forward + backward in reverse mode. */
  ops: { forwardPasses: [number, number]; reverse: number };
}

/** Exercise 28.3's results. */
export interface ThreeInputResult {
  value: number;
  /** [∂f/∂x, ∂f/∂y, ∂f/∂z] from `Value`. */
  grads: [number, number, number];
  /** [z + z·e^(xz), z, x + y + x·e^(xz)]. */
  closedForm: [number, number, number];
}

/** Exercises 28.1–28.3. */
export interface ExercisesAResult {
  sigmoid: SigmoidResult;
  dual: DualExerciseResult;
  threeInput: ThreeInputResult;
}

/**
 * Runs Exercises 28.1–28.3 and writes `exercise-28-3-graph.svg`.
 *
 * @example
 * const r = await exercises1to3(ctx);
 * r.threeInput.grads; // [-1 - 1/e, -1, 3 + 1/e]
 */
export async function exercises1to3(ctx: TourContext): Promise<ExercisesAResult> {
  const { out } = ctx;
  out.heading('Exercises');
  const sigmoid = exerciseSigmoid(ctx);
  const dual = exerciseDual(ctx);

  // 28.3
  out.subheading('Exercise 28.3: the graph of f(x, y, z) = (x + y)·z + exp(x·z) at (1, 2, −1)');
  const x = new Value(1, 'x');
  const y = new Value(2, 'y');
  const z = new Value(-1, 'z');
  const a = x.add(y);
  a.label = 'a = x + y';
  const b = a.mul(z);
  b.label = 'b = a · z';
  const c = x.mul(z);
  c.label = 'c = x · z';
  const d = c.exp();
  d.label = 'd = exp c';
  const f = b.add(d);
  f.label = 'f = b + d';
  f.backward();
  out.table(
    ['Node', 'Value', 'Adjoint by hand', 'Adjoint (Value)'],
    [
      ['f = b + d', fixed(f.data, 4), 'f̄ = 1', fixed(f.grad, 4)],
      ['d = exp(c)', fixed(d.data, 4), 'd̄ = f̄ = 1', fixed(d.grad, 4)],
      ['c = x · z', fixed(c.data, 4), 'c̄ = d̄ · exp(c) = 1/e', fixed(c.grad, 4)],
      ['b = a · z', fixed(b.data, 4), 'b̄ = f̄ = 1', fixed(b.grad, 4)],
      ['a = x + y', fixed(a.data, 4), 'ā = b̄ · z = −1', fixed(a.grad, 4)],
      ['x', fixed(x.data, 4), 'x̄ = ā + c̄ · z = −1 − 1/e', fixed(x.grad, 4)],
      ['y', fixed(y.data, 4), 'ȳ = ā = −1', fixed(y.grad, 4)],
      ['z', fixed(z.data, 4), 'z̄ = b̄ · a + c̄ · x = 3 + 1/e', fixed(z.grad, 4)],
    ],
    ['l', 'r', 'l', 'r'],
  );
  const e = Math.exp(x.data * z.data);
  const closedForm: [number, number, number] = [z.data + z.data * e, z.data, x.data + y.data + x.data * e];
  const grads: [number, number, number] = [x.grad, y.grad, z.grad];
  out.line();
  ['∂f/∂x = z + z·e^(xz)', '∂f/∂y = z', '∂f/∂z = x + y + x·e^(xz)'].forEach((name, i) => {
    out.line(`  ${name.padEnd(26)} = ${fixed(closedForm[i]!, 10).padStart(13)}   Value: ${fixed(grads[i]!, 10).padStart(13)}  ${mark(Math.abs(closedForm[i]! - grads[i]!) < 1e-12)}`);
  });
  await saveGraph(ctx, 'exercise-28-3-graph.svg', f, { title: 'f(x, y, z) = (x + y)·z + exp(x·z) at (1, 2, −1)' },
    'Exercise 28.3: graph of (x + y)·z + exp(x·z) with values and grads');
  return { sigmoid, dual, threeInput: { value: f.data, grads, closedForm } };
}

function exerciseSigmoid(ctx: TourContext): SigmoidResult {
  const { out } = ctx;
  out.subheading('Exercise 28.1: sigmoid, σ(x) = 1 / (1 + e^−x), σ\'(x) = σ(x)(1 − σ(x))');
  const points = [-2, 0, 1.5].map((x0) => {
    const x = new Value(x0);
    const s = x.sigmoid();
    s.backward();
    const expectedValue = 1 / (1 + Math.exp(-x0));
    return { x: x0, value: s.data, grad: x.grad, expectedValue, expectedGrad: expectedValue * (1 - expectedValue) };
  });
  out.table(
    ['x', 'σ(x)', 'x.grad', 'σ(1 − σ)', '|diff|', ''],
    points.map((p) => [fixed(p.x, 1), fixed(p.value, 10), fixed(p.grad, 10), fixed(p.expectedGrad, 10),
      sci(Math.abs(p.grad - p.expectedGrad)), mark(Math.abs(p.grad - p.expectedGrad) < 1e-15)]),
  );
  out.line();
  out.line('Gradient check of a sigmoid neuron, loss (σ(w·x + b) − 1)² at x = [0.5, −1.5]:');
  out.line();
  const neuron = new Neuron(2, { activation: 'sigmoid', rng: new LCG(7) });
  neuron.b.data = 0.1;
  const report = gradcheck(() => neuron.forward([0.5, -1.5]).sub(1).pow(2), neuron.parameters());
  out.lines(formatGradcheck(report).split('\n'));
  return { points, report };
}

function exerciseDual(ctx: TourContext): DualExerciseResult {
  const { out } = ctx;
  out.subheading('Exercise 28.2: forward mode (Dual numbers) for f(x, y) = x²y + sin(xy) at (1, 2)');
  const at: [number, number] = [1, 2];
  const fDual = (x: Dual, y: Dual): Dual => x.mul(x).mul(y).add(x.mul(y).sin());
  const pass = (tx: number, ty: number) => countDual(() => fDual(new Dual(at[0], tx), new Dual(at[1], ty)));
  const p1 = pass(1, 0);
  const p2 = pass(0, 1);
  const rev = countReverseMode((x: Value, y: Value) => x.mul(x).mul(y).add(x.mul(y).sin()), at);
  const [x, y] = at;
  const closedForm: [number, number] = [2 * x * y + y * Math.cos(x * y), x * x + x * Math.cos(x * y)];
  const forward: [number, number] = [p1.result.tangent, p2.result.tangent];
  const reverse: [number, number] = [rev.gradient[0]!, rev.gradient[1]!];
  out.table(
    ['Method', '∂f/∂x', '∂f/∂y', 'ops'],
    [
      ['forward pass 1: Dual(1, 1), Dual(2, 0)', fixed(forward[0], 10), '—', String(p1.primal + p1.tangent)],
      ['forward pass 2: Dual(1, 0), Dual(2, 1)', '—', fixed(forward[1], 10), String(p2.primal + p2.tangent)],
      ['reverse: one forward + one backward', fixed(reverse[0], 10), fixed(reverse[1], 10), String(rev.total)],
      ['closed form: 2xy + y·cos(xy), x² + x·cos(xy)', fixed(closedForm[0], 10), fixed(closedForm[1], 10), ''],
    ],
    ['l', 'r', 'r', 'r'],
  );
  const ok = [0, 1].every((i) => Math.abs(forward[i]! - closedForm[i]!) < 1e-12 && Math.abs(reverse[i]! - closedForm[i]!) < 1e-12);
  out.line();
  out.line(`f(1, 2) = ${fixed(p1.result.value, 10)}; both modes agree with the closed forms ${mark(ok)}.`);
  out.line(`Cost: forward mode ${p1.primal + p1.tangent + p2.primal + p2.tangent} ops in 2 passes (each recomputes f), ` +
    `reverse ${rev.total} ops (${rev.forward} + ${rev.backward}) for both partials.`);
  out.line('With n inputs forward mode needs n passes, reverse mode still one (see 28.3).');
  return {
    at, value: p1.result.value, forward, reverse, closedForm,
    ops: { forwardPasses: [p1.primal + p1.tangent, p2.primal + p2.tangent], reverse: rev.total },
  };
}
