/**
 * Dense factorisations of batches of small matrices, for the CPU backends:
 * Cholesky, triangular solves, LU with partial pivoting (solve, determinant),
 * Householder QR, the symmetric eigendecomposition (cyclic Jacobi; from
 * n = 32 tridiagonal QL, `linalg-eig.ts`) and the SVD (one-sided Jacobi; from
 * min(m, n) = 32 Golub–Kahan). Arithmetic is float64; results are rounded
 * once when a backend stores them.
 *
 * Inputs arrive as contiguous row-major arrays of `[batch, m, n]` matrices
 * (the backend reads each view); each op returns its outputs as float64
 * arrays and one `info` code per matrix (0: fine), as LAPACK's `info`.
 */
import { directEigh, directSvd } from './linalg-eig.js';
import type { Backend, DType, LinalgOp, LinalgOptions, LinalgResult, TypedArray, View } from './types.js';

const EPS = 2.220446049250313e-16;
/**
 * From this size on (n for eigh, min(m, n) for svd) the O(n³) direct methods
 * of `linalg-eig.ts` (tridiagonal QL, Golub–Kahan) replace Jacobi: at n = 256
 * they are 4–7× faster (`bench/linalg.ts`); below it Jacobi costs little and
 * keeps its high relative accuracy (and is what the webgpu kernels run).
 */
const DIRECT_MIN = 32;

/** One contiguous matrix batch as the kernels read it. */
interface Mats {
  readonly data: TypedArray;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
}

interface Out {
  readonly outputs: Float64Array[];
  readonly info: Int32Array;
}

function mats(be: Backend, v: View): Mats {
  const nd = v.shape.length;
  const rows = v.shape[nd - 2]!;
  const cols = v.shape[nd - 1]!;
  let count = 1;
  for (let i = 0; i < nd - 2; i++) count *= v.shape[i]!;
  return { data: be.read(v), count, rows, cols };
}

/** Matrix `b` of `x` as a fresh float64 array. */
function matrix(x: Mats, b: number): Float64Array {
  const size = x.rows * x.cols;
  const out = new Float64Array(size);
  const base = b * size;
  for (let i = 0; i < size; i++) out[i] = x.data[base + i]!;
  return out;
}

/**
 * Runs one factorisation on `be` over views of `[...batch, m, n]` (same batch
 * shape for every input; broadcast dims may have stride 0) and stores the
 * outputs as `dtype`: the shared body of every CPU backend's `linalg`.
 *
 * @example
 * runLinalg(jsBackend, 'cholesky', [a], {}, 'float64').outputs; // [L]
 */
export function runLinalg(be: Backend, op: LinalgOp, inputs: readonly View[], options: LinalgOptions, dtype: DType): LinalgResult {
  const xs = inputs.map((v) => mats(be, v));
  const r = KERNELS[op](xs, options);
  return { outputs: r.outputs.map((o) => be.fromArray(dtype, o)), info: r.info };
}

type Kernel = (xs: readonly Mats[], o: LinalgOptions) => Out;

