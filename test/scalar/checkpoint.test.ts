import { describe, expect, it } from 'vitest';
import { Value, checkpointedChain, topoSort } from '../../src/scalar/index.js';

const step = (x: Value) => x.mul(1.00001).add(0.001); // W2's step: 2 ops

/** The plain way: the whole chain as one graph, one backward. */
function plain(stepFn: (v: Value, i: number) => Value, x0: number, n: number) {
  const x = new Value(x0);
  let v = x;
  for (let i = 0; i < n; i++) v = stepFn(v, i);
  v.backward();
  return { value: v.data, grad: x.grad, liveNodes: topoSort(v).length };
}

describe('checkpointedChain', () => {
  const n = 10_000;

  it('gives exactly the plain gradient for k = 1, √n, n and others', () => {
    const ref = plain(step, 0.5, n);
    expect(ref.grad).toBeCloseTo(Math.pow(1.00001, n), 9);
    for (const k of [1, 7, 100, 333, n, 2 * n]) {
      const r = checkpointedChain(step, 0.5, n, k);
      expect(r.value).toBe(ref.value);
      expect(r.grad).toBe(ref.grad);
    }
  });

  it('trades memory for recomputation: peak ≈ n/k + 2k live values, one extra forward', () => {
    const ref = plain(step, 0.5, n);
    expect(ref.liveNodes).toBe(2 * n + 1);
    const byK = new Map([1, 100, n].map((k) => [k, checkpointedChain(step, 0.5, n, k)]));
    const r1 = byK.get(1)!;
    const rs = byK.get(100)!;
    const rn = byK.get(n)!;
    for (const r of [r1, rs, rn]) {
      expect(r.forwardOps).toBe(2 * n);
      expect(r.recomputedOps).toBe(2 * n); // every segment rebuilt once
    }
    expect(r1.checkpoints).toBe(n);
    expect(rs.checkpoints).toBe(100);
    expect(rn.checkpoints).toBe(1);
    // k = 1 stores n values; k = n rebuilds the whole graph; k = √n keeps ~ 3√n.
    expect(r1.peakLiveNodes).toBeGreaterThanOrEqual(n);
    expect(rn.peakLiveNodes).toBeGreaterThanOrEqual(2 * n);
    expect(rs.peakLiveNodes).toBeLessThanOrEqual(100 + 1 + 2 * 100 + 1);
    expect(rs.peakLiveNodes * 30).toBeLessThan(ref.liveNodes);
  });

  it('passes gradients to Values the step captures, and to a Value x0', () => {
    const run = (k: number | null) => {
      const w = new Value(0.999);
      const b = new Value(0.01);
      const x0 = new Value(0.2).mul(2); // x0 = 0.4, itself computed from a leaf
      const f = (v: Value, i: number) => v.mul(w).add(b.mul(i % 3)).tanh();
      if (k === null) {
        let v = x0;
        for (let i = 0; i < 500; i++) v = f(v, i);
        v.backward();
        return { w: w.grad, b: b.grad, x0: x0.grad, leaf: x0.children[0]!.grad, value: v.data };
      }
      const r = checkpointedChain(f, x0, 500, k);
      expect(r.grad).toBe(x0.grad);
      return { w: w.grad, b: b.grad, x0: x0.grad, leaf: x0.children[0]!.grad, value: r.value };
    };
    const ref = run(null);
    for (const k of [1, 22, 500]) {
      const got = run(k);
      expect(got.value).toBe(ref.value);
      expect(got.x0).toBe(ref.x0);
      expect(got.leaf).toBe(ref.leaf); // flowed on into x0's own graph: 2·x0.grad
      expect(got.leaf).toBe(2 * got.x0);
      // Per-segment partial sums: equal up to rounding.
      expect(Math.abs(got.w - ref.w)).toBeLessThan(1e-12 * Math.abs(ref.w));
      expect(Math.abs(got.b - ref.b)).toBeLessThan(1e-12 * Math.abs(ref.b));
    }
  });

  it('handles n = 0 and rejects bad arguments', () => {
    const r = checkpointedChain(step, 3, 0, 5);
    expect(r).toMatchObject({ value: 3, grad: 1, recomputedOps: 0, checkpoints: 1 });
    expect(() => checkpointedChain(step, 1, 10, 0)).toThrow(RangeError);
    expect(() => checkpointedChain(step, 1, -1, 2)).toThrow(RangeError);
    expect(() => checkpointedChain(step, 'a' as unknown as number, 10, 2)).toThrow(TypeError);
    expect(() => checkpointedChain(() => 3 as unknown as Value, 1, 10, 2)).toThrow(TypeError);
  });
});
