/**
 * The O(n³) symmetric eigendecomposition and SVD of the CPU backends for
 * larger matrices (`linalg.ts` keeps cyclic Jacobi below `DIRECT_MIN`):
 * - eigh: Householder tridiagonalisation `A = Q T Qᵀ`, then implicit QL
 *   iterations with Wilkinson-type shifts on T, the rotations accumulated
 *   into Qᵀ (rows: eigenvectors);
 * - svd: Householder bidiagonalisation `A = U B Vᵀ` (LAPACK's gebrd
 *   reflectors), then Golub–Kahan implicit-shift QR sweeps on B, the
 *   rotations accumulated into Uᵀ and Vᵀ; zero diagonal entries are chased
 *   out before a sweep, as Golub–Van Loan's algorithm 8.6.2.
 * Both work on row-major float64 arrays and keep every transform orthogonal,
 * so U and V are orthonormal even where S has zeros (no completion needed).
 * Signs are whatever the transforms give, as LAPACK's (and Jacobi's).
 */

const EPS = 2.220446049250313e-16;
/** Iterations per eigen/singular value before giving up (info 1). */
const MAX_ITER = 60;

/**
 * The reflector `I − tau·v·vᵀ` (v[0] = 1) mapping `x = a[at + k·step]`, k < len,
 * onto `beta·e_0`, as LAPACK's dlarfg: writes v[1..] over x[1..] and returns
 * [tau, beta] (tau 0, beta = x[0] when x[1..] is zero).
 */
function reflector(a: Float64Array, at: number, step: number, len: number): [number, number] {
  const alpha = a[at]!;
  let scale = 0;
  for (let k = 1; k < len; k++) scale = Math.max(scale, Math.abs(a[at + k * step]!));
  if (scale === 0 || Number.isNaN(scale)) return scale === 0 ? [0, alpha] : [NaN, NaN];
  let ss = 0;
  for (let k = 1; k < len; k++) {
    const t = a[at + k * step]! / scale;
    ss += t * t;
  }
  const xnorm = scale * Math.sqrt(ss);
  const beta = -(alpha >= 0 ? 1 : -1) * Math.hypot(alpha, xnorm);
  const f = 1 / (alpha - beta);
  for (let k = 1; k < len; k++) a[at + k * step] *= f;
  a[at] = beta;
  return [(beta - alpha) / beta, beta];
}

/**
 * `X ← X·H` for rows `r0..rows` of the row-major `X` (row length `ld`), H the
 * reflector with v over columns `c0..c0+len` (v[0] = 1, the rest at
 * `v[vat + k·vstep]`). Building Qᵀ = H_last ⋯ H_0 from the identity, the rows
 * before a reflector's first column are still unit vectors it leaves alone.
 */
function applyRight(x: Float64Array, ld: number, r0: number, rows: number, c0: number, len: number, tau: number, v: Float64Array, vat: number, vstep: number): void {
  if (tau === 0) return;
  for (let r = r0; r < rows; r++) {
    const row = r * ld + c0;
    let w = x[row]!;
    for (let k = 1; k < len; k++) w += x[row + k]! * v[vat + k * vstep]!;
    w *= tau;
    if (w === 0) continue;
    x[row] -= w;
    for (let k = 1; k < len; k++) x[row + k] -= w * v[vat + k * vstep]!;
  }
}

/** Rotates rows `i` and `j` (length `len`) of `x`: `rᵢ ← c·rᵢ + s·rⱼ`, `rⱼ ← c·rⱼ − s·rᵢ`. */
function rotateRows(x: Float64Array, len: number, i: number, j: number, c: number, s: number): void {
  const a = i * len;
  const b = j * len;
  for (let k = 0; k < len; k++) {
    const p = x[a + k]!;
    const q = x[b + k]!;
    x[a + k] = c * p + s * q;
    x[b + k] = c * q - s * p;
  }
}

