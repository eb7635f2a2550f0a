/**
 * nn.functional beyond the goldens: conv and pooling against direct-loop
 * references (ceilMode, countIncludePad, dilation, 'same' padding), the
 * im2col/col2im pair, numerical stability with logits of ±1000, loss options,
 * batchNorm running statistics against closed forms, dropout, the W6
 * benchmark's numbers, and a small CNN learning the 8x8 digits.
 */
import { describe, expect, it } from 'vitest';
import {
  Tensor, arange, checkpoint, gelu as opsGelu, grad, jvp, manualSeed, mul, ones, pad as opsPad, randn, relu, softmax as opsSoftmax,
  sum, tensor, zeros,
} from '../../src/index.js';
import * as F from '../../src/nn/functional/index.js';
import { avgPoolRef, conv2dRef, maxPoolRef, type PoolRef } from './reference.js';

const f64 = (shape: number[]): Tensor => randn(shape, { dtype: 'float64' });
const i32 = (v: number[], shape?: number[]): Tensor => tensor(v, { dtype: 'int32', shape });
const flat = (t: Tensor): number[] => Array.from(t.toTypedArray());

function expectAllClose(actual: Tensor, expected: ArrayLike<number>, shape: readonly number[], tol = 1e-12): void {
  expect(actual.shape).toEqual(shape);
  const a = actual.toTypedArray();
  expect(a.length).toBe(expected.length);
  for (let i = 0; i < a.length; i++) {
    const e = expected[i]!;
    if (!(Math.abs(a[i]! - e) <= tol * (1 + Math.abs(e)))) throw new Error(`element ${i}: ${a[i]} vs expected ${e}`);
  }
}

describe('conv against a direct-loop reference (float64)', () => {
  const configs: { xs: [number, number, number, number]; ws: [number, number, number, number]; bias: boolean; o: F.ConvOptions }[] = [
    { xs: [2, 3, 7, 6], ws: [4, 3, 3, 2], bias: true, o: { stride: [2, 1], padding: [1, 2], dilation: [1, 2] } },
    { xs: [1, 6, 8, 8], ws: [9, 2, 3, 3], bias: false, o: { groups: 3, stride: 3, padding: 1 } },
    { xs: [3, 2, 5, 5], ws: [2, 2, 1, 1], bias: true, o: {} },
    { xs: [1, 4, 9, 7], ws: [4, 1, 3, 3], bias: true, o: { groups: 4, dilation: 3, padding: 2 } },
  ];
  for (const [i, c] of configs.entries()) {
    it(`config ${i}: x ${c.xs.join('x')}, weight ${c.ws.join('x')}, ${JSON.stringify(c.o)}`, () => {
      const x = f64(c.xs);
      const w = f64(c.ws);
      const b = c.bias ? f64([c.ws[0]]) : null;
      const pair = (v: number | readonly number[] | undefined, d: number): [number, number] =>
        typeof v === 'number' ? [v, v] : v === undefined ? [d, d] : [v[0]!, v[1]!];
      const ref = conv2dRef({
        x: x.toTypedArray() as Float64Array, xs: c.xs, w: w.toTypedArray() as Float64Array, ws: c.ws,
        b: b === null ? null : (b.toTypedArray() as Float64Array),
        stride: pair(c.o.stride, 1), padding: pair(c.o.padding as number | number[] | undefined, 0), dilation: pair(c.o.dilation, 1),
        groups: c.o.groups ?? 1,
      });
      expectAllClose(F.conv2d(x, w, b, c.o), ref.out, ref.shape);
    });
  }

  it("padding 'same' keeps the size; an odd total padding goes to the right, like PyTorch", () => {
    const x = f64([1, 2, 5, 6]);
    const w = f64([3, 2, 2, 4]); // total padding 1 (rows) and 3 (cols): 0 + 1 and 1 + 2
    const y = F.conv2d(x, w, null, { padding: 'same' });
    const wide = F.conv2d(opsPad(x, [1, 2, 0, 1]), w);
    expectAllClose(y, flat(wide), [1, 3, 5, 6]);
    expect(F.conv2d(x, w, null, { padding: 'valid' }).shape).toEqual([1, 3, 4, 3]);
  });

  it('conv1d is conv2d with a unit height; unbatched inputs match the batched result', () => {
    const x = f64([2, 4, 11]);
    const w = f64([6, 2, 3]);
    const b = f64([6]);
    const o = { stride: 2, padding: 2, dilation: 2, groups: 2 };
    const y1 = F.conv1d(x, w, b, o);
    const y2 = F.conv2d(x.unsqueeze(2), w.unsqueeze(2), b, { ...o, stride: [1, 2], padding: [0, 2], dilation: [1, 2] }).squeeze(2);
    expectAllClose(y1, flat(y2), y2.shape);
    expectAllClose(F.conv1d(x.narrow(0, 1, 1).squeeze(0), w, b, o), flat(y1.narrow(0, 1, 1)), [6, y1.shape[2]!]);
  });
});

