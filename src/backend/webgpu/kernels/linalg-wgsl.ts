/**
 * WGSL of the direct factorisations (`linalg.ts` dispatches them): Cholesky,
 * triangular solves, LU with partial pivoting (solve, and sign/log|det|/det)
 * and Householder QR. One workgroup of `WG` threads per matrix (the batch
 * index is the workgroup's, over a 2-D grid); the matrix lives in a float32
 * storage buffer, updated in place column by column with barriers between
 * the steps. The steps that are sequential by nature (a pivot search, a
 * reflector's norm) run on thread 0. Each mirrors the CPU kernel of
 * `../../linalg.ts` operation by operation where the order is free, so the
 * float32 results differ from it only by float32 rounding.
 *
 * Parameter words: 0 the batch count, then the sizes of each kernel.
 */
import { MATH, paramsDecl } from '../wgsl.js';

/** Threads per workgroup (one workgroup per matrix). */
export const WG = 64;

/** The entry point's header: `b` is the matrix, `lid` the thread; workgroups past the batch return (uniformly). */
export function entry(): string {
  return `@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = wid.y * nwg.x + wid.x;
  if (b >= pu(0u)) { return; }`;
}

/** `storage` bindings `names` (all read_write: the kernels update in place) and the parameter block after them. */
export function bindings(names: readonly string[], types: readonly string[] = []): string {
  const decls = names.map((n, i) => `@group(0) @binding(${i}) var<storage, read_write> ${n}: array<${types[i] ?? 'f32'}>;`);
  return `${decls.join('\n')}\n${paramsDecl(names.length)}\n${MATH}`;
}

/**
 * Cholesky, lower, in place (`a` holds A, then L with a zero upper triangle;
 * `info[b]` the order of the first leading minor that is not positive, the
 * whole matrix NaN then). Params: 1 n.
 */
export const CHOLESKY = `${bindings(['a', 'info'], ['f32', 'i32'])}
var<workgroup> fail: u32;
${entry()}
  let n = pu(1u);
  let base = b * n * n;
  var first = 0u;
  for (var j = 0u; j < n; j = j + 1u) {
    var d = a[base + j * n + j];
    for (var k = 0u; k < j; k = k + 1u) { let l = a[base + j * n + k]; d = d - l * l; }
    let ljj = sqrt_(d);
    if (lid == 0u && first == 0u && !(d > 0.0)) { first = j + 1u; }
    // Every thread has read A[j][j] before thread 0 replaces it by L[j][j].
    storageBarrier();
    if (lid == 0u) { a[base + j * n + j] = ljj; }
    for (var i = j + 1u + lid; i < n; i = i + ${WG}u) {
      var s = a[base + i * n + j];
      for (var k = 0u; k < j; k = k + 1u) { s = s - a[base + i * n + k] * a[base + j * n + k]; }
      a[base + i * n + j] = s / ljj;
    }
    storageBarrier();
  }
  if (lid == 0u) { fail = first; info[b] = i32(first); }
  workgroupBarrier();
  let bad = fail != 0u;
  for (var e = lid; e < n * n; e = e + ${WG}u) {
    if (bad) { a[base + e] = nan_(); } else if (e % n > e / n) { a[base + e] = 0.0; }
  }
}`;

/**
 * Back (upper) or forward (lower) substitution of the n×k block `x` in
 * place with the triangle of the n×n `a` at `ab`: a column sweep, each
 * step dividing row j by the diagonal and eliminating it from the rows left.
 */
function substitution(upper: string, unit: string): string {
  return `  for (var t = 0u; t < n; t = t + 1u) {
    let j = select(t, n - 1u - t, ${upper});
    if (!(${unit})) {
      let d = a[ab + j * n + j];
      for (var c = lid; c < k; c = c + ${WG}u) { x[xb + j * k + c] = x[xb + j * k + c] / d; }
    }
    storageBarrier();
    let left = n - 1u - t;
    for (var e = lid; e < left * k; e = e + ${WG}u) {
      let r = e / k;
      let c = e % k;
      let i = select(j + 1u + r, r, ${upper});
      x[xb + i * k + c] = x[xb + i * k + c] - a[ab + i * n + j] * x[xb + j * k + c];
    }
    storageBarrier();
  }`;
}

