/**
 * The scalar engine's op codes and its cost model, in one place.
 *
 * Every `Value` node carries a small-integer op code (`LEAF`, `ADD`, ...). A
 * number operand is folded into the node (`x.mul(2)` is one `MUL_C` node with the
 * constant in its `aux` slot, shown as `'*2'`), which keeps graphs half as large
 * as the chapter's, where every constant becomes a leaf. A number as the FIRST
 * operand of a non-commutative op (`sub(3, x)`, `div(1, x)`, `pow(2, x)`) becomes a
 * leaf `Value`, exactly as the chapter's `__rsub__`/`__rtruediv__` do.
 *
 * ## Cost model (elementary flops per node)
 * Every `+ - * /`, comparison, negation and libm call (`exp log pow tanh sin cos`)
 * costs 1. The columns are what the code of this folder actually executes:
 * `forward` is computing the node's value, `backward` is the reverse sweep's work
 * at the node (building the local partials and adding them into the children's
 * adjoints, the `+=` included), `tangent` is the extra work of one forward-mode
 * (`Dual`) pass (the tangent update; a `Dual` op also pays `forward`).
 *
 * | kind       | op label  | forward | backward | tangent | rule (g: adjoint of y, t: tangents)            |
 * |------------|-----------|---------|----------|---------|------------------------------------------------|
 * | leaf       | `''`      | 0       | 0        | 0       | —                                              |
 * | add        | `+`       | 1       | 2        | 1       | ā += g, b̄ += g; ẏ = ȧ + ḃ                       |
 * | sub        | `-`       | 1       | 2        | 1       | ā += g, b̄ -= g; ẏ = ȧ − ḃ                       |
 * | mul        | `*`       | 1       | 4        | 3       | ā += g·b, b̄ += g·a; ẏ = ȧb + aḃ                 |
 * | div        | `/`       | 1       | 5        | 3       | ā += g/b, b̄ -= g·y/b; ẏ = (ȧ − yḃ)/b             |
 * | pow        | `**`      | 1       | 9        | 8       | ā += g·b·a^(b−1), b̄ += g·y·ln a                  |
 * | addConst   | `+c`      | 1       | 1        | 0       | ā += g; ẏ = ȧ                                   |
 * | mulConst   | `*c`      | 1       | 2        | 1       | ā += g·c; ẏ = cȧ                                |
 * | divConst   | `/c`      | 1       | 2        | 1       | ā += g/c; ẏ = ȧ/c                               |
 * | powConst   | `**c`     | 1       | 5        | 4       | ā += g·c·a^(c−1)                                |
 * | neg        | `neg`     | 1       | 1        | 1       | ā -= g                                          |
 * | exp        | `exp`     | 1       | 2        | 1       | ā += g·y                                        |
 * | log        | `log`     | 1       | 2        | 1       | ā += g/a                                        |
 * | tanh       | `tanh`    | 1       | 4        | 3       | ā += g·(1 − y²)                                 |
 * | relu       | `relu`    | 1       | 2        | 1       | ā += (a <= 0) ? 0 : g (NaN passes g)            |
 * | sigmoid    | `sigmoid` | 4       | 4        | 3       | y = 1/(1+e^(−a)); ā += g·y(1 − y)               |
 * | sin        | `sin`     | 1       | 3        | 2       | ā += g·cos a                                    |
 * | cos        | `cos`     | 1       | 3        | 3       | ā -= g·sin a                                    |
 *
 * Not in `backward`: the reverse sweep also adds every node's adjoint into its
 * user-visible `.grad` (1 add per node; `countOps` reports it as `gradAccumulate`).
 * In Griewank's model the gradient is read straight from the adjoints, so that
 * bookkeeping is reported apart. Backward/forward is at most 5 for every op except
 * `pow` with a `Value` exponent (9, because it needs a `log` and a `pow`).
 *
 * @example
 * import { COST_MODEL } from 'adjoint/scalar';
 * COST_MODEL.mul; // { forward: 1, backward: 4, tangent: 3 }
 */

/** Op codes (the node's `_code`). `*_C` codes hold a number operand in `aux`. */
export const LEAF = 0;
export const ADD = 1;
export const SUB = 2;
export const MUL = 3;
export const DIV = 4;
export const POW = 5;
export const ADD_C = 6;
export const MUL_C = 7;
export const DIV_C = 8;
export const POW_C = 9;
export const NEG = 10;
export const EXP = 11;
export const LOG = 12;
export const TANH = 13;
export const RELU = 14;
export const SIGMOID = 15;
export const SIN = 16;
export const COS = 17;
/** Number of op codes. */
export const N_OPS = 18;