describe('pooling against a reference of PyTorch kernels (float64)', () => {
  const shapes: [number, number, number, number][] = [[2, 2, 7, 6], [1, 1, 5, 5], [1, 2, 4, 9]];
  const kernels: [number, number][] = [[2, 2], [3, 3], [2, 3]];
  const strides: [number, number][] = [[1, 1], [2, 2], [3, 2]];
  const cases: PoolRef[] = [];
  for (const xs of shapes) {
    for (const k of kernels) {
      for (const s of strides) {
        for (const p of [[0, 0], [1, 1], [1, 0]] as [number, number][]) {
          for (const ceil of [false, true]) {
            if (p[0] > k[0] / 2 || p[1] > k[1] / 2) continue;
            cases.push({ x: new Float64Array(), xs, k, s, p, d: [1, 1], ceil });
          }
        }
      }
    }
  }
  const label = (c: PoolRef): string => `x ${c.xs.join('x')} k ${c.k} s ${c.s} p ${c.p} d ${c.d} ceil ${c.ceil}`;

  it(`maxPool2d and avgPool2d (both countIncludePad) agree on ${cases.length} configurations`, () => {
    for (const c of cases) {
      const x = f64([...c.xs]);
      const a = { ...c, x: x.toTypedArray() as Float64Array };
      if (a.xs[2] + 2 * a.p[0] < a.k[0] || a.xs[3] + 2 * a.p[1] < a.k[1]) continue;
      const o = { stride: c.s, padding: c.p, ceilMode: c.ceil };
      const mx = maxPoolRef(a);
      try {
        expectAllClose(F.maxPool2d(x, c.k, o), mx.out, mx.shape);
        for (const countIncludePad of [true, false]) {
          const av = avgPoolRef({ ...a, countIncludePad });
          expectAllClose(F.avgPool2d(x, c.k, { ...o, countIncludePad }), av.out, av.shape);
        }
      } catch (e) {
        throw new Error(`${label(c)}: ${(e as Error).message}`);
      }
    }
  });

  it('maxPool2d with dilation, padding and ceilMode', () => {
    for (const [xs, k, s, p, d] of [
      [[1, 2, 9, 8], [3, 3], [2, 2], [1, 1], [2, 2]],
      [[2, 1, 7, 7], [2, 3], [2, 3], [1, 1], [3, 2]],
    ] as [[number, number, number, number], [number, number], [number, number], [number, number], [number, number]][]) {
      for (const ceil of [false, true]) {
        const x = f64(xs);
        const r = maxPoolRef({ x: x.toTypedArray() as Float64Array, xs, k, s, p, d, ceil });
        expectAllClose(F.maxPool2d(x, k, { stride: s, padding: p, dilation: d, ceilMode: ceil }), r.out, r.shape);
      }
    }
  });

  it('ceilMode by hand: a 5x5 ramp, kernel 2, stride 2', () => {
    const x = arange(25, { dtype: 'float64' }).reshape([1, 1, 5, 5]);
    expect(F.maxPool2d(x, 2, { ceilMode: true }).toArray()).toEqual([[[[6, 8, 9], [16, 18, 19], [21, 23, 24]]]]);
    expect(F.maxPool2d(x, 2).toArray()).toEqual([[[[6, 8], [16, 18]]]]);
    // The last windows hold 2x1, 1x2 and 1x1 cells, and no padding: the divisor is the cell count.
    expect(F.avgPool2d(x, 2, { ceilMode: true }).toArray()).toEqual([[[[3, 5, 6.5], [13, 15, 16.5], [20.5, 22.5, 24]]]]);
  });

  it('countIncludePad counts the padding but not the cells past it that ceilMode windows reach', () => {
    // 1 x 4 input, kernel [1, 3], stride [1, 2], padding [0, 1], ceil: windows start at -1, 1, 3 and cover
    // {pad, 0, 1}, {1, 2, 3}, {3, pad, beyond}.
    const x = tensor([[[[1, 2, 3, 4]]]], { dtype: 'float64' });
    const o = { stride: [1, 2], padding: [0, 1], ceilMode: true };
    expect(F.avgPool2d(x, [1, 3], { ...o, countIncludePad: true }).toArray()).toEqual([[[[1, 3, 2]]]]);
    expect(F.avgPool2d(x, [1, 3], { ...o, countIncludePad: false }).toArray()).toEqual([[[[1.5, 3, 4]]]]);
    expect(F.avgPool2d(x, [1, 3], { ...o, divisorOverride: 2 }).toArray()).toEqual([[[[1.5, 4.5, 2]]]]);
  });

  it('the max-pool gradient goes to the maximum of each window, summed where windows overlap', () => {
    const x = tensor([[[[1, 9, 2], [3, 4, 8], [7, 5, 6]]]], { dtype: 'float64', requiresGrad: true });
    F.maxPool2d(x, 2, { stride: 1 }).sum().backward();
    expect(x.grad!.toArray()).toEqual([[[[0, 2, 0], [0, 0, 1], [1, 0, 0]]]]);
  });
});

