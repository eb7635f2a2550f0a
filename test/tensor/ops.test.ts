/**
 * Op behaviour beyond the goldens: views and storage sharing, Python slicing,
 * broadcasting and promotion, ops without goldens (erf, sign, argmax, amax,
 * scatterAdd, casts, comparisons), numerical stability, float32 rounding,
 * and the primitive table.
 */
import { describe, expect, it } from 'vitest';
import {
  RangeArgError, ShapeError, amax, arange, argmax, argmin, cast, cat, clamp, contiguous, eq, erf, exp, ge, gelu, gt, indexSelect,
  full, jvp, le, logSoftmax, logsumexp, lt, matmul, max, maximum, mean, min, minimum, ne, norm, ones, pad, prod, relu, reshape, scatterAdd,
  sigmoid, sign, slice, softmax, softplus, squeeze, stack, std, sum, tensor, unsqueeze, variance, view, where, zeros,
  type Tensor,
} from '../../src/index.js';
import { PRIMITIVES, ruleOf } from '../../src/ops/index.js';

const i32 = (v: number[], shape?: number[]): Tensor => tensor(v, { dtype: 'int32', shape });
const f64 = (v: number[] | number[][]): Tensor => tensor(v, { dtype: 'float64' });

describe('views share storage', () => {
  it('reshape of a contiguous tensor, transpose, expand and slice are views', () => {
    const x = arange(6).reshape([2, 3]);
    const t = x.transpose(0, 1);
    expect(t.storage).toBe(x.storage);
    expect(t.isContiguous()).toBe(false);
    expect(t.strides).toEqual([1, 3]);
    expect(x.expand([4, 2, 3]).strides).toEqual([0, 3, 1]);
    expect(slice(x, null, [1, null, 1]).storage).toBe(x.storage);
    expect(x.reshape([3, 2]).storage).toBe(x.storage);
  });

  it('reshape of a non-contiguous tensor copies; view refuses', () => {
    const t = arange(6).reshape([2, 3]).transpose(0, 1);
    const r = t.reshape([6]);
    expect(r.storage).not.toBe(t.storage);
    expect(r.toArray()).toEqual([0, 3, 1, 4, 2, 5]);
    expect(() => view(t, [6])).toThrow(ShapeError);
  });

  it('contiguous() returns the tensor itself when already contiguous', () => {
    const x = arange(4);
    expect(contiguous(x)).toBe(x);
    const c = contiguous(x.reshape([2, 2]).transpose(0, 1));
    expect(c.isContiguous()).toBe(true);
    expect(c.toArray()).toEqual([[0, 2], [1, 3]]);
  });

  it('squeeze / unsqueeze', () => {
    expect(squeeze(zeros([1, 3, 1]), [0, 2]).shape).toEqual([3]);
    expect(unsqueeze(tensor(1), 0).shape).toEqual([1]);
    expect(unsqueeze(zeros([2, 3]), -1).shape).toEqual([2, 3, 1]);
  });
});

describe('Python slicing', () => {
  const x = arange(10);
  it('start, stop, step with negative bounds and clipping', () => {
    expect(slice(x, [2, 8, 3]).toArray()).toEqual([2, 5]);
    expect(slice(x, [-3, null, null]).toArray()).toEqual([7, 8, 9]);
    expect(slice(x, [null, -7]).toArray()).toEqual([0, 1, 2]);
    expect(slice(x, [5, 100]).toArray()).toEqual([5, 6, 7, 8, 9]);
    expect(slice(x, [-100, 2]).toArray()).toEqual([0, 1]);
    expect(slice(x, [6, 2]).toArray()).toEqual([]);
    expect(slice(arange(12).reshape([3, 4]), null, [1, 3]).toArray()).toEqual([[1, 2], [5, 6], [9, 10]]);
  });
});

