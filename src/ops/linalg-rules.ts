/**
 * The rules of the dense linear algebra primitives (`cholesky`,
 * `triangularSolve`, `solve`, `det`, `slogdet`, `qr`, `eigh`, `svd`): forward
 * through the backend's `linalg` kernels, VJP and JVP as PyTorch's
 * `derivatives.yaml` (FunctionsManual.cpp) writes them, with differentiable
 * ops so that second derivatives work, and one batching rule (the batch dim
 * to the front: every kernel batches over leading dims).
 *
 * A primitive has one output, so the factorisations with several pack them
 * along the last dims and the public functions (`linalg-ops.ts`) slice them
 * out: qr `[..., k, m+n]` = `[Qᵀ | R]`, eigh `[..., n+1, n]` = `[λ; V]`, svd
 * `[..., k, m+1+n]` = `[Uᵀ | S | Vh]`, slogdet `[..., 2]` = `[sign, logabsdet]`.
 */
import { stopGradient } from '../autograd/index.js';
import { LinAlgError } from '../errors.js';
import { Tensor, deviceOf, raw } from '../tensor/index.js';
import { front } from './batching.js';
import { add, cat, div, expand, k, matmul, mT, mul, neg, reshape, sub, where } from './blocks.js';
import { apply } from './dispatch.js';
import { catForward } from './kernels.js';
import type { BatchRule, NoParams, PrimParams, Primitive, Rule } from './primitives.js';
import { prod } from './reduction.js';

type T = Tensor;
const NONE: NoParams = {};
/** Sum over the last two dims. */
const sum2 = (x: T): T => apply('sum', [x], { dims: [x.ndim - 2, x.ndim - 1], keepdim: false });
/** `x` with two size-1 dims appended (a batch of scalars against a batch of matrices). */
const asMat = (x: T): T => reshape(x, [...x.shape, 1, 1]);
/** A row vector `[..., 1, n]` from `[..., n]`, and a column `[..., n, 1]`. */
const row = (v: T): T => reshape(v, [...v.shape.slice(0, -1), 1, v.shape[v.ndim - 1]!]);
const col = (v: T): T => reshape(v, [...v.shape, 1]);

/** Rows `[r0, r0+rows)` and columns `[c0, c0+cols)` of the last two dims. */
export function block(x: T, r0: number, rows: number, c0: number, cols: number): T {
  const nd = x.ndim;
  const start = x.shape.map((_, i) => (i === nd - 2 ? r0 : i === nd - 1 ? c0 : 0));
  const shape = x.shape.map((d, i) => (i === nd - 2 ? rows : i === nd - 1 ? cols : d));
  return apply('slice', [x], { start, step: x.shape.map(() => 1), shape });
}

/** A constant `rows×cols` matrix with `f(i, j)` entries, of `like`'s dtype and backend. */
function constant(rows: number, cols: number, like: T, f: (i: number, j: number) => number): T {
  const v = new Array<number>(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) v[i * cols + j] = f(i, j);
  return raw.fromValues(v, [rows, cols], like.dtype, deviceOf(like));
}
const lastTwo = (x: T): [number, number] => [x.shape[x.ndim - 2]!, x.shape[x.ndim - 1]!];
/** The identity matrix of `n`. */
export const eyeOf = (n: number, like: T): T => constant(n, n, like, (i, j) => (i === j ? 1 : 0));
/** The entries on or below diagonal `d` (`tril(x, d)`), and on or above it. */
const tril = (x: T, d = 0): T => mul(x, constant(...lastTwo(x), x, (i, j) => (j - i <= d ? 1 : 0)));
const triu = (x: T, d = 0): T => mul(x, constant(...lastTwo(x), x, (i, j) => (j - i >= d ? 1 : 0)));
/** The diagonal `[..., n]` of square matrices, and `[..., n]` as diagonal matrices. */
const diagOf = (x: T): T => apply('sum', [mul(x, eyeOf(x.shape[x.ndim - 1]!, x))], { dims: [x.ndim - 1], keepdim: false });
const diagEmbed = (v: T): T => mul(col(v), eyeOf(v.shape[v.ndim - 1]!, v));
/** `x` with its diagonal zeroed. */
const offDiag = (x: T): T => mul(x, constant(...lastTwo(x), x, (i, j) => (i === j ? 0 : 1)));