/** `X` with `A X = B` for triangular A (`x` holds B, then X). Params: 1 n, 2 k, 3 upper, 4 unit diagonal. */
export const TRIANGULAR = `${bindings(['a', 'x'])}
${entry()}
  let n = pu(1u);
  let k = pu(2u);
  let ab = b * n * n;
  let xb = b * n * k;
${substitution('pu(3u) != 0u', 'pu(4u) != 0u')}
}`;

/**
 * LU with partial pivoting in place, continued past zero pivots as LAPACK's
 * getrf (`info[b]`: the first exactly zero pivot, 1-based). With `rhs`,
 * the same row operations run on `x` (B) and a back substitution with U
 * finishes X = A⁻¹B; without, thread 0 writes sign, log|det| and det.
 * Params: 1 n, 2 k (rhs columns).
 */
export function luCode(rhs: boolean): string {
  const names = rhs ? ['a', 'x', 'info'] : ['a', 'sgn', 'logabs', 'det', 'info'];
  const types = rhs ? ['f32', 'f32', 'i32'] : ['f32', 'f32', 'f32', 'f32', 'i32'];
  return `${bindings(names, types)}
var<workgroup> piv: u32;
${entry()}
  let n = pu(1u);
  let k = pu(2u);
  let ab = b * n * n;
  let xb = b * n * k;
  var parity = 1.0;
  var first = 0u;
  for (var j = 0u; j < n; j = j + 1u) {
    if (lid == 0u) {
      var p = j;
      var best = abs(a[ab + j * n + j]);
      for (var i = j + 1u; i < n; i = i + 1u) {
        let v = abs(a[ab + i * n + j]);
        if (v > best) { best = v; p = i; }
      }
      piv = p;
      if (p != j) { parity = -parity; }
    }
    workgroupBarrier();
    let p = piv;
    if (p != j) {
      for (var c = lid; c < n; c = c + ${WG}u) {
        let t = a[ab + j * n + c];
        a[ab + j * n + c] = a[ab + p * n + c];
        a[ab + p * n + c] = t;
      }
${rhs ? `      for (var c = lid; c < k; c = c + ${WG}u) {
        let t = x[xb + j * k + c];
        x[xb + j * k + c] = x[xb + p * k + c];
        x[xb + p * k + c] = t;
      }` : ''}
    }
    storageBarrier();
    let pivot = a[ab + j * n + j];
    if (pivot == 0.0) {
      if (lid == 0u && first == 0u) { first = j + 1u; }
    } else {
      for (var i = j + 1u + lid; i < n; i = i + ${WG}u) { a[ab + i * n + j] = a[ab + i * n + j] / pivot; }
    }
    storageBarrier();
    let w = n - 1u - j;
    if (pivot != 0.0) {
      for (var e = lid; e < w * w; e = e + ${WG}u) {
        let i = j + 1u + e / w;
        let c = j + 1u + e % w;
        let f = a[ab + i * n + j];
        if (f != 0.0) { a[ab + i * n + c] = a[ab + i * n + c] - f * a[ab + j * n + c]; }
      }
    }
${rhs ? `    // The forward substitution with the unit L, interleaved (as the CPU's, zero factors included).
    for (var e = lid; e < w * k; e = e + ${WG}u) {
      let i = j + 1u + e / k;
      let c = e % k;
      x[xb + i * k + c] = x[xb + i * k + c] - a[ab + i * n + j] * x[xb + j * k + c];
    }` : ''}
    storageBarrier();
  }
${rhs ? substitution('true', 'false') : `  if (lid == 0u) {
    var s = parity;
    var la = 0.0;
    var d = parity;
    for (var i = 0u; i < n; i = i + 1u) {
      let u = a[ab + i * n + i];
      s = select(s * select(select(0.0, -1.0, u < 0.0), 1.0, u > 0.0), nan_(), isnan_(u));
      la = la + log_(abs_(u));
      d = d * u;
    }
    sgn[b] = select(s, 0.0, s == 0.0);
    logabs[b] = la;
    det[b] = d;
  }`}
  if (lid == 0u) { info[b] = i32(first); }
}`;
}

