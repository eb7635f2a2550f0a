/**
 * Convolutions `conv1d` and `conv2d` (PyTorch's cross-correlation), as
 * im2col → one batched matmul per group → reshape: no derivative code, and
 * the heavy lifting is a matmul.
 */
import type { Window } from '../../backend/index.js';
import { DTypeError, RangeArgError, ShapeError, fmtShape } from '../../errors.js';
import { add, apply, matmul, reshape, traced } from '../../ops/index.js';
import { Tensor, assertFloat, sizeOf } from '../../tensor/index.js';
import { batched, expectedInput, outputSize, perDim, type IntOrList } from './window.js';

/** Options of `conv1d` and `conv2d`. */
export interface ConvOptions {
  /** Step between windows (default 1). */
  stride?: IntOrList;
  /**
   * Zeros added on both sides of each spatial dim (default 0); `'valid'` is
   * 0, `'same'` keeps the input size (stride 1; an odd total goes right, like PyTorch).
   */
  padding?: IntOrList | 'valid' | 'same';
  /** Spacing of the kernel taps (default 1). */
  dilation?: IntOrList;
  /** Channel groups: input and output channels are split into `groups` independent convolutions (default 1). */
  groups?: number;
}

const WEIGHT_LAYOUT: Record<number, string> = { 1: '[Cout, Cin/groups, K]', 2: '[Cout, Cin/groups, kH, kW]' };
const WEIGHT_SYMBOLS: Record<number, string[]> = { 1: ['K'], 2: ['kH', 'kW'] };

function checkDtypes(op: string, x: Tensor, weight: Tensor, bias: Tensor | null): void {
  assertFloat(op, x.dtype);
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t !== null && t.dtype !== x.dtype) throw new DTypeError(op, `x is ${x.dtype} but ${name} is ${t.dtype}; expected one dtype`);
  }
}

/** The convolution of a batched input `[N, Cin, ...spatial]` over `nd` spatial dims. */
function convNd(op: string, nd: number, x: Tensor, weight: Tensor, bias: Tensor | null, opts: ConvOptions): Tensor {
  if (!(x instanceof Tensor) || !(weight instanceof Tensor)) throw new DTypeError(op, 'expected x and weight to be tensors');
  if (x.ndim !== nd + 1 && x.ndim !== nd + 2) throw new ShapeError(op, `expected x of shape ${expectedInput(nd)}, got ${fmtShape(x.shape)}`);
  checkDtypes(op, x, weight, bias);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new RangeArgError(op, `groups must be a positive integer, got ${groups}`);
  const cin = x.shape[x.ndim - nd - 1]!;
  if (weight.ndim !== nd + 2) {
    const want = ['Cout', cin % groups === 0 ? String(cin / groups) : 'Cin/groups', ...WEIGHT_SYMBOLS[nd]!].join(', ');
    throw new ShapeError(op, `weight must be ${WEIGHT_LAYOUT[nd]} = [${want}], got ${fmtShape(weight.shape)}`);
  }
  const cout = weight.shape[0]!;
  const cg = weight.shape[1]!;
  if (cout % groups !== 0) throw new RangeArgError(op, `groups ${groups} must divide the output channels Cout = ${cout} (weight ${fmtShape(weight.shape)})`);
  if (cg * groups !== cin) {
    throw new ShapeError(op, `x ${fmtShape(x.shape)} has ${cin} input channels, but weight ${fmtShape(weight.shape)} with groups ${groups} expects ${cg * groups}`);
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== cout)) throw new ShapeError(op, `bias must be [Cout] = [${cout}], got ${fmtShape(bias.shape)}`);
  return batched(x, nd + 2, (xb) => {
    const w = geometry(op, xb.shape.slice(2), weight.shape.slice(2), opts);
    const n = xb.shape[0]!;
    const attrs = { stride: w.stride, padding: w.padding, dilation: w.dilation, groups, same: opts.padding === 'same' };
    return traced(op, attrs, [xb, weight, bias], () => {
      const cols = reshape(apply('im2col', [xb], w), [n, groups, cg * sizeOf(w.kernel), sizeOf(w.out)]);
      const y = matmul(reshape(weight, [groups, cout / groups, cg * sizeOf(w.kernel)]), cols);
      const out = reshape(y, [n, cout, ...w.out]);
      return bias === null ? out : add(out, reshape(bias, [cout, ...w.out.map(() => 1)]));
    });
  });
}

function geometry(op: string, spatial: readonly number[], kernel: readonly number[], opts: ConvOptions): Window {
  const nd = spatial.length;
  const stride = perDim(op, 'stride', opts.stride ?? 1, nd, 1);
  const dilation = perDim(op, 'dilation', opts.dilation ?? 1, nd, 1);
  const p = opts.padding ?? 0;
  if (p === 'same') {
    if (stride.some((s) => s !== 1)) throw new RangeArgError(op, `padding 'same' needs stride 1, got ${fmtShape(stride)}`);
    // Total padding d(k−1) per dim, the left half rounded down; taps past the right edge read 0.
    const padding = kernel.map((k, d) => Math.floor((dilation[d]! * (k - 1)) / 2));
    return { kernel, stride, padding, dilation, out: spatial.slice() };
  }
  const padding = p === 'valid' ? spatial.map(() => 0) : perDim(op, 'padding', p, nd, 0);
  return { kernel, stride, padding, dilation, out: outputSize(op, spatial, kernel, stride, padding, dilation) };
}

/**
 * 1-D convolution (cross-correlation, like PyTorch) of `x: [N, Cin, L]` (or
 * `[Cin, L]`) with `weight: [Cout, Cin/groups, K]`, plus `bias: [Cout]`.
 *
 * @example
 * conv1d(randn([2, 4, 9]), randn([6, 4, 3]), null, { padding: 1 }).shape; // [2, 6, 9]
 */
export function conv1d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: ConvOptions = {}): Tensor {
  return convNd('conv1d', 1, x, weight, bias ?? null, opts);
}

/**
 * 2-D convolution (cross-correlation, like PyTorch) of `x: [N, Cin, H, W]`
 * (or `[Cin, H, W]`) with `weight: [Cout, Cin/groups, kH, kW]`, plus
 * `bias: [Cout]`. `stride`, `padding` and `dilation` take an int or `[h, w]`.
 *
 * @example
 * const y = conv2d(randn([8, 1, 28, 28]), randn([32, 1, 3, 3]), zeros([32]), { padding: 1 });
 * y.shape; // [8, 32, 28, 28]
 * conv2d(x, w, null, { stride: [2, 1], dilation: 2, groups: 2 });
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: ConvOptions = {}): Tensor {
  return convNd('conv2d', 2, x, weight, bias ?? null, opts);
}
