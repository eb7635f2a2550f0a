/**
 * `gradcheck` / `gradgradcheck` for tensor functions: they pass on correct
 * derivatives and report wrong ones with op, input and output index,
 * shapes and both numbers.
 */
import { describe, expect, it } from 'vitest';
import { GradcheckError, gradcheck, gradgradcheck } from '../../src/check/tensor.js';
import { DTypeError, manualSeed, randn, tensor, type Tensor } from '../../src/index.js';
import { ruleOf } from '../../src/ops/index.js';

const f64 = (shape: number[]): Tensor => randn(shape, { dtype: 'float64' });

describe('gradcheck', () => {
  it('passes on correct derivatives, counting its comparisons', () => {
    manualSeed(2);
    const r = gradcheck((a, b) => a.matmul(b).tanh(), [f64([2, 3]), f64([3, 2])], { name: 'mlp' });
    expect(r.passed).toBe(true);
    expect(r.comparisons).toBeGreaterThan(2 * 12);
  });

  it('reports a wrong VJP with op, indices, shapes and both numbers', () => {
    // A hook doubles the gradient of y: the VJP is wrong, the forward (and JVP) right.
    const f = (x: Tensor): Tensor => {
      const y = x.mul(3);
      if (y.requiresGrad) y.registerHook((g) => g.mul(2));
      return y;
    };
    const x = tensor([1, 2], { dtype: 'float64' });
    expect(() => gradcheck(f, [x], { name: 'tripled' })).toThrow(GradcheckError);
    const r = gradcheck(f, [x], { name: 'tripled', raise: false });
    expect(r.passed).toBe(false);
    expect(r.failure).toMatch(/^tripled: VJP, input 0 \[2\] → output 0 \[2\], d out\[0\] \/ d in\[0\]: analytical 6 vs numerical (2\.9999\d*|3\.0000\d*) \(atol 0\.00001, rtol 0\.001\)$/);
  });

  it('reports a wrong JVP rule', () => {
    const rule = ruleOf('sin');
    const saved = rule.jvp;
    rule.jvp = (dx) => dx[0] ?? null; // wrong: d sin = dx
    try {
      const r = gradcheck((x) => x.sin(), [tensor([0.5], { dtype: 'float64' })], { name: 'sin', raise: false });
      expect(r.passed).toBe(false);
      expect(r.failure).toMatch(/^sin: JVP, input 0 \[1\] → output 0 \[1\], d out\[0\] \/ d in\[0\]: analytical 1 vs numerical 0\.877582/);
    } finally {
      rule.jvp = saved;
    }
  });

  it('checks the dot-product identity along random directions for large inputs', () => {
    manualSeed(4);
    const r = gradcheck((x) => x.exp().sum(1).log(), [f64([30, 20])], { maxElements: 16 });
    expect(r.passed).toBe(true);
  });

  it('needs float64 inputs', () => {
    expect(() => gradcheck((x) => x, [tensor([1])])).toThrow(DTypeError);
    expect(() => gradcheck((x) => x, [tensor([1])])).toThrow('gradcheck: input 0 must be float64 for a numerical check, got float32');
  });

  it('passes index inputs through', () => {
    const idx = tensor([2, 0], { dtype: 'int32' });
    expect(gradcheck((x, i) => x.indexSelect(0, i), [f64([3]), idx]).passed).toBe(true);
  });
});

describe('gradgradcheck', () => {
  it('passes on correct second derivatives', () => {
    manualSeed(6);
    expect(gradgradcheck((x, y) => x.mul(y).sin().div(y.exp()), [f64([3]), f64([3])]).passed).toBe(true);
  });

  it('reports a wrong second derivative', () => {
    const rule = ruleOf('cos');
    const saved = rule.vjp;
    rule.vjp = (g) => [g]; // d cos as 1: only second derivatives of sin see it
    try {
      const r = gradgradcheck((x) => x.sin(), [tensor([0.5, 1], { dtype: 'float64' })], { name: 'sin', raise: false, jvp: false });
      expect(r.passed).toBe(false);
      expect(r.failure).toMatch(/^sin \(second order\): VJP, input 0 \[2\] → output 0 \[2\]/);
    } finally {
      rule.vjp = saved;
    }
  });
});
