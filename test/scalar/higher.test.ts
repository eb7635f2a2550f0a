import { describe, expect, it } from 'vitest';
import { Value, grad, sin, mul, pow } from '../../src/scalar/index.js';

function expectClose(actual: number, expected: number, rtol = 1e-12, atol = 1e-13): void {
  const ok = Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
  expect(ok, `${actual} vs ${expected}`).toBe(true);
}

// f(x) = x³ sin x and its derivatives in closed form.
const f = (x: Value) => x.pow(3).mul(x.sin());
const d1 = (x: number) => 3 * x * x * Math.sin(x) + x ** 3 * Math.cos(x);
const d2 = (x: number) => 6 * x * Math.sin(x) + 6 * x * x * Math.cos(x) - x ** 3 * Math.sin(x);
const d3 = (x: number) => 6 * Math.sin(x) + 18 * x * Math.cos(x) - 9 * x * x * Math.sin(x) - x ** 3 * Math.cos(x);

describe('grad(f)', () => {
  it('gives f\' as a Value, and grad(grad(f)) the exact f\'\' of x³·sin x', () => {
    for (const x of [-1.3, 0.5, 2, 3.7]) {
      const g1 = grad(f)(x);
      expect(g1).toBeInstanceOf(Value);
      expectClose(g1.data, d1(x));
      expectClose(grad(grad(f))(x).data, d2(x));
      expectClose(grad(grad(grad(f)))(x).data, d3(x), 1e-11);
    }
  });

  it('gives the same first derivative as backward(), bit for bit', () => {
    const x = new Value(1.1);
    f(x).backward();
    expect(grad(f)(1.1).data).toBe(x.grad);
  });

  it('does not touch .grad of its arguments', () => {
    const x = new Value(2);
    grad(grad(f))(x);
    expect(x.grad).toBe(0);
    expect(x.gradValue).toBeNull();
  });

  it('takes several arguments and argnums; mixed partials work', () => {
    const h = (x: Value, y: Value) => x.mul(x).mul(y).add(x.mul(y).sin()); // x²y + sin(xy)
    const [gx, gy] = grad(h, { argnums: [0, 1] })(1, 2);
    expectClose(gx!.data, 2 * 1 * 2 + 2 * Math.cos(2));
    expectClose(gy!.data, 1 + 1 * Math.cos(2));
    expectClose(grad(h, { argnums: 1 })(1, 2).data, 1 + Math.cos(2));
    // ∂²h/∂x∂y = 2x + cos(xy) − xy sin(xy)
    const dxy = grad(grad(h, { argnums: 0 }), { argnums: 1 })(1, 2);
    expectClose(dxy.data, 2 + Math.cos(2) - 2 * Math.sin(2));
  });

  it('gives zero (a Value) for an argument the output does not depend on, like JAX', () => {
    const h = (x: Value, y: Value) => x.mul(3).add(y.mul(0));
    expect(grad((x: Value) => x.mul(0).add(5))(2).data).toBe(0);
    expect(grad(() => 7)(2).data).toBe(0);
    expect(grad(h, { argnums: [0, 1] })(1, 1).map((v) => v.data)).toEqual([3, 0]);
    // f(x) = x: f' = 1, f'' = 0
    expect(grad((x: Value) => x)(4).data).toBe(1);
    expect(grad(grad((x: Value) => x))(4).data).toBe(0);
  });

  it('works through the function forms and every op (finite differences of f\')', () => {
    const ops: ((x: Value) => Value)[] = [
      (x) => x.exp().mul(x.cos()),
      (x) => x.log().div(x.add(1)),
      (x) => x.tanh().pow(2).add(x.sigmoid()),
      (x) => pow(x, x).sub(x.neg().relu()),
      (x) => mul(sin(x), 2).div(x),
      (x) => x.relu().mul(x).sub(x.pow(new Value(1.5))),
    ];
    const h = 1e-5;
    for (const g of ops) {
      for (const x of [0.7, 1.9]) {
        const second = grad(grad(g))(x).data;
        const fd = (grad(g)(x + h).data - grad(g)(x - h).data) / (2 * h);
        expect(Math.abs(second - fd), `f'' ${second} vs ${fd}`).toBeLessThan(1e-6 * (1 + Math.abs(fd)));
      }
    }
  });

  it('rejects bad arguments', () => {
    expect(() => grad(f)('x' as unknown as number)).toThrow(TypeError);
    expect(() => grad(f, { argnums: 2 })(1)).toThrow(RangeError);
    expect(() => grad(3 as unknown as (x: Value) => Value)).toThrow(TypeError);
  });
});

describe('backward({createGraph: true})', () => {
  it('sets a differentiable gradValue: backward through it gives f\'\'', () => {
    for (const x0 of [0.4, 2, -2.5]) {
      const x = new Value(x0);
      f(x).backward({ createGraph: true });
      expectClose(x.grad, d1(x0));
      expect(x.gradValue).toBeInstanceOf(Value);
      expectClose(x.gradValue!.data, d1(x0));
      x.grad = 0;
      x.gradValue!.backward();
      expectClose(x.grad, d2(x0));
    }
  });

  it('agrees with the numeric path on every node of a mixed graph', () => {
    const build = () => {
      const a = new Value(0.8);
      const b = new Value(-1.4);
      const c = a.mul(b).add(a.exp()).div(b.pow(2)).sub(a.tanh().sigmoid()).add(b.cos().mul(a.sin()));
      return { a, b, out: c.add(c.relu()).log() };
    };
    const p = build();
    p.out.backward();
    const q = build();
    q.out.backward({ createGraph: true });
    // Same rules; only the order in which a node's contributions are summed differs.
    expectClose(q.a.grad, p.a.grad, 1e-15, 0);
    expectClose(q.b.grad, p.b.grad, 1e-15, 0);
    expect(q.a.gradValue!.data).toBe(q.a.grad);
    expect(q.out.gradValue!.data).toBe(1);
  });

  it('accumulates gradValue like grad', () => {
    const x = new Value(1.5);
    const y = x.mul(x);
    y.backward({ createGraph: true });
    y.backward({ createGraph: true });
    expect(x.grad).toBe(6);
    expect(x.gradValue!.data).toBe(6);
    x.grad = 0;
    x.gradValue!.backward(); // d/dx (2x + 2x) = 4
    expect(x.grad).toBe(4);
  });
});
