/**
 * Where W4's time goes (the MLP training step of shared/BENCHMARKS.md), on each backend:
 * kernel time (matmul, elementwise, reductions, ...) vs graph bookkeeping (op dispatch, autograd
 * node creation, the backward engine) vs allocation, measured from outside src/:
 *
 * 1. Timers: every method of the current backend object (`backend()` of src/backend/index.ts, and
 *    the js backend's, which the wasm backend calls for small storages) is wrapped with a timer;
 *    only the outermost backend call is counted, by the phase of the step it ran in (forward,
 *    backward, SGD update, reading the loss). Phase time minus kernel time is the frontend's:
 *    op dispatch, shape checks, views, autograd nodes, the engine. Bytes of every storage a
 *    kernel returns, and GC pauses (PerformanceObserver 'gc'), are counted per step; replaying
 *    the same allocations alone (`new Float32Array(n)`) gives what allocation costs by itself.
 * 2. A CPU profile: a child process runs under `node --cpu-prof` (100 µs sampling) and the
 *    samples of the steady-state window (after warm-up) are summed by self time per part of
 *    the library (src/autograd, src/ops, src/tensor, the kernels, the wasm allocator, GC, ...).
 *
 * Writes its section into bench/RESULTS.md (between the profile-w4 markers; `npm run bench`
 * keeps it) and prints JSON lines.
 *
 *   npx tsx bench/profile-w4.ts                both backends
 *   npx tsx bench/profile-w4.ts --only adjoint-js --steps 100 --no-write
 *   npx tsx bench/profile-w4.ts --only adjoint-wasm-compiled --no-write   (the step under `compile`:
 *     forward, backward and update are one call, timed as "forward"; fused loops are their own part)
 *   npx tsx bench/profile-w4.ts --summarise FILE.cpuprofile [--window START_US END_US]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setup, w4Model, type T } from './adjoint.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const SELF = fileURLToPath(import.meta.url);
const RESULTS_MD = join(HERE, 'RESULTS.md');
const START = '<!-- profile-w4:start -->';
const END = '<!-- profile-w4:end -->';

type Phase = 'forward' | 'backward' | 'update' | 'read';
const PHASES: Phase[] = ['forward', 'backward', 'update', 'read'];
const CATEGORY: Record<string, string> = {
  matmul: 'matmul',
  unary: 'elementwise', binary: 'elementwise', compare: 'elementwise', where: 'elementwise',
  reduce: 'reductions', argReduce: 'reductions',
  gather: 'gather/scatter', scatterAdd: 'gather/scatter',
  im2col: 'im2col/col2im', col2im: 'im2col/col2im',
  alloc: 'alloc/fill/copy/read', fromArray: 'alloc/fill/copy/read', fill: 'alloc/fill/copy/read', copy: 'alloc/fill/copy/read', read: 'alloc/fill/copy/read',
};
/** The impl whose W4 step runs under `compile` (bench/adjoint.ts). */
const COMPILED = 'adjoint-wasm-compiled';
const BYTES: Record<string, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

// ---------------------------------------------------------------------------------------------
// 1. Timers around the backend's methods.

interface StepProfile {
  total: number;
  phase: Record<Phase, number>;
  kernel: Record<Phase, number>;
  category: Record<string, number>;
  calls: Record<string, number>;
  bytes: number;
  sizes: number[];
  flops: number;
}

/** Warm-up as in the benchmark harness: at least 30 steps and 1 s (at most 1000 steps); returns how many ran. */
function warmUp(step: () => void): number {
  const t0 = performance.now();
  let i = 0;
  for (; i < 30 || (i < 1000 && performance.now() - t0 < 1000); i++) step();
  return i;
}

