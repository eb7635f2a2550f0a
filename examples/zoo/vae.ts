/**
 * A variational autoencoder (Kingma & Welling; PyTorch's VAE example,
 * narrowed): an MLP encoder to the mean and log-variance of q(z|x), the
 * reparameterisation `z = mu + eps·exp(logvar/2)` with the noise `eps` passed
 * in (so a run is reproducible and equal to PyTorch's), an MLP decoder with
 * a sigmoid, and the loss: binary cross-entropy (summed) plus the KL term.
 * Ported from `VAE` in tools/goldens/zoo.py; the keys are PyTorch's
 * (`fc_mu.weight`...).
 *
 *   const model = build();
 *   const [recon, mu, logvar] = model.forward(x, randn([6, 4]));
 *   vaeLoss(recon, x, mu, logvar).backward();
 */
import { type Tensor, exp, sigmoid } from 'adjoint';
import * as nn from 'adjoint/nn';
import * as F from 'adjoint/nn/functional';

/** `x: [N, xDim]` in [0, 1] and `eps: [N, zDim]` to the reconstruction, `mu` and `logvar`. */
export class VAE extends nn.Module<[Tensor, Tensor], [Tensor, Tensor, Tensor]> {
  fc1: nn.Linear;
  fc_mu: nn.Linear;
  fc_logvar: nn.Linear;
  fc3: nn.Linear;
  fc4: nn.Linear;
  readonly xDim: number;

  constructor(xDim = 16, hDim = 12, zDim = 4) {
    super();
    this.fc1 = new nn.Linear(xDim, hDim);
    this.fc_mu = new nn.Linear(hDim, zDim);
    this.fc_logvar = new nn.Linear(hDim, zDim);
    this.fc3 = new nn.Linear(zDim, hDim);
    this.fc4 = new nn.Linear(hDim, xDim);
    this.xDim = xDim;
  }

  /** The mean and log-variance of q(z|x). @example const [mu, logvar] = model.encode(x); */
  encode(x: Tensor): [Tensor, Tensor] {
    const h = F.relu(this.fc1.forward(x));
    return [this.fc_mu.forward(h), this.fc_logvar.forward(h)];
  }

  /** `mu + eps·exp(logvar/2)`, differentiable in `mu` and `logvar`. @example model.reparameterize(mu, logvar, randnLike(mu)); */
  reparameterize(mu: Tensor, logvar: Tensor, eps: Tensor): Tensor {
    const std = exp(logvar.mul(0.5));
    return mu.add(eps.mul(std));
  }

  /** The reconstruction in (0, 1). @example model.decode(z); */
  decode(z: Tensor): Tensor {
    return sigmoid(this.fc4.forward(F.relu(this.fc3.forward(z))));
  }

  forward(x: Tensor, eps: Tensor): [Tensor, Tensor, Tensor] {
    const [mu, logvar] = this.encode(x.view([-1, this.xDim]));
    const z = this.reparameterize(mu, logvar, eps);
    return [this.decode(z), mu, logvar];
  }
}

/**
 * The negative ELBO: summed binary cross-entropy of the reconstruction plus
 * `KL(q(z|x) ‖ N(0, I)) = −½ Σ (1 + logvar − mu² − exp(logvar))`.
 *
 * @example
 * const [recon, mu, logvar] = model.forward(x, eps);
 * vaeLoss(recon, x, mu, logvar).backward();
 */
export function vaeLoss(reconX: Tensor, x: Tensor, mu: Tensor, logvar: Tensor): Tensor {
  const bce = F.binaryCrossEntropy(reconX, x.view([-1, reconX.shape[1]!]), { reduction: 'sum' });
  const kld = logvar.add(1).sub(mu.pow(2)).sub(logvar.exp()).sum().mul(-0.5);
  return bce.add(kld);
}

/**
 * The zoo's configuration: 16 inputs, 12 hidden units, a 4-dim latent (576 parameters).
 *
 * @example
 * const model = build();
 */
export function build(): VAE {
  return new VAE();
}
