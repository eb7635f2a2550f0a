/**
 * Checks of an index tensor's values (class indices, gather/indexSelect
 * positions). On the CPU they run at once and throw at the op. On the GPU a
 * read would block, so the min and max are computed there and checked at the
 * next asynchronous read or `synchronize()`, which throws the same error (like
 * CUDA's device-side asserts); the kernels meanwhile read 0 outside the range.
 */
import { backendOf, deferCheck } from '../backend/index.js';
import type { Storage, View } from '../backend/index.js';
import type { Tensor } from './tensor.js';

const one = (s: Storage): View => ({ storage: s, shape: [1], strides: [1], offset: 0 });

/**
 * Runs `verdict(min, max)` over the int32 `index` (nothing for an empty one):
 * its error is thrown now on the CPU, at the next async read on the GPU.
 *
 * @example
 * checkRange(index, (lo, hi) => (lo < 0 || hi >= n ? new RangeArgError('gather', `index ${lo < 0 ? lo : hi} is out of range`) : null));
 */
export function checkRange(index: Tensor, verdict: (lo: number, hi: number) => Error | null): void {
  if (index.size === 0) return;
  const be = backendOf(index);
  const dims = index.shape.map((_, i) => i);
  const lo = one(be.reduce('min', index, dims, 'int32'));
  const hi = one(be.reduce('max', index, dims, 'int32'));
  if (be.name !== 'webgpu') {
    const e = verdict(be.read(lo)[0]!, be.read(hi)[0]!);
    if (e !== null) throw e;
    return;
  }
  deferCheck({ read: () => Promise.all([be.readAsync(lo), be.readAsync(hi)]), verdict: ([a, b]) => verdict(a![0]!, b![0]!) });
}