async function timers(impl: string, steps: number): Promise<Record<string, unknown>> {
  const { lib, F, info } = await setup(impl);
  const be = (await import('../src/backend/index.js')) as unknown as {
    backend(): Record<string, unknown>;
    jsBackend: Record<string, unknown>;
    wasmInfo?: () => { stats?: Record<string, number> };
  };
  const { lossFn, params, lr } = await w4Model(lib, F);

  let phase: Phase = 'forward';
  let depth = 0;
  let gcTotal = 0;
  let cur: StepProfile;
  const fresh = (): StepProfile => ({
    total: 0, phase: { forward: 0, backward: 0, update: 0, read: 0 }, kernel: { forward: 0, backward: 0, update: 0, read: 0 },
    category: {}, calls: {}, bytes: 0, sizes: [], flops: 0,
  });
  cur = fresh();
  const wrap = (obj: Record<string, unknown>): void => {
    for (const name of Object.keys(obj)) {
      const f = obj[name];
      if (typeof f !== 'function' || !(name in CATEGORY)) continue;
      obj[name] = function (this: unknown, ...args: unknown[]) {
        if (depth > 0) return (f as (...a: unknown[]) => unknown).apply(this, args);
        depth++;
        if (name === 'matmul') {
          const [a, b] = args as { shape: number[] }[];
          const n = a!.shape[a!.shape.length - 2]!;
          const k = a!.shape[a!.shape.length - 1]!;
          const m = b!.shape[b!.shape.length - 1]!;
          cur.flops += 2 * (a!.shape.slice(0, -2).reduce((x, y) => x * y, 1)) * n * k * m;
        }
        const t0 = performance.now();
        try {
          const out = (f as (...a: unknown[]) => unknown).apply(this, args) as { length?: number; dtype?: string } | undefined;
          if (out && typeof out.length === 'number' && typeof out.dtype === 'string' && name !== 'read') {
            const b = out.length * (BYTES[out.dtype] ?? 4);
            cur.bytes += b;
            cur.sizes.push(out.length);
          }
          return out;
        } finally {
          const dt = performance.now() - t0;
          depth--;
          cur.kernel[phase] += dt;
          const c = name === 'matmul' ? 'matmul' : CATEGORY[name]!;
          cur.category[c] = (cur.category[c] ?? 0) + dt;
          cur.calls[name] = (cur.calls[name] ?? 0) + 1;
        }
      };
    }
  };
  const target = be.backend();
  wrap(target);
  if (target !== be.jsBackend) wrap(be.jsBackend);

  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcTotal += e.duration;
  });
  obs.observe({ entryTypes: ['gc'] });

  // adjoint-wasm-compiled: forward, backward and update are one compiled call (timed as 'forward').
  const compiledStep = impl === COMPILED ? lib.compile((): T => {
    const loss = lossFn();
    loss.backward();
    lib.noGrad(() => {
      for (const q of params as T[]) {
        q.sub_(q.grad!.mul(lr));
        q.grad = null;
      }
    });
    return loss;
  }) : null;
  const step = (): StepProfile => {
    const p = fresh();
    cur = p;
    const t0 = performance.now();
    phase = 'forward';
    if (compiledStep !== null) {
      const loss = compiledStep();
      const t1 = performance.now();
      phase = 'read';
      loss.item();
      const t4 = performance.now();
      p.phase = { forward: t1 - t0, backward: 0, update: 0, read: t4 - t1 };
      p.total = t4 - t0;
      return p;
    }
    const loss = lossFn();
    const t1 = performance.now();
    phase = 'backward';
    loss.backward();
    const t2 = performance.now();
    phase = 'update';
    lib.noGrad(() => {
      for (const q of params as T[]) {
        q.sub_(q.grad!.mul(lr));
        q.grad = null;
      }
    });
    const t3 = performance.now();
    phase = 'read';
    loss.item();
    const t4 = performance.now();
    p.phase = { forward: t1 - t0, backward: t2 - t1, update: t3 - t2, read: t4 - t3 };
    p.total = t4 - t0;
    return p;
  };
  const warmup = warmUp(step);
  // Steps back to back, as the benchmark runs them (no yielding: FinalizationRegistry callbacks do not
  // run, so the wasm backend's residency limit is what bounds its memory, as in a plain training loop).
  await new Promise((r) => setImmediate(r));
  gcTotal = 0;
  const wasmStats = (): Record<string, number> => (be.wasmInfo ? (be.wasmInfo().stats ?? {}) : {});
  const s0 = { ...wasmStats() };
  const got: StepProfile[] = [];
  for (let i = 0; i < steps; i++) got.push(step());
  const s1 = { ...wasmStats() };
  await new Promise((r) => setTimeout(r, 50)); // GC entries are delivered asynchronously
  obs.disconnect();

  // Allocation alone: replay one step's output sizes as fresh typed arrays (zero-filled, as the js backend does).
  const sizes = got[0]!.sizes;
  const replay: number[] = [];
  let sink = 0;
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    for (const n of sizes) sink += new Float32Array(n).length;
    replay.push(performance.now() - t0);
  }
  const med = (f: (p: StepProfile) => number): number => r3(median(got.map(f)));
  const categories = [...new Set(got.flatMap((p) => Object.keys(p.category)))];
  const kernelTotal = (p: StepProfile): number => PHASES.reduce((s, ph) => s + p.kernel[ph], 0);
  return {
    impl, steps, warmup, ...info,
    step_ms: med((p) => p.total),
    phase_ms: Object.fromEntries(PHASES.map((ph) => [ph, med((p) => p.phase[ph])])),
    kernel_ms: Object.fromEntries(PHASES.map((ph) => [ph, med((p) => p.kernel[ph])])),
    frontend_ms: Object.fromEntries(PHASES.map((ph) => [ph, med((p) => p.phase[ph] - p.kernel[ph])])),
    kernel_total_ms: med(kernelTotal),
    frontend_total_ms: med((p) => p.total - kernelTotal(p)),
    category_ms: Object.fromEntries(categories.map((c) => [c, med((p) => p.category[c] ?? 0)])),
    calls_per_step: got[0]!.calls,
    backend_calls_per_step: Object.values(got[0]!.calls).reduce((a, b) => a + b, 0),
    mb_allocated_per_step: r3(got[0]!.bytes / 2 ** 20),
    storages_per_step: sizes.length,
    alloc_replay_ms: r3(median(replay) + 0 * sink),
    gc_ms_per_step: r3(gcTotal / got.length),
    matmul_gflops: r3(got[0]!.flops / 1e6 / median(got.map((p) => p.category.matmul ?? 0))),
    mflop_per_step: r3(got[0]!.flops / 1e6),
    ...(impl !== 'adjoint-js' && s1.evictions !== undefined ? { wasm_per_step: Object.fromEntries(['evictions', 'refaults', 'allocs', 'reused', 'parallelCalls'].map((k) => [k, r3(((s1[k] ?? 0) - (s0[k] ?? 0)) / steps)])) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// 2. The CPU profile (node --cpu-prof), summarised by part of the library.

interface CpuNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: CpuNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * Names of a wasm module's functions by index (the profile says `wasm-function[i]`): the name
 * section when there is one, else the export names (inner helpers stay unnamed).
 */
function wasmNames(file: string): Map<number, string> {
  const names = new Map<number, string>();
  if (!existsSync(file)) return names;
  const b = readFileSync(file);
  let i = 8;
  const leb = (): number => {
    let r = 0;
    let sh = 0;
    for (;;) {
      const x = b[i++]!;
      r += (x & 0x7f) * 2 ** sh;
      sh += 7;
      if (x < 0x80) return r;
    }
  };
  const str = (): string => {
    const n = leb();
    const t = b.subarray(i, i + n).toString('utf8');
    i += n;
    return t;
  };
  let imported = 0;
  while (i < b.length) {
    const id = b[i++]!;
    const size = leb();
    const end = i + size;
    if (id === 2) {
      for (let k = leb(); k > 0; k--) {
        str();
        str();
        const kind = b[i++]!;
        if (kind === 0) (leb(), imported++);
        else if (kind === 1) (i++, b[i++]! & 1 ? (leb(), leb()) : leb());
        else if (kind === 2) (b[i++]! & 1 ? (leb(), leb()) : leb());
        else i += 2;
      }
    } else if (id === 7) {
      for (let k = leb(); k > 0; k--) {
        const name = str();
        const kind = b[i++]!;
        const idx = leb();
        if (kind === 0 && !names.has(idx)) names.set(idx, name);
      }
    }
    i = end;
  }
  void imported;
  return names;
}
let WASM_NAMES = new Map<number, string>();

function partOf(n: CpuNode): string {
  const { url, functionName } = n.callFrame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return 'V8/native (program)';
  if (url.startsWith('wasm://') || /^(wasm-function|\$)/.test(functionName)) return 'wasm kernels';
  if (url.startsWith('adjoint-compile-fused-')) return 'fused loops (compile, generated JS)';
  const m = /\/src\/(.*)$/.exec(url);
  if (m) {
    const f = m[1]!;
    if (f.startsWith('autograd/')) return 'autograd (nodes, engine)';
    if (f.startsWith('ops/')) return 'ops (dispatch, broadcast, grad fns)';
    if (f.startsWith('tensor/')) return 'tensor (views, shapes, creation)';
    if (f === 'backend/js.ts' || f === 'backend/math.ts') return 'js kernels';
    if (f === 'backend/wasm/memory.ts') return 'wasm allocator/residency';
    if (f.startsWith('backend/wasm/')) return 'wasm glue (marshalling, threads)';
    if (f.startsWith('nn/')) return 'nn/functional';
    if (f.startsWith('compile/')) return 'compile (replay)';
    return `src/${f.split('/')[0]}`;
  }
  if (url.includes('/bench/')) return 'bench harness';
  if (url === '' && functionName !== '') return 'V8 builtins (typed arrays, Map, ...)';
  return 'runtime (node, tsx)';
}

export function summarise(p: CpuProfile, window?: [number, number]): { total_ms: number; samples: number; parts: Record<string, number>; top: { fn: string; where: string; ms: number }[] } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** `wasm-function[i]`: its export name, or "inner of <nearest exported or JS caller>". */
  const wasmLabel = (n: CpuNode): string | null => {
    const wf = /^wasm-function\[(\d+)\]$/.exec(n.callFrame.functionName);
    if (!wf) return null;
    const own = WASM_NAMES.get(Number(wf[1]));
    if (own) return `${own} (wasm)`;
    for (let id = parent.get(n.id); id !== undefined; id = parent.get(id)) {
      const a = byId.get(id)!;
      const aw = /^wasm-function\[(\d+)\]$/.exec(a.callFrame.functionName);
      const name = aw ? WASM_NAMES.get(Number(aw[1])) : a.callFrame.functionName;
      if (name) return `${n.callFrame.functionName}, inside ${name}`;
    }
    return n.callFrame.functionName;
  };
  const self = new Map<number, number>();
  let t = p.startTime;
  let total = 0;
  let count = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i]!;
    if (window && (t < window[0] || t > window[1])) continue;
    const dt = p.timeDeltas[i + 1] ?? 0; // a sample stands for the time until the next one
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + dt);
    total += dt;
    count++;
  }
  const parts: Record<string, number> = {};
  const fns = new Map<string, { fn: string; where: string; ms: number }>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const part = partOf(n);
    parts[part] = (parts[part] ?? 0) + us / 1000;
    // File only: tsx transforms the sources, so the profile's line numbers are not the files'.
    const where = n.callFrame.url.startsWith('wasm://') ? 'wasm' : n.callFrame.url.replace(/^.*\/(src|bench)\//, '$1/');
    const fn = wasmLabel(n) ?? (n.callFrame.functionName || '(anonymous)');
    const e = fns.get(`${fn}|${where}`) ?? { fn, where, ms: 0 };
    e.ms += us / 1000;
    fns.set(`${fn}|${where}`, e);
  }
  const top = [...fns.values()].sort((a, b) => b.ms - a.ms).slice(0, 15).map((e) => ({ ...e, ms: r3(e.ms) }));
  return { total_ms: r3(total / 1000), samples: count, parts: Object.fromEntries(Object.entries(parts).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, r3(v)])), top };
}