describe('unfold and fold (the im2col and col2im primitives)', () => {
  it('unfold lists each window as a column, like F.unfold', () => {
    const x = arange(16, { dtype: 'float64' }).reshape([1, 1, 4, 4]);
    expect(F.unfold(x, 2, { stride: 2 }).toArray()).toEqual([[[0, 2, 8, 10], [1, 3, 9, 11], [4, 6, 12, 14], [5, 7, 13, 15]]]);
  });

  it('fold is the transpose of unfold: <unfold(x), c> = <x, fold(c)>, and fold(unfold(1)) counts the windows', () => {
    const o = { stride: [2, 1], padding: [1, 2], dilation: [2, 1] };
    const x = f64([2, 3, 6, 5]);
    const u = F.unfold(x, [2, 3], o);
    const c = f64(u.shape as number[]);
    const lhs = sum(mul(u, c)).item();
    const rhs = sum(mul(x, F.fold(c, [6, 5], [2, 3], o))).item();
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-10 * (1 + Math.abs(lhs)));
    const counts = F.fold(F.unfold(ones([1, 1, 3, 3], { dtype: 'float64' }), 2), [3, 3], 2);
    expect(counts.toArray()).toEqual([[[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]]);
  });

  it('forward mode through conv2d matches the directional derivative', () => {
    const x = f64([1, 2, 5, 5]);
    const w = f64([3, 2, 3, 3]);
    const dx = f64([1, 2, 5, 5]);
    const f = (t: Tensor): Tensor => F.conv2d(t, w, null, { padding: 1, stride: 2 });
    const [, tangent] = jvp(f, [x], [dx]);
    // conv2d is linear in x: the tangent is conv2d of the tangent.
    expectAllClose(tangent as Tensor, flat(f(dx)), [1, 3, 3, 3], 1e-12);
  });
});

describe('numerical stability with logits of ±1000', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`logSoftmax, softmax and crossEntropy stay finite and exact (${dtype})`, () => {
      const logits = tensor([[1000, -1000, 0], [-1000, 1000, 1000]], { dtype, requiresGrad: true });
      const ln2 = Math.log(2);
      expectAllClose(F.logSoftmax(logits, 1), [0, -2000, -1000, -2000 - ln2, -ln2, -ln2], [2, 3], dtype === 'float32' ? 1e-7 : 1e-15);
      expect(F.softmax(logits, 1).toArray()).toEqual([[1, 0, 0], [0, 0.5, 0.5]]);
      const loss = F.crossEntropy(logits, i32([0, 1]), { reduction: 'none' });
      expectAllClose(loss, [0, Math.log(2)], [2], dtype === 'float32' ? 1e-7 : 1e-15);
      F.crossEntropy(logits, i32([0, 1])).backward();
      // d mean(loss) / d logits = (softmax − onehot) / N
      expect(logits.grad!.toArray()).toEqual([[0, 0, 0], [0, -0.25, 0.25]]);
    });

    it(`binaryCrossEntropyWithLogits is finite with a gradient σ(x) − t (${dtype})`, () => {
      const x = tensor([1000, -1000, 1000, -1000, 0], { dtype, requiresGrad: true });
      const t = tensor([1, 0, 0, 1, 0.25], { dtype });
      const l = F.binaryCrossEntropyWithLogits(x, t, { reduction: 'none' });
      expectAllClose(l, [0, 0, 1000, 1000, Math.log(2)], [5], dtype === 'float32' ? 1e-7 : 1e-15);
      F.binaryCrossEntropyWithLogits(x, t, { reduction: 'sum' }).backward();
      expect(x.grad!.toArray()).toEqual([0, 0, 1, -1, 0.25]);
    });
  }
});

