/**
 * A `FinalizationRegistry` whose callbacks can run inside a synchronous loop,
 * and a way to run the GC: shared by the backends whose memory lives outside
 * the JS heap (the wasm memory, GPU buffers).
 *
 * A standard registry runs its callbacks only when the event loop turns, which
 * a synchronous training loop never lets happen. In Node the registry comes
 * from a fresh `vm` context with V8's `--harmony-weak-refs-with-cleanup-some`,
 * which adds `cleanupSome()`: an allocator runs the callbacks of storages the
 * GC already found dead, on demand. With `--expose-gc` set the same way, that
 * context also offers `gc()`. Elsewhere (browsers, or `cleanupSome: false`):
 * the standard registry and no GC.
 */

/** The part of `FinalizationRegistry` the allocators use, plus the optional `cleanupSome`. */
export interface Registry<T> {
  register(target: object, held: T, token: object): void;
  unregister(token: object): void;
  cleanupSome?: () => void;
}

interface NodeLike {
  getBuiltinModule?: (id: string) => unknown;
  versions?: { node?: string };
}

/**
 * A registry calling `reclaim(held)` for each collected target, and `gc`
 * (null where it cannot be had).
 *
 * @example
 * const { registry, gc } = makeRegistry<number>((ptr) => freeBlock(ptr), { cleanupSome: true, gc: true });
 * registry?.register(storage, ptr, storage);
 */
export function makeRegistry<T>(
  reclaim: (held: T) => void,
  opts: { cleanupSome?: boolean; gc?: boolean } = {},
): { registry: Registry<T> | null; gc: (() => void) | null } {
  const proc = (globalThis as { process?: NodeLike }).process;
  if (proc?.versions?.node !== undefined && opts.cleanupSome !== false) {
    try {
      const v8 = proc.getBuiltinModule?.('node:v8') as { setFlagsFromString(f: string): void } | undefined;
      const vm = proc.getBuiltinModule?.('node:vm') as { runInNewContext(code: string): unknown } | undefined;
      if (v8 !== undefined && vm !== undefined) {
        v8.setFlagsFromString('--harmony-weak-refs-with-cleanup-some');
        if (opts.gc !== false) v8.setFlagsFromString('--expose-gc');
        const [FR, gc] = vm.runInNewContext('[FinalizationRegistry, typeof gc === "function" ? gc : null]') as [
          new (cb: (held: T) => void) => Registry<T>,
          (() => void) | null,
        ];
        const r = new FR(reclaim);
        if (typeof r.cleanupSome === 'function') return { registry: r, gc };
      }
    } catch {
      // the standard registry below
    }
  }
  return { registry: typeof FinalizationRegistry === 'undefined' ? null : new FinalizationRegistry<T>(reclaim), gc: null };
}
