/**
 * Index ops: `gather`, `indexSelect`, `scatterAdd`. Index tensors are int32.
 */
import { bottom } from '../autograd/index.js';
import { DTypeError, RangeArgError, ShapeError, fmtShape } from '../errors.js';
import { Tensor, checkRange, normDim } from '../tensor/index.js';
import { apply } from './dispatch.js';
import { add } from './elementwise.js';
import { traced } from './trace.js';

function checkIndex(op: string, index: Tensor): void {
  if (index.dtype !== 'int32') throw new DTypeError(op, `expected an int32 index tensor, got ${index.dtype}`);
}

/**
 * The CPU kernels check each index as they read it; on the GPU the same error
 * is deferred to the next read (see `checkRange`).
 */
function checkOnGpu(op: string, index: Tensor, dim: number, size: number): void {
  if (index.backend !== 'webgpu') return;
  checkRange(bottom(index), (lo, hi) => (lo < 0 || hi >= size ? new RangeArgError(op, `index ${lo < 0 ? lo : hi} is out of range for dim ${dim} of size ${size}`) : null));
}

/**
 * `out[i][j] = x[i][index[i][j]]` for `dim = 1` (generally, `index` replaces
 * the coordinate along `dim`). `index` has the ndim of `x` and no larger
 * size on the other dims; the result has the shape of `index`.
 *
 * @example
 * gather(tensor([[1, 2], [3, 4]]), 1, tensor([[1], [0]], { dtype: 'int32' })); // [[2], [3]]
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkIndex('gather', index);
  const d = normDim('gather', dim, Math.max(1, x.ndim));
  if (index.ndim !== x.ndim || index.shape.some((n, k) => k !== d && n > x.shape[k]!)) {
    throw new ShapeError('gather', `index ${fmtShape(index.shape)} must have the ndim of x ${fmtShape(x.shape)} and no larger size outside dim ${d}`);
  }
  checkOnGpu('gather', index, d, x.ndim === 0 ? 1 : x.shape[d]!);
  return apply('gather', [x, index], { dim: d });
}

/**
 * The slices of `x` along `dim` at the positions of the 1-D `index`.
 *
 * @example
 * indexSelect(tensor([[1, 2], [3, 4], [5, 6]]), 0, tensor([2, 0], { dtype: 'int32' })); // [[5, 6], [1, 2]]
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkIndex('indexSelect', index);
  if (index.ndim > 1) throw new ShapeError('indexSelect', `expected a 1-D index, got shape ${fmtShape(index.shape)}`);
  const d = normDim('indexSelect', dim, Math.max(1, x.ndim));
  const n = x.ndim === 0 ? 1 : x.shape[d]!;
  const k = index.size;
  // Under vmap, every example's indices (the storage-level tensor); deferred to the next read on the GPU.
  checkRange(bottom(index), (lo, hi) =>
    lo < 0 || hi >= n ? new RangeArgError('indexSelect', `index ${lo < 0 ? lo : hi} is out of range for dim ${d} of size ${n} (shape ${fmtShape(x.shape)})`) : null);
  if (x.ndim === 0) return apply('gather', [apply('reshape', [x], { shape: [1] }), apply('reshape', [index], { shape: [k] })], { dim: 0 });
  return traced('indexSelect', { dim: d }, [x, index], () => {
    const outShape = x.shape.map((m, i) => (i === d ? k : m));
    const idxShape = x.shape.map((_, i) => (i === d ? k : 1));
    const idx = apply('expand', [apply('reshape', [index], { shape: idxShape })], { shape: outShape });
    return apply('gather', [x, idx], { dim: d });
  });
}

/**
 * `x` plus `src` added at `index` along `dim` (PyTorch's `scatter_add`,
 * out of place); only the part of `src` the shape of `index` is used.
 *
 * @example
 * scatterAdd(zeros([3]), 0, tensor([0, 0, 2], { dtype: 'int32' }), tensor([1, 2, 3])); // [3, 0, 3]
 */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkIndex('scatterAdd', index);
  const d = normDim('scatterAdd', dim, Math.max(1, x.ndim));
  if (index.ndim !== x.ndim || src.ndim !== x.ndim || index.shape.some((n, k) => n > src.shape[k]! || (k !== d && n > x.shape[k]!))) {
    throw new ShapeError(
      'scatterAdd',
      `index ${fmtShape(index.shape)} must have the ndim of x ${fmtShape(x.shape)} and src ${fmtShape(src.shape)}, fit in src, and fit in x outside dim ${d}`,
    );
  }
  checkOnGpu('scatterAdd', index, d, x.ndim === 0 ? 1 : x.shape[d]!);
  const part = apply('slice', [src], { start: src.shape.map(() => 0), step: src.shape.map(() => 1), shape: index.shape });
  const s = src.dtype === x.dtype ? part : apply('cast', [part], { dtype: x.dtype });
  return add(x, apply('scatterAdd', [s, index], { dim: d, shape: x.shape }));
}
