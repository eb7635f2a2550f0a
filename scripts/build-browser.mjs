#!/usr/bin/env node
/**
 * The browser build: every public entry point of package.json's `exports` as a
 * minified ES module in dist/browser/, with code splitting (the tensor core,
 * autograd and the backends live once, in shared chunks), and the wasm kernels
 * next to them. docs/BROWSER.md says how to use it.
 *
 *   dist/browser/adjoint.js        'adjoint'
 *   dist/browser/nn.js             'adjoint/nn'
 *   dist/browser/nn-functional.js  'adjoint/nn/functional'   (a '/' in a subpath becomes '-')
 *   dist/browser/optim.js, data.js, io.js, scalar.js, check.js, viz.js
 *   dist/browser/chunk-<hash>.js   shared code
 *   dist/browser/kernels-*.wasm    the four kernel modules (a page fetches two of them)
 *
 * Every file sits in one flat folder: the loader finds the kernels with literal
 * `new URL('./kernels-….wasm', import.meta.url)` (src/backend/wasm/module.ts),
 * which esbuild keeps as is, so they resolve next to whichever chunk holds it.
 * The worker threads need no file: their program is a Blob URL made at run time
 * (src/backend/wasm/threads.ts).
 *
 * Checks, failing the build: no output imports a `node:` module statically (the
 * Node-only paths go through `process.getBuiltinModule` or a lazy `import()`),
 * the kernel URLs survived minification in a chunk at the top of the folder, and
 * the bundle imports and runs a matmul on the wasm backend (here, in Node, which
 * loads the kernels next to the chunk synchronously). Then prints each file's
 * size, raw and gzipped, and what each entry loads with its static imports.
 *
 *   node scripts/build-browser.mjs [--outdir DIR] [--sourcemap] [--quiet]
 *
 * (`npm run build:browser` compiles the kernels first; `npm run build` runs it.)
 * esbuild comes from node_modules (installed with tsx and vite).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const wasmDir = join(root, 'src', 'backend', 'wasm');
const KERNELS = ['kernels-simd.wasm', 'kernels-relaxed.wasm', 'kernels-simd-shared.wasm', 'kernels-relaxed-shared.wasm'];

const args = process.argv.slice(2);
const argAfter = (flag) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const outdir = resolve(argAfter('--outdir') ?? join(root, 'dist', 'browser'));
const sourcemap = args.includes('--sourcemap');
const quiet = args.includes('--quiet');
const log = (...a) => {
  if (!quiet) console.log(...a);
};

function fail(message) {
  console.error(`build:browser: ${message}`);
  process.exit(1);
}

/** `exports` of package.json → { name: source file }: './nn/functional' → 'nn-functional' → src/nn/functional/index.ts. */
function entryPoints() {
  const out = {};
  for (const [key, target] of Object.entries(pkg.exports)) {
    const file = typeof target === 'string' ? target : target.default;
    const m = /^\.\/dist\/(.*)\.js$/.exec(file);
    if (m === null || key === './package.json') continue;
    const source = join(root, 'src', `${m[1]}.ts`);
    if (!existsSync(source)) fail(`exports['${key}'] points at ${file}, but ${relative(root, source)} does not exist`);
    out[key === '.' ? 'adjoint' : key.slice(2).replaceAll('/', '-')] = source;
  }
  return out;
}

const missing = KERNELS.filter((k) => !existsSync(join(wasmDir, k)));
if (missing.length > 0) fail(`the wasm kernels are not built (${missing.join(', ')} missing in src/backend/wasm/): run \`npm run build:wasm\` first`);

const entries = entryPoints();
// Only clear a folder this script owns (or a fresh one).
if (existsSync(outdir) && readdirSync(outdir).some((f) => !/^(chunk-.*|[\w-]+)\.(js|js\.map|d\.ts|wasm)$/.test(f))) {
  fail(`${outdir} holds files this build did not write; refusing to clear it`);
}
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const started = performance.now();
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: entries,
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: sourcemap ? 'linked' : false,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  // Node built-ins are only reached lazily on Node-only paths (checked below); Graphviz
  // (the optional @viz-js/viz, ~1.4 MB gzipped, EPL) stays the user's to provide.
  external: ['node:*', '@viz-js/viz'],
  banner: { js: `/*! ${pkg.name} ${pkg.version} | ${pkg.license} */` },
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
const ms = performance.now() - started;

// --- checks ---------------------------------------------------------------------------
const outputs = result.metafile.outputs;
const rel = (p) => relative(outdir, resolve(root, p)).split(sep).join('/');
const staticNode = [];
const lazyExternal = new Set();
for (const [file, o] of Object.entries(outputs)) {
  for (const imp of o.imports) {
    if (!imp.external) continue;
    if (imp.kind === 'import-statement' || imp.kind === 'require-call') staticNode.push(`${rel(file)} imports '${imp.path}' (${imp.kind})`);
    else lazyExternal.add(imp.path);
  }
}
if (staticNode.length > 0) fail(`static imports of external modules in the browser build:\n  ${staticNode.join('\n  ')}`);

