// Sliding-window kernels for convolution and pooling: im2col and its
// transpose col2im, over 2-d windows (a 1-d window is a 2-d one of unit
// height). The window block `g` (i32 words, written by the JS side):
//   0 n, 1 c, 2 h, 3 w, 4 kh, 5 kw, 6 sh, 7 sw, 8 ph, 9 pw, 10 dh, 11 dw,
//   12 oh, 13 ow, 14..17 element strides of x along n, c, h, w (im2col only).
// Windows are laid out [n, c, kh, kw, oh, ow], row-major, like the js backend;
// col2im visits the taps in that order, so float64 sums are the js backend's.

@inline function gi(g: usize, i: i32): i32 {
  return load<i32>(g + (<usize>i << 2));
}

function im2col<T>(x: usize, out: usize, g: usize): void {
  const S = <usize>sizeof<T>();
  const N = gi(g, 0), C = gi(g, 1), H = gi(g, 2), W = gi(g, 3);
  const KH = gi(g, 4), KW = gi(g, 5), SH = gi(g, 6), SW = gi(g, 7), PH = gi(g, 8), PW = gi(g, 9);
  const DH = gi(g, 10), DW = gi(g, 11), OH = gi(g, 12), OW = gi(g, 13);
  const sN = gi(g, 14), sC = gi(g, 15), sH = gi(g, 16), sW = gi(g, 17);
  const rowBytes = <usize>OW * S;
  let o = out;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const b = x + <usize>(n * sN + c * sC) * S;
      for (let ki = 0; ki < KH; ki++) {
        for (let kj = 0; kj < KW; kj++) {
          const iw0 = kj * DW - PW;
          // Output columns whose tap falls inside [0, W): lo ≤ oj < hi.
          let lo = 0, hi = OW;
          if (SW == 1) {
            lo = max(0, -iw0);
            hi = max(lo, min(OW, W - iw0));
          }
          for (let oi = 0; oi < OH; oi++, o += rowBytes) {
            const ih = oi * SH - PH + ki * DH;
            if (ih < 0 || ih >= H) {
              memory.fill(o, 0, rowBytes);
              continue;
            }
            const row = b + <usize>(ih * sH) * S;
            if (SW == 1 && sW == 1) {
              if (lo > 0) memory.fill(o, 0, <usize>lo * S);
              if (hi > lo) memory.copy(o + <usize>lo * S, row + <usize>(iw0 + lo) * S, <usize>(hi - lo) * S);
              if (hi < OW) memory.fill(o + <usize>hi * S, 0, <usize>(OW - hi) * S);
            } else {
              for (let oj = 0; oj < OW; oj++) {
                const iw = iw0 + oj * SW;
                store<T>(o + <usize>oj * S, iw >= 0 && iw < W ? load<T>(row + <usize>(iw * sW) * S) : <T>0);
              }
            }
          }
        }
      }
    }
  }
}

export function im2colF32(x: usize, out: usize, g: usize): void { im2col<f32>(x, out, g); }
export function im2colF64(x: usize, out: usize, g: usize): void { im2col<f64>(x, out, g); }

/** Sums contiguous windows `cols` into `out` ([n, c, h, w], contiguous, zeroed here). */
function col2im<T>(cols: usize, out: usize, g: usize): void {
  const S = <usize>sizeof<T>();
  const N = gi(g, 0), C = gi(g, 1), H = gi(g, 2), W = gi(g, 3);
  const KH = gi(g, 4), KW = gi(g, 5), SH = gi(g, 6), SW = gi(g, 7), PH = gi(g, 8), PW = gi(g, 9);
  const DH = gi(g, 10), DW = gi(g, 11), OH = gi(g, 12), OW = gi(g, 13);
  const L = 16 / <i32>S;
  memory.fill(out, 0, <usize>(N * C * H * W) * S);
  let o = cols;
  const rowBytes = <usize>OW * S;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const b = out + <usize>((n * C + c) * H * W) * S;
      for (let ki = 0; ki < KH; ki++) {
        for (let kj = 0; kj < KW; kj++) {
          const iw0 = kj * DW - PW;
          let lo = 0, hi = OW;
          if (SW == 1) {
            lo = max(0, -iw0);
            hi = max(lo, min(OW, W - iw0));
          }
          for (let oi = 0; oi < OH; oi++, o += rowBytes) {
            const ih = oi * SH - PH + ki * DH;
            if (ih < 0 || ih >= H) continue;
            const row = b + <usize>(ih * W) * S;
            if (SW == 1) {
              const dst = row + <usize>(iw0 + lo) * S;
              const src = o + <usize>lo * S;
              const len = hi - lo;
              let i = 0;
              for (; i + L <= len; i += L) {
                const off = <usize>i * S;
                v128.store(dst + off, v128.add<T>(v128.load(dst + off), v128.load(src + off)));
              }
              for (; i < len; i++) {
                const off = <usize>i * S;
                store<T>(dst + off, load<T>(dst + off) + load<T>(src + off));
              }
            } else {
              for (let oj = 0; oj < OW; oj++) {
                const iw = iw0 + oj * SW;
                if (iw >= 0 && iw < W) {
                  const d = row + <usize>iw * S;
                  store<T>(d, load<T>(d) + load<T>(o + <usize>oj * S));
                }
              }
            }
          }
        }
      }
    }
  }
}

export function col2imF32(cols: usize, out: usize, g: usize): void { col2im<f32>(cols, out, g); }
export function col2imF64(cols: usize, out: usize, g: usize): void { col2im<f64>(cols, out, g); }