/**
 * Eigenvalues (unsorted) and eigenvectors (rows of the returned `zt`) of the
 * symmetric n×n matrix whose lower triangle `a` holds (destroyed).
 *
 * @example
 * tridiagonalEigh(Float64Array.from([2, 1, 1, 2]), 2).d; // [1, 3] (in some order)
 */
export function tridiagonalEigh(a: Float64Array, n: number): { d: Float64Array; zt: Float64Array; info: number } {
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[i * n + j] = a[j * n + i]!;
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const taus = new Float64Array(n);
  const p = new Float64Array(n);
  const vec = new Float64Array(n);
  // Householder: column k below the subdiagonal onto e_{k+1}; A22 ← H A22 H = A22 − v wᵀ − w vᵀ.
  for (let k = 0; k + 2 < n; k++) {
    const [tau, beta] = reflector(a, (k + 1) * n + k, n, n - k - 1);
    taus[k] = tau;
    e[k] = beta;
    if (tau === 0) continue;
    vec[k + 1] = 1;
    for (let i = k + 2; i < n; i++) vec[i] = a[i * n + k]!;
    let pv = 0;
    for (let i = k + 1; i < n; i++) {
      let s = 0;
      for (let j = k + 1; j < n; j++) s += a[i * n + j]! * vec[j]!;
      p[i] = tau * s;
      pv += p[i]! * vec[i]!;
    }
    const half = 0.5 * tau * pv;
    for (let i = k + 1; i < n; i++) p[i] -= half * vec[i]!;
    for (let i = k + 1; i < n; i++) {
      const vi = vec[i]!;
      const wi = p[i]!;
      const row = i * n;
      for (let j = k + 1; j < n; j++) a[row + j] -= vi * p[j]! + wi * vec[j]!;
    }
  }
  for (let k = 0; k < n; k++) d[k] = a[k * n + k]!;
  if (n >= 2) e[n - 2] = a[(n - 1) * n + n - 2]!;
  // Qᵀ = H_{n−3} ⋯ H_0: the identity times each reflector from the right, last first.
  const zt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) zt[i * n + i] = 1;
  for (let k = n - 3; k >= 0; k--) applyRight(zt, n, k + 1, n, k + 1, n - k - 1, taus[k]!, a, (k + 1) * n + k, n);
  const info = tql(d, e, zt, n);
  return { d, zt, info };
}

/**
 * Implicit QL on the symmetric tridiagonal (d, e: e[i] couples i and i+1),
 * each rotation of rows (i, i+1) applied to `zt` too. Returns 0, or 1 when
 * some eigenvalue took more than MAX_ITER iterations.
 */
function tql(d: Float64Array, e: Float64Array, zt: Float64Array, n: number): number {
  let info = 0;
  if (n > 0) e[n - 1] = 0;
  for (let l = 0; l < n; l++) {
    for (let iter = 0; ; iter++) {
      let m = l;
      while (m < n - 1 && !(Math.abs(e[m]!) <= EPS * (Math.abs(d[m]!) + Math.abs(d[m + 1]!)))) m++;
      if (m === l) break;
      if (iter === MAX_ITER) {
        info = 1;
        break;
      }
      // The shift: the eigenvalue of the leading 2×2 closer to d[l].
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
      let r = Math.hypot(g, 1);
      g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let shift = 0;
      let deflated = false;
      for (let i = m - 1; i >= l; i--) {
        const f = s * e[i]!;
        const b = c * e[i]!;
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // Underflow: the block splits at i+1.
          d[i + 1] -= shift;
          e[m] = 0;
          deflated = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1]! - shift;
        r = (d[i]! - g) * s + 2 * c * b;
        shift = s * r;
        d[i + 1] = g + shift;
        g = c * r - b;
        // Z ← Z·G on columns (i, i+1): rows of Zᵀ.
        rotateRows(zt, n, i, i + 1, c, -s);
      }
      if (deflated) continue;
      d[l] -= shift;
      e[l] = g;
      e[m] = 0;
    }
  }
  return info;
}