/** In the child: warm up, then run `steps` W4 steps between two marks on the profiler's clock. */
async function cpuChild(impl: string, steps: number): Promise<void> {
  const { lib, F } = await setup(impl);
  const { lossFn, params, lr } = await w4Model(lib, F);
  const train = (): T => {
    const loss = lossFn();
    loss.backward();
    lib.noGrad(() => {
      for (const q of params) {
        q.sub_(q.grad!.mul(lr));
        q.grad = null;
      }
    });
    return loss;
  };
  const run = impl === COMPILED ? lib.compile(train) : train;
  const step = (): void => {
    run().item();
  };
  warmUp(step);
  // The profile's timestamps are CLOCK_MONOTONIC microseconds, as process.hrtime is (Linux).
  const us = (): number => Number(process.hrtime.bigint() / 1000n);
  const a = us();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const wall = performance.now() - t0;
  const b = us();
  const wasm = impl === 'adjoint-js' ? undefined : `kernels-${(lib as unknown as { wasmInfo?: () => { relaxed: boolean } }).wasmInfo?.().relaxed ?? impl.endsWith('relaxed') ? 'relaxed' : 'simd'}-shared.wasm`;
  console.log('WINDOW ' + JSON.stringify({ start: a, end: b, wall_ms: wall, steps, wasm }));
}