describe('loss options', () => {
  it('labelSmoothing mixes the target with the uniform distribution (closed form)', () => {
    const eps = 0.2;
    const l = F.crossEntropy(tensor([[0, Math.log(3)]], { dtype: 'float64' }), i32([1]), { labelSmoothing: eps }).item();
    const logp = [Math.log(0.25), Math.log(0.75)];
    expect(l).toBeCloseTo((1 - eps) * -logp[1]! + eps * -(logp[0]! + logp[1]!) / 2, 14);
  });

  it('ignoreIndex drops targets and the mean counts only the rest', () => {
    const logits = zeros([3, 4], { dtype: 'float64', requiresGrad: true });
    const target = i32([1, -100, 2]);
    expectAllClose(F.crossEntropy(logits, target, { reduction: 'none' }), [Math.log(4), 0, Math.log(4)], [3]);
    expect(F.crossEntropy(logits, target, { reduction: 'sum' }).item()).toBeCloseTo(2 * Math.log(4), 14);
    F.crossEntropy(logits, target).backward();
    expect(logits.grad!.toArray()).toEqual([[0.125, -0.375, 0.125, 0.125], [0, 0, 0, 0], [0.125, 0.125, -0.375, 0.125]]);
    expect(F.nllLoss(zeros([2, 3]), i32([0, 1]), { ignoreIndex: 1 }).item()).toBe(0);
    expect(F.crossEntropy(zeros([2, 3]), i32([5, 5]), { ignoreIndex: 5 }).toArray()).toBeNaN(); // all ignored: 0/0, like PyTorch
  });

  it('probability targets equal index targets when one-hot; the K-dim form matches the flat one', () => {
    const logits = f64([4, 3]);
    const idx = i32([2, 0, 1, 2]);
    const onehot = tensor([[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]], { dtype: 'float64' });
    expect(F.crossEntropy(logits, onehot, { labelSmoothing: 0.3 }).item()).toBeCloseTo(F.crossEntropy(logits, idx, { labelSmoothing: 0.3 }).item(), 14);
    const k = f64([2, 3, 5]);
    const kt = i32([0, 1, 2, 0, 1, 2, 2, 1, 0, 0], [2, 5]);
    const flatLoss = F.crossEntropy(k.permute([0, 2, 1]).reshape([10, 3]), kt.reshape([10]), { reduction: 'sum' });
    expect(F.crossEntropy(k, kt, { reduction: 'sum' }).item()).toBeCloseTo(flatLoss.item(), 12);
  });
});

