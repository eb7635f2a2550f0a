/**
 * Registry entries of `linalg` (family linalg2; goldens by
 * tools/goldens/linalg2.py), spread into the one tensor registry of
 * registry.ts. The goldens' well-conditioned inputs are rebuilt here the
 * same way (SPD as X Xᵀ + n I, symmetric as X + Xᵀ), and eigh/svd compare
 * the sign-invariant |V|, |U|, |Vh|. On webgpu the factorisations run
 * their float32 WGSL kernels, and the errors of values (not positive
 * definite, singular) come at the next read (`errorTests` synchronizes).
 */
import { DTypeError, LinAlgError, RangeArgError, ShapeError, Tensor, abs, add, eye, linalg, matmul, mul, tensor, transpose, zeros } from '../../src/index.js';
import type { MatrixOrd } from '../../src/ops/linalg-ops.js';
import type { Registry } from '../helpers/registry.js';

type A = readonly unknown[];
const T = (a: A, i: number): Tensor => a[i] as Tensor;
const mT = (x: Tensor): Tensor => transpose(x, -2, -1);
const n = (x: Tensor): number => x.shape[x.ndim - 1]!;
const spd = (x: Tensor): Tensor => add(matmul(x, mT(x)), mul(eye(n(x), { dtype: x.dtype }), n(x)));
const sym = (x: Tensor): Tensor => add(x, mT(x));
/** A kwarg as the goldens write it ('Infinity' for ±inf). */
const num = (v: unknown): number | undefined => (v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : (v as number | undefined));
// Factorisations in float32 lose a few more digits than elementwise ops (O(n) accumulated roundings, condition numbers ~10).
const F32 = { float32: { rtol: 1e-3, atol: 1e-4 } };

const notSquare = (op: string, run: () => unknown) => ({
  name: 'non-square input', run, type: ShapeError, message: `linalg.${op}: A must be batches of square matrices, got [2,3]`,
});
const intInput = (op: string, run: () => unknown) => ({
  name: 'int32 input', run, type: DTypeError, message: `linalg.${op}: expected a float32 or float64 tensor for A, got int32`,
});
const i32 = tensor([[1, 0], [0, 1]], { dtype: 'int32' });

