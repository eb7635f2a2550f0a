/**
 * `interpolate` (PyTorch's `F.interpolate`) over 1 or 2 spatial dims, as
 * gathers and weights along each dim: `'nearest'` with PyTorch 1.13's index
 * rule (float32 arithmetic, exact for equal and doubled sizes) and
 * `'bilinear'` with and without `alignCorners`. Gradients come from
 * `gather`'s (a scatter-add).
 */
import { DTypeError, RangeArgError, ShapeError, fmtShape } from '../../errors.js';
import { add, indexSelect, mul, traced } from '../../ops/index.js';
import { Tensor, assertFloat, raw } from '../../tensor/index.js';

/** Options of `interpolate`. */
export interface InterpolateOptions {
  /** The output spatial size (an int for every dim, or one per dim). */
  size?: number | readonly number[] | null;
  /** The factor per spatial dim (output size `⌊in·factor⌋`); exactly one of `size` and `scaleFactor`. */
  scaleFactor?: number | readonly number[] | null;
  /** `'nearest'` (default) or `'bilinear'` (4-D input). */
  mode?: 'nearest' | 'bilinear';
  /** Bilinear only: corner pixels of input and output aligned (default false). */
  alignCorners?: boolean | null;
}

const OP = 'interpolate';

function perSpatial(name: string, v: number | readonly number[], nd: number, integer: boolean): number[] {
  const list = typeof v === 'number' ? new Array<number>(nd).fill(v) : Array.isArray(v) ? [...(v as readonly number[])] : null;
  const ok = (n: number): boolean => (integer ? Number.isInteger(n) && n >= 1 : Number.isFinite(n) && n > 0);
  if (list === null || list.length !== nd || !list.every(ok)) {
    throw new RangeArgError(OP, `${name} must be ${integer ? 'a positive integer' : 'a positive number'} or a list of ${nd}, got ${JSON.stringify(v)}`);
  }
  return list;
}

/** PyTorch 1.13's `nearest_idx`: source index of each output index (float32 arithmetic). */
function nearestIndex(n: number, out: number, factor: number | null): number[] {
  if (out === n) return Array.from({ length: out }, (_, i) => i);
  if (out === 2 * n) return Array.from({ length: out }, (_, i) => i >> 1);
  const scale = Math.fround(factor !== null ? 1 / factor : n / out);
  return Array.from({ length: out }, (_, i) => Math.min(Math.floor(Math.fround(i * scale)), n - 1));
}

/** Bilinear taps along one dim: `out[i] = w0[i]·x[i0[i]] + w1[i]·x[i1[i]]`. */
function linearTaps(n: number, out: number, factor: number | null, alignCorners: boolean): { i0: number[]; i1: number[]; w0: number[]; w1: number[] } {
  const scale = alignCorners ? (out > 1 ? (n - 1) / (out - 1) : 0) : factor !== null ? 1 / factor : n / out;
  const taps = { i0: [] as number[], i1: [] as number[], w0: [] as number[], w1: [] as number[] };
  for (let i = 0; i < out; i++) {
    const src = alignCorners ? scale * i : Math.max(scale * (i + 0.5) - 0.5, 0);
    const h0 = Math.floor(src);
    const l1 = Math.min(src - h0, 1);
    taps.i0.push(h0);
    taps.i1.push(h0 + (h0 < n - 1 ? 1 : 0));
    taps.w0.push(1 - l1);
    taps.w1.push(l1);
  }
  return taps;
}

/**
 * Resizes `x: [N, C, L]` or `[N, C, H, W]` to `size`, or by `scaleFactor`.
 * `'nearest'` picks `⌊i·in/out⌋` (or `⌊i/scaleFactor⌋`); `'bilinear'` (4-D)
 * blends the two neighbours along each dim, with `alignCorners` mapping the
 * corner pixels onto each other.
 *
 * @example
 * interpolate(x, { scaleFactor: 2 });                                 // [N, C, 2H, 2W], nearest
 * interpolate(x, { size: [5, 7], mode: 'bilinear', alignCorners: true });
 */
export function interpolate(x: Tensor, opts: InterpolateOptions = {}): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(OP, `expected x to be a Tensor, got ${typeof x}`);
  const mode = opts.mode ?? 'nearest';
  if (mode !== 'nearest' && mode !== 'bilinear') throw new RangeArgError(OP, `mode must be 'nearest' or 'bilinear', got ${JSON.stringify(mode)}`);
  if (x.ndim !== 3 && x.ndim !== 4) throw new ShapeError(OP, `expected x of shape [N, C, L] or [N, C, H, W], got ${fmtShape(x.shape)}`);
  if (mode === 'bilinear' && x.ndim !== 4) throw new ShapeError(OP, `mode 'bilinear' needs a 4-D input [N, C, H, W], got ${fmtShape(x.shape)}`);
  assertFloat(OP, x.dtype);
  const align = opts.alignCorners ?? null;
  if (mode === 'nearest' && align !== null) throw new RangeArgError(OP, "alignCorners can only be set with mode 'bilinear'");
  const nd = x.ndim - 2;
  const hasSize = opts.size !== undefined && opts.size !== null;
  const hasScale = opts.scaleFactor !== undefined && opts.scaleFactor !== null;
  if (hasSize === hasScale) throw new RangeArgError(OP, hasSize ? 'give only one of size and scaleFactor' : 'either size or scaleFactor must be given');
  const spatial = x.shape.slice(2);
  const factors = hasScale ? perSpatial('scaleFactor', opts.scaleFactor!, nd, false) : null;
  const out = hasSize ? perSpatial('size', opts.size!, nd, true) : spatial.map((n, d) => Math.floor(n * factors![d]!));
  if (out.some((n) => n < 1)) throw new RangeArgError(OP, `the output size ${fmtShape(out)} of input ${fmtShape(spatial)} must be positive in every dim`);
  const attrs = { mode, alignCorners: align ?? false, size: out, scaleFactor: factors };
  return traced(OP, attrs, [x], () => {
    let y = x;
    spatial.forEach((n, d) => {
      const dim = d + 2;
      const factor = factors === null ? null : factors[d]!;
      const index = (v: readonly number[]): Tensor => raw.fromValues(v, [v.length], 'int32', x.backend);
      if (mode === 'nearest') {
        y = indexSelect(y, dim, index(nearestIndex(n, out[d]!, factor)));
        return;
      }
      const t = linearTaps(n, out[d]!, factor, align ?? false);
      const wShape = y.shape.map((_, i) => (i === dim ? out[d]! : 1));
      const weight = (v: readonly number[]): Tensor => raw.fromValues(v, wShape, x.dtype, x.backend);
      y = add(mul(indexSelect(y, dim, index(t.i0)), weight(t.w0)), mul(indexSelect(y, dim, index(t.i1)), weight(t.w1)));
    });
    return y;
  });
}