describe('batchNorm running statistics (closed forms)', () => {
  // Channel 0 holds {1, 3}: mean 2, biased var 1, unbiased 2. Channel 1 holds {2, 6}: mean 4, biased 4, unbiased 8.
  const x = (): Tensor => tensor([[1, 2], [3, 6]], { dtype: 'float64', requiresGrad: true });

  it('training normalizes with the batch statistics and updates the running ones in place', () => {
    const rm = zeros([2], { dtype: 'float64' });
    const rv = ones([2], { dtype: 'float64' });
    const v0 = rm.version;
    const w = tensor([2, 3], { dtype: 'float64' });
    const b = tensor([0.5, -1], { dtype: 'float64' });
    const y = F.batchNorm(x(), rm, rv, { weight: w, bias: b, training: true, eps: 0, momentum: 0.1 });
    expect(y.toArray()).toEqual([[-1.5, -4], [2.5, 2]]);
    expectAllClose(rm, [0.1 * 2, 0.1 * 4], [2], 1e-15);
    expectAllClose(rv, [0.9 + 0.1 * 2, 0.9 + 0.1 * 8], [2], 1e-15);
    expect(rm.version).toBeGreaterThan(v0);
    expect(rm.requiresGrad).toBe(false);
    expect(rm.gradFn).toBeNull();
  });

  it('the unbiased factor counts every value per channel (N·H·W); momentum 1 copies the batch statistics', () => {
    const rm = zeros([1], { dtype: 'float64' });
    const rv = zeros([1], { dtype: 'float64' });
    F.batchNorm(tensor([1, 2, 3, 4], { dtype: 'float64', shape: [2, 1, 1, 2] }), rm, rv, { training: true, momentum: 1 });
    expectAllClose(rm, [2.5], [1], 1e-15);
    expectAllClose(rv, [5 / 3], [1], 1e-15); // Σ(x − 2.5)² / 3 = 5/3
  });

  it('eval mode normalizes with the running statistics and leaves them unchanged', () => {
    const rm = tensor([0.2, 0.4], { dtype: 'float64' });
    const rv = tensor([1.1, 1.7], { dtype: 'float64' });
    const xs = x();
    const y = F.batchNorm(xs, rm, rv, { eps: 0 });
    expectAllClose(y, [0.8 / Math.sqrt(1.1), 1.6 / Math.sqrt(1.7), 2.8 / Math.sqrt(1.1), 5.6 / Math.sqrt(1.7)], [2, 2], 1e-15);
    expect(rm.toArray()).toEqual([0.2, 0.4]);
    y.sum().backward();
    expectAllClose(xs.grad!, [1 / Math.sqrt(1.1), 1 / Math.sqrt(1.7), 1 / Math.sqrt(1.1), 1 / Math.sqrt(1.7)], [2, 2], 1e-15);
  });

  it('training gradients ignore the running statistics, and forward mode leaves them without tangents', () => {
    const rm = zeros([2], { dtype: 'float64' });
    const rv = ones([2], { dtype: 'float64' });
    const g = grad((t: Tensor) => F.batchNorm(t, rm, rv, { training: true }).square().sum())(f64([4, 2]));
    expect(g.shape).toEqual([4, 2]);
    const [, t] = jvp((u: Tensor) => F.batchNorm(u, rm, rv, { training: true }), [f64([3, 2])], [f64([3, 2])]);
    expect((t as Tensor).shape).toEqual([3, 2]);
    expect(rm._tangents === null || rm._tangents.size === 0).toBe(true);
  });
});

describe('dropout', () => {
  it('is seeded: the same seed gives the same mask, another seed another', () => {
    const x = ones([64]);
    manualSeed(11);
    const a = flat(F.dropout(x, { p: 0.5 }));
    manualSeed(11);
    expect(flat(F.dropout(x, { p: 0.5 }))).toEqual(a);
    manualSeed(12);
    expect(flat(F.dropout(x, { p: 0.5 }))).not.toEqual(a);
    expect(new Set(a)).toEqual(new Set([0, 2]));
  });

  it('keeps the expectation: elements are 0 or x/(1 − p), a fraction p of them 0', () => {
    manualSeed(5);
    const n = 200_000;
    const y = F.dropout(ones([n], { dtype: 'float64' }), { p: 0.3 });
    const v = flat(y);
    const zerosFrac = v.filter((e) => e === 0).length / n;
    expect(v.every((e) => e === 0 || Math.abs(e - 1 / 0.7) < 1e-15)).toBe(true);
    expect(Math.abs(zerosFrac - 0.3)).toBeLessThan(0.005); // 5 standard deviations
    expect(Math.abs(y.mean().item() - 1)).toBeLessThan(0.01);
  });

  it('the gradient is the scaled mask; eval mode and p = 0 return x; p = 1 zeroes', () => {
    manualSeed(3);
    const x = randn([50], { requiresGrad: true });
    const y = F.dropout(x, { p: 0.2 });
    y.sum().backward();
    expect(flat(x.grad!)).toEqual(flat(y).map((v) => (v === 0 ? 0 : Math.fround(1 / 0.8))));
    expect(F.dropout(x, { training: false })).toBe(x);
    expect(F.dropout(x, { p: 0 })).toBe(x);
    expect(flat(F.dropout(x, { p: 1 })).every((v) => v === 0)).toBe(true);
  });

  it('checkpoint replays the same mask when it recomputes the forward', () => {
    const x = randn([40], { dtype: 'float64', requiresGrad: true });
    const f = (t: Tensor): Tensor => F.dropout(t, { p: 0.5 }).mul(t);
    manualSeed(4);
    checkpoint(f, x).sum().backward();
    const viaCheckpoint = flat(x.grad!);
    x.grad = null;
    manualSeed(4);
    f(x).sum().backward();
    expect(viaCheckpoint).toEqual(flat(x.grad!));
  });
});

describe('re-exports', () => {
  it('softmax, gelu and pad are the ops of adjoint', () => {
    expect(F.softmax).toBe(opsSoftmax);
    expect(F.gelu).toBe(opsGelu);
    expect(F.pad).toBe(opsPad);
    expect(F.relu).toBe(relu);
  });
});
