/**
 * adjoint's side of the benchmark suite: workloads W1b–W6 of shared/BENCHMARKS.md on the
 * tensor library, on each backend `setBackend` accepts (`js`, `wasm`, and `wasm` without relaxed
 * SIMD where the runtime has it), with exactly the peers' data (bench/peers/data.mjs), their
 * timing rules (bench/peers/harness.mjs `measure`) and their row format (one JSON line per
 * (impl, workload, param); `impl` is "adjoint-js", "adjoint-wasm", "adjoint-wasm-nofma", and
 * "adjoint-wasm-compiled": W1b, W4, W5, W6 as `compile`d steps).
 * W1 and the scalar W2 (the `Value` engine) come from bench/scalar.ts, run as a child
 * (`--one adjoint:W1`), and are converted to the same format (`impl` "adjoint-value").
 *
 * Every (impl, workload, param) runs in its own child process (peak RSS is its own), with a
 * timeout and an RSS cap, like the peers (bench/peers/run.mjs).
 *
 *   node --import tsx bench/adjoint.ts [--quick] [--only adjoint-js,adjoint-wasm] [--workloads W3,W4]
 *   node --import tsx bench/adjoint.ts --child adjoint-wasm W4 - '{"runs":7}'   (one row, in this process)
 *
 * `npm run bench` (bench/run.ts) runs these rows together with the peers'.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const SELF = fileURLToPath(import.meta.url);

/**
 * adjoint-wasm is the default configuration (relaxed SIMD, i.e. FMA in the float32 GEMM, where
 * the runtime has it); adjoint-wasm-nofma turns it off (ADJOINT_RELAXED_SIMD=0, read when the
 * wasm module loads) to show what FMA adds.
 */
export const ADJOINT_IMPLS = ['adjoint-js', 'adjoint-wasm', 'adjoint-wasm-nofma', 'adjoint-wasm-compiled'] as const;
export type AdjointImpl = (typeof ADJOINT_IMPLS)[number];
export const WORKLOADS = ['W1', 'W1b', 'W2', 'W3', 'W4', 'W5', 'W6', 'O1', 'O2', 'O3', 'O4', 'O5'] as const;
/** Relaxed SIMD changes only the GEMM (fused multiply-add): measured where GEMMs dominate. */
const RELAXED_WORKLOADS = new Set(['W3', 'W4', 'W6']);
/**
 * adjoint-wasm-compiled: the same steps on wasm under `compile` (traced at the first warm-up
 * step, replayed after: fused elementwise loops, no autograd graph, planned buffers); the
 * loss is read back outside the compiled step, like the eager rows read it inside theirs.
 */
const COMPILED_WORKLOADS = new Set(['W1b', 'W4', 'W5', 'W6']);

// ---------------------------------------------------------------------------------------------
// The peers' modules (plain JS, no types): loaded by URL and described here.

export interface Timing {
  warmup: number;
  warmupMs: number;
  runs: number;
  maxRuns: number;
  targetMs: number;
  budgetMs: number;
}
type Row = Record<string, unknown> & { impl: string; workload: string; param: number | null };
interface StepResult {
  fwd_ms: number;
  bwd_ms: number;
}
interface Workload {
  check: Record<string, number>;
  step(phase: string): StepResult | void;
  mode?: string;
  note?: string;
}
interface DataModule {
  lcg(seed: number): () => number;
  transpose(m: Float32Array, rows: number, cols: number): Float32Array;
  mlpSmall(): { X: Float32Array; y: Float32Array; layers: { nin: number; nout: number; W: Float32Array }[] };
  matmulInputs(n: number): { A: Float32Array; B: Float32Array };
  mlpMnist(): { X: Float32Array; labels: Int32Array; layers: { nin: number; nout: number; W: Float32Array }[] };
  perOpInput(): Float32Array;
  convInputs(): { X: Float32Array; W: Float32Array };
  /** O1–O5 (bench/peers/ops.json): sizes, titles, inputs. */
  OPS_SPEC: Record<string, Record<string, number | string> & { title: string }>;
  opInputs(id: string): Record<string, Float32Array>;
}
interface HarnessModule {
  measure(step: (phase: string) => unknown, o: Partial<Timing>): Promise<Record<string, number>>;
  emit(row: Record<string, unknown>): void;
  round(x: number, digits?: number): number;
}
/** The sizes and timing rules, shared with the peers (bench/peers/run.mjs). */
type Plan = { timing: Timing; timeoutMs: number; quietMs: number; params: Record<string, (number | null)[]> };
interface PlanModule {
  plan(quick: boolean): Plan;
}
interface CommonModule {
  chainCheck(n: number, xN: number, dx: number): Record<string, number>;
  chainLength(phase: string, n: number): number;
  sum(a: ArrayLike<number>): number;
  OPS: number;
}
const peer = async <T>(file: string): Promise<T> => (await import(pathToFileURL(join(HERE, 'peers', file)).href)) as T;

