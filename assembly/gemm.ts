// Matrix products C = A·B (float32 and float64), BLIS style: B is packed into
// panels of NR columns (KC rows deep), A into panels of MR rows, and a register
// micro-kernel of MR×NR accumulators runs over them. Operand strides are free
// (a transposed or broadcast operand is just other strides): packing reads
// them once, the micro-kernel only sees packed, contiguous panels.
//
// Summation order per element of C is fixed (k ascending, KC blocks in order,
// each block continuing the running sum), so splitting C over threads gives
// bit-identical results. float64 uses separate mul and add (no FMA) in that
// order, which is exactly the js backend's order: float64 results are equal.

// Blocking (see TOOLCHAIN.md): KC deep panels, MC rows of A per block.
const KC: i32 = 256;
const MC: i32 = 64;
const NC32: i32 = 1024;
const NC64: i32 = 512;

/** Bytes of the per-thread work area a gemm call needs (packed A, packed B, an edge tile). */
export const GEMM_WORK_BYTES: i32 = MC * KC * 8 + KC * NC32 * 4 + 512;

@inline function madd32(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(c, f32x4.mul(a, b));
  }
}

@inline function madd64(a: v128, b: v128, c: v128): v128 {
  // No FMA in float64: keeps results equal to the js backend's.
  return f64x2.add(c, f64x2.mul(a, b));
}

/**
 * 4×8 float32 micro-kernel: C[4×8] (row stride `ldc` bytes) = (acc ? C : 0) + Σ_p a_p b_pᵀ
 * over packed panels `pa` (4 values per p) and `pb` (8 values per p).
 */
function kernel32(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  if (acc) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc); c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc); c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc); c31 = v128.load(c + 3 * ldc, 16);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd32(a, b0, c00); c01 = madd32(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd32(a, b0, c10); c11 = madd32(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd32(a, b0, c20); c21 = madd32(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd32(a, b0, c30); c31 = madd32(a, b1, c31);
    pa += 16;
    pb += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}

/** 4×4 float64 micro-kernel (two f64x2 per row). */
function kernel64(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, acc: bool): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  if (acc) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc); c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc); c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc); c31 = v128.load(c + 3 * ldc, 16);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load64_splat(pa);
    c00 = madd64(a, b0, c00); c01 = madd64(a, b1, c01);
    a = v128.load64_splat(pa, 8);
    c10 = madd64(a, b0, c10); c11 = madd64(a, b1, c11);
    a = v128.load64_splat(pa, 16);
    c20 = madd64(a, b0, c20); c21 = madd64(a, b1, c21);
    a = v128.load64_splat(pa, 24);
    c30 = madd64(a, b0, c30); c31 = madd64(a, b1, c31);
    pa += 32;
    pb += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}

/**
 * Packs rows [0, mc) × cols [0, kc) of A (element strides sai, sak) into panels
 * of MR rows: panel r holds, for each p, the MR values A[r·MR + i, p] (zero past mc).
 */
