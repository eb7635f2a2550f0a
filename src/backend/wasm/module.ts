/**
 * Loading the wasm kernels: the compiled modules, the one linear memory they
 * share, and the runtime options.
 *
 * The modules are built from assembly/ by `npm run build:wasm` into this
 * folder (and dist/backend/wasm/), four variants: SIMD or relaxed SIMD, with
 * a private or a shared memory. In Node they are read and compiled
 * synchronously when this file is imported (`process.getBuiltinModule('node:fs')`,
 * `new WebAssembly.Module`), so `setBackend('wasm')` works at once; in a browser
 * (or when the files are elsewhere) `await initWasm()` fetches them by URL.
 *
 * The memory is created here (the modules import it): shared when
 * SharedArrayBuffer is usable (Node; browsers with cross-origin isolation),
 * so worker threads run kernels on the same buffers; private otherwise.
 * Relaxed SIMD (fused multiply-add in the float32 GEMM) is used when
 * `WebAssembly.validate` accepts the relaxed module. Node 20 (V8 11.3, one
 * release before V8 shipped relaxed SIMD) keeps it behind the V8 flag
 * `--experimental-wasm-relaxed-simd`: in Node this file sets that flag
 * through `v8.setFlagsFromString` before compiling, unless
 * `ADJOINT_RELAXED_SIMD=0`. Where the module still does not validate, the
 * plain SIMD module runs alone: relaxed SIMD is never required.
 */

/** The exports of one kernel module instance (see assembly/index.ts). */
export interface Kernels {
  heapBase(): number;
  GEMM_WORK_BYTES: WebAssembly.Global;
  gemmF32(a: number, sai: number, sak: number, b: number, sbk: number, sbj: number, c: number, ldc: number, n: number, k: number, m: number, work: number): void;
  gemmF64(a: number, sai: number, sak: number, b: number, sbk: number, sbj: number, c: number, ldc: number, n: number, k: number, m: number, work: number): void;
  unaryF32(op: number, x: number, out: number, geo: number): void;
  unaryF64(op: number, x: number, out: number, geo: number): void;
  binaryF32(op: number, a: number, b: number, out: number, geo: number): void;
  binaryF64(op: number, a: number, b: number, out: number, geo: number): void;
  compareF32(op: number, a: number, b: number, out: number, geo: number): void;
  compareF64(op: number, a: number, b: number, out: number, geo: number): void;
  whereF32(cond: number, a: number, b: number, out: number, geo: number): void;
  whereF64(cond: number, a: number, b: number, out: number, geo: number): void;
  copy(src: number, dst: number, size: number, geo: number): void;
  fillF32(dst: number, value: number, geo: number): void;
  fillF64(dst: number, value: number, geo: number): void;
  fillI32(dst: number, value: number, geo: number): void;
  fillU8(dst: number, value: number, geo: number): void;
  zero(ptr: number, bytes: number): void;
  reduceRowsF32(op: number, x: number, out: number, geoK: number, geoR: number): void;
  reduceRowsF64(op: number, x: number, out: number, geoK: number, geoR: number): void;
  reduceColsF32(op: number, x: number, out: number, m: number, geoK: number, geoR: number, work: number): void;
  reduceColsF64(op: number, x: number, out: number, m: number, geoK: number, geoR: number, work: number): void;
  im2colF32(x: number, out: number, g: number): void;
  im2colF64(x: number, out: number, g: number): void;
  col2imF32(cols: number, out: number, g: number): void;
  col2imF64(cols: number, out: number, g: number): void;
}

/** Everything the backend needs once the kernels are loaded. */
export interface Runtime {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  readonly plainModule: WebAssembly.Module;
  readonly relaxedModule: WebAssembly.Module | null;
  readonly plain: Kernels;
  readonly relaxed: Kernels | null;
  /** First byte the allocator may use (past the modules' static data, 64 KiB aligned). */
  readonly heapStart: number;
  readonly gemmWorkBytes: number;
}

/** Bytes of one wasm page. */
export const PAGE = 65536;
/** The declared maximum of the shared memory (scripts/build-wasm.mjs): 4 GiB. */
const MAX_PAGES = 65536;
const INITIAL_PAGES = 64;

interface NodeLike {
  env?: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => unknown;
  versions?: { node?: string };
}

/** `process` in Node, undefined elsewhere. */
export function nodeProcess(): NodeLike | undefined {
  const p = (globalThis as { process?: NodeLike }).process;
  return p?.versions?.node !== undefined ? p : undefined;
}

/** An environment variable in Node (undefined elsewhere). */
export function envVar(name: string): string | undefined {
  return nodeProcess()?.env?.[name];
}

function fileName(relaxed: boolean, shared: boolean): string {
  return `kernels-${relaxed ? 'relaxed' : 'simd'}${shared ? '-shared' : ''}.wasm`;
}

/**
 * The module files next to this one, as literal `new URL(..., import.meta.url)`
 * so that bundlers (Vite, esbuild with a loader, webpack) find and copy them.
 */