const KERNELS: Record<LinalgOp, Kernel> = {
  cholesky: ([a]) => {
    const { count, rows: n } = a!;
    const out = new Float64Array(count * n * n);
    const info = new Int32Array(count);
    for (let b = 0; b < count; b++) {
      const l = cholesky(matrix(a!, b), n);
      if (typeof l === 'number') {
        info[b] = l;
        out.fill(NaN, b * n * n, (b + 1) * n * n);
      } else out.set(l, b * n * n);
    }
    return { outputs: [out], info };
  },
  triangularSolve: ([a, rhs], o) => {
    const { count, rows: n } = a!;
    const k = rhs!.cols;
    const out = new Float64Array(count * n * k);
    for (let b = 0; b < count; b++) {
      out.set(triangularSolve(matrix(a!, b), matrix(rhs!, b), n, k, o.upper === true, o.unitriangular === true), b * n * k);
    }
    return { outputs: [out], info: new Int32Array(count) };
  },
  solve: ([a, rhs]) => {
    const { count, rows: n } = a!;
    const k = rhs!.cols;
    const out = new Float64Array(count * n * k);
    const info = new Int32Array(count);
    for (let b = 0; b < count; b++) {
      const f = lu(matrix(a!, b), n);
      info[b] = f.info;
      out.set(luSolve(f, matrix(rhs!, b), n, k), b * n * k);
    }
    return { outputs: [out], info };
  },
  lu: ([a]) => {
    const { count, rows: n } = a!;
    const sign = new Float64Array(count);
    const logabs = new Float64Array(count);
    const det = new Float64Array(count);
    const info = new Int32Array(count);
    for (let b = 0; b < count; b++) {
      const f = lu(matrix(a!, b), n);
      info[b] = f.info;
      let s = f.parity;
      let la = 0;
      let d = f.parity;
      for (let i = 0; i < n; i++) {
        const u = f.a[i * n + i]!;
        s *= Math.sign(u);
        la += Math.log(Math.abs(u));
        d *= u;
      }
      sign[b] = s === 0 ? 0 : s;
      logabs[b] = la;
      det[b] = d;
    }
    return { outputs: [sign, logabs, det], info };
  },
  qr: ([a]) => {
    const { count, rows: m, cols: n } = a!;
    const k = Math.min(m, n);
    const q = new Float64Array(count * m * k);
    const r = new Float64Array(count * k * n);
    for (let b = 0; b < count; b++) {
      const f = householderQr(matrix(a!, b), m, n);
      q.set(f.q, b * m * k);
      r.set(f.r, b * k * n);
    }
    return { outputs: [q, r], info: new Int32Array(count) };
  },
  eigh: ([a]) => {
    const { count, rows: n } = a!;
    const values = new Float64Array(count * n);
    const vectors = new Float64Array(count * n * n);
    const info = new Int32Array(count);
    for (let b = 0; b < count; b++) {
      const f = n >= DIRECT_MIN ? directEigh(matrix(a!, b), n) : jacobiEigh(matrix(a!, b), n);
      values.set(f.values, b * n);
      vectors.set(f.vectors, b * n * n);
      info[b] = f.info;
    }
    return { outputs: [values, vectors], info };
  },
  svd: ([a]) => {
    const { count, rows: m, cols: n } = a!;
    const k = Math.min(m, n);
    const u = new Float64Array(count * m * k);
    const s = new Float64Array(count * k);
    const vh = new Float64Array(count * k * n);
    const info = new Int32Array(count);
    for (let b = 0; b < count; b++) {
      const f = k >= DIRECT_MIN ? directSvd(matrix(a!, b), m, n) : jacobiSvd(matrix(a!, b), m, n);
      u.set(f.u, b * m * k);
      s.set(f.s, b * k);
      vh.set(f.vh, b * k * n);
      info[b] = f.info;
    }
    return { outputs: [u, s, vh], info };
  },
};

/** The lower Cholesky factor from the lower triangle of `a`, or the order of the first leading minor that is not positive. */
function cholesky(a: Float64Array, n: number): Float64Array | number {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= l[j * n + k]! * l[j * n + k]!;
    if (!(d > 0)) return j + 1;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

/** `X` with `A X = B` for triangular `A` (only its triangle read; unit diagonal when `unit`). */
function triangularSolve(a: Float64Array, rhs: Float64Array, n: number, k: number, upper: boolean, unit: boolean): Float64Array {
  const x = rhs;
  for (let c = 0; c < k; c++) {
    if (upper) {
      for (let i = n - 1; i >= 0; i--) {
        let s = x[i * k + c]!;
        for (let j = i + 1; j < n; j++) s -= a[i * n + j]! * x[j * k + c]!;
        x[i * k + c] = unit ? s : s / a[i * n + i]!;
      }
    } else {
      for (let i = 0; i < n; i++) {
        let s = x[i * k + c]!;
        for (let j = 0; j < i; j++) s -= a[i * n + j]! * x[j * k + c]!;
        x[i * k + c] = unit ? s : s / a[i * n + i]!;
      }
    }
  }
  return x;
}

interface Lu {
  /** L (unit, below the diagonal) and U packed, row-major. */
  readonly a: Float64Array;
  /** Row `i` of the factors is row `perm[i]` of A. */
  readonly perm: Int32Array;
  /** The sign of the permutation. */
  readonly parity: number;
  /** 0, or the 1-based index of the first exactly zero pivot (LAPACK's getrf). */
  readonly info: number;
}

/** LU with partial pivoting (the largest magnitude in the column), continued past zero pivots like getrf. */
function lu(a: Float64Array, n: number): Lu {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  let parity = 1;
  let info = 0;
  for (let j = 0; j < n; j++) {
    let p = j;
    let best = Math.abs(a[j * n + j]!);
    for (let i = j + 1; i < n; i++) {
      const v = Math.abs(a[i * n + j]!);
      if (v > best) [best, p] = [v, i];
    }
    if (p !== j) {
      for (let c = 0; c < n; c++) {
        const t = a[j * n + c]!;
        a[j * n + c] = a[p * n + c]!;
        a[p * n + c] = t;
      }
      [perm[j], perm[p]] = [perm[p]!, perm[j]!];
      parity = -parity;
    }
    const pivot = a[j * n + j]!;
    if (pivot === 0) {
      if (info === 0) info = j + 1;
      continue;
    }
    for (let i = j + 1; i < n; i++) {
      const f = a[i * n + j]! / pivot;
      a[i * n + j] = f;
      if (f !== 0) for (let c = j + 1; c < n; c++) a[i * n + c] -= f * a[j * n + c]!;
    }
  }
  return { a, perm, parity, info };
}

/** `X` with `A X = B` from A's LU factors (inf/NaN where A is singular). */
function luSolve(f: Lu, rhs: Float64Array, n: number, k: number): Float64Array {
  const x = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) x[i * k + c] = rhs[f.perm[i]! * k + c]!;
  triangularSolve(f.a, x, n, k, false, true);
  return triangularSolve(f.a, x, n, k, true, false);
}

