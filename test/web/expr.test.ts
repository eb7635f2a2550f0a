// The playground's expression grammar (src/scalar/expr.ts): precedence, associativity,
// positions, syntax errors with their offsets, and results against closed forms in both modes.
import { describe, expect, it } from 'vitest';
import {
  Dual, ExpressionSyntaxError, Value, compileExpression, countForwardMode, countOps, countReverseMode, evaluate,
  evaluateDual, parseExpression, topoSort, variables, type ExprNode,
} from 'adjoint/scalar';

function close(actual: number, expected: number, rtol = 1e-12): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(1e-14 + rtol * Math.abs(expected));
}

/** Fully parenthesized form of a tree, to read precedence and associativity off. */
function show(n: ExprNode): string {
  switch (n.kind) {
    case 'number': return String(n.value);
    case 'variable': return n.name;
    case 'negate': return `(-${show(n.operand)})`;
    case 'call': return `${n.fn}(${show(n.arg)})`;
    case 'binary': return `(${show(n.left)} ${n.op} ${show(n.right)})`;
  }
}

const value = (text: string, vars: Record<string, number> = {}): number => evaluate(parseExpression(text), vars).data;

function syntaxError(text: string): ExpressionSyntaxError {
  try {
    parseExpression(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ExpressionSyntaxError);
    return e as ExpressionSyntaxError;
  }
  throw new Error(`'${text}' parsed without error`);
}