const trsolve = (a: T, b: T, upper: boolean, unitriangular = false): T => apply('triangularSolve', [a, b], { upper, unitriangular });
/** `X A = B` for triangular `A`: `Aᵀ Xᵀ = Bᵀ`. */
const trsolveRight = (a: T, b: T, upper: boolean): T => mT(trsolve(mT(a), mT(b), !upper));
const solve = (a: T, b: T): T => apply('solve', [a, b], { check: null });
/** `A⁻ᵀ` (inf/NaN where A is singular). */
const invT = (a: T): T => mT(solve(a, eyeOf(a.shape[a.ndim - 1]!, a)));

// ---- the forward kernels ----

/** The flat batch index `b` as a message fragment (none for a single matrix). */
function element(shape: readonly number[], b: number, rest: string): string {
  return shape.length > 2 ? `batch element ${b}: ${rest}` : rest;
}

/** The first nonzero info code as `[batch element, code]`, or null. */
function firstBad(info: Int32Array): [number, number] | null {
  const bad = info.findIndex((v) => v !== 0);
  return bad < 0 ? null : [bad, info[bad]!];
}

// On the GPU these errors come at the next async read (the codes stay there); the outputs are NaN/inf meanwhile.
function cholForward(a: T): T {
  const r = raw.rawLinalg('cholesky', [a]);
  r.check((info) => {
    const bad = firstBad(info);
    if (bad === null) return null;
    const msg = element(a.shape, bad[0], `the leading minor of order ${bad[1]} is not positive`);
    return new LinAlgError('linalg.cholesky', `the matrix is not positive definite (${msg})`);
  });
  return r.outputs[0]!;
}

function solveForward(a: T, b: T, check: string | null): T {
  const r = raw.rawLinalg('solve', [a, b]);
  if (check === null) return r.outputs[0]!;
  const batch = a.ndim > 2 || b.ndim > 2 ? [...r.outputs[0]!.shape] : [];
  r.check((info) => {
    const bad = firstBad(info);
    if (bad === null) return null;
    const msg = element(batch, bad[0], `pivot ${bad[1]} is exactly zero`);
    return new LinAlgError(check, `the matrix is singular, so the system has no unique solution (${msg})`);
  });
  return r.outputs[0]!;
}

/** The outputs packed along the last dim (as contiguous copies). */
const pack = (xs: readonly T[], dim: number): T => catForward(xs, dim, xs[0]!.dtype);
const rawT = (x: T): T => raw.asStrided(x, [...x.shape.slice(0, -2), x.shape[x.ndim - 1]!, x.shape[x.ndim - 2]!], [
  ...x.strides.slice(0, -2), x.strides[x.ndim - 1]!, x.strides[x.ndim - 2]!,
], x.offset);
const rawCol = (v: T): T => raw.asStrided(v, [...v.shape, 1], [...v.strides, 1], v.offset);
const rawRow = (v: T): T => raw.asStrided(v, [...v.shape.slice(0, -1), 1, v.shape[v.ndim - 1]!], [...v.strides.slice(0, -1), 1, v.strides[v.ndim - 1]!], v.offset);

// ---- the batching rule ----

/**
 * Every linalg primitive batches over leading dims: batched inputs get the
 * batch dim in front, unbatched ones keep their shape and broadcast, after
 * each is padded to one rank with size-1 dims.
 */
function matrices<P extends Primitive>(prim: P): BatchRule<P> {
  return (x, p, size) => {
    const rank = Math.max(...x.map((a) => a.value.ndim - (a.bdim === null ? 0 : 1)));
    const vs = x.map((a) => {
      if (a.bdim === null) return a.value;
      const v = front(a, size);
      const r = v.ndim - 1;
      return r === rank ? v : reshape(v, [size, ...new Array<number>(rank - r).fill(1), ...v.shape.slice(1)]);
    });
    return { value: apply(prim, vs, p), bdim: 0 };
  };
}

