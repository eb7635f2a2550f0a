/**
 * 28.1 Three Ways to Compute Derivatives: f(x) = x²·sin(x) at 2, symbolically,
 * by central differences and by reverse-mode AD, then the error of central
 * differences against the step size h (the chapter's first figure).
 */
import { errorVsStep, finiteDifference, logspace, type StepErrorRow } from '../../check/index.js';
import { Value } from '../../scalar/index.js';
import { linePlot, COLORS } from '../../viz/index.js';
import { fixed, sci } from '../writer.js';
import { saveFigure, type TourContext } from './context.js';

/** What {@link threeWays} computed. */
export interface ThreeWaysResult {
  x: number;
  /** f(x) = x² sin x. */
  value: number;
  /** 2x sin x + x² cos x. */
  symbolic: number;
  /** Central difference with h = 1e-7. */
  numerical: number;
  /** `Value.backward()`. */
  automatic: number;
  /** The error of central differences at a few h. */
  table: StepErrorRow[];
  /** The step with the smallest error on logspace(-15, 0, 100), and that error. */
  best: StepErrorRow;
}

const f = (x: number): number => x * x * Math.sin(x);
const df = (x: number): number => 2 * x * Math.sin(x) + x * x * Math.cos(x);

/**
 * Runs section 28.1 and writes `error-vs-h.svg`.
 *
 * @example
 * const r = await threeWays(ctx);
 * r.symbolic; // 2·2·sin 2 + 4·cos 2 ≈ 1.9726
 */
export async function threeWays(ctx: TourContext): Promise<ThreeWaysResult> {
  const { out } = ctx;
  const x0 = 2;
  out.heading('28.1 Three Ways to Compute Derivatives');
  out.line('f(x) = x² · sin(x) at x = 2');

  const symbolic = df(x0);
  const numerical = finiteDifference(f, x0, { h: 1e-7, method: 'central' });
  const x = new Value(x0, 'x');
  const y = x.pow(2).mul(x.sin());
  y.backward();
  const automatic = x.grad;

  out.line();
  out.table(
    ['Method', 'How', "f'(2)", '|· − symbolic|'],
    [
      ['Symbolic', '2x·sin x + x²·cos x', fixed(symbolic, 15), '—'],
      ['Numerical', '(f(x+h) − f(x−h)) / 2h, h = 1e-7', fixed(numerical, 15), sci(Math.abs(numerical - symbolic))],
      ['Automatic', 'Value: x.pow(2).mul(x.sin()).backward()', fixed(automatic, 15), sci(Math.abs(automatic - symbolic))],
    ],
    ['l', 'l', 'r', 'r'],
  );
  out.line();
  out.line('Symbolic is exact but its expressions swell; numerical needs 2n evaluations');
  out.line('of f and is approximate; automatic is exact to rounding, at the cost of ~1 pass.');

  // The figure's sweep, and a few of its steps as a table.
  const sweep = errorVsStep(f, symbolic, x0, logspace(-15, 0, 100));
  const best = sweep.reduce((m, r) => (r.error < m.error ? r : m));
  const table = errorVsStep(f, symbolic, x0, [1e-1, 1e-3, 1e-5, 1e-7, 1e-9, 1e-11, 1e-13, 1e-15]);
  out.subheading('Error of the central difference vs step size h');
  out.table(
    ['h', "numerical f'(2)", '|error|', 'dominated by'],
    table.map((r) => [
      sci(r.h, 0),
      fixed(r.numerical, 12),
      sci(r.error),
      r.h >= best.h * 10 ? 'truncation (∝ h²)' : r.h <= best.h / 10 ? 'roundoff (∝ ε/h)' : 'balance',
    ]),
    ['r', 'r', 'r', 'l'],
  );
  out.line();
  out.line(`Over h = logspace(-15, 0, 100) the error is smallest at h = ${sci(best.h)} (error ${sci(best.error)}).`);
  out.line('For a central difference the sweet spot is near ε^(1/3) ≈ 6e-6 (the chapter says 1e-8,');
  out.line("the optimum of a one-sided difference, ε^(1/2)). AD has no h: it is exact.");

  const svg = linePlot({
    series: [{ x: sweep.map((r) => r.h), y: sweep.map((r) => r.error), label: 'central difference', color: COLORS.red }],
    title: 'Numerical Differentiation Error vs Step Size',
    xLabel: 'Step size h',
    yLabel: "Absolute error |f'numerical − f'exact|",
    logX: true,
    logY: true,
    vlines: [{ x: 1e-7, label: 'h = 1e-7' }],
    annotations: [
      { x: 1e-14, y: 1e-2, text: 'Roundoff error\ndominates' },
      { x: 1e-2, y: 1e-3, text: 'Truncation error\ndominates' },
    ],
    legend: 'upper right',
  });
  await saveFigure(ctx, 'error-vs-h.svg', svg, 'error of central differences vs h (log-log), f = x²·sin x at 2');
  return { x: x0, value: y.data, symbolic, numerical, automatic, table, best };
}
