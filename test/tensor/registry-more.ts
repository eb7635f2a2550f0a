/**
 * Registry entries of the second op set (families special, manipulation and
 * einsum; goldens by tools/goldens/ops2.py), spread into the one tensor
 * registry of registry.ts.
 */
import {
  DTypeError, RangeArgError, ShapeError, Tensor, acosh, all, any, asinh, atanh, bmm, chunk, cosh, diag, diagonal, dot,
  einsum, exp2, flip, hypot, isfinite, isinf, lerp, log10, log2, logaddexp, maskedFill, movedim, nanToNum, ones, outer,
  randn, repeat, roll, sinh, split, tan, tensor, tile, trace, tril, triu, unbind, zeros, type DiagonalOptions,
} from '../../src/index.js';
import type { Registry } from '../helpers/registry.js';

type A = readonly unknown[];
const T = (a: A, i: number): Tensor => a[i] as Tensor;
const f64 = (shape: number[]): Tensor => randn(shape, { dtype: 'float64' });
const int32 = (values: number[]): Tensor => tensor(values, { dtype: 'int32' });

const UNARY: Record<string, (x: Tensor) => Tensor> = { tan, sinh, cosh, asinh, acosh, atanh, log2, log10, exp2, isinf, isfinite };
const EDGE: Record<string, (x: Tensor) => Tensor> = { ...UNARY, nanToNum: (x) => nanToNum(x, { nan: 2, posinf: 1e30, neginf: -1e30 }) };

const unary = (name: string): Registry[string] => ({
  call: (a) => UNARY[name]!(T(a, 0)),
  errors: [{ name: 'int32 input', run: () => UNARY[name]!(int32([1, 2])), type: DTypeError, message: `${name}: expected a floating point tensor, got int32` }],
});

const anyAll = (fn: typeof any, name: string): Registry[string] => ({
  call: (a, k) => (k.dim === undefined ? fn(T(a, 0)) : fn(T(a, 0), k.dim as number, { keepdim: k.keepdim as boolean })),
  gradcheck: false,
  errors: [{ name: 'dim out of range', run: () => fn(zeros([2, 3]), 2), type: RangeArgError, message: `${name}: dim 2 out of range for a tensor of 2 dims (expected a dim in [-2, 1])` }],
});

const triangle = (fn: typeof tril, name: string): Registry[string] => ({
  call: (a) => fn(T(a, 0), a[1] as number),
  errors: [
    { name: '1-d input', run: () => fn(zeros([3])), type: ShapeError, message: `${name}: expected a tensor of at least 2 dims, got [3]` },
    { name: 'fractional diagonal', run: () => fn(zeros([3, 3]), 0.5), type: RangeArgError, message: `${name}: diagonal must be an integer, got 0.5` },
  ],
});

