/**
 * Independent references for the tests: direct loops over plain arrays,
 * written from PyTorch's CPU kernels (aten/src/ATen/native: the conv
 * definition, `pooling_output_shape`, max_pool2d and avg_pool2d), sharing no
 * code with src/. Arrays are flat row-major [N, C, H, W].
 */

export interface Conv2dRef {
  x: Float64Array; xs: readonly [number, number, number, number];
  w: Float64Array; ws: readonly [number, number, number, number];
  b: Float64Array | null;
  stride: [number, number]; padding: [number, number]; dilation: [number, number]; groups: number;
}

/** `out[n, co, i, j] = b[co] + Σ x[n, g·Cg + ci, i·s − p + ki·d, j·s − p + kj·d] · w[co, ci, ki, kj]` (0 outside x). */
export function conv2dRef(a: Conv2dRef): { out: Float64Array; shape: number[] } {
  const [n, cin, h, wd] = a.xs;
  const [cout, cg, kh, kw] = a.ws;
  const oh = Math.floor((h + 2 * a.padding[0] - a.dilation[0] * (kh - 1) - 1) / a.stride[0]) + 1;
  const ow = Math.floor((wd + 2 * a.padding[1] - a.dilation[1] * (kw - 1) - 1) / a.stride[1]) + 1;
  const coutG = cout / a.groups;
  const out = new Float64Array(n * cout * oh * ow);
  for (let b = 0; b < n; b++) {
    for (let co = 0; co < cout; co++) {
      const g = Math.floor(co / coutG);
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          let s = a.b === null ? 0 : a.b[co]!;
          for (let ci = 0; ci < cg; ci++) {
            for (let ki = 0; ki < kh; ki++) {
              for (let kj = 0; kj < kw; kj++) {
                const y = i * a.stride[0] - a.padding[0] + ki * a.dilation[0];
                const x = j * a.stride[1] - a.padding[1] + kj * a.dilation[1];
                if (y < 0 || y >= h || x < 0 || x >= wd) continue;
                s += a.x[((b * cin + g * cg + ci) * h + y) * wd + x]! * a.w[((co * cg + ci) * kh + ki) * kw + kj]!;
              }
            }
          }
          out[((b * cout + co) * oh + i) * ow + j] = s;
        }
      }
    }
  }
  return { out, shape: [n, cout, oh, ow] };
}

/** PyTorch's `pooling_output_shape`. */
export function poolOut(size: number, k: number, pad: number, stride: number, dilation: number, ceil: boolean): number {
  const num = size + 2 * pad - dilation * (k - 1) - 1 + (ceil ? stride - 1 : 0);
  let out = Math.floor(num / stride) + 1;
  if (ceil && (out - 1) * stride >= size + pad) out--;
  return out;
}

export interface PoolRef {
  x: Float64Array; xs: readonly [number, number, number, number];
  k: [number, number]; s: [number, number]; p: [number, number]; d: [number, number]; ceil: boolean;
  countIncludePad?: boolean;
}

/** max_pool2d: the max over the taps of each window that fall inside x. */
export function maxPoolRef(a: PoolRef): { out: Float64Array; shape: number[] } {
  const [n, c, h, w] = a.xs;
  const oh = poolOut(h, a.k[0], a.p[0], a.s[0], a.d[0], a.ceil);
  const ow = poolOut(w, a.k[1], a.p[1], a.s[1], a.d[1], a.ceil);
  const out = new Float64Array(n * c * oh * ow);
  for (let plane = 0; plane < n * c; plane++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let hs = i * a.s[0] - a.p[0];
        let ws = j * a.s[1] - a.p[1];
        const he = Math.min(hs + (a.k[0] - 1) * a.d[0] + 1, h);
        const we = Math.min(ws + (a.k[1] - 1) * a.d[1] + 1, w);
        while (hs < 0) hs += a.d[0];
        while (ws < 0) ws += a.d[1];
        let m = -Infinity;
        for (let y = hs; y < he; y += a.d[0]) for (let x = ws; x < we; x += a.d[1]) m = Math.max(m, a.x[(plane * h + y) * w + x]!);
        out[(plane * oh + i) * ow + j] = m;
      }
    }
  }
  return { out, shape: [n, c, oh, ow] };
}

/** avg_pool2d: the window sum over x, divided by the pool size clipped to the padded input (or to x without countIncludePad). */
export function avgPoolRef(a: PoolRef): { out: Float64Array; shape: number[] } {
  const [n, c, h, w] = a.xs;
  const oh = poolOut(h, a.k[0], a.p[0], a.s[0], 1, a.ceil);
  const ow = poolOut(w, a.k[1], a.p[1], a.s[1], 1, a.ceil);
  const out = new Float64Array(n * c * oh * ow);
  for (let plane = 0; plane < n * c; plane++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let hs = i * a.s[0] - a.p[0];
        let ws = j * a.s[1] - a.p[1];
        let he = Math.min(hs + a.k[0], h + a.p[0]);
        let we = Math.min(ws + a.k[1], w + a.p[1]);
        const poolSize = (he - hs) * (we - ws);
        hs = Math.max(hs, 0);
        ws = Math.max(ws, 0);
        he = Math.min(he, h);
        we = Math.min(we, w);
        let s = 0;
        for (let y = hs; y < he; y++) for (let x = ws; x < we; x++) s += a.x[(plane * h + y) * w + x]!;
        out[(plane * oh + i) * ow + j] = s / ((a.countIncludePad ?? true) ? poolSize : (he - hs) * (we - ws));
      }
    }
  }
  return { out, shape: [n, c, oh, ow] };
}

/** The benchmarks' 32-bit LCG (shared/BENCHMARKS.md): `count` draws of uniform(-a, a) as float32. */
export function lcgUniform(seed: number, count: number, a = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (2 * (s / 4294967296) - 1) * a;
  }
  return out;
}
