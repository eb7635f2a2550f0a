/**
 * Gradient checking for the scalar engine, exactly the chapter's "Verifying
 * Gradients Against Finite Differences": autograd gradients from one backward
 * pass, compared parameter by parameter with central differences obtained by
 * nudging `.data` and restoring it.
 *
 * Works on duck types so that `check/` does not depend on `scalar/`: a parameter
 * is anything with a mutable `data` and `grad`, the loss anything with `data` and
 * `backward()`.
 */
import { RangeArgError } from '../errors.js';
import { checkStep } from './finite.js';

/** A scalar parameter: a leaf `Value`, or anything with mutable `data` and `grad`. */
export interface ScalarParam {
  data: number;
  grad: number;
}

/** What the checked function returns: the loss node (a `Value`). */
export interface ScalarLoss {
  readonly data: number;
  backward(): void;
}

/** Options of {@link gradcheck}. */
export interface GradcheckOptions {
  /** Finite-difference step. Default `1e-6` (the chapter's). */
  h?: number;
  /** A parameter passes when its relative error is below `rtol`. Default `1e-4`. */
  rtol?: number;
  /**
   * Optional absolute tolerance: a parameter also passes when |autograd - numerical|
   * <= atol (useful where both gradients are ~0 and the relative error means
   * nothing). Not used unless given.
   */
  atol?: number;
}

/** One parameter's line of the report. */
export interface GradcheckRow {
  index: number;
  autograd: number;
  numerical: number;
  /** |a - n| / (|a| + |n| + 1e-12); NaN when either gradient is not finite. */
  relError: number;
}

/** The result of {@link gradcheck}. */
export interface GradcheckReport {
  passed: boolean;
  /** Largest relative error over the parameters (NaN if any row is NaN). */
  maxRelError: number;
  rows: GradcheckRow[];
  /** Why the check failed; absent when it passed. */
  reason?: string;
  /** The tolerances and step that were used. */
  rtol: number;
  atol?: number;
  h: number;
}

/**
 * The chapter's relative error, |a - n| / (|a| + |n| + 1e-12).
 *
 * @example
 * relativeError(2, 2.0001); // ≈ 2.5e-5
 */
export function relativeError(a: number, n: number): number {
  return Math.abs(a - n) / (Math.abs(a) + Math.abs(n) + 1e-12);
}

/**
 * Checks autograd gradients against central finite differences.
 *
 * Steps: zero every `grad`; run `f()` and `.backward()` to read the autograd
 * gradients; then for each parameter set `data` to `data + h` and `data - h`,
 * re-run `f()`, and restore `data` exactly (also when `f` throws). A NaN or
 * infinity in the loss, an autograd gradient or a numerical gradient fails the
 * check with a reason naming the parameter; it never passes on NaN.
 * After the call each `grad` holds the autograd gradient.
 *
 * @example
 * const a = new Value(2), b = new Value(-3);
 * const report = gradcheck(() => a.mul(b).tanh().sub(1).pow(2), [a, b]);
 * report.passed;                        // true
 * console.log(formatGradcheck(report)); // the chapter's table, then PASSED or FAILED
 */
