// vmap compositions, errors, per-sample gradients through functionalCall, jacrev/jacfwd/hvp/linearize, custom rules.
import { describe, expect, it } from 'vitest';
import {
  AutogradError, RangeArgError, ShapeError, type Tensor, customJvp, customVjp, checkpoint, grad, hvp, jacfwd, jacobian,
  jacrev, jvp, linearize, manualSeed, rand, randn, stack, tensor, vjp, vmap, zeros,
} from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import * as F from '../../src/nn/functional/index.js';
import { gradcheck } from '../../src/check/index.js';

const maxDiff = (a: Tensor, b: Tensor): number => {
  expect(a.shape).toEqual(b.shape);
  return a.sub(b).abs().max().item();
};

describe('vmap compositions', () => {
  manualSeed(5);
  const X = randn([4, 3], { dtype: 'float64' });
  const w = randn([3], { dtype: 'float64' });
  const loss = (w: Tensor, x: Tensor) => w.mul(x).sin().sum();
  it('vmap(grad) is the per-example gradient cos(w·x)·x; grad(vmap) their sum', () => {
    const closed = X.mul(w).cos().mul(X);
    expect(maxDiff(vmap(grad(loss), { inDims: [null, 0] })(w, X), closed)).toBeLessThan(1e-14);
    expect(maxDiff(grad((v: Tensor) => vmap((x: Tensor) => loss(v, x))(X).sum())(w), closed.sum(0))).toBeLessThan(1e-14);
  });
  it('vmap(vmap) over two batch dims, vmap(jvp), jvp(vmap), jacobian via vmap(vjp)', () => {
    const Y = randn([2, 4, 3], { dtype: 'float64' });
    expect(maxDiff(vmap(vmap((y: Tensor) => y.exp().sum()))(Y), Y.exp().sum(2))).toBeLessThan(1e-13);
    expect(maxDiff(vmap(vmap((y: Tensor) => y.exp().sum()), { inDims: 1 })(Y), Y.exp().sum(2).transpose(0, 1))).toBeLessThan(1e-13);
    const [, d] = vmap((x: Tensor, t: Tensor) => jvp((z: Tensor) => z.sin(), [x], [t]))(X, X);
    expect(maxDiff(d, X.cos().mul(X))).toBeLessThan(1e-15);
    const [, d2] = jvp((z: Tensor) => vmap((r: Tensor) => r.sin().sum())(z), [X], [X]);
    expect(maxDiff(d2, X.cos().mul(X).sum(1))).toBeLessThan(1e-15);
    const x0 = X.narrow(0, 0, 1).reshape([3]);
    const [, pb] = vjp((z: Tensor) => z.tanh(), x0);
    const J = vmap((ct: Tensor) => pb(ct)[0]!)(tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1]], { dtype: 'float64' }));
    expect(maxDiff(J, jacobian((z: Tensor) => z.tanh())(x0))).toBeLessThan(1e-15);
  });
  it('grad of a function calling vmap matches finite differences (gradcheck)', () => {
    const f = (v: Tensor) => vmap((x: Tensor) => v.mul(x).tanh().sum().square(), { inDims: 0 })(X).sum();
    const report = gradcheck(f, [w.clone()]);
    expect(report.failure).toBeUndefined();
    expect(report.passed).toBe(true);
    expect(report.comparisons).toBeGreaterThan(0);
  });
  it('inDims per argument, nested records, negative dims, outDims', () => {
    const out = vmap((p: { a: Tensor; b: [Tensor] }) => p.a.add(p.b[0]), { inDims: [{ a: -1, b: [null] }] })({ a: X.transpose(0, 1), b: [w] });
    expect(maxDiff(out, X.add(w))).toBe(0);
    const two = vmap((x: Tensor) => [x.mul(2), { s: x.sum() }] as const, { outDims: [1, { s: 0 }] })(X);
    expect(maxDiff(two[0], X.mul(2).transpose(0, 1))).toBe(0);
    expect(maxDiff(two[1].s, X.sum(1))).toBe(0);
    expect(vmap((_x: Tensor) => w, {})(X).shape).toEqual([4, 3]);
  });
  it('randomness: error by default, a draw per example, one draw for all', () => {
    expect(() => vmap((_x: Tensor) => rand([2]))(X)).toThrow(
      "rand: random draws (shape [2]) inside vmap (level",
    );
    manualSeed(1);
    const diff = vmap((x: Tensor) => rand([2]).add(x.sum().mul(0)), { randomness: 'different' })(X);
    manualSeed(1);
    expect(maxDiff(diff, rand([4, 2]))).toBe(0);
    const same = vmap((x: Tensor) => rand([2]).add(x.sum().mul(0)), { randomness: 'same' })(X);
    expect(maxDiff(same, same.narrow(0, 0, 1).expand([4, 2]))).toBe(0);
  });
});