function packA<T>(a: usize, sai: i32, sak: i32, mc: i32, kc: i32, dst: usize): void {
  const MR = 4;
  const S = <usize>sizeof<T>();
  let i0 = 0;
  if (sai == 1) {
    // A transposed: the mc values of each p are adjacent. Copied p by p (one
    // contiguous run each, every cache line read once) rather than panel by
    // panel (kc lines at stride sak re-read for every MR rows): W4's Hᵀ·G with
    // N = 10 went from 36 to 32 µs, the bigger transposed-A products ~1% faster.
    const full = mc - mc % MR;
    const step = <usize>sak * S;
    const panel = <usize>kc * MR * S;
    for (let p = 0; p < kc; p++) {
      const q = a + <usize>p * step;
      let d = dst + <usize>p * MR * S;
      for (let i = 0; i < full; i += MR) {
        v128.store(d, v128.load(q + <usize>i * S));
        if (S == 8) v128.store(d, v128.load(q + <usize>i * S, 16), 16);
        d += panel;
      }
    }
    i0 = full;
    dst += <usize>(full / MR) * panel;
  }
  for (; i0 < mc; i0 += MR) {
    const rows = min(MR, mc - i0);
    if (rows == MR && sak == 1) {
      // A row-major: 4 rows × (16 / S) consecutive p are loaded as vectors and transposed.
      const r0 = a + <usize>(i0 * sai) * S;
      const r1 = r0 + <usize>sai * S;
      const r2 = r1 + <usize>sai * S;
      const r3 = r2 + <usize>sai * S;
      const V = 16 / <i32>S; // values of a row per vector: 4 floats or 2 doubles
      let p = 0;
      for (; p + V <= kc; p += V) {
        const off = <usize>p * S;
        const x0 = v128.load(r0 + off);
        const x1 = v128.load(r1 + off);
        const x2 = v128.load(r2 + off);
        const x3 = v128.load(r3 + off);
        if (S == 4) {
          const t0 = f32x4.shuffle(x0, x1, 0, 4, 1, 5);
          const t1 = f32x4.shuffle(x2, x3, 0, 4, 1, 5);
          const t2 = f32x4.shuffle(x0, x1, 2, 6, 3, 7);
          const t3 = f32x4.shuffle(x2, x3, 2, 6, 3, 7);
          v128.store(dst, f64x2.shuffle(t0, t1, 0, 2));
          v128.store(dst, f64x2.shuffle(t0, t1, 1, 3), 16);
          v128.store(dst, f64x2.shuffle(t2, t3, 0, 2), 32);
          v128.store(dst, f64x2.shuffle(t2, t3, 1, 3), 48);
        } else {
          v128.store(dst, f64x2.shuffle(x0, x1, 0, 2));
          v128.store(dst, f64x2.shuffle(x2, x3, 0, 2), 16);
          v128.store(dst, f64x2.shuffle(x0, x1, 1, 3), 32);
          v128.store(dst, f64x2.shuffle(x2, x3, 1, 3), 48);
        }
        dst += 64;
      }
      for (; p < kc; p++) {
        const off = <usize>p * S;
        store<T>(dst, load<T>(r0 + off));
        store<T>(dst + S, load<T>(r1 + off));
        store<T>(dst + 2 * S, load<T>(r2 + off));
        store<T>(dst + 3 * S, load<T>(r3 + off));
        dst += 4 * S;
      }
    } else if (rows == MR) {
      const r0 = a + <usize>(i0 * sai) * S;
      const r1 = r0 + <usize>sai * S;
      const r2 = r1 + <usize>sai * S;
      const r3 = r2 + <usize>sai * S;
      const step = <usize>sak * S;
      let off: usize = 0;
      for (let p = 0; p < kc; p++) {
        store<T>(dst, load<T>(r0 + off));
        store<T>(dst + S, load<T>(r1 + off));
        store<T>(dst + 2 * S, load<T>(r2 + off));
        store<T>(dst + 3 * S, load<T>(r3 + off));
        dst += 4 * S;
        off += step;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let i = 0; i < MR; i++) {
          store<T>(dst + <usize>i * S, i < rows ? load<T>(a + <usize>((i0 + i) * sai + p * sak) * S) : <T>0);
        }
        dst += 4 * S;
      }
    }
  }
}

/**
 * Packs rows [0, kc) × cols [0, nc) of B (element strides sbk, sbj) into panels
 * of NR columns: panel j holds, for each p, the NR values B[p, j·NR + c] (zero past nc).
 */
function packB<T>(b: usize, sbk: i32, sbj: i32, kc: i32, nc: i32, dst: usize): void {
  const S = <usize>sizeof<T>();
  const NR = 32 / <i32>S; // 8 floats or 4 doubles: two v128 per row
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const cols = min(NR, nc - j0);
    const col0 = b + <usize>(j0 * sbj) * S;
    if (cols == NR && sbj == 1) {
      for (let p = 0; p < kc; p++) {
        const src = col0 + <usize>(p * sbk) * S;
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        dst += 32;
      }
    } else if (cols == NR && sbk == 1) {
      // B transposed: columns are contiguous. Groups of 16 / S columns × 16 / S
      // consecutive p are loaded as vectors and transposed into the panel.
      const V = 16 / <i32>S;
      const kv = kc - kc % V;
      for (let c = 0; c < NR; c += V) {
        const s0 = col0 + <usize>(c * sbj) * S;
        const s1 = s0 + <usize>sbj * S;
        const out = dst + <usize>c * S;
        if (S == 4) {
          const s2 = s1 + <usize>sbj * S;
          const s3 = s2 + <usize>sbj * S;
          for (let p = 0; p < kv; p += 4) {
            const off = <usize>p * 4;
            const x0 = v128.load(s0 + off);
            const x1 = v128.load(s1 + off);
            const x2 = v128.load(s2 + off);
            const x3 = v128.load(s3 + off);
            const t0 = f32x4.shuffle(x0, x1, 0, 4, 1, 5);
            const t1 = f32x4.shuffle(x2, x3, 0, 4, 1, 5);
            const t2 = f32x4.shuffle(x0, x1, 2, 6, 3, 7);
            const t3 = f32x4.shuffle(x2, x3, 2, 6, 3, 7);
            const o = out + <usize>p * 32;
            v128.store(o, f64x2.shuffle(t0, t1, 0, 2));
            v128.store(o, f64x2.shuffle(t0, t1, 1, 3), 32);
            v128.store(o, f64x2.shuffle(t2, t3, 0, 2), 64);
            v128.store(o, f64x2.shuffle(t2, t3, 1, 3), 96);
          }
        } else {
          for (let p = 0; p < kv; p += 2) {
            const off = <usize>p * 8;
            const x0 = v128.load(s0 + off);
            const x1 = v128.load(s1 + off);
            const o = out + <usize>p * 32;
            v128.store(o, f64x2.shuffle(x0, x1, 0, 2));
            v128.store(o, f64x2.shuffle(x0, x1, 1, 3), 32);
          }
        }
      }
      for (let c = 0; c < NR; c++) {
        const src = col0 + <usize>(c * sbj) * S;
        const out = dst + <usize>c * S;
        for (let p = kv; p < kc; p++) store<T>(out + <usize>p * 32, load<T>(src + <usize>p * S));
      }
      dst += <usize>kc * 32;
    } else {
      for (let p = 0; p < kc; p++) {
        const src = col0 + <usize>(p * sbk) * S;
        for (let c = 0; c < NR; c++) {
          store<T>(dst + <usize>c * S, c < cols ? load<T>(src + <usize>(c * sbj) * S) : <T>0);
        }
        dst += 32;
      }
    }
  }
}

