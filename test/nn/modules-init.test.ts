/**
 * nn.init and the layers' default initialisation: exact bounds, mean and standard deviation within
 * sampling tolerance over large tensors, seeding; plus MultiheadAttention behaviour the goldens do not
 * pin down (causal weights exactly zero, dropout only in training, shape errors).
 */
import { describe, expect, it } from 'vitest';
import { Tensor, empty, manualSeed, ones, randn } from 'adjoint';
import { BatchNorm1d, Conv2d, Embedding, LayerNorm, Linear, MultiheadAttention, init } from 'adjoint/nn';

function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  const a = t.toTypedArray();
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of a) {
    s += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = s / a.length;
  let q = 0;
  for (const v of a) q += (v - mean) ** 2;
  return { mean, std: Math.sqrt(q / a.length), min, max };
}

// 10^6 draws: the sample mean is within 5 standard errors (std/1000) of the truth, the std within 0.5%.
const N = [1000, 1000];

describe('nn.init', () => {
  it('calculateGain matches PyTorch', () => {
    expect(init.calculateGain('linear')).toBe(1);
    expect(init.calculateGain('conv2d')).toBe(1);
    expect(init.calculateGain('sigmoid')).toBe(1);
    expect(init.calculateGain('tanh')).toBe(5 / 3);
    expect(init.calculateGain('relu')).toBe(Math.SQRT2);
    expect(init.calculateGain('leaky_relu')).toBe(Math.sqrt(2 / (1 + 0.01 ** 2)));
    expect(init.calculateGain('leaky_relu', { param: 0.2 })).toBe(Math.sqrt(2 / 1.04));
    expect(init.calculateGain('selu')).toBe(0.75);
    expect(() => init.calculateGain('swish' as 'relu')).toThrow('calculateGain: unsupported nonlinearity "swish"');
  });

  it('calculateFanInAndFanOut counts the receptive field', () => {
    expect(init.calculateFanInAndFanOut(empty([16, 3, 5, 5]))).toEqual([75, 400]);
    expect(init.calculateFanInAndFanOut(empty([4, 7]))).toEqual([7, 4]);
    expect(() => init.calculateFanInAndFanOut(empty([4]))).toThrow(/at least 2 dims, got \[4\]/);
  });

  it('uniform_: within [a, b], mean and std of U(a, b)', () => {
    const s = stats(init.uniform_(empty(N, { dtype: 'float64' }), { a: -2, b: 3 }));
    expect(s.min).toBeGreaterThanOrEqual(-2);
    expect(s.max).toBeLessThanOrEqual(3);
    expect(s.min).toBeLessThan(-1.999);
    expect(s.max).toBeGreaterThan(2.999);
    expect(Math.abs(s.mean - 0.5)).toBeLessThan((5 * 5) / Math.sqrt(12) / 1000);
    expect(s.std / (5 / Math.sqrt(12))).toBeCloseTo(1, 2);
  });

  it('normal_, constant_, zeros_, ones_', () => {
    const s = stats(init.normal_(empty(N), { mean: 1, std: 0.5 }));
    expect(Math.abs(s.mean - 1)).toBeLessThan(5 * 0.5 / 1000);
    expect(s.std / 0.5).toBeCloseTo(1, 2);
    expect(init.constant_(empty([3]), 0.25).toArray()).toEqual([0.25, 0.25, 0.25]);
    expect(init.zeros_(ones([2])).toArray()).toEqual([0, 0]);
    expect(init.ones_(empty([2])).toArray()).toEqual([1, 1]);
  });

  it('xavierUniform_ and xavierNormal_ use gain·√(6 / (fanIn + fanOut)) and gain·√(2 / (fanIn + fanOut))', () => {
    const w = empty([600, 400], { dtype: 'float64' });
    const bound = (5 / 3) * Math.sqrt(6 / 1000);
    const u = stats(init.xavierUniform_(w, { gain: 5 / 3 }));
    expect(u.max).toBeLessThanOrEqual(bound);
    expect(u.min).toBeGreaterThanOrEqual(-bound);
    expect(u.max).toBeGreaterThan(bound * 0.999);
    expect(u.std / (bound / Math.sqrt(3))).toBeCloseTo(1, 2);
    const n = stats(init.xavierNormal_(w));
    expect(n.std / Math.sqrt(2 / 1000)).toBeCloseTo(1, 2);
    expect(Math.abs(n.mean)).toBeLessThan(5 * Math.sqrt(2 / 1000) / Math.sqrt(240000));
  });

  it('kaimingUniform_ and kaimingNormal_ keep the variance of the chosen fan', () => {
    const w = empty([400, 250, 3, 3], { dtype: 'float64' }); // fanIn 2250, fanOut 3600
    const u = stats(init.kaimingUniform_(w, { nonlinearity: 'relu' }));
    const bound = Math.sqrt(2) * Math.sqrt(3 / 2250);
    expect(u.max).toBeLessThanOrEqual(bound);
    expect(u.min).toBeGreaterThanOrEqual(-bound);
    expect(u.std / (bound / Math.sqrt(3))).toBeCloseTo(1, 2);
    const n = stats(init.kaimingNormal_(w, { mode: 'fanOut', nonlinearity: 'relu' }));
    expect(n.std / (Math.sqrt(2) / Math.sqrt(3600))).toBeCloseTo(1, 2);
    expect(() => init.kaimingNormal_(w, { mode: 'both' as 'fanIn' })).toThrow(/mode must be 'fanIn' or 'fanOut'/);
    expect(() => init.uniform_(empty([2], { dtype: 'int32' }))).toThrow(/uniform_/);
  });

  it('is seeded by manualSeed', () => {
    manualSeed(7);
    const a = init.normal_(empty([5])).toArray();
    manualSeed(7);
    expect(init.normal_(empty([5])).toArray()).toEqual(a);
  });
});

