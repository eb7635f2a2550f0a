// One implementation's GPU workloads in one process: node child.mjs <impl> '<plan json>'.
// Prints one `RESULT {json}` line per measurement (the driver, run.mjs, collects them).
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { measure, round } from "../peers/harness.mjs";

const [impl, planJson] = process.argv.slice(2);
const plan = JSON.parse(planJson);
const here = fileURLToPath(new URL(".", import.meta.url));
// The peers travel to a GPU machine as single-file bundles (bundle-peers.mjs); here they may also load from bench/peers/node_modules.
const bundled = `${here}.peers/${impl}.mjs`;
const mod = await import(existsSync(bundled) ? pathToFileURL(bundled).href : `./impl/${impl}.mjs`);
const emit = (row) => process.stdout.write(`RESULT ${JSON.stringify({ impl, version: mod.version, ...row })}\n`);

let env;
try {
  env = await mod.setup();
} catch (e) {
  emit({ bench: "setup", error: String(e?.message ?? e) });
  process.exit(0);
}
emit({ bench: "setup", ...env });

for (const item of plan) {
  const { bench, param } = item;
  const w = mod.workloads[bench];
  if (w === undefined) continue;
  try {
    if (bench === "G10" || bench === "profile") {
      const t0 = performance.now();
      const r = await w(param);
      emit({ bench, param, ...r, seconds: round((performance.now() - t0) / 1000) });
      continue;
    }
    const s = w(param, item);
    const m = await measure(() => s.step(), { warmup: 3, warmupMs: 500, runs: 5, maxRuns: 21, targetMs: 1500, budgetMs: 30000 });
    const row = { bench, param, ...m };
    if (s.flops) row.tflops = round(s.flops / (m.median_ms * 1e-3) / 1e12);
    if (s.check && Object.keys(s.check).length) row.check = s.check;
    emit(row);
  } catch (e) {
    emit({ bench, param, error: String(e?.stack ?? e).split("\n").slice(0, 3).join(" | ") });
  }
}
process.exit(0);
