/**
 * The autograd engine: accumulation on leaves, freed graphs, version
 * counters, in-place ops, hooks, grad modes, anomaly detection,
 * `autogradGrad`, broadcasting and dtypes in backward, and a 10^6-node chain.
 */
import { describe, expect, it } from 'vitest';
import {
  AutogradError, DTypeError, ShapeError, autogradGrad, detectAnomaly, enableGrad, isGradEnabled, noGrad, ones, tensor,
  zeros, type Tensor,
} from '../../src/index.js';

const arr = (t: Tensor | null): unknown => t?.toArray();

describe('backward', () => {
  it('accumulates gradients into leaves, across calls', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    expect(arr(x.grad)).toEqual([2, 4, 6]);
    x.mul(x).sum().backward();
    expect(arr(x.grad)).toEqual([4, 8, 12]);
  });

  it('gives intermediate tensors no .grad (unless retainGrad) and names gradFn', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    const z = x.mul(3);
    z.retainGrad();
    expect(y.isLeaf).toBe(false);
    expect(y.gradFn?.name).toBe('MulBackward');
    y.add(z).sum().backward();
    expect(y.grad).toBeNull();
    expect(arr(z.grad)).toEqual([1, 1]);
    expect(arr(x.grad)).toEqual([6, 6]);
  });

  it('takes an explicit gradient for non-scalar outputs', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(x).backward(tensor([1, 10]));
    expect(arr(x.grad)).toEqual([2, 40]);
  });

  it('refuses a non-scalar output without a gradient, naming the shape', () => {
    const x = tensor([[1, 2]], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(AutogradError);
    expect(() => x.mul(2).backward()).toThrow(
      'backward: grad can be created implicitly only for scalar outputs, but the output has shape [1,2]; pass a gradient of shape [1,2]',
    );
  });

  it('refuses a gradient of the wrong shape and outputs that do not require grad', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => x.mul(2).backward(ones([3]))).toThrow(ShapeError);
    expect(() => x.mul(2).backward(ones([3]))).toThrow('backward: the gradient has shape [3] but the output has shape [2]');
    expect(() => tensor([1]).sum().backward()).toThrow('backward: output 0 (shape []) does not require grad and has no gradFn');
  });

  it('frees the graph after backward: a second backward throws naming the op', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const loss = x.mul(x).sum();
    loss.backward();
    expect(() => loss.backward()).toThrow(AutogradError);
    expect(() => loss.backward()).toThrow(/^MulBackward: trying to backward through the graph a second time/);
  });

  it('keeps the graph with retainGraph', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const loss = x.mul(x).sum();
    loss.backward(null, { retainGraph: true });
    loss.backward();
    expect(arr(x.grad)).toEqual([4, 8]);
  });

  it('sums broadcast gradients back to each input shape', () => {
    const a = tensor([[1], [2], [3]], { requiresGrad: true });
    const b = tensor([[10, 20, 30, 40]], { requiresGrad: true });
    a.mul(b).sum().backward();
    expect(arr(a.grad)).toEqual([[100], [100], [100]]);
    expect(arr(b.grad)).toEqual([[6, 6, 6, 6]]);
    const s = tensor(2, { requiresGrad: true });
    s.add(zeros([2, 3])).sum().backward();
    expect(s.grad!.item()).toBe(6);
  });

  it('promotes dtypes in the forward and casts gradients back', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { dtype: 'float64', requiresGrad: true });
    const y = a.mul(b);
    expect(y.dtype).toBe('float64');
    y.sum().backward();
    expect(a.grad!.dtype).toBe('float32');
    expect(arr(a.grad)).toEqual([3, 4]);
    expect(b.grad!.dtype).toBe('float64');
    expect(a.mul(2.5).dtype).toBe('float32');
    expect(tensor([1, 2], { dtype: 'int32' }).mul(1.5).dtype).toBe('float32');
    expect(tensor([1, 2], { dtype: 'int32' }).mul(2).dtype).toBe('int32');
    expect(tensor([1, 2], { dtype: 'int32' }).div(2).toArray()).toEqual([0.5, 1]);
  });
});

