/**
 * Function transforms against closed-form derivatives: grad, valueAndGrad,
 * vjp, jvp (true forward mode), jacobian, hessian, their compositions, and
 * checkpoint.
 */
import { describe, expect, it } from 'vitest';
import {
  ShapeError, checkpoint, grad, hessian, jacobian, jvp, manualSeed, rand, tensor, valueAndGrad, vjp, zeros, type Tensor,
} from '../../src/index.js';

const f64 = (v: number[] | number[][]): Tensor => tensor(v, { dtype: 'float64' });

function expectArray(t: Tensor, want: number[] | number[][], digits = 10): void {
  const got = (t.toArray() as unknown[]).flat(3) as number[];
  const exp = want.flat(3) as number[];
  expect(got.length).toBe(exp.length);
  got.forEach((v, i) => expect(v).toBeCloseTo(exp[i]!, digits));
}

describe('grad', () => {
  const cube = (x: Tensor): Tensor => x.pow(3).sum();

  it('grad(x³) = 3x², grad(grad(x³)) = 6x', () => {
    const x = f64([1, -2, 0.5]);
    expectArray(grad(cube)(x), [3, 12, 0.75]);
    expectArray(grad((t: Tensor) => grad(cube)(t).sum())(x), [6, -12, 3]);
  });

  it('third derivative: grad(grad(grad(sin)))', () => {
    const x = f64([0.3, 1.1]);
    const d1 = (t: Tensor): Tensor => grad((s: Tensor) => s.sin().sum())(t).sum();
    const d2 = (t: Tensor): Tensor => grad(d1)(t).sum();
    expectArray(grad(d2)(x), [-Math.cos(0.3), -Math.cos(1.1)]);
  });

  it('argnums: one gradient or an array; zeros for unused inputs (like JAX)', () => {
    const a = f64([1, 2]);
    const b = f64([3, 4]);
    const f = (x: Tensor, y: Tensor, z: Tensor): Tensor => x.mul(y).sum().add(z.mul(0).sum().mul(0));
    expectArray(grad(f, { argnums: 1 })(a, b, a), [1, 2]);
    const [ga, gb] = grad(f, { argnums: [0, 1] })(a, b, a);
    expectArray(ga!, [3, 4]);
    expectArray(gb!, [1, 2]);
    const unused = grad((x: Tensor, _y: Tensor) => x.sum(), { argnums: 1 })(a, b);
    expectArray(unused, [0, 0]);
  });

  it('does not touch .grad of the arguments and returns plain tensors', () => {
    const x = f64([1, 2]);
    const g = grad(cube)(x);
    expect(x.grad).toBeNull();
    expect(g.requiresGrad).toBe(false);
  });

  it('needs a scalar output', () => {
    expect(() => grad((x: Tensor) => x.mul(2))(f64([1, 2]))).toThrow(ShapeError);
    expect(() => grad((x: Tensor) => x.mul(2))(f64([1, 2]))).toThrow(
      'grad: the function must return a scalar (one-element) tensor, got shape [2]',
    );
  });

  it('keeps nested variables apart (no perturbation confusion)', () => {
    // d/dx [ d/dy (x·y) at y = x ] = d/dx x = 1 (not 2)
    expect(grad((x: Tensor) => grad((y: Tensor) => x.mul(y))(x))(f64([3]).sum()).item()).toBe(1);
    // d/dx [ x · d/dy (x·y) ] = d/dx x² = 2x
    const c = f64([5]).sum();
    expect(grad((x: Tensor) => x.mul(grad((y: Tensor) => x.mul(y))(c)))(f64([3]).sum()).item()).toBe(6);
  });

  it('valueAndGrad returns both', () => {
    const [v, g] = valueAndGrad((x: Tensor) => x.mul(x).sum())(f64([1, 2]));
    expect(v.item()).toBe(5);
    expectArray(g, [2, 4]);
  });
});

