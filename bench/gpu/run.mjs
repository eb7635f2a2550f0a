#!/usr/bin/env node
// G3, G4, G6 and G10 of shared/BENCHMARKS.md on adjoint's `webgpu` backend and, in the same run, on
// jax-js's and TensorFlow.js's webgpu backends. Runs with plain `node` on the built package (dist/):
//   npm run build && node bench/gpu/run.mjs [--quick] [--only adjoint,adjoint-webgpu-compiled,jaxjs,tfjs] [--out bench/GPU.md]
// (adjoint-webgpu-compiled: G4 and G6 with the step under `compile`.)
// Writes JSON lines to stdout and bench/gpu/results.jsonl, and the table to bench/GPU.md (with the adapter).
// --quick: small sizes, for SwiftShader (a smoke test; its numbers mean nothing).
import { spawn } from "node:child_process";
import { appendFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { adapterInfo } from "./gpu-node.mjs";
import { writeReport } from "./report.mjs";

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const quick = flag("--quick");
const impls = opt("--only", "adjoint,adjoint-webgpu-compiled,jaxjs,tfjs").split(",");
const here = fileURLToPath(new URL(".", import.meta.url));
const out = opt("--out", `${here}../GPU.md`);
const jsonl = `${here}results.jsonl`;

const G3 = quick ? [[128, 2], [256, 2]] : [[1024, 16], [2048, 8], [4096, 4], [8192, 2]];
const plan = [
  ...G3.map(([n, reps]) => ({ bench: "G3", param: n, reps })),
  ...(quick ? [128] : [128, 8192]).map((b) => ({ bench: "G4", param: b })),
  { bench: "G6", param: "W6" },
  ...(quick ? [] : [{ bench: "G6", param: "resnet" }]),
  { bench: "G10", param: quick ? [5, 15] : [1000, 20000] },
  { bench: "profile", param: quick ? { batch: 128, warmup: 2, steps: 3 } : { batch: 128, warmup: 20, steps: 20 } },
];

function runChild(impl) {
  return new Promise((resolve) => {
    const rows = [];
    const p = spawn(process.execPath, [`${here}child.mjs`, impl, JSON.stringify(plan)], { stdio: ["ignore", "pipe", "inherit"] });
    const timer = setTimeout(() => p.kill("SIGKILL"), (quick ? 600 : 420) * 1000);
    let buf = "";
    p.stdout.on("data", (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!line.startsWith("RESULT ")) continue;
        const row = JSON.parse(line.slice(7));
        rows.push(row);
        process.stdout.write(`${JSON.stringify(row)}\n`);
        appendFileSync(jsonl, `${JSON.stringify({ ...row, quick })}\n`);
      }
    });
    p.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) rows.push({ impl, bench: "exit", error: `exit ${code ?? signal}` });
      resolve(rows);
    });
  });
}

const adapter = await adapterInfo();
process.stdout.write(`${JSON.stringify({ adapter })}\n`);
const rows = [];
for (const impl of impls) rows.push(...(await runChild(impl)));
writeFileSync(out, writeReport({ adapter, rows, quick, date: new Date().toISOString().slice(0, 10) }));
process.stdout.write(`wrote ${out}\n`);
process.exit(0);
