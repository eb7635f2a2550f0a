/**
 * Exact Gaussian-process regression: the negative log marginal likelihood
 * of a zero-mean GP with an RBF kernel and Gaussian noise, in float64, with
 * learnable log lengthscale, log signal variance and log noise variance:
 *
 *   K = σ² exp(−‖xᵢ − xⱼ‖² / 2ℓ²) + σₙ² I,   L = cholesky(K),   α = L⁻¹ y,
 *   −log p(y | X) = ½ αᵀα + ½ log det K + ½ n log 2π,   log det K = 2 Σ log Lᵢᵢ.
 *
 * Ported from `ExactGP` in tools/goldens/zoo.py; the keys are PyTorch's
 * (`log_lengthscale`...). The log-determinant comes from the Cholesky
 * diagonal, or with `useSlogdet = true` from `linalg.slogdet(K)` (equal).
 *
 *   const gp = build();
 *   gp.forward(x, y).backward(); // x [n, d], y [n], float64
 */
import { type Tensor, diagonal, exp, eye, linalg, log, stack, tensor } from 'adjoint';
import * as nn from 'adjoint/nn';

/** `forward(x, y)` is the negative log marginal likelihood of `y: [n]` at inputs `x: [n, d]`. */
export class ExactGP extends nn.Module<[Tensor, Tensor], Tensor> {
  log_lengthscale = new nn.Parameter(tensor(0, { dtype: 'float64' }));
  log_variance = new nn.Parameter(tensor(0, { dtype: 'float64' }));
  log_noise = new nn.Parameter(tensor(-2, { dtype: 'float64' }));
  /** Take log det K from `linalg.slogdet` instead of the Cholesky factor's diagonal. */
  useSlogdet = false;

  /** The RBF kernel matrix `[n, m]` between `a: [n, d]` and `b: [m, d]`. @example gp.kernel(x, x); */
  kernel(a: Tensor, b: Tensor): Tensor {
    const sqdist = a.unsqueeze(1).sub(b.unsqueeze(0)).pow(2).sum(-1);
    return exp(this.log_variance).mul(exp(sqdist.mul(-0.5).div(exp(this.log_lengthscale).pow(2))));
  }

  /** The three terms `[½ yᵀK⁻¹y, ½ log det K, ½ n log 2π]` of the negative log likelihood. @example gp.terms(x, y).sum(); */
  terms(x: Tensor, y: Tensor): Tensor {
    const n = x.shape[0]!;
    const K = this.kernel(x, x).add(exp(this.log_noise).mul(eye(n, { dtype: x.dtype, backend: x.backend })));
    const L = linalg.cholesky(K);
    const alpha = linalg.solveTriangular(L, y.unsqueeze(-1), { upper: false });
    const fit = alpha.pow(2).sum().mul(0.5);
    const logdet = this.useSlogdet ? linalg.slogdet(K).logabsdet : log(diagonal(L)).sum().mul(2);
    const constant = tensor(0.5 * n * Math.log(2 * Math.PI), { dtype: x.dtype, backend: x.backend });
    return stack([fit, logdet.mul(0.5), constant], 0);
  }

  forward(x: Tensor, y: Tensor): Tensor {
    return this.terms(x, y).sum();
  }
}

/**
 * A GP with PyTorch's starting values: ℓ = 1, σ² = 1, σₙ² = e⁻².
 *
 * @example
 * const gp = build();
 * const nll = gp.forward(x, y); // minimise it with Adam
 */
export function build(): ExactGP {
  return new ExactGP();
}
