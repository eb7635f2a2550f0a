/**
 * `npm run bench`: adjoint's rows (bench/adjoint.ts) and the peers' (bench/peers/run.mjs) in one
 * run on one machine; JSON lines on stdout as rows arrive, then a table of medians and the ratios
 * adjoint / peer per workload; writes bench/RESULTS.md (machine, date, tables, targets; the W4
 * profile section written by bench/profile-w4.ts is kept) and bench/results.jsonl (every row).
 *
 *   npm run bench                       full run (about an hour with the peers on a shared 2-core machine)
 *   npm run bench:quick                 smoke run: small sizes, short timing, writes nothing
 *   npm run bench -- --stored-peers     adjoint only; the peers' rows from bench/peers/results-peers.jsonl
 *   npm run bench -- --only adjoint-wasm --workloads W3,W4 --no-write
 *   npm run bench -- --workloads O1,O2,O3,O4,O5 --merge   the heavy ops only, merged into the saved results.jsonl
 *   npm run bench -- --render bench/results.jsonl   re-write RESULTS.md from saved rows (runs nothing)
 *   npm run bench -- --rerun-busy bench/results.jsonl   re-run the rows others disturbed (≥ 0.5 core), keep the quieter
 *
 * Without bench/peers/node_modules the peers cannot run: it says how to install them
 * (`cd bench/peers && npm install`) and uses the stored rows, labelled as stored.
 */
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ADJOINT_IMPLS, runAdjoint } from './adjoint.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PEERS_DIR = join(HERE, 'peers');
const STORED = join(PEERS_DIR, 'results-peers.jsonl');
const RESULTS_MD = join(HERE, 'RESULTS.md');
const RESULTS_JSONL = join(HERE, 'results.jsonl');

type Row = Record<string, unknown> & { impl: string; workload: string; param: number | null };
interface PeersModule {
  runPeers(o: { quick?: boolean; impls?: string[]; workloads?: string[]; onRow?: (r: Row) => void }): Promise<Row[]>;
  loadResults(path: string): Row[];
  checkDataTwins(): { ok: boolean; differing?: string[] };
  IMPLS: string[];
}

const JS_PEERS = ['tfjs-cpu', 'tfjs-wasm', 'jax-js', 'js-pytorch'];
/** PyTorch as installed, and held to its AVX2 kernels (bench/peers/run.mjs AVX2_ENV; GEMM-bound workloads). */
const TORCH_PEERS = ['pytorch', 'pytorch-avx2'];
const TENSOR_COLUMNS = [...ADJOINT_IMPLS, ...JS_PEERS, ...TORCH_PEERS];
const SCALAR_COLUMNS = ['adjoint-value', 'micrograd-closure-js', 'micrograd-python'];

// ---------------------------------------------------------------------------------------------
// Cells and tables (the peers' cell style: GF/s for W3, µs/op for W5, else ms).

const ERRORS: [RegExp, string][] = [
  [/^unavailable/, 'unavailable'], [/call stack/, 'stack overflow'], [/timeout/, 'timeout'], [/RSS cap/, 'RSS cap'],
  [/out of memory/, 'heap OOM'], [/crashed/, 'crashed'], [/not registered/, 'missing kernel'], [/^Unsupported/, 'unsupported'],
  [/import torch|not runnable/, 'no torch'], [/RecursionError/, 'recursion limit'],
];
const shortError = (e: string): string => ERRORS.find(([re]) => re.test(e))?.[1] ?? 'error';
const num = (r: Row | undefined, k: string): number => (r && typeof r[k] === 'number' ? (r[k] as number) : NaN);
const ok = (r: Row | undefined): r is Row => r !== undefined && !r.error && !r.skipped && Number.isFinite(num(r, 'median_ms'));
const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));

function cell(r: Row | undefined): string {
  if (!r) return '';
  if (r.skipped) return 'skip';
  if (r.error) return `✗ ${shortError(String(r.error))}`;
  const mark = (num(r, 'others_cores') >= 0.5 ? '*' : '') + (r.stored ? '†' : '');
  if (r.workload === 'W3') return `${num(r, 'gflops').toPrecision(3)} GF/s${mark}`;
  if (r.workload === 'W5') return `${num(r, 'us_per_op').toPrecision(3)} µs/op${mark}`;
  return fmt(num(r, 'median_ms')) + mark;
}

