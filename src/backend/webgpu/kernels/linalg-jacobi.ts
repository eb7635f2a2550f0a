/**
 * WGSL of the Jacobi factorisations (`linalg.ts` dispatches them): the
 * symmetric eigendecomposition (two-sided Jacobi) and the SVD (one-sided
 * Jacobi, Hestenes), one workgroup per matrix.
 *
 * The CPU kernels (`../../linalg.ts`, Jacobi below n = 32) rotate one pair
 * at a time, in cyclic order. Here each sweep is N−1 rounds of the round-robin ordering (N = n
 * rounded up to even): a round's N/2 pairs are disjoint, so their rotations
 * run at once (Brent–Luk). The rotation formulas, the skip thresholds and the
 * final orderings (eigenvalues ascending, singular values descending, ties
 * by index; U completed by Gram–Schmidt on e_i where S is negligible) are
 * the CPU kernels'; the rotation order differs, so an eigenvector or a
 * singular pair may come out with the opposite sign (neither kernel fixes
 * signs: LAPACK's are arbitrary too) and values agree to float32 rounding.
 */
import { WG, bindings, entry } from './linalg-wgsl.js';

/** Sweeps before giving up (info 1), as the CPU kernels. */
const MAX_SWEEPS = 80;
const EPS32 = '1.1920928955078125e-7';

/** Pair `k` of round `r` of the round-robin ordering of `nn` (even) indices, as (low, high). */
const PAIR = `fn pair(r: u32, k: u32, nn: u32) -> vec2<u32> {
  let m = nn - 1u;
  let i = (r + k) % m;
  let j = select((r + m - k) % m, m, k == 0u);
  return vec2<u32>(min(i, j), max(i, j));
}
// The rotation (c, s) zeroing apq of [[app, apq], [apq, aqq]] (t = 1/(2θ) past θ² overflowing).
fn rotation(app: f32, aqq: f32, apq: f32) -> vec2<f32> {
  let theta = (aqq - app) / (2.0 * apq);
  var t = 0.5 / theta;
  if (abs(theta) < 1e18) { t = select(-1.0, 1.0, theta >= 0.0) / (abs(theta) + sqrt(theta * theta + 1.0)); }
  let c = 1.0 / sqrt(t * t + 1.0);
  return vec2<f32>(c, t * c);
}
var<workgroup> rotated: atomic<u32>;
var<workgroup> done: u32;`;

/**
 * Eigenvalues ascending and eigenvectors (columns) of the symmetric matrix
 * whose lower triangle `a` holds (n×n, destroyed); `v` is n×n work, `rs`
 * 2·n+2 words per matrix (the round's rotations, then the ranks). Each round:
 * thread per pair computes its rotation (or zeroes a negligible apq, as the
 * CPU), then rows p, q of A, then columns p, q of A and V (apq, aqp set to
 * their exact 0). Params: 1 n.
 */