describe('vmap errors', () => {
  const X = randn([4, 3]);
  it('names the arguments, shapes and dims', () => {
    expect(() => vmap((a: Tensor, b: Tensor) => a.add(b))(X, randn([5, 3]))).toThrow(
      new ShapeError('vmap', 'expected all batched inputs to have one size along their batch dims, got argument 0 (shape [4,3], inDim 0) of size 4 and argument 1 (shape [5,3], inDim 0) of size 5'),
    );
    expect(() => vmap((a: Tensor) => a, { inDims: 2 })(X)).toThrow(
      new RangeArgError('vmap', 'inDims for argument 0 (shape [4,3]) is 2, out of range for shape [4,3] (expected a dim in [-2, 1])'),
    );
    expect(() => vmap((a: Tensor) => a.sum().item())(X)).toThrow(AutogradError);
    expect(() => vmap((a: Tensor) => a.sum().item())(X)).toThrow('item: cannot read the values of a tensor batched by vmap (shape [] per example, batch dim 0 of size 4');
    expect(() => vmap((a: Tensor) => a.toArray())(X)).toThrow('toArray: cannot read the values of a tensor batched by vmap (shape [3] per example');
    expect(() => vmap((a: Tensor) => zeros([3]).add_(a))(X)).toThrow(
      'add_: cannot modify in place a tensor that vmap does not batch at level',
    );
    expect(() => vmap((a: Tensor) => a, { inDims: [0, 0] })(X)).toThrow(new ShapeError('vmap', 'inDims has 2 entries but the function got 1 arguments'));
  });
  it('in-place ops on batched tensors write every example', () => {
    const y = vmap((a: Tensor) => a.mul(1).add_(a))(X);
    expect(maxDiff(y, X.mul(2))).toBe(0);
  });
});

