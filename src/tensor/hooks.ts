/**
 * Observation hooks for tracers (`ops/trace.ts` installs them while a tracer
 * that records kernels is active; `compile` uses them): every raw kernel call
 * (`raw.ts`), every access to a tensor's `.grad`, and every synchronous read
 * of a tensor's values (`item`, `toArray`, `toTypedArray`). Null when nothing
 * observes: each hooked place costs one property check.
 */
import type { Tensor } from './tensor.js';

/** What the hooks see. */
export interface TensorHooks {
  /**
   * A raw kernel `fn` ran with `args` (tensors among them) and returned `out`
   * (a new tensor), or wrote into a tensor given in `args` (`out` null).
   */
  raw(fn: (...args: never[]) => unknown, args: readonly unknown[], out: Tensor | null): void;
  /** `x.grad` was read and gave `g`. */
  gradRead(x: Tensor, g: Tensor | null): void;
  /** `x.grad` was set to `g`. */
  gradWrite(x: Tensor, g: Tensor | null): void;
  /** `x`'s values are about to be read synchronously by `op` (`'item'`, `'toArray'`, `'toTypedArray'`). */
  read(x: Tensor, op: string): void;
}

/** The installed hooks (null: none). @example HOOKS.current = myHooks; */
export const HOOKS: { current: TensorHooks | null } = { current: null };
