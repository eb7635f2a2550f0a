/**
 * Transposed convolutions `convTranspose1d` and `convTranspose2d` (the
 * gradient of conv with respect to its input, PyTorch's layout and output
 * size rule), as one batched matmul per group followed by `col2im`: the
 * transpose of conv's im2col → matmul path, so no derivative code.
 */
import { DTypeError, RangeArgError, ShapeError, fmtShape } from '../../errors.js';
import { add, apply, matmul, reshape, traced, transpose } from '../../ops/index.js';
import { Tensor, assertFloat, sizeOf } from '../../tensor/index.js';
import { batched, expectedInput, perDim, type IntOrList } from './window.js';

/** Options of `convTranspose1d` and `convTranspose2d`. */
export interface ConvTransposeOptions {
  /** Step between the input positions in the output (default 1). */
  stride?: IntOrList;
  /** `dilation·(k − 1) − padding` zeros of implicit padding on both sides: crops the output (default 0). */
  padding?: IntOrList;
  /** Extra size added to one side of the output (default 0); smaller than stride or dilation. */
  outputPadding?: IntOrList;
  /** Input and output channels split into `groups` independent transposed convolutions (default 1). */
  groups?: number;
  /** Spacing of the kernel taps (default 1). */
  dilation?: IntOrList;
}

const LAYOUT: Record<number, string> = { 1: '[Cin, Cout/groups, K]', 2: '[Cin, Cout/groups, kH, kW]' };

function convTransposeNd(op: string, nd: number, x: Tensor, weight: Tensor, bias: Tensor | null, opts: ConvTransposeOptions): Tensor {
  if (!(x instanceof Tensor) || !(weight instanceof Tensor)) throw new DTypeError(op, 'expected x and weight to be tensors');
  if (x.ndim !== nd + 1 && x.ndim !== nd + 2) throw new ShapeError(op, `expected x of shape ${expectedInput(nd)}, got ${fmtShape(x.shape)}`);
  assertFloat(op, x.dtype);
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t !== null && t.dtype !== x.dtype) throw new DTypeError(op, `x is ${x.dtype} but ${name} is ${t.dtype}; expected one dtype`);
  }
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new RangeArgError(op, `groups must be a positive integer, got ${groups}`);
  if (weight.ndim !== nd + 2) throw new ShapeError(op, `weight must be ${LAYOUT[nd]}, got ${fmtShape(weight.shape)}`);
  const cin = x.shape[x.ndim - nd - 1]!;
  if (weight.shape[0] !== cin) throw new ShapeError(op, `x ${fmtShape(x.shape)} has ${cin} input channels, but weight ${fmtShape(weight.shape)} (${LAYOUT[nd]}) has ${weight.shape[0]}`);
  if (cin % groups !== 0) throw new RangeArgError(op, `groups ${groups} must divide the input channels Cin = ${cin}`);
  const cg = weight.shape[1]!;
  const cout = cg * groups;
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== cout)) throw new ShapeError(op, `bias must be [Cout] = [${cout}], got ${fmtShape(bias.shape)}`);
  const kernel = weight.shape.slice(2);
  const stride = perDim(op, 'stride', opts.stride ?? 1, nd, 1);
  const padding = perDim(op, 'padding', opts.padding ?? 0, nd, 0);
  const dilation = perDim(op, 'dilation', opts.dilation ?? 1, nd, 1);
  const outPad = perDim(op, 'outputPadding', opts.outputPadding ?? 0, nd, 0);
  if (outPad.some((p, d) => p >= stride[d]! && p >= dilation[d]!)) {
    throw new RangeArgError(op, `outputPadding ${fmtShape(outPad)} must be smaller than either stride ${fmtShape(stride)} or dilation ${fmtShape(dilation)}`);
  }
  const attrs = { stride, padding, dilation, outputPadding: outPad, groups };
  return batched(x, nd + 2, (xb) => traced(op, attrs, [xb, weight, bias], () => {
    const n = xb.shape[0]!;
    const inSpatial = xb.shape.slice(2);
    const spatial = inSpatial.map((l, d) => (l - 1) * stride[d]! - 2 * padding[d]! + dilation[d]! * (kernel[d]! - 1) + outPad[d]! + 1);
    if (spatial.some((s) => s < 1)) {
      throw new ShapeError(op, `the output size ${fmtShape(spatial)} of input ${fmtShape(inSpatial)} is not positive (kernel ${fmtShape(kernel)}, stride ${fmtShape(stride)}, padding ${fmtShape(padding)})`);
    }
    const k = sizeOf(kernel);
    const l = sizeOf(inSpatial);
    // cols[n, g] = W_gᵀ · x[n, g]: [Cout/g·K, Cin/g] · [Cin/g, L]
    const w = transpose(reshape(weight, [groups, cin / groups, cg * k]), 1, 2);
    const cols = matmul(w, reshape(xb, [n, groups, cin / groups, l]));
    const window = { kernel, stride, padding, dilation, out: inSpatial };
    const out = apply('col2im', [reshape(cols, [n, cout, ...kernel, ...inSpatial])], { window, spatial });
    return bias === null ? out : add(out, reshape(bias, [cout, ...spatial.map(() => 1)]));
  }));
}

/**
 * 1-D transposed convolution of `x: [N, Cin, L]` (or `[Cin, L]`) with
 * `weight: [Cin, Cout/groups, K]`, plus `bias: [Cout]`: output length
 * `(L − 1)·stride − 2·padding + dilation·(K − 1) + outputPadding + 1`.
 *
 * @example
 * convTranspose1d(randn([2, 4, 5]), randn([4, 3, 3]), null, { stride: 2 }).shape; // [2, 3, 11]
 */
export function convTranspose1d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: ConvTransposeOptions = {}): Tensor {
  return convTransposeNd('convTranspose1d', 1, x, weight, bias ?? null, opts);
}

/**
 * 2-D transposed convolution of `x: [N, Cin, H, W]` (or `[Cin, H, W]`) with
 * `weight: [Cin, Cout/groups, kH, kW]`, plus `bias: [Cout]` (PyTorch's
 * `conv_transpose2d`, e.g. the upsampling half of a U-Net or a GAN generator).
 *
 * @example
 * convTranspose2d(randn([1, 8, 4, 4]), randn([8, 4, 4, 4]), null, { stride: 2, padding: 1 }).shape; // [1, 4, 8, 8]
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: ConvTransposeOptions = {}): Tensor {
  return convTransposeNd('convTranspose2d', 2, x, weight, bias ?? null, opts);
}