describe('per-sample gradients through functionalCall match a loop exactly', () => {
  const perSample = (net: nn.Module<[Tensor], Tensor>, xs: Tensor, ys: Tensor, wrap: (x: Tensor) => Tensor) => {
    const params = Object.fromEntries(net.namedParameters().map(([n, p]) => [n, p.detach()]));
    const loss = (ps: Record<string, Tensor>, x: Tensor, y: Tensor) => F.crossEntropy(nn.functionalCall(net, ps, wrap(x)), y.unsqueeze(0));
    const batched = vmap(grad(loss), { inDims: [null, 0, 0] })(params, xs, ys) as unknown as Record<string, Tensor>;
    const loops = Array.from({ length: xs.shape[0]! }, (_, i) => grad(loss)(params, xs.narrow(0, i, 1).squeeze(0), ys.narrow(0, i, 1).squeeze(0)) as unknown as Record<string, Tensor>);
    // Equal to float32 rounding: the batched matmul sums in another order than the per-example ones.
    for (const k of Object.keys(params)) expect(maxDiff(batched[k]!, stack(loops.map((l) => l[k]!), 0))).toBeLessThan(1e-6);
  };
  it('a small MLP', () => {
    manualSeed(2);
    const net = new nn.Sequential(new nn.Linear(5, 8), new nn.Tanh(), new nn.Linear(8, 3));
    perSample(net, randn([6, 5]), tensor([0, 1, 2, 0, 1, 2], { dtype: 'int32' }), (x) => x.unsqueeze(0));
  });
  it('a small conv net', () => {
    manualSeed(3);
    const net = new nn.Sequential(new nn.Conv2d(1, 3, 3), new nn.ReLU(), new nn.Flatten(), new nn.Linear(3 * 4 * 4, 4));
    perSample(net, randn([5, 1, 6, 6]), tensor([0, 1, 2, 3, 1], { dtype: 'int32' }), (x) => x.unsqueeze(0));
  });
  it('partial params, the rest from the module; unknown names throw', () => {
    const lin = new nn.Linear(2, 1);
    const x = tensor([[1, 2]]);
    const y = nn.functionalCall(lin, { weight: tensor([[1, 1]]) }, x);
    expect(y.sub(lin.bias!).item()).toBeCloseTo(3, 6);
    expect(() => nn.functionalCall(lin, { nope: x }, x)).toThrow("functionalCall: 'nope' is not a parameter or buffer of the module");
  });
});

describe('jacrev, jacfwd, hvp, linearize', () => {
  manualSeed(7);
  const A = randn([2, 3], { dtype: 'float64' });
  const x = randn([3], { dtype: 'float64' });
  const f = (z: Tensor) => A.matmul(z).tanh();
  // J = diag(1 − tanh²(Ax))·A
  const J = A.mul(tensor(1, { dtype: 'float64' }).sub(A.matmul(x).tanh().square()).unsqueeze(1));
  it('match the closed-form Jacobian, with argnums', () => {
    expect(maxDiff(jacrev(f)(x), J)).toBeLessThan(1e-15);
    expect(maxDiff(jacfwd(f)(x), J)).toBeLessThan(1e-15);
    const g = (a: Tensor, z: Tensor) => a.matmul(z).tanh();
    expect(maxDiff(jacrev(g, { argnums: [1] })(A, x)[0]!, J)).toBeLessThan(1e-15);
    expect(maxDiff(jacfwd(g, { argnums: 1 })(A, x), J)).toBeLessThan(1e-15);
    expect(maxDiff(jacfwd(jacrev((z: Tensor) => z.pow(tensor(3, { dtype: 'float64' })).sum()))(x), x.mul(6).diag?.() ?? jacobian(grad((z: Tensor) => z.pow(tensor(3, { dtype: 'float64' })).sum()))(x))).toBeLessThan(1e-14);
  });
  it('hvp is H·v with the value', () => {
    const [v, hv] = hvp((z: Tensor) => z.pow(tensor(3, { dtype: 'float64' })).sum(), x, x);
    expect(v.item()).toBeCloseTo(x.pow(tensor(3, { dtype: 'float64' })).sum().item(), 12);
    expect(maxDiff(hv as Tensor, x.mul(x).mul(6))).toBeLessThan(1e-14);
  });
  it('linearize applies J without rerunning f, under vmap too', () => {
    let calls = 0;
    const [y, lin] = linearize((z: Tensor) => {
      calls++;
      return f(z);
    }, x);
    expect(maxDiff(y, f(x))).toBe(0);
    const t = randn([3], { dtype: 'float64' });
    expect(maxDiff(lin(t), J.matmul(t))).toBeLessThan(1e-15);
    const T = randn([4, 3], { dtype: 'float64' });
    expect(maxDiff(vmap(lin)(T), T.matmul(J.transpose(0, 1)))).toBeLessThan(1e-15);
    expect(calls).toBe(1);
  });
});

