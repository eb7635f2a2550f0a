/**
 * 28.5, continued: Verifying Gradients Against Finite Differences. The chapter's
 * 2 → 4 → 1 MLP at x = [0.5, −0.3] with loss (pred − 1)²: every parameter's
 * autograd gradient against a central difference (h = 1e-6), via `gradcheck`.
 */
import { formatGradcheck, gradcheck, type GradcheckReport } from '../../check/index.js';
import { MLP, type Value } from '../../scalar/index.js';
import type { TourContext } from './context.js';

/** What {@link verifyGradients} computed. */
export interface VerifyResult {
  report: GradcheckReport;
  /** The table as printed. */
  text: string;
}

/**
 * Runs the gradient check of section 28.5.
 *
 * @example
 * verifyGradients(ctx).report.passed; // true
 */
export function verifyGradients(ctx: TourContext): VerifyResult {
  const { out } = ctx;
  out.subheading('Verifying Gradients Against Finite Differences');
  out.line('MLP 2 -> 4 -> 1 (seed 123), x = [0.5, -0.3], target 1, loss (pred - 1)², h = 1e-6:');
  out.line();
  const model = new MLP(2, [4, 1], { seed: 123 });
  const loss = (): Value => (model.forward([0.5, -0.3]) as Value).sub(1).pow(2);
  const report = gradcheck(loss, model.parameters(), { h: 1e-6, rtol: 1e-4 });
  const text = formatGradcheck(report);
  out.lines(text.split('\n'));
  return { report, text };
}
