/**
 * In-place ops (trailing underscore): `add_ sub_ mul_ div_ zero_ fill_ copy_
 * clamp_`. Each writes into the tensor's storage and bumps its version
 * counter, so a backward that saved the old values throws.
 *
 * Under grad mode, an in-place op on a tensor in the graph is recorded like
 * its out-of-place op applied to a copy of the old value, and the tensor takes
 * the new node as its `gradFn`. A leaf that requires grad can only be updated
 * under `noGrad` (like an optimizer step).
 */
import { bottom, describeBatched, isGradEnabled, noGrad, stopGradient, topBatchLevel, unbatch } from '../autograd/index.js';
import { AutogradError, DTypeError, RangeArgError, ShapeError, fmtShape } from '../errors.js';
import { Tensor, broadcastShapes, deviceOf, raw, sameShape } from '../tensor/index.js';
import { apply } from './dispatch.js';
import { add, cast, clamp, div, mul, promote, sub, type ClampOptions, type TensorLike } from './elementwise.js';
import { expand } from './shape.js';
import { to } from './device.js';

function checkWritable(op: string, x: Tensor): void {
  if (x.shape.some((n, d) => n > 1 && x.strides[d] === 0)) {
    throw new RangeArgError(op, `cannot write in place into an expanded tensor (shape ${fmtShape(x.shape)}, strides ${fmtShape(x.strides)}): several elements share one memory location; call contiguous() first`);
  }
}

function writeBack(op: string, x: Tensor, r: Tensor): void {
  if (!sameShape(r.shape, x.shape)) {
    throw new ShapeError(op, `the result has shape ${fmtShape(r.shape)} but the tensor modified in place has shape ${fmtShape(x.shape)}`);
  }
  if (r._isFloat && !x._isFloat) throw new DTypeError(op, `the result is ${r.dtype} and cannot be written into a ${x.dtype} tensor`);
  writeInto(r, x);
  x._bumpVersion();
  // Forward mode: the tensor now carries the result's tangents (none for a constant).
  if (x._tangents !== null || r._tangents !== null) x._tangents = r._tangents;
}

/**
 * Copies `r` (of `x`'s shape) into `x`; under vmap, into the storage-level
 * tensor under `x`, with `r`'s batch dims moved to `x`'s (or broadcast where
 * `r` is the same for every example).
 */
function writeInto(r: Tensor, x: Tensor): void {
  const b = x._batch;
  if (b === null) return raw.copyInto(r, x);
  const { value, bdim } = unbatch(r, b.level);
  const v = noGrad(() => {
    const c = stopGradient(value);
    if (bdim === b.dim) return c;
    if (bdim === null) {
      const shape = [...c.shape.slice(0, b.dim), 1, ...c.shape.slice(b.dim)];
      return apply('expand', [apply('reshape', [c], { shape })], { shape: b.value.shape });
    }
    const dims = c.shape.map((_, i) => i).filter((i) => i !== bdim);
    dims.splice(b.dim, 0, bdim);
    return apply('permute', [c], { dims });
  });
  writeInto(v, b.value);
}

/** Under vmap: an in-place op on a tensor not batched where an operand is (it would need the batch dim) is refused. */
function checkBatched(op: string, x: Tensor, others: readonly (TensorLike | null | undefined)[]): void {
  const ts = others.filter((o): o is Tensor => o instanceof Tensor);
  const top = topBatchLevel([x, ...ts]);
  if (top === 0 || (x._batch !== null && x._batch.level === top)) return;
  const i = ts.findIndex((t) => t._batch !== null && t._batch.level === top);
  throw new ShapeError(
    op,
    `cannot modify in place a tensor that vmap does not batch at level ${top} (${describeBatched(x)}) with an operand ` +
      `it batches (argument ${i + 1}, ${describeBatched(ts[i]!)}): the result would need a batch dim the tensor does not have; use the out-of-place op`,
  );
}

/** True when a transform outside a vmap tracks the values under `x` (an in-place update could not be recorded for it). */
function trackedBelow(x: Tensor): boolean {
  for (let t = x._batch?.value; t !== undefined; t = t._batch?.value) if (t._requiresGrad || t._tangents !== null) return true;
  return false;
}