describe('version counters and in-place ops', () => {
  it('in-place ops bump the version shared by views', () => {
    const x = zeros([2, 2]);
    const v = x.transpose(0, 1);
    expect(x.version).toBe(0);
    x.add_(1);
    expect(x.version).toBe(1);
    expect(v.version).toBe(1);
    v.mul_(3);
    expect(x.version).toBe(2);
    expect(x.toArray()).toEqual([[3, 3], [3, 3]]);
  });

  it('writes through views into the base storage', () => {
    const x = zeros([2, 3]);
    x.narrow(1, 1, 1).fill_(5);
    x.transpose(0, 1).narrow(0, 0, 1).copy_(tensor([[7, 8]]));
    expect(x.toArray()).toEqual([[7, 5, 0], [8, 5, 0]]);
  });

  it('changing a saved tensor in place makes backward throw, naming the op', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    const z = y.mul(y);
    y.add_(1);
    expect(() => z.sum().backward()).toThrow(AutogradError);
    expect(() => z.sum().backward()).toThrow(
      "MulBackward: a tensor saved for backward (input 0, shape [2], float32) was modified by an in-place operation: it is at version 1, expected version 0. The forward op was 'mul'",
    );
  });

  it('a saved output modified in place is caught too', () => {
    const x = tensor([0.5], { requiresGrad: true });
    const e = x.exp();
    e.mul_(2);
    expect(() => e.sum().backward()).toThrow(/^ExpBackward: a tensor saved for backward \(its output/);
  });

  it('records in-place ops on non-leaves (the tensor takes the new gradFn)', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(2);
    y.add_(1).mul_(3);
    expect(y.toArray()).toEqual([9, 15, 21]);
    expect(y.gradFn?.name).toBe('MulBackward');
    y.sum().backward();
    expect(arr(x.grad)).toEqual([6, 6, 6]);
  });

  it('refuses in-place on a leaf requiring grad, except under noGrad', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    expect(() => w.sub_(1)).toThrow(AutogradError);
    expect(() => w.sub_(1)).toThrow('sub_: a leaf tensor that requires grad (shape [2]) cannot be modified in place; do the update inside noGrad(() => ...)');
    noGrad(() => w.sub_(1));
    expect(w.toArray()).toEqual([0, 1]);
    expect(w.requiresGrad).toBe(true);
  });

  it('in-place results keep the shape and dtype of the tensor', () => {
    expect(() => zeros([1, 2]).add_(ones([3, 2]))).toThrow('add_: the result has shape [3,2] but the tensor modified in place has shape [1,2]');
    expect(() => zeros([2], { dtype: 'int32' }).mul_(1.5)).toThrow('mul_: the result is float32 and cannot be written into a int32 tensor');
    expect(() => zeros([1]).expand([3]).add_(1)).toThrow(/^add_: cannot write in place into an expanded tensor/);
    expect(tensor([-2, 0.5, 3]).clamp_({ min: -1, max: 1 }).toArray()).toEqual([-1, 0.5, 1]);
    expect(tensor([1, 2]).zero_().toArray()).toEqual([0, 0]);
    expect(tensor([6, 8]).div_(2).toArray()).toEqual([3, 4]);
  });
});

describe('hooks', () => {
  it('a leaf hook can replace the gradient; remove() unregisters it', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.registerHook((g) => g.mul(10));
    x.sum().backward();
    expect(arr(x.grad)).toEqual([10, 10]);
    h.remove();
    x.grad = null;
    x.sum().backward();
    expect(arr(x.grad)).toEqual([1, 1]);
  });

  it('a hook on an intermediate sees and can change the flowing gradient', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    const seen: unknown[] = [];
    y.registerHook((g) => {
      seen.push(g.toArray());
      return g.mul(2);
    });
    y.mul(y).sum().backward();
    expect(seen).toEqual([[6, 12]]);
    expect(arr(x.grad)).toEqual([36, 72]);
  });

  it('refuses hooks on tensors that do not require grad', () => {
    expect(() => tensor([1]).registerHook(() => undefined)).toThrow("registerHook: cannot register a hook on a tensor that does not require grad");
  });
});

