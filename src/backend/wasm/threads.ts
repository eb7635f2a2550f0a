/**
 * Worker threads for the big GEMMs and elementwise kernels: `worker_threads` in Node, Web Workers in
 * browsers, each with its own instance of the kernel modules over the one
 * shared memory. The calling thread is thread 0: it posts each worker a list
 * of sub-GEMMs (written into the shared memory), runs its own share, then
 * waits for the others. A worker claims a posted list before running it; a
 * list still unclaimed when the caller is done with its own share (the worker
 * is asleep or descheduled) is taken back and run by the caller, so a GEMM
 * never waits for a worker to wake up. Every sub-GEMM computes whole elements
 * of C with the same summation order, so results do not depend on the number
 * of threads nor on which thread ran which list.
 *
 * Control block of a worker (Int32 words in the shared memory):
 *   0 state (0 new, 1 job posted, 2 job done (or taken back), 3 exit, 4 job
 *   failed: the worker stopped and the caller runs its jobs, 5 job claimed:
 *   the worker runs it; 1 → 5 and 1 → 2 (take-back) are compare-exchanges,
 *   so exactly one thread runs each list), 1 ready flag,
 *   2 job table address, 3 number of jobs, 4 work area address, 5 relaxed (0/1).
 * A job is 12 words: the kernel (an index into JOB_KERNELS), then its
 * arguments, zero-padded: for a GEMM a, sai, sak, b, sbk, sbj, c, ldc, n, k, m
 * (and the thread's work area is passed after them); for an elementwise
 * kernel its op code, pointers and geometry block (each thread its own block:
 * kernels keep iteration state there).
 *
 * Workers are started lazily by the first GEMM big enough to use them (until
 * they report ready, GEMMs run on one thread), are `unref`ed so they never
 * keep a Node process alive, and wait on `Atomics.wait` between jobs after a
 * bounded spin (WORKER_SPIN_MS). The caller, once its own share is done, also
 * spins (CALLER_SPIN_MS) for a claimed list before it sleeps: waking a thread
 * from `Atomics.wait` costs 50–200 µs on this VM, as much as a whole worker
 * share of a W4 GEMM.
 */
import { heap, permanentBlock } from './memory.js';
import { nodeProcess, type Runtime } from './module.js';

export const JOB_WORDS = 12;
/** The most threads kernels use (the caller and MAX_THREADS - 1 workers). */
export const MAX_THREADS = 16;
/** The kernels a job can run, by index (job word 0). */
export const JOB_KERNELS = [
  'gemmF32', 'gemmF64', 'unaryF32', 'unaryF64', 'binaryF32', 'binaryF64', 'compareF32', 'compareF64', 'whereF32', 'whereF64',
] as const;
const CTL_WORDS = 16;
/**
 * How long a worker polls for the next job before sleeping, in ms. Waking a
 * sleeping thread costs 50–200 µs here (a VM). In a W4 training step the gaps
 * between the GEMMs big enough for threads are ~0.005–0.1 ms inside a pass,
 * ~0.5 ms (p90 0.7 ms) from the forward's last to the backward's first and
 * from one step to the next (measured): 2 ms covers those gaps with margin, so
 * a training loop never sleeps the worker, while an idle program burns at
 * most 2 ms of one core after its last GEMM. (With 0.5 ms the worker slept in
 * about half of the 0.5 ms gaps and the caller took its share back: W4's
 * median GEMM time per step was 0.15–0.45 ms higher, interleaved A/B.)
 */
const WORKER_SPIN_MS = 2;
/**
 * How long the calling thread polls for a worker's "done" after its own share
 * that a worker has claimed, before it sleeps in `Atomics.wait`, in ms. Both
 * shares are equal, so the worker usually finishes within µs of the caller;
 * sleeping at once (as before) made the caller pay a futex wake-up per GEMM
 * (W4: ~1–2 ms per step at the median). Bounded so that a descheduled worker
 * does not have the caller burn a core for long.
 */
const CALLER_SPIN_MS = 2;