describe("layers' default initialisation (PyTorch's)", () => {
  it('Linear: weight and bias from U(−1/√in, 1/√in)', () => {
    manualSeed(0);
    const fc = new Linear(400, 2500, { dtype: 'float64' });
    const b = 1 / Math.sqrt(400);
    for (const t of [fc.weight, fc.bias!]) {
      const s = stats(t);
      expect(s.max).toBeLessThanOrEqual(b);
      expect(s.min).toBeGreaterThanOrEqual(-b);
    }
    const s = stats(fc.weight);
    expect(s.max).toBeGreaterThan(b * 0.999);
    expect(s.std / (b / Math.sqrt(3))).toBeCloseTo(1, 2);
    expect(Math.abs(s.mean)).toBeLessThan((5 * b) / Math.sqrt(3) / 1000);
  });

  it('Conv2d: U(−1/√fanIn, 1/√fanIn) with fanIn = in/groups · kH · kW', () => {
    const conv = new Conv2d(64, 1024, 3, { groups: 4, dtype: 'float64' }); // fanIn = 16·9 = 144
    const s = stats(conv.weight);
    expect(s.max).toBeLessThanOrEqual(1 / 12);
    expect(s.min).toBeGreaterThanOrEqual(-1 / 12);
    expect(s.std / (1 / 12 / Math.sqrt(3))).toBeCloseTo(1, 2);
    expect(stats(conv.bias!).max).toBeLessThanOrEqual(1 / 12);
  });

  it('Embedding N(0, 1) with a zero padding row; norms ones and zeros; attention xavier with zero biases', () => {
    const e = new Embedding(1000, 1000, { paddingIdx: 3 });
    const s = stats(e.weight);
    expect(Math.abs(s.mean)).toBeLessThan(0.005);
    expect(s.std).toBeCloseTo(1, 2);
    expect(e.weight.narrow(0, 3, 1).abs().sum().item()).toBe(0);
    const bn = new BatchNorm1d(3);
    expect([bn.weight!.toArray(), bn.bias!.toArray(), bn.runningMean!.toArray(), bn.runningVar!.toArray()]).toEqual([[1, 1, 1], [0, 0, 0], [0, 0, 0], [1, 1, 1]]);
    expect(new LayerNorm(2).weight!.toArray()).toEqual([1, 1]);
    const mha = new MultiheadAttention(8, 2);
    expect(mha.inProjBias!.abs().sum().item()).toBe(0);
    expect(mha.outProj.bias!.abs().sum().item()).toBe(0);
    expect(stats(mha.inProjWeight!).max).toBeLessThanOrEqual(Math.sqrt(6 / (8 + 24)));
  });
});

describe('MultiheadAttention behaviour', () => {
  it('isCausal gives weights that are exactly zero above the diagonal and rows summing to 1', () => {
    const mha = new MultiheadAttention(8, 2, { batchFirst: true });
    const x = randn([2, 4, 8]);
    const [, w] = mha.forward(x, x, x, { isCausal: true });
    const a = w!.toArray() as number[][][];
    for (const b of a) {
      b.forEach((row, i) => {
        row.forEach((v, j) => {
          if (j > i) expect(v).toBe(0);
        });
        expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
      });
    }
  });

  it('dropout on the weights only in training; needWeights false gives null', () => {
    manualSeed(0);
    const mha = new MultiheadAttention(8, 2, { dropout: 0.5 });
    const x = randn([3, 2, 8]);
    const [y1] = mha.forward(x, x, x);
    const [y2] = mha.forward(x, x, x);
    expect(y1.toArray()).not.toEqual(y2.toArray());
    mha.eval();
    const [e1, w] = mha.forward(x, x, x, { needWeights: false });
    const [e2] = mha.forward(x, x, x);
    expect(e1.toArray()).toEqual(e2.toArray());
    expect(w).toBeNull();
  });

  it('shape errors name the layout and the shapes', () => {
    const mha = new MultiheadAttention(8, 2);
    expect(() => mha.forward(randn([3, 2, 6]), randn([3, 2, 6]), randn([3, 2, 6]))).toThrow(
      'MultiheadAttention: query [3,2,6] must be [L, N, E] with E = embedDim = 8',
    );
    expect(() => mha.forward(randn([3, 2, 8]), randn([4, 2, 8]), randn([4, 2, 8]), { attnMask: ones([3, 3]) })).toThrow(
      'attnMask must be [L, S] = [3, 4] or [N·numHeads, L, S] = [4, 3, 4], got [3,3]',
    );
    expect(() => mha.forward(randn([3, 8]), randn([3, 2, 8]), randn([3, 2, 8]))).toThrow(/must all be 2-D/);
  });
});
