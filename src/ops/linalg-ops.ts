/**
 * `linalg`: torch.linalg's factorisations, solvers and norms (exported from
 * `adjoint` as the namespace `linalg`). The factorisations are primitives
 * (`linalg-rules.ts`); `inv`, the norms and the option handling are
 * composites. Every function takes `[..., m, n]` batches of matrices in
 * float32 or float64; solvers broadcast batch dims like PyTorch.
 */
import { DTypeError, RangeArgError, ShapeError, fmtShape } from '../errors.js';
import { Tensor, normDim } from '../tensor/index.js';
import { apply } from './dispatch.js';
import { mT } from './blocks.js';
import { eighParts, eyeOf, qrParts, svdParts } from './linalg-rules.js';
import { abs } from './elementwise.js';
import { amax, amin, norm, sum, type DimArg } from './reduction.js';
import { permute, reshape, unsqueeze, squeeze } from './shape.js';

/** Checks a float tensor of at least 2 dims (square when asked); returns its last two sizes. */
function matrixArg(op: string, a: Tensor, square: boolean, name = 'A'): [number, number] {
  if (!(a instanceof Tensor)) throw new DTypeError(op, `expected a tensor for ${name}`);
  if (a.dtype !== 'float32' && a.dtype !== 'float64') throw new DTypeError(op, `expected a float32 or float64 tensor for ${name}, got ${a.dtype}`);
  if (a.ndim < 2) throw new ShapeError(op, `${name} must have at least 2 dims, got ${fmtShape(a.shape)}`);
  const [m, n] = [a.shape[a.ndim - 2]!, a.shape[a.ndim - 1]!];
  if (square && m !== n) throw new ShapeError(op, `${name} must be batches of square matrices, got ${fmtShape(a.shape)}`);
  return [m, n];
}

function sameDtype(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) throw new DTypeError(op, `expected A and B of one dtype, got ${a.dtype} and ${b.dtype}`);
}

/**
 * The Cholesky factor of symmetric positive definite matrices (the lower
 * triangle is read): lower `L` with `A = L Lᴴ`, or upper `U = Lᴴ` with
 * `{upper: true}`. A matrix that is not positive definite throws a
 * `LinAlgError` naming the batch element and the leading minor (on webgpu at
 * the next async read or `synchronize()`, as device-side checks do).
 *
 * @example
 * linalg.cholesky(tensor([[4, 2], [2, 5]])).toArray(); // [[2, 0], [1, 2]]
 * linalg.cholesky(tensor([[1, 2], [2, 1]]));           // LinAlgError: linalg.cholesky: the matrix is not positive definite (the leading minor of order 2 is not positive)
 */
export function cholesky(a: Tensor, opts: { upper?: boolean } = {}): Tensor {
  matrixArg('linalg.cholesky', a, true);
  const l = apply('cholesky', [a], {});
  return opts.upper === true ? mT(l) : l;
}

/** Options of `solveTriangular`: torch.linalg.solve_triangular's. */
export interface SolveTriangularOptions {
  /** A is upper triangular (required, as in PyTorch). */
  upper: boolean;
  /** Solve `A X = B` (true, default) or `X A = B`. */
  left?: boolean;
  /** Take A's diagonal as ones (not read). */
  unitriangular?: boolean;
}

/**
 * The solution `X` of `A X = B` (or `X A = B` with `{left: false}`) for
 * triangular `A`; only A's triangle is read; batch dims broadcast. A zero on
 * the diagonal gives inf/NaN, as PyTorch.
 *
 * @example
 * linalg.solveTriangular(tensor([[2, 0], [1, 1]]), tensor([[2], [3]]), { upper: false }).toArray(); // [[1], [2]]
 */