function cpuProfile(impl: string, steps: number): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'adjoint-w4-prof-'));
  const r = spawnSync(process.execPath, [...process.execArgv, '--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100', SELF, '--cpu-child', impl, String(steps)], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24,
  });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('WINDOW '));
  if (!line) return { impl, error: `cpu-prof child failed: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}` };
  const win = JSON.parse(line.slice(7)) as { start: number; end: number; wall_ms: number; steps: number; wasm?: string };
  WASM_NAMES = win.wasm ? wasmNames(join(ROOT, 'src/backend/wasm', win.wasm)) : new Map();
  // One file per thread (main, tsx's loader thread, wasm workers): the main thread is the one
  // with the most JS time of the library in the window.
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
  const profiles = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as CpuProfile);
  const sums = profiles.map((p) => summarise(p, [win.start, win.end]));
  const busy = (x: ReturnType<typeof summarise>): number => x.total_ms - (x.parts['idle'] ?? 0) - (x.parts['V8/native (program)'] ?? 0);
  const lib = (x: ReturnType<typeof summarise>): number => Object.entries(x.parts).filter(([k]) => k.includes('autograd') || k.includes('ops')).reduce((a, [, v]) => a + v, 0);
  const mi = sums.reduce((best, x, i) => (lib(x) > lib(sums[best]!) ? i : best), 0);
  const main = profiles[mi]!;
  const s = sums[mi]!;
  const workers = sums.filter((_, i) => i !== mi && busy(sums[i]!) / win.steps > 0.05);
  const kept = join(tmpdir(), `adjoint-w4-${impl}.cpuprofile`);
  writeFileSync(kept, JSON.stringify(main));
  rmSync(dir, { recursive: true, force: true });
  return {
    impl, steps: win.steps, wall_ms: r3(win.wall_ms), ms_per_step: r3(win.wall_ms / win.steps), sampled_ms: s.total_ms,
    per_step_ms: Object.fromEntries(Object.entries(s.parts).map(([k, v]) => [k, r3(v / win.steps)])),
    share: Object.fromEntries(Object.entries(s.parts).map(([k, v]) => [k, Math.round((1000 * v) / s.total_ms) / 10])),
    top: s.top.map((e) => ({ ...e, ms_per_step: r3(e.ms / win.steps) })),
    other_threads: workers.map((w) => ({ wasm_kernels_ms_per_step: r3((w.parts['wasm kernels'] ?? 0) / win.steps), other_ms_per_step: r3((busy(w) - (w.parts['wasm kernels'] ?? 0)) / win.steps) })),
    profile: kept,
  };
}