export function gradcheck(
  f: () => ScalarLoss,
  params: readonly ScalarParam[],
  options: GradcheckOptions = {},
): GradcheckReport {
  const { h = 1e-6, rtol = 1e-4, atol } = options;
  checkStep('gradcheck', h);
  if (!(rtol >= 0)) throw new RangeArgError('gradcheck', `rtol must be >= 0, got ${rtol}`);
  if (atol !== undefined && !(atol >= 0)) {
    throw new RangeArgError('gradcheck', `atol must be >= 0, got ${atol}`);
  }
  if (params.length === 0) {
    throw new RangeArgError('gradcheck', 'params is empty: there is nothing to check');
  }

  for (const p of params) p.grad = 0;
  const out = f();
  const loss = out.data;
  out.backward();
  const autograd = params.map((p) => p.grad);

  const problems: string[] = [];
  if (!Number.isFinite(loss)) problems.push(`the loss is ${loss} at the given parameters`);

  const rows: GradcheckRow[] = [];
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    const x = p.data;
    let plus: number;
    let minus: number;
    try {
      p.data = x + h;
      plus = f().data;
      p.data = x - h;
      minus = f().data;
    } finally {
      p.data = x;
    }
    const numerical = (plus - minus) / (2 * h);
    const a = autograd[i]!;
    if (!Number.isFinite(a)) problems.push(`parameter ${i}: autograd gradient is ${a}`);
    if (!Number.isFinite(numerical)) {
      const cause = !Number.isFinite(plus)
        ? `the loss is ${plus} at data + h`
        : !Number.isFinite(minus)
          ? `the loss is ${minus} at data - h`
          : 'the difference overflows';
      problems.push(`parameter ${i}: numerical gradient is ${numerical} (${cause})`);
    }
    const relError =
      Number.isFinite(a) && Number.isFinite(numerical) ? relativeError(a, numerical) : NaN;
    rows.push({ index: i, autograd: a, numerical, relError });
  }

  const maxRelError = rows.reduce(
    (m, r) => (Number.isNaN(m) || Number.isNaN(r.relError) ? NaN : Math.max(m, r.relError)),
    0,
  );

  const ok = (row: GradcheckRow): boolean =>
    row.relError < rtol ||
    (atol !== undefined && Math.abs(row.autograd - row.numerical) <= atol + rtol * Math.abs(row.numerical));
  const failing = rows.filter((row) => !ok(row));

  const report: GradcheckReport = { passed: false, maxRelError, rows, rtol, h };
  if (atol !== undefined) report.atol = atol;
  if (problems.length > 0) {
    report.reason = `not finite: ${problems.join('; ')}`;
  } else if (failing.length > 0) {
    const w = failing.reduce((m, r) => (r.relError > m.relError ? r : m));
    const tol = atol === undefined ? `rtol ${fmtExp(rtol)}` : `rtol ${fmtExp(rtol)}, atol ${fmtExp(atol)}`;
    report.reason =
      `${failing.length} of ${rows.length} parameters differ (${tol}); worst is parameter ${w.index}: ` +
      `autograd ${w.autograd} vs numerical ${w.numerical}, relative error ${fmtExp(w.relError)}`;
  } else {
    report.passed = true;
  }
  return report;
}

/** Python's `{x:.2e}`: two decimals, at least two exponent digits (`1.23e-05`). */
function fmtExp(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const [mant, exp] = x.toExponential(2).split('e') as [string, string];
  const sign = exp.startsWith('-') ? '-' : '+';
  const digits = exp.replace(/^[+-]/, '').padStart(2, '0');
  return `${mant}e${sign}${digits}`;
}

/** Python's `{x:14.8f}` (right-aligned fixed point). */
function fmtFixed(x: number, width: number, decimals: number): string {
  const s = Number.isFinite(x) ? x.toFixed(decimals) : Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  return s.padStart(width);
}

/**
 * Renders a {@link GradcheckReport} as the chapter's table: Param, Autograd,
 * Numerical, Rel Error, then the maximum relative error and
 * `GRADIENT CHECK PASSED` or `GRADIENT CHECK FAILED` (with the reason).
 *
 * @example
 * console.log(formatGradcheck(gradcheck(() => loss(), params)));
 * // Gradient Verification: Autograd vs Numerical
 * // ============================================================
 * //  Param       Autograd      Numerical    Rel Error
 * // ------------------------------------------------------------
 * //      0     0.12345678     0.12345678     1.52e-10
 * // ...
 */
export function formatGradcheck(report: GradcheckReport): string {
  const rule = '='.repeat(60);
  const lines = [
    'Gradient Verification: Autograd vs Numerical',
    rule,
    `${'Param'.padStart(6)} ${'Autograd'.padStart(14)} ${'Numerical'.padStart(14)} ${'Rel Error'.padStart(12)}`,
    '-'.repeat(60),
  ];
  for (const r of report.rows) {
    lines.push(
      `${String(r.index).padStart(6)} ${fmtFixed(r.autograd, 14, 8)} ${fmtFixed(r.numerical, 14, 8)} ${fmtExp(r.relError).padStart(12)}`,
    );
  }
  lines.push(rule);
  lines.push(`Maximum relative error: ${fmtExp(report.maxRelError)}`);
  lines.push(report.passed ? 'GRADIENT CHECK PASSED' : 'GRADIENT CHECK FAILED');
  if (!report.passed && report.reason) lines.push(`Reason: ${report.reason}`);
  return lines.join('\n');
}
