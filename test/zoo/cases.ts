/**
 * The zoo's models as the tests run them: each `run` is the loss code of its
 * case in tools/goldens/zoo.py, renamed.
 */
import type { Tensor } from 'adjoint';
import type { AnyModule } from 'adjoint/nn';
import * as F from 'adjoint/nn/functional';
import * as gp from '../../examples/zoo/gp.js';
import * as gpt from '../../examples/zoo/gpt.js';
import * as lstm from '../../examples/zoo/lstm.js';
import * as resnet from '../../examples/zoo/resnet.js';
import * as unet from '../../examples/zoo/unet.js';
import * as vae from '../../examples/zoo/vae.js';
import type { Inputs, ZooCase } from './harness.js';

/** The GPT with its attention on the explicit triu/maskedFill path instead of scaledDotProductAttention. */
function gptManual(): gpt.GPT {
  const model = gpt.build();
  for (const block of model.h) block.attn.flash = false;
  return model;
}

/** The GP with log det K from linalg.slogdet instead of the Cholesky diagonal. */
function gpSlogdet(): gp.ExactGP {
  const model = gp.build();
  model.useSlogdet = true;
  return model;
}

const gpRun = (m: AnyModule, { x, y }: Inputs) => {
  const terms = (m as gp.ExactGP).terms(x!, y!);
  return { out: terms, loss: terms.sum() };
};

const gptRun = (m: AnyModule, { idx, targets }: Inputs) => {
  const logits = (m as gpt.GPT).forward(idx!);
  return { out: logits, loss: F.crossEntropy(logits.view([-1, logits.shape[2]!]), targets!.view([-1])) };
};

export const CASES: ZooCase[] = [
  {
    label: 'resnet',
    fixture: 'resnet',
    build: resnet.build,
    run: (m, { images, labels }) => {
      const logits = (m as resnet.ResNet).forward(images!);
      return { out: logits, loss: F.crossEntropy(logits, labels!) };
    },
  },
  {
    label: 'lstm',
    fixture: 'lstm',
    build: lstm.build,
    run: (m, { tokens, targets }) => {
      const model = m as lstm.LSTMLM;
      const [logits] = model.forward(tokens!);
      return { out: logits, loss: F.crossEntropy(logits.reshape([-1, model.ntoken]), targets!.reshape([-1])) };
    },
  },
  { label: 'gpt (scaledDotProductAttention, isCausal)', fixture: 'gpt', build: gpt.build, run: gptRun },
  { label: 'gpt (triu mask, maskedFill)', fixture: 'gpt', build: gptManual, run: gptRun },
  {
    label: 'unet',
    fixture: 'unet',
    build: unet.build,
    run: (m, { images, masks }) => {
      const logits = (m as unet.UNet).forward(images!);
      return { out: logits, loss: F.crossEntropy(logits, masks!) };
    },
  },
  {
    label: 'vae',
    fixture: 'vae',
    build: vae.build,
    run: (m, { x, eps }) => {
      const [recon, mu, logvar] = (m as vae.VAE).forward(x!, eps!);
      return { out: recon, loss: vae.vaeLoss(recon, x!, mu, logvar) };
    },
  },
  { label: 'gp (log det from the Cholesky diagonal)', fixture: 'gp', build: gp.build, run: gpRun },
  { label: 'gp (log det from linalg.slogdet)', fixture: 'gp', build: gpSlogdet, run: gpRun },
];

/** The case of a label. */
export function caseOf(label: string): ZooCase {
  const c = CASES.find((k) => k.label === label);
  if (c === undefined) throw new Error(`no zoo case ${label}`);
  return c;
}

export type { Tensor };