// ---------------------------------------------------------------------------------------------
// The section of RESULTS.md.

type Rec = Record<string, unknown>;
const obj = (r: Rec, k: string): Record<string, number> => (r[k] ?? {}) as Record<string, number>;
const f2 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '–' : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const pct = (x: number, of: number): string => `${Math.round((100 * x) / of)}%`;

function section(tm: Rec[], cp: Rec[], note: string): string {
  const ok = tm.filter((t) => !t.error);
  const col = (t: Rec): string => String(t.impl);
  const lines: string[] = [];
  lines.push(`${START}\n## Where W4's time goes (bench/profile-w4.ts)\n`);
  lines.push(`${note}\n`);
  lines.push('### Timers around the backend (median ms per step)\n');
  lines.push(`| | ${ok.map(col).join(' | ')} |\n|---|${ok.map(() => '---:').join('|')}|`);
  const row = (label: string, f: (t: Rec) => string): void => void lines.push(`| ${label} | ${ok.map(f).join(' | ')} |`);
  row('**step** (instrumented)', (t) => `**${f2(t.step_ms as number)}**`);
  for (const ph of PHASES) {
    row(`${ph}: kernels / frontend`, (t) => `${f2(obj(t, 'kernel_ms')[ph])} / ${f2(obj(t, 'frontend_ms')[ph])}`);
  }
  row('**kernels** (all backend calls)', (t) => `**${f2(t.kernel_total_ms as number)}** (${pct(t.kernel_total_ms as number, t.step_ms as number)})`);
  const cats = [...new Set(ok.flatMap((t) => Object.keys(obj(t, 'category_ms'))))].sort((a, b) => (obj(ok[0]!, 'category_ms')[b] ?? 0) - (obj(ok[0]!, 'category_ms')[a] ?? 0));
  for (const c of cats) row(`&nbsp;&nbsp;${c}`, (t) => f2(obj(t, 'category_ms')[c]));
  row('**frontend** (dispatch, views, autograd nodes, engine)', (t) => `**${f2(t.frontend_total_ms as number)}** (${pct(t.frontend_total_ms as number, t.step_ms as number)})`);
  row('backend calls per step', (t) => String(t.backend_calls_per_step));
  row('storages allocated per step (MB)', (t) => `${t.storages_per_step} (${f2(t.mb_allocated_per_step as number)})`);
  row('those allocations alone, replayed (`new Float32Array`)', (t) => f2(t.alloc_replay_ms as number));
  row('GC pauses per step', (t) => f2(t.gc_ms_per_step as number));
  row('matmul: MFLOP per step, GFLOP/s inside W4', (t) => `${f2(t.mflop_per_step as number)}, ${f2(t.matmul_gflops as number)}`);
  if (ok.some((t) => t.wasm_per_step)) {
    row('wasm: evictions / refaults / kernel calls split over threads per step', (t) => {
      const w = t.wasm_per_step as Record<string, number> | undefined;
      return w ? `${f2(w.evictions)} / ${f2(w.refaults)} / ${f2(w.parallelCalls)}` : '–';
    });
  }
  lines.push('');
  lines.push('Kernels are timed at the outermost backend call, so "matmul" includes the wasm backend copying inputs in and waiting for its worker thread, and "alloc" happens inside each kernel (replayed alone in the row below it); "frontend" is phase time minus kernel time: op dispatch, dtype/shape checks, broadcast views, autograd node creation, the backward engine, gradient accumulation.\n');
  const cpOk = cp.filter((c) => !c.error);
  if (cpOk.length) {
    lines.push(`### CPU profile (\`node --cpu-prof\`, 100 µs sampling, ${cpOk[0]!.steps} steady-state steps; self time, ms per step and share)\n`);
    const parts = [...new Set(cpOk.flatMap((c) => Object.keys(obj(c, 'per_step_ms'))))].sort((a, b) => (obj(cpOk[0]!, 'per_step_ms')[b] ?? 0) - (obj(cpOk[0]!, 'per_step_ms')[a] ?? 0));
    lines.push(`| part | ${cpOk.map(col).join(' | ')} |\n|---|${cpOk.map(() => '---:').join('|')}|`);
    lines.push(`| **wall per step** (uninstrumented) | ${cpOk.map((c) => `**${f2(c.ms_per_step as number)}**`).join(' | ')} |`);
    for (const p of parts) lines.push(`| ${p} | ${cpOk.map((c) => `${f2(obj(c, 'per_step_ms')[p])} (${f2(obj(c, 'share')[p])}%)`).join(' | ')} |`);
    const threads = (c: Rec): string =>
      ((c.other_threads ?? []) as { wasm_kernels_ms_per_step: number; other_ms_per_step: number }[])
        .map((t) => `${f2(t.wasm_kernels_ms_per_step)} in wasm kernels + ${f2(t.other_ms_per_step)} spinning/waiting`).join('; ') || '–';
    lines.push(`| other threads (the wasm worker; tsx's loader), ms per step | ${cpOk.map(threads).join(' | ')} |`);
    lines.push('');
    lines.push('Self time by the file a function is in; V8 inlines small functions into their callers, so a part\'s self time includes what it inlined (e.g. backend calls inlined into the engine), and the profiler\'s own overhead (100 µs sampling) makes the profiled step a little slower.\n');
    for (const c of cpOk) {
      lines.push(`Top self time, ${c.impl}: ` + (c.top as { fn: string; where: string; ms_per_step: number }[]).slice(0, 8).map((e) => `\`${e.fn}\` ${e.where ? `(${e.where})` : ''} ${f2(e.ms_per_step)}`).join('; ') + '.\n');
    }
  }
  for (const c of cp.filter((x) => x.error)) lines.push(`CPU profile of ${c.impl} failed: ${c.error}\n`);
  lines.push(`### The next step\n\n${nextStep(ok, cpOk)}\n${END}`);
  return lines.join('\n');
}

