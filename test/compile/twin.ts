/**
 * Two identical training setups for compile's tests: the same seeded MLP twice,
 * an optimizer and a StepLR on each, one batch of data, and the PyTorch-style
 * step — one twin is driven compiled, the other eagerly.
 */
import { Tensor, manualSeed, randn } from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import * as F from '../../src/nn/functional/index.js';
import { StepLR, type Adam, type SGD } from '../../src/optim/index.js';

/** An optimizer over parameters. */
export type MakeOptimizer = (ps: Tensor[]) => SGD | Adam;

/** The twins for `make` with hidden activation `Act`: models `a`, `b`, their optimizers and schedulers, data, and `stepOf`. */
export function twins(make: MakeOptimizer, Act: new () => nn.Module<[Tensor], Tensor>) {
  const build = (): nn.Sequential => {
    manualSeed(3);
    return new nn.Sequential(new nn.Linear(4, 16), new Act(), new nn.Linear(16, 3));
  };
  const a = build();
  const b = build();
  const optA = make(a.parameters());
  const optB = make(b.parameters());
  const schedA = new StepLR(optA, 3, { gamma: 0.5 });
  const schedB = new StepLR(optB, 3, { gamma: 0.5 });
  const X = randn([8, 4]);
  const Y = randn([8, 3]);
  /** One training step of `m` with `o`; returns the loss. */
  const stepOf = (m: nn.Sequential, o: SGD | Adam) => (x: Tensor, y: Tensor): Tensor => {
    o.zeroGrad();
    const loss = F.mseLoss(m.forward(x), y);
    loss.backward();
    o.step();
    return loss;
  };
  return { a, b, optA, optB, schedA, schedB, X, Y, stepOf };
}
