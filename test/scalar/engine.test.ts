import { describe, expect, it } from 'vitest';
import {
  Dual, Value, add, cos, div, exp, grad, log, mul, neg, pow, relu, sigmoid, sin, sub, tanh, topoSort, zeroGrad,
} from '../../src/scalar/index.js';
import type { GraphNode } from '../../src/viz/graph.js';

/** |a - b| <= atol + rtol·|b|, with a readable failure. */
function expectClose(actual: number, expected: number, rtol = 1e-12, atol = 1e-14): void {
  const ok = Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
  expect(ok, `${actual} vs ${expected}`).toBe(true);
}

/** Central difference of a plain-number function. */
const central = (f: (x: number) => number, x: number, h = 1e-6): number => (f(x + h) - f(x - h)) / (2 * h);

describe("the chapter's tests", () => {
  it('Test 1: f(x, y) = x·y + relu(x²) at (2, 3): df/dx = y + 2x = 7, df/dy = x = 2', () => {
    const x = new Value(2);
    const y = new Value(3);
    const z = x.mul(y).add(x.mul(x).relu());
    expect(z.data).toBe(10);
    z.backward();
    expect(x.grad).toBe(7);
    expect(y.grad).toBe(2);
  });

  it('Test 2: exp(x) / (1 + exp(x)) is the sigmoid, f\' = f(1 - f)', () => {
    const x = new Value(1.5);
    const f = x.exp().div(x.exp().add(1));
    f.backward();
    const s = Math.exp(1.5) / (1 + Math.exp(1.5));
    expectClose(f.data, s);
    expectClose(x.grad, s * (1 - s));
  });

  it("Test 3: tanh'(0.7) = 1 - tanh²(0.7)", () => {
    const x = new Value(0.7);
    const f = x.tanh();
    f.backward();
    expectClose(f.data, Math.tanh(0.7));
    expectClose(x.grad, 1 - Math.tanh(0.7) ** 2);
  });

  it('Test 4: x³·log x + exp(-x) at 2 matches finite differences and the closed form', () => {
    const x = new Value(2);
    const f = x.pow(3).mul(x.log()).add(x.mul(-1).exp());
    f.backward();
    const g = (t: number) => t ** 3 * Math.log(t) + Math.exp(-t);
    expect(Math.abs(x.grad - central(g, 2))).toBeLessThan(1e-6);
    // d/dx = 3x² log x + x² - e^-x
    expectClose(x.grad, 3 * 4 * Math.log(2) + 4 - Math.exp(-2));
  });
});

describe('the adjoint table of f(x, y) = (x + y)·sin x at (2, 3)', () => {
  it('gives every adjoint of the chapter’s reverse pass', () => {
    const x = new Value(2, 'x');
    const y = new Value(3, 'y');
    const v3 = x.add(y);
    const v4 = x.sin();
    const v5 = v3.mul(v4);
    expect(v3.data).toBe(5);
    expect(v4.data).toBe(Math.sin(2));
    expect(v5.data).toBe(5 * Math.sin(2));
    v5.backward();
    expect(v5.grad).toBe(1); // seed
    expect(v3.grad).toBe(Math.sin(2)); // v̄5 · v4
    expect(v4.grad).toBe(5); // v̄5 · v3
    expectClose(x.grad, Math.sin(2) + 5 * Math.cos(2)); // v̄3 + v̄4 cos v1 ≈ -1.1713
    expect(y.grad).toBe(Math.sin(2)); // v̄3
    expect(x.grad).toBeCloseTo(-1.1714, 4);
  });
});