/**
 * Householder QR as LAPACK's geqrf + orgqr: reflector j maps column j below
 * the diagonal onto `beta·e_j` with `beta = −sign(alpha)·‖x‖` (no reflection
 * when the part below is zero), so the factors match LAPACK's signs.
 */
function householderQr(r: Float64Array, m: number, n: number): { q: Float64Array; r: Float64Array } {
  const k = Math.min(m, n);
  const vs: Float64Array[] = [];
  const taus = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const alpha = r[j * n + j]!;
    let xnorm = 0;
    for (let i = j + 1; i < m; i++) xnorm = Math.hypot(xnorm, r[i * n + j]!);
    const v = new Float64Array(m);
    vs.push(v);
    if (xnorm === 0) continue;
    const beta = -(alpha >= 0 ? 1 : -1) * Math.hypot(alpha, xnorm);
    const tau = (beta - alpha) / beta;
    taus[j] = tau;
    v[j] = 1;
    for (let i = j + 1; i < m; i++) {
      v[i] = r[i * n + j]! / (alpha - beta);
      r[i * n + j] = 0;
    }
    r[j * n + j] = beta;
    for (let c = j + 1; c < n; c++) {
      let w = 0;
      for (let i = j; i < m; i++) w += v[i]! * r[i * n + c]!;
      w *= tau;
      if (w !== 0) for (let i = j; i < m; i++) r[i * n + c] -= w * v[i]!;
    }
  }
  const q = new Float64Array(m * k);
  for (let i = 0; i < k; i++) q[i * k + i] = 1;
  for (let j = k - 1; j >= 0; j--) {
    const tau = taus[j]!;
    if (tau === 0) continue;
    const v = vs[j]!;
    for (let c = 0; c < k; c++) {
      let w = 0;
      for (let i = j; i < m; i++) w += v[i]! * q[i * k + c]!;
      w *= tau;
      if (w !== 0) for (let i = j; i < m; i++) q[i * k + c] -= w * v[i]!;
    }
  }
  return { q, r: r.slice(0, k * n) };
}

/** The rotation `(c, s)` that zeroes the off-diagonal `apq` of the 2×2 symmetric `[[app, apq], [apq, aqq]]`. */
function rotation(app: number, aqq: number, apq: number): [number, number] {
  const theta = (aqq - app) / (2 * apq);
  const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
  const c = 1 / Math.sqrt(t * t + 1);
  return [c, t * c];
}

const MAX_SWEEPS = 80;

/**
 * Eigenvalues (ascending) and eigenvectors (columns) of the symmetric matrix
 * whose lower triangle is `a`, by cyclic Jacobi rotations until no
 * off-diagonal element is significant next to its diagonal pair.
 */