/**
 * Householder QR as LAPACK's geqrf + orgqr (the CPU kernel's signs): `r`
 * (m×n) is reduced in place, reflector j's vector stored below the diagonal
 * (v_j = 1 implied) and its tau in `taus`; then `q` (m×k) is built from
 * the identity backwards and `ro` (k×n) gets the upper triangle.
 * Params: 1 m, 2 n, 3 k.
 */
export const QR = `${bindings(['r', 'q', 'ro', 'taus'])}
fn hypot_(x: f32, y: f32) -> f32 {
  let s = max(abs(x), abs(y));
  if (s == 0.0) { return 0.0; }
  let u = x / s;
  let v = y / s;
  return s * sqrt(u * u + v * v);
}
${entry()}
  let m = pu(1u);
  let n = pu(2u);
  let kk = pu(3u);
  let rb = b * m * n;
  let qb = b * m * kk;
  let ob = b * kk * n;
  let tb = b * kk;
  for (var j = 0u; j < kk; j = j + 1u) {
    if (lid == 0u) {
      let alpha = r[rb + j * n + j];
      var scale = 0.0;
      for (var i = j + 1u; i < m; i = i + 1u) { scale = max(scale, abs(r[rb + i * n + j])); }
      var xnorm = 0.0;
      if (scale > 0.0) {
        var ss = 0.0;
        for (var i = j + 1u; i < m; i = i + 1u) { let t = r[rb + i * n + j] / scale; ss = ss + t * t; }
        xnorm = scale * sqrt(ss);
      }
      var tau = 0.0;
      if (xnorm != 0.0) {
        let beta = -select(-1.0, 1.0, alpha >= 0.0) * hypot_(alpha, xnorm);
        tau = (beta - alpha) / beta;
        for (var i = j + 1u; i < m; i = i + 1u) { r[rb + i * n + j] = r[rb + i * n + j] / (alpha - beta); }
        r[rb + j * n + j] = beta;
      }
      taus[tb + j] = tau;
    }
    storageBarrier();
    let tau = taus[tb + j];
    if (tau != 0.0) {
      for (var c = j + 1u + lid; c < n; c = c + ${WG}u) {
        var w = r[rb + j * n + c];
        for (var i = j + 1u; i < m; i = i + 1u) { w = w + r[rb + i * n + j] * r[rb + i * n + c]; }
        w = w * tau;
        if (w != 0.0) {
          r[rb + j * n + c] = r[rb + j * n + c] - w;
          for (var i = j + 1u; i < m; i = i + 1u) { r[rb + i * n + c] = r[rb + i * n + c] - w * r[rb + i * n + j]; }
        }
      }
    }
    storageBarrier();
  }
  for (var e = lid; e < m * kk; e = e + ${WG}u) { q[qb + e] = select(0.0, 1.0, e / kk == e % kk); }
  for (var e = lid; e < kk * n; e = e + ${WG}u) {
    let i = e / n;
    let c = e % n;
    ro[ob + e] = select(0.0, r[rb + i * n + c], c >= i);
  }
  storageBarrier();
  for (var t = 0u; t < kk; t = t + 1u) {
    let j = kk - 1u - t;
    let tau = taus[tb + j];
    if (tau != 0.0) {
      for (var c = lid; c < kk; c = c + ${WG}u) {
        var w = q[qb + j * kk + c];
        for (var i = j + 1u; i < m; i = i + 1u) { w = w + r[rb + i * n + j] * q[qb + i * kk + c]; }
        w = w * tau;
        if (w != 0.0) {
          q[qb + j * kk + c] = q[qb + j * kk + c] - w;
          for (var i = j + 1u; i < m; i = i + 1u) { q[qb + i * kk + c] = q[qb + i * kk + c] - w * r[rb + i * n + j]; }
        }
      }
    }
    storageBarrier();
  }
}`;
