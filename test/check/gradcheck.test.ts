import { describe, expect, it } from 'vitest';
import { formatGradcheck, gradcheck, relativeError } from '../../src/check/index.js';
import { RangeArgError } from '../../src/errors.js';

/** A fake scalar parameter: just the two mutable fields gradcheck relies on. */
class Param {
  grad = 0;
  constructor(public data: number) {}
}

/** A fake loss: its value and a hand-written backward that accumulates into the params. */
function loss(data: number, backward: () => void) {
  return { data, backward };
}

describe('gradcheck', () => {
  it('passes on a correct gradient (f = a * b)', () => {
    const a = new Param(2);
    const b = new Param(-3);
    a.grad = 99; // stale gradients must be zeroed first
    b.grad = 99;
    const report = gradcheck(
      () =>
        loss(a.data * b.data, () => {
          a.grad += b.data;
          b.grad += a.data;
        }),
      [a, b],
    );
    expect(report.passed).toBe(true);
    expect(report.reason).toBeUndefined();
    expect(report.maxRelError).toBeLessThan(1e-8);
    expect(report.rows.map((r) => r.index)).toEqual([0, 1]);
    expect(report.rows[0]!.autograd).toBe(-3);
    expect(report.rows[0]!.numerical).toBeCloseTo(-3, 8);
    expect(report.rows[1]!.autograd).toBe(2);
    expect(report.rows[1]!.numerical).toBeCloseTo(2, 8);
    // data restored exactly, grads hold the autograd gradient
    expect(a.data).toBe(2);
    expect(b.data).toBe(-3);
    expect([a.grad, b.grad]).toEqual([-3, 2]);
  });

  it('passes on a chapter-like neuron, loss = (tanh(w1 x1 + w2 x2 + b) - y)^2', () => {
    const [w1, w2, bias] = [new Param(0.3), new Param(-0.8), new Param(0.1)];
    const x = [0.5, -0.3];
    const y = 1;
    const f = () => {
      const t = Math.tanh(w1.data * x[0]! + w2.data * x[1]! + bias.data);
      return loss((t - y) ** 2, () => {
        const g = 2 * (t - y) * (1 - t * t); // d loss / d pre-activation
        w1.grad += g * x[0]!;
        w2.grad += g * x[1]!;
        bias.grad += g;
      });
    };
    const report = gradcheck(f, [w1, w2, bias]);
    expect(report.passed).toBe(true);
    expect(report.maxRelError).toBeLessThan(1e-7);
    for (const r of report.rows) expect(r.relError).toBe(relativeError(r.autograd, r.numerical));
  });

  it('fails on a wrong gradient and names the parameter', () => {
    const a = new Param(2);
    const b = new Param(-3);
    const report = gradcheck(
      () =>
        loss(a.data * b.data, () => {
          a.grad += b.data;
          b.grad += 2 * a.data; // wrong: should be a
        }),
      [a, b],
    );
    expect(report.passed).toBe(false);
    expect(report.rows[0]!.relError).toBeLessThan(1e-8);
    expect(report.rows[1]!.relError).toBeCloseTo(1 / 3, 6);
    expect(report.maxRelError).toBeCloseTo(1 / 3, 6);
    expect(report.reason).toMatch(/1 of 2 parameters differ/);
    expect(report.reason).toMatch(/parameter 1: autograd 4 vs numerical 2\.0/);
  });

  it('fails on NaN from the log of a negative number, never passes', () => {
    const a = new Param(2);
    const b = new Param(-3);
    const report = gradcheck(
      () =>
        loss(Math.log(a.data * b.data), () => {
          a.grad += 1 / a.data;
          b.grad += 1 / b.data;
        }),
      [a, b],
    );
    expect(report.passed).toBe(false);
    expect(Number.isNaN(report.maxRelError)).toBe(true);
    expect(report.reason).toMatch(/the loss is NaN/);
    expect(report.reason).toMatch(/parameter 0: numerical gradient is NaN/);
    expect(report.reason).toMatch(/parameter 1: numerical gradient is NaN/);
    for (const r of report.rows) expect(Number.isNaN(r.relError)).toBe(true);
  });

  it('fails when only one autograd gradient is NaN, naming that parameter', () => {
    const a = new Param(1);
    const b = new Param(2);
    const report = gradcheck(
      () =>
        loss(a.data + b.data, () => {
          a.grad += 1;
          b.grad += NaN;
        }),
      [a, b],
    );
    expect(report.passed).toBe(false);
    expect(report.reason).toMatch(/parameter 1: autograd gradient is NaN/);
    expect(report.reason).not.toMatch(/parameter 0/);
    expect(report.rows[0]!.relError).toBeLessThan(1e-8);
  });

  it('fails when a nudged loss is infinite', () => {
    const a = new Param(1);
    const report = gradcheck(
      () =>
        loss(a.data > 1 ? Infinity : a.data, () => {
          a.grad += 1;
        }),
      [a],
    );
    expect(report.passed).toBe(false);
    expect(report.reason).toMatch(/parameter 0: numerical gradient is Infinity \(the loss is Infinity at data \+ h\)/);
  });

  it('uses atol for gradients that are ~0', () => {
    const a = new Param(0);
    const f = () => loss(1 + a.data * a.data, () => (a.grad += 1e-10)); // true gradient 0, tiny error
    expect(gradcheck(f, [a]).passed).toBe(false); // relative error 1
    const report = gradcheck(f, [a], { atol: 1e-8 });
    expect(report.passed).toBe(true);
    expect(report.atol).toBe(1e-8);
  });

  it('respects h and rtol', () => {
    const a = new Param(1);
    // f = a^3, f' = 3; central difference error h^2 = 1e-4 -> relative error ~1.7e-5
    const f = () => loss(a.data ** 3, () => (a.grad += 3 * a.data ** 2));
    const report = gradcheck(f, [a], { h: 1e-2, rtol: 1e-6 });
    expect(report.passed).toBe(false);
    expect(report.rows[0]!.numerical).toBeCloseTo(3.0001, 10);
    expect(gradcheck(f, [a], { h: 1e-2 }).passed).toBe(true);
    expect(report.h).toBe(1e-2);
  });

  it('restores data when f throws, and rejects bad arguments', () => {
    const a = new Param(5);
    let calls = 0;
    const f = () => {
      calls++;
      if (calls === 3) throw new Error('boom');
      return loss(a.data, () => (a.grad += 1));
    };
    expect(() => gradcheck(f, [a])).toThrow('boom');
    expect(a.data).toBe(5);
    expect(() => gradcheck(f, [])).toThrow(RangeArgError);
    expect(() => gradcheck(f, [a], { h: 0 })).toThrow(/step h must be/);
    expect(() => gradcheck(f, [a], { rtol: -1 })).toThrow(/rtol/);
  });
});