describe('vjp and jvp', () => {
  // f(x) = sin(x)·x², elementwise: f'(x) = cos(x)·x² + 2x·sin(x)
  const f = (x: Tensor): Tensor => x.sin().mul(x.mul(x));
  const df = (x: number): number => Math.cos(x) * x * x + 2 * x * Math.sin(x);
  const xs = [0.5, -1.2, 2];

  it('vjp: output and a reusable pullback', () => {
    const [y, pullback] = vjp(f, f64(xs));
    expectArray(y, xs.map((x) => Math.sin(x) * x * x));
    expectArray(pullback(f64([1, 1, 1]))[0]!, xs.map(df));
    expectArray(pullback(f64([2, 0, -1]))[0]!, xs.map((x, i) => [2, 0, -1][i]! * df(x)));
    expect(() => pullback(f64([1]))).toThrow("vjp: the cotangent must have the output's shape [3], got [1]");
  });

  it('jvp: output and directional derivative in one forward pass (no graph recorded)', () => {
    const [y, t] = jvp(f, [f64(xs)], [f64([1, 0, 2])]);
    expectArray(y, xs.map((x) => Math.sin(x) * x * x));
    expectArray(t, xs.map((x, i) => [1, 0, 2][i]! * df(x)));
    expect(y.requiresGrad).toBe(false);
    expect(t.requiresGrad).toBe(false);
    expect(t.gradFn).toBeNull();
  });

  it('jvp of several inputs and the vjp/jvp identity <u, J v> = <Jᵀu, v>', () => {
    const g = (a: Tensor, b: Tensor): Tensor => a.matmul(b).tanh().logsumexp(1);
    manualSeed(5);
    const a = rand([2, 3], { dtype: 'float64' });
    const b = rand([3, 4], { dtype: 'float64' });
    const va = rand([2, 3], { dtype: 'float64' });
    const vb = rand([3, 4], { dtype: 'float64' });
    const u = rand([2], { dtype: 'float64' });
    const [, jv] = jvp(g, [a, b], [va, vb]);
    const [, pullback] = vjp(g, a, b);
    const [ga, gb] = pullback(u);
    const lhs = u.mul(jv).sum().item();
    const rhs = ga!.mul(va).sum().add(gb!.mul(vb).sum()).item();
    expect(lhs).toBeCloseTo(rhs, 12);
  });

  it('jvp checks tangent shapes', () => {
    expect(() => jvp(f, [f64([1, 2])], [f64([1])])).toThrow('jvp: tangent 0 must have the shape of primal 0 [2], got [1]');
  });

  it('jvp of jvp gives second derivatives (nested forward mode)', () => {
    const inner = (x: Tensor): Tensor => jvp((s: Tensor) => s.sin(), [x], [f64([1])])[1];
    const [, d2] = jvp(inner, [f64([0.7])], [f64([1])]);
    expect(d2.item()).toBeCloseTo(-Math.sin(0.7), 12);
  });

  it('forward over reverse: jvp(grad(f)) is a Hessian-vector product', () => {
    // f = Σ x³ → H = diag(6x)
    const [g, hv] = jvp(grad((x: Tensor) => x.pow(3).sum()), [f64([1, 2])], [f64([1, -1])]);
    expectArray(g, [3, 12]);
    expectArray(hv, [6, -12]);
  });

  it('reverse over forward: grad of a jvp', () => {
    // d/dx [ J(x)·v ] for f = Σ sin: J v = Σ cos(x)·v → gradient −sin(x)·v
    const v = f64([1, 2]);
    const h = grad((x: Tensor) => jvp((s: Tensor) => s.sin().sum(), [x], [v])[1])(f64([0.3, 0.9]));
    expectArray(h, [-Math.sin(0.3), -2 * Math.sin(0.9)]);
  });
});

describe('jacobian and hessian', () => {
  it('the Jacobian of an elementwise map is diagonal', () => {
    const x = [0.1, 0.7, -0.4];
    const j = jacobian((t: Tensor) => t.tanh())(f64(x));
    expect(j.shape).toEqual([3, 3]);
    expectArray(j, x.map((a, r) => x.map((_, c) => (r === c ? 1 - Math.tanh(a) ** 2 : 0))));
  });

  it('the Jacobian of x ↦ A x is A, with shape out ++ in', () => {
    const A = f64([[1, 2, 3], [4, 5, 6]]);
    expectArray(jacobian((x: Tensor) => A.matmul(x))(f64([1, 1, 1])), [[1, 2, 3], [4, 5, 6]]);
    expect(jacobian((x: Tensor) => x.mul(2))(zeros([2, 2], { dtype: 'float64' })).shape).toEqual([2, 2, 2, 2]);
  });

  it('the Hessian of the quadratic form xᵀAx is A + Aᵀ', () => {
    const A = f64([[1, 2, 0], [3, 4, 5], [0, -1, 2]]);
    const H = hessian((x: Tensor) => x.matmul(A.matmul(x)))(f64([0.3, -0.2, 0.9]));
    expectArray(H, [[2, 5, 0], [5, 8, 4], [0, 4, 4]]);
    const H2 = jacobian(grad((x: Tensor) => x.matmul(A.matmul(x))))(f64([1, 2, 3]));
    expectArray(H2, [[2, 5, 0], [5, 8, 4], [0, 4, 4]]);
  });

  it('the Hessian of Σ exp(x) is diag(exp x)', () => {
    const H = hessian((x: Tensor) => x.exp().sum())(f64([0, 1]));
    expectArray(H, [[1, 0], [0, Math.E]]);
  });
});