export const REGISTRY_LINALG: Registry = {
  cholesky_spd: {
    call: (a, k) => linalg.cholesky(spd(T(a, 0)), { upper: k.upper as boolean }),
    tol: F32,
    errors: [
      {
        name: 'not positive definite, batch element 1',
        run: () => linalg.cholesky(tensor([[[4, 0], [0, 1]], [[1, 2], [2, 1]]])),
        type: LinAlgError,
        message: 'linalg.cholesky: the matrix is not positive definite (batch element 1: the leading minor of order 2 is not positive)',
      },
      {
        name: 'not positive definite, one matrix',
        run: () => linalg.cholesky(tensor([[-1, 0], [0, 1]])),
        type: LinAlgError,
        message: 'linalg.cholesky: the matrix is not positive definite (the leading minor of order 1 is not positive)',
      },
      notSquare('cholesky', () => linalg.cholesky(zeros([2, 3]))),
      intInput('cholesky', () => linalg.cholesky(i32)),
    ],
  },
  solve_triangular: {
    call: (a, k) => linalg.solveTriangular(T(a, 0), T(a, 1), { upper: k.upper as boolean, left: k.left as boolean | undefined, unitriangular: k.unitriangular as boolean | undefined }),
    tol: F32,
    errors: [
      {
        name: 'rows of B', run: () => linalg.solveTriangular(eye(3), zeros([2, 2]), { upper: true }), type: ShapeError,
        message: 'linalg.solveTriangular: A [3,3] and B [2,2] do not fit: expected B with 3 rows',
      },
      {
        name: 'batch dims that do not broadcast', run: () => linalg.solveTriangular(zeros([2, 3, 3]), zeros([4, 3, 1]), { upper: true }), type: ShapeError,
        message: 'triangularSolve: cannot broadcast [2] with [4]',
      },
    ],
  },
  solve: {
    call: (a, k) => linalg.solve(T(a, 0), T(a, 1), { left: k.left as boolean | undefined }),
    tol: F32,
    errors: [
      {
        name: 'singular matrix', run: () => linalg.solve(tensor([[[1, 0], [0, 1]], [[1, 2], [2, 4]]]), zeros([2, 2, 1])), type: LinAlgError,
        message: 'linalg.solve: the matrix is singular, so the system has no unique solution (batch element 1: pivot 2 is exactly zero)',
      },
      {
        name: 'batch dims that do not broadcast', run: () => linalg.solve(zeros([2, 3, 3]), zeros([4, 3, 1])), type: ShapeError,
        message: 'solve: cannot broadcast [2] with [4]',
      },
      {
        name: 'rows of B', run: () => linalg.solve(eye(3), zeros([2, 2])), type: ShapeError,
        message: 'linalg.solve: A [3,3] and B [2,2] do not fit: expected B with 3 rows',
      },
      notSquare('solve', () => linalg.solve(zeros([2, 3]), zeros([2]))),
    ],
  },
  inv: {
    call: (a) => linalg.inv(T(a, 0)),
    tol: F32,
    errors: [
      {
        name: 'singular matrix', run: () => linalg.inv(tensor([[1, 2], [2, 4]])), type: LinAlgError,
        message: 'linalg.inv: the matrix is singular, so the system has no unique solution (pivot 2 is exactly zero)',
      },
      notSquare('inv', () => linalg.inv(zeros([2, 3]))),
    ],
  },
  det: {
    call: (a) => linalg.det(T(a, 0)),
    tol: F32,
    errors: [notSquare('det', () => linalg.det(zeros([2, 3]))), intInput('det', () => linalg.det(i32))],
  },
  slogdet: {
    call: (a) => {
      const r = linalg.slogdet(T(a, 0));
      return [r.sign, r.logabsdet];
    },
    tol: F32,
    errors: [notSquare('slogdet', () => linalg.slogdet(zeros([2, 3])))],
  },
  slogdet_singular: {
    call: (a) => {
      const r = linalg.slogdet(T(a, 0));
      return [r.sign, r.logabsdet];
    },
    // The log of |det| at a singular matrix has no derivative.
    gradcheck: false,
    gradgrad: false,
  },
  qr: {
    call: (a) => {
      const r = linalg.qr(T(a, 0));
      return [r.Q, r.R];
    },
    // grad_of_grad of the wide case goes through two triangular solves with R: float32 keeps ~3 digits.
    tol: { float32: { rtol: 3e-3, atol: 1e-4 } },
    errors: [
      { name: '1-d input', run: () => linalg.qr(zeros([3])), type: ShapeError, message: 'linalg.qr: A must have at least 2 dims, got [3]' },
      { name: 'unsupported mode', run: () => linalg.qr(zeros([3, 3]), { mode: 'complete' as 'reduced' }), type: RangeArgError, message: "linalg.qr: unsupported mode 'complete' (expected 'reduced')" },
    ],
  },
  eigh_sym: {
    call: (a, k) => {
      const r = linalg.eigh(sym(T(a, 0)), { UPLO: k.UPLO as 'L' | 'U' });
      return [r.eigenvalues, abs(r.eigenvectors)];
    },
    tol: F32,
    errors: [notSquare('eigh', () => linalg.eigh(zeros([2, 3])))],
  },
  svd_abs: {
    call: (a) => {
      const r = linalg.svd(T(a, 0), { fullMatrices: false });
      return [abs(r.U), r.S, abs(r.Vh)];
    },
    tol: F32,
    errors: [
      {
        name: 'full matrices of a non-square input', run: () => linalg.svd(zeros([2, 3])), type: RangeArgError,
        message: 'linalg.svd: fullMatrices: true is supported for square matrices only, got [2,3]; pass { fullMatrices: false } for the reduced SVD',
      },
    ],
  },
  vector_norm: {
    call: (a, k) => linalg.vectorNorm(T(a, 0), { ord: num(k.ord), dim: k.dim as number | number[] | undefined, keepdim: k.keepdim as boolean | undefined }),
    errors: [{ name: 'int32 input', run: () => linalg.vectorNorm(i32), type: DTypeError, message: 'linalg.vectorNorm: expected a float32 or float64 tensor, got int32' }],
  },
  matrix_norm: {
    call: (a, k) => linalg.matrixNorm(T(a, 0), {
      ord: (num(k.ord) ?? k.ord) as MatrixOrd | undefined, dim: k.dim as [number, number] | undefined, keepdim: k.keepdim as boolean | undefined,
    }),
    tol: F32,
    errors: [
      { name: 'unsupported ord', run: () => linalg.matrixNorm(zeros([2, 2]), { ord: 3 as MatrixOrd }), type: RangeArgError, message: "linalg.matrixNorm: unsupported ord 3 (expected 'fro', 'nuc', ±1, ±2 or ±Infinity)" },
    ],
  },
};
