/**
 * Creating and reading tensors: `tensor()` in all its forms, the filled,
 * range and random creators, dtypes, RNG determinism, and the bad-input
 * errors (ragged data, data length vs shape, dtypes).
 */
import { describe, expect, it } from 'vitest';
import {
  DTypeError, DeviceError, RangeArgError, ShapeError, arange, empty, eye, full, getBackend, linspace, manualSeed, ones, onesLike, rand,
  randint, randn, setBackend, tensor, zeros, zerosLike, AdjointError,
} from '../../src/index.js';

describe('tensor()', () => {
  it('builds from nested arrays (float32 by default)', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.ndim).toBe(2);
    expect(t.size).toBe(6);
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(Array.from(t.toTypedArray())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.toTypedArray()).toBeInstanceOf(Float32Array);
  });

  it('builds a 0-d tensor from a number', () => {
    const t = tensor(2.5);
    expect(t.shape).toEqual([]);
    expect(t.item()).toBe(2.5);
    expect(t.toArray()).toBe(2.5);
  });

  it('builds from a flat array or typed array with a shape', () => {
    expect(tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2] }).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    const t = tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] });
    expect(t.dtype).toBe('float64');
    expect(tensor(new Int32Array([7, 8])).dtype).toBe('int32');
  });

  it('builds bool tensors from booleans', () => {
    const t = tensor([[true, false], [false, true]]);
    expect(t.dtype).toBe('bool');
    expect(t.toArray()).toEqual([[true, false], [false, true]]);
    expect(tensor([1, 0, 2], { dtype: 'bool' }).toArray()).toEqual([true, false, true]);
  });

  it('rounds to float32 and truncates to int32', () => {
    expect(tensor([0.1]).toTypedArray()[0]).toBe(Math.fround(0.1));
    expect(tensor([0.1], { dtype: 'float64' }).toTypedArray()[0]).toBe(0.1);
    expect(tensor([2.7, -2.7], { dtype: 'int32' }).toArray()).toEqual([2, -2]);
  });

  it('rejects data whose length does not match the shape, naming both', () => {
    expect(() => tensor([1, 2, 3, 4, 5], { shape: [2, 3] })).toThrow(ShapeError);
    expect(() => tensor([1, 2, 3, 4, 5], { shape: [2, 3] })).toThrow('tensor: data has 5 elements but shape [2,3] needs 6');
  });

  it('rejects ragged nested arrays', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow('tensor: ragged nested array: expected length 2 at depth 1, got 1');
    expect(() => tensor([[1, 2], 3] as never)).toThrow(ShapeError);
  });

  it('rejects requiresGrad on integer tensors and unknown dtypes', () => {
    expect(() => tensor([1], { dtype: 'int32', requiresGrad: true })).toThrow(DTypeError);
    expect(() => tensor([1], { dtype: 'int32', requiresGrad: true })).toThrow(
      'requiresGrad: expected a floating point tensor (only they can require gradients), got int32',
    );
    expect(() => zeros([2], { dtype: 'float16' as never })).toThrow('zeros: unknown dtype float16; expected one of float32, float64, int32, bool');
  });

  it('item() needs exactly one element', () => {
    expect(tensor([[3]]).item()).toBe(3);
    expect(() => tensor([1, 2]).item()).toThrow('item: expected a tensor with one element, got shape [2]');
  });

  it('makes leaves that require grad', () => {
    const t = tensor([1, 2], { requiresGrad: true });
    expect(t.requiresGrad).toBe(true);
    expect(t.isLeaf).toBe(true);
    expect(t.gradFn).toBeNull();
    expect(t.grad).toBeNull();
  });
});