describe('each op against its closed-form derivative', () => {
  const unary: [string, (v: Value) => Value, (x: number) => number, (x: number) => number, number[]][] = [
    ['neg', (v) => v.neg(), (x) => -x, () => -1, [-1.5, 0.3]],
    ['exp', (v) => v.exp(), Math.exp, Math.exp, [-2, 0, 1.7]],
    ['log', (v) => v.log(), Math.log, (x) => 1 / x, [0.2, 1, 7]],
    ['tanh', (v) => v.tanh(), Math.tanh, (x) => 1 / Math.cosh(x) ** 2, [-3, 0, 0.5]],
    ['relu', (v) => v.relu(), (x) => Math.max(0, x), (x) => (x > 0 ? 1 : 0), [-2, 0, 3]],
    ['sigmoid', (v) => v.sigmoid(), (x) => 1 / (1 + Math.exp(-x)), (x) => Math.exp(-x) / (1 + Math.exp(-x)) ** 2, [-4, 0, 2.5]],
    ['sin', (v) => v.sin(), Math.sin, Math.cos, [-1, 0, 2]],
    ['cos', (v) => v.cos(), Math.cos, (x) => -Math.sin(x), [-1, 0, 2]],
    ['pow 3', (v) => v.pow(3), (x) => x ** 3, (x) => 3 * x * x, [-2, 0, 1.5]],
    ['pow -1', (v) => v.pow(-1), (x) => 1 / x, (x) => -1 / (x * x), [-2, 0.5]],
    ['pow 0.5', (v) => v.pow(0.5), Math.sqrt, (x) => 0.5 / Math.sqrt(x), [0.25, 4]],
    ['pow 0', (v) => v.pow(0), () => 1, () => 0, [0, 3]],
    ['mul 2.5', (v) => v.mul(2.5), (x) => 2.5 * x, () => 2.5, [-1, 3]],
    ['add 3', (v) => v.add(3), (x) => x + 3, () => 1, [-1, 3]],
    ['sub 3', (v) => v.sub(3), (x) => x - 3, () => 1, [-1, 3]],
    ['div 4', (v) => v.div(4), (x) => x / 4, () => 0.25, [-1, 3]],
  ];
  for (const [name, op, f, df, xs] of unary) {
    it(name, () => {
      for (const x0 of xs) {
        const x = new Value(x0);
        const y = op(x);
        expectClose(y.data, f(x0));
        y.backward();
        expectClose(x.grad, df(x0), 1e-12, 1e-15);
      }
    });
  }

  const binary: [string, (a: Value, b: Value) => Value, (a: number, b: number) => [number, number, number]][] = [
    ['add', (a, b) => a.add(b), (a, b) => [a + b, 1, 1]],
    ['sub', (a, b) => a.sub(b), (a, b) => [a - b, 1, -1]],
    ['mul', (a, b) => a.mul(b), (a, b) => [a * b, b, a]],
    ['div', (a, b) => a.div(b), (a, b) => [a / b, 1 / b, -a / (b * b)]],
    ['pow', (a, b) => a.pow(b), (a, b) => [a ** b, b * a ** (b - 1), a ** b * Math.log(a)]],
  ];
  for (const [name, op, closed] of binary) {
    it(`${name} (two Values)`, () => {
      for (const [a0, b0] of [[1.5, 2.5], [0.7, -1.2], [3, 0.5]] as const) {
        const a = new Value(a0);
        const b = new Value(b0);
        const y = op(a, b);
        const [v, da, db] = closed(a0, b0);
        expectClose(y.data, v);
        y.backward();
        expectClose(a.grad, da);
        expectClose(b.grad, db);
      }
    });
  }

  it('pow with a Value exponent: d/d exponent is 0 at base 0 (PyTorch), NaN for a negative base', () => {
    const a = new Value(0);
    const b = new Value(2);
    a.pow(b).backward();
    expect(a.grad).toBe(0);
    expect(b.grad).toBe(0);
    const c = new Value(-2);
    const d = new Value(2);
    c.pow(d).backward();
    expect(c.grad).toBe(-4);
    expect(d.grad).toBeNaN();
  });

  it('log of a negative number gives NaN like Math.log, without throwing', () => {
    const x = new Value(-1);
    const y = x.log();
    expect(y.data).toBeNaN();
    expect(Number.isNaN(log(-1).data)).toBe(true);
    y.backward();
    expect(x.grad).toBe(-1); // 1/x, finite
  });
});

describe('the functional forms', () => {
  it('mix numbers and Values on either side', () => {
    const x = new Value(2);
    expect(add(3, x).data).toBe(5);
    expect(add(x, 3).data).toBe(5);
    expect(sub(3, x).data).toBe(1);
    expect(mul(3, x).data).toBe(6);
    expect(div(1, x).data).toBe(0.5);
    expect(pow(2, x).data).toBe(4);
    expect(pow(x, new Value(3)).data).toBe(8);
    expect(add(1, 2)).toBeInstanceOf(Value);
    expect(add(1, 2).data).toBe(3);
    for (const [f, g] of [[neg, (t: number) => -t], [exp, Math.exp], [log, Math.log], [tanh, Math.tanh],
      [relu, (t: number) => Math.max(t, 0)], [sigmoid, (t: number) => 1 / (1 + Math.exp(-t))], [sin, Math.sin],
      [cos, Math.cos]] as const) {
      expect(f(new Value(0.4)).data).toBe(g(0.4));
      expect(f(0.4).data).toBe(g(0.4));
    }
  });

  it('differentiate through a number on the left (rsub, rdiv, rpow)', () => {
    const x = new Value(2);
    const y = sub(3, x).mul(div(1, x)).add(pow(2, x)); // (3 - x)/x + 2^x
    y.backward();
    // d/dx = -3/x² + 2^x ln 2
    expectClose(x.grad, -3 / 4 + 4 * Math.LN2);
  });
});

