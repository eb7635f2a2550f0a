// One (impl, workload, param) in its own process, so peak RSS is its own.
// Usage: node child.mjs <impl> <workload> <param|-> '{"warmup":1,"runs":5,"budgetMs":60000}'
import { measure, emit, round } from "./harness.mjs";
import { OPS_SPEC } from "./data.mjs";

const IMPLS = {
  "tfjs-cpu": ["./impl/tfjs.mjs", "cpu"],
  "tfjs-wasm": ["./impl/tfjs.mjs", "wasm"],
  "jax-js": ["./impl/jaxjs.mjs"],
  "js-pytorch": ["./impl/jspytorch.mjs"],
};

const [impl, workload, rawParam, rawOpts = "{}"] = process.argv.slice(2);
const param = rawParam === "-" || rawParam === undefined ? null : Number(rawParam);
const opts = JSON.parse(rawOpts);
const base = { impl, workload, param };

try {
  const [path, arg] = IMPLS[impl] ?? [];
  if (!path) throw new Error(`unknown impl ${impl}`);
  const mod = await import(path);
  const info = (await mod.setup?.(arg)) ?? {};
  const w = await mod.make(workload, param);
  const timing = await measure((phase) => w.step(phase), opts);
  const row = { ...base, ...timing, version: mod.version, ...info };
  if (w.mode) row.mode = w.mode;
  if (w.note) row.note = w.note;
  if (OPS_SPEC[workload]) row.title = OPS_SPEC[workload].title;
  if (workload === "W3") row.gflops = round((2 * param ** 3) / (timing.median_ms * 1e6), 3);
  if (workload === "W5") row.us_per_op = round((timing.median_ms * 1000) / 1000);
  row.check = w.check;
  emit(row);
} catch (e) {
  emit({ ...base, error: `${e?.name ?? "Error"}: ${String(e?.message ?? e).split("\n")[0].slice(0, 300)}` });
}
process.exit(0); // some peers keep worker handles alive