describe('filled and range creators', () => {
  it('zeros ones full empty (shape first, then options)', () => {
    expect(zeros([2, 2]).toArray()).toEqual([[0, 0], [0, 0]]);
    expect(ones(3, { dtype: 'int32' }).toArray()).toEqual([1, 1, 1]);
    expect(ones(3, { dtype: 'int32' }).dtype).toBe('int32');
    expect(full([2], 7).toArray()).toEqual([7, 7]);
    expect(empty([0, 3]).shape).toEqual([0, 3]);
    expect(zeros([]).shape).toEqual([]);
    expect(() => zeros([2, -1])).toThrow('zeros: expected a shape of non-negative integers, got [2,-1]');
  });

  it('zerosLike / onesLike keep shape and dtype', () => {
    const x = tensor([[1, 2]], { dtype: 'float64' });
    expect(zerosLike(x).dtype).toBe('float64');
    expect(onesLike(x).toArray()).toEqual([[1, 1]]);
    expect(onesLike(x, { dtype: 'int32' }).dtype).toBe('int32');
  });

  it('arange', () => {
    expect(arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(5, 1, -2).toArray()).toEqual([5, 3]);
    expect(arange(3, { dtype: 'int32' }).dtype).toBe('int32');
    expect(() => arange(0, 1, 0)).toThrow(RangeArgError);
  });

  it('linspace includes both ends', () => {
    expect(linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(linspace(-1, 1, 3, { dtype: 'float64' }).toArray()).toEqual([-1, 0, 1]);
    expect(linspace(2, 3, 1).toArray()).toEqual([2]);
  });

  it('eye', () => {
    expect(eye(2).toArray()).toEqual([[1, 0], [0, 1]]);
    expect(eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
  });
});

describe('random creators and manualSeed', () => {
  it('the same seed gives the same numbers; another seed others', () => {
    manualSeed(42);
    const a = rand([5]).toArray();
    const b = randn([5]).toArray();
    manualSeed(42);
    expect(rand([5]).toArray()).toEqual(a);
    expect(randn([5]).toArray()).toEqual(b);
    manualSeed(43);
    expect(rand([5]).toArray()).not.toEqual(a);
  });

  it('rand is in [0, 1); randn has mean ≈ 0 and variance ≈ 1', () => {
    manualSeed(1);
    const u = Array.from(rand([10000], { dtype: 'float64' }).toTypedArray());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(u.reduce((s, v) => s + v, 0) / u.length).toBeCloseTo(0.5, 1);
    const z = Array.from(randn([20000], { dtype: 'float64' }).toTypedArray());
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('randint draws integers in [low, high) as int32', () => {
    manualSeed(3);
    const r = randint(2, 5, [1000]);
    expect(r.dtype).toBe('int32');
    const v = Array.from(r.toTypedArray());
    expect(new Set(v)).toEqual(new Set([2, 3, 4]));
    expect(() => randint(5, 5, [2])).toThrow('randint: expected integers low < high, got low 5 and high 5');
  });

  it('rand refuses integer dtypes', () => {
    expect(() => rand([2], { dtype: 'int32' })).toThrow('rand: expected a floating dtype, got int32');
  });
});

describe('backends', () => {
  it("defaults to 'wasm' where its kernels load (ADJOINT_BACKEND=js overrides); both stay selectable", () => {
    const expected = process.env.ADJOINT_BACKEND === 'js' ? 'js' : 'wasm';
    const before = getBackend();
    expect(before).toBe(expected);
    try {
      setBackend('js');
      expect(getBackend()).toBe('js');
      setBackend('wasm');
      expect(getBackend()).toBe('wasm');
      expect(() => setBackend('gpu' as never)).toThrow(AdjointError);
      expect(() => setBackend('gpu' as never)).toThrow("setBackend: unknown backend 'gpu'; expected 'js', 'wasm' or 'webgpu'");
      // This file never initialises WebGPU.
      expect(() => setBackend('webgpu')).toThrow(DeviceError);
      expect(() => setBackend('webgpu')).toThrow("setBackend: the 'webgpu' backend is not initialised: call `await initWebGPU()` first");
      expect(() => zeros([2], { backend: 'webgpu' })).toThrow("zeros: the 'webgpu' backend is not initialised: call `await initWebGPU()` first");
    } finally {
      setBackend(before);
    }
  });
});