const keyOf = (r: Row): string => `${r.workload}|${r.param ?? ''}`;
/** O1–O5's titles (sizes included), from bench/peers/ops.json, the one definition of those workloads. */
const OP_TITLES: Record<string, string> = Object.fromEntries(
  Object.entries(JSON.parse(readFileSync(join(PEERS_DIR, 'ops.json'), 'utf8')) as Record<string, { title?: string }>)
    .filter(([, v]) => typeof v === 'object' && v.title)
    .map(([k, v]) => [k, v.title!]),
);
const OP_WORKLOADS = Object.keys(OP_TITLES);
function label(key: string): string {
  const [w, p] = key.split('|');
  if (OP_TITLES[w!]) return OP_TITLES[w!]!;
  if (!p) return w!;
  return `${w} ${w === 'W2' ? 'N=' + Number(p).toExponential(0).replace('+', '') : 'n=' + p}`;
}
const ORDER = ['W1', 'W1b', 'W2', 'W3', 'W4', 'W5', 'W6', ...OP_WORKLOADS];
function keysOf(rows: Row[]): string[] {
  const keys = [...new Set(rows.map(keyOf))];
  return keys.sort((a, b) => {
    const [wa, pa] = a.split('|');
    const [wb, pb] = b.split('|');
    return ORDER.indexOf(wa!) - ORDER.indexOf(wb!) || Number(pa || 0) - Number(pb || 0);
  });
}

function table(rows: Row[], columns: string[]): string {
  const cols = columns.filter((c) => rows.some((r) => r.impl === c));
  const find = (impl: string, k: string): Row | undefined => rows.find((r) => r.impl === impl && keyOf(r) === k);
  const keys = keysOf(rows.filter((r) => cols.includes(r.impl))).filter((k) => cols.some((c) => find(c, k) && !find(c, k)!.skipped));
  if (cols.length === 0 || keys.length === 0) return '(no rows in this run)';
  const head = `| workload | ${cols.join(' | ')} |\n|---|${cols.map(() => '---:').join('|')}|`;
  return [head, ...keys.map((k) => `| ${label(k)} | ${cols.map((c) => cell(find(c, k))).join(' | ')} |`)].join('\n');
}

/** adjoint time / peer time (W3: the inverse of the GFLOP/s ratio); below 1: adjoint is faster. */
function ratio(a: Row | undefined, p: Row | undefined): string {
  if (!a || a.skipped) return '';
  if (!p || p.skipped) return '';
  const aOk: boolean = ok(a);
  const pOk: boolean = ok(p);
  if (aOk && pOk) return (num(a, 'median_ms') / num(p, 'median_ms')).toPrecision(2);
  if (aOk && !pOk) return `peer ✗ ${shortError(String((p as Row).error))}`;
  if (!aOk && pOk) return `✗ ${shortError(String((a as Row).error))}`;
  return '✗ both';
}