// ---------------------------------------------------------------------------------------------
// The workloads (run inside a child process, after the backend is chosen).

export type Lib = typeof import('../src/index.js');
export type F = typeof import('../src/nn/functional/index.js');
export type T = import('../src/index.js').Tensor;

async function makeWorkload(lib: Lib, F: F, workload: string, param: number | null, compiled = false): Promise<Workload> {
  const data = await peer<DataModule>('data.mjs');
  const { chainCheck, chainLength, sum, OPS } = await peer<CommonModule>('impl/common.mjs');
  const { tensor, zeros, noGrad } = lib;
  /** `f`, compiled for the adjoint-wasm-compiled rows. */
  const maybeCompiled = <A extends unknown[], R>(f: (...a: A) => R): ((...a: A) => R) => (compiled ? lib.compile(f) : f);

  /** forward + backward + SGD (p -= lr·grad, under noGrad), the loss read back inside the step. */
  const trainer = (lossFn: () => T, params: T[], lr: number): Workload => {
    const check: Record<string, number> = {};
    let n = 0;
    const train = maybeCompiled((): T => {
      const loss = lossFn();
      loss.backward();
      noGrad(() => {
        for (const p of params) {
          p.sub_(p.grad!.mul(lr));
          p.grad = null;
        }
      });
      return loss;
    });
    return {
      check,
      step() {
        const l = train().item();
        if (n < 2) check[`loss${n}`] = l;
        n++;
      },
    };
  };

  switch (workload) {
    case 'W1b': {
      const d = data.mlpSmall();
      const X = tensor(d.X, { shape: [100, 2] });
      const Y = tensor(d.y, { shape: [100, 1] });
      const params = d.layers.flatMap((l) => [
        tensor(data.transpose(l.W, l.nout, l.nin), { shape: [l.nin, l.nout], requiresGrad: true }),
        zeros([l.nout], { requiresGrad: true }),
      ]);
      return trainer(() => mlp(X, params, (t) => t.tanh()).sub(Y).pow(2).mean(), params, 0.05);
    }
    case 'W2': {
      const n = param!;
      const check: Record<string, number> = {};
      return {
        check,
        step(phase) {
          const len = chainLength(phase, n);
          const t0 = performance.now();
          const x0 = tensor(0.5, { requiresGrad: true });
          let x = x0;
          for (let i = 0; i < len; i++) x = x.mul(1.00001).add(0.001);
          const t1 = performance.now();
          x.backward();
          const t2 = performance.now();
          if (phase === 'timed') Object.assign(check, chainCheck(n, x.item(), x0.grad!.item()));
          return { fwd_ms: t1 - t0, bwd_ms: t2 - t1 };
        },
      };
    }
    case 'W3': {
      const n = param!;
      const { A, B } = data.matmulInputs(n);
      const a = tensor(A, { shape: [n, n] });
      const b = tensor(B, { shape: [n, n] });
      const check: Record<string, number> = {};
      const at = (c: T, i: number, j: number): number => c.narrow(0, i, 1).narrow(1, j, 1).item();
      return {
        check,
        step() {
          const c = a.matmul(b);
          check.c00 = at(c, 0, 0);
          check.c_last = at(c, n - 1, n - 1);
        },
      };
    }
    case 'W4': {
      const { lossFn, params, lr } = await w4Model(lib, F);
      return trainer(lossFn, params, lr);
    }
    case 'W5': {
      const x = tensor(data.perOpInput(), { requiresGrad: true });
      const check: Record<string, number> = {};
      const run = maybeCompiled((): [T, T] => {
        let h = x;
        for (let k = 0; k < OPS; k++) h = k % 3 === 0 ? h.add(0.01) : k % 3 === 1 ? h.mul(0.99) : h.tanh();
        const loss = h.sum();
        loss.backward();
        const g = x.grad!;
        x.grad = null;
        return [loss, g];
      });
      return {
        check,
        step() {
          const [loss, g] = run();
          check.loss = loss.item();
          check.grad_sum = sum(g.toTypedArray());
        },
      };
    }
    case 'W6': {
      const d = data.convInputs();
      const X = tensor(d.X, { shape: [32, 1, 28, 28] });
      const W = tensor(d.W, { shape: [32, 1, 3, 3], requiresGrad: true });
      const check: Record<string, number> = {};
      const run = maybeCompiled((): [T, T] => {
        const loss = F.conv2d(X, W).relu().sum();
        loss.backward();
        const g = W.grad!;
        W.grad = null;
        return [loss, g];
      });
      return {
        check,
        step() {
          const [loss, g] = run();
          check.loss = loss.item();
          check.grad_sum = sum(g.toTypedArray());
        },
      };
    }
    case 'O1': {
      const { b, n, equation } = data.OPS_SPEC.O1 as unknown as { b: number; n: number; equation: string };
      const d = data.opInputs('O1');
      const a = tensor(d.a!, { shape: [b, n, n] });
      const bb = tensor(d.b!, { shape: [b, n, n] });
      const check: Record<string, number> = {};
      const at = (c: T, i: number, j: number, k: number): number => c.narrow(0, i, 1).narrow(1, j, 1).narrow(2, k, 1).item();
      return {
        check,
        step() {
          const c = noGrad(() => lib.einsum(equation, a, bb));
          check.c000 = at(c, 0, 0, 0);
          check.c_last = at(c, b - 1, n - 1, n - 1);
        },
      };
    }
    case 'O2': {
      const { seq, batch, input, hidden } = data.OPS_SPEC.O2 as Record<string, number>;
      const d = data.opInputs('O2');
      const { LSTM } = await import('../src/nn/index.js');
      const lstm = new LSTM(input!, hidden!);
      const [wih, whh, bih, bhh] = lstm.parameters();
      noGrad(() => {
        wih!.copy_(tensor(d.wih!, { shape: wih!.shape }));
        whh!.copy_(tensor(d.whh!, { shape: whh!.shape }));
        bih!.copy_(tensor(d.bih!, { shape: bih!.shape }));
        bhh!.copy_(tensor(d.bhh!, { shape: bhh!.shape }));
      });
      const x = tensor(d.x!, { shape: [seq!, batch!, input!] });
      const check: Record<string, number> = {};
      return {
        check,
        step() {
          lstm.zeroGrad();
          const [out, [hN]] = lstm.forward(x);
          const loss = out.sum().add(hN.sum());
          loss.backward();
          check.loss = loss.item();
          check.grad_sum = sum(whh!.grad!.toTypedArray());
        },
      };
    }
    case 'O3': {
      const { batch, cin, cout, hw, k, stride, padding } = data.OPS_SPEC.O3 as Record<string, number>;
      const d = data.opInputs('O3');
      const x = tensor(d.x!, { shape: [batch!, cin!, hw!, hw!], requiresGrad: true });
      const w = tensor(d.w!, { shape: [cin!, cout!, k!, k!], requiresGrad: true });
      const check: Record<string, number> = {};
      return {
        check,
        step() {
          x.grad = null;
          w.grad = null;
          const loss = F.convTranspose2d(x, w, null, { stride, padding }).sum();
          loss.backward();
          check.loss = loss.item();
          check.grad_sum = sum(w.grad!.toTypedArray());
        },
      };
    }
    case 'O4':
    case 'O5': {
      const n = data.OPS_SPEC[workload]!.n as number;
      const a = tensor(data.opInputs(workload).A!, { shape: [n, n] });
      const check: Record<string, number> = {};
      if (workload === 'O4') {
        const spd = noGrad(() => a.matmul(a.transpose(0, 1)).add(lib.eye(n).mul(n)));
        return {
          check,
          step() {
            const l = noGrad(() => lib.linalg.cholesky(spd));
            check.l_last = l.narrow(0, n - 1, 1).narrow(1, n - 1, 1).item();
          },
        };
      }
      return {
        check,
        step() {
          const { U, S, Vh } = noGrad(() => lib.linalg.svd(a));
          void U.toTypedArray(); // all three factors computed and read back, like PyTorch's
          void Vh.toTypedArray();
          const s = S.toTypedArray();
          check.s0 = s[0]!;
          check.s_last = s[n - 1]!;
        },
      };
    }
    default:
      throw new Error(`unknown workload ${workload}`);
  }
}

