/**
 * Finite differences: the "numerical differentiation" of the chapter's three ways
 * to compute derivatives, and the oracle every gradient check compares against.
 *
 * Central differences have truncation error O(h^2) and roundoff error about
 * eps * |f| / h, so the total error is smallest near h = 1e-5 .. 1e-8 and grows on
 * both sides (the V shape that `errorVsStep` measures).
 */
import { RangeArgError } from '../errors.js';

/** Which finite-difference formula to use. */
export type FiniteDifferenceMethod = 'central' | 'forward' | 'backward';

/** Options of {@link finiteDifference}. */
export interface FiniteDifferenceOptions {
  /** Step size, > 0. Default `1e-6`. */
  h?: number;
  /**
   * `'central'` (default): (f(x+h) - f(x-h)) / 2h, error O(h^2);
   * `'forward'`: (f(x+h) - f(x)) / h and `'backward'`: (f(x) - f(x-h)) / h, error O(h).
   */
  method?: FiniteDifferenceMethod;
}

/** One row of {@link errorVsStep}: the step, the estimate, and its absolute error. */
export interface StepErrorRow {
  h: number;
  numerical: number;
  error: number;
}

/** @internal Throws unless `h` is a finite positive number. */
export function checkStep(op: string, h: number): void {
  if (!(Number.isFinite(h) && h > 0)) {
    throw new RangeArgError(op, `step h must be a finite number > 0, got ${h}`);
  }
}

/**
 * Approximates f'(x) with a finite difference.
 *
 * @example
 * finiteDifference(Math.sin, 0);                          // ≈ 1 (central, h = 1e-6)
 * finiteDifference((x) => x ** 3, 2, { method: 'forward', h: 1e-4 }); // ≈ 12.0006
 */
export function finiteDifference(
  f: (x: number) => number,
  x: number,
  options: FiniteDifferenceOptions = {},
): number {
  const { h = 1e-6, method = 'central' } = options;
  checkStep('finiteDifference', h);
  switch (method) {
    case 'central':
      return (f(x + h) - f(x - h)) / (2 * h);
    case 'forward':
      return (f(x + h) - f(x)) / h;
    case 'backward':
      return (f(x) - f(x - h)) / h;
    default:
      throw new RangeArgError(
        'finiteDifference',
        `method must be 'central', 'forward' or 'backward', got ${String(method)}`,
      );
  }
}

/**
 * The gradient of f: R^n -> R by central differences, two evaluations per
 * coordinate (2n in all, the cost the chapter warns about). `xs` is not modified:
 * `f` receives a copy with one coordinate nudged.
 *
 * @example
 * numericalGradient(([x, y]) => x * x * y, [3, 2]); // ≈ [12, 9]
 */
export function numericalGradient(
  f: (xs: number[]) => number,
  xs: readonly number[],
  options: { h?: number } = {},
): number[] {
  const { h = 1e-6 } = options;
  checkStep('numericalGradient', h);
  const point = xs.slice();
  const grad = new Array<number>(point.length);
  for (let i = 0; i < point.length; i++) {
    const xi = point[i]!;
    point[i] = xi + h;
    const plus = f(point.slice());
    point[i] = xi - h;
    const minus = f(point.slice());
    point[i] = xi;
    grad[i] = (plus - minus) / (2 * h);
  }
  return grad;
}

/**
 * `n` numbers spaced evenly on a log scale from 10^start to 10^stop inclusive,
 * like NumPy's `logspace`.
 *
 * @example
 * logspace(-2, 0, 3); // [0.01, 0.1, 1]
 */
export function logspace(start: number, stop: number, n: number): number[] {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeArgError('logspace', `n must be an integer >= 1, got ${n}`);
  }
  if (n === 1) return [10 ** start];
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = 10 ** (start + ((stop - start) * i) / (n - 1));
  return out;
}

/**
 * The error of central differences against the exact derivative over a range of
 * step sizes: the data of the chapter's first figure ("Numerical Differentiation
 * Error vs Step Size"). `hs` defaults to `logspace(-15, 0, 100)`; `df` is the exact
 * derivative, as a function or as the number f'(x).
 *
 * @example
 * const f = (x: number) => x * x * Math.sin(x);
 * const df = (x: number) => 2 * x * Math.sin(x) + x * x * Math.cos(x);
 * const rows = errorVsStep(f, df, 2);      // 100 rows {h, numerical, error}
 * linePlot({ series: [{ x: rows.map((r) => r.h), y: rows.map((r) => r.error), label: 'error' }],
 *            title: 'Error vs step', xLabel: 'h', yLabel: 'error', logX: true, logY: true });
 */
export function errorVsStep(
  f: (x: number) => number,
  df: ((x: number) => number) | number,
  x: number,
  hs: readonly number[] = logspace(-15, 0, 100),
): StepErrorRow[] {
  const exact = typeof df === 'number' ? df : df(x);
  return hs.map((h) => {
    const numerical = finiteDifference(f, x, { h, method: 'central' });
    return { h, numerical, error: Math.abs(numerical - exact) };
  });
}