function ratioTable(rows: Row[], impl: string, peers: string[]): string {
  const cols = peers.filter((c) => rows.some((r) => r.impl === c));
  const find = (i: string, k: string): Row | undefined => rows.find((r) => r.impl === i && keyOf(r) === k);
  const keys = keysOf(rows.filter((r) => r.impl === impl && !r.skipped));
  if (cols.length === 0 || keys.length === 0) return `(no ${impl} rows to compare in this run)`;
  const head = `| workload | ${cols.map((c) => `${impl} / ${c}`).join(' | ')} |\n|---|${cols.map(() => '---:').join('|')}|`;
  return [head, ...keys.map((k) => `| ${label(k)} | ${cols.map((c) => ratio(find(impl, k), find(c, k))).join(' | ')} |`)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Targets of issue 5, judged on adjoint-wasm (the backend they are about).

interface Target {
  target: string;
  measured: string;
  met: boolean | null;
}

function targets(rows: Row[]): Target[] {
  const find = (i: string, w: string, p: number | null = null): Row | undefined =>
    rows.find((r) => r.impl === i && r.workload === w && (r.param ?? null) === p);
  const out: Target[] = [];
  const impl = 'adjoint-wasm';
  // 1. faster than every JS peer on every workload (a peer that fails loses if adjoint finishes).
  const losses: string[] = [];
  let compared = 0;
  for (const r of rows.filter((x) => x.impl === impl && !x.skipped)) {
    for (const peer of JS_PEERS) {
      const p = find(peer, r.workload, r.param);
      if (!p || p.skipped) continue;
      compared++;
      if (!ok(r)) {
        if (ok(p)) losses.push(`${label(keyOf(r))} vs ${peer} (adjoint ✗)`);
      } else if (ok(p) && num(r, 'median_ms') >= num(p, 'median_ms')) {
        losses.push(`${label(keyOf(r))} vs ${peer} (${(num(r, 'median_ms') / num(p, 'median_ms')).toPrecision(2)}x)`);
      }
    }
  }
  out.push({
    target: 'faster than every JS peer on every workload',
    measured: compared === 0 ? 'no JS peer rows' : losses.length === 0 ? `all ${compared} comparisons won` : `lost ${losses.length} of ${compared}: ${losses.join('; ')}`,
    met: compared === 0 ? null : losses.length === 0,
  });
  const pair = (w: string, p: number | null): [Row | undefined, Row | undefined] => [find(impl, w, p), find('pytorch', w, p)];
  const [a3, t3] = pair('W3', 1024);
  if (ok(a3) && ok(t3)) {
    const share = num(a3, 'gflops') / num(t3, 'gflops');
    const rel = find('adjoint-wasm-nofma', 'W3', 1024);
    const relTxt = ok(rel) ? `; without FMA (relaxed SIMD off) ${num(rel, 'gflops').toPrecision(3)} GF/s = ${((100 * num(rel, 'gflops')) / num(t3, 'gflops')).toFixed(0)}%` : '';
    out.push({
      target: 'matmul n=1024 ≥ 50% of PyTorch, same threads',
      measured: `${num(a3, 'gflops').toPrecision(3)} GF/s (${a3.threads} threads) vs ${num(t3, 'gflops').toPrecision(3)} GF/s (${t3.threads} threads) = ${(100 * share).toFixed(0)}%${relTxt}`,
      met: share >= 0.5,
    });
  } else out.push({ target: 'matmul n=1024 ≥ 50% of PyTorch, same threads', measured: 'not measured', met: null });
  const [a4, t4] = pair('W4', null);
  out.push(
    ok(a4) && ok(t4)
      ? { target: 'W4 within 2x of PyTorch', measured: `${fmt(num(a4, 'median_ms'))} ms vs ${fmt(num(t4, 'median_ms'))} ms = ${(num(a4, 'median_ms') / num(t4, 'median_ms')).toPrecision(3)}x`, met: num(a4, 'median_ms') <= 2 * num(t4, 'median_ms') }
      : { target: 'W4 within 2x of PyTorch', measured: 'not measured', met: null },
  );
  const [a5, t5] = pair('W5', null);
  out.push(
    ok(a5) && ok(t5)
      ? { target: 'W5 per-op overhead below PyTorch', measured: `${num(a5, 'us_per_op').toPrecision(3)} µs/op vs ${num(t5, 'us_per_op').toPrecision(3)} µs/op`, met: num(a5, 'us_per_op') < num(t5, 'us_per_op') }
      : { target: 'W5 per-op overhead below PyTorch', measured: 'not measured', met: null },
  );
  // The heavy ops (O2, O3): within 2x of PyTorch CPU; O1–O3: faster than tfjs-wasm where it has the op.
  for (const w of ['O2', 'O3']) {
    const [a, t] = pair(w, null);
    const target = `${w} within 2x of PyTorch`;
    out.push(
      ok(a) && ok(t)
        ? { target, measured: `${fmt(num(a, 'median_ms'))} ms vs ${fmt(num(t, 'median_ms'))} ms = ${(num(a, 'median_ms') / num(t, 'median_ms')).toPrecision(3)}x`, met: num(a, 'median_ms') <= 2 * num(t, 'median_ms') }
        : { target, measured: ok(t) ? `adjoint ${a ? '✗' : 'not measured'}` : 'PyTorch not measured', met: a && !ok(a) && ok(t) ? false : null },
    );
  }
  // compile (issue 13): the compiled rows against jax-js's jit, PyTorch and eager.
  const compiled = 'adjoint-wasm-compiled';
  const ratio = (target: string, a: Row | undefined, b: Row | undefined, key: string, bound: number, what: string, unit = 'ms'): Target =>
    ok(a) && ok(b)
      ? { target, measured: `${fmt(num(a, key))} ${unit} vs ${what} ${fmt(num(b, key))} ${unit} = ${(num(a, key) / num(b, key)).toPrecision(3)}x`, met: num(a, key) <= bound * num(b, key) }
      : { target, measured: 'not measured', met: null };
  out.push(ratio('W1b compiled at most half of jax-js jit', find(compiled, 'W1b'), find('jax-js', 'W1b'), 'median_ms', 0.5, 'jax-js'));
  out.push(ratio('W4 compiled within 1.3x of PyTorch', find(compiled, 'W4'), find('pytorch', 'W4'), 'median_ms', 1.3, 'PyTorch'));
  out.push(ratio('W5 compiled at least 5x faster than eager', find(compiled, 'W5'), find(impl, 'W5'), 'us_per_op', 0.2, 'eager', 'µs/op'));
  for (const w of ['O1', 'O2', 'O3']) {
    const a = find(impl, w);
    const p = find('tfjs-wasm', w);
    const target = `${w} faster than tfjs-wasm`;
    if (!p || p.skipped) out.push({ target, measured: 'tfjs-wasm not measured', met: null });
    else if (!ok(p)) out.push({ target, measured: `tfjs-wasm does not have it (${String((p as Row).error).slice(0, 90)})`, met: null });
    else if (!ok(a)) out.push({ target, measured: 'adjoint ✗', met: false });
    else out.push({ target, measured: `${fmt(num(a, 'median_ms'))} ms vs ${fmt(num(p, 'median_ms'))} ms = ${(num(a, 'median_ms') / num(p, 'median_ms')).toPrecision(3)}x`, met: num(a, 'median_ms') < num(p, 'median_ms') });
  }
  return out;
}

const targetTable = (ts: Target[]): string =>
  ['| target (adjoint-wasm) | measured | met |', '|---|---|---|', ...ts.map((t) => `| ${t.target} | ${t.measured} | ${t.met === null ? '?' : t.met ? 'yes' : '**no**'} |`)].join('\n');

// ---------------------------------------------------------------------------------------------
// The machine.

interface Machine {
  date: string;
  cpu: string;
  cores: number;
  mhz: string;
  flags: string[];
  os: string;
  node: string;
  v8: string;
  git: string;
  wasmBuild: string;
  loadStart: number[];
  loadEnd?: number[];
}

function machine(): Machine {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const field = (name: string): string => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '?';
  const wanted = /^(sse4_2|avx|avx2|fma|f16c|avx512f|avx512bw|avx512vl|avx512_vnni|avx512_bf16|avx512_fp16|amx_tile|amx_bf16|amx_int8)$/;
  let os = '?';
  try {
    os = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '?';
  } catch {
    /* not Linux */
  }
  let git = '?';
  try {
    const head = execSync('git rev-parse --short HEAD', { cwd: HERE, encoding: 'utf8' }).trim();
    const dirty = execSync('git status --porcelain -- src assembly', { cwd: HERE, encoding: 'utf8' }).trim() !== '';
    git = dirty ? `${head} + uncommitted changes in src/ or assembly/` : head;
  } catch {
    /* not a checkout */
  }
  // The wasm kernels are rebuilt while others work: say which build this run loaded.
  let wasmBuild = 'no kernels-simd-shared.wasm';
  const wasmFile = join(HERE, '..', 'src/backend/wasm/kernels-simd-shared.wasm');
  if (existsSync(wasmFile)) {
    const bytes = readFileSync(wasmFile);
    wasmBuild = `kernels-simd-shared.wasm sha256 ${createHash('sha256').update(bytes).digest('hex').slice(0, 12)} (${bytes.length} bytes)`;
  }
  return {
    wasmBuild, date: new Date().toISOString(), cpu: field('model name'), cores: cpus().length, mhz: field('cpu MHz'),
    flags: field('flags').split(/\s+/).filter((f) => wanted.test(f)), os, node: process.version, v8: process.versions.v8,
    git, loadStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

// ---------------------------------------------------------------------------------------------
// RESULTS.md

const NOTES_START = '<!-- notes:start -->';
const NOTES_END = '<!-- notes:end -->';
const PROFILE_START = '<!-- profile-w4:start -->';
const PROFILE_END = '<!-- profile-w4:end -->';

/** A marked section of the current RESULTS.md (the W4 profile, hand-written notes), kept across runs. */
function kept(start: string, end: string): string {
  if (!existsSync(RESULTS_MD)) return '';
  const md = readFileSync(RESULTS_MD, 'utf8');
  const a = md.indexOf(start);
  const b = md.indexOf(end);
  return a >= 0 && b > a ? md.slice(a, b + end.length) : '';
}

function matmulParagraph(rows: Row[], m: Machine): string {
  const find = (i: string, n: number): Row | undefined => rows.find((r) => r.impl === i && r.workload === 'W3' && r.param === n);
  const t = find('pytorch', 1024);
  const w = find('adjoint-wasm', 1024);
  const r = find('adjoint-wasm-nofma', 1024);
  const t2 = find('pytorch-avx2', 1024);
  const avx512 = m.flags.includes('avx512f');
  const c = m.cores;
  const g = (x: number): string => x.toPrecision(3);
  const lines = [
    `This machine has ${c} vCPUs of an ${m.cpu}${avx512 ? ' with **AVX-512**' : ''}${m.flags.includes('amx_tile') ? ' (and AMX)' : ''}, ${m.mhz} MHz nominal, not the AVX2-only machine BENCHMARKS.md describes.`,
  ];
  if (!ok(t)) lines.push('PyTorch was not measured at n = 1024.');
  else {
    const tg = num(t, 'gflops');
    const need = tg / 2 / (c * 16); // GHz a perfect 128-bit FMA kernel would need for half of PyTorch
    lines.push(
      `PyTorch (${t.version}, BLAS ${t.blas}, ${t.threads} threads) reached **${g(tg)} GFLOP/s** at n = 1024${t.stored ? ' (stored run)' : ''}; the issue's target, half of it, is **${g(tg / 2)} GFLOP/s**.`,
      `Per core and cycle, AVX-512 with two FMA ports does 64 float32 flops; WebAssembly's 128-bit SIMD does at most 16 with fused multiply-add (relaxed SIMD; Node 20 has it behind a V8 flag, which adjoint sets) and fewer without it (separate mul and add). So a wasm kernel tops out at **a quarter** of an AVX-512 one at the same clock: reaching ${g(tg / 2)} GFLOP/s with 128-bit FMA on ${c} cores would take a ${need.toFixed(1)} GHz clock even at 100% of the kernel's peak.`,
      `**The matmul target (≥ 50% of PyTorch at n = 1024) cannot be met by WebAssembly on this machine**: a 128-bit kernel at its peak does a quarter of what an AVX-512 one does at its peak, and OpenBLAS runs near its peak, so about a third of PyTorch is the ceiling here. On the AVX2 machine BENCHMARKS.md describes (32 flops/cycle/core natively) the ceiling is half of native and the target is tight but possible.`,
    );
    if (ok(w)) {
      lines.push(
        `Measured: adjoint-wasm ${g(num(w, 'gflops'))} GFLOP/s (${w.threads} threads, ${w.relaxed ? 'FMA' : 'no FMA'}) = ${((100 * num(w, 'gflops')) / tg).toFixed(0)}% of PyTorch` +
          (w.relaxed ? ` (the 128-bit FMA peak of ${c} cores at ${(num(w, 'gflops') / (c * 16)).toFixed(2)} GHz)` : '') +
          (ok(r) ? `; without FMA (adjoint-wasm-nofma) ${g(num(r, 'gflops'))} GFLOP/s = ${((100 * num(r, 'gflops')) / tg).toFixed(0)}%.` : '.'),
      );
      if (ok(t2)) {
        lines.push(
          `PyTorch held to its AVX2 kernels on this machine (pytorch-avx2: ${String(t2.kernels ?? '')}), the closest to the AVX2 machine BENCHMARKS.md describes, reached ${g(num(t2, 'gflops'))} GFLOP/s; adjoint-wasm is ${((100 * num(w, 'gflops')) / num(t2, 'gflops')).toFixed(0)}% of that.`,
        );
      }
    }
  }
  return lines.join('\n');
}

function loadSummary(rows: Row[], m: Machine): string {
  const oc = rows.filter((r) => !r.stored && typeof r.others_cores === 'number').map((r) => r.others_cores as number).sort((a, b) => a - b);
  const busy = rows.filter((r) => !r.stored && num(r, 'others_cores') >= 0.5);
  const med = oc.length ? oc[oc.length >> 1]! : NaN;
  return [
    `Load average (1, 5, 15 min) at the start ${m.loadStart.join(', ')}, at the end ${m.loadEnd?.join(', ') ?? '?'}. The machine is shared with other engineers' tests and benchmarks.`,
    `CPU used by *other* processes while each row ran (\`others_cores\`): median ${Number.isFinite(med) ? med.toFixed(2) : '?'}, max ${oc.length ? oc[oc.length - 1]!.toFixed(2) : '?'} cores; ${busy.length} of ${oc.length} rows of this run at ≥ 0.5 core (marked *, after one re-run when it helped).`,
  ].join(' ');
}

function resultsMd(rows: Row[], m: Machine, o: { quick: boolean; peersStored: string | null; seconds: number; rerun?: string }): string {
  const torch = rows.find((r) => r.impl === 'pytorch' && r.blas);
  const wasm = rows.find((r) => r.impl === 'adjoint-wasm' && !r.error);
  const ts = targets(rows);
  const builds = [...new Set(rows.filter((r) => typeof r.wasm_build === 'string').map((r) => r.wasm_build as string))];
  const profile = kept(PROFILE_START, PROFILE_END);
  const notes = kept(NOTES_START, NOTES_END);
  return `# adjoint — benchmark results

Written by \`npm run bench\` (bench/run.ts) on ${m.date.slice(0, 10)} (${m.date}), ${o.quick ? '**quick smoke run** (small sizes, short timing)' : 'full run'}, ${(o.seconds / 60).toFixed(0)} min.
Workloads W1–W6 of \`shared/BENCHMARKS.md\`, identical data for every implementation (bench/peers/data.mjs); median of ≥ 7 timed runs after warm-up (the peers' rules, bench/peers/harness.mjs); each (impl, workload, size) in its own process, so \`rss_mb\` is its own peak RSS. Every row is in \`bench/results.jsonl\`.
${o.rerun ? `Afterwards (\`--rerun-busy\`, \`--rerun\`, \`--merge\`): ${o.rerun}. A row replaced because others disturbed it keeps its first measurement in \`rerun_of_busy\`.\n` : ''}Peers: ${o.peersStored ? `**stored** rows from \`bench/peers/results-peers.jsonl\` (${o.peersStored}), not measured in this run; marked †` : 'measured in this run (bench/peers/run.mjs `runPeers`)'}.

## Machine

- CPU: ${m.cpu}, ${m.cores} vCPUs, ${m.mhz} MHz nominal; flags: ${m.flags.join(' ')}
- ${m.os}; Node ${m.node} (V8 ${m.v8})
- PyTorch: ${torch ? `${torch.version}, BLAS ${torch.blas}, ${torch.threads} threads${torch.stored ? ' (stored run)' : ''}` : 'not available'}
- adjoint ${wasm?.version ?? ''} at ${m.git}; at the start ${m.wasmBuild}; ${builds.length ? `the wasm rows say they ran ${builds.join('; ')}` : 'the wasm rows do not say which build they ran'}; wasm backend: ${wasm ? `${wasm.threads} threads, shared memory ${wasm.shared_memory}, relaxed SIMD (FMA) ${wasm.relaxed ? 'on (Node 20: through a V8 flag adjoint sets; adjoint-wasm-nofma turns it off)' : 'off'}` : 'unavailable'}
- JS peers run on 1 thread in Node (TF.js wasm and jax-js need Web Workers for threads); PyTorch and adjoint-wasm on ${m.cores}.
- ${loadSummary(rows, m)}

## Tensor workloads: medians

${table(rows, TENSOR_COLUMNS)}

ms per step unless marked (W3: GFLOP/s, higher is better; W5: µs per op); W2 = forward + backward of the 0-d tensor chain; ✗ = failed (the row's \`error\`); * = other processes used ≥ 0.5 core meanwhile${o.peersStored ? '; † = stored peer row' : ''}. adjoint-wasm-nofma (relaxed SIMD off) and pytorch-avx2 (PyTorch held to its AVX2 kernels: \`OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2\`) are measured on the GEMM-bound workloads only.

## Ratios adjoint / peer (time; below 1 means adjoint is faster)

${ratioTable(rows, 'adjoint-wasm', [...JS_PEERS, ...TORCH_PEERS])}

${ratioTable(rows, 'adjoint-js', [...JS_PEERS, 'pytorch'])}

"peer ✗" = the peer failed where adjoint finished.

## Scalar engine (\`Value\`): W1 and W2 (bench/scalar.ts)

${table(rows, SCALAR_COLUMNS)}

W1 ms per step (one graph over 100 points); W2 forward + backward ms on scalars (adjoint-value is \`Value\`, float64). Compare W2 with the 0-d tensor chain above.

## Targets (issue 5)

${targetTable(ts)}

${notes || `${NOTES_START}\n${NOTES_END}`}

## What this machine allows for matmul

${matmulParagraph(rows, m)}

${profile || `${PROFILE_START}\n## Where W4's time goes\n\n(not profiled yet: \`npx tsx bench/profile-w4.ts\`)\n${PROFILE_END}`}
`;
}

// ---------------------------------------------------------------------------------------------

/**
 * Re-runs, in a saved results.jsonl, every measured row during which other processes used ≥ 0.5 core
 * (adjoint's and the peers' alike; a peer's workload re-runs all its sizes, only the busy one is
 * taken), keeps the new row when it ran on a quieter machine, and re-writes RESULTS.md.
 */
async function rerunBusy(file: string, impls?: string[]): Promise<void> {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const meta = lines[0]!.meta as Machine & { quick: boolean; peersStored: string | null; seconds?: number; rerun?: string };
  const rows = lines.slice(1) as Row[];
  // --rerun FILE --only a,b: every measured row of those impls (e.g. after their code changed), replaced unconditionally.
  const busy = impls ? rows.filter((r) => impls.includes(r.impl) && !r.skipped) : rows.filter((r) => !r.stored && num(r, 'others_cores') >= 0.5);
  process.stderr.write(`${busy.length} busy rows: ${busy.map((r) => `${r.impl} ${label(keyOf(r))}`).join(', ')}\n`);
  const peers = (await import(pathToFileURL(join(PEERS_DIR, 'run.mjs')).href)) as PeersModule;
  const load0 = loadavg();
  for (const old of busy) {
    let fresh: Row[] = [];
    if ((ADJOINT_IMPLS as readonly string[]).includes(old.impl)) {
      fresh = await runAdjoint({ quick: meta.quick, impls: [old.impl], workloads: [old.workload], params: [old.param], scalarPeers: false });
    } else if ([...JS_PEERS, ...TORCH_PEERS].includes(old.impl)) {
      fresh = await peers.runPeers({ quick: meta.quick, impls: [old.impl], workloads: [old.workload] });
    } else continue;
    const got = fresh.find((r) => keyOf(r) === keyOf(old) && r.impl === old.impl);
    const better = impls ? got !== undefined : got && !got.error && !got.skipped && !(num(got, 'others_cores') >= num(old, 'others_cores'));
    process.stderr.write(`${old.impl} ${label(keyOf(old))}: others ${num(old, 'others_cores')} → ${got ? num(got, 'others_cores') : '?'}; ${better ? 'replaced' : 'kept'}\n`);
    if (better && got) {
      rows[rows.indexOf(old)] = impls ? { ...got, rerun: true } : { ...got, rerun_of_busy: { median_ms: old.median_ms, others_cores: old.others_cores } };
      console.log(JSON.stringify(got));
    }
  }
  const what = impls ? `all ${busy.length} rows of ${impls.join(', ')} re-run (replaced)` : `${busy.length} rows with others_cores ≥ 0.5 re-run (replaced when quieter)`;
  meta.rerun = [meta.rerun, `${what} on ${new Date().toISOString()} (load average ${load0.map((x) => x.toFixed(2)).join(', ')} → ${loadavg().map((x) => x.toFixed(2)).join(', ')})`].filter(Boolean).join('; then ');
  writeFileSync(file, [JSON.stringify({ meta }), ...rows.map((r) => JSON.stringify(r))].join('\n') + '\n');
  writeFileSync(RESULTS_MD, resultsMd(rows, meta, { quick: meta.quick, peersStored: meta.peersStored, seconds: meta.seconds ?? 0, rerun: meta.rerun }));
  process.stderr.write(`written: ${file}, bench/RESULTS.md\n`);
}

async function main(argv: string[]): Promise<void> {
  const flag = (name: string): boolean => argv.includes(name);
  const opt = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const render = opt('--render');
  if (render) {
    // Re-write RESULTS.md from a saved results.jsonl (e.g. after changing this file's text), without running anything.
    const lines = readFileSync(render, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const meta = lines[0]!.meta as Machine & { quick: boolean; peersStored: string | null; seconds?: number; rerun?: string };
    const seconds = meta.seconds ?? (statSync(render).mtimeMs - Date.parse(meta.date)) / 1000;
    writeFileSync(RESULTS_MD, resultsMd(lines.slice(1) as Row[], meta, { quick: meta.quick, peersStored: meta.peersStored, seconds, rerun: meta.rerun }));
    process.stderr.write(`written: bench/RESULTS.md from ${render}\n`);
    return;
  }
  const rerun = opt('--rerun-busy') ?? opt('--rerun');
  if (rerun) return rerunBusy(rerun, flag('--rerun') ? opt('--only')?.split(',') : undefined);
  const quick = flag('--quick');
  const write = !flag('--no-write') && (!quick || flag('--write'));
  // --merge: the rows of this run replace the same (impl, workload, param) rows of the saved bench/results.jsonl (others kept).
  const merge = flag('--merge');
  const only = opt('--only')?.split(',');
  const workloads = opt('--workloads')?.split(',');
  const m = machine();
  const t0 = Date.now();
  const rows: Row[] = [];
  const print = (r: Row): void => {
    rows.push(r);
    console.log(JSON.stringify(r));
  };
  console.log(JSON.stringify({ meta: { ...m, quick } }));

  // adjoint (and the scalar micrograd peers).
  const adjointImpls = only ? only.filter((i) => (ADJOINT_IMPLS as readonly string[]).includes(i)) : [...ADJOINT_IMPLS];
  const scalar = !only || only.some((i) => SCALAR_COLUMNS.includes(i));
  if (adjointImpls.length > 0 || scalar) {
    await runAdjoint({ quick, impls: adjointImpls, workloads: workloads ?? (scalar ? undefined : ORDER.filter((w) => w !== 'W1')), scalarPeers: scalar, onRow: print });
  }

  // The peers: measured now when installed, else the stored rows.
  const peerImpls = only ? only.filter((i) => [...JS_PEERS, ...TORCH_PEERS].includes(i)) : [...JS_PEERS, ...TORCH_PEERS];
  let peersStored: string | null = null;
  if (peerImpls.length > 0) {
    const peers = (await import(pathToFileURL(join(PEERS_DIR, 'run.mjs')).href)) as PeersModule;
    const installed = existsSync(join(PEERS_DIR, 'node_modules'));
    if (installed && !flag('--stored-peers')) {
      const twins = peers.checkDataTwins();
      process.stderr.write(`data twins (data.mjs vs lcg.py): ${twins.ok ? 'identical' : JSON.stringify(twins)}\n`);
      await peers.runPeers({ quick, impls: peerImpls, workloads: workloads ?? ORDER, onRow: print });
    } else {
      if (!installed) process.stderr.write('bench/peers/node_modules is missing: the peers cannot run. Install them with\n  cd bench/peers && npm install\nUsing the stored rows of bench/peers/results-peers.jsonl instead (labelled "stored").\n');
      const meta = JSON.parse(readFileSync(STORED, 'utf8').split('\n')[0]!) as { meta?: { date?: string; quick?: boolean } };
      peersStored = `${meta.meta?.date ?? 'undated'}${meta.meta?.quick ? ', quick' : ', full run'}`;
      for (const r of peers.loadResults(STORED)) {
        if (peerImpls.includes(r.impl) && (!workloads || workloads.includes(r.workload))) print({ ...r, stored: true });
      }
    }
  }

  m.loadEnd = loadavg().map((x) => Math.round(x * 100) / 100);
  const seconds = (Date.now() - t0) / 1000;
  const out = [
    '',
    table(rows, TENSOR_COLUMNS),
    '',
    ratioTable(rows, 'adjoint-wasm', [...JS_PEERS, ...TORCH_PEERS]),
    '',
    ratioTable(rows, 'adjoint-js', [...JS_PEERS, 'pytorch']),
    '',
    table(rows, SCALAR_COLUMNS),
    '',
    targetTable(targets(rows)),
    '',
    `(ms per step unless marked; ratio = adjoint time / peer time, below 1: adjoint faster; * = others used ≥ 0.5 core${peersStored ? `; † = stored peer rows (${peersStored})` : ''})`,
    `total ${(seconds / 60).toFixed(1)} min; load average ${m.loadStart.join(', ')} → ${m.loadEnd.join(', ')}`,
  ];
  process.stderr.write(out.join('\n') + '\n');
  if (write && merge && existsSync(RESULTS_JSONL)) {
    const lines = readFileSync(RESULTS_JSONL, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const meta = lines[0]!.meta as Machine & { quick: boolean; peersStored: string | null; seconds?: number; rerun?: string };
    const fresh = new Set(rows.map((r) => `${r.impl}|${keyOf(r)}`));
    const merged = [...(lines.slice(1) as Row[]).filter((r) => !fresh.has(`${r.impl}|${keyOf(r)}`)), ...rows];
    const what = `${rows.length} rows (${[...new Set(rows.map((r) => r.workload))].join(', ')}) measured on ${m.date} at ${m.git}${quick ? ', quick' : ''} on ${m.cpu} (${m.cores} vCPUs, ${m.flags.join(' ')}; Node ${m.node})${m.cpu !== meta.cpu ? ', **a different machine** from the rows above it: compare them with each other only' : ''}, merged in (load average ${m.loadStart.join(', ')} → ${m.loadEnd.join(', ')})`;
    meta.rerun = [meta.rerun, what].filter(Boolean).join('; then ');
    writeFileSync(RESULTS_JSONL, [JSON.stringify({ meta }), ...merged.map((r) => JSON.stringify(r))].join('\n') + '\n');
    writeFileSync(RESULTS_MD, resultsMd(merged, meta, { quick: meta.quick, peersStored: meta.peersStored, seconds: meta.seconds ?? 0, rerun: meta.rerun }));
    process.stderr.write(`merged into bench/results.jsonl; written: bench/RESULTS.md\n`);
  } else if (write) {
    writeFileSync(RESULTS_JSONL, [JSON.stringify({ meta: { ...m, quick, peersStored, seconds: Math.round(seconds) } }), ...rows.map((r) => JSON.stringify(r))].join('\n') + '\n');
    writeFileSync(RESULTS_MD, resultsMd(rows, m, { quick, peersStored, seconds }));
    process.stderr.write(`written: bench/RESULTS.md, bench/results.jsonl\n`);
  }
}

await main(process.argv.slice(2));