describe('broadcasting and promotion', () => {
  it('broadcasts like NumPy', () => {
    expect(tensor([[1], [2]]).add(tensor([10, 20, 30])).toArray()).toEqual([[11, 21, 31], [12, 22, 32]]);
    expect(zeros([2, 1, 3]).add(zeros([4, 1])).shape).toEqual([2, 4, 3]);
    expect(() => zeros([2, 3]).add(zeros([3, 2]))).toThrow('add: cannot broadcast [2,3] with [3,2]');
  });

  it('promotes like PyTorch', () => {
    expect(tensor([1]).add(tensor([1], { dtype: 'float64' })).dtype).toBe('float64');
    expect(tensor([1], { dtype: 'int32' }).add(tensor([1])).dtype).toBe('float32');
    expect(tensor([1]).add(tensor(1, { dtype: 'float64' })).dtype).toBe('float32'); // 0-d does not promote within a category
    expect(tensor([1], { dtype: 'int32' }).add(tensor(1.5, { dtype: 'float64' })).dtype).toBe('float64');
    expect(tensor([true]).add(tensor([true])).toArray()).toEqual([2]);
    expect(cat([tensor([1], { dtype: 'int32' }), tensor([0.5])]).toArray()).toEqual([1, 0.5]);
  });

  it('rounds float32 results once per op', () => {
    const a = tensor([0.1]);
    const b = tensor([0.2]);
    expect(a.add(b).toTypedArray()[0]).toBe(Math.fround(Math.fround(0.1) + Math.fround(0.2)));
    expect(a.exp().toTypedArray()[0]).toBe(Math.fround(Math.exp(Math.fround(0.1))));
  });
});

