import { describe, expect, it } from 'vitest';
import { errorVsStep, finiteDifference, logspace, numericalGradient } from '../../src/check/index.js';
import { RangeArgError } from '../../src/errors.js';

// The chapter's running example.
const f = (x: number) => x * x * Math.sin(x);
const df = (x: number) => 2 * x * Math.sin(x) + x * x * Math.cos(x);

describe('finiteDifference', () => {
  it('matches closed forms with central differences', () => {
    expect(finiteDifference(Math.sin, 1)).toBeCloseTo(Math.cos(1), 9);
    expect(finiteDifference(Math.exp, 0.5)).toBeCloseTo(Math.exp(0.5), 9);
    expect(finiteDifference(f, 2)).toBeCloseTo(df(2), 8);
    expect(finiteDifference(f, 2, { h: 1e-7 })).toBeCloseTo(1.97260, 5);
  });

  it('central differences have error of order h^2', () => {
    // Truncation error h^2 f'''(x) / 6: ten times smaller h, a hundred times smaller error.
    const err = (h: number) => Math.abs(finiteDifference(Math.exp, 0, { h }) - 1);
    expect(err(1e-2)).toBeCloseTo(1e-4 / 6, 7);
    const ratio = err(1e-2) / err(1e-3);
    expect(ratio).toBeGreaterThan(95);
    expect(ratio).toBeLessThan(105);
  });

  it('forward and backward differences have error of order h, with opposite signs', () => {
    const h = 1e-3;
    const fwd = finiteDifference(Math.exp, 0, { h, method: 'forward' }) - 1;
    const bwd = finiteDifference(Math.exp, 0, { h, method: 'backward' }) - 1;
    // f(h) = 1 + h + h^2/2 + ...: forward overshoots by ~h/2, backward undershoots by ~h/2.
    expect(fwd).toBeCloseTo(h / 2, 6);
    expect(bwd).toBeCloseTo(-h / 2, 6);
    const ratio = (finiteDifference(Math.exp, 0, { h: 1e-2, method: 'forward' }) - 1) / fwd;
    expect(ratio).toBeGreaterThan(9.5);
    expect(ratio).toBeLessThan(10.5);
  });

  it('rejects bad steps and methods', () => {
    expect(() => finiteDifference(Math.sin, 0, { h: 0 })).toThrow(RangeArgError);
    expect(() => finiteDifference(Math.sin, 0, { h: -1e-6 })).toThrow(/step h must be/);
    expect(() => finiteDifference(Math.sin, 0, { h: NaN })).toThrow(RangeArgError);
    expect(() => finiteDifference(Math.sin, 0, { method: 'sideways' as never })).toThrow(/method must be/);
  });
});

describe('numericalGradient', () => {
  it('matches the analytic gradient with 2n evaluations and leaves xs alone', () => {
    let calls = 0;
    const g = ([x, y, z]: number[]) => {
      calls++;
      return x! * x! * y! + Math.sin(z!);
    };
    const xs = [3, 2, 0.5];
    const grad = numericalGradient(g, xs);
    expect(calls).toBe(6);
    expect(xs).toEqual([3, 2, 0.5]);
    expect(grad[0]).toBeCloseTo(12, 7);
    expect(grad[1]).toBeCloseTo(9, 7);
    expect(grad[2]).toBeCloseTo(Math.cos(0.5), 8);
  });

  it('does not see mutations made by f', () => {
    const grad = numericalGradient((v) => {
      const s = v[0]! * 2;
      v[0] = 1e9; // a badly behaved f
      return s;
    }, [1, 1]);
    expect(grad[0]).toBeCloseTo(2, 8);
    expect(grad[1]).toBeCloseTo(0, 12);
  });
});

describe('logspace and errorVsStep', () => {
  it('logspace spans the decades inclusively', () => {
    const hs = logspace(-15, 0, 100);
    expect(hs).toHaveLength(100);
    expect(hs[0]).toBeCloseTo(1e-15, 25);
    expect(hs[99]).toBe(1);
    expect(logspace(-2, 0, 3)).toEqual([0.01, 0.1, 1]);
    expect(() => logspace(0, 1, 0)).toThrow(RangeArgError);
  });

  it('shows the V shape of the chapter figure: roundoff on the left, truncation on the right', () => {
    const rows = errorVsStep(f, df, 2);
    expect(rows).toHaveLength(100);
    for (const r of rows) expect(r.error).toBe(Math.abs(r.numerical - df(2)));
    const at = (h: number) => errorVsStep(f, df, 2, [h])[0]!.error;
    const mid = at(1e-7);
    expect(mid).toBeLessThan(1e-7);
    expect(at(1e-15)).toBeGreaterThan(1e3 * mid);
    expect(at(1e-1)).toBeGreaterThan(1e3 * mid);
    // The minimum of the default sweep lies in the middle, not at an end.
    const best = rows.reduce((m, r) => (r.error < m.error ? r : m));
    expect(best.h).toBeGreaterThan(1e-10);
    expect(best.h).toBeLessThan(1e-3);
  });

  it('accepts the exact derivative as a number', () => {
    const rows = errorVsStep(Math.sin, Math.cos(1), 1, [1e-3]);
    expect(rows[0]!.error).toBeCloseTo((1e-6 / 6) * Math.cos(1), 9);
  });
});