export function solveTriangular(a: Tensor, b: Tensor, opts: SolveTriangularOptions): Tensor {
  const op = 'linalg.solveTriangular';
  const [n] = matrixArg(op, a, true);
  const [bm, bn] = matrixArg(op, b, false, 'B');
  sameDtype(op, a, b);
  if (typeof opts?.upper !== 'boolean') throw new RangeArgError(op, 'expected the option upper (true or false), as torch.linalg.solve_triangular requires');
  const left = opts.left ?? true;
  if ((left ? bm : bn) !== n) {
    throw new ShapeError(op, `A ${fmtShape(a.shape)} and B ${fmtShape(b.shape)} do not fit: expected B with ${n} ${left ? 'rows' : 'columns'}`);
  }
  const p = { upper: opts.upper, unitriangular: opts.unitriangular ?? false };
  if (left) return apply('triangularSolve', [a, b], p);
  return mT(apply('triangularSolve', [mT(a), mT(b)], { ...p, upper: !p.upper }));
}

/**
 * The solution `X` of `A X = B` (`{left: false}`: `X A = B`) for square
 * invertible `A`, by LU with partial pivoting. `B` is a batch of vectors
 * when it is 1-D or has A's shape without its last dim (PyTorch's rule);
 * batch dims broadcast. A singular A throws a `LinAlgError` (on webgpu at the
 * next async read).
 *
 * @example
 * linalg.solve(tensor([[2, 1], [1, 3]]), tensor([3, 5])).toArray(); // [0.8, 1.4]
 */
export function solve(a: Tensor, b: Tensor, opts: { left?: boolean } = {}): Tensor {
  const op = 'linalg.solve';
  const [n] = matrixArg(op, a, true);
  if (!(b instanceof Tensor) || b.ndim < 1) throw new ShapeError(op, `B must have at least 1 dim, got ${b instanceof Tensor ? fmtShape(b.shape) : typeof b}`);
  sameDtype(op, a, b);
  const left = opts.left ?? true;
  const vector = b.ndim === 1 || (b.ndim === a.ndim - 1 && b.shape.every((d, i) => d === a.shape[i]));
  const bm = vector ? unsqueeze(b, left ? -1 : -2) : b;
  const fits = left ? bm.shape[bm.ndim - 2] === n : bm.shape[bm.ndim - 1] === n;
  if (!fits) throw new ShapeError(op, `A ${fmtShape(a.shape)} and B ${fmtShape(b.shape)} do not fit: expected B with ${n} ${left ? 'rows' : 'columns'}`);
  const x = left ? apply('solve', [a, bm], { check: op }) : mT(apply('solve', [mT(a), mT(bm)], { check: op }));
  return vector ? squeeze(x, left ? -1 : -2) : x;
}

/**
 * The inverse of square invertible matrices (a singular one throws a
 * `LinAlgError`; on webgpu at the next async read).
 *
 * @example
 * linalg.inv(tensor([[2, 0], [0, 4]])).toArray(); // [[0.5, 0], [0, 0.25]]
 */
export function inv(a: Tensor): Tensor {
  const [n] = matrixArg('linalg.inv', a, true);
  return apply('solve', [a, eyeOf(n, a)], { check: 'linalg.inv' });
}

/**
 * The determinant; its gradient is the cofactor matrix, exact at singular
 * matrices too (PyTorch's SVD formula).
 *
 * @example
 * linalg.det(tensor([[1, 2], [3, 4]])).item(); // -2
 */
export function det(a: Tensor): Tensor {
  matrixArg('linalg.det', a, true);
  return apply('det', [a], {});
}

/** The sign and the log of the absolute value of a determinant. */
export interface Slogdet {
  sign: Tensor;
  logabsdet: Tensor;
}

/**
 * `det = sign · exp(logabsdet)` without overflow; a singular matrix gives
 * sign 0 and logabsdet −inf, as PyTorch.
 *
 * @example
 * linalg.slogdet(tensor([[-2, 0], [0, 3]])).logabsdet.item(); // log 6
 */