// ---- the rules ----

/** Φ(X) of PyTorch's cholesky derivatives: the lower triangle with the diagonal halved. */
const phi = (x: T): T => sub(tril(x), mul(diagEmbed(diagOf(x)), k(0.5, x)));

const cholesky: Rule<'cholesky'> = {
  forward: (x) => cholForward(x[0]!),
  save: 'y',
  // Ā = L⁻ᴴ Φ(Lᴴ L̄) L⁻¹, symmetrised: Φ(T) + strict-lower(T)ᴴ halved.
  vjp: (g, { y: l }) => {
    const t = tril(matmul(mT(l), g));
    const sym = mul(add(t, mT(tril(t, -1))), k(0.5, t));
    return [trsolveRight(l, trsolve(mT(l), sym, true), false)];
  },
  // dL = L Φ(L⁻¹ dA L⁻ᴴ)
  jvp: ([da], { y: l }) => {
    if (!da) return null;
    const x = trsolveRight(mT(l), trsolve(l, da, false), true);
    return matmul(l, phi(x));
  },
  batch: matrices('cholesky'),
};

/** The triangle of `A` the solve reads (without the diagonal when it is unit). */
function triangle(x: T, p: PrimParams['triangularSolve']): T {
  const d = p.unitriangular ? 1 : 0;
  return p.upper ? triu(x, d) : tril(x, -d);
}

const triangularSolve: Rule<'triangularSolve'> = {
  forward: (x, p) => raw.rawLinalg('triangularSolve', [x[0]!, x[1]!], p).outputs[0]!,
  save: 'xy',
  // X = A⁻¹B: B̄ = A⁻ᴴ X̄, Ā = −B̄ Xᴴ on A's triangle.
  vjp: (g, { x: [a], y, p, needs }) => {
    const gb = trsolve(mT(a!), g, !p.upper, p.unitriangular);
    return [needs[0] ? triangle(neg(matmul(gb, mT(y))), p) : null, needs[1] ? gb : null];
  },
  // dX = A⁻¹(dB − dA X)
  jvp: ([da, db], { x: [a], y, p }) => {
    if (!da && !db) return null;
    let r = db ?? null;
    if (da) r = r === null ? neg(matmul(triangle(da, p), y)) : sub(r, matmul(triangle(da, p), y));
    return trsolve(a!, r!, p.upper, p.unitriangular);
  },
  batch: matrices('triangularSolve'),
};

const solveRule: Rule<'solve'> = {
  forward: (x, p) => solveForward(x[0]!, x[1]!, p.check),
  save: 'xy',
  // X = A⁻¹B: B̄ = A⁻ᴴ X̄, Ā = −B̄ Xᴴ
  vjp: (g, { x: [a], y, needs }) => {
    const gb = solve(mT(a!), g);
    return [needs[0] ? neg(matmul(gb, mT(y))) : null, needs[1] ? gb : null];
  },
  jvp: ([da, db], { x: [a], y }) => {
    if (!da && !db) return null;
    let r = db ?? null;
    if (da) r = r === null ? neg(matmul(da, y)) : sub(r, matmul(da, y));
    return solve(a!, r!);
  },
  batch: matrices('solve'),
};

/**
 * The cofactor matrix `adj(A)ᵀ` (det's gradient), as PyTorch's
 * `linalg_det_backward` computes it for higher derivatives: `det(A)·A⁻ᵀ`
 * where |det| ≥ 100·eps, else the SVD form `det(U)det(Vh)·U diag(∏_{j≠i} s_j) Vh`,
 * exact at singular matrices. Each branch sees a safe stand-in (I, or
 * diag(1..n)) where the other one is used, so neither makes a NaN.
 */
