/**
 * A CPU storage whose elements are still on their way from the GPU.
 *
 * Reading a GPU tensor is asynchronous, but `x.to('wasm')` and the backward
 * pass through a `to('webgpu')` are synchronous. They return a tensor over a
 * `PendingStorage` at once: the copy is under way, and when it lands the
 * storage behaves like any js storage (`data`). The async readers wait for
 * it; a synchronous read before it lands is a `DeviceError` saying what to
 * await. `synchronize()` waits for every copy under way.
 */
import { DeviceError } from '../errors.js';
import type { BackendName, DType, Storage, TypedArray } from './types.js';

const inFlight = new Set<Promise<unknown>>();

/** A CPU storage filled when `arriving` resolves. @example new PendingStorage('js', 'float32', 4, gpu.readAsync(v)); */
export class PendingStorage implements Storage {
  private landed: TypedArray | null = null;
  private failed: unknown = null;
  /** Resolves when the elements are here (rejects when the copy failed). */
  readonly ready: Promise<void>;

  constructor(readonly backend: Exclude<BackendName, 'webgpu'>, readonly dtype: DType, readonly length: number, arriving: Promise<TypedArray>) {
    const done = arriving.then(
      (a) => {
        this.landed = a;
      },
      (e: unknown) => {
        this.failed = e;
        throw e;
      },
    );
    const tracked = done.catch(() => undefined).finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    this.ready = done;
  }

  /** The elements; a `DeviceError` until they have landed. */
  get data(): TypedArray {
    if (this.landed !== null) return this.landed;
    if (this.failed !== null) throw this.failed;
    throw new DeviceError(
      'read',
      'this tensor is still being copied from the GPU: await x.toArrayAsync() (or await synchronize()) before reading it synchronously',
    );
  }
}

/**
 * Waits for every copy from the GPU under way (tensors made by `to()` from a
 * GPU tensor, and gradients that crossed from the GPU); rejects with the
 * first failure.
 *
 * @example
 * const y = x.to('wasm'); // x on the GPU
 * await synchronize();
 * y.toArray();
 */
export async function synchronizeCopies(): Promise<void> {
  while (inFlight.size > 0) await Promise.all([...inFlight]);
}

/** A check of values on the GPU, settled at the next async read: the views to read and the verdict on them. */
export interface DeferredCheck {
  readonly read: () => Promise<readonly TypedArray[]>;
  readonly verdict: (values: readonly TypedArray[]) => Error | null;
}

const checks: DeferredCheck[] = [];
let sticky: Error | null = null;
/** Checks held before they are read in the background (they hold tiny GPU tensors). */
const MAX_HELD = 64;

/**
 * Defers a check that needs values on the GPU (an index range): like CUDA's
 * device-side asserts, its error surfaces at the next asynchronous read or
 * `synchronize()`, not at the op.
 *
 * @example
 * deferCheck({ read: () => Promise.all([gpu.readAsync(v)]), verdict: ([a]) => (a[0]! < 0 ? new RangeArgError('gather', '...') : null) });
 */
export function deferCheck(c: DeferredCheck): void {
  checks.push(c);
  if (checks.length >= MAX_HELD) {
    settleChecks().catch((e: unknown) => {
      sticky ??= e as Error;
    });
  }
}

/** Reads the deferred checks and throws the first failure (once). @example await settleChecks(); */
export async function settleChecks(): Promise<void> {
  if (sticky !== null) {
    const e = sticky;
    sticky = null;
    throw e;
  }
  if (checks.length === 0) return;
  const held = checks.splice(0);
  const verdicts = await Promise.all(held.map(async (c) => c.verdict(await c.read())));
  const failed = verdicts.find((v) => v !== null);
  if (failed) throw failed;
}
