// The methods of the scans, sorting and pointwise ops, and the behaviours the goldens do not show:
// integer inputs, the 0-d cases, second derivatives of cumprod at zeros under every transform.
import { describe, expect, it } from 'vitest';
import { cumprod, grad, hessian, jacfwd, jacrev, tensor, vmap, type Tensor } from '../../src/index.js';

describe('methods', () => {
  it('each method equals its function', () => {
    const x = tensor([[3, -1.5, 2], [0.5, 2.5, -2]]);
    expect(x.cumsum(1).toArray()).toEqual([[3, 1.5, 3.5], [0.5, 3, 1]]);
    expect(x.cumprod(0).toArray()).toEqual([[3, -1.5, 2], [1.5, -3.75, -4]]);
    expect(x.sort(1).values.toArray()).toEqual([[-1.5, 2, 3], [-2, 0.5, 2.5]]);
    expect(x.argsort(0, { descending: true }).toArray()).toEqual([[0, 1, 0], [1, 0, 1]]);
    expect(x.topk(1).indices.toArray()).toEqual([[0], [1]]);
    expect(x.round().toArray()).toEqual([[3, -2, 2], [0, 2, -2]]);
    expect(x.floor().toArray()).toEqual([[3, -2, 2], [0, 2, -2]]);
    expect(x.ceil().toArray()).toEqual([[3, -1, 2], [1, 3, -2]]);
    expect(x.trunc().toArray()).toEqual([[3, -1, 2], [0, 2, -2]]);
    expect(x.frac().toArray()).toEqual([[0, -0.5, 0], [0.5, 0.5, 0]]);
    expect(x.remainder(2).toArray()).toEqual([[1, 0.5, 0], [0.5, 0.5, -0]]); // −2 mod 2 is −0, as PyTorch
    expect(x.fmod(2).toArray()).toEqual([[1, -1.5, 0], [0.5, 0.5, -0]]);
    expect(x.isnan().toArray()).toEqual([[false, false, false], [false, false, false]]);
    expect(tensor([0.5]).asin().item()).toBeCloseTo(Math.asin(0.5), 6);
    expect(tensor([0.5]).acos().item()).toBeCloseTo(Math.acos(0.5), 6);
    expect(tensor([2]).atan().item()).toBeCloseTo(Math.atan(2), 6);
    expect(tensor([1]).atan2(tensor([-1])).item()).toBeCloseTo(Math.atan2(1, -1), 6);
    expect((tensor([0, 0]).logcumsumexp(0).toArray() as number[])[1]).toBeCloseTo(Math.LN2, 6);
  });

  it('integers: roundings return them, inverse trigonometry promotes to float32, remainder stays int32', () => {
    const i = tensor([-3, 4], { dtype: 'int32' });
    expect(i.floor().dtype).toBe('int32');
    expect(i.floor().toArray()).toEqual([-3, 4]);
    expect(tensor([1, 0], { dtype: 'int32' }).asin().dtype).toBe('float32');
    expect(i.remainder(3).toArray()).toEqual([0, 1]);
    expect(i.remainder(3).dtype).toBe('int32');
    expect(i.fmod(-3).toArray()).toEqual([0, 1]);
    expect(tensor([true, false, true]).cumsum(0).toArray()).toEqual([1, 1, 2]);
    expect(tensor([true, false, true]).cumsum(0).dtype).toBe('int32');
  });

  it('0-d inputs: scans and sort see one element', () => {
    const s = tensor(2.5);
    expect(s.cumsum(0).shape).toEqual([]);
    expect(s.cumprod(-1).item()).toBe(2.5);
    const r = s.sort();
    expect([r.values.item(), r.indices.item()]).toEqual([2.5, 0]);
    expect(s.topk(1).values.shape).toEqual([]);
  });
});

describe('cumprod at zeros under the transforms', () => {
  // f(x) = Σ_j w_j cumprod(x)_j; its Hessian is H[k, m] = Σ_{j ≥ max(k, m)} w_j Π_{i ≤ j, i ≠ k, m} x_i (k ≠ m), 0 on the diagonal.
  const x = tensor([1.5, 0, 2, 0, -0.5], { dtype: 'float64' });
  const w = tensor([0.3, -1.2, 0.7, 2.0, -0.4], { dtype: 'float64' });
  const f = (t: Tensor): Tensor => cumprod(t, 0).mul(w).sum();
  const expected = (): number[][] => {
    const xs = x.toArray() as number[];
    const ws = w.toArray() as number[];
    return xs.map((_, k) => xs.map((__, m) => {
      if (k === m) return 0;
      let s = 0;
      for (let j = Math.max(k, m); j < xs.length; j++) {
        let p = ws[j]!;
        for (let i = 0; i <= j; i++) if (i !== k && i !== m) p *= xs[i]!;
        s += p;
      }
      return s;
    }));
  };
  const close = (a: Tensor, b: number[][]): void => {
    const v = a.toArray() as number[][];
    v.forEach((row, i) => row.forEach((e, j) => expect(e).toBeCloseTo(b[i]![j]!, 12)));
  };
  it('hessian (reverse over reverse), jacfwd(grad) (forward over reverse), jacrev(grad), vmap of grad', () => {
    close(hessian(f)(x) as Tensor, expected());
    close(jacfwd(grad(f))(x) as Tensor, expected());
    close(jacrev(grad(f))(x) as Tensor, expected());
    const g = grad(f)(x) as Tensor;
    const gv = vmap(grad(f))(x.unsqueeze(0).expand([2, 5])) as Tensor;
    expect(gv.toArray()).toEqual([g.toArray(), g.toArray()]);
  });
});