describe('parseExpression: precedence and associativity', () => {
  it.each([
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['(1 + 2) * 3', '((1 + 2) * 3)'],
    ['10 - 3 - 2', '((10 - 3) - 2)'],
    ['8 / 4 / 2', '((8 / 4) / 2)'],
    ['2 * 3 ^ 2', '(2 * (3 ^ 2))'],
    ['2 ^ 3 ^ 2', '(2 ^ (3 ^ 2))'],
    ['2 ** 3 ** 2', '(2 ^ (3 ^ 2))'],
    ['-x ^ 2', '(-(x ^ 2))'],
    ['2 ^ -x', '(2 ^ (-x))'],
    ['-x * y', '((-x) * y)'],
    ['--x', '(-(-x))'],
    ['+x - y', '(x - y)'],
    ['x / y * z', '((x / y) * z)'],
    ['sin(x) ^ 2 + cos(x)^2', '((sin(x) ^ 2) + (cos(x) ^ 2))'],
    ['exp(-x) * log(1 + x)', '(exp((-x)) * log((1 + x)))'],
    ['sqrt(relu(sigmoid(tanh(x))))', 'sqrt(relu(sigmoid(tanh(x))))'],
    ['1.5e-3 + .5 + 2.', '((0.0015 + 0.5) + 2)'],
    ['x_1 * alpha2', '(x_1 * alpha2)'],
  ])('%s parses as %s', (text, expected) => {
    expect(show(parseExpression(text))).toBe(expected);
  });

  it.each([
    ['1 + 2 * 3', 7],
    ['10 - 3 - 2', 5],
    ['8 / 4 / 2', 1],
    ['2 ^ 3 ^ 2', 512],
    ['-2 ^ 2', -4],
    ['(-2) ^ 2', 4],
    ['2 ^ -1', 0.5],
    ['2 * 3 ^ 2', 18],
    ['-(3 - 5) * 2', 4],
  ])('%s = %d', (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  it('keeps source positions on every node', () => {
    const text = '(x + y) * sin(x)';
    const ast = parseExpression(text);
    expect(ast.kind).toBe('binary');
    if (ast.kind !== 'binary') return;
    expect(text.slice(ast.start, ast.end)).toBe(text);
    expect(text.slice(ast.left.start, ast.left.end)).toBe('(x + y)');
    expect(text.slice(ast.right.start, ast.right.end)).toBe('sin(x)');
    if (ast.right.kind !== 'call') throw new Error('expected a call');
    expect(ast.right.arg).toMatchObject({ kind: 'variable', name: 'x', start: 14, end: 15 });
  });

  it('lists variables in order of first appearance', () => {
    expect(variables(parseExpression('(x + y) * sin(x)'))).toEqual(['x', 'y']);
    expect(variables(parseExpression('b * a + exp(c) - a'))).toEqual(['b', 'a', 'c']);
    expect(variables(parseExpression('2 * 3'))).toEqual([]);
  });
});

describe('parseExpression: syntax errors carry the position', () => {
  it.each([
    ['', 0, /empty expression/],
    ['   ', 0, /empty expression/],
    ['x + * y', 4, /expected a number, a name or '\(' but found '\*'/],
    ['(x + y', 6, /expected '\)' to close '\(' at column 1 but found end of input/],
    ['sin(x', 5, /to close 'sin\('/],
    ['x + y)', 5, /unmatched '\)'/],
    ['2x', 1, /expected an operator but found name 'x'/],
    ['foo(x)', 0, /unknown function 'foo'/],
    ['sin x', 4, /expected '\(' after the function 'sin'/],
    ['x $ y', 2, /unexpected character '\$'/],
    ['x +', 3, /found end of input/],
    ['x ^ ^ 2', 4, /found '\^'/],
    ['()', 1, /found '\)'/],
    ['1.2.3', 3, /expected an operator but found number .3/],
  ])('%j fails at offset %d', (text, position, message) => {
    const e = syntaxError(text);
    expect(e.position).toBe(position);
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(new RegExp(`at column ${position + 1}$`));
    expect(e.message.startsWith('parseExpression: ')).toBe(true);
    expect(e.end).toBeGreaterThanOrEqual(e.position);
  });

  it('refuses absurd nesting without overflowing the stack', () => {
    const e = syntaxError('('.repeat(5000) + 'x' + ')'.repeat(5000));
    expect(e.message).toMatch(/nested more than/);
  });
});

describe('evaluate / evaluateDual: the real engine', () => {
  it('(x + y) * sin(x) at (2, 3): the chapter graph, values and adjoints', () => {
    const x = new Value(2, 'x');
    const y = new Value(3, 'y');
    const f = evaluate(parseExpression('(x + y) * sin(x)'), { x, y });
    close(f.data, 5 * Math.sin(2));
    expect(topoSort(f)).toHaveLength(5); // x, y, x + y, sin x, product
    f.backward();
    close(x.grad, Math.sin(2) + 5 * Math.cos(2));
    close(y.grad, Math.sin(2));
    close(x.grad, -1.1714368, 1e-6);
    const dx = evaluateDual(parseExpression('(x + y) * sin(x)'), { x: 2, y: 3 }, 'x');
    const dy = evaluateDual(parseExpression('(x + y) * sin(x)'), { x: 2, y: 3 }, 'y');
    close(dx.value, 5 * Math.sin(2));
    close(dx.tangent, Math.sin(2) + 5 * Math.cos(2));
    close(dy.tangent, Math.sin(2));
  });

  const cases: [string, (x: number) => number, (x: number) => number][] = [
    ['x^3 * log(x) + exp(-x)', (x) => x ** 3 * Math.log(x) + Math.exp(-x), (x) => 3 * x * x * Math.log(x) + x * x - Math.exp(-x)],
    ['sqrt(x)', Math.sqrt, (x) => 0.5 / Math.sqrt(x)],
    ['tanh(2 * x) / x', (x) => Math.tanh(2 * x) / x, (x) => (2 / Math.cosh(2 * x) ** 2) * (1 / x) - Math.tanh(2 * x) / (x * x)],
    ['sigmoid(x) * (1 - x)', (x) => (1 - x) / (1 + Math.exp(-x)), (x) => {
      const s = 1 / (1 + Math.exp(-x));
      return s * (1 - s) * (1 - x) - s;
    }],
    ['relu(x - 1) + relu(-x)', (x) => Math.max(0, x - 1) + Math.max(0, -x), (x) => (x > 1 ? 1 : 0) - (x < 0 ? 1 : 0)],
    ['2^x - x^x', (x) => 2 ** x - x ** x, (x) => Math.log(2) * 2 ** x - x ** x * (Math.log(x) + 1)],
    ['cos(x)^2 + sin(x)^2', () => 1, () => 0],
    ['1 / (1 + x^2)', (x) => 1 / (1 + x * x), (x) => (-2 * x) / (1 + x * x) ** 2],
  ];

  it.each(cases)('%s: value and derivative in reverse and forward mode', (text, f, df) => {
    const ast = parseExpression(text);
    for (const x0 of [0.3, 1.7, 2.5]) {
      const x = new Value(x0);
      const out = evaluate(ast, { x });
      close(out.data, f(x0), 1e-12);
      out.backward();
      close(x.grad, df(x0), 1e-10);
      const d = evaluateDual(ast, { x: x0 }, 'x');
      close(d.value, f(x0), 1e-12);
      close(d.tangent, df(x0), 1e-10);
    }
  });

  it('folds number subexpressions and number operands like the engine', () => {
    const x = new Value(3, 'x');
    const f = evaluate(parseExpression('x * (2 * 3) - 1'), { x });
    expect(topoSort(f).map((v) => v.op)).toEqual(['', '*6', '-1']);
    expect(evaluate(parseExpression('2 * 3'), {}).data).toBe(6);
    const d = evaluateDual(parseExpression('sin(0) + 4'), {}, 'x');
    expect([d.value, d.tangent]).toEqual([4, 0]);
    // A number on the left of a non-commutative op becomes a leaf, as in the chapter.
    expect(topoSort(evaluate(parseExpression('1 - x'), { x })).map((v) => v.op)).toEqual(['', '', '-']);
  });

  it('reports each tree node with its result through onNode', () => {
    const seen: string[] = [];
    const text = '(x + y) * sin(x)';
    evaluate(parseExpression(text), { x: 2, y: 3 }, {
      onNode: (n, r) => seen.push(`${text.slice(n.start, n.end)}=${(typeof r === 'number' ? r : r.data).toFixed(3)}`),
    });
    expect(seen).toEqual(['x=2.000', 'y=3.000', '(x + y)=5.000', 'x=2.000', 'sin(x)=0.909', '(x + y) * sin(x)=4.546']);
  });

  it('uses given leaves and duals, and names a missing variable', () => {
    const d = evaluateDual(parseExpression('x * y'), { x: new Dual(2, 1), y: new Dual(3, 1) });
    expect([d.value, d.tangent]).toEqual([6, 5]);
    expect(() => evaluate(parseExpression('x + z'), { x: 1 })).toThrow("evaluate: no value for the variable 'z'");
    expect(() => evaluateDual(parseExpression('q'), {}, 'q')).toThrow("evaluateDual: no value for the variable 'q'");
  });

  it('compileExpression feeds the op counters of both modes', () => {
    const ast = parseExpression('(x + y) * sin(x)');
    const f = compileExpression(ast);
    const rev = countReverseMode(f, [2, 3]);
    const fwd = countForwardMode(f, [2, 3]);
    close(rev.gradient[0]!, Math.sin(2) + 5 * Math.cos(2));
    close(fwd.gradient[1]!, Math.sin(2));
    expect(fwd.passes).toBe(2);
    const out = evaluate(ast, { x: 2, y: 3 });
    const c = countOps(out);
    expect(rev.forward).toBe(c.forward);
    expect(rev.backward).toBe(c.backward);
    expect(() => f(new Value(1))).toThrow(/expected 2 arguments \(x, y\), got 1/);
    expect(() => compileExpression(ast, ['x'])).toThrow(/no value for the variable 'y'/);
  });
});