/** The MLP of W1b and W4: act(act(x·W1 + b1)·W2 + b2)·W3 + b3, weights [in, out]. */
const mlp = (x: T, ps: T[], act: (t: T) => T): T =>
  act(act(x.matmul(ps[0]!).add(ps[1]!)).matmul(ps[2]!).add(ps[3]!)).matmul(ps[4]!).add(ps[5]!);

/** W4's model and loss (also used by bench/profile-w4.ts): MLP 784→256→256→10, relu, cross-entropy. */
export async function w4Model(lib: Lib, F: F): Promise<{ lossFn: () => T; params: T[]; lr: number }> {
  const data = await peer<DataModule>('data.mjs');
  const { tensor, zeros } = lib;
  const d = data.mlpMnist();
  const X = tensor(d.X, { shape: [128, 784] });
  const labels = tensor(d.labels, { shape: [128] });
  const params = d.layers.flatMap((l) => [
    tensor(l.W, { shape: [l.nin, l.nout], requiresGrad: true }),
    zeros([l.nout], { requiresGrad: true }),
  ]);
  const lossFn = (): T => F.crossEntropy(mlp(X, params, (t) => t.relu()), labels);
  return { lossFn, params, lr: 0.01 };
}

/** Chooses the backend of `impl`; returns the row fields that describe it, or throws "unavailable: ...". */
export async function setup(impl: string): Promise<{ lib: Lib; F: F; info: Record<string, unknown> }> {
  // adjoint-wasm: the default configuration (relaxed SIMD where the runtime has it, flag or not).
  if (impl === 'adjoint-wasm-nofma') process.env.ADJOINT_RELAXED_SIMD = '0';
  else delete process.env.ADJOINT_RELAXED_SIMD;
  const lib = await import('../src/index.js');
  const F = await import('../src/nn/functional/index.js');
  const name = impl === 'adjoint-js' ? 'js' : 'wasm';
  try {
    lib.setBackend(name);
  } catch (e) {
    throw new Error(`unavailable: setBackend('${name}') failed: ${(e as Error).message}`);
  }
  if (lib.getBackend() !== name) throw new Error(`unavailable: setBackend('${name}') left the backend at '${lib.getBackend()}'`);
  const info: Record<string, unknown> = { version: pkgVersion(), backend: name, threads: 1 };
  if (name === 'wasm') {
    // The backend's own module (internal: wasmInfo, thread start-up), found through src/backend/index.ts.
    const be = (await import('../src/backend/index.js')) as unknown as BackendModule;
    // Workers start lazily on the first big GEMM; let them come up before timing (untimed set-up).
    lib.noGrad(() => lib.randn([256, 256]).matmul(lib.randn([256, 256])));
    await be.wasmThreadsReady?.();
    const w = be.wasmInfo();
    info.wasm_build = wasmBuild(w.relaxed);
    Object.assign(info, { threads: Math.max(1, Number(w.readyWorkers ?? 0) + 1), relaxed: w.relaxed, shared_memory: w.sharedMemory });
  }
  return { lib, F, info };
}