describe('ops without goldens', () => {
  it('erf matches reference values', () => {
    const got = erf(f64([0, 0.5, 1, -1.5, 2, 3.5, 7])).toArray() as number[];
    const want = [0, 0.5204998778130465, 0.8427007929497149, -0.9661051464753108, 0.9953222650189527, 0.9999992569016276, 1];
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 14));
  });

  it('sign, relu, sigmoid at extremes', () => {
    expect(sign(tensor([-3, 0, 2])).toArray()).toEqual([-1, 0, 1]);
    expect(relu(tensor([-1, 0, 2])).toArray()).toEqual([0, 0, 2]);
    expect(relu(i32([-1, 3])).dtype).toBe('int32');
    // PyTorch 1.13: relu([nan, -1, 0, 2]) = [nan, 0, 0, 2]; its gradient with ones = [1, 0, 0, 1].
    const x = tensor([NaN, -1, 0, 2], { requiresGrad: true });
    const y = relu(x);
    expect(Array.from(y.toTypedArray())).toEqual([NaN, 0, 0, 2]);
    y.backward(tensor([1, 1, 1, 1]));
    expect(Array.from(x.grad!.toTypedArray())).toEqual([1, 0, 0, 1]);
    const s = sigmoid(f64([-1000, 0, 1000])).toArray();
    expect(s).toEqual([0, 0.5, 1]);
  });

  it('maximum and minimum at ties and NaN: values, gradients and tangents of PyTorch 1.13', () => {
    // torch.maximum/minimum of a = [nan, -1, 0, 2, 3], b = [0, 1, 0, 2, nan] (float64), backward with
    // [1, 2, 4, 8, 16], forward-mode tangents 1 (a) and 10 (b): PyTorch's numbers.
    const want = {
      maximum: { y: [NaN, 1, 0, 2, NaN], ga: [1, 0, 2, 4, 16], gb: [1, 2, 2, 4, 16], t: [10, 10, 5.5, 5.5, 10] },
      minimum: { y: [NaN, -1, 0, 2, NaN], ga: [1, 2, 2, 4, 16], gb: [1, 0, 2, 4, 16], t: [10, 1, 5.5, 5.5, 10] },
    };
    for (const [name, f] of [['maximum', maximum], ['minimum', minimum]] as const) {
      const a = tensor([NaN, -1, 0, 2, 3], { dtype: 'float64', requiresGrad: true });
      const b = tensor([0, 1, 0, 2, NaN], { dtype: 'float64', requiresGrad: true });
      const y = f(a, b);
      y.backward(tensor([1, 2, 4, 8, 16], { dtype: 'float64' }));
      const [, tangent] = jvp((p: Tensor, q: Tensor) => f(p, q), [a.detach(), b.detach()], [ones([5], { dtype: 'float64' }), full([5], 10, { dtype: 'float64' })]);
      expect(Array.from(y.toTypedArray()), name).toEqual(want[name].y);
      expect(Array.from(a.grad!.toTypedArray()), `${name} grad a`).toEqual(want[name].ga);
      expect(Array.from(b.grad!.toTypedArray()), `${name} grad b`).toEqual(want[name].gb);
      expect(Array.from((tangent as Tensor).toTypedArray()), `${name} tangent`).toEqual(want[name].t);
    }
  });

  it('max/amax/min reductions at ties, NaN and infinity: gradients and tangents of PyTorch 1.13', () => {
    const grad = (f: (x: Tensor) => Tensor, v: number[] | number[][]): [number[], number[]] => {
      const x = tensor(v, { requiresGrad: true });
      const y = f(x);
      y.sum().backward();
      return [Array.from(y.toTypedArray()), Array.from(x.grad!.toTypedArray())];
    };
    // PyTorch's numbers (torch.max, torch.amax, torch.min; backward of the sum).
    expect(grad((x) => max(x), [1, 3, 3, 2])).toEqual([[3], [0, 0.5, 0.5, 0]]);
    expect(grad((x) => amax(x, 1), [[1, 3, 3], [2, 2, 0]])).toEqual([[3, 2], [0, 0.5, 0.5, 0.5, 0.5, 0]]);
    expect(grad((x) => min(x), [[1, 3, 3], [2, 2, 0]])).toEqual([[0], [0, 0, 0, 0, 0, 1]]);
    expect(grad((x) => max(x), [1, NaN, 2])).toEqual([[NaN], [0, 1, 0]]); // whole-tensor max: the NaN takes it
    expect(grad((x) => amax(x, 0), [1, NaN, 2])).toEqual([[NaN], [NaN, NaN, NaN]]); // amax: 0/0
    expect(grad((x) => amax(x, 0), [1, Infinity])).toEqual([[Infinity], [0, 1]]);
    expect(Object.is(amax(tensor([-0], { requiresGrad: true }), 0).item(), -0)).toBe(true);
    // forward mode: the mean of the tied tangents (PyTorch: 3 for tangents [1, 2, 4, 8])
    const t = [tensor([1, 3, 3, 2])] as const;
    expect(jvp((x: Tensor) => amax(x, 0), [...t], [tensor([1, 2, 4, 8])])[1].item()).toBe(3);
    expect(jvp((x: Tensor) => max(x), [...t], [tensor([1, 2, 4, 8])])[1].item()).toBe(3);
  });

  it('clamp at NaN and at its bounds: gradients of PyTorch 1.13', () => {
    const x = tensor([NaN, -1, 0, 2, 5], { requiresGrad: true });
    const lo = zeros([5], { requiresGrad: true });
    const hi = full([5], 3, { requiresGrad: true });
    const y = clamp(x, { min: lo, max: hi });
    y.backward(ones([5]));
    expect(Array.from(y.toTypedArray())).toEqual([NaN, 0, 0, 2, 3]);
    expect(Array.from(x.grad!.toTypedArray())).toEqual([0, 0, 1, 1, 0]);
    expect(Array.from(lo.grad!.toTypedArray())).toEqual([0, 1, 0, 0, 0]);
    expect(Array.from(hi.grad!.toTypedArray())).toEqual([0, 0, 0, 0, 1]);
    const z = tensor([NaN, -1, 0, 2, 5], { requiresGrad: true });
    clamp(z, { max: 2 }).backward(ones([5]));
    expect(Array.from(z.grad!.toTypedArray())).toEqual([0, 1, 1, 1, 0]);
  });

  it('comparisons and where', () => {
    const a = tensor([1, 2, 3]);
    expect(eq(a, 2).toArray()).toEqual([false, true, false]);
    expect(ne(a, 2).toArray()).toEqual([true, false, true]);
    expect(lt(a, 2).toArray()).toEqual([true, false, false]);
    expect(le(a, 2).toArray()).toEqual([true, true, false]);
    expect(gt(a, 2).toArray()).toEqual([false, false, true]);
    expect(ge(a, 2).toArray()).toEqual([false, true, true]);
    expect(where(gt(a, 1), a, -1).toArray()).toEqual([-1, 2, 3]);
  });

  it('max/min/argmax/argmin/amax', () => {
    const x = tensor([[1, 5, 2], [7, 0, 3]]);
    const m = max(x, 1);
    expect(m.values.toArray()).toEqual([5, 7]);
    expect(m.indices.toArray()).toEqual([1, 0]);
    expect(m.indices.dtype).toBe('int32');
    expect(min(x, 0, { keepdim: true }).values.toArray()).toEqual([[1, 0, 2]]);
    expect(max(x).item()).toBe(7);
    expect(argmax(x).item()).toBe(3);
    expect(argmin(x, 1).toArray()).toEqual([0, 1]);
    expect(amax(x, [0, 1]).item()).toBe(7);
    expect(amax(zeros([2, 3, 4]), [0, 2], { keepdim: true }).shape).toEqual([1, 3, 1]);
  });

  it('the gradient of max goes to the selected element', () => {
    const x = tensor([[1, 5, 2], [7, 0, 3]], { requiresGrad: true });
    max(x, 1).values.sum().backward();
    expect(x.grad!.toArray()).toEqual([[0, 1, 0], [1, 0, 0]]);
  });

  it('prod has exact gradients even with zeros', () => {
    const x = f64([2, 0, 3, 4]).requiresGrad_();
    const p = prod(x);
    expect(p.item()).toBe(0);
    p.backward();
    expect(x.grad!.toArray()).toEqual([0, 24, 0, 0]);
  });

  it('var/std are unbiased by default; mean; norms', () => {
    const x = f64([1, 2, 3, 4]);
    expect(variance(x).item()).toBeCloseTo(5 / 3, 14);
    expect(variance(x, null, { unbiased: false }).item()).toBe(1.25);
    expect(std(x).item()).toBeCloseTo(Math.sqrt(5 / 3), 14);
    expect(mean(x).item()).toBe(2.5);
    expect(norm(f64([3, -4])).item()).toBe(5);
    expect(norm(f64([3, -4]), { p: 1 }).item()).toBe(7);
    expect(norm(f64([3, -4]), { p: Infinity }).item()).toBe(4);
    expect(norm(f64([3, 0, -4]), { p: 0 }).item()).toBe(2);
    expect(norm(f64([1, 2]), { p: 3 }).item()).toBeCloseTo(Math.cbrt(9), 14);
  });

  it('the 2-norm has gradient 0 at 0 (not NaN)', () => {
    const z = zeros([3], { dtype: 'float64' }).requiresGrad_();
    norm(z).backward();
    expect(z.grad!.toArray()).toEqual([0, 0, 0]);
  });

  it('indexSelect, scatterAdd, casts', () => {
    expect(indexSelect(tensor([[1, 2, 3], [4, 5, 6]]), 1, i32([2, 0, 2])).toArray()).toEqual([[3, 1, 3], [6, 4, 6]]);
    expect(scatterAdd(zeros([3]), 0, i32([0, 0, 2]), tensor([1, 2, 3])).toArray()).toEqual([3, 0, 3]);
    expect(cast(tensor([1.7, -1.7]), 'int32').toArray()).toEqual([1, -1]);
    expect(cast(tensor([0, 2]), 'bool').toArray()).toEqual([false, true]);
  });

  it('pad crops with negative amounts', () => {
    expect(pad(tensor([[1, 2, 3]]), [-1, 1], { value: 9 }).toArray()).toEqual([[2, 3, 9]]);
    expect(pad(ones([1, 1]), [0, 0, 1, 0], { value: 5 }).toArray()).toEqual([[5], [1]]);
  });

  it('stack along a negative dim; matmul of vectors', () => {
    expect(stack([tensor([1, 2]), tensor([3, 4])], -1).toArray()).toEqual([[1, 3], [2, 4]]);
    expect(matmul(tensor([1, 2]), tensor([3, 4])).item()).toBe(11);
    expect(matmul(zeros([5, 2, 3]), zeros([3])).shape).toEqual([5, 2]);
    expect(matmul(zeros([3]), zeros([2, 3, 4])).shape).toEqual([2, 4]);
  });

  it('maximum propagates NaN from either side', () => {
    expect(maximum(tensor([NaN, 1]), tensor([0, NaN])).toArray()).toEqual([NaN, NaN]);
  });

  it('dims out of range name the op and the ndim', () => {
    expect(() => sum(zeros([2, 3]), 3)).toThrow(RangeArgError);
    expect(() => sum(zeros([2, 3]), 3)).toThrow('sum: dim 3 out of range for a tensor of 2 dims (expected a dim in [-2, 1])');
    expect(() => sum(zeros([2, 3]), [0, 0])).toThrow('sum: dim 0 appears more than once in [0,0]');
  });
});

