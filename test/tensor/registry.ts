/**
 * The tensor op registry: one entry per golden op of the families unary,
 * binary, reduction, shape, linalg, softmax (plus ops without goldens, with
 * samples). The harness in test/helpers/registry.ts runs everything from it.
 */
import {
  DTypeError, RangeArgError, ShapeError, Tensor, abs, add, amax, argmax, cast, cat, clamp, clone, contiguous, cos, div, eq,
  erf, exp, expand, expm1, flatten, gather, gelu, gt, indexSelect, leakyRelu, log, log1p, logSoftmax, logsumexp, matmul,
  max, maximum, mean, min, minimum, mul, narrow, neg, norm, ones, pad, permute, pow, prod, randn, reciprocal, relu, reshape,
  rsqrt, scatterAdd, sigmoid, sign, sin, slice, softmax, softplus, sqrt, square, squeeze, stack, std, sub, sum, tanh,
  tensor, transpose, unsqueeze, variance, view, where, zeros, type SliceSpec,
} from '../../src/index.js';
import type { Registry } from '../helpers/registry.js';
import { EXTRA_OPS_MORE, REGISTRY_MORE } from './registry-more.js';
import { REGISTRY_LINALG } from './registry-linalg.js';
import { EXTRA_OPS_PRIMS, REGISTRY_PRIMS } from './registry-prims.js';

type A = readonly unknown[];
const T = (a: A, i: number): Tensor => a[i] as Tensor;
const f64 = (shape: number[]): Tensor => randn(shape, { dtype: 'float64' });
const i32 = (values: number[], shape?: number[]): Tensor => tensor(values, { dtype: 'int32', shape });

/** A unary op entry. */
const unary = (fn: (x: Tensor) => Tensor, name: string, floatOnly = true): Registry[string] => ({
  call: (a) => fn(T(a, 0)),
  errors: floatOnly
    ? [{ name: 'int32 input', run: () => fn(tensor([1, 2], { dtype: 'int32' })), type: DTypeError, message: `${name}: expected a floating point tensor, got int32` }]
    : [],
});

/** A binary op entry with the broadcast error. */
const binary = (fn: (a: Tensor | number, b: Tensor | number) => Tensor, name: string): Registry[string] => ({
  call: (a) => fn(a[0] as Tensor | number, a[1] as Tensor | number),
  errors: [{ name: 'shapes that do not broadcast', run: () => fn(zeros([3, 1]), zeros([2, 4])), type: ShapeError, message: `${name}: cannot broadcast [3,1] with [2,4]` }],
});

/** A reduction `(x, dim?, {keepdim})`. */
const reduction = (fn: (x: Tensor, dim?: number | number[], o?: { keepdim?: boolean }) => Tensor, name: string): Registry[string] => ({
  call: (a, k) => (k.dim === undefined ? fn(T(a, 0)) : fn(T(a, 0), k.dim as number | number[], { keepdim: k.keepdim as boolean })),
  errors: [{ name: 'dim out of range', run: () => fn(zeros([2, 3]), 3), type: RangeArgError, message: `${name}: dim 3 out of range for a tensor of 2 dims (expected a dim in [-2, 1])` }],
});

const maxMin = (fn: typeof max, name: string): Registry[string] => ({
  call: (a, k) => {
    if (k.dim === undefined) return fn(T(a, 0));
    const r = fn(T(a, 0), k.dim as number, { keepdim: k.keepdim as boolean });
    return [r.values, r.indices];
  },
  errors: [
    { name: 'dim out of range', run: () => fn(zeros([2, 3]), -3), type: RangeArgError, message: `${name}: dim -3 out of range for a tensor of 2 dims (expected a dim in [-2, 1])` },
    { name: 'empty tensor', run: () => fn(zeros([0])), type: ShapeError, message: `${name}: cannot reduce an empty tensor (shape [0])` },
  ],
});

const varStd = (fn: typeof variance, name: string): Registry[string] => ({
  call: (a, k) => fn(T(a, 0), (k.dim as number | number[] | undefined) ?? null, { unbiased: k.unbiased as boolean, keepdim: k.keepdim as boolean }),
  errors: [{ name: 'int32 input', run: () => fn(tensor([1, 2], { dtype: 'int32' })), type: DTypeError, message: `${name}: expected a floating point tensor, got int32` }],
});