interface BackendModule {
  wasmInfo(): { relaxed: boolean; sharedMemory: boolean; threads: number; readyWorkers?: number; stats?: Record<string, number> };
  wasmThreadsReady?(): Promise<boolean>;
}

/**
 * Which wasm backend this row ran: the kernels file's hash and the newest modification time of the
 * backend's sources (it is being worked on while benchmarks run).
 */
function wasmBuild(relaxed: boolean): string {
  const dir = join(HERE, '..', 'src/backend/wasm');
  const file = `kernels-${relaxed ? 'relaxed' : 'simd'}-shared.wasm`;
  const hash = createHash('sha256').update(readFileSync(join(dir, file))).digest('hex').slice(0, 12);
  const newest = Math.max(...readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => statSync(join(dir, f)).mtimeMs));
  return `${file} ${hash}, sources of ${new Date(newest).toISOString().slice(0, 19)}Z`;
}

function pkgVersion(): string {
  return (JSON.parse(readFileSync(join(HERE, '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** One (impl, workload, param) in this process: prints one `RESULT {json}` line (peers' format). */
export async function childMain(impl: string, workload: string, rawParam: string, rawTiming: string): Promise<void> {
  const { measure, emit, round } = await peer<HarnessModule>('harness.mjs');
  const param = rawParam === '-' || rawParam === undefined ? null : Number(rawParam);
  const base = { impl, workload, param };
  try {
    const { lib, F, info } = await setup(impl);
    const w = await makeWorkload(lib, F, workload, param, impl === 'adjoint-wasm-compiled');
    const timing = await measure((phase) => w.step(phase), JSON.parse(rawTiming ?? '{}') as Partial<Timing>);
    const row: Record<string, unknown> = { ...base, ...timing, ...info };
    if (impl !== 'adjoint-js') {
      const be = (await import('../src/backend/index.js')) as unknown as BackendModule;
      const s = be.wasmInfo().stats;
      if (s) row.wasm_stats = { evictions: s.evictions, refaults: s.refaults, parallelCalls: s.parallelCalls };
    }
    if (workload === 'W3') row.gflops = round((2 * param! ** 3) / (timing.median_ms! * 1e6), 3);
    if (workload === 'W5') row.us_per_op = round((timing.median_ms! * 1000) / 1000);
    const spec = (await peer<DataModule>('data.mjs')).OPS_SPEC[workload];
    if (spec) row.title = spec.title;
    row.check = w.check;
    emit(row);
  } catch (e) {
    const msg = String((e as Error)?.message ?? e).split('\n')[0]!.slice(0, 300);
    if (msg.startsWith('unavailable')) emit({ ...base, error: msg, unavailable: true });
    else emit({ ...base, error: `${(e as Error)?.name ?? 'Error'}: ${msg}` });
  }
  process.exit(0); // worker threads are unref'ed, but be sure
}

// ---------------------------------------------------------------------------------------------
// The driver side: child processes with timeout, RSS cap, and the CPU other processes used.

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const HZ = 100; // USER_HZ of /proc/stat

/** Busy and total jiffies of the whole machine. */
export function cpuTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + (f[4] ?? 0);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Wait (at most maxMs) until the machine uses less than `below` cores over 0.5 s; returns the last load seen. */
export async function waitQuiet(maxMs: number, below = 0.3): Promise<number> {
  const end = Date.now() + maxMs;
  for (;;) {
    const t0 = cpuTicks();
    await sleep(500);
    const busy = (cpuTicks().busy - t0.busy) / HZ / 0.5;
    if (busy < below || Date.now() > end) return busy;
  }
}

/** CPU seconds of a live process (user + system, all threads), from /proc/<pid>/stat. */
function cpuOf(pid: number | undefined): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / HZ;
  } catch {
    return 0;
  }
}

function rssOf(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export interface ChildOptions {
  timeoutMs: number;
  rssCapMb: number;
  env?: NodeJS.ProcessEnv;
  /** Parse the child's stdout into rows (default: the `RESULT {json}` line). */
  parse?: (stdout: string) => Row[];
}

/** Runs a command; resolves to its rows, each with `others_cores`, or one error row. */
export function runProcess(cmd: string, args: string[], base: Row, o: ChildOptions): Promise<Row[]> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: join(HERE, '..'), stdio: ['ignore', 'pipe', 'pipe'], env: o.env ?? process.env });
    let out = '';
    let err = '';
    let killedFor: string | null = null;
    let peak = 0;
    let cpuSeen = 0; // for children that do not report their own CPU time (bench/scalar.ts, micrograd.py)
    const t0 = Date.now();
    const ticks0 = cpuTicks();
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8000)));
    const kill = (why: string): void => {
      if (killedFor) return;
      killedFor = why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill(`timeout: did not finish within ${o.timeoutMs / 1000} s`), o.timeoutMs);
    const poll = setInterval(() => {
      peak = Math.max(peak, rssOf(child.pid));
      cpuSeen = Math.max(cpuSeen, cpuOf(child.pid));
      if (peak > o.rssCapMb) kill(`exceeded the ${(o.rssCapMb / 1024).toFixed(0)} GB RSS cap after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }, 200);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      const wallMs = Date.now() - t0;
      const busy = (cpuTicks().busy - ticks0.busy) / HZ;
      const parse = o.parse ?? ((s: string) => s.split('\n').filter((l) => l.startsWith('RESULT ')).map((l) => JSON.parse(l.slice(7)) as Row));
      const rows = killedFor ? [] : parse(out);
      if (rows.length > 0) {
        // Several rows from one child (the scalar W2 runs both sizes): the child's CPU time is shared.
        let cpu = rows.reduce((s, r) => (typeof r.cpu_s === 'number' ? Math.max(s, r.cpu_s) : s), 0);
        if (cpu === 0) {
          cpu = cpuSeen; // sampled every 200 ms: may miss the last 0.2 s
          for (const r of rows) r.cpu_s = Math.round(cpu * 100) / 100;
        }
        for (const r of rows) r.others_cores = Math.max(0, Math.round(((busy - cpu) / (wallMs / 1000)) * 100) / 100);
        return resolve(rows);
      }
      const lines = err.trim().split('\n').filter(Boolean);
      const last = lines.find((l) => /FATAL ERROR|Error:/.test(l)) ?? lines.slice(-1)[0] ?? '';
      const error = killedFor ?? `crashed (${signal ?? `exit ${code}`}): ${last.slice(0, 300)}`;
      resolve([{ ...base, error, rss_mb: Math.round(peak) }]);
    });
  });
}

/** The W1 / scalar-W2 rows of bench/scalar.ts (`--one adjoint:W1` etc.), in the peers' row format. */
export function scalarRows(impl: string, stdout: string): Row[] {
  const rows: Row[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line) as Record<string, number | string | boolean | number[] | undefined>;
    const rss = Math.round(Number(r.peak_rss_mb) * 10) / 10;
    if (r.workload === 'W1') {
      rows.push({
        impl, workload: 'W1', param: null, median_ms: r.median_ms, min_ms: r.min_ms, runs: r.runs, warmup: r.warmup,
        check: { loss0: r.first_loss }, rss_mb: rss, source: 'bench/scalar.ts',
      });
    } else if (r.workload === 'W2') {
      const n = Number(r.n);
      const row: Row = { impl, workload: 'W2', param: n, rss_mb: rss, source: 'bench/scalar.ts' };
      if (r.finished === false) row.error = String(r.error);
      else {
        const fwd = Number(r.forward_ms);
        const bwd = Number(r.backward_ms);
        Object.assign(row, {
          median_ms: typeof r.total_ms === 'number' ? r.total_ms : fwd + bwd, fwd_ms: fwd, bwd_ms: bwd, runs: r.runs,
          check: { dxN_dx0: r.grad, expected: r.expected, rel_err: Math.abs(Number(r.grad) - Number(r.expected)) / Number(r.expected) },
        });
      }
      rows.push(row);
    }
  }
  return rows;
}

export interface RunOptions {
  quick?: boolean;
  impls?: string[];
  workloads?: string[];
  rssCapGb?: number;
  /** Only these sizes (W2's N, W3's n); default: all of the plan. */
  params?: (number | null)[];
  /** Also the micrograd peers of bench/scalar.ts (W1, W2): the JS closure port and Python. */
  scalarPeers?: boolean;
  onRow?: (row: Row) => void;
}

/** All of adjoint's rows (and the scalar peers'); calls onRow as each arrives. */
export async function runAdjoint(o: RunOptions = {}): Promise<Row[]> {
  const quick = o.quick ?? false;
  const { timing, timeoutMs, quietMs, params } = (await peer<PlanModule>('run.mjs')).plan(quick);
  const impls = o.impls ?? [...ADJOINT_IMPLS];
  const workloads = o.workloads ?? [...WORKLOADS];
  const rssCapMb = (o.rssCapGb ?? 8) * 1024;
  const rows: Row[] = [];
  const add = (r: Row): void => {
    rows.push(r);
    o.onRow?.(r);
  };
  const node = [...process.execArgv.filter((a) => !a.startsWith('--cpu-prof'))];

  /** Runs a child (after waiting for a quiet machine); once more if others took ≥ 0.5 core meanwhile. */
  const measured = async (cmd: string, args: string[], base: Row, extra: Partial<ChildOptions> = {}): Promise<Row[]> => {
    const opts = { timeoutMs, rssCapMb, ...extra };
    if (quietMs) await waitQuiet(quietMs);
    let got = await runProcess(cmd, args, base, opts);
    const busy = (rs: Row[]): number => Math.max(...rs.map((r) => Number(r.others_cores ?? 0)));
    const cpu = (rs: Row[]): number => Math.max(...rs.map((r) => Number(r.cpu_s ?? 0)));
    if (quietMs && !got.some((r) => r.error) && busy(got) >= 0.5 && cpu(got) < 60) {
      await waitQuiet(quietMs);
      const again = await runProcess(cmd, args, base, opts);
      if (!again.some((r) => r.error) && busy(again) < busy(got)) got = again.map((r) => ({ ...r, retried: true }));
    }
    return got;
  };

  for (const workload of workloads) {
    if (workload === 'W1') continue; // the scalar engine's, below
    for (const impl of impls) {
      if (impl === 'adjoint-wasm-nofma' && !RELAXED_WORKLOADS.has(workload)) continue;
      if (impl === 'adjoint-wasm-compiled' && !COMPILED_WORKLOADS.has(workload)) continue;
      let failed: string | null = null;
      for (const param of (params[workload] ?? [null]).filter((p) => !o.params || o.params.includes(p))) {
        const base: Row = { impl, workload, param };
        if (failed) {
          add({ ...base, skipped: `not run: ${failed}` });
          continue;
        }
        const p = param === null ? '-' : String(param);
        const [row] = await measured(process.execPath, [...node, SELF, '--child', impl, workload, p, JSON.stringify(timing)], base);
        add(row!);
        if (row!.unavailable) break;
        if (row!.error) failed = `${workload} already failed at ${param ?? 'the smaller size'} (${String(row!.error).slice(0, 80)})`;
      }
    }
  }

  // The scalar Value engine (W1, and W2 on scalars) through bench/scalar.ts, and its micrograd peers.
  if (workloads.includes('W1') || workloads.includes('W2')) {
    const scalarTs = join(HERE, 'scalar.ts');
    const runs = String(quick ? 10 : 30);
    const jobs: [string, string][] = [];
    for (const w of ['W1', 'W2']) {
      if (!workloads.includes(w)) continue;
      jobs.push(['adjoint-value', `adjoint:${w}`]);
      if (o.scalarPeers !== false) jobs.push(['micrograd-closure-js', `closure:${w}`]);
    }
    for (const [impl, id] of jobs) {
      const w = id.split(':')[1]!;
      const got = await measured(process.execPath, [...node, scalarTs, '--one', id, '--runs', runs], { impl, workload: w, param: null }, {
        parse: (s) => scalarRows(impl, s),
      });
      got.forEach(add);
    }
    if (o.scalarPeers !== false) {
      const py = ['bench/baselines/micrograd.py', '--runs', quick ? '3' : '5', '--warmup', '1'];
      if (!quick && workloads.includes('W2')) py.push('--w2');
      const got = await measured('python3', py, { impl: 'micrograd-python', workload: 'W1', param: null }, {
        parse: (s) => scalarRows('micrograd-python', s),
      });
      got.filter((r) => workloads.includes(r.workload)).forEach(add);
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--child') return childMain(argv[1]!, argv[2]!, argv[3]!, argv[4]!);
  const opt = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  await runAdjoint({
    quick: argv.includes('--quick'),
    impls: opt('--only')?.split(','),
    workloads: opt('--workloads')?.split(','),
    scalarPeers: !argv.includes('--no-scalar-peers'),
    onRow: (r) => console.log(JSON.stringify(r)),
  });
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) await main(process.argv.slice(2));