/**
 * The SVD of the tall (m ≥ n) row-major `a` (destroyed): unsorted singular
 * values `s` (≥ 0), `ut` (n×m, rows: U's columns) and `vt` (n×n, rows: V's
 * columns, i.e. Vh's rows).
 *
 * @example
 * golubKahanSvd(Float64Array.from([3, 0, 0, -4]), 2, 2).s; // [3, 4]
 */
export function golubKahanSvd(a: Float64Array, m: number, n: number): { s: Float64Array; ut: Float64Array; vt: Float64Array; info: number } {
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const tauL = new Float64Array(n);
  const tauR = new Float64Array(n);
  const w = new Float64Array(Math.max(m, n));
  for (let k = 0; k < n; k++) {
    // Left: column k from row k down onto e_k; then the rest of rows k.. (columns k+1..).
    const [tl, bl] = reflector(a, k * n + k, n, m - k);
    tauL[k] = tl;
    d[k] = bl;
    if (tl !== 0) {
      w.fill(0, k + 1, n);
      for (let i = k; i < m; i++) {
        const vi = i === k ? 1 : a[i * n + k]!;
        for (let c = k + 1; c < n; c++) w[c] += vi * a[i * n + c]!;
      }
      for (let i = k; i < m; i++) {
        const f = tl * (i === k ? 1 : a[i * n + k]!);
        if (f !== 0) for (let c = k + 1; c < n; c++) a[i * n + c] -= f * w[c]!;
      }
    }
    if (k + 1 >= n) continue;
    // Right: row k from column k+1 on onto e_{k+1}; then rows k+1.. .
    const [tr, br] = reflector(a, k * n + k + 1, 1, n - k - 1);
    tauR[k] = tr;
    e[k] = br;
    if (tr !== 0) applyRightRows(a, n, k + 1, m, k + 1, n - k - 1, tr, k * n + k + 1);
  }
  // Uᵀ = [I 0] H_{n−1} ⋯ H_0 and Vᵀ = G_{n−3} ⋯ G_0, each reflector applied from the right, last first.
  const ut = new Float64Array(n * m);
  for (let i = 0; i < n; i++) ut[i * m + i] = 1;
  for (let k = n - 1; k >= 0; k--) applyRight(ut, m, k, n, k, m - k, tauL[k]!, a, k * n + k, n);
  const vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) vt[i * n + i] = 1;
  for (let k = n - 3; k >= 0; k--) applyRight(vt, n, k + 1, n, k + 1, n - k - 1, tauR[k]!, a, k * n + k + 1, 1);
  const info = bidiagonalQr(d, e, ut, m, vt, n);
  for (let i = 0; i < n; i++) {
    if (d[i]! < 0) {
      d[i] = -d[i]!;
      for (let k = 0; k < n; k++) vt[i * n + k] = -vt[i * n + k]!;
    }
  }
  return { s: d, ut, vt, info };
}

/** Rows `r0..r1` of `a` (row length ld) times the reflector whose v lies in row k of `a` itself (`vat`: v[0], implied 1). */
function applyRightRows(a: Float64Array, ld: number, r0: number, r1: number, c0: number, len: number, tau: number, vat: number): void {
  for (let r = r0; r < r1; r++) {
    const row = r * ld + c0;
    let s = a[row]!;
    for (let k = 1; k < len; k++) s += a[row + k]! * a[vat + k]!;
    s *= tau;
    if (s === 0) continue;
    a[row] -= s;
    for (let k = 1; k < len; k++) a[row + k] -= s * a[vat + k]!;
  }
}

/**
 * Golub–Kahan SVD steps on the upper bidiagonal (d, e: e[i] = B[i][i+1]) until
 * it is diagonal; left rotations go to the rows of `ut` (length m), right
 * ones to the rows of `vt` (length n). Returns 0, or 1 past the iteration cap.
 */