/** The conclusion, from the numbers (the largest share of the step says where to go next). */
function nextStep(tm: Rec[], cp: Rec[]): string {
  const out: string[] = [];
  for (const t of tm) {
    const step = t.step_ms as number;
    const cat = obj(t, 'category_ms');
    const mm = cat.matmul ?? 0;
    const fe = t.frontend_total_ms as number;
    const nonMm = (t.kernel_total_ms as number) - mm;
    const c = cp.find((x) => x.impl === t.impl);
    const gc = c ? (obj(c, 'per_step_ms')['GC'] ?? 0) : (t.gc_ms_per_step as number);
    const biggest = [['matmul kernels', mm], ['other kernels (elementwise, reductions, copies)', nonMm], ['frontend + autograd bookkeeping', fe]].sort((a, b) => (b[1] as number) - (a[1] as number));
    out.push(
      `- **${t.impl}** (${f2(step)} ms/step instrumented): ${biggest.map(([k, v]) => `${k} ${f2(v as number)} ms (${pct(v as number, step)})`).join(', ')}; GC ${f2(gc)} ms/step. ` +
        `The GEMMs run at ${f2(t.matmul_gflops as number)} GFLOP/s on W4's shapes (${f2(t.mflop_per_step as number)} MFLOP per step). ` +
        `${t.backend_calls_per_step} backend calls and ${f2(t.mb_allocated_per_step as number)} MB of fresh storages per step: ${Object.entries(obj(t, 'calls_per_step')).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${v} ${k}`).join(', ')}.`,
    );
  }
  return out.join('\n');
}

function writeSection(sec: string): void {
  let md = existsSync(RESULTS_MD) ? readFileSync(RESULTS_MD, 'utf8') : '# adjoint — benchmark results\n\n(run `npm run bench` for the tables)\n';
  const a = md.indexOf(START);
  const b = md.indexOf(END);
  md = a >= 0 && b > a ? md.slice(0, a) + sec + md.slice(b + END.length) : md.trimEnd() + '\n\n' + sec + '\n';
  writeFileSync(RESULTS_MD, md);
}

// ---------------------------------------------------------------------------------------------

async function main(argv: string[]): Promise<void> {
  const opt = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  if (argv[0] === '--cpu-child') return cpuChild(argv[1]!, Number(argv[2]));
  if (argv[0] === '--timers-child') {
    console.log('TIMERS ' + JSON.stringify(await timers(argv[1]!, Number(argv[2]))));
    process.exit(0);
  }
  if (argv[0] === '--summarise') {
    const p = JSON.parse(readFileSync(argv[1]!, 'utf8')) as CpuProfile;
    const w = opt('--window');
    console.log(JSON.stringify(summarise(p, w ? [Number(w), Number(argv[argv.indexOf('--window') + 2])] : undefined), null, 1));
    return;
  }
  const steps = Number(opt('--steps') ?? 100);
  const impls = opt('--only')?.split(',') ?? ['adjoint-js', 'adjoint-wasm'];
  const load0 = loadavg();
  const tm: Rec[] = [];
  const cp: Rec[] = [];
  for (const impl of impls) {
    // Each measurement in its own process (a fresh heap and wasm memory).
    const r = spawnSync(process.execPath, [...process.execArgv, SELF, '--timers-child', impl, String(steps)], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
    const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('TIMERS '));
    const t = line ? (JSON.parse(line.slice(7)) as Rec) : { impl, error: (r.stderr ?? '').trim().split('\n').slice(-3).join(' | ') };
    console.log(JSON.stringify({ profile: 'timers', ...t }));
    tm.push(t);
    const c = cpuProfile(impl, steps);
    console.log(JSON.stringify({ profile: 'cpu', ...c }));
    cp.push(c);
  }
  const load1 = loadavg();
  const note =
    `Run on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} vCPUs, Node ${process.version}; load average ${load0.map((x) => x.toFixed(2)).join(', ')} → ${load1.map((x) => x.toFixed(2)).join(', ')} ` +
    `(shared machine: absolute ms are inflated when others run, the split between parts much less). ${steps} steps after a 1 s warm-up (at least 30 steps, as in the benchmark harness), each backend in its own process.`;
  const sec = section(tm, cp, note);
  process.stderr.write('\n' + sec + '\n');
  if (!argv.includes('--no-write')) {
    writeSection(sec);
    process.stderr.write('written: bench/RESULTS.md (profile section)\n');
  }
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) await main(process.argv.slice(2));