describe('formatGradcheck', () => {
  it("renders the chapter's table", () => {
    const text = formatGradcheck({
      passed: true,
      maxRelError: 1.2345e-5,
      rtol: 1e-4,
      h: 1e-6,
      rows: [
        { index: 0, autograd: 0.123456789, numerical: 0.123456, relError: 3.2e-6 },
        { index: 12, autograd: -1.5, numerical: -1.50003, relError: 1.2345e-5 },
      ],
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('Gradient Verification: Autograd vs Numerical');
    expect(lines[1]).toBe('='.repeat(60));
    expect(lines[2]).toBe(' Param       Autograd      Numerical    Rel Error');
    expect(lines[3]).toBe('-'.repeat(60));
    expect(lines[4]).toBe('     0     0.12345679     0.12345600     3.20e-06');
    expect(lines[5]).toBe('    12    -1.50000000    -1.50003000     1.23e-05');
    expect(lines[6]).toBe('='.repeat(60));
    expect(lines[7]).toBe('Maximum relative error: 1.23e-05');
    expect(lines[8]).toBe('GRADIENT CHECK PASSED');
    expect(lines).toHaveLength(9);
  });

  it('prints FAILED with the reason, and nan for NaN', () => {
    const a = new Param(-1);
    const report = gradcheck(() => loss(Math.log(a.data), () => (a.grad += 1 / a.data)), [a]);
    const text = formatGradcheck(report);
    expect(text).toMatch(/^     0    -1\.00000000            nan          nan$/m);
    expect(text).toContain('Maximum relative error: nan');
    expect(text).toContain('GRADIENT CHECK FAILED');
    expect(text).toMatch(/Reason: not finite: .*parameter 0/);
  });
});