export const REGISTRY: Registry = {
  // unary
  neg: unary(neg, 'neg', false),
  exp: unary(exp, 'exp'),
  log: unary(log, 'log'),
  sqrt: unary(sqrt, 'sqrt'),
  rsqrt: unary(rsqrt, 'sqrt'),
  abs: unary(abs, 'abs', false),
  sin: unary(sin, 'sin'),
  cos: unary(cos, 'cos'),
  tanh: unary(tanh, 'tanh'),
  sigmoid: unary(sigmoid, 'sigmoid'),
  relu: unary(relu, 'relu', false),
  square: unary(square, 'square', false),
  reciprocal: unary(reciprocal, 'reciprocal'),
  log1p: unary(log1p, 'log1p'),
  expm1: unary(expm1, 'expm1'),
  leakyRelu: {
    call: (a, k) => leakyRelu(T(a, 0), { negativeSlope: k.negativeSlope as number }),
    errors: [{ name: 'int32 input', run: () => leakyRelu(tensor([1], { dtype: 'int32' })), type: DTypeError, message: 'leakyRelu: expected a floating point tensor, got int32' }],
  },
  gelu: { call: (a, k) => gelu(T(a, 0), { approximate: k.approximate as 'none' | 'tanh' }) },
  softplus: { call: (a, k) => softplus(T(a, 0), { beta: k.beta as number, threshold: k.threshold as number }) },
  clamp: {
    call: (a, k) => clamp(T(a, 0), { min: k.min as number | null, max: k.max as number | null }),
    errors: [{ name: 'no bounds', run: () => clamp(zeros([2])), type: DTypeError, message: 'clamp: expected at least one of min and max' }],
  },
  // binary
  add: binary(add, 'add'),
  sub: binary(sub, 'sub'),
  mul: binary(mul, 'mul'),
  div: binary(div, 'div'),
  pow: binary(pow, 'pow'),
  maximum: binary(maximum, 'maximum'),
  minimum: binary(minimum, 'minimum'),
  where: {
    call: (a) => where(T(a, 0), a[1] as Tensor, a[2] as Tensor),
    errors: [
      { name: 'float condition', run: () => where(zeros([2]), zeros([2]), zeros([2])), type: DTypeError, message: 'where: expected a bool condition, got float32' },
      { name: 'shapes that do not broadcast', run: () => where(tensor([true, false]), zeros([3]), 0), type: ShapeError, message: 'where: cannot broadcast [2] with [3]' },
    ],
  },
  // reductions
  sum: reduction(sum, 'sum'),
  mean: {
    ...reduction(mean, 'mean'),
    errors: [
      ...reduction(mean, 'mean').errors!,
      { name: 'int32 input', run: () => mean(tensor([1, 2], { dtype: 'int32' })), type: DTypeError, message: 'mean: expected a floating point tensor, got int32' },
    ],
  },
  max: maxMin(max, 'max'),
  min: maxMin(min, 'min'),
  var: varStd(variance, 'var'),
  std: varStd(std, 'std'),
  logsumexp: {
    ...reduction(logsumexp, 'logsumexp'),
    // float32: the goldens round inputs to float32 but log(Σe^x) is an ill-conditioned sum only at the 1e-7 level; defaults hold.
  },
  prod: {
    call: (a, k) => prod(T(a, 0), k.dim as number | undefined, { keepdim: k.keepdim as boolean }),
    errors: [{ name: 'dim out of range', run: () => prod(zeros([2]), 1), type: RangeArgError, message: 'prod: dim 1 out of range for a tensor of 1 dims (expected a dim in [-1, 0])' }],
  },
  norm: {
    call: (a, k) => norm(T(a, 0), { p: k.p as number, dim: k.dim as number | undefined, keepdim: k.keepdim as boolean }),
    errors: [{ name: 'int32 input', run: () => norm(tensor([1], { dtype: 'int32' })), type: DTypeError, message: 'norm: expected a floating point tensor, got int32' }],
  },
  // shape
  reshape: {
    call: (a) => reshape(T(a, 0), a[1] as number[]),
    errors: [
      { name: 'size mismatch', run: () => reshape(zeros([2, 3]), [4, 2]), type: ShapeError, message: 'reshape: cannot reshape [2,3] (6 elements) into [4,2]' },
      { name: 'two -1', run: () => reshape(zeros([2, 3]), [-1, -1]), type: ShapeError, message: 'reshape: shape [-1,-1] has more than one -1' },
    ],
  },
  transpose: {
    call: (a) => transpose(T(a, 0), a[1] as number, a[2] as number),
    errors: [{ name: 'dim out of range', run: () => transpose(zeros([2, 3]), 0, 2), type: RangeArgError, message: 'transpose: dim 2 out of range for a tensor of 2 dims (expected a dim in [-2, 1])' }],
  },
  permute: {
    call: (a) => permute(T(a, 0), a[1] as number[]),
    errors: [
      { name: 'wrong length', run: () => permute(zeros([2, 3]), [0]), type: RangeArgError, message: 'permute: expected 2 dims for a tensor of shape [2,3], got [0]' },
      { name: 'repeated dim', run: () => permute(zeros([2, 3]), [0, 0]), type: RangeArgError, message: 'permute: dims [0,0] repeat a dim' },
    ],
  },
  expand: {
    call: (a) => expand(T(a, 0), a[1] as number[]),
    errors: [{ name: 'incompatible size', run: () => expand(zeros([3, 2]), [3, 4]), type: ShapeError, message: 'expand: cannot expand [3,2] to [3,4]' }],
  },
  squeeze: { call: (a) => (a.length > 1 ? squeeze(T(a, 0), a[1] as number) : squeeze(T(a, 0))) },
  unsqueeze: {
    call: (a) => unsqueeze(T(a, 0), a[1] as number),
    errors: [{ name: 'dim out of range', run: () => unsqueeze(zeros([2]), 3), type: RangeArgError, message: 'unsqueeze: dim 3 out of range for a tensor of 2 dims (expected a dim in [-2, 1])' }],
  },
  cat: {
    call: (a, k) => cat(a as Tensor[], k.dim as number),
    errors: [
      { name: 'other dims differ', run: () => cat([zeros([2, 3]), zeros([2, 4])], 0), type: ShapeError, message: 'cat: tensor 1 has shape [2,4] but expected [*,3] (dim 0 may differ)' },
      { name: 'empty list', run: () => cat([]), type: ShapeError, message: 'cat: expected a non-empty list of tensors' },
    ],
  },
  stack: {
    call: (a, k) => stack(a as Tensor[], k.dim as number),
    errors: [{ name: 'shapes differ', run: () => stack([zeros([2]), zeros([3])]), type: ShapeError, message: 'stack: tensor 1 has shape [3] but tensor 0 has shape [2]' }],
  },
  narrow: {
    call: (a) => narrow(T(a, 0), a[1] as number, a[2] as number, a[3] as number),
    errors: [{ name: 'past the end', run: () => narrow(zeros([5]), 0, 3, 3), type: RangeArgError, message: 'narrow: start 3 and length 3 do not fit in dim 0 of size 5 (shape [5])' }],
  },
  slice: {
    call: (a) => {
      const spec = (a[1] as { start: number | null; stop: number | null; step: number | null }[]).map((s): SliceSpec => [s.start, s.stop, s.step]);
      return slice(T(a, 0), ...spec);
    },
    errors: [
      { name: 'non-positive step', run: () => slice(zeros([4]), [null, null, -1]), type: RangeArgError, message: 'slice: step must be a positive integer, got -1 for dim 0' },
      { name: 'too many dims', run: () => slice(zeros([4]), null, null), type: RangeArgError, message: 'slice: got 2 slices for a tensor of 1 dims (shape [4])' },
    ],
  },
  indexSelect: {
    call: (a) => indexSelect(T(a, 0), a[1] as number, T(a, 2)),
    errors: [
      { name: 'index out of range', run: () => indexSelect(zeros([3, 2]), 0, i32([0, 3])), type: RangeArgError, message: 'indexSelect: index 3 is out of range for dim 0 of size 3 (shape [3,2])' },
      { name: 'float index', run: () => indexSelect(zeros([3]), 0, zeros([1])), type: DTypeError, message: 'indexSelect: expected an int32 index tensor, got float32' },
    ],
  },
  gather: {
    call: (a) => gather(T(a, 0), a[1] as number, T(a, 2)),
    errors: [
      { name: 'index out of range', run: () => gather(zeros([2, 2]), 1, i32([0, 2], [2, 1])), type: RangeArgError, message: 'gather: index 2 is out of range for dim 1 of size 2' },
      { name: 'ndim mismatch', run: () => gather(zeros([2, 2]), 1, i32([0])), type: ShapeError, message: 'gather: index [1] must have the ndim of x [2,2] and no larger size outside dim 1' },
    ],
  },
  pad: {
    call: (a, k) => pad(T(a, 0), a[1] as number[], { mode: k.mode as 'constant', value: k.value as number }),
    errors: [
      { name: 'odd pad list', run: () => pad(zeros([2]), [1]), type: RangeArgError, message: 'pad: expected an even number (at most 2) of integer pads for shape [2], got [1]' },
      { name: 'reflect mode', run: () => pad(zeros([2]), [1, 1], { mode: 'reflect' as 'constant' }), type: RangeArgError, message: "pad: mode 'reflect' is not supported; expected 'constant'" },
    ],
  },
  // linalg and softmax
  matmul: {
    call: (a) => matmul(T(a, 0), T(a, 1)),
    errors: [
      { name: 'inner dims differ', run: () => matmul(zeros([2, 3]), zeros([4, 5])), type: ShapeError, message: 'matmul: inner dimensions differ: a is [2,3], b is [4,5]' },
      { name: 'batch dims do not broadcast', run: () => matmul(zeros([2, 2, 3]), zeros([3, 3, 4])), type: ShapeError, message: 'matmul: cannot broadcast [2] with [3]' },
      { name: '0-d operand', run: () => matmul(zeros([]), zeros([3])), type: ShapeError, message: 'matmul: both operands need at least 1 dim: a is [], b is [3]' },
    ],
  },
  softmax: {
    call: (a, k) => softmax(T(a, 0), k.dim as number),
    errors: [
      { name: 'int32 input', run: () => softmax(tensor([1], { dtype: 'int32' }), 0), type: DTypeError, message: 'softmax: expected a floating point tensor, got int32' },
      { name: 'dim out of range', run: () => softmax(zeros([2]), 1), type: RangeArgError, message: 'softmax: dim 1 out of range for a tensor of 1 dims (expected a dim in [-1, 0])' },
    ],
  },
  logSoftmax: { call: (a, k) => logSoftmax(T(a, 0), k.dim as number) },

  // ops without goldens: samples for the numeric checks (their values are tested in ops.test.ts)
  erf: { ...unary(erf, 'erf'), samples: () => [{ id: '3x4', args: [f64([3, 4])] }], gradgrad: true },
  sign: { call: (a) => sign(T(a, 0)), samples: () => [{ id: '5', args: [tensor([-2, -0.5, 0.5, 1, 3], { dtype: 'float64' })] }] },
  flatten: { call: (a) => flatten(T(a, 0), 1), samples: () => [{ id: '2x3x4', args: [f64([2, 3, 4])] }] },
  view: {
    call: (a) => view(T(a, 0), [-1]),
    samples: () => [{ id: '2x3', args: [f64([2, 3])] }],
    errors: [{ name: 'non-viewable strides', run: () => view(transpose(zeros([2, 3]), 0, 1), [6]), type: ShapeError, message: 'view: cannot view [3,2] with strides [1,3] as [6]: use reshape() (it copies)' }],
  },
  contiguous: { call: (a) => contiguous(transpose(T(a, 0), 0, 1)), samples: () => [{ id: '3x4', args: [f64([3, 4])] }] },
  clone: { call: (a) => clone(T(a, 0)), samples: () => [{ id: '3', args: [f64([3])] }] },
  amax: { call: (a) => amax(T(a, 0), [0, 2]), samples: () => [{ id: '2x3x4', args: [f64([2, 3, 4])] }] },
  cast: { call: (a) => cast(cast(T(a, 0), 'float32'), 'float64'), samples: () => [{ id: '4', args: [tensor([0.5, -1.25, 2, 3.75], { dtype: 'float64' })] }], checkTol: { eps: 1e-2 } }, // a float32 round trip is piecewise constant: difference over a wide step
  scatterAdd: {
    call: (a) => scatterAdd(T(a, 0), 0, T(a, 1), T(a, 2)),
    samples: () => [{ id: '3x2', args: [f64([3, 2]), i32([0, 2, 0, 0], [2, 2]), f64([2, 2])] }],
    errors: [{ name: 'index out of range', run: () => scatterAdd(zeros([2]), 0, i32([5]), ones([1])), type: RangeArgError, message: 'scatterAdd: index 5 is out of range for dim 0 of size 2' }],
  },
  argmax: {
    call: (a) => argmax(T(a, 0), 1),
    gradcheck: false,
    errors: [{ name: 'empty tensor', run: () => argmax(zeros([0])), type: ShapeError, message: 'argmax: cannot reduce an empty tensor' }],
  },
  eq: { call: (a) => eq(T(a, 0), 0), gradcheck: false },
  gt: { call: (a) => gt(T(a, 0), 0), gradcheck: false },
  // the second op set (special, manipulation, einsum)
  ...REGISTRY_MORE,
  ...REGISTRY_PRIMS,
  // linalg (family linalg2)
  ...REGISTRY_LINALG,
};

/** Registry ops without goldens that have samples. */
export const EXTRA_OPS = ['erf', 'sign', 'flatten', 'view', 'contiguous', 'clone', 'amax', 'cast', 'scatterAdd', ...EXTRA_OPS_MORE, ...EXTRA_OPS_PRIMS];
