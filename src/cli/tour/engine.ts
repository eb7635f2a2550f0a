/**
 * 28.4 Building a Micrograd Engine: the chapter's Tests 1–4 run on `Value`,
 * each quantity printed with the value expected and the value the engine got.
 */
import { finiteDifference } from '../../check/index.js';
import { Value } from '../../scalar/index.js';
import { fixed, mark, sci } from '../writer.js';
import type { TourContext } from './context.js';

/** One checked quantity of a test. */
export interface EngineCheck {
  test: number;
  quantity: string;
  expected: number;
  got: number;
  /** Where `expected` comes from. */
  source: string;
  /** |expected − got|. */
  error: number;
  passed: boolean;
}

/** What {@link engineTests} computed. */
export interface EngineResult {
  checks: EngineCheck[];
  passed: boolean;
}

/**
 * Runs section 28.4.
 *
 * @example
 * const r = engineTests(ctx);
 * r.checks[1]; // { quantity: 'dz/dx', expected: 7, got: 7, ... }
 */
export function engineTests(ctx: TourContext): EngineResult {
  const { out } = ctx;
  out.heading('28.4 Building a Micrograd Engine');
  out.line('Value records how it was made; backward() sorts the graph and applies the chain');
  out.line('rule from the output down, adding into .grad (an explicit stack, no recursion).');
  const checks: EngineCheck[] = [];
  const check = (test: number, quantity: string, expected: number, got: number, source: string, tol = 1e-12): void => {
    const error = Math.abs(expected - got);
    checks.push({ test, quantity, expected, got, source, error, passed: error <= tol * Math.max(1, Math.abs(expected)) });
  };

  // Test 1: z = x·y + relu(x²)
  {
    const x = new Value(2);
    const y = new Value(3);
    const z = x.mul(y).add(x.mul(x).relu());
    z.backward();
    check(1, 'z', 10, z.data, 'x·y + x² = 6 + 4');
    check(1, 'dz/dx', 7, x.grad, 'y + 2x = 3 + 4');
    check(1, 'dz/dy', 2, y.grad, 'x');
  }
  // Test 2: exp(x) / (1 + exp(x)) = sigmoid
  {
    const x = new Value(1.5);
    const f = x.exp().div(x.exp().add(1));
    f.backward();
    const s = Math.exp(1.5) / (1 + Math.exp(1.5));
    check(2, 'f(1.5)', s, f.data, 'e^x / (1 + e^x)');
    check(2, "f'(1.5)", s * (1 - s), x.grad, 'f(x)·(1 − f(x))');
  }
  // Test 3: tanh
  {
    const x = new Value(0.7);
    const f = x.tanh();
    f.backward();
    check(3, 'tanh(0.7)', Math.tanh(0.7), f.data, 'Math.tanh');
    check(3, "f'(0.7)", 1 - Math.tanh(0.7) ** 2, x.grad, '1 − tanh²(x)');
  }
  // Test 4: x³·log(x) + exp(−x), against a central difference and the closed form
  {
    const x = new Value(2);
    const f = x.pow(3).mul(x.log()).add(x.mul(-1).exp());
    f.backward();
    const f4 = (t: number) => t ** 3 * Math.log(t) + Math.exp(-t);
    const numerical = finiteDifference(f4, 2, { h: 1e-7 });
    check(4, "f'(2) vs numerical", numerical, x.grad, 'central difference, h = 1e-7', 1e-6);
    check(4, "f'(2) vs closed form", 3 * 4 * Math.log(2) + 4 - Math.exp(-2), x.grad, '3x²·log x + x² − e^(−x)');
  }

  const titles = ['', 'f(x, y) = x·y + relu(x²) at (2, 3)', 'f(x) = exp(x) / (1 + exp(x)) at 1.5', 'f(x) = tanh(x) at 0.7',
    'f(x) = x³·log(x) + exp(−x) at 2'];
  for (let t = 1; t <= 4; t++) {
    out.subheading(`Test ${t}: ${titles[t]}`);
    out.table(
      ['Quantity', 'Expected', 'Got', '|diff|', '', 'Expected from'],
      checks.filter((c) => c.test === t).map((c) => [c.quantity, fixed(c.expected, 10), fixed(c.got, 10), sci(c.error), mark(c.passed), c.source]),
      ['l', 'r', 'r', 'r', 'l', 'l'],
    );
  }
  const passed = checks.every((c) => c.passed);
  out.line();
  out.line(passed ? 'All four tests pass: exact derivatives, matching the formulas and finite differences.'
    : 'SOME TESTS FAILED (✗ above).');
  return { checks, passed };
}