describe('numerical stability', () => {
  it('logsumexp, softmax and logSoftmax with logits of ±1000', () => {
    expect(logsumexp(f64([1000, 1000]), 0).item()).toBeCloseTo(1000 + Math.LN2, 10);
    expect(logsumexp(f64([-1000, -1000]), 0).item()).toBeCloseTo(-1000 + Math.LN2, 10);
    expect(softmax(tensor([1000, 0, -1000]), 0).toArray()).toEqual([1, 0, 0]);
    expect(logSoftmax(f64([1000, 0]), 0).toArray()).toEqual([0, -1000]);
    const x = f64([1000, 0]).requiresGrad_();
    logSoftmax(x, 0).sum().backward();
    expect(x.grad!.toArray()).toEqual([-1, 1]);
    expect(logsumexp(f64([-Infinity, -Infinity]), 0).item()).toBe(-Infinity);
  });

  it('softplus is linear past the threshold and has finite gradients', () => {
    const x = f64([-50, 0, 30, 1000]).requiresGrad_();
    const y = softplus(x);
    expect((y.toArray() as number[])[3]).toBe(1000);
    expect((y.toArray() as number[])[1]).toBeCloseTo(Math.LN2, 14);
    y.sum().backward();
    expect(x.grad!.toArray()).toEqual([Math.exp(-50) / (1 + Math.exp(-50)), 0.5, 1, 1]);
  });

  it('exact and tanh gelu', () => {
    const x = 0.7;
    const cdf = 0.5 * (1 + 0.5160726955538539); // erf(0.7/√2), from Python's math.erf
    expect(gelu(f64([x])).item()).toBeCloseTo(x * cdf, 14);
    const t = Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3));
    expect(gelu(f64([x]), { approximate: 'tanh' }).item()).toBeCloseTo(0.5 * x * (1 + t), 14);
    expect(exp(f64([0])).item()).toBe(1);
  });
});

