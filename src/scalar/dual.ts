/**
 * Forward mode (Exercise 28.2): dual numbers `a + ȧε` with `ε² = 0`. One pass
 * carries the derivative along one input direction next to the value, so the full
 * gradient of f: Rⁿ → R takes n passes (`gradientForward`), against one backward
 * pass in reverse mode (`gradient` in `modes.ts`).
 *
 * The op set, the op kinds and the cost model are the same as `Value`'s
 * (`cost.ts`): `d.mul(2)` is a `mulConst`, `d.mul(e)` a `mul`. While `countDual`
 * runs, every op adds its forward and tangent flops to a counter.
 */
import {
  ADD, ADD_C, COS, DIV, DIV_C, EXP, FORWARD_FLOPS, LOG, MUL, MUL_C, NEG, POW, POW_C, RELU, SIGMOID, SIN, SUB,
  TANGENT_FLOPS, TANH, describe, operandError,
} from './cost.js';

let counting = false;
let primalFlops = 0;
let tangentFlops = 0;

function tally(code: number): void {
  if (counting) {
    primalFlops += FORWARD_FLOPS[code]!;
    tangentFlops += TANGENT_FLOPS[code]!;
  }
}

/**
 * A dual number: `value` and `tangent` = d value / d (the seeded input).
 * Numbers mix in as constants (tangent 0).
 *
 * @example
 * const x = new Dual(2, 1);           // seed dx = 1
 * const f = x.mul(x).add(x.sin());    // x² + sin x
 * f.value;   // 4 + sin 2
 * f.tangent; // 2·2 + cos 2
 */
export class Dual {
  /** The primal value. */
  value: number;
  /** The directional derivative carried along. */
  tangent: number;

  /** @example new Dual(3, 1); // the input x = 3 in a d/dx pass */
  constructor(value: number, tangent = 0) {
    if (typeof value !== 'number') throw new TypeError(`Dual: value must be a number, got ${describe(value)}`);
    if (typeof tangent !== 'number') throw new TypeError(`Dual: tangent must be a number, got ${describe(tangent)}`);
    this.value = value;
    this.tangent = tangent;
  }

  /** @example new Dual(1, 1).add(2); // Dual(3, 1) */
  add(other: Dual | number): Dual {
    if (other instanceof Dual) {
      tally(ADD);
      return new Dual(this.value + other.value, this.tangent + other.tangent);
    }
    if (typeof other === 'number') {
      tally(ADD_C);
      return new Dual(this.value + other, this.tangent);
    }
    throw operandError('add', other, 'Dual');
  }

  /** @example new Dual(1, 1).sub(new Dual(3, 0)); // Dual(-2, 1) */
  sub(other: Dual | number): Dual {
    if (other instanceof Dual) {
      tally(SUB);
      return new Dual(this.value - other.value, this.tangent - other.tangent);
    }
    if (typeof other === 'number') {
      tally(ADD_C);
      return new Dual(this.value - other, this.tangent);
    }
    throw operandError('sub', other, 'Dual');
  }

  /** d(ab) = ȧb + aḃ. @example new Dual(3, 1).mul(2); // Dual(6, 2) */
  mul(other: Dual | number): Dual {
    if (other instanceof Dual) {
      tally(MUL);
      return new Dual(this.value * other.value, this.tangent * other.value + this.value * other.tangent);
    }
    if (typeof other === 'number') {
      tally(MUL_C);
      return new Dual(this.value * other, this.tangent * other);
    }
    throw operandError('mul', other, 'Dual');
  }

  /** d(a/b) = (ȧ − (a/b)ḃ)/b. @example new Dual(1, 1).div(2); // Dual(0.5, 0.5) */
  div(other: Dual | number): Dual {
    if (other instanceof Dual) {
      tally(DIV);
      const q = this.value / other.value;
      return new Dual(q, (this.tangent - q * other.tangent) / other.value);
    }
    if (typeof other === 'number') {
      tally(DIV_C);
      return new Dual(this.value / other, this.tangent / other);
    }
    throw operandError('div', other, 'Dual');
  }

  /**
   * d(a^b) = b·a^(b−1)·ȧ + a^b·ln a·ḃ (the ḃ term taken as 0 where a = 0, b ≥ 0).
   *
   * @example
   * new Dual(3, 1).pow(2); // Dual(9, 6)
   */
  pow(exponent: Dual | number): Dual {
    const a = this.value;
    if (typeof exponent === 'number') {
      tally(POW_C);
      const t = exponent === 0 ? 0 : exponent * Math.pow(a, exponent - 1) * this.tangent;
      return new Dual(Math.pow(a, exponent), t);
    }
    if (exponent instanceof Dual) {
      tally(POW);
      const b = exponent.value;
      const y = Math.pow(a, b);
      let t = b * Math.pow(a, b - 1) * this.tangent;
      if (!(a === 0 && b >= 0)) t += y * Math.log(a) * exponent.tangent;
      return new Dual(y, t);
    }
    throw operandError('pow', exponent, 'Dual');
  }

  /** @example new Dual(2, 1).neg(); // Dual(-2, -1) */
  neg(): Dual {
    tally(NEG);
    return new Dual(-this.value, -this.tangent);
  }

  /** @example new Dual(0, 1).exp(); // Dual(1, 1) */
  exp(): Dual {
    tally(EXP);
    const y = Math.exp(this.value);
    return new Dual(y, y * this.tangent);
  }

  /** NaN for a negative value, like `Math.log`. @example new Dual(1, 1).log(); // Dual(0, 1) */
  log(): Dual {
    tally(LOG);
    return new Dual(Math.log(this.value), this.tangent / this.value);
  }

