#!/usr/bin/env node
// Builds the playground (web/) into web/dist with Vite, prints every file's gzipped
// size and the total before Graphviz (budget 400 KB), then serves the static files
// on http://127.0.0.1:4173/ (vite preview). `--build-only` stops after the build;
// `--port N` picks another port.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, preview } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const configFile = join(root, 'web', 'vite.config.ts');
const outDir = join(root, 'web', 'dist');
const BUDGET = 400 * 1024;

const args = process.argv.slice(2);
const buildOnly = args.includes('--build-only');
const portAt = args.indexOf('--port');
const port = portAt >= 0 ? Number(args[portAt + 1]) : 4173;

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

const kb = (n) => `${(n / 1024).toFixed(1).padStart(8)} KB`;

await build({ configFile, logLevel: 'warn' });

/** The code a visitor downloads before any graph is drawn: HTML, CSS, JS (the worker too), not Graphviz. */
const isCode = (f) => /\.(html|css|js)$/.test(f);
const isGraphviz = (f) => /assets\/viz-[^/]*\.js$/.test(f);
let before = 0;
let graphviz = 0;
console.log(`\n${'file'.padEnd(48)}${'size'.padStart(11)}${'gzipped'.padStart(11)}`);
for (const f of files(outDir).sort()) {
  const bytes = readFileSync(f);
  const gz = gzipSync(bytes, { level: 9 }).length;
  const rel = relative(outDir, f);
  if (isGraphviz(rel)) graphviz += gz;
  else if (isCode(rel)) before += gz;
  console.log(`${rel.padEnd(48)}${kb(bytes.length)}${kb(gz)}${isGraphviz(rel) ? '  (Graphviz, lazy)' : isCode(rel) ? '' : '  (asset, fetched only if used)'}`);
}
console.log(`\nHTML + CSS + JS before Graphviz: ${kb(before).trim()} gzipped (budget ${BUDGET / 1024} KB) ${before <= BUDGET ? 'OK' : 'OVER BUDGET'}`);
console.log(`Graphviz chunk, loaded lazily by the graph lab: ${kb(graphviz).trim()} gzipped`);
if (before > BUDGET) process.exitCode = 1;

if (!buildOnly) {
  const server = await preview({ configFile, preview: { port, strictPort: false, host: '127.0.0.1' } });
  const url = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${port}/`;
  console.log(`\nadjoint playground: ${url}  (static files from web/dist; Ctrl-C to stop)`);
}
