/**
 * The ops as functions: `add(3, x)`, `mul(x, y)`, `tanh(x)`, for `Value`s and for
 * `Dual`s, numbers mixing in. A number and a `Value` give a `Value`, a number and
 * a `Dual` give a `Dual`, two numbers give a constant `Value`; a `Value` and a
 * `Dual` do not mix (`TypeError`). A number as the first operand of `sub`, `div`
 * or `pow` becomes a leaf, like the chapter's `__rsub__` and `__rtruediv__`.
 *
 * The generic signatures let one function serve both modes:
 *
 * @example
 * const f = <T extends Value | Dual>(x: T, y: T) => add(mul(mul(x, x), y), sin(mul(x, y)));
 * f(new Value(1), new Value(2));      // reverse mode
 * f(new Dual(1, 1), new Dual(2, 0));  // forward mode, d/dx
 */
import { describe, operandError } from './cost.js';
import { Dual } from './dual.js';
import { Value } from './value.js';

/** A binary op as a function, typed for `Value`, `Dual` and generic code. */
export interface BinaryOp {
  (a: Dual, b: Dual | number): Dual;
  (a: number, b: Dual): Dual;
  (a: Value | number, b: Value | number): Value;
  <T extends Value | Dual>(a: T | number, b: T | number): T;
}

/** A unary op as a function, typed for `Value`, `Dual` and generic code. */
export interface UnaryOp {
  (x: Dual): Dual;
  (x: Value | number): Value;
  <T extends Value | Dual>(x: T): T;
}

type BinaryName = 'add' | 'sub' | 'mul' | 'div' | 'pow';
type UnaryName = 'neg' | 'exp' | 'log' | 'tanh' | 'relu' | 'sigmoid' | 'sin' | 'cos';

function mixError(op: string): TypeError {
  return new TypeError(`${op}: cannot mix a Value and a Dual (reverse and forward mode)`);
}

function binary(op: BinaryName, commutative: boolean): BinaryOp {
  const fn = (a: unknown, b: unknown): Value | Dual => {
    if (a instanceof Value) {
      if (b instanceof Dual) throw mixError(op);
      return a[op](b as Value | number);
    }
    if (a instanceof Dual) {
      if (b instanceof Value) throw mixError(op);
      return a[op](b as Dual | number);
    }
    if (typeof a === 'number') {
      if (b instanceof Value) return commutative ? b[op](a) : new Value(a)[op](b);
      if (b instanceof Dual) return commutative ? b[op](a) : new Dual(a, 0)[op](b);
      if (typeof b === 'number') return new Value(a)[op](b);
      throw operandError(op, b);
    }
    throw operandError(op, a);
  };
  return fn as BinaryOp;
}

function unary(op: UnaryName): UnaryOp {
  const fn = (x: unknown): Value | Dual => {
    if (x instanceof Value || x instanceof Dual) return x[op]();
    if (typeof x === 'number') return new Value(x)[op]();
    throw new TypeError(`${op}: operand must be a number, a Value or a Dual, got ${describe(x)}`);
  };
  return fn as UnaryOp;
}

/** a + b. @example add(3, new Value(2)).data; // 5 */
export const add: BinaryOp = binary('add', true);
/** a − b. @example sub(3, new Value(2)).data; // 1 */
export const sub: BinaryOp = binary('sub', false);
/** a · b. @example mul(new Value(2), 4).data; // 8 */
export const mul: BinaryOp = binary('mul', true);
/** a / b. @example div(1, new Value(4)).data; // 0.25 */
export const div: BinaryOp = binary('div', false);
/** a ** b, with a number or a `Value`/`Dual` exponent. @example pow(new Value(2), new Value(3)).data; // 8 */
export const pow: BinaryOp = binary('pow', false);
/** −x. @example neg(new Value(2)).data; // -2 */
export const neg: UnaryOp = unary('neg');
/** eˣ. @example exp(new Value(0)).data; // 1 */
export const exp: UnaryOp = unary('exp');
/** ln x (NaN for x < 0, like `Math.log`). @example log(new Value(1)).data; // 0 */
export const log: UnaryOp = unary('log');
/** tanh x. @example tanh(new Value(0)).data; // 0 */
export const tanh: UnaryOp = unary('tanh');
/** max(0, x). @example relu(new Value(-2)).data; // 0 */
export const relu: UnaryOp = unary('relu');
/** 1 / (1 + e⁻ˣ). @example sigmoid(new Value(0)).data; // 0.5 */
export const sigmoid: UnaryOp = unary('sigmoid');
/** sin x. @example sin(new Dual(0, 1)).tangent; // 1 */
export const sin: UnaryOp = unary('sin');
/** cos x. @example cos(new Value(0)).data; // 1 */
export const cos: UnaryOp = unary('cos');
