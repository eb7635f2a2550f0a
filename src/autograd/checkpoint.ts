/**
 * `checkpoint`: trade compute for memory. The region runs once, recording its
 * graph as usual but saving no tensors; the first backward step that needs
 * them reruns the region (same random numbers) and takes the tensors from the
 * rerun. Non-reentrant: the graph is the ordinary one, so gradients also reach
 * tensors the region captures (weights), and `createGraph` works through it.
 */
import { AutogradError, fmtShape } from '../errors.js';
import { Tensor, getRngState, setRngState } from '../tensor/index.js';
import { enableGrad, isGradEnabled } from './mode.js';
import { Frame, withFrame } from './node.js';

/**
 * Runs `f(...args)` without keeping its intermediate tensors for backward;
 * backward recomputes them. Same values and gradients as `f(...args)`.
 *
 * @example
 * const block = (h: Tensor) => h.matmul(w1).tanh().matmul(w2).tanh();
 * const y = checkpoint(block, x);   // activations inside block are not kept
 * y.sum().backward();               // recomputes block, fills w1.grad, w2.grad, x.grad
 */
export function checkpoint<A extends unknown[], R>(f: (...args: A) => R, ...args: A): R {
  if (!isGradEnabled()) return f(...args);
  const rng = getRngState();
  const tensors = args.map((a, i) => [a, i] as const).filter((p): p is readonly [Tensor, number] => p[0] instanceof Tensor);
  const versions = tensors.map(([t]) => t.version);
  const frame = new Frame((fr) => {
    tensors.forEach(([t, i], k) => {
      if (t.version !== versions[k]) {
        throw new AutogradError(
          'checkpoint',
          `argument ${i} (shape ${fmtShape(t.shape)}) was modified by an in-place operation after the forward pass ` +
            `(version ${t.version}, expected ${versions[k]}); the recomputation would differ`,
        );
      }
    });
    const outer = getRngState();
    setRngState(rng);
    fr.recomputing = true;
    try {
      withFrame(fr, () => enableGrad(() => f(...args)));
    } finally {
      fr.recomputing = false;
      setRngState(outer);
    }
  });
  return withFrame(frame, () => f(...args));
}
