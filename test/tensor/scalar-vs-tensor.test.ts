/**
 * The same expressions through the scalar engine (`Value`) and the tensor
 * engine give the same values and gradients: two independent
 * implementations of reverse mode checked against each other.
 */
import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '../../src/index.js';
import { Value } from '../../src/scalar/index.js';

/** The operations both engines share, by name. */
interface Num<T> {
  add(o: T | number): T;
  sub(o: T | number): T;
  mul(o: T | number): T;
  div(o: T | number): T;
  pow(o: number): T;
  neg(): T;
  exp(): T;
  log(): T;
  tanh(): T;
  relu(): T;
  sigmoid(): T;
  sin(): T;
  cos(): T;
}

type Expr = <T extends Num<T>>(a: T, b: T, c: T) => T;

const EXPRESSIONS: Record<string, Expr> = {
  polynomial: (a, b, c) => a.mul(a).mul(b).add(c.pow(3)).sub(a.mul(2)),
  rational: (a, b, c) => a.div(b.mul(b).add(1)).add(c.div(a.add(3))),
  transcendental: (a, b, c) => a.sin().mul(b.cos()).add(c.exp().log()).add(a.mul(b).tanh()),
  neuron: (a, b, c) => a.mul(0.7).add(b.mul(-1.3)).add(c).tanh().relu().add(a.sigmoid()),
  shared: (a, b, c) => {
    const h = a.mul(b).add(c);
    return h.mul(h).neg().exp().add(h.sigmoid().mul(h));
  },
};

const POINTS: [number, number, number][] = [
  [0.5, -1.25, 0.75],
  [1.5, 0.3, -0.4],
  [-0.8, 2.0, 1.1],
];

describe('scalar engine vs tensor engine', () => {
  for (const [name, f] of Object.entries(EXPRESSIONS)) {
    it(`${name}: values and gradients agree`, () => {
      for (const p of POINTS) {
        const vs = p.map((v) => new Value(v));
        const out = f(vs[0]!, vs[1]!, vs[2]!);
        out.backward();

        const ts = p.map((v) => tensor(v, { dtype: 'float64', requiresGrad: true }));
        const y = f<Tensor>(ts[0]!, ts[1]!, ts[2]!);
        y.backward();

        expect(y.item()).toBeCloseTo(out.data, 12);
        ts.forEach((t, i) => expect(t.grad!.item()).toBeCloseTo(vs[i]!.grad, 12));
      }
    });
  }

  it('elementwise over a vector equals one scalar graph per element', () => {
    const xs = [0.1, -0.6, 1.3, 2.2];
    const f = EXPRESSIONS.transcendental!;
    const t = tensor(xs, { dtype: 'float64', requiresGrad: true });
    const y = f<Tensor>(t, t.mul(0.5), t.add(1));
    y.sum().backward();
    xs.forEach((x, i) => {
      const v = new Value(x);
      const out = f(v, v.mul(0.5), v.add(1));
      out.backward();
      expect((y.toArray() as number[])[i]).toBeCloseTo(out.data, 12);
      expect((t.grad!.toArray() as number[])[i]).toBeCloseTo(v.grad, 12);
    });
  });
});