  /** @example new Dual(0, 1).tanh(); // Dual(0, 1) */
  tanh(): Dual {
    tally(TANH);
    const y = Math.tanh(this.value);
    return new Dual(y, (1 - y * y) * this.tangent);
  }

  /** @example new Dual(-1, 1).relu(); // Dual(0, 0) */
  relu(): Dual {
    tally(RELU);
    return this.value <= 0 ? new Dual(0, 0) : new Dual(this.value, this.tangent);
  }

  /** @example new Dual(0, 1).sigmoid(); // Dual(0.5, 0.25) */
  sigmoid(): Dual {
    tally(SIGMOID);
    const s = 1 / (1 + Math.exp(-this.value));
    return new Dual(s, s * (1 - s) * this.tangent);
  }

  /** @example new Dual(0, 1).sin(); // Dual(0, 1) */
  sin(): Dual {
    tally(SIN);
    return new Dual(Math.sin(this.value), Math.cos(this.value) * this.tangent);
  }

  /** @example new Dual(0, 1).cos(); // Dual(1, -0) */
  cos(): Dual {
    tally(COS);
    return new Dual(Math.cos(this.value), -Math.sin(this.value) * this.tangent);
  }

  /** @example String(new Dual(1, 2)); // 'Dual(value=1, tangent=2)' */
  toString(): string {
    return `Dual(value=${this.value}, tangent=${this.tangent})`;
  }
}

/**
 * Runs `fn` while counting the flops of every `Dual` op (cost model of `cost.ts`):
 * `primal` for the values, `tangent` for the derivatives carried along.
 *
 * @example
 * const { primal, tangent } = countDual(() => new Dual(2, 1).mul(3).sin());
 * // primal 2, tangent 3
 */
export function countDual<T>(fn: () => T): { result: T; primal: number; tangent: number } {
  const saved = [counting, primalFlops, tangentFlops] as const;
  counting = true;
  primalFlops = 0;
  tangentFlops = 0;
  try {
    const result = fn();
    return { result, primal: primalFlops, tangent: tangentFlops };
  } finally {
    // Nested counts add into the enclosing one.
    const [c, p, t] = saved;
    counting = c;
    if (c) {
      primalFlops += p;
      tangentFlops += t;
    } else {
      primalFlops = 0;
      tangentFlops = 0;
    }
  }
}

/** What a forward-mode function may return: a `Dual`, or a number (a constant). */
export type DualOut = Dual | number;

function tangentOf(y: unknown, fn: string): number {
  if (y instanceof Dual) return y.tangent;
  if (typeof y === 'number') return 0;
  throw new TypeError(`${fn}: f must return a Dual or a number, got ${describe(y)}`);
}

function checkInputs(xs: unknown, fn: string): readonly number[] {
  if (!Array.isArray(xs)) throw new TypeError(`${fn}: xs must be an array of numbers, got ${describe(xs)}`);
  for (const x of xs) {
    if (typeof x !== 'number') throw new TypeError(`${fn}: xs must be an array of numbers, got ${describe(x)} in it`);
  }
  return xs as readonly number[];
}

/**
 * f'(x) by forward mode: one pass with the input seeded `Dual(x, 1)`.
 *
 * @example
 * derivative((x) => x.mul(x).mul(x), 2); // 12
 */
export function derivative(f: (x: Dual) => DualOut, x: number): number {
  if (typeof x !== 'number') throw new TypeError(`derivative: x must be a number, got ${describe(x)}`);
  return tangentOf(f(new Dual(x, 1)), 'derivative');
}

/**
 * ∇f(xs) by forward mode: n passes, pass j seeding input j with tangent 1.
 *
 * @example
 * // Exercise 28.2: f(x, y) = x²y + sin(xy)
 * gradientForward((x, y) => x.mul(x).mul(y).add(x.mul(y).sin()), [1, 2]);
 * // [2xy + y cos(xy), x² + x cos(xy)] at (1, 2)
 */
export function gradientForward(f: (...xs: Dual[]) => DualOut, xs: readonly number[]): number[] {
  const inputs = checkInputs(xs, 'gradientForward');
  const out: number[] = [];
  for (let j = 0; j < inputs.length; j++) {
    const args = inputs.map((x, i) => new Dual(x, i === j ? 1 : 0));
    out.push(tangentOf(f(...args), 'gradientForward'));
  }
  return out;
}

/**
 * The Jacobian J[i][j] = ∂ out_i / ∂ x_j by forward mode: one pass per input
 * (column). `f` may return one output or an array of them.
 *
 * @example
 * jacobianForward((x, y) => [x.mul(y), x.add(y)], [2, 3]); // [[3, 2], [1, 1]]
 */
export function jacobianForward(f: (...xs: Dual[]) => DualOut | DualOut[], xs: readonly number[]): number[][] {
  const inputs = checkInputs(xs, 'jacobianForward');
  if (inputs.length === 0) {
    const y = f();
    return (Array.isArray(y) ? y : [y]).map(() => []);
  }
  let rows: number[][] | null = null;
  for (let j = 0; j < inputs.length; j++) {
    const args = inputs.map((x, i) => new Dual(x, i === j ? 1 : 0));
    const y = f(...args);
    const ys = Array.isArray(y) ? y : [y];
    rows ??= ys.map(() => new Array<number>(inputs.length).fill(0));
    ys.forEach((yi, i) => {
      rows![i]![j] = tangentOf(yi, 'jacobianForward');
    });
  }
  return rows ?? [];
}