/**
 * C[n×m] (row stride ldc elements) = A[n×k] · B[k×m] for float32 (T = f32) or
 * float64 (T = f64). `work` is GEMM_WORK_BYTES of scratch owned by the caller's thread.
 * Requires k ≥ 1.
 */
function gemm<T>(a: usize, sai: i32, sak: i32, b: usize, sbk: i32, sbj: i32, c: usize, ldc: i32, n: i32, k: i32, m: i32, work: usize): void {
  const S = <usize>sizeof<T>();
  const MR = 4;
  const NR = 32 / <i32>S;
  const NC = S == 4 ? NC32 : NC64;
  const pA = work;
  const pB = work + <usize>(MC * KC) * S;
  const tile = pB + <usize>(KC * NC) * S;
  const ldcb = <usize>ldc * S;
  // K blocks of equal depth (at most KC): no thin last block (784 = 4 × 196, not 3 × 256 + 16).
  const kb = (k + KC - 1) / KC;
  const KB = (k + kb - 1) / kb;
  for (let jc = 0; jc < m; jc += NC) {
    const nc = min(NC, m - jc);
    for (let pc = 0; pc < k; pc += KB) {
      const kc = min(KB, k - pc);
      const acc = pc > 0;
      packB<T>(b + <usize>(pc * sbk + jc * sbj) * S, sbk, sbj, kc, nc, pB);
      for (let ic = 0; ic < n; ic += MC) {
        const mc = min(MC, n - ic);
        packA<T>(a + <usize>(ic * sai + pc * sak) * S, sai, sak, mc, kc, pA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const pb = pB + <usize>(jr * kc) * S;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const pa = pA + <usize>(ir * kc) * S;
            const cp = c + <usize>(ic + ir) * ldcb + <usize>(jc + jr) * S;
            if (mr == MR && nr == NR) {
              if (S == 4) kernel32(kc, pa, pb, cp, ldcb, acc);
              else kernel64(kc, pa, pb, cp, ldcb, acc);
            } else {
              // Edge tile: run the full kernel on a 4×NR scratch tile, copy the valid part.
              if (acc) {
                for (let i = 0; i < mr; i++) {
                  for (let j = 0; j < nr; j++) store<T>(tile + <usize>(i * NR + j) * S, load<T>(cp + <usize>i * ldcb + <usize>j * S));
                }
              }
              if (S == 4) kernel32(kc, pa, pb, tile, 32, acc);
              else kernel64(kc, pa, pb, tile, 32, acc);
              for (let i = 0; i < mr; i++) {
                for (let j = 0; j < nr; j++) store<T>(cp + <usize>i * ldcb + <usize>j * S, load<T>(tile + <usize>(i * NR + j) * S));
              }
            }
          }
        }
      }
    }
  }
}

/** float32 C = A·B; see `gemm`. */
export function gemmF32(a: usize, sai: i32, sak: i32, b: usize, sbk: i32, sbj: i32, c: usize, ldc: i32, n: i32, k: i32, m: i32, work: usize): void {
  gemm<f32>(a, sai, sak, b, sbk, sbj, c, ldc, n, k, m, work);
}

/** float64 C = A·B; see `gemm`. */
export function gemmF64(a: usize, sai: i32, sak: i32, b: usize, sbk: i32, sbj: i32, c: usize, ldc: i32, n: i32, k: i32, m: i32, work: usize): void {
  gemm<f64>(a, sai, sak, b, sbk, sbj, c, ldc, n, k, m, work);
}