function bidiagonalQr(d: Float64Array, e: Float64Array, ut: Float64Array, m: number, vt: Float64Array, n: number): number {
  let anorm = 0;
  for (let i = 0; i < n; i++) anorm = Math.max(anorm, Math.abs(d[i]!) + Math.abs(e[i]!));
  const tiny = EPS * anorm;
  let iterations = 0;
  for (;;) {
    for (let i = 0; i + 1 < n; i++) if (Math.abs(e[i]!) <= EPS * (Math.abs(d[i]!) + Math.abs(d[i + 1]!))) e[i] = 0;
    let hi = n - 1;
    while (hi > 0 && e[hi - 1] === 0) hi--;
    if (hi === 0) return 0;
    let lo = hi - 1;
    while (lo > 0 && e[lo - 1] !== 0) lo--;
    if (++iterations > MAX_ITER * n) return 1;
    let zero = -1;
    for (let i = lo; i <= hi; i++) {
      if (Math.abs(d[i]!) <= tiny) {
        d[i] = 0;
        zero = i;
        break;
      }
    }
    if (zero >= 0 && zero < hi) {
      // Row `zero` is zero but for e[zero]: chase it right with left rotations of rows (j, zero).
      let x = e[zero]!;
      e[zero] = 0;
      for (let j = zero + 1; j <= hi && x !== 0; j++) {
        const r = Math.hypot(d[j]!, x);
        const c = d[j]! / r;
        const s = x / r;
        d[j] = r;
        rotateRows(ut, m, j, zero, c, s);
        if (j < hi) {
          x = -s * e[j]!;
          e[j] = c * e[j]!;
        }
      }
      continue;
    }
    if (zero === hi) {
      // The last column is zero but for e[hi−1]: chase it up with right rotations of columns (j, hi).
      let x = e[hi - 1]!;
      e[hi - 1] = 0;
      for (let j = hi - 1; j >= lo && x !== 0; j--) {
        const r = Math.hypot(d[j]!, x);
        const c = d[j]! / r;
        const s = x / r;
        d[j] = r;
        rotateRows(vt, n, j, hi, c, s);
        if (j > lo) {
          x = -s * e[j - 1]!;
          e[j - 1] = c * e[j - 1]!;
        }
      }
      continue;
    }
    gkStep(d, e, lo, hi, ut, m, vt, n);
  }
}

/** One implicit-shift Golub–Kahan sweep on the unreduced block lo..hi (Wilkinson shift from BᵀB's trailing 2×2). */
function gkStep(d: Float64Array, e: Float64Array, lo: number, hi: number, ut: Float64Array, m: number, vt: Float64Array, n: number): void {
  const dm = d[hi - 1]!;
  const dn = d[hi]!;
  const em = hi - 1 > lo ? e[hi - 2]! : 0;
  const en = e[hi - 1]!;
  const t11 = dm * dm + em * em;
  const t22 = dn * dn + en * en;
  const t12 = dm * en;
  const delta = (t11 - t22) / 2;
  const mu = t22 - (t12 * t12) / (delta + (delta >= 0 ? 1 : -1) * Math.hypot(delta, t12) || 1);
  let y = d[lo]! * d[lo]! - mu;
  let z = d[lo]! * e[lo]!;
  for (let k = lo; k < hi; k++) {
    // Right rotation of columns (k, k+1) zeroing z in [y z].
    let r = Math.hypot(y, z);
    let c = r === 0 ? 1 : y / r;
    let s = r === 0 ? 0 : z / r;
    if (k > lo) e[k - 1] = r;
    const dk = d[k]!;
    const ek = e[k]!;
    d[k] = c * dk + s * ek;
    e[k] = c * ek - s * dk;
    const bulge = s * d[k + 1]!;
    d[k + 1] = c * d[k + 1]!;
    rotateRows(vt, n, k, k + 1, c, s);
    // Left rotation of rows (k, k+1) zeroing the bulge below the diagonal.
    y = d[k]!;
    z = bulge;
    r = Math.hypot(y, z);
    c = r === 0 ? 1 : y / r;
    s = r === 0 ? 0 : z / r;
    d[k] = r;
    const ek2 = e[k]!;
    e[k] = c * ek2 + s * d[k + 1]!;
    d[k + 1] = c * d[k + 1]! - s * ek2;
    rotateRows(ut, m, k, k + 1, c, s);
    if (k + 1 < hi) {
      y = e[k]!;
      z = s * e[k + 1]!;
      e[k + 1] = c * e[k + 1]!;
    }
  }
}

