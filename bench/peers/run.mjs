#!/usr/bin/env node
// Runs every (peer, workload, param) of BENCHMARKS.md in its own child process, with a timeout and
// an RSS cap, and prints one JSON line per result. Usage:
//   node run.mjs [--quick] [--out FILE] [--only tfjs-cpu,pytorch] [--workloads W3,W4] [--rss-cap-gb 8]
//   node run.mjs --check-data        compare data.mjs with its Python twin lcg.py
// Also a module: runPeers(), loadResults(), formatTable() for merging with adjoint's own rows, plan() for the same sizes.
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { fingerprint } from "./data.mjs";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const PYTHON = "/usr/bin/python3";
export const IMPLS = ["tfjs-cpu", "tfjs-wasm", "jax-js", "js-pytorch", "pytorch", "pytorch-avx2"];
/**
 * pytorch-avx2: PyTorch with its AVX2 kernels (OpenBLAS told the CPU is a Haswell, ATen's dispatch
 * capped at AVX2) on the same machine: what BENCHMARKS.md's AVX2 machine would give, where this one
 * has AVX-512. Measured on the GEMM-bound workloads only.
 */
export const AVX2_ENV = { OPENBLAS_CORETYPE: "Haswell", ATEN_CPU_CAPABILITY: "avx2", TORCH_BENCH_IMPL: "pytorch-avx2" };
const AVX2_WORKLOADS = new Set(["W3", "W4", "W6"]);
/** O1–O5: the heavy ops of the second op set (sizes and titles in ops.json). */
export const OP_WORKLOADS = ["O1", "O2", "O3", "O4", "O5"];
export const WORKLOADS = ["W1", "W1b", "W2", "W3", "W4", "W5", "W6", ...OP_WORKLOADS];
/**
 * Which peers run O1–O5: PyTorch all; tfjs-wasm the ops TF.js has (einsum, conv2dTranspose, basicLSTMCell; its
 * O4/O5 rows say it has no cholesky/svd); tfjs-cpu the two whose kernels tfjs-wasm lacks (Einsum,
 * Conv2DBackpropFilter). jax-js, js-pytorch and pytorch-avx2 are not measured on them.
 */
const OP_PEERS = { pytorch: OP_WORKLOADS, "tfjs-wasm": OP_WORKLOADS, "tfjs-cpu": ["O1", "O3"] };

/** Sizes and timing rules; --quick is a ~2-minute smoke run (W2 at 10^4 only, two matmul sizes). Also adjoint's (bench/adjoint.ts). */
export function plan(quick) {
  const timing = quick
    ? { warmup: 2, warmupMs: 100, runs: 5, maxRuns: 11, targetMs: 300, budgetMs: 3000 }
    : { warmup: 3, warmupMs: 1000, runs: 7, maxRuns: 31, targetMs: 1500, budgetMs: 60000 };
  return {
    timing,
    timeoutMs: quick ? 60000 : 300000,
    quietMs: quick ? 0 : 30000, // full run: wait up to 30 s for other processes to go quiet before each child
    params: {
      W1: [null], W1b: [null], W4: [null], W5: [null], W6: [null], O1: [null], O2: [null], O3: [null], O4: [null], O5: [null],
      W2: quick ? [1e4] : [1e5, 1e6],
      W3: quick ? [128, 512] : [128, 256, 512, 1024, 2048],
    },
  };
}

/** Can this machine run the PyTorch peer? Returns null if yes, else the reason. */
export function torchProblem() {
  const r = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  if (r.error) return `${PYTHON} not runnable: ${r.error.message}`;
  if (r.status !== 0) return `${PYTHON} -c "import torch" failed: ${(r.stderr || "").trim().split("\n").pop()}`;
  return null;
}

/** Compare the first values and sums of every data set between data.mjs and lcg.py. */
export function checkDataTwins() {
  const r = spawnSync(PYTHON, ["lcg.py"], { cwd: HERE, encoding: "utf8" });
  if (r.status !== 0) return { ok: false, error: `lcg.py failed: ${r.stderr || r.error}` };
  const py = JSON.parse(r.stdout), js = fingerprint();
  const diff = Object.keys(js).filter((k) => JSON.stringify(js[k]) !== JSON.stringify(py[k]));
  return { ok: diff.length === 0, differing: diff, first: js.raw_seed1 };
}

