import { describe, expect, it } from 'vitest';
import {
  COST_MODEL, Dual, MLP, OP_KINDS, Value, add, countDual, countForwardMode, countOps, countReverseMode, mul, sin,
  tanh, topoSort,
} from '../../src/scalar/index.js';

describe('countOps', () => {
  it('counts f = x·y + sin x by hand: 3 forward flops, 4 + 3 + 2 backward', () => {
    const x = new Value(2);
    const y = new Value(3);
    const c = countOps(x.mul(y).add(x.sin()));
    expect(c.nodes).toBe(5);
    expect(c.leaves).toBe(2);
    expect(c.forward).toBe(3);
    expect(c.backward).toBe(9);
    expect(c.gradAccumulate).toBe(5);
    expect(c.byOp).toEqual({
      leaf: { count: 2, forward: 0, backward: 0 },
      add: { count: 1, forward: 1, backward: 2 },
      mul: { count: 1, forward: 1, backward: 4 },
      sin: { count: 1, forward: 1, backward: 3 },
    });
  });

  it('has one cost entry per op kind, and backward <= 5·forward except pow with a Value exponent', () => {
    expect(Object.keys(COST_MODEL)).toEqual([...OP_KINDS]);
    for (const kind of OP_KINDS) {
      const c = COST_MODEL[kind];
      if (kind !== 'pow' && kind !== 'leaf') expect(c.backward, kind).toBeLessThanOrEqual(5 * c.forward);
    }
    expect(COST_MODEL.pow.backward).toBe(9);
  });

  it('on an MLP, backward/forward is about 3 (Griewank: cost(f, ∇f) <= 5 cost(f))', () => {
    const model = new MLP(2, [16, 16, 1], { seed: 2 });
    let loss = new Value(0);
    for (let p = 0; p < 20; p++) {
      const out = model.forward([Math.sin(p), Math.cos(p)]) as Value;
      loss = loss.add(out.sub(p % 2 ? 1 : -1).pow(2));
    }
    const c = countOps(loss.mul(0.01));
    expect(c.nodes).toBe(topoSort(loss).length + 1);
    const ratio = c.backward / c.forward;
    expect(ratio).toBeGreaterThan(2);
    expect(ratio).toBeLessThanOrEqual(3);
    expect((c.forward + c.backward) / c.forward).toBeLessThanOrEqual(5);
    // 20 points × (32 mulConst + 272 mul + 304 add + 32 tanh) + loss ops, counted by kind.
    expect(c.byOp.mul!.count).toBe(20 * 272);
    expect(c.byOp.mulConst!.count).toBe(20 * 32 + 1);
    expect(c.byOp.tanh!.count).toBe(20 * 32);
  });

  it('rejects a non-Value', () => {
    expect(() => countOps(3 as unknown as Value)).toThrow(TypeError);
  });
});

describe('forward mode versus reverse mode, measured', () => {
  // f(x) = Σ_i tanh(x_i · x_{i+1}) + sin(x_0): cost grows linearly with n.
  const f = <T extends Value | Dual>(...x: T[]): T => {
    let s = sin(x[0]!);
    for (let i = 0; i + 1 < x.length; i++) s = add(s, tanh(mul(x[i]!, x[i + 1]!)));
    return s;
  };
  const xs = (n: number) => Array.from({ length: n }, (_, i) => 0.1 * (i + 1));

  it('forward mode needs n passes; reverse mode one, whatever n', () => {
    for (const n of [2, 8, 32]) {
      const fwd = countForwardMode(f, xs(n));
      const rev = countReverseMode(f, xs(n));
      expect(fwd.passes).toBe(n);
      expect(rev.passes).toBe(1);
      // Same gradient.
      fwd.gradient.forEach((g, i) => expect(g).toBeCloseTo(rev.gradient[i]!, 12));
      // One Dual pass costs the forward flops plus the tangents.
      expect(fwd.forward).toBe(n * rev.forward);
      expect(fwd.perPass).toBe(fwd.total / n);
      // Reverse: forward + backward <= 5 forward, independent of n.
      expect(rev.total).toBeLessThanOrEqual(5 * rev.forward);
    }
    // Forward mode's total grows like n·T, reverse mode's like T.
    const small = countForwardMode(f, xs(8)).total / countReverseMode(f, xs(8)).total;
    const large = countForwardMode(f, xs(32)).total / countReverseMode(f, xs(32)).total;
    expect(small).toBeGreaterThan(2);
    expect(large / small).toBeGreaterThan(3.5); // ≈ 32/8
  });

  it('countDual counts exactly the cost-model flops of the ops run', () => {
    const { result, primal, tangent } = countDual(() => new Dual(2, 1).mul(3).sin());
    expect(result.value).toBe(Math.sin(6));
    expect(primal).toBe(COST_MODEL.mulConst.forward + COST_MODEL.sin.forward);
    expect(tangent).toBe(COST_MODEL.mulConst.tangent + COST_MODEL.sin.tangent);
    // Outside countDual nothing is counted; nested counts add up.
    new Dual(1, 1).exp();
    const outer = countDual(() => {
      new Dual(1, 1).exp();
      const inner = countDual(() => new Dual(1, 1).mul(new Dual(2, 0)));
      expect(inner.primal).toBe(1);
      return inner;
    });
    expect(outer.primal).toBe(2);
    expect(outer.tangent).toBe(COST_MODEL.exp.tangent + COST_MODEL.mul.tangent);
  });
});