describe('grad modes', () => {
  it('noGrad records nothing; enableGrad turns recording back on', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(isGradEnabled()).toBe(true);
    const z = noGrad(() => enableGrad(() => x.mul(2)));
    expect(z.requiresGrad).toBe(true);
    expect(noGrad(() => isGradEnabled())).toBe(false);
  });

  it('detach shares storage and cuts the graph; requiresGrad_ makes a leaf', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    const w = zeros([2]).requiresGrad_();
    expect(w.requiresGrad).toBe(true);
    const base = zeros([2]);
    base.detach().add_(1);
    expect(base.toArray()).toEqual([1, 1]);
    expect(() => zeros([2], { dtype: 'int32' }).requiresGrad_()).toThrow(DTypeError);
    expect(() => x.mul(2).requiresGrad_(false)).toThrow(AutogradError);
  });
});

describe('detectAnomaly', () => {
  it('a NaN produced in backward throws, naming the forward op and where it was created', () => {
    const x = tensor([0, 1], { requiresGrad: true });
    let err: Error | null = null;
    try {
      detectAnomaly(() => x.sqrt().mul(0).sum().backward());
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeInstanceOf(AutogradError);
    expect(err!.message).toMatch(/^SqrtBackward: returned NaN values in the gradient of input 0 \(shape \[2\], float32\)\. The forward op 'sqrt' was created at:\n/);
    expect(err!.message).toContain('autograd.test.ts');
  });

  it('without anomaly mode the NaN just flows into .grad', () => {
    const x = tensor([0, 1], { requiresGrad: true });
    x.sqrt().mul(0).sum().backward();
    expect((x.grad!.toArray() as number[]).some(Number.isNaN)).toBe(true);
  });
});

describe('autogradGrad', () => {
  it('returns gradients without touching .grad', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const [g] = autogradGrad(x.mul(x).sum(), [x]);
    expect(arr(g!)).toEqual([2, 4]);
    expect(x.grad).toBeNull();
  });

  it('differentiates twice with createGraph', () => {
    const x = tensor(3, { requiresGrad: true, dtype: 'float64' });
    const [g] = autogradGrad(x.mul(x).mul(x), [x], { createGraph: true });
    expect(g!.item()).toBe(27);
    const [h] = autogradGrad(g!, [x]);
    expect(h!.item()).toBe(18);
  });

  it('gradients with respect to an intermediate', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    const [gy, gx] = autogradGrad(y.mul(y).sum(), [y, x]);
    expect(arr(gy!)).toEqual([6, 12]);
    expect(arr(gx!)).toEqual([18, 36]);
  });

  it('unused inputs: an error, or null with allowUnused', () => {
    const x = tensor([1], { requiresGrad: true });
    const u = tensor([1], { requiresGrad: true });
    expect(() => autogradGrad(x.sum(), [u])).toThrow(
      'autogradGrad: input 0 (shape [1]) is not used in the graph of the outputs; pass {allowUnused: true} to get null',
    );
    expect(autogradGrad(x.sum(), [u], { allowUnused: true })).toEqual([null]);
  });
});

describe('gradients summed from several edges', () => {
  it('sums into a fresh buffer in place without touching gradients other nodes hold', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true, dtype: 'float64' });
    const a = w.mul(2);
    const b = w.mul(3);
    a.retainGrad();
    b.retainGrad();
    // s = a + b hands one gradient tensor to both a and b; a then gets three more edges.
    const s = a.add(b);
    const loss = s.sum().add(a.mul(5).sum()).add(a.mul(a).sum()).add(a.sum());
    loss.backward();
    // dloss/da = 1 + 5 + 2a + 1, dloss/db = 1
    expect(arr(a.grad)).toEqual([11, 15, 19]);
    expect(arr(b.grad)).toEqual([1, 1, 1]);
    expect(arr(w.grad)).toEqual([2 * 11 + 3, 2 * 15 + 3, 2 * 19 + 3]);
  });

  it('a hook on the node sees the whole sum, and createGraph sums out of place (second derivatives)', () => {
    const x = tensor([0.5, -1], { requiresGrad: true, dtype: 'float64' });
    const y = x.mul(x);
    const seen: number[][] = [];
    y.registerHook((g) => {
      seen.push(g.toArray() as number[]);
      return g;
    });
    // loss = sum(y) + sum(y·y) + sum(3y): dloss/dy = 1 + 2y + 3
    const loss = () => y.sum().add(y.mul(y).sum()).add(y.mul(3).sum());
    loss().backward(null, { retainGraph: true });
    expect(seen).toEqual([[4 + 2 * 0.25, 4 + 2]]);
    const [g] = autogradGrad(loss(), [x], { createGraph: true });
    // dloss/dx = (4 + 2x²)·2x; d²/dx² = 8 + 12x²
    expect(arr(g!)).toEqual([(4 + 2 * 0.25) * 1, (4 + 2) * -2]);
    const [h] = autogradGrad(g!.sum(), [x]);
    expect(arr(h!)).toEqual([8 + 12 * 0.25, 8 + 12]);
  });
});