export function slogdet(a: Tensor): Slogdet {
  matrixArg('linalg.slogdet', a, true);
  const y = apply('slogdet', [a], {});
  const part = (i: number): Tensor => reshape(apply('slice', [y], {
    start: y.shape.map((_, d) => (d === y.ndim - 1 ? i : 0)), step: y.shape.map(() => 1), shape: y.shape.map((s, d) => (d === y.ndim - 1 ? 1 : s)),
  }), y.shape.slice(0, -1));
  return { sign: part(0), logabsdet: part(1) };
}

/**
 * The reduced QR factorisation `A = Q R` (Q `[..., m, k]` with orthonormal
 * columns, R `[..., k, n]` upper triangular, k = min(m, n)), with LAPACK's
 * signs as PyTorch. Only `mode: 'reduced'` (the default) is supported.
 *
 * @example
 * const { Q, R } = linalg.qr(randn([4, 3]));
 */
export function qr(a: Tensor, opts: { mode?: 'reduced' } = {}): { Q: Tensor; R: Tensor } {
  const [m, n] = matrixArg('linalg.qr', a, false);
  if ((opts.mode ?? 'reduced') !== 'reduced') throw new RangeArgError('linalg.qr', `unsupported mode '${String(opts.mode)}' (expected 'reduced')`);
  const [Q, R] = qrParts(apply('qr', [a], {}), m, n);
  return { Q, R };
}

/**
 * Eigenvalues (ascending) and eigenvectors (columns) of symmetric matrices,
 * reading the lower triangle (`UPLO: 'U'`: the upper). Eigenvectors are
 * defined up to sign; gradients through them are inf/NaN at repeated
 * eigenvalues (the `1/(λj − λi)` factor), as PyTorch's.
 *
 * @example
 * linalg.eigh(tensor([[2, 1], [1, 2]])).eigenvalues.toArray(); // [1, 3]
 */
export function eigh(a: Tensor, opts: { UPLO?: 'L' | 'U' } = {}): { eigenvalues: Tensor; eigenvectors: Tensor } {
  const [n] = matrixArg('linalg.eigh', a, true);
  const uplo = opts.UPLO ?? 'L';
  if (uplo !== 'L' && uplo !== 'U') throw new RangeArgError('linalg.eigh', `UPLO must be 'L' or 'U', got '${String(uplo)}'`);
  const [eigenvalues, eigenvectors] = eighParts(apply('eigh', [uplo === 'U' ? mT(a) : a], {}), n);
  return { eigenvalues, eigenvectors };
}

/**
 * The singular value decomposition `A = U diag(S) Vh` (S descending). With
 * `fullMatrices: true` (PyTorch's default) only square matrices are
 * supported (where reduced and full agree); pass `{fullMatrices: false}` for
 * the reduced SVD of others. U and Vh are defined up to a sign per singular
 * pair, so only sign-invariant functions of them have well-defined gradients.
 *
 * @example
 * const { U, S, Vh } = linalg.svd(randn([5, 3]), { fullMatrices: false }); // U [5,3], S [3], Vh [3,3]
 */
export function svd(a: Tensor, opts: { fullMatrices?: boolean } = {}): { U: Tensor; S: Tensor; Vh: Tensor } {
  const [m, n] = matrixArg('linalg.svd', a, false);
  if ((opts.fullMatrices ?? true) && m !== n) {
    throw new RangeArgError('linalg.svd', `fullMatrices: true is supported for square matrices only, got ${fmtShape(a.shape)}; pass { fullMatrices: false } for the reduced SVD`);
  }
  const [U, S, Vh] = svdParts(apply('svd', [a], {}), m, n);
  return { U, S, Vh };
}

/**
 * The singular values (descending), as `torch.linalg.svdvals`.
 *
 * @example
 * linalg.svdvals(tensor([[3, 0], [0, -4]])).toArray(); // [4, 3]
 */
export function svdvals(a: Tensor): Tensor {
  const [m, n] = matrixArg('linalg.svdvals', a, false);
  return svdParts(apply('svd', [a], {}), m, n)[1];
}