/**
 * The kind names of the op codes, indexed by code (keys of {@link COST_MODEL}).
 *
 * @example
 * OP_KINDS[3]; // 'mul'
 */
export const OP_KINDS = [
  'leaf', 'add', 'sub', 'mul', 'div', 'pow', 'addConst', 'mulConst', 'divConst', 'powConst',
  'neg', 'exp', 'log', 'tanh', 'relu', 'sigmoid', 'sin', 'cos',
] as const;

/** One of the op kinds: `'add'`, `'mulConst'`, `'tanh'`... */
export type OpKind = (typeof OP_KINDS)[number];

/** Flops per node of one kind: see the table in this file's header. */
export interface OpCost {
  /** Computing the node's value. */
  readonly forward: number;
  /** The reverse sweep at the node (local partials and the `+=` into children). */
  readonly backward: number;
  /** The tangent update of one forward-mode pass. */
  readonly tangent: number;
}

// forward, backward, tangent per code: the table above, in code order.
const COSTS: readonly (readonly [number, number, number])[] = [
  [0, 0, 0], // leaf
  [1, 2, 1], // add
  [1, 2, 1], // sub
  [1, 4, 3], // mul
  [1, 5, 3], // div
  [1, 9, 8], // pow
  [1, 1, 0], // addConst
  [1, 2, 1], // mulConst
  [1, 2, 1], // divConst
  [1, 5, 4], // powConst
  [1, 1, 1], // neg
  [1, 2, 1], // exp
  [1, 2, 1], // log
  [1, 4, 3], // tanh
  [1, 2, 1], // relu
  [4, 4, 3], // sigmoid
  [1, 3, 2], // sin
  [1, 3, 3], // cos
];

/** Forward flops per op code. */
export const FORWARD_FLOPS: readonly number[] = COSTS.map((c) => c[0]);
/** Reverse-sweep flops per op code. */
export const BACKWARD_FLOPS: readonly number[] = COSTS.map((c) => c[1]);
/** Forward-mode tangent flops per op code. */
export const TANGENT_FLOPS: readonly number[] = COSTS.map((c) => c[2]);

/**
 * The cost model as a table keyed by op kind (see this file's header).
 *
 * @example
 * for (const [kind, c] of Object.entries(COST_MODEL)) console.log(kind, c.forward, c.backward);
 */
export const COST_MODEL: Readonly<Record<OpKind, OpCost>> = Object.freeze(
  Object.fromEntries(
    OP_KINDS.map((k, i) => [k, Object.freeze({ forward: COSTS[i]![0], backward: COSTS[i]![1], tangent: COSTS[i]![2] })]),
  ) as Record<OpKind, OpCost>,
);

const SYMBOLS = ['', '+', '-', '*', '/', '**', '+', '*', '/', '**', 'neg', 'exp', 'log', 'tanh', 'relu', 'sigmoid', 'sin', 'cos'];

/**
 * The op label a node shows: `'+'`, `'*'`, `'tanh'`, and for a folded number
 * operand the chapter's `'**2'` style: `'*2'`, `'+0.001'`, `'-3'`, `'/4'`.
 *
 * @example
 * opLabel(POW_C, 2); // '**2'
 */
export function opLabel(code: number, aux: number): string {
  if (code === ADD_C) return aux < 0 || Object.is(aux, -0) ? `-${-aux}` : `+${aux}`;
  if (code === MUL_C || code === DIV_C || code === POW_C) return `${SYMBOLS[code]}${aux}`;
  return SYMBOLS[code] ?? '?';
}

/**
 * Describes a bad operand for an error message: `string`, `undefined`, `null`,
 * or an object's constructor name (`Array`, `Dual`).
 */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x !== 'object') return typeof x;
  const name = (x as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'object';
}

/**
 * The `TypeError` every op throws for an operand that is neither a number nor the
 * engine's type, naming the op: `mul: operand must be a number or a Value, got string`.
 */
export function operandError(op: string, x: unknown, type = 'Value'): TypeError {
  return new TypeError(`${op}: operand must be a number or a ${type}, got ${describe(x)}`);
}