export const REGISTRY_MORE: Registry = {
  // special
  tan: unary('tan'),
  sinh: unary('sinh'),
  cosh: unary('cosh'),
  asinh: unary('asinh'),
  acosh: unary('acosh'),
  atanh: unary('atanh'),
  log2: unary('log2'),
  log10: unary('log10'),
  exp2: unary('exp2'),
  isinf: { call: (a) => isinf(T(a, 0)), gradcheck: false },
  isfinite: { call: (a) => isfinite(T(a, 0)), gradcheck: false },
  logaddexp: {
    call: (a) => logaddexp(T(a, 0), T(a, 1)),
    errors: [{ name: 'shapes that do not broadcast', run: () => logaddexp(zeros([3, 1]), zeros([2, 4])), type: ShapeError, message: 'logaddexp: cannot broadcast [3,1] with [2,4]' }],
  },
  hypot: {
    call: (a) => hypot(T(a, 0), T(a, 1)),
    errors: [{ name: 'shapes that do not broadcast', run: () => hypot(zeros([3]), zeros([2])), type: ShapeError, message: 'hypot: cannot broadcast [3] with [2]' }],
  },
  lerp: {
    call: (a) => lerp(T(a, 0), T(a, 1), a[2] as Tensor | number),
    errors: [
      { name: 'weight dtype', run: () => lerp(zeros([2]), zeros([2]), zeros([2], { dtype: 'float64' })), type: DTypeError, message: 'lerp: expected weight of dtype float32 (the dtype of start and end), got float64', float64: true },
    ],
  },
  nanToNum: {
    call: (a, k) => nanToNum(T(a, 0), { nan: k.nan as number, posinf: k.posinf as number, neginf: k.neginf as number }),
    // The goldens hold NaN/Inf inputs (their gradient is 0 there): the numeric checks use a finite sample.
    samples: () => [{ id: 'finite_3x4', args: [f64([3, 4])], kwargs: { nan: 0 } }],
  },
  specialEdges: { call: (a, k) => EDGE[k.fn as string]!(T(a, 0)), gradcheck: false },
  logaddexpEdges: { call: (a, k) => (k.fn === 'hypot' ? hypot(T(a, 0), T(a, 1)) : logaddexp(T(a, 0), T(a, 1))), gradcheck: false },
  // manipulation
  flip: {
    call: (a) => flip(T(a, 0), a[1] as number[]),
    errors: [{ name: 'repeated dim', run: () => flip(zeros([2, 3]), [1, -1]), type: RangeArgError, message: 'flip: dims [1,-1] repeat a dim' }],
  },
  roll: {
    call: (a) => roll(T(a, 0), a[1] as number | number[], a[2] as number | number[] | null),
    errors: [
      { name: 'lengths differ', run: () => roll(zeros([2, 3]), [1, 2], [0]), type: RangeArgError, message: 'roll: shifts [1,2] and dims [0] must have the same length' },
    ],
  },
  tril: triangle(tril, 'tril'),
  triu: triangle(triu, 'triu'),
  repeat: {
    call: (a) => repeat(T(a, 0), a[1] as number[]),
    errors: [{ name: 'too few sizes', run: () => repeat(zeros([2, 3]), [2]), type: RangeArgError, message: 'repeat: sizes [2] must have at least as many entries as x has dims (shape [2,3])' }],
  },
  tile: {
    call: (a) => tile(T(a, 0), a[1] as number[]),
    errors: [{ name: 'negative size', run: () => tile(zeros([2]), [-1]), type: RangeArgError, message: 'tile: sizes must be a list of non-negative integers, got [-1]' }],
  },
  chunk: {
    call: (a) => chunk(T(a, 0), a[1] as number, a[2] as number),
    errors: [{ name: 'zero chunks', run: () => chunk(zeros([4]), 0), type: RangeArgError, message: 'chunk: chunks must be a positive integer, got 0' }],
  },
  split: {
    call: (a) => split(T(a, 0), a[1] as number | number[], a[2] as number),
    errors: [
      { name: 'sizes do not add up', run: () => split(zeros([5, 2]), [2, 2]), type: RangeArgError, message: 'split: sizes [2,2] must be non-negative and add up to 5, the size of dim 0 of x [5,2]' },
      { name: '0-d input', run: () => split(zeros([]), 1), type: ShapeError, message: 'split: expected a tensor with at least 1 dim, got a 0-d tensor' },
    ],
  },
  unbind: { call: (a) => unbind(T(a, 0), a[1] as number) },
  movedim: {
    call: (a) => movedim(T(a, 0), a[1] as number | number[], a[2] as number | number[]),
    errors: [
      { name: 'lengths differ', run: () => movedim(zeros([2, 3]), [0, 1], [1]), type: RangeArgError, message: 'movedim: source [0,1] and destination [1] must have the same number of dims' },
      { name: 'repeated source', run: () => movedim(zeros([2, 3]), [0, 0], [0, 1]), type: RangeArgError, message: 'movedim: source [0,0] repeat a dim' },
    ],
  },
  diag: {
    call: (a) => diag(T(a, 0), a[1] as number),
    errors: [{ name: '3-d input', run: () => diag(zeros([2, 2, 2])), type: ShapeError, message: 'diag: expected a 1-D or 2-D tensor, got [2,2,2]' }],
  },
  diagonal: {
    call: (a, k) => diagonal(T(a, 0), k as DiagonalOptions),
    errors: [
      { name: 'same dims', run: () => diagonal(zeros([2, 2]), { dim1: 1, dim2: -1 }), type: RangeArgError, message: 'diagonal: dim1 and dim2 must differ, both are 1' },
      { name: '1-d input', run: () => diagonal(zeros([2])), type: ShapeError, message: 'diagonal: expected a tensor of at least 2 dims, got [2]' },
    ],
  },
  trace: {
    call: (a) => trace(T(a, 0)),
    errors: [{ name: '3-d input', run: () => trace(zeros([2, 2, 2])), type: ShapeError, message: 'trace: expected a 2-D tensor, got [2,2,2]' }],
  },
  outer: {
    call: (a) => outer(T(a, 0), T(a, 1)),
    errors: [{ name: '2-d input', run: () => outer(zeros([2, 2]), zeros([2])), type: ShapeError, message: 'outer: expected two 1-D tensors, got [2,2] and [2]' }],
  },
  dot: {
    call: (a) => dot(T(a, 0), T(a, 1)),
    errors: [
      { name: 'lengths differ', run: () => dot(zeros([3]), zeros([4])), type: ShapeError, message: 'dot: a [3] and b [4] must have the same length' },
      { name: 'dtypes differ', run: () => dot(zeros([3]), zeros([3], { dtype: 'float64' })), type: DTypeError, message: 'dot: expected a and b of one dtype, got float32 and float64', float64: true },
    ],
  },
  bmm: {
    call: (a) => bmm(T(a, 0), T(a, 1)),
    errors: [
      { name: 'batch differs', run: () => bmm(zeros([2, 3, 4]), zeros([3, 4, 5])), type: ShapeError, message: 'bmm: a [2,3,4] and b [3,4,5] must be [B, n, m] and [B, m, p]' },
      { name: '2-d input', run: () => bmm(zeros([3, 4]), zeros([4, 5])), type: ShapeError, message: 'bmm: expected two 3-D tensors, got a [3,4] and b [4,5]' },
    ],
  },
  any: anyAll(any, 'any'),
  all: anyAll(all, 'all'),
  maskedFill: {
    call: (a) => maskedFill(T(a, 0), T(a, 1), a[2] as number | Tensor),
    errors: [
      { name: 'float mask', run: () => maskedFill(zeros([2]), zeros([2]), 0), type: DTypeError, message: 'maskedFill: expected a bool mask, got float32' },
      { name: 'mask larger than x', run: () => maskedFill(zeros([3]), tensor([[true], [false]]), 0), type: ShapeError, message: 'maskedFill: mask [2,1] must broadcast to the shape of x [3]' },
      { name: '1-d value', run: () => maskedFill(zeros([3]), tensor([true, false, true]), ones([1])), type: ShapeError, message: 'maskedFill: a tensor value must be 0-d, got shape [1]' },
    ],
  },
  // einsum
  einsum: {
    call: (a) => einsum(a[0] as string, ...(a.slice(1) as Tensor[])),
    errors: [
      { name: 'size mismatch', run: () => einsum('ij,jk', zeros([2, 3]), zeros([4, 5])), type: ShapeError, message: 'einsum: subscript j has size 4 for operand 1 (shape [4,5]), which does not broadcast with size 3 seen before' },
      { name: 'too many operands', run: () => einsum('ij', zeros([2, 3]), zeros([4, 5])), type: RangeArgError, message: "einsum: the equation 'ij' has 1 operand but 2 tensors were given" },
      { name: 'subscripts vs dims', run: () => einsum('ijk', zeros([2, 3])), type: ShapeError, message: 'einsum: operand 0 has shape [2,3] (2 dims) but its subscripts name 3 dims and no ellipsis was given' },
      { name: 'repeated output', run: () => einsum('ij->ii', zeros([2, 3])), type: RangeArgError, message: 'einsum: output subscript i appears more than once in the output' },
      { name: 'unknown output', run: () => einsum('ij->k', zeros([2, 3])), type: RangeArgError, message: 'einsum: output subscript k does not appear in any input operand' },
      { name: 'bad subscript', run: () => einsum('i1', zeros([2, 3])), type: RangeArgError, message: "einsum: invalid subscript '1' at index 1 of the equation: subscripts must be letters a-z or A-Z (or '...')" },
      { name: 'diagonal of unequal dims', run: () => einsum('ii', zeros([2, 3])), type: ShapeError, message: 'einsum: subscript i is repeated in one operand over dims of sizes 2 and 3' },
    ],
  },
};

/** Ops of this set that have samples beyond the goldens. */
export const EXTRA_OPS_MORE = ['nanToNum'];