/** Options of `vectorNorm`: torch.linalg.vector_norm's. */
export interface VectorNormOptions {
  /** The order: any number, ±Infinity (max/min of |x|), 0 (count of nonzeros); default 2. */
  ord?: number;
  /** The dims to reduce (default all). */
  dim?: DimArg;
  keepdim?: boolean;
}

/**
 * The vector p-norm over `dim` (default: all elements), as
 * `torch.linalg.vector_norm`; the gradient at 0 is 0 for ord 2.
 *
 * @example
 * linalg.vectorNorm(tensor([3, -4])).item();                     // 5
 * linalg.vectorNorm(tensor([3, -4]), { ord: Infinity }).item();  // 4
 */
export function vectorNorm(x: Tensor, opts: VectorNormOptions = {}): Tensor {
  if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new DTypeError('linalg.vectorNorm', `expected a float32 or float64 tensor, got ${x.dtype}`);
  const ord = opts.ord ?? 2;
  if (typeof ord !== 'number' || Number.isNaN(ord)) throw new RangeArgError('linalg.vectorNorm', `ord must be a number, got ${String(ord)}`);
  return norm(x, { p: ord, dim: opts.dim ?? undefined, keepdim: opts.keepdim ?? false });
}

/** The orders of `matrixNorm`. */
export type MatrixOrd = 'fro' | 'nuc' | 1 | -1 | 2 | -2 | typeof Infinity;

/** Options of `matrixNorm`: torch.linalg.matrix_norm's. */
export interface MatrixNormOptions {
  ord?: MatrixOrd;
  /** The two dims holding the matrices (default [-2, -1]). */
  dim?: readonly [number, number];
  keepdim?: boolean;
}

const ORDS: readonly unknown[] = ['fro', 'nuc', 1, -1, 2, -2, Infinity, -Infinity];

/**
 * Matrix norms over two dims, as `torch.linalg.matrix_norm`: Frobenius
 * (default), nuclear (sum of singular values), ±2 (largest/smallest singular
 * value), ±1 (max/min column sum of |x|), ±Infinity (max/min row sum).
 *
 * @example
 * linalg.matrixNorm(tensor([[1, -2], [3, 4]]), { ord: 1 }).item(); // 6
 */
export function matrixNorm(x: Tensor, opts: MatrixNormOptions = {}): Tensor {
  const op = 'linalg.matrixNorm';
  const ord = opts.ord ?? 'fro';
  if (!ORDS.includes(ord)) throw new RangeArgError(op, `unsupported ord ${String(ord)} (expected 'fro', 'nuc', ±1, ±2 or ±Infinity)`);
  matrixArg(op, x, false);
  const [d0, d1] = (opts.dim ?? [-2, -1]).map((d) => normDim(op, d, x.ndim)) as [number, number];
  if (d0 === d1) throw new RangeArgError(op, `dim must name two different dims, got [${String(opts.dim)}]`);
  const keepdim = opts.keepdim ?? false;
  if (ord === 'fro') return norm(x, { p: 2, dim: [d0, d1], keepdim });
  if (ord === 1 || ord === -1 || ord === Infinity || ord === -Infinity) {
    // ±1: the column sums (over d0), then max/min over d1; ±inf the other way round.
    const [inner, outer] = ord === 1 || ord === -1 ? [d0, d1] : [d1, d0];
    const sums = sum(abs(x), inner, { keepdim: true });
    const r = ord > 0 ? amax(sums, outer, { keepdim: true }) : amin(sums, outer, { keepdim: true });
    return keepdim ? r : squeeze(squeeze(r, Math.max(d0, d1)), Math.min(d0, d1));
  }
  // The SVD-based orders: the two dims to the end.
  const rest = x.shape.map((_, i) => i).filter((i) => i !== d0 && i !== d1);
  const s = svdvals(permute(x, [...rest, d0, d1]));
  let r = ord === 'nuc' ? sum(s, -1) : ord === 2 ? amax(s, -1) : amin(s, -1);
  if (keepdim) {
    for (const d of [Math.min(d0, d1), Math.max(d0, d1)]) r = unsqueeze(r, d);
  }
  return r;
}