function rssOf(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
function cpuTicks() {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] || 0);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}
const HZ = 100; // USER_HZ, the unit of /proc/stat on Linux

/**
 * CPU cores' worth of work done by *other* processes while a child ran: the machine's busy time minus
 * the child's own CPU time, over the wall time. On a shared machine this says how trustworthy a row is.
 */
function othersCores(t0, t1, wallMs, childCpuS) {
  if (childCpuS === undefined || wallMs <= 0) return undefined;
  return Math.max(0, Math.round(((t1.busy - t0.busy) / HZ - childCpuS) / (wallMs / 1000) * 100) / 100);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Wait (at most maxMs) until other processes use less than `below` cores over a 0.5 s window. */
async function waitQuiet(maxMs, below = 0.3) {
  const end = Date.now() + maxMs;
  for (;;) {
    const t0 = cpuTicks();
    await sleep(500);
    const t1 = cpuTicks();
    const busyCores = (t1.busy - t0.busy) / HZ / 0.5;
    if (busyCores < below || Date.now() > end) return busyCores;
  }
}

/** Run one child; resolves to its result row (or an error row on timeout, RSS cap, or crash). */
function runChild(impl, workload, param, { timing, timeoutMs, rssCapMb }) {
  const p = param === null ? "-" : String(param);
  const torch = impl === "pytorch" || impl === "pytorch-avx2";
  const [cmd, args] = torch
    ? [PYTHON, ["torch_bench.py", workload, p, JSON.stringify(timing)]]
    : [process.execPath, ["child.mjs", impl, workload, p, JSON.stringify(timing)]];
  const env = impl === "pytorch-avx2" ? { ...process.env, ...AVX2_ENV } : process.env;
  const base = { impl, workload, param };
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: HERE, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "", killedFor = null, peak = 0;
    const t0 = Date.now(), ticks0 = cpuTicks();
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err = (err + d).slice(-8000)));
    const kill = (why) => {
      if (killedFor) return;
      killedFor = why;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => kill(`timeout: did not finish within ${timeoutMs / 1000} s`), timeoutMs);
    const poll = setInterval(() => {
      peak = Math.max(peak, rssOf(child.pid));
      if (peak > rssCapMb) kill(`exceeded the ${(rssCapMb / 1024).toFixed(0)} GB RSS cap after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }, 200);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      if (line) {
        const row = JSON.parse(line.slice(7));
        row.others_cores = othersCores(ticks0, cpuTicks(), Date.now() - t0, row.cpu_s);
        return resolve(row);
      }
      const lines = err.trim().split("\n").filter(Boolean);
      const last = lines.find((l) => /FATAL ERROR|Error:/.test(l)) ?? lines.slice(-1)[0] ?? "";
      const error = killedFor ?? `crashed (${signal ?? `exit ${code}`}): ${last.slice(0, 300)}`;
      resolve({ ...base, error, rss_mb: Math.round(peak) });
    });
  });
}

/**
 * Run the peers; calls onRow(row) as each result arrives and resolves to all rows.
 * options: { quick, impls, workloads, rssCapGb, onRow }. Rows carry `others_cores`, the CPU other
 * processes used meanwhile (this machine may be shared): treat rows with 0.5 or more with suspicion.
 */
export async function runPeers({ quick = false, impls = IMPLS, workloads = WORKLOADS, rssCapGb = 8, onRow = () => {} } = {}) {
  const { timing, timeoutMs, params, quietMs } = plan(quick);
  const torchWhyNot = impls.some((i) => i.startsWith("pytorch")) ? torchProblem() : null;
  const rows = [];
  const add = (row) => (rows.push(row), onRow(row), row);
  for (const impl of impls) {
    for (const workload of workloads) {
      let failed = null; // once a size fails, larger sizes of that workload are not tried
      for (const param of params[workload]) {
        const base = { impl, workload, param };
        if (impl === "pytorch-avx2" && !AVX2_WORKLOADS.has(workload)) continue;
        if (OP_WORKLOADS.includes(workload) && !OP_PEERS[impl]?.includes(workload)) continue;
        if (workload === "W1") add({ ...base, skipped: "tensor library: W1 is the scalar Value graph (micrograd-style peers only)" });
        else if (impl.startsWith("pytorch") && torchWhyNot) add({ ...base, error: torchWhyNot });
        else if (failed) add({ ...base, skipped: `not run: ${failed}` });
        else {
          const opts = { timing, timeoutMs, rssCapMb: rssCapGb * 1024 };
          if (quietMs) await waitQuiet(quietMs);
          let row = await runChild(impl, workload, param, opts);
          // Shared machine: if other processes took half a core or more during a short row, run it once more.
          if (quietMs && !row.error && row.others_cores >= 0.5 && row.cpu_s < 60) {
            await waitQuiet(quietMs);
            const again = await runChild(impl, workload, param, opts);
            if (!(again.others_cores >= row.others_cores)) row = { ...again, retried: true };
          }
          add(row);
          if (row.error) failed = `${workload} already failed at ${param ?? "the smaller size"} (${row.error.slice(0, 80)})`;
        }
      }
    }
  }
  return rows;
}

/** Read a JSON-lines results file (skips blank lines and the {"meta":...} line). */
export function loadResults(path) {
  return readFileSync(path, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.impl);
}

const ERRORS = [
  [/call stack/, "stack overflow"], [/timeout/, "timeout"], [/RSS cap/, "RSS cap"], [/out of memory/, "heap OOM"], [/crashed/, "crashed"],
  [/not registered/, "missing kernel"], [/^Unsupported/, "unsupported"], [/import torch|not runnable/, "no torch"],
];
const shortError = (e) => ERRORS.find(([re]) => re.test(e))?.[1] ?? "error";

/** The headline number of a row: GFLOP/s for W3, µs per op for W5, else median ms. */
function cell(r) {
  if (!r) return "";
  if (r.skipped) return "skip";
  if (r.error) return `✗ ${shortError(r.error)}`;
  const busy = r.others_cores >= 0.5 ? "*" : "";
  if (r.workload === "W3") return `${r.gflops.toPrecision(3)} GF/s${busy}`;
  if (r.workload === "W5") return `${r.us_per_op.toPrecision(3)} µs/op${busy}`;
  return (r.median_ms >= 100 ? r.median_ms.toFixed(0) : r.median_ms.toPrecision(3)) + busy;
}

/** A markdown table (rows: workload/param, columns: impl) of any rows, e.g. peers merged with adjoint's. */
export function formatTable(rows) {
  const impls = [...new Set(rows.map((r) => r.impl))];
  const keys = [...new Set(rows.map((r) => `${r.workload}|${r.param ?? ""}`))];
  const head = `| workload | ${impls.join(" | ")} |\n|---|${impls.map(() => "---").join("|")}|`;
  const body = keys.map((k) => {
    const [w, p] = k.split("|");
    const label = p ? `${w} ${w === "W2" ? "N=" + Number(p).toExponential(0).replace("+", "") : "n=" + p}` : w;
    return `| ${label} | ${impls.map((i) => cell(rows.find((r) => r.impl === i && `${r.workload}|${r.param ?? ""}` === k))).join(" | ")} |`;
  });
  return [head, ...body].join("\n") + "\n\n(ms per step unless marked; W2 = forward + backward ms; ✗ = failed, see the JSON line's \"error\"; * = other processes used ≥ 0.5 core meanwhile)";
}

function machine() {
  return { node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, date: new Date().toISOString() };
}

async function main(argv) {
  const flag = (name) => argv.includes(name);
  const opt = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const data = checkDataTwins();
  process.stderr.write(`data twins (data.mjs vs lcg.py): ${JSON.stringify(data)}\n`);
  if (flag("--check-data")) return process.exit(data.ok ? 0 : 1);
  const quick = flag("--quick");
  const out = opt("--out") ?? (quick ? undefined : "results-peers.jsonl");
  const impls = opt("--only")?.split(",") ?? IMPLS;
  const workloads = opt("--workloads")?.split(",") ?? WORKLOADS;
  if (out) writeFileSync(out, JSON.stringify({ meta: { ...machine(), quick, data_twins_ok: data.ok } }) + "\n");
  const t0 = Date.now();
  const rows = await runPeers({
    quick, impls, workloads, rssCapGb: Number(opt("--rss-cap-gb") ?? 8),
    onRow(row) {
      const line = JSON.stringify(row);
      console.log(line);
      if (out) appendFileSync(out, line + "\n");
    },
  });
  process.stderr.write(`\n${formatTable(rows)}\n\ntotal ${((Date.now() - t0) / 1000).toFixed(0)} s${out ? `, written to ${out}` : ""}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