describe('the primitive table', () => {
  it('is small and closed, with forward, VJP, JVP and a batching rule for each primitive', () => {
    // 38 of the first stage, the transfer between backends, 8 that need kernels (inverse trigonometry,
    // rounding, modulo, scan, sort) and 8 factorisations of linalg: everything else is a composite.
    expect(PRIMITIVES.length).toBe(55);
    for (const p of PRIMITIVES) {
      const r = ruleOf(p);
      expect(typeof r.forward).toBe('function');
      expect(typeof r.vjp).toBe('function');
      expect(typeof r.jvp).toBe('function');
      expect(typeof r.batch).toBe('function');
      expect(['none', 'x', 'y', 'xy']).toContain(r.save);
    }
    expect(reshape(zeros([4]), [2, 2]).gradFn).toBeNull();
  });
});

describe('argument mistakes', () => {
  it('options passed in place of dim get a clear error', () => {
    expect(() => sum(zeros([2]), { keepdim: true } as never)).toThrow(
      'sum: dim must be a number, a list of numbers or null, got {"keepdim":true}; options come third: sum(x, null, {keepdim: true})',
    );
    expect(sum(ones([2, 2]), null, { keepdim: true }).toArray()).toEqual([[4]]);
  });
});

describe('operand types', () => {
  it('arrays must be wrapped with tensor()', () => {
    expect(() => zeros([2]).add([1, 2] as never)).toThrow('add: expected a Tensor or a number, got an array (wrap it with tensor())');
  });
});
