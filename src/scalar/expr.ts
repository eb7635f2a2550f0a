/**
 * A small expression language for the scalar engine: what the playground's graph
 * lab parses, and a quick way to build a `Value` graph from text.
 *
 * Grammar (loosest binding first; `^` and `**` are the same right-associative
 * power, and a unary minus binds looser than a power, so `-x^2` is `-(x^2)`):
 *
 * ```text
 * expr    := term (('+' | '-') term)*
 * term    := unary (('*' | '/') unary)*
 * unary   := ('-' | '+') unary | power
 * power   := primary (('^' | '**') unary)?
 * primary := number | name | fn '(' expr ')' | '(' expr ')'
 * fn      := sin | cos | exp | log | tanh | relu | sigmoid | sqrt
 * ```
 *
 * Numbers are decimal (`2`, `.5`, `1e-3`); a name is a letter or `_` followed by
 * letters, digits or `_`. Every node keeps its `start`/`end` offsets in the text,
 * and a syntax error is an {@link ExpressionSyntaxError} carrying the offset.
 *
 * Evaluation runs the real engine: `evaluate` builds `Value`s (so graph, values,
 * gradients and op counts are the engine's), `evaluateDual` runs `Dual`s. Number
 * subexpressions are folded (`2 * 3` is the constant 6); a number operand of an op
 * on a variable is folded into the node as the engine does (`x * 2` is one `*2` node).
 */
import { AdjointError } from '../errors.js';
import { Dual } from './dual.js';
import { add, div, mul, pow, sub } from './ops.js';
import { Value } from './value.js';

/** The functions an expression may call. */
export const EXPRESSION_FUNCTIONS = ['sin', 'cos', 'exp', 'log', 'tanh', 'relu', 'sigmoid', 'sqrt'] as const;

/** One of {@link EXPRESSION_FUNCTIONS}. */
export type ExpressionFunction = (typeof EXPRESSION_FUNCTIONS)[number];

/** A binary operator of the grammar (`**` is parsed as `'^'`). */
export type BinaryOperator = '+' | '-' | '*' | '/' | '^';

interface Span {
  /** Offset of the node's first character in the source text. */
  readonly start: number;
  /** Offset just past its last character. */
  readonly end: number;
}

/** A node of the syntax tree returned by {@link parseExpression}. */
export type ExprNode =
  | (Span & { readonly kind: 'number'; readonly value: number })
  | (Span & { readonly kind: 'variable'; readonly name: string })
  | (Span & { readonly kind: 'negate'; readonly operand: ExprNode })
  | (Span & { readonly kind: 'binary'; readonly op: BinaryOperator; readonly left: ExprNode; readonly right: ExprNode })
  | (Span & { readonly kind: 'call'; readonly fn: ExpressionFunction; readonly arg: ExprNode });

/**
 * A syntax error in an expression: `position` is the offset (0-based) where it was
 * found, `end` the end of the offending token (`end > position` unless at the end
 * of the text). The message names the offset as a 1-based column.
 *
 * @example
 * try { parseExpression('(x + y'); } catch (e) {
 *   if (e instanceof ExpressionSyntaxError) e.position; // 6
 * }
 */
export class ExpressionSyntaxError extends AdjointError {
  /** 0-based offset of the error in the text. */
  readonly position: number;
  /** Offset just past the offending token. */
  readonly end: number;
  /** The bare description, without the `parseExpression:` prefix and the column. */
  readonly detail: string;
  constructor(detail: string, position: number, end: number = position) {
    super('parseExpression', `${detail} at column ${position + 1}`);
    this.position = position;
    this.end = end;
    this.detail = detail;
  }
}

type TokenKind = 'number' | 'name' | 'op' | '(' | ')' | 'end';

interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
}

const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    NUMBER.lastIndex = i;
    NAME.lastIndex = i;
    let m: RegExpExecArray | null;
    if ((m = NUMBER.exec(text)) !== null) {
      tokens.push({ kind: 'number', text: m[0], start: i, end: i + m[0].length });
    } else if ((m = NAME.exec(text)) !== null) {
      tokens.push({ kind: 'name', text: m[0], start: i, end: i + m[0].length });
    } else if (text.startsWith('**', i)) {
      tokens.push({ kind: 'op', text: '^', start: i, end: i + 2 });
    } else if ('+-*/^'.includes(c)) {
      tokens.push({ kind: 'op', text: c, start: i, end: i + 1 });
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c, text: c, start: i, end: i + 1 });
    } else {
      throw new ExpressionSyntaxError(`unexpected character '${c}'`, i, i + 1);
    }
    i = tokens[tokens.length - 1]!.end;
  }
  tokens.push({ kind: 'end', text: '', start: text.length, end: text.length });
  return tokens;
}