describe('customVjp and customJvp', () => {
  const lse = customVjp(function logSumExp(x: Tensor) {
    return x.exp().sum().log();
  }, {
    fwd: (x) => {
      const m = x.max();
      const y = x.sub(m).exp().sum().log().add(m);
      return [y, { x, y }];
    },
    bwd: ({ x, y }, g) => [g.mul(x.sub(y).exp())],
  });
  const x = tensor([1, 2, 3], { dtype: 'float64' });
  it('first and second derivatives, vmap both ways, checkpoint', () => {
    expect(maxDiff(grad(lse)(x), x.softmax(0))).toBeLessThan(1e-15);
    const s = x.softmax(0);
    // d softmax_0 / dx = s0·(e0 − s)
    const h0 = grad((z: Tensor) => grad(lse)(z).narrow(0, 0, 1).sum())(x);
    expect(maxDiff(h0, s.mul(-s.narrow(0, 0, 1).item()).add(tensor([s.narrow(0, 0, 1).item(), 0, 0], { dtype: 'float64' })))).toBeLessThan(1e-15);
    const X = randn([4, 3], { dtype: 'float64' });
    expect(maxDiff(vmap(grad(lse))(X), X.softmax(1))).toBeLessThan(1e-15);
    expect(maxDiff(grad((z: Tensor) => vmap(lse)(z).sum())(X), X.softmax(1))).toBeLessThan(1e-15);
    expect(maxDiff(grad((z: Tensor) => checkpoint(lse, z))(x), x.softmax(0))).toBeLessThan(1e-15);
    const xr = x.clone().requiresGrad_();
    const [g] = [grad(lse)(xr)];
    g.narrow(0, 0, 1).sum().backward();
    expect(xr.grad).not.toBeNull();
  });
  it('a straight-through estimator passes the gradient through sign()', () => {
    const ste = customVjp(function ste(z: Tensor) {
      return z.sign();
    }, { fwd: (z) => [z.sign(), null], bwd: (_r, g) => [g] });
    expect(grad((z: Tensor) => z.sign().sum())(x).abs().sum().item()).toBe(0);
    expect(maxDiff(grad((z: Tensor) => ste(z).sum())(x), tensor([1, 1, 1], { dtype: 'float64' }))).toBe(0);
  });
  it('errors name the function and the argument', () => {
    const bad = customVjp(function twoOut(z: Tensor) {
      return z.sum();
    }, { fwd: (z) => [z.sum(), null], bwd: (_r, g) => [g, g] });
    expect(() => grad(bad)(x)).toThrow(new ShapeError('twoOut', 'bwd must return one cotangent (or null) per argument: 1, got 2'));
    const shape = customVjp(function badShape(z: Tensor) {
      return z.sum();
    }, { fwd: (z) => [z.sum(), null], bwd: (_r, g) => [g] });
    expect(() => grad(shape)(x)).toThrow(new ShapeError('badShape', "bwd's cotangent 0 has shape [], expected argument 0's shape [3]"));
    expect(() => jvp(lse, [x], [x])).toThrow(new AutogradError('logSumExp', 'a customVjp function has no forward-mode rule (jvp, jacfwd); use customJvp, or differentiate it in reverse mode'));
  });
  it('customJvp: forward mode uses the rule, reverse mode its transpose', () => {
    const sp = customJvp(function softplus(z: Tensor) {
      return z.exp().log1p();
    }, { jvp: ([z], [t]) => [z!.exp().log1p(), t!.mul(z!.sigmoid())] });
    expect(maxDiff(jvp(sp, [x], [tensor([1, 1, 1], { dtype: 'float64' })])[1], x.sigmoid())).toBeLessThan(1e-15);
    expect(maxDiff(grad((z: Tensor) => sp(z).sum())(x), x.sigmoid())).toBeLessThan(1e-15);
    expect(maxDiff(vmap(jacfwd(sp))(x.unsqueeze(1)).reshape([3]), x.sigmoid())).toBeLessThan(1e-15);
  });
});