function cofactors(a: T, det: T): T {
  const n = a.shape[a.ndim - 1]!;
  const eps = a.dtype === 'float64' ? 2.220446049250313e-16 : 1.1920928955078125e-7;
  const small = asMat(apply('compare', [apply('abs', [det], NONE), k(100 * eps, det)], { op: 'lt' }));
  const regular = mul(asMat(det), invT(where(small, eyeOf(n, a), a)));
  const [u, s, vh] = svdParts(apply('svd', [where(small, a, constant(n, n, a, (i, j) => (i === j ? i + 1 : 0)))], NONE), n, n);
  const alpha = stopGradient(mul(apply('det', [u], NONE), apply('det', [vh], NONE)));
  const others = where(apply('compare', [eyeOf(n, a), k(1, a)], { op: 'eq' }), k(1, a), expand(row(s), [...s.shape.slice(0, -1), n, n]));
  const excl = prod(others, -1);
  const singular = mul(asMat(alpha), matmul(mul(u, row(excl)), vh));
  return where(small, singular, regular);
}

const det: Rule<'det'> = {
  forward: (x) => raw.rawLinalg('lu', [x[0]!]).outputs[2]!,
  save: 'xy',
  // d det(A) = tr(adj(A) dA)
  vjp: (g, { x: [a], y }) => [mul(asMat(g), cofactors(a!, y))],
  jvp: ([da], { x: [a], y }) => (da ? sum2(mul(cofactors(a!, y), da)) : null),
  batch: matrices('det'),
};

const slogdet: Rule<'slogdet'> = {
  forward: (x) => {
    const [sign, logabs] = raw.rawLinalg('lu', [x[0]!]).outputs;
    return pack([rawCol(sign!), rawCol(logabs!)], sign!.ndim);
  },
  save: 'x',
  // d log|det A| = tr(A⁻¹ dA); the sign has zero derivative.
  vjp: (g, { x: [a] }) => [mul(asMat(logabsOf(g)), invT(a!))],
  jvp: ([da], { x: [a] }) => {
    if (!da) return null;
    const dl = sum2(mul(invT(a!), da));
    return cat([col(mul(dl, k(0, dl))), col(dl)], -1);
  },
  batch: matrices('slogdet'),
};

/** The logabsdet half `[...]` of a packed slogdet cotangent `[..., 2]`. */
function logabsOf(g: T): T {
  const s = apply('slice', [g], { start: g.shape.map((_, i) => (i === g.ndim - 1 ? 1 : 0)), step: g.shape.map(() => 1), shape: g.shape.map((d, i) => (i === g.ndim - 1 ? 1 : d)) });
  return reshape(s, g.shape.slice(0, -1));
}

/** Q `[..., m, k]` and R `[..., k, n]` of a packed qr output. */
export function qrParts(y: T, m: number, n: number): [T, T] {
  const kk = Math.min(m, n);
  return [mT(block(y, 0, kk, 0, m)), block(y, 0, kk, m, n)];
}

/** Ā of a square or tall QR (`m ≥ n`): `(Q̄ + Q sym(triu(R̄Rᴴ − QᴴQ̄))) R⁻ᴴ`. */
function qrTallVjp(gq: T, gr: T, q: T, r: T): T {
  const m = sub(matmul(gr, mT(r)), matmul(mT(q), gq));
  const sym = add(triu(m), mT(triu(m, 1)));
  return trsolveRight(mT(r), add(matmul(q, sym), gq), false);
}

/** dQ, dR of a square or tall QR from dA: with B = Qᴴ dA R⁻¹ and C its skew part below the diagonal, dR = (B − C)R, dQ = dA R⁻¹ − Q(B − C). */
function qrTallJvp(da: T, q: T, r: T): [T, T] {
  const z = trsolveRight(r, da, true);
  const b = matmul(mT(q), z);
  const low = tril(b, -1);
  const upper = add(sub(b, low), mT(low));
  return [sub(z, matmul(q, upper)), matmul(upper, r)];
}