function inplace(op: string, x: Tensor, others: readonly (TensorLike | null | undefined)[], compute: (old: Tensor) => Tensor): Tensor {
  checkWritable(op, x);
  checkBatched(op, x, others);
  if (trackedBelow(x)) {
    throw new AutogradError(op, `in-place modification of a tensor batched by vmap (${describeBatched(x)}) whose values a transform outside the vmap tracks is not supported; use the out-of-place op`);
  }
  const tracked = isGradEnabled() && (x._requiresGrad || others.some((o) => o instanceof Tensor && o._requiresGrad));
  if (!tracked) {
    writeBack(op, x, compute(x));
    return x;
  }
  if (x._requiresGrad && x.gradFn === null) {
    throw new AutogradError(op, `a leaf tensor that requires grad (shape ${fmtShape(x.shape)}) cannot be modified in place; do the update inside noGrad(() => ...)`);
  }
  if (bottom(x)._base !== null) {
    throw new AutogradError(op, `in-place modification of a view (shape ${fmtShape(x.shape)}) is not supported under autograd; use the out-of-place op`);
  }
  let r = compute(apply('contiguous', [x], {}));
  if (r.dtype !== x.dtype) r = cast(r, x.dtype);
  writeBack(op, x, r);
  x.gradFn = r.gradFn;
  x._requiresGrad = r._requiresGrad;
  return x;
}

/** Whether `y` shares `x`'s storage other than as exactly the same elements. */
function overlaps(x: Tensor, y: Tensor): boolean {
  if (y.storage !== x.storage) return false;
  return y.offset !== x.offset || !sameShape(y.shape, x.shape) || !sameShape(y.strides, x.strides);
}

/**
 * `x op= other` without a graph, written straight into `x` (one kernel, no
 * temporary, no copy back) when that is the same as computing out of place
 * and copying: `x` contiguous, no promotion of `x`, `other` broadcasting to
 * `x`'s shape, no overlap but `x` itself, no forward-mode tangents. Returns
 * false (nothing done) otherwise, and `inplace` takes the general path.
 */
function direct(op: 'add' | 'sub' | 'mul' | 'div', x: Tensor, other: TensorLike): boolean {
  if (x._batch !== null || (other instanceof Tensor && other._batch !== null)) return false;
  if (x._tangents !== null || !x.isContiguous()) return false;
  if (isGradEnabled() && (x._requiresGrad || (other instanceof Tensor && other._requiresGrad))) return false;
  if (other instanceof Tensor && (other._tangents !== null || overlaps(x, other))) return false;
  if (!(other instanceof Tensor) && typeof other !== 'number') return false;
  const [a, b] = promote(`${op}_`, x, other, op === 'div' ? 'float' : 'arith');
  if (a !== x || b.dtype !== x.dtype || !sameShape(broadcastShapes(`${op}_`, x.shape, b.shape), x.shape)) return false;
  checkWritable(`${op}_`, x);
  raw.binaryInto(op, x, b, x);
  x._bumpVersion();
  return true;
}

/** `x += other` in place. @example x.add_(1); */
export function add_(x: Tensor, other: TensorLike): Tensor {
  return direct('add', x, other) ? x : inplace('add_', x, [other], (t) => add(t, other));
}
/** `x -= other` in place. @example noGrad(() => w.sub_(w.grad!.mul(0.1))); */
export function sub_(x: Tensor, other: TensorLike): Tensor {
  return direct('sub', x, other) ? x : inplace('sub_', x, [other], (t) => sub(t, other));
}
/** `x *= other` in place. @example x.mul_(0.9); */
export function mul_(x: Tensor, other: TensorLike): Tensor {
  return direct('mul', x, other) ? x : inplace('mul_', x, [other], (t) => mul(t, other));
}
/** `x /= other` in place. @example x.div_(2); */
export function div_(x: Tensor, other: TensorLike): Tensor {
  return direct('div', x, other) ? x : inplace('div_', x, [other], (t) => div(t, other));
}
/** Clamps `x` in place. @example x.clamp_({ min: 0 }); */
export function clamp_(x: Tensor, opts: ClampOptions): Tensor {
  return inplace('clamp_', x, [opts.min, opts.max], (t) => clamp(t, opts));
}

/**
 * Fills `x` with `value` in place.
 *
 * @example
 * zeros([3]).fill_(7); // [7, 7, 7]
 */
export function fill_(x: Tensor, value: number): Tensor {
  return inplace('fill_', x, [], () => raw.filled(x.shape, x.dtype, value, deviceOf(x)));
}

/** Fills `x` with zeros in place. @example w.grad?.zero_(); */
export function zero_(x: Tensor): Tensor {
  return fill_(x, 0);
}

/**
 * Copies `src` (broadcast to `x`'s shape, cast to its dtype) into `x`.
 *
 * @example
 * zeros([2, 3]).copy_(tensor([1, 2, 3])); // every row [1, 2, 3]
 */
export function copy_(x: Tensor, src: Tensor): Tensor {
  return inplace('copy_', x, [src], () => {
    // Across backends, like PyTorch's copy_ between devices (from the GPU the values land asynchronously).
    const c = cast(src, x.dtype);
    const s = (c.backend === 'webgpu') !== (x.backend === 'webgpu') && c.ndim > 0 ? to(c, x.backend) : c;
    return sameShape(s.shape, x.shape) ? s : expand(s, x.shape);
  });
}
