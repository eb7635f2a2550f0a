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
