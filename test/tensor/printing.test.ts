/**
 * `toString()` prints like PyTorch 1.13's repr (expected strings written from
 * PyTorch's formatting rules: 4 decimals, `1.` for integral floats, scientific
 * notation for wide ranges, aligned columns, summaries past 1000 elements).
 */
import { describe, expect, it } from 'vitest';
import { arange, ones, tensor, zeros } from '../../src/index.js';

describe('printing', () => {
  it('integral floats print with a trailing dot, rows aligned', () => {
    expect(String(tensor([[1, 2], [3, 4]]))).toBe('tensor([[1., 2.],\n        [3., 4.]])');
    expect(String(tensor([[1, -2], [30, 4]]))).toBe('tensor([[ 1., -2.],\n        [30.,  4.]])');
  });

  it('non-integral floats print with 4 decimals', () => {
    expect(String(tensor([1.5, 2]))).toBe('tensor([1.5000, 2.0000])');
    expect(String(tensor([-1.5, 2]))).toBe('tensor([-1.5000,  2.0000])');
    expect(String(tensor(3.5))).toBe('tensor(3.5000)');
    expect(String(tensor(3))).toBe('tensor(3.)');
  });

  it('wide ranges switch to scientific notation', () => {
    expect(String(tensor([1e-5, 1, 1000]))).toBe('tensor([1.0000e-05, 1.0000e+00, 1.0000e+03])');
    expect(String(tensor([1, 1e9]))).toBe('tensor([1.0000e+00, 1.0000e+09])');
  });

  it('dtype suffixes for float64 and int32; bool prints True/False', () => {
    expect(String(tensor([1, 2], { dtype: 'float64' }))).toBe('tensor([1., 2.], dtype=torch.float64)');
    expect(String(tensor([1, 2], { dtype: 'int32' }))).toBe('tensor([1, 2], dtype=torch.int32)');
    expect(String(tensor([true, false]))).toBe('tensor([ True, False])');
  });

  it('requires_grad and grad_fn suffixes', () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    expect(String(x)).toBe('tensor([[1., 2.],\n        [3., 4.]], requires_grad=True)');
    expect(String(x.mul(x).sum())).toBe('tensor(30., grad_fn=<SumBackward>)');
  });

  it('nan, inf, empty tensors, 3-d blocks', () => {
    expect(String(tensor([NaN, Infinity, 1]))).toBe('tensor([nan, inf, 1.])');
    expect(String(zeros([0]))).toBe('tensor([])');
    expect(String(zeros([2, 0]))).toBe('tensor([], size=(2, 0))');
    expect(String(ones([2, 1, 2]))).toBe('tensor([[[1., 1.]],\n\n        [[1., 1.]]])');
  });

  it('summarizes more than 1000 elements and wraps at 80 columns', () => {
    expect(String(arange(2000))).toBe(
      'tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])',
    );
    expect(String(arange(20))).toBe(
      'tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n        14., 15., 16., 17., 18., 19.])',
    );
  });
});