function jacobiEigh(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array; info: number } {
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[i * n + j] = a[j * n + i]!;
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let info = 1;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        const app = a[p * n + p]!;
        const aqq = a[q * n + q]!;
        if (apq === 0 || Math.abs(apq) <= 0.5 * EPS * Math.sqrt(Math.abs(app * aqq))) {
          a[p * n + q] = 0;
          a[q * n + p] = 0;
          continue;
        }
        rotated = true;
        const [c, s] = rotation(app, aqq, apq);
        for (let r = 0; r < n; r++) {
          const x = a[r * n + p]!;
          const y = a[r * n + q]!;
          a[r * n + p] = c * x - s * y;
          a[r * n + q] = s * x + c * y;
        }
        for (let r = 0; r < n; r++) {
          const x = a[p * n + r]!;
          const y = a[q * n + r]!;
          a[p * n + r] = c * x - s * y;
          a[q * n + r] = s * x + c * y;
          const vx = v[r * n + p]!;
          const vy = v[r * n + q]!;
          v[r * n + p] = c * vx - s * vy;
          v[r * n + q] = s * vx + c * vy;
        }
      }
    }
    if (!rotated) {
      info = 0;
      break;
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[x * n + x]! - a[y * n + y]!);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, j) => {
    values[j] = a[src * n + src]!;
    for (let r = 0; r < n; r++) vectors[r * n + j] = v[r * n + src]!;
  });
  return { values, vectors, info };
}

/**
 * The reduced SVD `A = U diag(S) Vh` (S descending) by one-sided Jacobi
 * (Hestenes): rotate column pairs of A until all are orthogonal; S are the
 * column norms, U the normalised columns (completed to an orthonormal set
 * where S is zero), V the accumulated rotations. A wide A goes through Aᵀ.
 */
function jacobiSvd(a: Float64Array, m: number, n: number): { u: Float64Array; s: Float64Array; vh: Float64Array; info: number } {
  if (m < n) {
    const t = new Float64Array(n * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j]!;
    const f = jacobiSvd(t, n, m);
    // Aᵀ = U' S Vh' → A = Vh'ᵀ S U'ᵀ: U = Vh'ᵀ (m×m), Vh = U'ᵀ (m×n)
    const u = new Float64Array(m * m);
    const vh = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) u[i * m + j] = f.vh[j * m + i]!;
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) vh[j * n + i] = f.u[i * m + j]!;
    return { u, s: f.s, vh, info: f.info };
  }
  // Columns of A and of V, each stored contiguously.
  const w = new Float64Array(n * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) w[j * m + i] = a[i * n + j]!;
  const v = new Float64Array(n * n);
  for (let j = 0; j < n; j++) v[j * n + j] = 1;
  let info = 1;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = w[p * m + i]!;
          const y = w[q * m + i]!;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= EPS * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const [c, s] = rotation(alpha, beta, gamma);
        for (let i = 0; i < m; i++) {
          const x = w[p * m + i]!;
          const y = w[q * m + i]!;
          w[p * m + i] = c * x - s * y;
          w[q * m + i] = s * x + c * y;
        }
        for (let i = 0; i < n; i++) {
          const x = v[p * n + i]!;
          const y = v[q * n + i]!;
          v[p * n + i] = c * x - s * y;
          v[q * n + i] = s * x + c * y;
        }
      }
    }
    if (!rotated) {
      info = 0;
      break;
    }
  }
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += w[j * m + i]! * w[j * m + i]!;
    norms[j] = Math.sqrt(s);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => norms[y]! - norms[x]!);
  const s = new Float64Array(n);
  const uCols: Float64Array[] = [];
  const vh = new Float64Array(n * n);
  const tiny = (norms[order[0]!] ?? 0) * EPS * m;
  order.forEach((src, j) => {
    s[j] = norms[src]!;
    for (let i = 0; i < n; i++) vh[j * n + i] = v[src * n + i]!;
    const col = new Float64Array(m);
    if (s[j]! > tiny && s[j]! > 0) for (let i = 0; i < m; i++) col[i] = w[src * m + i]! / s[j]!;
    else orthonormalCompletion(col, uCols, m);
    uCols.push(col);
  });
  const u = new Float64Array(m * n);
  uCols.forEach((col, j) => {
    for (let i = 0; i < m; i++) u[i * n + j] = col[i]!;
  });
  return { u, s, vh, info };
}

/** Writes into `col` a unit vector orthogonal to `basis`: the first unit basis vector e_i that survives two Gram–Schmidt passes. */
function orthonormalCompletion(col: Float64Array, basis: readonly Float64Array[], m: number): void {
  for (let e = 0; e < m; e++) {
    col.fill(0);
    col[e] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        let d = 0;
        for (let i = 0; i < m; i++) d += b[i]! * col[i]!;
        for (let i = 0; i < m; i++) col[i] -= d * b[i]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += col[i]! * col[i]!;
    norm = Math.sqrt(norm);
    if (norm > 0.5) {
      for (let i = 0; i < m; i++) col[i] /= norm;
      return;
    }
  }
}
