/**
 * More activation layers: `SiLU Mish ELU SELU CELU Hardtanh ReLU6
 * Hardsigmoid Hardswish Softsign LogSigmoid`, modules around
 * `nn.functional`'s ops of the same names, with PyTorch's reprs.
 */
import { zeros, type Tensor } from '../tensor/index.js';
import { celu, elu, hardsigmoid, hardswish, hardtanh, logsigmoid, mish, relu6, selu, silu, softsign } from './functional/index.js';
import { Module } from './module.js';
import { pyFloat } from './repr.js';

/** `x·σ(x)`. @example new SiLU().forward(x); */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return silu(x);
  }
}

/** `x·tanh(softplus(x))`. @example new Mish().forward(x); */
export class Mish extends Module {
  forward(x: Tensor): Tensor {
    return mish(x);
  }
}

/** `x` for x > 0, `α(e^x − 1)` otherwise. @example String(new ELU({ alpha: 0.5 })); // 'ELU(alpha=0.5)' */
export class ELU extends Module {
  /** The scale of the negative side. */
  readonly alpha: number;

  constructor(opts: { alpha?: number } = {}) {
    super();
    this.alpha = opts.alpha ?? 1;
    elu(zerosOf(), { alpha: this.alpha });
  }

  forward(x: Tensor): Tensor {
    return elu(x, { alpha: this.alpha });
  }

  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}

/** Scaled ELU with the self-normalizing constants. @example new SELU().forward(x); */
export class SELU extends Module {
  forward(x: Tensor): Tensor {
    return selu(x);
  }
}

/** `x` for x > 0, `α(e^{x/α} − 1)` otherwise. @example String(new CELU()); // 'CELU(alpha=1.0)' */
export class CELU extends Module {
  /** α (nonzero). */
  readonly alpha: number;

  constructor(opts: { alpha?: number } = {}) {
    super();
    this.alpha = opts.alpha ?? 1;
    celu(zerosOf(), { alpha: this.alpha });
  }

  forward(x: Tensor): Tensor {
    return celu(x, { alpha: this.alpha });
  }

  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}

/**
 * `x` clipped to `[minVal, maxVal]` (no gradient at the bounds, as PyTorch).
 *
 * @example
 * String(new Hardtanh({ minVal: -2, maxVal: 2 })); // 'Hardtanh(min_val=-2.0, max_val=2.0)'
 */
export class Hardtanh extends Module {
  /** Lower bound. */
  readonly minVal: number;
  /** Upper bound. */
  readonly maxVal: number;

  constructor(opts: { minVal?: number; maxVal?: number } = {}) {
    super();
    this.minVal = opts.minVal ?? -1;
    this.maxVal = opts.maxVal ?? 1;
    hardtanh(zerosOf(), { minVal: this.minVal, maxVal: this.maxVal });
  }

  forward(x: Tensor): Tensor {
    return hardtanh(x, { minVal: this.minVal, maxVal: this.maxVal });
  }

  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}`;
  }
}

/** `min(max(x, 0), 6)`. @example new ReLU6().forward(x); */
export class ReLU6 extends Module {
  forward(x: Tensor): Tensor {
    return relu6(x);
  }
}

/** `relu6(x + 3) / 6`. @example new Hardsigmoid().forward(x); */
export class Hardsigmoid extends Module {
  forward(x: Tensor): Tensor {
    return hardsigmoid(x);
  }
}

/** `x·relu6(x + 3) / 6`. @example new Hardswish().forward(x); */
export class Hardswish extends Module {
  forward(x: Tensor): Tensor {
    return hardswish(x);
  }
}

/** `x / (1 + |x|)`. @example new Softsign().forward(x); */
export class Softsign extends Module {
  forward(x: Tensor): Tensor {
    return softsign(x);
  }
}

/** `log σ(x)`, stable. @example new LogSigmoid().forward(x); */
export class LogSigmoid extends Module {
  forward(x: Tensor): Tensor {
    return logsigmoid(x);
  }
}


/** A 1-element float tensor, to validate options through the functional op at construction. */
function zerosOf(): Tensor {
  return zeros([1]);
}