function isFunction(name: string): name is ExpressionFunction {
  return (EXPRESSION_FUNCTIONS as readonly string[]).includes(name);
}

function describeToken(t: Token): string {
  if (t.kind === 'end') return 'end of input';
  if (t.kind === 'number') return `number ${t.text}`;
  if (t.kind === 'name') return `name '${t.text}'`;
  return `'${t.text === '^' && t.end - t.start === 2 ? '**' : t.text}'`;
}

/** Recursive descent over the token list; nesting depth is bounded by `MAX_DEPTH`. */
class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private get peek(): Token {
    return this.tokens[this.i]!;
  }

  private next(): Token {
    return this.tokens[this.i++]!;
  }

  private isOp(...ops: string[]): boolean {
    return this.peek.kind === 'op' && ops.includes(this.peek.text);
  }

  private fail(expected: string): never {
    const t = this.peek;
    throw new ExpressionSyntaxError(`expected ${expected} but found ${describeToken(t)}`, t.start, t.end);
  }

  parse(): ExprNode {
    if (this.peek.kind === 'end') throw new ExpressionSyntaxError('empty expression', 0);
    const e = this.expr();
    const t = this.tokens[this.i]!;
    if (t.kind !== 'end') {
      const detail = t.kind === ')' ? "unmatched ')'" : `expected an operator but found ${describeToken(t)}`;
      throw new ExpressionSyntaxError(detail, t.start, t.end);
    }
    return e;
  }

  private expr(): ExprNode {
    let left = this.term();
    while (this.isOp('+', '-')) {
      const op = this.next().text as '+' | '-';
      const right = this.term();
      left = { kind: 'binary', op, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private term(): ExprNode {
    let left = this.unary();
    while (this.isOp('*', '/')) {
      const op = this.next().text as '*' | '/';
      const right = this.unary();
      left = { kind: 'binary', op, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private unary(): ExprNode {
    if (this.isOp('-', '+')) {
      const t = this.next();
      this.enter(t);
      const operand = this.unary();
      this.depth--;
      return t.text === '+' ? { ...operand, start: t.start } : { kind: 'negate', operand, start: t.start, end: operand.end };
    }
    return this.power();
  }

  private power(): ExprNode {
    const base = this.primary();
    if (!this.isOp('^')) return base;
    const t = this.next();
    this.enter(t);
    const exponent = this.unary(); // right-associative: 2^3^2 = 2^(3^2); 2^-1 allowed
    this.depth--;
    return { kind: 'binary', op: '^', left: base, right: exponent, start: base.start, end: exponent.end };
  }

  private enter(t: Token): void {
    if (++this.depth > MAX_DEPTH) throw new ExpressionSyntaxError(`nested more than ${MAX_DEPTH} levels deep`, t.start, t.end);
  }

  private primary(): ExprNode {
    const t = this.peek;
    if (t.kind === 'number') {
      this.next();
      return { kind: 'number', value: Number(t.text), start: t.start, end: t.end };
    }
    if (t.kind === 'name') {
      this.next();
      const open = this.peek;
      if (open.kind === '(') {
        if (!isFunction(t.text)) {
          throw new ExpressionSyntaxError(`unknown function '${t.text}' (known: ${EXPRESSION_FUNCTIONS.join(', ')})`, t.start, t.end);
        }
        this.next();
        this.enter(open);
        const arg = this.expr();
        this.depth--;
        if (this.peek.kind !== ')') this.fail(`')' to close '${t.text}(' at column ${open.start + 1}`);
        const close = this.next();
        return { kind: 'call', fn: t.text, arg, start: t.start, end: close.end };
      }
      if (isFunction(t.text)) this.fail(`'(' after the function '${t.text}'`);
      return { kind: 'variable', name: t.text, start: t.start, end: t.end };
    }
    if (t.kind === '(') {
      this.next();
      this.enter(t);
      const inner = this.expr();
      this.depth--;
      if (this.peek.kind !== ')') this.fail(`')' to close '(' at column ${t.start + 1}`);
      const close = this.next();
      return { ...inner, start: t.start, end: close.end };
    }
    return this.fail('a number, a name or \'(\'');
  }
}

const MAX_DEPTH = 200;

/**
 * Parses an expression into a syntax tree with source positions; throws an
 * {@link ExpressionSyntaxError} (with `.position`) on bad input.
 *
 * @example
 * const ast = parseExpression('(x + y) * sin(x)');
 * ast.kind;  // 'binary'
 * parseExpression('2^3^2');     // 2^(3^2), right-associative
 * parseExpression('x + * y');   // throws: expected a number, a name or '(' but found '*' at column 5
 */
export function parseExpression(text: string): ExprNode {
  if (typeof text !== 'string') throw new TypeError(`parseExpression: text must be a string, got ${typeof text}`);
  return new Parser(tokenize(text)).parse();
}

/**
 * The variable names of an expression, in order of first appearance.
 *
 * @example
 * variables(parseExpression('(x + y) * sin(x)')); // ['x', 'y']
 */
export function variables(ast: ExprNode): string[] {
  const names: string[] = [];
  walk(ast, (n) => {
    if (n.kind === 'variable' && !names.includes(n.name)) names.push(n.name);
  });
  return names;
}

/** Pre-order walk with an explicit stack (left before right). */
function walk(ast: ExprNode, visit: (n: ExprNode) => void): void {
  const stack: ExprNode[] = [ast];
  while (stack.length > 0) {
    const n = stack.pop()!;
    visit(n);
    if (n.kind === 'binary') stack.push(n.right, n.left);
    else if (n.kind === 'negate') stack.push(n.operand);
    else if (n.kind === 'call') stack.push(n.arg);
  }
}

/** Options of {@link evaluate} and {@link evaluateDual}. */
export interface EvaluateOptions<T> {
  /**
   * Called for every node of the tree once its result is known (children before
   * parents), with a number for a folded constant subexpression. The playground
   * uses it to pair tree nodes with graph nodes.
   */
  onNode?: (node: ExprNode, result: T | number) => void;
}

type Scalar = Value | Dual;

const NUMBER_FNS: Record<ExpressionFunction, (x: number) => number> = {
  sin: Math.sin,
  cos: Math.cos,
  exp: Math.exp,
  log: Math.log,
  tanh: Math.tanh,
  relu: (x) => (x > 0 ? x : 0),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  sqrt: Math.sqrt,
};

function callScalar<T extends Scalar>(fn: ExpressionFunction, x: T): T {
  // sqrt has no op of its own: x ** 0.5 (one powConst node).
  if (fn === 'sqrt') return x.pow(0.5) as T;
  return x[fn]() as T;
}

function binaryNumbers(op: BinaryOperator, a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '^': return Math.pow(a, b);
  }
}

function binaryScalar<T extends Scalar>(op: BinaryOperator, a: T | number, b: T | number): T {
  switch (op) {
    case '+': return add<T>(a, b);
    case '-': return sub<T>(a, b);
    case '*': return mul<T>(a, b);
    case '/': return div<T>(a, b);
    case '^': return pow<T>(a, b);
  }
}

/** Post-order evaluation with an explicit stack, folding number subtrees. */
function run<T extends Scalar>(ast: ExprNode, lookup: (name: string) => T, onNode?: (n: ExprNode, r: T | number) => void): T | number {
  const results: (T | number)[] = [];
  const stack: [ExprNode, boolean][] = [[ast, false]];
  while (stack.length > 0) {
    const [n, expanded] = stack.pop()!;
    if (!expanded && (n.kind === 'binary' || n.kind === 'negate' || n.kind === 'call')) {
      stack.push([n, true]);
      if (n.kind === 'binary') stack.push([n.right, false], [n.left, false]);
      else stack.push([n.kind === 'negate' ? n.operand : n.arg, false]);
      continue;
    }
    let r: T | number;
    switch (n.kind) {
      case 'number':
        r = n.value;
        break;
      case 'variable':
        r = lookup(n.name);
        break;
      case 'negate': {
        const x = results.pop()!;
        r = typeof x === 'number' ? -x : (x.neg() as T);
        break;
      }
      case 'call': {
        const x = results.pop()!;
        r = typeof x === 'number' ? NUMBER_FNS[n.fn](x) : callScalar(n.fn, x);
        break;
      }
      case 'binary': {
        const b = results.pop()!;
        const a = results.pop()!;
        r = typeof a === 'number' && typeof b === 'number' ? binaryNumbers(n.op, a, b) : binaryScalar<T>(n.op, a, b);
        break;
      }
    }
    onNode?.(n, r);
    results.push(r);
  }
  return results[0]!;
}

function checkVars(fn: string, vars: unknown): void {
  if (vars === null || typeof vars !== 'object') throw new TypeError(`${fn}: vars must be an object of variable values, got ${vars === null ? 'null' : typeof vars}`);
}

function missing(fn: string, name: string): AdjointError {
  return new AdjointError(fn, `no value for the variable '${name}'`);
}

/**
 * Evaluates an expression with the reverse-mode engine: every variable becomes a
 * leaf `Value` (labelled with its name; pass a `Value` instead of a number to use
 * your own leaf), every op a node, so `.backward()` on the result gives the
 * gradient. A constant expression gives a leaf.
 *
 * @example
 * const x = new Value(2, 'x'), y = new Value(3, 'y');
 * const f = evaluate(parseExpression('(x + y) * sin(x)'), { x, y });
 * f.backward();
 * x.grad; // sin 2 + 5 cos 2 ≈ -1.1714
 * y.grad; // sin 2 ≈ 0.9093
 */
export function evaluate(
  ast: ExprNode,
  vars: Readonly<Record<string, number | Value>>,
  options: EvaluateOptions<Value> = {},
): Value {
  checkVars('evaluate', vars);
  const leaves = new Map<string, Value>();
  // Leaves in order of first appearance, so the graph reads x, y, ... then the ops.
  for (const name of variables(ast)) {
    const v = Object.hasOwn(vars, name) ? vars[name] : undefined;
    if (v instanceof Value) leaves.set(name, v);
    else if (typeof v === 'number') leaves.set(name, new Value(v, name));
    else throw missing('evaluate', name);
  }
  const r = run<Value>(ast, (name) => leaves.get(name)!, options.onNode);
  return typeof r === 'number' ? new Value(r) : r;
}

/**
 * Evaluates an expression in forward mode: every variable becomes a `Dual` with
 * tangent 1 for `seedVar` and 0 for the others (pass a `Dual` instead of a number
 * to choose the tangent yourself), so the result's `.tangent` is ∂f/∂seedVar.
 *
 * @example
 * const f = evaluateDual(parseExpression('(x + y) * sin(x)'), { x: 2, y: 3 }, 'x');
 * f.value;   // 5 sin 2
 * f.tangent; // sin 2 + 5 cos 2
 */
export function evaluateDual(
  ast: ExprNode,
  vars: Readonly<Record<string, number | Dual>>,
  seedVar?: string,
  options: EvaluateOptions<Dual> = {},
): Dual {
  checkVars('evaluateDual', vars);
  const leaves = new Map<string, Dual>();
  for (const name of variables(ast)) {
    const v = Object.hasOwn(vars, name) ? vars[name] : undefined;
    if (v instanceof Dual) leaves.set(name, v);
    else if (typeof v === 'number') leaves.set(name, new Dual(v, name === seedVar ? 1 : 0));
    else throw missing('evaluateDual', name);
  }
  const r = run<Dual>(ast, (name) => leaves.get(name)!, options.onNode);
  return typeof r === 'number' ? new Dual(r, 0) : r;
}

/** A compiled expression: runs in either mode, positional arguments in `names` order. */
export interface ExpressionFunctionOf {
  (...xs: Value[]): Value;
  (...xs: Dual[]): Dual;
}

/**
 * Compiles an expression into a function of its variables (in `names` order,
 * by default {@link variables}) that runs on `Value`s or `Dual`s: what
 * `countForwardMode`, `countReverseMode`, `gradient` and `gradientForward` take.
 *
 * @example
 * const ast = parseExpression('(x + y) * sin(x)');
 * const f = compileExpression(ast);              // f(x, y)
 * countReverseMode(f, [2, 3]).gradient;          // [sin 2 + 5 cos 2, sin 2]
 * countForwardMode(f, [2, 3]).passes;            // 2
 */
export function compileExpression(ast: ExprNode, names: readonly string[] = variables(ast)): ExpressionFunctionOf {
  for (const name of variables(ast)) {
    if (!names.includes(name)) throw missing('compileExpression', name);
  }
  const f = (...xs: Scalar[]): Scalar => {
    if (xs.length !== names.length) {
      throw new AdjointError('compileExpression', `expected ${names.length} arguments (${names.join(', ')}), got ${xs.length}`);
    }
    const dual = xs.some((x) => x instanceof Dual);
    const r = run<Scalar>(ast, (name) => xs[names.indexOf(name)]!);
    if (typeof r !== 'number') return r;
    return dual ? new Dual(r, 0) : new Value(r);
  };
  return f as ExpressionFunctionOf;
}
