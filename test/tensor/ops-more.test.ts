/**
 * The second op set beyond what the registry's goldens cover: which results
 * are views, defaults that depend on the dtype, einsum against matmul on
 * larger operands, methods, and the two fixed bugs (a string in `tensor()`,
 * an integer tensor to a negative power).
 */
import { describe, expect, it } from 'vitest';
import {
  DTypeError, arange, chunk, diagonal, einsum, manualSeed, matmul, movedim, nanToNum, ones, pow, randn, split, tensor, transpose,
  unbind, zeros, type Tensor,
} from '../../src/index.js';

const close = (a: Tensor, b: Tensor, tol: number): void => {
  expect(a.shape).toEqual(b.shape);
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  x.forEach((v, i) => expect(Math.abs(v - y[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(y[i]!))));
};

describe('views where PyTorch returns views', () => {
  const x = arange(24, { dtype: 'float64' }).reshape([2, 3, 4]);
  it.each([
    ['chunk', () => chunk(x, 2, 2)[1]!],
    ['split', () => split(x, [1, 2], 1)[1]!],
    ['unbind', () => unbind(x, 1)[2]!],
    ['movedim', () => movedim(x, 0, -1)],
    ['diagonal of the last two dims', () => diagonal(x, { dim1: 1, dim2: 2, offset: 1 })],
  ] as const)('%s shares the storage of its input', (_name, f) => {
    expect(f().storage).toBe(x.storage);
  });
  it('diagonal of dims whose strides do not merge is a copy with the right values', () => {
    const t = transpose(x, 1, 2); // [2, 4, 3], strides that do not merge dims 0 and 2
    expect(diagonal(t, { dim1: 0, dim2: 2 }).toArray()).toEqual([[0, 16], [1, 17], [2, 18], [3, 19]]); // t[d, j, d] = x[d, d, j] = 16d + j
  });
  it('chunk and split give PyTorch piece sizes', () => {
    expect(chunk(arange(6), 4).map((t) => t.shape[0])).toEqual([2, 2, 2]);
    expect(split(arange(7), 3).map((t) => t.shape[0])).toEqual([3, 3, 1]);
  });
});

describe('dtype-dependent defaults', () => {
  it('nanToNum replaces ±Inf with the largest finite value of the dtype', () => {
    const v = [NaN, Infinity, -Infinity, 1.5];
    expect(Array.from(nanToNum(tensor(v, { dtype: 'float64' })).toTypedArray())).toEqual([0, Number.MAX_VALUE, -Number.MAX_VALUE, 1.5]);
    expect(Array.from(nanToNum(tensor(v)).toTypedArray())).toEqual([0, 3.4028234663852886e38, -3.4028234663852886e38, 1.5]);
  });
  it('nanToNum returns integer tensors unchanged', () => {
    expect(nanToNum(tensor([1, 2], { dtype: 'int32' })).toArray()).toEqual([1, 2]);
  });
});

describe('einsum against matmul', () => {
  it('contracts batched operands like matmul, in float64', () => {
    manualSeed(3);
    const a = randn([3, 17, 23], { dtype: 'float64' });
    const b = randn([3, 23, 11], { dtype: 'float64' });
    close(einsum('bij,bjk->bik', a, b), matmul(a, b), 1e-12);
    close(einsum('bij,bkj->bki', a, transpose(b, 1, 2)), transpose(matmul(a, b), 1, 2), 1e-12);
  });
  it('a three-operand chain equals two matmuls', () => {
    manualSeed(4);
    const [a, b, c] = [randn([5, 6], { dtype: 'float64' }), randn([6, 7], { dtype: 'float64' }), randn([7, 2], { dtype: 'float64' })];
    close(einsum('ab,bc,cd->da', a, b, c), transpose(matmul(matmul(a, b), c), 0, 1), 1e-12);
  });
  it('promotes mixed dtypes like matmul', () => {
    expect(einsum('i,i->', ones([3]), ones([3], { dtype: 'float64' })).dtype).toBe('float64');
  });
});

describe('methods', () => {
  it('are installed on Tensor with PyTorch names', () => {
    const x = tensor([[0.5, -0.25], [0.1, 0.2]]);
    expect(x.tan().shape).toEqual([2, 2]);
    expect(x.logaddexp(x).shape).toEqual([2, 2]);
    expect(x.maskedFill(tensor([true, false]), 0).toArray()).toEqual([[0, -0.25], [0, Math.fround(0.2)]]);
    expect(x.flip([0]).toArray()).toEqual([[Math.fround(0.1), Math.fround(0.2)], [0.5, -0.25]]);
    expect(x.chunk(2, 1).length).toBe(2);
    expect(x.any().item()).toBe(1);
    expect(zeros([2]).all().item()).toBe(0);
    expect(x.trace().item()).toBeCloseTo(0.7, 6);
  });
});

describe('fixed bugs', () => {
  it('tensor() of strings throws a DTypeError naming tensor and the element', () => {
    expect(() => tensor(['a', 'b'] as unknown as number[])).toThrow(DTypeError);
    expect(() => tensor(['a', 'b'] as unknown as number[])).toThrow('tensor: expected numbers, booleans or nested arrays of them, got the string "a" at depth 1');
    expect(() => tensor([[1], [{}]] as unknown as number[][])).toThrow('tensor: expected numbers, booleans or nested arrays of them, got an object at depth 2');
  });
  it('an integer tensor to a negative integer power throws, as PyTorch', () => {
    expect(() => pow(tensor([1, 2], { dtype: 'int32' }), -1)).toThrow(DTypeError);
    expect(() => pow(tensor([1, 2], { dtype: 'int32' }), -2)).toThrow(
      'pow: integers to negative integer powers are not allowed: a int32 tensor to the power -2 (cast it to a float dtype first)',
    );
    expect(pow(tensor([1, 2], { dtype: 'int32' }), 2).toArray()).toEqual([1, 4]);
    expect(pow(tensor([2]), -1).toArray()).toEqual([0.5]);
  });
});
