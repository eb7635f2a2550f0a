/**
 * Activation layers: `ReLU`, `Tanh`, `Sigmoid`, `GELU`, `LeakyReLU`,
 * `Softmax`, `LogSoftmax` — modules around the ops of the same names.
 */
import { RangeArgError } from '../errors.js';
import { gelu, leakyRelu, logSoftmax, relu, sigmoid, softmax, tanh } from '../ops/index.js';
import type { Tensor } from '../tensor/index.js';
import { Module } from './module.js';
import { pyFloat, pyStr } from './repr.js';

/**
 * `max(x, 0)`.
 *
 * @example
 * new ReLU().forward(tensor([-1, 2])); // [0, 2]
 */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/**
 * `tanh(x)`.
 *
 * @example
 * new Sequential(new Linear(2, 8), new Tanh());
 */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/**
 * `1 / (1 + e^−x)`.
 *
 * @example
 * new Sigmoid().forward(tensor([0])); // [0.5]
 */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/**
 * The Gaussian error linear unit, exact (`'none'`, default) or with the tanh
 * approximation.
 *
 * @example
 * new GELU({ approximate: 'tanh' }).forward(x);
 */
export class GELU extends Module {
  /** `'none'` or `'tanh'`. */
  readonly approximate: 'none' | 'tanh';

  constructor(opts: { approximate?: 'none' | 'tanh' } = {}) {
    super();
    const a = opts.approximate ?? 'none';
    if (a !== 'none' && a !== 'tanh') throw new RangeArgError('GELU', `approximate must be 'none' or 'tanh', got ${JSON.stringify(a)}`);
    this.approximate = a;
  }

  forward(x: Tensor): Tensor {
    return gelu(x, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate=${pyStr(this.approximate)}`;
  }
}

/**
 * `x` for `x ≥ 0`, `negativeSlope·x` otherwise (default slope 0.01).
 *
 * @example
 * new LeakyReLU({ negativeSlope: 0.2 }).forward(tensor([-1, 1])); // [-0.2, 1]
 */
export class LeakyReLU extends Module {
  /** Slope for negative inputs. */
  readonly negativeSlope: number;

  constructor(opts: { negativeSlope?: number } = {}) {
    super();
    this.negativeSlope = opts.negativeSlope ?? 0.01;
    if (!Number.isFinite(this.negativeSlope)) throw new RangeArgError('LeakyReLU', `negativeSlope must be a finite number, got ${this.negativeSlope}`);
  }

  forward(x: Tensor): Tensor {
    return leakyRelu(x, { negativeSlope: this.negativeSlope });
  }

  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}`;
  }
}

function checkDim(op: string, dim: unknown): number {
  if (typeof dim !== 'number' || !Number.isInteger(dim)) throw new RangeArgError(op, `dim must be an integer, got ${String(dim)}`);
  return dim;
}

/**
 * Softmax along `dim`.
 *
 * @example
 * new Softmax(-1).forward(logits).sum(-1); // ones
 */
export class Softmax extends Module {
  /** The dim normalized over. */
  readonly dim: number;

  constructor(dim: number) {
    super();
    this.dim = checkDim('Softmax', dim);
  }

  forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/**
 * Log-softmax along `dim` (stable), to pair with `NLLLoss`.
 *
 * @example
 * new NLLLoss().forward(new LogSoftmax(1).forward(logits), target);
 */
export class LogSoftmax extends Module {
  /** The dim normalized over. */
  readonly dim: number;

  constructor(dim: number) {
    super();
    this.dim = checkDim('LogSoftmax', dim);
  }

  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