/**
 * Scales `a` in place by a power of two that brings its largest magnitude
 * into [0.5, 1) (exact, barring denormals) and returns the factor that
 * undoes it: the squares in the shifts neither overflow nor underflow.
 */
function normalise(a: Float64Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]!));
  if (max === 0 || !Number.isFinite(max)) return 1;
  const e = Math.floor(Math.log2(max)) + 1;
  if (e === 0) return 1;
  // 2^−e in two halves: 2^1074 alone would overflow.
  const h = Math.trunc(e / 2);
  const [f1, f2] = [2 ** -h, 2 ** -(e - h)];
  for (let i = 0; i < a.length; i++) a[i] = a[i]! * f1 * f2;
  return 2 ** h * 2 ** (e - h);
}

/** The permutation sorting `x` ascending (or descending), stable. */
function order(x: Float64Array, descending: boolean): number[] {
  return Array.from({ length: x.length }, (_, i) => i).sort((i, j) => (descending ? x[j]! - x[i]! : x[i]! - x[j]!));
}

/**
 * Eigenvalues (ascending) and eigenvectors (columns, row-major n×n) of the
 * symmetric matrix whose lower triangle `a` holds (destroyed).
 *
 * @example
 * directEigh(Float64Array.from([2, 1, 1, 2]), 2).values; // [1, 3]
 */
export function directEigh(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array; info: number } {
  const undo = normalise(a);
  const { d, zt, info } = tridiagonalEigh(a, n);
  for (let i = 0; i < n; i++) d[i] = d[i]! * undo;
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order(d, false).forEach((src, j) => {
    values[j] = d[src]!;
    for (let r = 0; r < n; r++) vectors[r * n + j] = zt[src * n + r]!;
  });
  return { values, vectors, info };
}

/**
 * The reduced SVD `A = U diag(S) Vh` (S descending) of the row-major m×n `a`
 * (destroyed); a wide A goes through Aᵀ.
 *
 * @example
 * directSvd(Float64Array.from([3, 0, 0, -4]), 2, 2).s; // [4, 3]
 */
export function directSvd(a: Float64Array, m: number, n: number): { u: Float64Array; s: Float64Array; vh: Float64Array; info: number } {
  const wide = m < n;
  const [rows, cols] = wide ? [n, m] : [m, n];
  let t = a;
  if (wide) {
    t = new Float64Array(n * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j]!;
  }
  const undo = normalise(t);
  const f = golubKahanSvd(t, rows, cols);
  for (let i = 0; i < cols; i++) f.s[i] = f.s[i]! * undo;
  const k = cols;
  const s = new Float64Array(k);
  const u = new Float64Array(m * k);
  const vh = new Float64Array(k * n);
  order(f.s, true).forEach((src, j) => {
    s[j] = f.s[src]!;
    if (wide) {
      // Aᵀ = U' S V'ᵀ: U = V' (m×m), Vh = U'ᵀ (m×n).
      for (let i = 0; i < m; i++) u[i * k + j] = f.vt[src * cols + i]!;
      for (let i = 0; i < n; i++) vh[j * n + i] = f.ut[src * rows + i]!;
    } else {
      for (let i = 0; i < m; i++) u[i * k + j] = f.ut[src * rows + i]!;
      for (let i = 0; i < n; i++) vh[j * n + i] = f.vt[src * cols + i]!;
    }
  });
  return { u, s, vh, info: f.info };
}
