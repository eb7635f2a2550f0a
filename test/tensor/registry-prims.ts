/**
 * Registry entries of the primitives with their own kernels (families
 * pointwise, scan and sorting; goldens by tools/goldens/prims.py), spread
 * into the one tensor registry of registry.ts.
 */
import {
  DTypeError, RangeArgError, ShapeError, Tensor, acos, argsort, asin, atan, atan2, ceil, cumprod, cumsum, floor, fmod, frac,
  isnan, logcumsumexp, randn, remainder, round, sort, tensor, topk, trunc, zeros,
} from '../../src/index.js';
import type { Registry } from '../helpers/registry.js';

type A = readonly unknown[];
const T = (a: A, i: number): Tensor => a[i] as Tensor;
const f64 = (shape: number[]): Tensor => randn(shape, { dtype: 'float64' });
const int32 = (values: number[]): Tensor => tensor(values, { dtype: 'int32' });

const UNARY: Record<string, (x: Tensor) => Tensor> = { asin, acos, atan, floor, ceil, round, trunc, frac };
const BINARY: Record<string, (a: Tensor | number, b: Tensor | number) => Tensor> = { atan2, remainder, fmod };
const SCANS: Record<string, (x: Tensor, dim: number) => Tensor> = { cumsum, cumprod, logcumsumexp };

const rounding = (name: string): Registry[string] => ({
  call: (a) => UNARY[name]!(T(a, 0)),
  errors: [{ name: 'bool input', run: () => UNARY[name]!(tensor([true])), type: DTypeError, message: `${name}: expected a numeric tensor, got bool` }],
});

const mod = (name: 'remainder' | 'fmod'): Registry[string] => ({
  call: (a) => BINARY[name]!(a[0] as Tensor | number, a[1] as Tensor | number),
  errors: [
    { name: 'shapes that do not broadcast', run: () => BINARY[name]!(zeros([3]), zeros([2])), type: ShapeError, message: `${name}: cannot broadcast [3] with [2]` },
    { name: 'integer division by zero', run: () => BINARY[name]!(int32([1, 2]), int32([1, 0])), type: RangeArgError, message: `${name}: integer division by zero: b has a zero element` },
    { name: 'bool operands', run: () => BINARY[name]!(tensor([true]), tensor([false])), type: DTypeError, message: `${name}: expected numeric tensors, got bool and bool` },
  ],
});

const scanEntry = (name: string): Registry[string] => ({
  call: (a) => SCANS[name]!(T(a, 0), a[1] as number),
  errors: [
    { name: 'dim out of range', run: () => SCANS[name]!(zeros([2, 3]), 2), type: RangeArgError, message: `${name}: dim 2 out of range for a tensor of 2 dims (expected a dim in [-2, 1])` },
  ],
});

const sortCall = (a: A, k: Record<string, unknown>): Tensor[] => {
  const r = sort(T(a, 0), a[1] as number, { descending: k.descending as boolean, stable: true });
  return [r.values, r.indices];
};

export const REGISTRY_PRIMS: Registry = {
  // pointwise
  asin: { call: (a) => asin(T(a, 0)) },
  acos: { call: (a) => acos(T(a, 0)) },
  atan: { call: (a) => atan(T(a, 0)) },
  atan2: {
    call: (a) => atan2(T(a, 0), T(a, 1)),
    errors: [{ name: 'shapes that do not broadcast', run: () => atan2(zeros([3, 1]), zeros([2, 4])), type: ShapeError, message: 'atan2: cannot broadcast [3,1] with [2,4]' }],
  },
  floor: rounding('floor'),
  ceil: rounding('ceil'),
  round: rounding('round'),
  trunc: rounding('trunc'),
  frac: {
    call: (a) => frac(T(a, 0)),
    errors: [{ name: 'int32 input', run: () => frac(int32([1, 2])), type: DTypeError, message: 'frac: expected a floating point tensor, got int32' }],
  },
  roundInt: { call: (a, k) => UNARY[k.fn as string]!(T(a, 0)), gradcheck: false },
  remainder: mod('remainder'),
  fmod: mod('fmod'),
  remainderInt: { call: (a) => remainder(T(a, 0), T(a, 1)), gradcheck: false },
  fmodInt: { call: (a) => fmod(T(a, 0), T(a, 1)), gradcheck: false },
  isnan: { call: (a) => isnan(T(a, 0)), gradcheck: false },
  pointwiseEdges: { call: (a, k) => UNARY[k.fn as string]!(T(a, 0)), gradcheck: false },
  binaryEdges: { call: (a, k) => BINARY[k.fn as string]!(T(a, 0), T(a, 1)), gradcheck: false },
  // scan
  cumsum: scanEntry('cumsum'),
  cumprod: {
    ...scanEntry('cumprod'),
    // Zeros in a row of 6 with several orderings beyond the goldens' (the gradient is a polynomial: finite differences are exact there).
    samples: () => [{ id: 'zeros_6', args: [tensor([[0, 1.5, 0, -2, 0.5, 3], [1.25, -0.5, 2, 0, 0.75, 0]], { dtype: 'float64' }), 1] }],
  },
  logcumsumexp: {
    ...scanEntry('logcumsumexp'),
    errors: [
      ...scanEntry('logcumsumexp').errors!,
      { name: 'int32 input', run: () => logcumsumexp(int32([1, 2]), 0), type: DTypeError, message: 'logcumsumexp: expected a floating point tensor, got int32' },
    ],
  },
  cumsumInt: { call: (a, k) => SCANS[k.fn as string]!(T(a, 0), a[1] as number), gradcheck: false },
  logcumsumexpEdges: { call: (a) => logcumsumexp(T(a, 0), a[1] as number), gradcheck: false },
  // sorting
  sort: {
    call: sortCall,
    errors: [{ name: 'dim out of range', run: () => sort(zeros([2, 3]), -3), type: RangeArgError, message: 'sort: dim -3 out of range for a tensor of 2 dims (expected a dim in [-2, 1])' }],
    samples: () => [{ id: 'batched_4x3x5', args: [f64([4, 3, 5]), 0], kwargs: { descending: true } }],
  },
  sortTies: { call: sortCall, gradcheck: false },
  sortInt: { call: sortCall, gradcheck: false },
  argsort: {
    call: (a, k) => argsort(T(a, 0), a[1] as number, { descending: k.descending as boolean }),
    gradcheck: false,
    errors: [{ name: 'dim out of range', run: () => argsort(zeros([3]), 1), type: RangeArgError, message: 'argsort: dim 1 out of range for a tensor of 1 dims (expected a dim in [-1, 0])' }],
  },
  topk: {
    call: (a, k) => {
      const r = topk(T(a, 0), a[1] as number, a[2] as number, { largest: k.largest as boolean });
      return [r.values, r.indices];
    },
    errors: [
      { name: 'k past the size', run: () => topk(zeros([2, 3]), 4), type: RangeArgError, message: 'topk: k must be an integer in [0, 3] (the size of dim 1 of x [2,3]), got 4' },
      { name: 'fractional k', run: () => topk(zeros([5]), 1.5), type: RangeArgError, message: 'topk: k must be an integer in [0, 5] (the size of dim 0 of x [5]), got 1.5' },
    ],
  },
  topkEdges: {
    call: (a, k) => {
      const r = topk(T(a, 0), a[1] as number, a[2] as number, { largest: k.largest as boolean });
      return [r.values, r.indices];
    },
    gradcheck: false,
  },
};

/** Ops of this set that have samples beyond the goldens. */
export const EXTRA_OPS_PRIMS = ['cumprod', 'sort'];
