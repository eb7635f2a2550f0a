/**
 * The playground's build: a static site in web/dist (relative URLs, no CDN, works
 * offline). `adjoint` and `adjoint/*` resolve to src/ like vitest.config.ts does,
 * so the page uses only the public entry points. Graphviz (`@viz-js/viz`, WASM
 * inlined in its JS) is imported dynamically by adjoint/viz and becomes its own
 * chunk, loaded when the graph lab first draws; the training worker is an ES
 * module worker.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const src = fileURLToPath(new URL('../src/', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: {
    alias: [
      { find: /^adjoint$/, replacement: `${src}index.ts` },
      { find: /^adjoint\/(.+)$/, replacement: `${src}$1/index.ts` },
    ],
  },
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The Graphviz chunk is ~1.2 MB on purpose (lazy); everything else is small.
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: true,
    rolldownOptions: {
      onwarn(warning, warn) {
        // adjoint's Node-only paths (writeSvg, reading wasm kernels from disk) import
        // node:fs lazily and never run in the page: their externalization is expected.
        if (/"node:(fs\/promises|path)" has been externalized/.test(warning.message)) return;
        warn(warning);
      },
    },
  },
  preview: { host: '127.0.0.1', port: 4173 },
  server: { host: '127.0.0.1', port: 5173 },
});
