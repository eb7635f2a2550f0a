/**
 * A tiny deterministic PRNG: the 32-bit linear congruential generator of the
 * chapter and of `BENCHMARKS.md`. Each draw first advances
 * `s = (s·1664525 + 1013904223) mod 2^32`, then yields `u = s / 2^32` in [0, 1).
 * Same seed, same numbers, on every platform.
 */

/**
 * The chapter's 32-bit LCG.
 *
 * @example
 * const rng = new LCG(2);
 * rng.next();           // u in [0, 1)
 * rng.uniform(-1, 1);   // (2u − 1)·1, the benchmarks' "uniform(-1, 1)"
 */
export class LCG {
  private state: number;

  /** @example new LCG(42); */
  constructor(seed: number) {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      throw new TypeError(`LCG: seed must be a finite number, got ${String(seed)}`);
    }
    this.state = seed >>> 0;
  }

  /** The next u in [0, 1). @example new LCG(1).next(); // 1015568748 / 2^32 */
  next(): number {
    // Math.imul gives the low 32 bits of the product exactly (a float product would not).
    this.state = (Math.imul(this.state, 1664525) + 1013904223) >>> 0;
    return this.state / 4294967296;
  }

  /**
   * A draw in [lo, hi): `lo + (hi − lo)·u`. For `uniform(-a, a)` this is exactly
   * the benchmarks' `(2u − 1)·a` when a = 1.
   *
   * @example
   * new LCG(2).uniform(-1, 1);
   */
  uniform(lo: number, hi: number): number {
    const u = this.next();
    return lo === -hi ? (2 * u - 1) * hi : lo + (hi - lo) * u;
  }
}
