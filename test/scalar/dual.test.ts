import { describe, expect, it } from 'vitest';
import {
  Dual, Value, add, cos, derivative, div, exp, gradient, gradientForward, jacobianForward, jacobianReverse, log,
  mul, neg, pow, relu, sigmoid, sin, sub, tanh,
} from '../../src/scalar/index.js';

function expectClose(actual: number, expected: number, rtol = 1e-12, atol = 1e-14): void {
  const ok = Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
  expect(ok, `${actual} vs ${expected}`).toBe(true);
}

describe('Dual', () => {
  it('carries value and tangent through every op (closed forms)', () => {
    const x0 = 0.9;
    const x = new Dual(x0, 1);
    const cases: [Dual, number, number][] = [
      [x.neg(), -x0, -1],
      [x.exp(), Math.exp(x0), Math.exp(x0)],
      [x.log(), Math.log(x0), 1 / x0],
      [x.tanh(), Math.tanh(x0), 1 / Math.cosh(x0) ** 2],
      [x.relu(), x0, 1],
      [new Dual(-x0, 1).relu(), 0, 0],
      [x.sigmoid(), 1 / (1 + Math.exp(-x0)), Math.exp(-x0) / (1 + Math.exp(-x0)) ** 2],
      [x.sin(), Math.sin(x0), Math.cos(x0)],
      [x.cos(), Math.cos(x0), -Math.sin(x0)],
      [x.pow(3), x0 ** 3, 3 * x0 * x0],
      [x.pow(0), 1, 0],
      [x.pow(x), x0 ** x0, x0 ** x0 * (Math.log(x0) + 1)],
      [x.add(2), x0 + 2, 1],
      [x.sub(2), x0 - 2, 1],
      [x.mul(2), 2 * x0, 2],
      [x.div(2), x0 / 2, 0.5],
      [x.add(x), 2 * x0, 2],
      [x.sub(x), 0, 0],
      [x.mul(x), x0 * x0, 2 * x0],
      [x.div(x.add(1)), x0 / (x0 + 1), 1 / (x0 + 1) ** 2],
      [add(3, x), 3 + x0, 1],
      [sub(3, x), 3 - x0, -1],
      [mul(3, x), 3 * x0, 3],
      [div(3, x), 3 / x0, -3 / (x0 * x0)],
      [pow(2, x), 2 ** x0, 2 ** x0 * Math.LN2],
      [neg(x), -x0, -1],
      [exp(x), Math.exp(x0), Math.exp(x0)],
      [log(x), Math.log(x0), 1 / x0],
      [tanh(x), Math.tanh(x0), 1 - Math.tanh(x0) ** 2],
      [relu(x), x0, 1],
      [sigmoid(x), 1 / (1 + Math.exp(-x0)), Math.exp(-x0) / (1 + Math.exp(-x0)) ** 2],
      [sin(x), Math.sin(x0), Math.cos(x0)],
      [cos(x), Math.cos(x0), -Math.sin(x0)],
    ];
    for (const [d, v, t] of cases) {
      expect(d).toBeInstanceOf(Dual);
      expectClose(d.value, v);
      expectClose(d.tangent, t);
    }
    expect(String(new Dual(1, 2))).toBe('Dual(value=1, tangent=2)');
    expect(new Dual(5).tangent).toBe(0);
  });

  it('derivative(f, x) is one forward pass: d/dx x³·sin x', () => {
    const f = (x: Dual) => x.pow(3).mul(x.sin());
    for (const x of [-2, 0.3, 1.7]) expectClose(derivative(f, x), 3 * x * x * Math.sin(x) + x ** 3 * Math.cos(x));
    expect(derivative(() => 4, 1)).toBe(0);
  });

  it('rejects bad operands and mixing with Value', () => {
    const x = new Dual(1, 1);
    expect(() => x.mul('a' as unknown as number)).toThrow(new TypeError('mul: operand must be a number or a Dual, got string'));
    expect(() => x.add(new Value(1) as unknown as number)).toThrow('add: operand must be a number or a Dual, got Value');
    expect(() => add(x, new Value(1) as unknown as Dual)).toThrow('add: cannot mix a Value and a Dual');
    expect(() => mul(new Value(1), x as unknown as Value)).toThrow(TypeError);
    expect(() => new Dual('1' as unknown as number)).toThrow(TypeError);
    expect(() => derivative((d) => d, '1' as unknown as number)).toThrow(TypeError);
  });
});

describe('forward mode and reverse mode agree', () => {
  // Exercise 28.2: f(x, y) = x²y + sin(xy), written once for both modes.
  const f = <T extends Value | Dual>(x: T, y: T): T => add(mul(mul(x, x), y), sin(mul(x, y)));
  const closed = (x: number, y: number) => [2 * x * y + y * Math.cos(x * y), x * x + x * Math.cos(x * y)];

  it('on Exercise 28.2: gradientForward (2 passes) = gradient (1 backward) = closed form', () => {
    for (const [x, y] of [[1, 2], [-0.5, 3], [2.2, -1.1]] as const) {
      const fwd = gradientForward(f, [x, y]);
      const rev = gradient(f, [x, y]);
      const [gx, gy] = closed(x, y);
      expectClose(fwd[0]!, gx!);
      expectClose(fwd[1]!, gy!);
      expectClose(rev[0]!, gx!);
      expectClose(rev[1]!, gy!);
    }
  });

  it('derivative (forward) = grad through Value (reverse) for many functions', () => {
    const fs = [
      <T extends Value | Dual>(x: T): T => div(exp(x), add(1, exp(x))),
      <T extends Value | Dual>(x: T): T => mul(tanh(x), log(add(x, 2))),
      <T extends Value | Dual>(x: T): T => sub(pow(x, 3), mul(cos(x), sigmoid(x))),
      <T extends Value | Dual>(x: T): T => add(relu(x), pow(x, x)),
    ];
    for (const g of fs) {
      for (const x of [0.3, 1.4]) {
        const [rev] = gradient((v) => g(v), [x]);
        expectClose(derivative((d) => g(d), x), rev!);
      }
    }
  });

  it('jacobianForward (n passes) = jacobianReverse (m passes) = closed form', () => {
    const g = <T extends Value | Dual>(x: T, y: T, z: T): T[] => [mul(x, y), add(sin(z), x), mul(exp(y), z)];
    const xs = [0.5, -1.2, 2];
    const jf = jacobianForward(g, xs);
    const jr = jacobianReverse(g, xs);
    const [x, y, z] = xs as [number, number, number];
    const expected = [
      [y, x, 0],
      [1, 0, Math.cos(z)],
      [0, Math.exp(y) * z, Math.exp(y)],
    ];
    expect(jf).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        expectClose(jf[i]![j]!, expected[i]![j]!);
        expectClose(jr[i]![j]!, expected[i]![j]!);
      }
    }
    expect(jacobianForward((a) => a.mul(2), [1])).toEqual([[2]]);
    expect(jacobianReverse((a) => a.mul(2), [1])).toEqual([[2]]);
  });

  it('a constant output has a zero gradient in both modes', () => {
    expect(gradientForward(() => 3, [1, 2])).toEqual([0, 0]);
    expect(gradient(() => 3, [1, 2])).toEqual([0, 0]);
  });
});