const holders = Object.keys(outputs)
  .filter((f) => f.endsWith('.js'))
  .filter((f) => KERNELS.every((k) => readFileSync(resolve(root, f), 'utf8').includes(`new URL("./${k}",import.meta.url)`)));
if (holders.length === 0) fail('no chunk holds the literal `new URL("./kernels-….wasm", import.meta.url)` URLs: the kernels would not be found');
for (const h of holders) if (rel(h).includes('/')) fail(`${rel(h)} loads the kernels by a relative URL but is not at the top of ${outdir}`);

for (const k of KERNELS) copyFileSync(join(wasmDir, k), join(outdir, k));

// Declarations: the browser modules have the package's types (dist/<entry>/index.d.ts from tsc).
for (const [name, source] of Object.entries(entries)) {
  const dts = join(root, 'dist', relative(join(root, 'src'), source)).replace(/\.ts$/, '.js');
  let spec = relative(outdir, dts).split(sep).join('/');
  if (!spec.startsWith('.')) spec = `./${spec}`;
  if (outdir.startsWith(join(root, 'dist') + sep)) writeFileSync(join(outdir, `${name}.d.ts`), `export * from '${spec}';\n`);
}

// Smoke test: import the bundle here (Node reads the kernels next to the chunk synchronously).
const core = await import(pathToFileURL(join(outdir, 'adjoint.js')).href);
if (!core.wasmInfo().loaded) fail('the built bundle did not load its wasm kernels (in Node)');
core.setBackend('wasm');
const product = core.matmul(core.tensor([[1, 2], [3, 4]]), core.tensor([[5], [6]])).toArray();
if (JSON.stringify(product) !== '[[17],[39]]') fail(`the built bundle's matmul gave ${JSON.stringify(product)}`);

// --- size report -----------------------------------------------------------------------
const size = (f) => {
  const bytes = readFileSync(join(outdir, f));
  return { raw: bytes.length, gz: gzipSync(bytes, { level: 9 }).length };
};
const kb = (n) => `${(n / 1024).toFixed(1)} KB`.padStart(10);
const files = readdirSync(outdir).filter((f) => /\.(js|wasm)$/.test(f)).sort((a, b) => size(b).raw - size(a).raw);
let total = { raw: 0, gz: 0 };
const shown = relative(process.cwd(), outdir);
log(`\nbuild:browser: ${Object.keys(entries).length} entries → ${shown === '' || shown.startsWith('..') ? outdir : shown}/ in ${ms.toFixed(0)} ms (esbuild ${esbuild.version}, minified, es2022)\n`);
log(`${'file'.padEnd(32)}${'size'.padStart(10)}${'gzipped'.padStart(10)}`);
for (const f of files) {
  const s = size(f);
  if (f.endsWith('.js')) total = { raw: total.raw + s.raw, gz: total.gz + s.gz };
  log(`${f.padEnd(32)}${kb(s.raw)}${kb(s.gz)}`);
}
log(`${'all JavaScript'.padEnd(32)}${kb(total.raw)}${kb(total.gz)}`);

/** An entry with every chunk it imports statically: what `import … from './<entry>.js'` downloads. */
const closure = (start) => {
  const seen = new Set();
  const visit = (f) => {
    if (seen.has(f)) return;
    seen.add(f);
    for (const imp of outputs[f].imports) if (!imp.external && imp.kind === 'import-statement') visit(imp.path);
  };
  visit(start);
  return [...seen];
};
const pair = size('kernels-simd.wasm').gz + size('kernels-relaxed.wasm').gz;
log(`\n${'import … from'.padEnd(32)}${'loads'.padStart(10)}${'gzipped'.padStart(10)}   (then initWasm() fetches 2 kernel files, ${kb(pair).trim()} gzipped)`);
for (const name of Object.keys(entries)) {
  const key = Object.keys(outputs).find((f) => basename(f) === `${name}.js` && dirname(resolve(root, f)) === outdir);
  const all = closure(key).map((f) => size(rel(f)));
  const sum = all.reduce((a, s) => ({ raw: a.raw + s.raw, gz: a.gz + s.gz }), { raw: 0, gz: 0 });
  log(`${`./${name}.js`.padEnd(32)}${kb(sum.raw)}${kb(sum.gz)}`);
}
if (lazyExternal.size > 0) log(`\nlazy imports left to the runtime (only on the paths that need them): ${[...lazyExternal].sort().join(', ')}`);