export const EIGH = `${bindings(['a', 'v', 'values', 'vectors', 'rs', 'info'], ['f32', 'f32', 'f32', 'f32', 'f32', 'i32'])}
${PAIR}
${entry()}
  let n = pu(1u);
  let ab = b * n * n;
  let sb = b * (2u * n + 2u);
  let nn = n + (n & 1u);
  let half = nn / 2u;
  for (var e = lid; e < n * n; e = e + ${WG}u) {
    let i = e / n;
    let c = e % n;
    if (c > i) { a[ab + e] = a[ab + c * n + i]; }
    v[ab + e] = select(0.0, 1.0, i == c);
  }
  storageBarrier();
  var converged = false;
  for (var sweep = 0u; sweep < ${MAX_SWEEPS}u; sweep = sweep + 1u) {
    if (lid == 0u) { atomicStore(&rotated, 0u); }
    workgroupBarrier();
    for (var round = 0u; round + 1u < nn; round = round + 1u) {
      for (var kk = lid; kk < half; kk = kk + ${WG}u) {
        let pq = pair(round, kk, nn);
        var cs = vec2<f32>(1.0, 0.0);
        if (pq.y < n) {
          let apq = a[ab + pq.x * n + pq.y];
          let app = a[ab + pq.x * n + pq.x];
          let aqq = a[ab + pq.y * n + pq.y];
          if (apq == 0.0 || abs(apq) <= 0.5 * ${EPS32} * sqrt(abs(app * aqq))) {
            a[ab + pq.x * n + pq.y] = 0.0;
            a[ab + pq.y * n + pq.x] = 0.0;
          } else {
            atomicStore(&rotated, 1u);
            cs = rotation(app, aqq, apq);
          }
        }
        rs[sb + 2u * kk] = cs.x;
        rs[sb + 2u * kk + 1u] = cs.y;
      }
      storageBarrier();
      for (var e = lid; e < half * n; e = e + ${WG}u) {
        let kk = e / n;
        let r = e % n;
        let pq = pair(round, kk, nn);
        let s = rs[sb + 2u * kk + 1u];
        if (pq.y < n && s != 0.0) {
          let c = rs[sb + 2u * kk];
          let x = a[ab + pq.x * n + r];
          let y = a[ab + pq.y * n + r];
          a[ab + pq.x * n + r] = c * x - s * y;
          a[ab + pq.y * n + r] = s * x + c * y;
        }
      }
      storageBarrier();
      for (var e = lid; e < half * n; e = e + ${WG}u) {
        let kk = e / n;
        let r = e % n;
        let pq = pair(round, kk, nn);
        let s = rs[sb + 2u * kk + 1u];
        if (pq.y < n && s != 0.0) {
          let c = rs[sb + 2u * kk];
          let x = a[ab + r * n + pq.x];
          let y = a[ab + r * n + pq.y];
          a[ab + r * n + pq.x] = select(c * x - s * y, 0.0, r == pq.y);
          a[ab + r * n + pq.y] = select(s * x + c * y, 0.0, r == pq.x);
          let vx = v[ab + r * n + pq.x];
          let vy = v[ab + r * n + pq.y];
          v[ab + r * n + pq.x] = c * vx - s * vy;
          v[ab + r * n + pq.y] = s * vx + c * vy;
        }
      }
      storageBarrier();
    }
    workgroupBarrier();
    if (lid == 0u) { done = select(0u, 1u, atomicLoad(&rotated) == 0u); }
    if (workgroupUniformLoad(&done) != 0u) {
      converged = true;
      break;
    }
  }
  // Ranks: ascending, ties by index (a stable sort).
  for (var i = lid; i < n; i = i + ${WG}u) {
    let d = a[ab + i * n + i];
    var rank = 0u;
    for (var j = 0u; j < n; j = j + 1u) {
      let o = a[ab + j * n + j];
      if (o < d || (o == d && j < i)) { rank = rank + 1u; }
    }
    rs[sb + i] = bitcast<f32>(min(rank, n - 1u));
    values[b * n + min(rank, n - 1u)] = d;
  }
  storageBarrier();
  for (var e = lid; e < n * n; e = e + ${WG}u) {
    let r = e / n;
    let src = e % n;
    vectors[ab + r * n + bitcast<u32>(rs[sb + src])] = v[ab + r * n + src];
  }
  if (lid == 0u) { info[b] = select(1, 0, converged); }
}`;

/**
 * The SVD of a tall R×C matrix (R ≥ C; a wide one arrives transposed) whose
 * columns `w` holds contiguously (destroyed). `v` (C×C work) holds V's
 * columns as rows; `nrm` 2·C words per matrix (norms, then the order).
 * Each round: thread per pair computes its two columns' dot products and
 * rotates them (and V's) unless already orthogonal (the CPU's test, with a
 * threshold of R·eps: a float32 dot product of R terms is only that exact).
 * Outputs: `wo` gets U's columns (W's, normalised), `so` S, `vo` V's; where
 * they go (`U` or `Vh`, transposed or not) is params 3 (wide).
 * Params: 1 R, 2 C, 3 wide (0: U[i][j] = i·C + j and Vh[j][i] = j·C + i; 1:
 * the W side is Vh[j][i] = j·R + i and the V side U[i][j] = i·C + j).
 */