function moduleUrls(): Record<string, URL> {
  return {
    'kernels-simd.wasm': new URL('./kernels-simd.wasm', import.meta.url),
    'kernels-relaxed.wasm': new URL('./kernels-relaxed.wasm', import.meta.url),
    'kernels-simd-shared.wasm': new URL('./kernels-simd-shared.wasm', import.meta.url),
    'kernels-relaxed-shared.wasm': new URL('./kernels-relaxed-shared.wasm', import.meta.url),
  };
}

/** Whether a shared memory can be used here (and so worker threads). */
function canShare(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  const g = globalThis as { crossOriginIsolated?: boolean };
  return nodeProcess() !== undefined || g.crossOriginIsolated === true;
}

function createMemory(shared: boolean): WebAssembly.Memory | null {
  if (!shared) return new WebAssembly.Memory({ initial: INITIAL_PAGES });
  // Reserve the whole 4 GiB where the platform allows (64-bit), less elsewhere.
  for (const maximum of [MAX_PAGES, 16384, 4096]) {
    try {
      return new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum, shared: true });
    } catch {
      // try a smaller reservation
    }
  }
  return null;
}

/**
 * Sets V8's flag for relaxed SIMD in Node, where it is not on by default
 * (Node 20: V8 11.3, one release before relaxed SIMD shipped); a no-op elsewhere.
 */
function enableRelaxedFlag(): void {
  const v8 = nodeProcess()?.getBuiltinModule?.('node:v8') as { setFlagsFromString(f: string): void } | undefined;
  v8?.setFlagsFromString('--experimental-wasm-relaxed-simd');
}

type Fetch = (name: string) => Uint8Array<ArrayBuffer> | null;
type FetchAsync = (name: string) => Promise<Uint8Array<ArrayBuffer> | null>;

/** Builds the runtime from the module bytes (null when the files are missing). */
function build(plainBytes: Uint8Array<ArrayBuffer> | null, relaxedBytes: Uint8Array<ArrayBuffer> | null, shared: boolean, memory: WebAssembly.Memory): Runtime | null {
  if (plainBytes === null) return null;
  const plainModule = new WebAssembly.Module(plainBytes);
  let relaxedModule: WebAssembly.Module | null = null;
  const want = envVar('ADJOINT_RELAXED_SIMD');
  if (relaxedBytes !== null && want !== '0') {
    if (!WebAssembly.validate(relaxedBytes)) enableRelaxedFlag();
    if (WebAssembly.validate(relaxedBytes)) relaxedModule = new WebAssembly.Module(relaxedBytes);
  }
  const imports = { env: { memory } };
  const plain = new WebAssembly.Instance(plainModule, imports).exports as unknown as Kernels;
  const relaxed = relaxedModule === null ? null : (new WebAssembly.Instance(relaxedModule, imports).exports as unknown as Kernels);
  const heapStart = Math.ceil(Math.max(plain.heapBase(), 1024) / PAGE) * PAGE;
  return { memory, shared, plainModule, relaxedModule, plain, relaxed, heapStart, gemmWorkBytes: plain.GEMM_WORK_BYTES.value as number };
}

function setup(read: Fetch): Runtime | null {
  const shared = canShare();
  const memory = createMemory(shared);
  if (memory !== null) {
    const r = build(read(fileName(false, shared)), read(fileName(true, shared)), shared, memory);
    if (r !== null || !shared) return r;
  }
  return build(read(fileName(false, false)), read(fileName(true, false)), false, createMemory(false)!);
}

/** Reads the modules next to this file synchronously (Node), or returns null. */
export function loadSync(): Runtime | null {
  const fs = nodeProcess()?.getBuiltinModule?.('node:fs') as { readFileSync(p: URL): Uint8Array<ArrayBuffer> } | undefined;
  if (fs === undefined) return null;
  const urls = moduleUrls();
  return setup((name) => {
    try {
      return fs.readFileSync(urls[name]!);
    } catch {
      return null;
    }
  });
}

/**
 * Fetches the modules asynchronously (browsers): from `baseUrl` (default: next
 * to this file) with `fetch`, or from the file system in Node.
 */
export async function loadAsync(baseUrl?: string | URL): Promise<Runtime | null> {
  const urls = moduleUrls();
  const get: FetchAsync = async (name) => {
    try {
      const url = baseUrl === undefined ? urls[name]! : new URL(name, baseUrl);
      if (url.protocol === 'file:') {
        const fs = nodeProcess()?.getBuiltinModule?.('node:fs') as { promises: { readFile(p: URL): Promise<Uint8Array<ArrayBuffer>> } } | undefined;
        return fs === undefined ? null : await fs.promises.readFile(url);
      }
      const res = await fetch(url);
      return res.ok ? new Uint8Array(await res.arrayBuffer()) : null;
    } catch {
      return null;
    }
  };
  // Only the pair this platform uses (the private pair too if the shared one is missing).
  const bytes = new Map<string, Uint8Array<ArrayBuffer> | null>();
  const fetchPair = (shared: boolean) =>
    Promise.all([fileName(false, shared), fileName(true, shared)].map(async (n) => bytes.set(n, await get(n))));
  const shared = canShare();
  await fetchPair(shared);
  if (shared && bytes.get(fileName(false, true)) === null) await fetchPair(false);
  return setup((name) => bytes.get(name) ?? null);
}