/** The worker's program, as source text (Node: `eval` worker; browser: a Blob URL). */
function workerSource(node: boolean): string {
  const body = `
const NAMES = ${JSON.stringify(JOB_KERNELS)};
function start(d) {
  const env = { env: { memory: d.memory } };
  const plain = new WebAssembly.Instance(d.plainModule, env).exports;
  const relaxed = d.relaxedModule ? new WebAssembly.Instance(d.relaxedModule, env).exports : plain;
  const ctl = new Int32Array(d.memory.buffer, d.ctl, ${CTL_WORDS});
  Atomics.store(ctl, 1, 1);
  Atomics.notify(ctl, 1);
  for (;;) {
    let s = Atomics.load(ctl, 0);
    if (s !== 1 && s !== 3) {
      const until = performance.now() + ${WORKER_SPIN_MS};
      for (let i = 1; s !== 1 && s !== 3; i++) {
        s = Atomics.load(ctl, 0);
        if ((i & 1023) === 0 && performance.now() > until) break;
      }
    }
    while (s !== 1 && s !== 3) { Atomics.wait(ctl, 0, s); s = Atomics.load(ctl, 0); }
    if (s === 3) return;
    // Claim the list; fails when the caller has taken it back meanwhile.
    if (Atomics.compareExchange(ctl, 0, 1, 5) !== 1) continue;
    try {
      const k = ctl[5] ? relaxed : plain;
      const jobs = new Int32Array(d.memory.buffer, ctl[2], ctl[3] * ${JOB_WORDS});
      const work = ctl[4];
      for (let j = 0; j < ctl[3]; j++) {
        const o = j * ${JOB_WORDS};
        const f = k[NAMES[jobs[o]]];
        f(jobs[o + 1], jobs[o + 2], jobs[o + 3], jobs[o + 4], jobs[o + 5], jobs[o + 6], jobs[o + 7], jobs[o + 8], jobs[o + 9], jobs[o + 10], jobs[o + 11], work);
      }
      Atomics.store(ctl, 0, 2);
    } catch (e) {
      // Failed: the caller runs the jobs itself and stops using this worker.
      Atomics.store(ctl, 1, 0);
      Atomics.store(ctl, 0, 4);
      Atomics.notify(ctl, 0);
      return;
    }
    Atomics.notify(ctl, 0);
  }
}
`;
  return node
    ? `${body}\nstart(require('node:worker_threads').workerData);\n`
    : `${body}\nself.onmessage = (e) => start(e.data);\n`;
}

interface WorkerLike {
  terminate(): unknown;
}

interface Slot {
  worker: WorkerLike;
  ctl: number;
  work: number;
  table: number;
  tableJobs: number;
}

let rt: Runtime | null = null;
/**
 * How many GEMM calls were split over workers, how many job lists workers ran,
 * and how many posted lists the caller took back unclaimed (tests, benchmarks).
 */
export const threadStats = { parallelCalls: 0, workerJobs: 0, takenBack: 0 };
let slots: Slot[] = [];
let wanted = 1;

/** Number of hardware threads (1 when unknown). */
export function hardwareThreads(): number {
  const os = nodeProcess()?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number; cpus(): unknown[] } | undefined;
  if (os !== undefined) return os.availableParallelism?.() ?? os.cpus().length;
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return nav?.hardwareConcurrency ?? 1;
}

/**
 * Sets the runtime and the number of threads GEMMs may use (1 = no workers).
 * Workers already started stay (idle, asleep) when the number goes down.
 */
export function configureThreads(runtime: Runtime, threads: number): void {
  rt = runtime;
  wanted = runtime.shared ? Math.min(MAX_THREADS, Math.max(1, Math.floor(threads))) : 1;
}

/** The number of threads kernels may use. */
export function threadCount(): number {
  return wanted;
}

/** How many workers have started and can take jobs. */
export function readyWorkers(): number {
  if (rt === null) return 0;
  const i32 = heap().i32;
  let n = 0;
  for (const s of slots) if (Atomics.load(i32, (s.ctl >> 2) + 1) === 1) n++;
  return n;
}

/** Starts workers until there are `wanted - 1` (false when this platform has none). */
function startWorkers(): boolean {
  if (rt === null || !rt.shared || wanted <= 1) return false;
  const proc = nodeProcess();
  const wt = proc?.getBuiltinModule?.('node:worker_threads') as
    | { Worker: new (src: string, o: { eval: boolean; workerData: unknown }) => WorkerLike & { unref(): void } }
    | undefined;
  const WebWorker = (globalThis as { Worker?: new (url: string) => WorkerLike & { postMessage(m: unknown): void } }).Worker;
  if (wt === undefined && (proc !== undefined || WebWorker === undefined)) return false;
  for (let i = slots.length + 1; i < wanted; i++) {
    const ctl = permanentBlock(CTL_WORDS * 4);
    const work = permanentBlock(rt.gemmWorkBytes);
    heap().i32.fill(0, ctl >> 2, (ctl >> 2) + CTL_WORDS);
    const data = { memory: rt.memory, plainModule: rt.plainModule, relaxedModule: rt.relaxedModule, ctl };
    let worker: WorkerLike;
    if (wt !== undefined) {
      const w = new wt.Worker(workerSource(true), { eval: true, workerData: data });
      w.unref();
      worker = w;
    } else {
      const url = URL.createObjectURL(new Blob([workerSource(false)], { type: 'text/javascript' }));
      const w = new WebWorker!(url);
      w.postMessage(data);
      worker = w;
    }
    slots.push({ worker, ctl, work, table: 0, tableJobs: 0 });
  }
  return true;
}

