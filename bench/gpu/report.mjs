// bench/GPU.md from one run's rows: the adapter, one table per workload with the implementations side by
// side, the targets of the GPU issue, G10's memory and G4's profile.
const TARGETS = {
  "G3 4096": "≥ 40 TFLOP/s",
  "G4 128": "< 1.5 ms",
  "G4 8192": "< 3 ms",
  "G6 W6": "< 0.5 ms",
  "G6 resnet": "< 2.7 ms (2x PyTorch CUDA fp32, 1.35 ms)",
};
const H200 = { // shared/BENCHMARKS.md, measured on the H200
  pytorch: { "G3 1024": "37.2", "G3 2048": "49.8", "G3 4096": "51.2", "G3 8192": "51.2", "G4 128": "1.02 ms", "G4 8192": "1.03 ms", "G6 W6": "0.24 ms", "G6 resnet": "1.35 ms" },
  jaxjs: { "G3 1024": "1.8", "G3 2048": "8.9", "G3 4096": "11.3", "G4 128": "3.91 ms" },
  tfjs: { "G3 1024": "5.9", "G3 2048": "12.4", "G3 4096": "12.3", "G4 128": "6.33 ms" },
};

const cell = (r) => {
  if (!r) return "–";
  if (r.error) return `error: ${r.error.slice(0, 60)}`;
  return r.bench === "G3" || (r.bench === "G6" && r.param === "resnet" && r.tflops) ? `${r.tflops} TFLOP/s (${r.median_ms} ms)` : `${r.median_ms} ms`;
};

export function writeReport({ adapter, rows, quick, date }) {
  const impls = [...new Set(rows.map((r) => r.impl))];
  const setup = Object.fromEntries(rows.filter((r) => r.bench === "setup").map((r) => [r.impl, r]));
  const keys = [...new Set(rows.filter((r) => ["G3", "G4", "G6"].includes(r.bench)).map((r) => `${r.bench} ${r.param}`))];
  const find = (impl, key) => rows.find((r) => r.impl === impl && `${r.bench} ${r.param}` === key);
  const L = [];
  L.push("# adjoint on the GPU (`npm run bench:gpu`)", "");
  L.push(`Run ${date} on **${adapter.vendor ?? "?"} ${adapter.architecture ?? ""} ${adapter.device ?? ""}** ${adapter.description ? `(${adapter.description})` : ""}` +
    (quick ? " with `--quick` (small sizes: a smoke test of the script; on a software adapter the times mean nothing)." : "."), "");
  L.push("Each cell: median of ≥ 5 timed steps after warm-up, every step ending in a read of the result (a sync).", "");
  for (const impl of impls) {
    const s = setup[impl];
    L.push(`- \`${impl}\`: ${s?.version ?? ""}${s?.error ? ` — could not start: ${s.error}` : ""}`);
  }
  L.push("", `| workload | ${impls.join(" | ")} | target | H200 reference (BENCHMARKS.md): PyTorch CUDA · jax-js · tfjs |`, `|---|${impls.map(() => "---:").join("|")}|---|---|`);
  for (const k of keys) {
    const ref = ["pytorch", "jaxjs", "tfjs"].map((p) => H200[p][k] ?? "–").join(" · ");
    L.push(`| ${k} | ${impls.map((i) => cell(find(i, k))).join(" | ")} | ${TARGETS[k] ?? ""} | ${ref} |`);
  }
  const g10 = rows.filter((r) => r.bench === "G10");
  if (g10.length) {
    L.push("", "## G10: GPU memory over a training loop that frees nothing by hand", "");
    for (const r of g10) L.push(`- \`${r.impl}\`: ${r.error ? `error: ${r.error}` : Object.entries(r).filter(([k]) => k.endsWith("_mb")).map(([k, v]) => `${k} ${Number(v).toFixed(1)} MB`).join(", ")} (${r.seconds ?? "?"} s)`);
  }
  const prof = rows.filter((r) => r.bench === "profile" && !r.error);
  for (const r of prof) {
    L.push("", `## Where G4's time goes (\`${r.impl}\`, batch ${r.batch}, ${r.steps} steps)`, "", `Wall time per step: ${Number(r.wall_ms).toFixed(3)} ms.`, "");
    L.push("```json", JSON.stringify(r.profile, null, 1), "```");
  }
  for (const r of rows.filter((x) => x.bench === "profile" && x.error)) L.push("", `profile (${r.impl}): error: ${r.error}`);
  return `${L.join("\n")}\n`;
}
