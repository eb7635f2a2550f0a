/**
 * A private seeded random source for datasets, loaders and splits: the same
 * xoshiro128** generator as the global one of `manualSeed`, with its own
 * state. Each draw swaps that state in and the global state back out, so a
 * dataset never disturbs (and is never disturbed by) `rand`, `randn` and
 * `manualSeed`; `new Rng(s)` draws exactly what `manualSeed(s)` would.
 */
import { RangeArgError } from '../errors.js';
import { getRngState, manualSeed, normal, setRngState, uniform, type RngState } from '../tensor/index.js';

/** Checks a user seed: a finite integer. */
export function checkSeed(op: string, seed: number): number {
  if (typeof seed !== 'number' || !Number.isInteger(seed)) {
    throw new RangeArgError(op, `seed must be an integer, got ${String(seed)}`);
  }
  return seed;
}

/**
 * A seed for an option left unset: drawn from the global source, like
 * PyTorch's default generator, so `manualSeed` makes it reproducible.
 */
export function seedOrGlobal(op: string, seed: number | undefined): number {
  return seed === undefined ? Math.floor(uniform() * 4294967296) : checkSeed(op, seed);
}

/**
 * A seeded generator with its own state (internal to `adjoint/data`).
 *
 * @example
 * const g = new Rng(0);
 * g.randperm(5); // a permutation of 0..4, the same for every Rng(0)
 */
export class Rng {
  #state: RngState;

  constructor(seed: number) {
    const saved = getRngState();
    manualSeed(seed);
    this.#state = getRngState();
    setRngState(saved);
  }

  /** Runs `fn` with this generator's state as the global one, then restores both. */
  #use<T>(fn: () => T): T {
    const saved = getRngState();
    setRngState(this.#state);
    try {
      return fn();
    } finally {
      this.#state = getRngState();
      setRngState(saved);
    }
  }

  /** `n` uniform draws in [0, 1). @example g.uniform(3); */
  uniform(n: number): Float64Array {
    return this.#use(() => Float64Array.from({ length: n }, uniform));
  }

  /** `n` standard normal draws. @example g.normal(3); */
  normal(n: number): Float64Array {
    return this.#use(() => Float64Array.from({ length: n }, normal));
  }

  /** A uniform random permutation of `0..n-1` (Fisher–Yates). @example g.randperm(4); */
  randperm(n: number): number[] {
    const u = this.uniform(n);
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(u[i]! * (i + 1));
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}
