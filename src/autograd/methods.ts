/**
 * The autograd methods of `Tensor`: `backward`, `detach`, `requiresGrad_`,
 * `registerHook`, `retainGrad`.
 */
import { AutogradError } from '../errors.js';
import { Tensor, type Hook } from '../tensor/index.js';
import { backward, type BackwardOptions } from './engine.js';
import type { Node } from './node.js';

/** Returned by `registerHook`. */
export interface HookHandle {
  /** Unregisters the hook. */
  remove(): void;
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    /**
     * Computes gradients of this tensor with respect to the leaves it depends
     * on, accumulating into their `.grad`. A non-scalar needs `grad`.
     *
     * @example
     * x.mul(x).sum().backward();
     * y.backward(onesLike(y), { retainGraph: true });
     */
    backward(grad?: Tensor | null, opts?: BackwardOptions): void;
    /**
     * A tensor sharing this one's storage, cut from the graph (no grad).
     *
     * @example
     * const y = x.mul(2).detach(); // y.requiresGrad === false
     */
    detach(): Tensor;
    /**
     * Sets `requiresGrad` in place (leaves only) and returns this tensor.
     *
     * @example
     * const w = randn([3, 3]).requiresGrad_();
     */
    requiresGrad_(requiresGrad?: boolean): Tensor;
    /**
     * Registers `fn(grad)`, called with this tensor's gradient in backward;
     * returning a tensor replaces the gradient.
     *
     * @example
     * const h = x.registerHook((g) => g.mul(2)); // doubles x's gradient
     * h.remove();
     */
    registerHook(fn: Hook): HookHandle;
    /**
     * Makes backward store this non-leaf tensor's gradient in `.grad`.
     *
     * @example
     * const h = x.mul(2); h.retainGrad(); h.sum().backward(); h.grad; // ones
     */
    retainGrad(): Tensor;
  }
}

Tensor.prototype.backward = function (this: Tensor, grad?: Tensor | null, opts?: BackwardOptions): void {
  backward(this, grad, opts);
};

Tensor.prototype.detach = function (this: Tensor): Tensor {
  return new Tensor(this.storage, this.shape, this.strides, this.offset, this);
};

Tensor.prototype.requiresGrad_ = function (this: Tensor, requiresGrad = true): Tensor {
  if (this.gradFn !== null) {
    throw new AutogradError('requiresGrad_', 'only leaf tensors can change requiresGrad; use detach() to make a new leaf');
  }
  this.requiresGrad = requiresGrad;
  return this;
};

Tensor.prototype.registerHook = function (this: Tensor, fn: Hook): HookHandle {
  if (!this.requiresGrad) {
    throw new AutogradError('registerHook', "cannot register a hook on a tensor that does not require grad");
  }
  let list: Hook[];
  if (this.gradFn === null) list = this._hooks ??= [];
  else {
    const node = this.gradFn as Node;
    list = node.preHooks ??= [];
  }
  list.push(fn);
  return {
    remove: () => {
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    },
  };
};

Tensor.prototype.retainGrad = function (this: Tensor): Tensor {
  if (!this.requiresGrad) throw new AutogradError('retainGrad', 'cannot retain the gradient of a tensor that does not require grad');
  if (this.gradFn !== null) (this.gradFn as Node).retained = this;
  return this;
};