describe('checkpoint', () => {
  const W = (): [Tensor, Tensor] => [
    f64([[0.5, -0.3], [0.2, 0.8]]).requiresGrad_(),
    f64([[1.0, 0.4], [-0.6, 0.1]]).requiresGrad_(),
  ];

  it('recomputes the region in backward and gives the plain gradients (also to captured weights)', () => {
    const [w1, w2] = W();
    let calls = 0;
    const block = (h: Tensor): Tensor => {
      calls++;
      return h.matmul(w1).tanh().matmul(w2).sin();
    };
    const x = f64([[1, 2]]).requiresGrad_();
    checkpoint(block, x).sum().backward();
    expect(calls).toBe(2);
    const got = [x.grad!, w1.grad!, w2.grad!].map((t) => t.toArray());

    // The same function by hand: y = sin(tanh(x W1) W2), loss = Σ y.
    const xv = [1, 2];
    const w1v = [[0.5, -0.3], [0.2, 0.8]];
    const w2v = [[1.0, 0.4], [-0.6, 0.1]];
    const a = [0, 1].map((j) => xv[0]! * w1v[0]![j]! + xv[1]! * w1v[1]![j]!);
    const h = a.map(Math.tanh);
    const z = [0, 1].map((k) => h[0]! * w2v[0]![k]! + h[1]! * w2v[1]![k]!);
    const gz = z.map(Math.cos);
    const gh = [0, 1].map((j) => gz[0]! * w2v[j]![0]! + gz[1]! * w2v[j]![1]!);
    const ga = gh.map((g, j) => g * (1 - h[j]! ** 2));
    const gx = [0, 1].map((i) => ga[0]! * w1v[i]![0]! + ga[1]! * w1v[i]![1]!);
    const gw1 = [0, 1].map((i) => [0, 1].map((j) => xv[i]! * ga[j]!));
    const gw2 = [0, 1].map((j) => [0, 1].map((k) => h[j]! * gz[k]!));
    [[gx], gw1, gw2].forEach((want, n) =>
      (got[n] as number[][]).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i]![j]!, 12))),
    );

    // and the same as without checkpoint
    const [v1, v2] = W();
    const x2 = f64([[1, 2]]).requiresGrad_();
    x2.matmul(v1).tanh().matmul(v2).sin().sum().backward();
    expect(x2.grad!.toArray()).toEqual(got[0]);
    expect(v1.grad!.toArray()).toEqual(got[1]);
    expect(v2.grad!.toArray()).toEqual(got[2]);
  });

  it('replays random numbers in the recomputation', () => {
    const x = f64([1, 2, 3]).requiresGrad_();
    const noisy = (t: Tensor): Tensor => t.mul(rand([3], { dtype: 'float64' })).exp();
    manualSeed(9);
    checkpoint(noisy, x).sum().backward();
    manualSeed(9);
    const r = rand([3], { dtype: 'float64' }).toArray() as number[];
    expectArray(x.grad!, [1, 2, 3].map((v, i) => r[i]! * Math.exp(v * r[i]!)));
  });

  it('works with createGraph (second derivatives through a checkpoint)', () => {
    const g = grad((x: Tensor) => grad((t: Tensor) => checkpoint((s: Tensor) => s.pow(3), t).sum())(x).sum())(f64([2, -1]));
    expectArray(g, [12, -6]);
  });

  it('refuses arguments modified in place between forward and backward', () => {
    const x = f64([1, 2]);
    const w = f64([1, 1]).requiresGrad_();
    const y = checkpoint((a: Tensor) => a.mul(w).exp(), x);
    x.add_(1);
    expect(() => y.sum().backward()).toThrow(
      'checkpoint: argument 0 (shape [2]) was modified by an in-place operation after the forward pass (version 1, expected 0); the recomputation would differ',
    );
  });
});

describe('forward mode through in-place ops', () => {
  it('an in-place op updates the tangent', () => {
    const [y, t] = jvp((x: Tensor) => x.mul(1).mul_(3).add_(x.mul(x)), [f64([2])], [f64([1])]);
    expect(y.item()).toBe(10);
    expect(t.item()).toBe(7); // d(3x + x²) = 3 + 2x
  });
});