const qr: Rule<'qr'> = {
  forward: (x) => {
    const [q, r] = raw.rawLinalg('qr', [x[0]!]).outputs;
    return pack([rawT(q!), r!], q!.ndim - 1);
  },
  save: 'y',
  // A wide A = [X | Y] is X = QU (square) and R = [U | QᴴY]: Ȳ = Q R̄_Y, and X's rule with Q̄ + Y R̄_Yᴴ.
  vjp: (g, { y, shapes }) => {
    const a = shapes[0]!;
    const [m, n] = [a[a.length - 2]!, a[a.length - 1]!];
    const [q, r] = qrParts(y, m, n);
    const [gq, gr] = qrParts(g, m, n);
    if (m >= n) return [qrTallVjp(gq, gr, q, r)];
    const u = block(r, 0, m, 0, m);
    const gv = block(gr, 0, m, m, n - m);
    const yy = matmul(q, block(r, 0, m, m, n - m));
    const gx = qrTallVjp(add(gq, matmul(yy, mT(gv))), block(gr, 0, m, 0, m), q, u);
    return [cat([gx, matmul(q, gv)], -1)];
  },
  jvp: ([da], { y, shapes }) => {
    if (!da) return null;
    const a = shapes[0]!;
    const [m, n] = [a[a.length - 2]!, a[a.length - 1]!];
    const [q, r] = qrParts(y, m, n);
    if (m >= n) {
      const [dq, dr] = qrTallJvp(da, q, r);
      return cat([mT(dq), dr], -1);
    }
    const u = block(r, 0, m, 0, m);
    const [dq, du] = qrTallJvp(block(da, 0, m, 0, m), q, u);
    const yy = matmul(q, block(r, 0, m, m, n - m));
    const dv = add(matmul(mT(dq), yy), matmul(mT(q), block(da, 0, m, m, n - m)));
    return cat([mT(dq), du, dv], -1);
  },
  batch: matrices('qr'),
};

/** λ `[..., n]` and V `[..., n, n]` of a packed eigh output. */
export function eighParts(y: T, n: number): [T, T] {
  return [reshape(block(y, 0, 1, 0, n), [...y.shape.slice(0, -2), n]), block(y, 1, n, 0, n)];
}

/** E_ij = λ_j − λ_i off the diagonal, 1 on it (PyTorch's `Econj`); a repeated eigenvalue makes 0 there, hence inf/NaN gradients, as PyTorch's. */
function gaps(lambda: T): T {
  const e = sub(row(lambda), col(lambda));
  const n = lambda.shape[lambda.ndim - 1]!;
  return add(offDiag(e), eyeOf(n, e));
}

/**
 * `x / e`, or 0 for the matrices whose vector cotangents `gs` are all zero:
 * a cotangent that reaches only the eigenvalues (or singular values) is
 * PyTorch's undefined V̄, for which it skips the `1/(λj − λi)` term; any
 * other V̄ at a repeated value gives inf/NaN, as PyTorch's.
 */
function noVectors(gs: readonly T[]): T {
  let total: T | null = null;
  for (const g of gs) {
    const s = sum2(apply('abs', [g], NONE));
    total = total === null ? s : add(total, s);
  }
  return asMat(apply('compare', [total!, k(0, total!)], { op: 'eq' }));
}
const overGaps = (x: T, e: T, none: T): T => div(where(none, k(0, x), x), where(none, k(1, e), e));

const eigh: Rule<'eigh'> = {
  forward: (x) => {
    const [values, vectors] = raw.rawLinalg('eigh', [x[0]!]).outputs;
    return pack([rawRow(values!), vectors!], vectors!.ndim - 2);
  },
  save: 'y',
  // Ā = V (diag(λ̄) + skew(Vᴴ V̄)/E) Vᴴ, skew(X) = (X − Xᴴ)/2
  vjp: (g, { y, shapes }) => {
    const n = shapes[0]![shapes[0]!.length - 1]!;
    const [lambda, v] = eighParts(y, n);
    const [gl, gv] = eighParts(g, n);
    const x = matmul(mT(v), gv);
    const skew = mul(sub(x, mT(x)), k(0.5, x));
    const inner = add(offDiag(overGaps(skew, gaps(lambda), noVectors([gv]))), diagEmbed(gl));
    return [matmul(matmul(v, inner), mT(v))];
  },
  // dλ = diag(Vᴴ dA V), dV = V ((Vᴴ dA V)/E off the diagonal)
  jvp: ([da], { y, shapes }) => {
    if (!da) return null;
    const n = shapes[0]![shapes[0]!.length - 1]!;
    const [lambda, v] = eighParts(y, n);
    const x = matmul(matmul(mT(v), da), v);
    const dv = matmul(v, offDiag(div(x, gaps(lambda))));
    return cat([row(diagOf(x)), dv], -2);
  },
  batch: matrices('eigh'),
};