export const SVD = `${bindings(['w', 'v', 'wo', 'so', 'vo', 'nrm', 'info'], ['f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'i32'])}
${PAIR}
fn wIdx(i: u32, j: u32, rr: u32, cc: u32, wide: bool) -> u32 { return select(i * cc + j, j * rr + i, wide); }
${entry()}
  let rr = pu(1u);
  let cc = pu(2u);
  let wide = pu(3u) != 0u;
  let wb = b * rr * cc;
  let vb = b * cc * cc;
  let nb = b * 2u * cc;
  let nn = cc + (cc & 1u);
  let half = nn / 2u;
  let tol = f32(rr) * ${EPS32};
  for (var e = lid; e < cc * cc; e = e + ${WG}u) { v[vb + e] = select(0.0, 1.0, e / cc == e % cc); }
  storageBarrier();
  var converged = false;
  for (var sweep = 0u; sweep < ${MAX_SWEEPS}u; sweep = sweep + 1u) {
    if (lid == 0u) { atomicStore(&rotated, 0u); }
    workgroupBarrier();
    for (var round = 0u; round + 1u < nn; round = round + 1u) {
      for (var kk = lid; kk < half; kk = kk + ${WG}u) {
        let pq = pair(round, kk, nn);
        if (pq.y >= cc) { continue; }
        let p = wb + pq.x * rr;
        let q = wb + pq.y * rr;
        var alpha = 0.0;
        var beta = 0.0;
        var gamma = 0.0;
        for (var i = 0u; i < rr; i = i + 1u) {
          let x = w[p + i];
          let y = w[q + i];
          alpha = alpha + x * x;
          beta = beta + y * y;
          gamma = gamma + x * y;
        }
        if (gamma == 0.0 || abs(gamma) <= tol * sqrt(alpha * beta)) { continue; }
        atomicStore(&rotated, 1u);
        let cs = rotation(alpha, beta, gamma);
        for (var i = 0u; i < rr; i = i + 1u) {
          let x = w[p + i];
          let y = w[q + i];
          w[p + i] = cs.x * x - cs.y * y;
          w[q + i] = cs.y * x + cs.x * y;
        }
        let vp = vb + pq.x * cc;
        let vq = vb + pq.y * cc;
        for (var i = 0u; i < cc; i = i + 1u) {
          let x = v[vp + i];
          let y = v[vq + i];
          v[vp + i] = cs.x * x - cs.y * y;
          v[vq + i] = cs.y * x + cs.x * y;
        }
      }
      storageBarrier();
    }
    workgroupBarrier();
    if (lid == 0u) { done = select(0u, 1u, atomicLoad(&rotated) == 0u); }
    if (workgroupUniformLoad(&done) != 0u) {
      converged = true;
      break;
    }
  }
  for (var j = lid; j < cc; j = j + ${WG}u) {
    var s = 0.0;
    for (var i = 0u; i < rr; i = i + 1u) { let x = w[wb + j * rr + i]; s = s + x * x; }
    nrm[nb + j] = sqrt(s);
  }
  storageBarrier();
  // Ranks: descending, ties by index (a stable sort); nrm[C + rank] = the column.
  for (var j = lid; j < cc; j = j + ${WG}u) {
    let d = nrm[nb + j];
    var rank = 0u;
    for (var i = 0u; i < cc; i = i + 1u) {
      let o = nrm[nb + i];
      if (o > d || (o == d && i < j)) { rank = rank + 1u; }
    }
    nrm[nb + cc + min(rank, cc - 1u)] = bitcast<f32>(j);
  }
  storageBarrier();
  let tiny = nrm[nb + bitcast<u32>(nrm[nb + cc])] * ${EPS32} * f32(rr);
  let ub = b * rr * cc;
  for (var e = lid; e < cc * rr; e = e + ${WG}u) {
    let j = e / rr;
    let i = e % rr;
    let src = bitcast<u32>(nrm[nb + cc + j]);
    let s = nrm[nb + src];
    if (s > tiny && s > 0.0) { wo[ub + wIdx(i, j, rr, cc, wide)] = w[wb + src * rr + i] / s; }
  }
  for (var e = lid; e < cc * cc; e = e + ${WG}u) {
    let j = e / cc;
    let i = e % cc;
    let src = bitcast<u32>(nrm[nb + cc + j]);
    vo[vb + select(j * cc + i, i * cc + j, wide)] = v[vb + src * cc + i];
  }
  for (var j = lid; j < cc; j = j + ${WG}u) { so[b * cc + j] = nrm[nb + bitcast<u32>(nrm[nb + cc + j])]; }
  storageBarrier();
  // U's columns where S is negligible: the first e_i that survives two Gram–Schmidt passes against the columns before.
  if (lid == 0u) {
    for (var j = 0u; j < cc; j = j + 1u) {
      let s = nrm[nb + bitcast<u32>(nrm[nb + cc + j])];
      if (s > tiny && s > 0.0) { continue; }
      for (var unit = 0u; unit < rr; unit = unit + 1u) {
        for (var i = 0u; i < rr; i = i + 1u) { wo[ub + wIdx(i, j, rr, cc, wide)] = select(0.0, 1.0, i == unit); }
        for (var sweep2 = 0u; sweep2 < 2u; sweep2 = sweep2 + 1u) {
          for (var c = 0u; c < j; c = c + 1u) {
            var d = 0.0;
            for (var i = 0u; i < rr; i = i + 1u) { d = d + wo[ub + wIdx(i, c, rr, cc, wide)] * wo[ub + wIdx(i, j, rr, cc, wide)]; }
            for (var i = 0u; i < rr; i = i + 1u) { wo[ub + wIdx(i, j, rr, cc, wide)] = wo[ub + wIdx(i, j, rr, cc, wide)] - d * wo[ub + wIdx(i, c, rr, cc, wide)]; }
          }
        }
        var norm = 0.0;
        for (var i = 0u; i < rr; i = i + 1u) { let x = wo[ub + wIdx(i, j, rr, cc, wide)]; norm = norm + x * x; }
        norm = sqrt(norm);
        if (norm > 0.5) {
          for (var i = 0u; i < rr; i = i + 1u) { wo[ub + wIdx(i, j, rr, cc, wide)] = wo[ub + wIdx(i, j, rr, cc, wide)] / norm; }
          break;
        }
      }
    }
    info[b] = select(1, 0, converged);
  }
}`;