describe('graph structure for drawings and tables', () => {
  it('exposes op labels, children and labels', () => {
    const x = new Value(2, 'x');
    const y = new Value(3);
    expect(x.op).toBe('');
    expect(x.label).toBe('x');
    expect(y.label).toBe('');
    expect(x.children).toEqual([]);
    const s = x.add(y);
    expect(s.op).toBe('+');
    expect(s.children[0]).toBe(x);
    expect(s.children[1]).toBe(y);
    expect(x.mul(y).op).toBe('*');
    expect(x.sub(y).op).toBe('-');
    expect(x.div(y).op).toBe('/');
    expect(x.pow(y).op).toBe('**');
    expect(x.pow(2).op).toBe('**2');
    expect(x.pow(-1).op).toBe('**-1');
    expect(x.mul(2).op).toBe('*2');
    expect(x.add(0.001).op).toBe('+0.001');
    expect(x.sub(3).op).toBe('-3');
    expect(x.div(4).op).toBe('/4');
    for (const name of ['neg', 'exp', 'log', 'tanh', 'relu', 'sigmoid', 'sin', 'cos'] as const) {
      const n = x[name]();
      expect(n.op).toBe(name);
      expect(n.children).toEqual([x]);
    }
    expect(x.mul(2).children).toEqual([x]);
    const sq = x.mul(x);
    expect(sq.children).toEqual([x, x]);
    s.label = 'v3';
    expect(s.label).toBe('v3');
    s.label = '';
    expect(s.label).toBe('');
    // Structurally a viz GraphNode.
    const node: GraphNode = s;
    expect(node.data).toBe(5);
  });

  it('topoSort lists every node once, children before parents, output last', () => {
    const x = new Value(2, 'x');
    const y = new Value(3, 'y');
    const v3 = x.add(y);
    const v4 = x.sin();
    const f = v3.mul(v4);
    const order = topoSort(f);
    expect(order).toHaveLength(5);
    expect(new Set(order).size).toBe(5);
    expect(order[order.length - 1]).toBe(f);
    for (const n of order) for (const c of n.children) expect(order.indexOf(c)).toBeLessThan(order.indexOf(n));
    expect(topoSort(new Value(2).mul(3).exp()).map((v) => v.op)).toEqual(['', '*3', 'exp']);
    // Sorting leaves no trace: backward afterwards is unaffected.
    f.backward();
    expect(y.grad).toBe(Math.sin(2));
  });

  it('prints like the chapter', () => {
    expect(String(new Value(2))).toBe('Value(data=2.0000, grad=0.0000)');
  });
});

describe('gradient accumulation', () => {
  it('sums over every use of a node (multivariate chain rule)', () => {
    const x = new Value(3);
    const y = x.mul(x).add(x).add(x.sin()); // x² + x + sin x
    y.backward();
    expectClose(x.grad, 2 * 3 + 1 + Math.cos(3));
  });

  it('calling backward twice doubles every gradient (PyTorch-like), including the output’s', () => {
    const build = () => {
      const x = new Value(1.3);
      const y = new Value(-0.4);
      const h = x.mul(y).add(x.sin()).tanh();
      const f = h.mul(x).add(h.exp());
      return { x, y, h, f };
    };
    const once = build();
    once.f.backward();
    const twice = build();
    twice.f.backward();
    twice.f.backward();
    expect(twice.x.grad).toBe(2 * once.x.grad);
    expect(twice.y.grad).toBe(2 * once.y.grad);
    expect(twice.h.grad).toBe(2 * once.h.grad);
    expect(twice.f.grad).toBe(2);
    zeroGrad([twice.x, twice.y]);
    expect(twice.x.grad).toBe(0);
    expect(twice.y.grad).toBe(0);
  });

  it('accumulates across two outputs sharing a subgraph, and honours a seed', () => {
    const x = new Value(2);
    const s = x.mul(x);
    s.add(1).backward(); // d/dx x² = 4
    s.mul(3).backward(); // d/dx 3x² = 12
    expect(x.grad).toBe(16);
    const z = new Value(5);
    z.exp().backward({ seed: 0.5 });
    expectClose(z.grad, 0.5 * Math.exp(5));
  });

  it('backward on a leaf adds the seed to its grad', () => {
    const x = new Value(4);
    x.backward();
    expect(x.grad).toBe(1);
  });
});

