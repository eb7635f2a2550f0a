/**
 * Reverse-mode drivers next to the forward-mode ones of `dual.ts`: `gradient`
 * (one backward pass for all inputs), `jacobianReverse` (one backward pass per
 * output), and the transform `grad(f)`, whose result is itself a differentiable
 * function of `Value`s, so `grad(grad(f))` gives second derivatives.
 */
import { describe } from './cost.js';
import { adjointValues } from './graph.js';
import { Value } from './value.js';

function checkInputs(xs: unknown, fn: string): readonly number[] {
  if (!Array.isArray(xs)) throw new TypeError(`${fn}: xs must be an array of numbers, got ${describe(xs)}`);
  for (const x of xs) {
    if (typeof x !== 'number') throw new TypeError(`${fn}: xs must be an array of numbers, got ${describe(x)} in it`);
  }
  return xs as readonly number[];
}

function outputOf(y: unknown, fn: string): Value | null {
  if (y instanceof Value) return y;
  if (typeof y === 'number') return null; // a constant: zero gradient
  throw new TypeError(`${fn}: f must return a Value or a number, got ${describe(y)}`);
}

/**
 * ∇f(xs) by reverse mode: one forward pass that records the graph, one backward.
 *
 * @example
 * // Exercise 28.2: f(x, y) = x²y + sin(xy)
 * gradient((x, y) => x.mul(x).mul(y).add(x.mul(y).sin()), [1, 2]);
 */
export function gradient(f: (...xs: Value[]) => Value | number, xs: readonly number[]): number[] {
  const inputs = checkInputs(xs, 'gradient').map((x) => new Value(x));
  const y = outputOf(f(...inputs), 'gradient');
  if (y !== null) y.backward();
  return inputs.map((v) => v.grad);
}

/**
 * The Jacobian J[i][j] = ∂ out_i / ∂ x_j by reverse mode: one graph, one backward
 * pass per output (row).
 *
 * @example
 * jacobianReverse((x, y) => [x.mul(y), x.add(y)], [2, 3]); // [[3, 2], [1, 1]]
 */
export function jacobianReverse(
  f: (...xs: Value[]) => Value | number | (Value | number)[],
  xs: readonly number[],
): number[][] {
  const inputs = checkInputs(xs, 'jacobianReverse').map((x) => new Value(x));
  const y = f(...inputs);
  const ys = Array.isArray(y) ? y : [y];
  return ys.map((yi) => {
    for (const v of inputs) v.grad = 0;
    const out = outputOf(yi, 'jacobianReverse');
    if (out !== null) out.backward();
    return inputs.map((v) => v.grad);
  });
}

/** Options of {@link grad}. */
export interface GradOptions {
  /** Which argument(s) to differentiate with respect to. Default `0`. */
  argnums?: number | readonly number[];
}

/** A function of `Value`s (numbers are wrapped into leaves). */
export type ScalarFn = (...args: Value[]) => Value | number;

/**
 * The derivative of `f` as a function: `grad(f)(x)` returns df/dx at x as a
 * `Value` that is itself built from `Value` ops on x (the adjoint rules run in
 * `createGraph` mode), so it can be differentiated again: `grad(grad(f))(x)` is
 * f''(x). Arguments may be numbers or `Value`s; `.grad` fields are not touched.
 * With `{argnums: [0, 1]}` it returns one derivative per listed argument. Like
 * JAX, an argument the output does not depend on gets a zero `Value`.
 *
 * @example
 * const f = (x: Value) => x.pow(3).mul(x.sin());       // x³ sin x
 * grad(f)(2).data;        // 3x² sin x + x³ cos x at 2
 * grad(grad(f))(2).data;  // 6x sin x + 6x² cos x − x³ sin x at 2
 */
export function grad(f: ScalarFn, options?: { argnums?: number }): (...args: (Value | number)[]) => Value;
export function grad(f: ScalarFn, options: { argnums: readonly number[] }): (...args: (Value | number)[]) => Value[];
export function grad(f: ScalarFn, options: GradOptions = {}): (...args: (Value | number)[]) => Value | Value[] {
  if (typeof f !== 'function') throw new TypeError(`grad: f must be a function, got ${describe(f)}`);
  const argnums = options.argnums ?? 0;
  const many = Array.isArray(argnums);
  const nums: readonly number[] = many ? argnums : [argnums as number];
  return (...args) => {
    const xs = args.map((a, i) => {
      if (a instanceof Value) return a;
      if (typeof a === 'number') return new Value(a);
      throw new TypeError(`grad: argument ${i} must be a number or a Value, got ${describe(a)}`);
    });
    for (const k of nums) {
      if (!Number.isInteger(k) || k < 0 || k >= xs.length) {
        throw new RangeError(`grad: argnums entry ${k} is out of range for ${xs.length} argument(s)`);
      }
    }
    const wrt = nums.map((k) => xs[k]!);
    const y = outputOf(f(...xs), 'grad');
    let grads: Value[];
    if (y === null) {
      grads = wrt.map(() => new Value(0));
    } else {
      // The inputs are treated as leaves, so the sweep stops there even when they
      // are inner nodes of an enclosing graph (grad of grad).
      const { stopAdj } = adjointValues(y, new Value(1), wrt);
      grads = stopAdj.map((g) => g ?? new Value(0));
    }
    return many ? grads : grads[0]!;
  };
}
