// Timing for one (impl, workload, param) inside a child process: warm-up, timed runs, median, peak RSS.

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Warm up (at least `warmup` calls, more while under `warmupMs`, at most MAX_WARMUP calls), then time `step` at least `runs`
 * times, more (up to `maxRuns`) while under `targetMs` of timed work; stop early once `budgetMs` is
 * spent (at least one timed run always happens, and the row's `runs` says how many there were).
 * A step may return extra per-run numbers, e.g. {fwd_ms, bwd_ms}; their medians are kept, and for
 * W2 their sum is the timed unit (TF.js adds an untimed forward-alone pass to split the two).
 */
/**
 * A cap on warm-up calls: a 1 s warm-up of a ~1 µs step would otherwise be a million calls. JIT
 * engines (V8's tiers for every JS implementation, jax-js's jit) and allocators that fill a pool
 * (adjoint's wasm memory) reach their steady state within a few hundred calls of a training step.
 */
export const MAX_WARMUP = 1000;

export async function measure(step, o = {}) {
  const { warmup = 3, warmupMs = 200, runs = 5, maxRuns = 31, targetMs = 1000, budgetMs = 60000 } = o;
  const w0 = performance.now();
  for (let i = 0; i < warmup || (i < MAX_WARMUP && performance.now() - w0 < warmupMs); i++) await step(i === 0 ? "first" : "warmup");
  const times = [], extras = {};
  let spent = 0;
  const more = () => times.length === 0 || (spent < budgetMs && (times.length < runs || (times.length < maxRuns && spent < targetMs)));
  while (more()) {
    const t0 = performance.now();
    const extra = await step("timed");
    const dt = extra && "fwd_ms" in extra ? extra.fwd_ms + extra.bwd_ms : performance.now() - t0;
    times.push(dt);
    spent += dt;
    if (extra && typeof extra === "object") for (const [k, v] of Object.entries(extra)) (extras[k] ??= []).push(v);
  }
  const out = { median_ms: round(median(times)), min_ms: round(Math.min(...times)), runs: times.length };
  for (const [k, v] of Object.entries(extras)) out[k] = round(median(v));
  return out;
}

export const round = (x, digits = 4) => (Number.isFinite(x) ? Number(x.toPrecision(digits + 2)) : x);

export const rssMb = () => round(process.resourceUsage().maxRSS / 1024, 3);

/** CPU seconds this process used, all threads (the driver compares it with the machine's total). */
export const cpuSeconds = () => round((process.cpuUsage().user + process.cpuUsage().system) / 1e6, 3);

/** One result line on stdout, prefixed so library chatter on stdout can't be mistaken for it. */
export function emit(row) {
  process.stdout.write("RESULT " + JSON.stringify({ ...row, rss_mb: rssMb(), cpu_s: cpuSeconds() }) + "\n");
}
