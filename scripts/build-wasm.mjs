#!/usr/bin/env node
/**
 * Compiles the AssemblyScript kernels of assembly/ into the four modules the
 * wasm backend loads (src/backend/wasm/module.ts):
 *
 *   kernels-simd.wasm            128-bit SIMD, private (non-shared) memory
 *   kernels-relaxed.wasm         + relaxed SIMD (fused multiply-add in the float32 GEMM)
 *   kernels-simd-shared.wasm     shared memory (threads), SIMD
 *   kernels-relaxed-shared.wasm  shared memory, relaxed SIMD
 *
 * and writes them to src/backend/wasm/ (for tests and tsx) and dist/backend/wasm/
 * (next to the compiled loader of the built package). Both are gitignored: the
 * binaries are always built from source, offline, deterministically.
 *
 *   node scripts/build-wasm.mjs            (npm run build:wasm)
 *
 * Skips the compile when every output is newer than every source file.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import asc from 'assemblyscript/asc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'assembly', 'index.ts');
const outDirs = [join(root, 'src', 'backend', 'wasm'), join(root, 'dist', 'backend', 'wasm')];

/** 65536 pages = 4 GiB, the wasm32 limit: shared memories need a declared maximum. */
const MAX_PAGES = 65536;
const common = ['--enable', 'simd', '-O3', '--noAssert', '--runtime', 'stub', '--importMemory', '--noExportMemory'];
const shared = ['--enable', 'threads', '--sharedMemory', '--maximumMemory', String(MAX_PAGES)];
const relaxed = ['--enable', 'relaxed-simd'];
const variants = {
  'kernels-simd.wasm': [...common],
  'kernels-relaxed.wasm': [...common, ...relaxed],
  'kernels-simd-shared.wasm': [...common, ...shared],
  'kernels-relaxed-shared.wasm': [...common, ...relaxed, ...shared],
};

/** Compiles one variant; returns the binary. */
async function compile(name, flags) {
  let binary = null;
  const stderr = asc.createMemoryStream();
  const { error } = await asc.main([entry, '--outFile', name, ...flags], {
    stderr,
    writeFile(file, contents) {
      if (file === name) binary = contents;
    },
  });
  if (error || binary === null) throw new Error(`build:wasm: compiling ${name} failed: ${error?.message ?? 'no output'}\n${stderr.toString()}`);
  return binary;
}

if (!isMainThread) {
  // A worker of the build below: compile the variants it is given.
  for (const name of workerData) parentPort.postMessage({ name, binary: await compile(name, variants[name]) });
  process.exit(0);
}

function newestSource() {
  let t = statSync(fileURLToPath(import.meta.url)).mtimeMs;
  for (const f of readdirSync(join(root, 'assembly'))) t = Math.max(t, statSync(join(root, 'assembly', f)).mtimeMs);
  return t;
}

const sourceTime = newestSource();
const upToDate = outDirs.every((d) =>
  Object.keys(variants).every((name) => existsSync(join(d, name)) && statSync(join(d, name)).mtimeMs >= sourceTime),
);
if (upToDate && !process.argv.includes('--force')) {
  console.log('build:wasm: up to date');
  process.exit(0);
}

for (const d of outDirs) mkdirSync(d, { recursive: true });
// The compiler is single-threaded: one worker per core, the variants dealt out between them.
const names = Object.keys(variants);
const lanes = Math.max(1, Math.min(names.length, availableParallelism()));
await Promise.all(
  Array.from({ length: lanes }, (_, i) => {
    const mine = names.filter((_, j) => j % lanes === i);
    return new Promise((resolve, reject) => {
      const w = new Worker(fileURLToPath(import.meta.url), { workerData: mine });
      w.on('message', ({ name, binary }) => {
        for (const d of outDirs) writeFileSync(join(d, name), binary);
        console.log(`build:wasm: ${name} ${binary.length} bytes`);
      });
      w.on('error', reject);
      w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`build:wasm: worker exited with ${code}`))));
    });
  }),
);
// Sanity check: every module validates with its features (relaxed SIMD may need a V8 flag here).
for (const name of names) {
  const bytes = readFileSync(join(outDirs[0], name));
  if (!name.includes('relaxed') && !WebAssembly.validate(bytes)) throw new Error(`build:wasm: ${name} does not validate`);
}