/** Stops the workers (they exit after their current job). */
export function stopWorkers(): void {
  if (rt !== null && slots.length > 0) {
    const i32 = heap().i32;
    for (const s of slots) {
      Atomics.store(i32, s.ctl >> 2, 3);
      Atomics.notify(i32, s.ctl >> 2);
      void s.worker.terminate();
    }
  }
  slots = [];
}

/**
 * The workers ready to take jobs now (starting them on first use). Fewer than
 * `threadCount() - 1` while they boot.
 */
export function availableWorkers(): number {
  if (wanted <= 1) return 0;
  if (slots.length < wanted - 1) startWorkers();
  return Math.min(readyWorkers(), wanted - 1);
}

/** Resolves when every worker has started (tests and benchmarks). */
export async function workersReady(timeoutMs = 10_000): Promise<boolean> {
  if (wanted <= 1) return true;
  if (slots.length < wanted - 1 && !startWorkers()) return false;
  const t0 = Date.now();
  while (readyWorkers() < wanted - 1) {
    if (Date.now() - t0 > timeoutMs) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

/**
 * Runs `jobs[t]` (lists of job words) on thread t: t = 0 here through `runLocal`,
 * t ≥ 1 on ready workers. `relaxed` selects the kernel variant.
 */
export function runParallel(jobs: number[][], relaxed: boolean, runLocal: (words: number[]) => void): void {
  const posted: Slot[] = [];
  const postedJobs: number[][] = [];
  const local = [jobs[0]!];
  let w = 0;
  for (let t = 1; t < jobs.length; t++) {
    const list = jobs[t]!;
    if (list.length === 0) continue;
    const i32 = heap().i32;
    // Find the next ready worker.
    while (w < slots.length && Atomics.load(i32, (slots[w]!.ctl >> 2) + 1) !== 1) w++;
    if (w >= slots.length) {
      local.push(list);
      continue;
    }
    const s = slots[w++]!;
    const count = list.length / JOB_WORDS;
    if (s.tableJobs < count) {
      s.table = permanentBlock(count * JOB_WORDS * 4);
      s.tableJobs = count;
    }
    const h = heap().i32;
    h.set(list, s.table >> 2);
    const c = s.ctl >> 2;
    h[c + 2] = s.table;
    h[c + 3] = count;
    h[c + 4] = s.work;
    h[c + 5] = relaxed ? 1 : 0;
    Atomics.store(h, c, 1);
    Atomics.notify(h, c);
    posted.push(s);
    postedJobs.push(list);
  }
  if (posted.length > 0) threadStats.parallelCalls++;
  // Wait for the workers even when the local share throws: they must be idle before the next post.
  let error: unknown = null;
  try {
    for (const list of local) runLocal(list);
  } catch (e) {
    error = e;
  }
  const canWait = nodeProcess() !== undefined;
  for (const [i, s] of posted.entries()) {
    const h = heap().i32;
    const c = s.ctl >> 2;
    if (Atomics.compareExchange(h, c, 1, 2) === 1) {
      // Not claimed: the worker has not woken up yet. Run the list here rather than wait for it.
      threadStats.takenBack++;
      try {
        runLocal(postedJobs[i]!);
      } catch (e) {
        error ??= e;
      }
      continue;
    }
    let state = Atomics.load(h, c);
    if (state === 5) {
      const until = performance.now() + CALLER_SPIN_MS;
      for (let n = 1; (state = Atomics.load(h, c)) === 5; n++) {
        if ((n & 255) === 0 && performance.now() > until) break;
      }
    }
    while ((state = Atomics.load(h, c)) === 5) {
      if (canWait) Atomics.wait(h, c, 5, 50);
    }
    if (state !== 4) {
      threadStats.workerJobs++;
      continue;
    }
    // The worker stopped: drop it (a new one starts on a later GEMM) and do its share here.
    slots = slots.filter((x) => x !== s);
    void s.worker.terminate();
    try {
      runLocal(postedJobs[i]!);
    } catch (e) {
      error ??= e;
    }
  }
  if (error !== null) throw error;
}
