// linalg behaviour the goldens do not hold: PyTorch's inf/NaN at repeated eigenvalues, gauge-invariant losses of
// the SVD and eigh (U diag(S) Vh is A itself: its gradient is the cotangent), and the DeviceError-free CPU paths.
import { describe, expect, it } from 'vitest';
import { LinAlgError, eye, grad, linalg, matmul, randn, tensor, type Tensor } from '../../src/index.js';

const close = (a: Tensor, b: Tensor, tol: number): void => {
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  expect(x.length).toBe(y.length);
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i]! - y[i]!)).toBeLessThan(tol);
};

describe('linalg edges', () => {
  it('eigh at a repeated eigenvalue: NaN gradients through the eigenvectors, as PyTorch (torch 1.13 gives all NaN for eigh(I))', () => {
    const g = grad((a: Tensor) => {
      const { eigenvalues, eigenvectors } = linalg.eigh(a);
      return eigenvectors.sum().add(eigenvalues.sum());
    })(eye(2, { dtype: 'float64' }));
    expect(Array.from(g.toTypedArray()).every((v) => Number.isNaN(v))).toBe(true);
  });

  it('eigh at a repeated eigenvalue: the eigenvalues alone keep a finite gradient (diag(λ̄) only)', () => {
    const g = grad((a: Tensor) => linalg.eigh(a).eigenvalues.sum())(eye(3, { dtype: 'float64' }));
    close(g, eye(3, { dtype: 'float64' }), 1e-12);
  });

  it('svd: the gradient of the gauge-invariant sum(U diag(S) Vh ∘ C) is C, for tall and wide inputs', () => {
    for (const shape of [[5, 3], [3, 5], [2, 4, 4]]) {
      const c = randn(shape, { dtype: 'float64' });
      const g = grad((a: Tensor) => {
        const { U, S, Vh } = linalg.svd(a, { fullMatrices: false });
        return matmul(U.mul(S.unsqueeze(-2)), Vh).mul(c).sum();
      })(randn(shape, { dtype: 'float64' }));
      close(g, c, 1e-10);
    }
  });

  it('eigh: the gradient of sum(V diag(λ) Vᵀ ∘ C) at a symmetric A is the symmetric part of C', () => {
    const x = randn([4, 4], { dtype: 'float64' });
    const a = x.add(x.transpose(0, 1));
    const c = randn([4, 4], { dtype: 'float64' });
    const g = grad((m: Tensor) => {
      const { eigenvalues, eigenvectors: v } = linalg.eigh(m);
      return matmul(v.mul(eigenvalues.unsqueeze(-2)), v.transpose(0, 1)).mul(c).sum();
    })(a);
    close(g, c.add(c.transpose(0, 1)).mul(0.5), 1e-10);
  });

  it('slogdet of a singular matrix: sign 0, logabsdet −inf; det 0 with the adjugate as its gradient', () => {
    const a = tensor([[1, 2], [2, 4]], { dtype: 'float64' });
    const r = linalg.slogdet(a);
    expect(r.sign.item()).toBe(0);
    expect(r.logabsdet.item()).toBe(-Infinity);
    close(grad((m: Tensor) => linalg.det(m))(a), tensor([[4, -2], [-2, 1]], { dtype: 'float64' }), 1e-12);
  });

  it('cholesky names the failing batch element of a [2, 2] batch by its flat index', () => {
    const ok = tensor([[2, 0], [0, 2]]);
    const bad = tensor([[1, 0], [0, -1]]);
    const batch = tensor([ok.toArray(), ok.toArray(), ok.toArray(), bad.toArray()] as number[][][]).reshape([2, 2, 2, 2]);
    expect(() => linalg.cholesky(batch)).toThrow(LinAlgError);
    expect(() => linalg.cholesky(batch)).toThrow('linalg.cholesky: the matrix is not positive definite (batch element 3: the leading minor of order 2 is not positive)');
  });
});

describe('linalg edges: singular values alone', () => {
  it('matrixNorm nuc of the identity (all singular values equal) has the finite gradient I, as PyTorch', () => {
    const g = grad((a: Tensor) => linalg.matrixNorm(a, { ord: 'nuc' }))(eye(3, { dtype: 'float64' }));
    close(g, eye(3, { dtype: 'float64' }), 1e-12);
  });
});

describe('linalg edges: rank-deficient', () => {
  it('matrixNorm nuc of a rank-1 tall matrix has the finite gradient U Vh (PyTorch: U diag(S̄) Vh, no 0/0 from the zero singular value)', () => {
    const a = tensor([[1, 2], [2, 4], [3, 6]], { dtype: 'float64' });
    const g = grad((m: Tensor) => linalg.matrixNorm(m, { ord: 'nuc' }))(a);
    expect(Array.from(g.toTypedArray()).every((v) => Number.isFinite(v))).toBe(true);
    const { U, Vh } = linalg.svd(a, { fullMatrices: false });
    close(g, matmul(U, Vh), 1e-12);
    // Its rank-1 part is u₁v₁ᵀ = A/σ₁ (gauge-free): g v₁ = u₁.
    const v1 = Vh.narrow(0, 0, 1).transpose(0, 1);
    close(matmul(g, v1), a.matmul(v1).div(linalg.matrixNorm(a)), 1e-12);
  });
});
