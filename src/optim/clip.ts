/**
 * Gradient clipping: `clipGradNorm_` and `clipGradValue_`, PyTorch 1.13's
 * `torch.nn.utils.clip_grad_norm_` and `clip_grad_value_`. Both modify the
 * `.grad` of the parameters in place (under `noGrad`); parameters without a
 * gradient are skipped.
 */
import { noGrad } from '../autograd/index.js';
import { AdjointError, DeviceError, RangeArgError } from '../errors.js';
import { amax, cast, clamp, div, norm, stack } from '../ops/index.js';
import { Tensor, promoteTypes, tensor } from '../tensor/index.js';

/** Options of `clipGradNorm_`. */
export interface ClipGradNormOptions {
  /** Order p of the norm: a number > 0 or `Infinity` (default 2). */
  normType?: number;
  /** Throw when the total norm is NaN or infinite (default false: scale anyway). */
  errorIfNonfinite?: boolean;
}

function gradsOf(op: string, params: Tensor | Iterable<Tensor>): Tensor[] {
  const list = params instanceof Tensor ? [params] : [...params];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new RangeArgError(op, `params[${i}] is not a tensor`);
  });
  return list.flatMap((p) => (p.grad === null ? [] : [p.grad]));
}

/**
 * Scales the gradients so that their total norm (the norm of the vector of
 * every gradient element) is at most `maxNorm`:
 * `g ← g · min(1, maxNorm / (total + 1e-6))`.
 *
 * Returns the total norm before clipping as a 0-d tensor, like PyTorch (the
 * dtype of the gradients; float32 `0` when no parameter has a gradient): call
 * `.item()` for a number.
 *
 * @example
 * loss.backward();
 * const total = clipGradNorm_(model.parameters(), 1.0).item();
 * opt.step();
 */
export function clipGradNorm_(params: Tensor | Iterable<Tensor>, maxNorm: number, opts: ClipGradNormOptions = {}): Tensor {
  const op = 'clipGradNorm_';
  const p = opts.normType ?? 2;
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm)) throw new RangeArgError(op, `maxNorm must be a number, got ${String(maxNorm)}`);
  if (typeof p !== 'number' || !(p > 0)) throw new RangeArgError(op, `normType must be > 0 or Infinity, got ${String(p)}`);
  const grads = gradsOf(op, params);
  if (grads.length === 0) return tensor(0);
  return noGrad(() => {
    const dtype = grads.map((g) => g.dtype).reduce((a, b) => promoteTypes(a, b));
    const norms = grads.map((g) => cast(p === Infinity ? amax(g.detach().abs()) : norm(g.detach(), { p }), dtype));
    // Like PyTorch, the norms are stacked and normed again even for one gradient (except for p = Infinity).
    const total = p !== Infinity ? norm(stack(norms), { p }) : norms.length === 1 ? norms[0]! : amax(stack(norms));
    if (opts.errorIfNonfinite && total.backend === 'webgpu') {
      throw new DeviceError(op, 'errorIfNonfinite reads the total norm, which a GPU tensor cannot do synchronously; check await total.itemAsync() after clipping instead');
    }
    if (opts.errorIfNonfinite && !Number.isFinite(total.item())) {
      throw new AdjointError(op, `the total norm of order ${p} of the gradients is ${total.item()}, so it cannot be clipped; pass errorIfNonfinite: false to scale the gradients by it anyway`);
    }
    const coef = clamp(div(maxNorm, total.add(1e-6)), { max: 1 });
    for (const g of grads) g.mul_(cast(coef, g.dtype));
    return total;
  });
}

/**
 * Clamps every gradient element into `[-clipValue, clipValue]`, in place.
 *
 * @example
 * loss.backward();
 * clipGradValue_(model.parameters(), 0.5);
 * opt.step();
 */
export function clipGradValue_(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  const op = 'clipGradValue_';
  if (typeof clipValue !== 'number' || Number.isNaN(clipValue)) {
    throw new RangeArgError(op, `clipValue must be a number, got ${String(clipValue)}`);
  }
  const grads = gradsOf(op, params);
  noGrad(() => {
    for (const g of grads) g.clamp_({ min: -clipValue, max: clipValue });
  });
}