/** U `[..., m, k]`, S `[..., k]` and Vh `[..., k, n]` of a packed svd output. */
export function svdParts(y: T, m: number, n: number): [T, T, T] {
  const kk = Math.min(m, n);
  return [mT(block(y, 0, kk, 0, m)), reshape(block(y, 0, kk, m, 1), [...y.shape.slice(0, -2), kk]), block(y, 0, kk, m + 1, n)];
}

/** E_jk = s_k² − s_j² off the diagonal, 1 on it. */
function svdGaps(s: T): T {
  const s2 = mul(s, s);
  return gaps(s2);
}

const svd: Rule<'svd'> = {
  forward: (x) => {
    const [u, s, vh] = raw.rawLinalg('svd', [x[0]!]).outputs;
    return pack([rawT(u!), rawCol(s!), vh!], vh!.ndim - 1);
  },
  save: 'y',
  // Ā = U[(skew(UᴴŪ)S + S skew(VᴴV̄))/E + diag(S̄)]Vᴴ + (I − UUᴴ)ŪS⁻¹Vᴴ + US⁻¹V̄ᴴ(I − VVᴴ), skew(X) = X − Xᴴ
  vjp: (g, { y, shapes }) => {
    const a = shapes[0]!;
    const [m, n] = [a[a.length - 2]!, a[a.length - 1]!];
    const kk = Math.min(m, n);
    const [u, s, vh] = svdParts(y, m, n);
    const [gu, gs, gvh] = svdParts(g, m, n);
    const gv = mT(gvh);
    const v = mT(vh);
    const uu = matmul(mT(u), gu);
    const vv = matmul(vh, gv);
    const su = sub(uu, mT(uu));
    const none = noVectors([gu, gvh]);
    const sv = sub(vv, mT(vv));
    const core = add(offDiag(overGaps(add(mul(su, row(s)), mul(col(s), sv)), svdGaps(s), none)), diagEmbed(gs));
    let ga = matmul(matmul(u, core), vh);
    if (m > kk) {
      const gus = overGaps(gu, row(s), none);
      ga = add(ga, matmul(sub(gus, matmul(u, matmul(mT(u), gus))), vh));
    }
    if (n > kk) {
      const gvs = overGaps(gv, row(s), none);
      ga = add(ga, matmul(u, sub(mT(gvs), matmul(matmul(mT(gvs), v), vh))));
    }
    return [ga];
  },
  // dP = Uᴴ dA V: dS = diag(dP), dU = U((dP S + S dPᴴ)/E) + (I − UUᴴ) dA V S⁻¹, dV = V((S dP + dPᴴ S)/E) + (I − VVᴴ) dAᴴ U S⁻¹
  jvp: ([da], { y, shapes }) => {
    if (!da) return null;
    const a = shapes[0]!;
    const [m, n] = [a[a.length - 2]!, a[a.length - 1]!];
    const kk = Math.min(m, n);
    const [u, s, vh] = svdParts(y, m, n);
    const v = mT(vh);
    const dp = matmul(matmul(mT(u), da), v);
    const e = svdGaps(s);
    let du = matmul(u, offDiag(div(add(mul(dp, row(s)), mul(col(s), mT(dp))), e)));
    let dv = matmul(v, offDiag(div(add(mul(col(s), dp), mul(mT(dp), row(s))), e)));
    if (m > kk) du = add(du, div(sub(matmul(da, v), matmul(u, dp)), row(s)));
    if (n > kk) dv = add(dv, div(sub(matmul(mT(da), u), matmul(v, mT(dp))), row(s)));
    return cat([mT(du), col(diagOf(dp)), mT(dv)], -1);
  },
  batch: matrices('svd'),
};

/** The rules of the linalg primitives, spread into the table. @example RULES.cholesky */
export const LINALG_RULES = { cholesky, triangularSolve, solve: solveRule, det, slogdet, qr, eigh, svd };
