/**
 * In-place arithmetic without a graph (`add_ sub_ mul_ div_` outside autograd,
 * e.g. an optimizer step) writes straight into the tensor's storage, on both
 * backends and on both sides of the wasm backend's small-tensor cutoff: the
 * same numbers as out of place, the same storage object, views and the
 * version counter updated, and the general path kept for what it cannot do.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { arange, getBackend, noGrad, randn, setBackend, tensor, type Tensor } from '../../src/index.js';

const before = getBackend();
afterEach(() => setBackend(before));

const f32 = Math.fround;
const values = (t: Tensor): number[] => Array.from(t.toTypedArray());

for (const name of ['js', 'wasm'] as const) {
  describe(`in place on the ${name} backend`, () => {
    for (const n of [5, 600]) {
      it(`w.sub_(g.mul(lr)) on ${n} elements: values, storage and views (an SGD step)`, () => {
        setBackend(name);
        const w = randn([n], { requiresGrad: true });
        const g = randn([n]);
        const w0 = values(w);
        const g0 = values(g);
        const storage = w.storage;
        const view = w.narrow(0, 1, 3);
        noGrad(() => w.sub_(g.mul(0.1)));
        expect(w.storage).toBe(storage);
        expect(w.version).toBe(1);
        expect(view.version).toBe(1);
        const want = w0.map((v, i) => f32(v - f32(g0[i]! * f32(0.1))));
        expect(values(w)).toEqual(want);
        expect(values(view)).toEqual(want.slice(1, 4));
        expect(w.requiresGrad).toBe(true);
      });
    }

    it('a broadcast operand, a number, the tensor itself', () => {
      setBackend(name);
      const x = arange(0, 600).reshape([20, 30]);
      const b = arange(0, 30);
      x.add_(b);
      expect(values(x)[2 * 30 + 3]).toBe(2 * 30 + 3 + 3);
      x.mul_(0.5).div_(2);
      expect(values(x)[2 * 30 + 3]).toBe((2 * 30 + 3 + 3) / 4);
      x.mul_(x);
      expect(values(x)[2 * 30 + 3]).toBe(((2 * 30 + 3 + 3) / 4) ** 2);
    });

    it('an operand overlapping the tensor reads the old values (general path)', () => {
      setBackend(name);
      const x = arange(0, 100);
      const head = x.narrow(0, 0, 99);
      head.add_(x.narrow(0, 1, 99));
      expect(values(x).slice(0, 4)).toEqual([1, 3, 5, 7]);
      expect(values(x)[98]).toBe(98 + 99);
      expect(values(x)[99]).toBe(99);
    });

    it('a non-contiguous tensor and int32 tensors (general path)', () => {
      setBackend(name);
      const x = arange(0, 600).reshape([20, 30]);
      x.transpose(0, 1).sub_(arange(0, 20));
      expect(values(x)[4 * 30 + 7]).toBe(4 * 30 + 7 - 4);
      const i = tensor([1, 2, 3], { dtype: 'int32' });
      i.add_(2);
      expect(i.toArray()).toEqual([3, 4, 5]);
      expect(() => i.div_(2)).toThrow('div_: the result is float32 and cannot be written into a int32 tensor');
    });
  });
}

describe('a leaf takes over its first gradient only when nothing else holds it', () => {
  it('x + y: both leaves get the same gradient tensor from add; their .grad stay separate', () => {
    const x = randn([50], { requiresGrad: true });
    const y = randn([50], { requiresGrad: true });
    x.add(y).mul(3).sum().backward();
    expect(x.grad!.storage).not.toBe(y.grad!.storage);
    x.grad!.zero_();
    expect(values(y.grad!)).toEqual(new Array(50).fill(3));
  });

  it('a gradient passed to backward() is never aliased by a .grad', () => {
    const w = randn([40], { requiresGrad: true });
    const seed = arange(0, 40);
    w.backward(seed);
    expect(w.grad!.storage).not.toBe(seed.storage);
    w.grad!.fill_(-1);
    expect(values(seed)[5]).toBe(5);
    const v = randn([40], { requiresGrad: true });
    const s2 = arange(0, 40);
    v.reshape([4, 10]).backward(s2.reshape([4, 10]));
    v.grad!.fill_(-1);
    expect(values(s2)[7]).toBe(7);
  });

  it('a tensor a hook kept is not the leaf .grad', () => {
    const w = randn([30], { requiresGrad: true });
    const seen: Tensor[] = [];
    w.registerHook((g) => {
      seen.push(g);
    });
    w.mul(2).sum().backward();
    w.grad!.zero_();
    expect(values(seen[0]!)).toEqual(new Array(30).fill(2));
  });

  it('gradients accumulate over several backward calls with the right values', () => {
    const w = randn([20, 30], { requiresGrad: true });
    const x = randn([30, 10]);
    for (let i = 0; i < 3; i++) w.matmul(x).sum().backward();
    const rowSums = values(x.sum(1));
    const g = values(w.grad!);
    for (let r = 0; r < 20; r++) for (let c = 0; c < 30; c++) expect(g[r * 30 + c]).toBeCloseTo(3 * rowSums[c]!, 4);
  });
});
