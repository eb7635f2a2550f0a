import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../src/check/index.js';
import { Value } from '../../src/scalar/index.js';
import { tensor } from '../../src/index.js';

describe('gradcheck entry point', () => {
  it('checks scalar Values with the per-parameter table', () => {
    const a = new Value(0.5);
    const b = new Value(-1.5);
    const report = gradcheck(() => a.mul(b).tanh(), [a, b]);
    expect(report.passed).toBe(true);
    expect('rows' in report && report.rows.length).toBe(2);
  });

  it('checks tensor functions in float64', () => {
    const x = tensor([0.3, -0.7, 1.1], { dtype: 'float64' });
    const report = gradcheck((t) => t.sin().mul(t).sum(), [x]);
    expect(report.passed).toBe(true);
    expect('comparisons' in report && report.comparisons).toBeGreaterThan(0);
  });

  it('does not pass a tensor function whose gradient is NaN', () => {
    const x = tensor([-1, -2], { dtype: 'float64' });
    const report = gradcheck((t) => t.log().sum(), [x], { raise: false });
    expect(report.passed).toBe(false);
    expect('failure' in report && report.failure).toMatch(/NaN/);
  });
});
