import { afterEach, describe, expect, it, vi } from 'vitest';
import { GraphBreakError, Tensor, compile, manualSeed, randn, setBackend, tensor, valueAndGrad, vmap } from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { Adam, SGD } from '../../src/optim/index.js';
import { twins } from './twin.js';

const arr = (t: Tensor): number[] => Array.from(t.toTypedArray());

describe.each(['js', 'wasm'] as const)('compile on %s', (backend) => {
  afterEach(() => setBackend('wasm'));

  it('a pure function replays with the eager results, and retraces on a new shape', () => {
    setBackend(backend);
    let traces = 0;
    const f = (x: Tensor, y: Tensor): Tensor => x.mul(y).add(1).tanh().mul(x.exp()).sum(0);
    const g = compile((x: Tensor, y: Tensor): Tensor => {
      traces++;
      return f(x, y);
    });
    manualSeed(1);
    for (const shape of [[5, 3], [5, 3], [5, 3], [2, 3], [5, 3]]) {
      const x = randn(shape);
      const y = randn(shape);
      expect(arr(g(x, y))).toEqual(arr(f(x, y)));
    }
    expect(traces).toBe(2); // one trace per shape
  });

  it('a training step (MLP, SGD with momentum and a scheduler, then Adam) matches eager, interleaved', () => {
    setBackend(backend);
    for (const make of [
      (ps: Tensor[]) => new SGD(ps, { lr: 0.1, momentum: 0.9, weightDecay: 1e-3 }),
      (ps: Tensor[]) => new Adam(ps, { lr: 0.01 }),
    ]) {
      const { a, b, optA, optB, schedA, schedB, X, Y, stepOf } = twins(make, nn.ReLU);
      const eager = stepOf(b, optB);
      const compiled = compile(stepOf(a, optA));
      const plain = stepOf(a, optA);
      for (let i = 0; i < 8; i++) {
        const la = (i === 5 ? plain : compiled)(X, Y).item(); // one eager step in between
        const lb = eager(X, Y).item();
        expect(la).toBeCloseTo(lb, 6);
        schedA.step();
        schedB.step();
      }
      const pa = a.parameters();
      const pb = b.parameters();
      pa.forEach((p, i) => {
        const want = arr(pb[i]!);
        arr(p).forEach((v, j) => expect(v).toBeCloseTo(want[j]!, 6));
        expect(arr(p.grad!)).toEqual(arr(pb[i]!.grad!));
      });
    }
  });

  it('transforms inside: valueAndGrad and vmap', () => {
    setBackend(backend);
    const loss = (w: Tensor, x: Tensor): Tensor => x.matmul(w).tanh().square().sum();
    const vg = (w: Tensor, x: Tensor): Tensor[] => {
      const [v, g] = valueAndGrad(loss)(w, x) as [Tensor, Tensor];
      return [v, g];
    };
    const perRow = (x: Tensor): Tensor => vmap((r: Tensor) => r.mul(r).sum().sqrt())(x) as Tensor;
    const cvg = compile(vg);
    const cpr = compile(perRow);
    manualSeed(5);
    for (let i = 0; i < 3; i++) {
      const w = randn([3, 2]);
      const x = randn([4, 3]);
      const [v, g] = cvg(w, x);
      const [v0, g0] = vg(w, x);
      expect(v!.item()).toBe(v0!.item());
      expect(arr(g!)).toEqual(arr(g0!));
      expect(arr(cpr(x))).toEqual(arr(perRow(x)));
    }
  });
});

describe('graph breaks', () => {
  it('fullGraph: a read of a value throws a GraphBreakError naming the op', () => {
    const f = compile((x: Tensor) => (x.sum().item() > 0 ? x.mul(2) : x.neg()), { fullGraph: true });
    expect(() => f(tensor([1, 2]))).toThrow(GraphBreakError);
    expect(() => f(tensor([1, 2]))).toThrow(/^item: fullGraph: the compiled function reads the values of a tensor of shape \[\] with item\(\)/);
  });

  it('without fullGraph the read splits the program, is logged once, and a new value retraces', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    process.env.ADJOINT_COMPILE_DEBUG = '1';
    try {
      const f = compile(function branchy(x: Tensor) {
        return x.sum().item() > 0 ? x.mul(2) : x.neg();
      });
      expect(arr(f(tensor([1, 2])))).toEqual([2, 4]);
      expect(arr(f(tensor([1, 2])))).toEqual([2, 4]);
      expect(arr(f(tensor([-1, -2])))).toEqual([1, 2]);
      expect(arr(f(tensor([3, 2])))).toEqual([6, 4]);
      const breaks = spy.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('] graph break'));
      expect(breaks).toEqual(['[adjoint compile branchy] graph break: item of a tensor of shape []']);
      expect(spy.mock.calls.some((c) => String(c[0]).includes('traced'))).toBe(true);
    } finally {
      delete process.env.ADJOINT_COMPILE_DEBUG;
      spy.mockRestore();
    }
  });
});

describe('captured tensors', () => {
  it('are read at every call: values changed in place outside are seen, nothing is folded into them', () => {
    const w = tensor([1, 2, 3]);
    const b = tensor([0.5, 0.5, 0.5]);
    const f = compile((x: Tensor): Tensor => x.mul(w.exp().add(b)).sum());
    const x = tensor([1, 1, 1]);
    const want = (): number => arr(w).reduce((s, v, i) => s + Math.fround(Math.fround(Math.exp(v)) + arr(b)[i]!), 0);
    expect(f(x).item()).toBeCloseTo(want(), 4);
    expect(f(x).item()).toBeCloseTo(want(), 4);
    w.copy_(tensor([0, 0, 0]));
    b.mul_(2);
    expect(f(x).item()).toBeCloseTo(6, 6); // (e^0 + 1) · 3
  });
});