describe('errors', () => {
  it('a non-number, non-Value operand is a TypeError naming the op', () => {
    const x = new Value(1);
    const bad = 'a' as unknown as number;
    expect(() => x.mul(bad)).toThrow(new TypeError('mul: operand must be a number or a Value, got string'));
    expect(() => x.add(undefined as unknown as number)).toThrow('add: operand must be a number or a Value, got undefined');
    expect(() => x.sub(null as unknown as number)).toThrow('sub: operand must be a number or a Value, got null');
    expect(() => x.div([] as unknown as number)).toThrow('div: operand must be a number or a Value, got Array');
    expect(() => x.pow({} as unknown as number)).toThrow('pow: operand must be a number or a Value, got Object');
    expect(() => mul(bad, x)).toThrow(new TypeError('mul: operand must be a number or a Value, got string'));
    expect(() => add(2, bad)).toThrow('add: operand must be a number or a Value, got string');
    expect(() => exp(bad)).toThrow(TypeError);
    expect(() => exp(bad)).toThrow('exp: operand must be a number, a Value or a Dual, got string');
    expect(() => new Value('2' as unknown as number)).toThrow(new TypeError('Value: data must be a number, got string'));
    expect(() => topoSort(3 as unknown as Value)).toThrow(TypeError);
  });
});

describe('deep graphs', () => {
  it('differentiates a chain of 10^6 steps (2·10^6 ops) without recursion', () => {
    const n = 1_000_000;
    const x0 = new Value(0.5);
    let x = x0;
    for (let i = 0; i < n; i++) x = x.mul(1.00001).add(0.001);
    x.backward();
    expectClose(x0.grad, Math.pow(1.00001, n), 1e-9);
    // Two walks over the same chain agree and leave no state behind.
    x0.grad = 0;
    x.backward();
    expectClose(x0.grad, Math.pow(1.00001, n), 1e-9);
    expect(topoSort(x)).toHaveLength(2 * n + 1);
  });

  it('a deep graph with fan-out (x_{i+1} = x_i·x_i·0.5 + x_i) matches the forward-mode product', () => {
    const x0 = new Value(0.3);
    let x = x0;
    let d = 1; // d x_i / d x_0 by the chain rule, step by step
    let v = 0.3;
    for (let i = 0; i < 50_000; i++) {
      x = x.mul(x).mul(1e-5).add(x);
      d *= 2e-5 * v + 1;
      v = v * v * 1e-5 + v;
    }
    x.backward();
    expectClose(x0.grad, d, 1e-9);
  });
});

describe('memory', () => {
  it('a 10,000-step training loop runs in bounded memory', async () => {
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const w = [new Value(0.3), new Value(-0.2), new Value(0.1)];
    const step = () => {
      let loss = new Value(0);
      for (let p = 0; p < 4; p++) {
        const out = w[0]!.mul(p).add(w[1]!).tanh().mul(w[2]!);
        loss = loss.add(out.sub(p % 2).pow(2));
      }
      zeroGrad(w);
      loss.backward();
      for (const q of w) q.data -= 0.01 * q.grad;
    };
    const used = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    for (let i = 0; i < 1000; i++) step();
    const before = used();
    for (let i = 0; i < 9000; i++) step(); // ~300k nodes, ~25 MB if they were kept
    const after = used();
    expect(after - before).toBeLessThan(3_000_000);
  });
});

describe('relu at NaN, as PyTorch 1.13 (torch.relu(nan) = nan, gradient 1)', () => {
  it('Value and Dual keep NaN and pass its derivative (the tensor op: test/tensor/ops.test.ts)', () => {
    const x = new Value(NaN);
    const y = x.relu();
    expect(y.data).toBeNaN();
    y.backward();
    expect(x.grad).toBe(1);
    const d = new Dual(NaN, 1).relu();
    expect(d.value).toBeNaN();
    expect(d.tangent).toBe(1);
    const g = grad((v: Value) => v.relu());
    expect(g(NaN).data).toBe(1);
    expect(g(0).data).toBe(0);
  });
});