describe('matmul gradients', () => {
  const data = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.3));
  it('a weight used transposed (linear) gets its gradient row-major, equal to the product of the untransposed form', () => {
    const x = tensor(data(12, 1), { shape: [4, 3], dtype: 'float64' });
    const w = tensor(data(15, 2), { shape: [5, 3], dtype: 'float64', requiresGrad: true });
    const wt = tensor(w.detach().transpose(0, 1).contiguous().toArray() as number[][], { dtype: 'float64', requiresGrad: true });
    x.matmul(w.transpose(0, 1)).tanh().sum().backward();
    x.matmul(wt).tanh().sum().backward();
    expect(w.grad!.isContiguous()).toBe(true);
    const viaT = wt.grad!.transpose(0, 1).toArray() as number[][];
    (w.grad!.toArray() as number[][]).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(viaT[i]![j]!, 14)));
  });

  it('a 2-d weight broadcast over a sequence gets one product over the flattened batch, equal to the per-step sum', () => {
    const x = tensor(data(2 * 3 * 4, 3), { shape: [2, 3, 4], dtype: 'float64' });
    const w = tensor(data(4 * 5, 4), { shape: [4, 5], dtype: 'float64', requiresGrad: true });
    const g = tensor(data(2 * 3 * 5, 5), { shape: [2, 3, 5], dtype: 'float64' });
    x.matmul(w).backward(g);
    const want = Array.from({ length: 4 }, (_, k) => Array.from({ length: 5 }, (_, m) => {
      let acc = 0;
      for (let b = 0; b < 2; b++) for (let i = 0; i < 3; i++) acc += (x.toArray() as number[][][])[b]![i]![k]! * (g.toArray() as number[][][])[b]![i]![m]!;
      return acc;
    }));
    (w.grad!.toArray() as number[][]).forEach((row, k) => row.forEach((v, m) => expect(v).toBeCloseTo(want[k]![m]!, 13)));
  });

  it('second derivatives through both layouts agree (the rule is differentiable)', () => {
    const x = tensor(data(6, 6), { shape: [2, 3], dtype: 'float64', requiresGrad: true });
    const w = tensor(data(12, 7), { shape: [4, 3], dtype: 'float64', requiresGrad: true });
    const wt = tensor(w.detach().transpose(0, 1).contiguous().toArray() as number[][], { dtype: 'float64', requiresGrad: true });
    const hess = (y: Tensor, ws: Tensor) => {
      const [gx] = autogradGrad(y.sigmoid().pow(2).sum(), [x], { createGraph: true });
      return autogradGrad(gx!.mul(gx!).sum(), [x, ws]);
    };
    const [hx1, hw1] = hess(x.matmul(w.transpose(0, 1)), w);
    const [hx2, hw2] = hess(x.matmul(wt), wt);
    (hx1!.toArray() as number[][]).forEach((r, i) => r.forEach((v, j) => expect(v).toBeCloseTo((hx2!.toArray() as number[][])[i]![j]!, 13)));
    const t2 = hw2!.transpose(0, 1).toArray() as number[][];
    (hw1!.toArray() as number[][]).forEach((r, i) => r.forEach((v, j) => expect(v).toBeCloseTo(t2[i]![j]!, 13)));
  });
});

describe('deep graphs', () => {
  it('backward through a chain of 10^6 nodes (iterative engine)', () => {
    const N = 1_000_000;
    const x = tensor(0.5, { requiresGrad: true, dtype: 'float64' });
    let y = x;
    for (let i = 0; i < N; i++) y = y.mul(1.000001);
    y.backward();
    expect(x.grad!.item()).toBeCloseTo(Math.pow(1.000001, N), 9);
  }, 120_000);
});
