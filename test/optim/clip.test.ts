/**
 * clipGradNorm_ and clipGradValue_ against PyTorch 1.13 (test/fixtures/optim/clip.json).
 */
import { describe, expect, it } from 'vitest';
import { AdjointError, RangeArgError, Tensor, noGrad, tensor, zeros } from '../../src/index.js';
import { clipGradNorm_, clipGradValue_ } from '../../src/optim/index.js';
import { expectNumber, expectTensor, load, num, toTensor, type ClipCase } from './helpers.js';

const file = load<ClipCase>('clip');

function paramsWith(c: ClipCase): Tensor[] {
  const shapes = [[2, 3], [4], [3]];
  return shapes.map((s, i) => {
    const p = zeros(s, { dtype: 'float64', requiresGrad: true });
    const g = c.grads[i];
    p.grad = g === null || g === undefined ? null : toTensor(g, 'float64');
    return p;
  });
}

describe('gradient clipping matches PyTorch 1.13', () => {
  for (const c of file.cases) {
    it(c.id, () => {
      const params = paramsWith(c);
      const grads = params.map((p) => p.grad);
      if (c.fn === 'clipGradValue_') {
        clipGradValue_(params, num(c.arg));
      } else {
        const opts = {
          ...(c.options.normType === undefined ? {} : { normType: num(c.options.normType) }),
          ...(c.options.errorIfNonfinite === undefined ? {} : { errorIfNonfinite: c.options.errorIfNonfinite }),
        };
        if (c.error !== undefined) {
          expect(() => clipGradNorm_(params, num(c.arg), opts)).toThrow(AdjointError);
          expect(() => clipGradNorm_(params, num(c.arg), opts)).toThrow(/clipGradNorm_: the total norm of order 2 of the gradients is Infinity/);
        } else {
          const total = clipGradNorm_(params, num(c.arg), opts);
          expect(total.shape).toEqual([]);
          expectNumber(total.item(), c.totalNorm!, `${c.id} total norm`);
        }
      }
      params.forEach((p, i) => {
        expectTensor(p.grad, c.out[i]!, `${c.id} grad ${i}`);
        expect(p.grad, 'modified in place').toBe(grads[i]);
      });
    });
  }
});

describe('gradient clipping', () => {
  it('takes a single tensor and returns a 0-d tensor of the gradients dtype', () => {
    const w = tensor([3, 4], { requiresGrad: true });
    w.grad = tensor([3, 4]);
    const total = clipGradNorm_(w, 1);
    expect(total.dtype).toBe('float32');
    expect(total.item()).toBeCloseTo(5, 6);
    expect(w.grad.toArray()).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(clipGradNorm_([tensor([1], { requiresGrad: true })], 1).item()).toBe(0);
  });

  it('leaves gradient graphs alone (runs under noGrad)', () => {
    const w = tensor([3, 4], { requiresGrad: true });
    w.grad = noGrad(() => tensor([30, 40]));
    clipGradValue_([w], 1);
    expect(w.grad.toArray()).toEqual([1, 1]);
    expect(w.grad.gradFn).toBeNull();
  });

  it('validates its arguments', () => {
    const w = tensor([1], { requiresGrad: true });
    expect(() => clipGradNorm_([w], 1, { normType: 0 })).toThrow(new RangeArgError('clipGradNorm_', 'normType must be > 0 or Infinity, got 0'));
    expect(() => clipGradNorm_([w], Number.NaN)).toThrow('clipGradNorm_: maxNorm must be a number, got NaN');
    expect(() => clipGradValue_([w], Number.NaN)).toThrow('clipGradValue_: clipValue must be a number, got NaN');
    expect(() => clipGradValue_([1 as unknown as Tensor], 1)).toThrow('clipGradValue_: params[0] is not a tensor');
  });
});
