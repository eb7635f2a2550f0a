// Packs the GPU peers (jax-js, TensorFlow.js + its webgpu backend) into one file each under
// bench/gpu/.peers/, so that they travel to an accelerator machine, where only `node` and the `webgpu`
// package exist. Needs `cd bench/peers && npm install` first. Run: node bench/gpu/bundle-peers.mjs
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
for (const impl of ["jaxjs", "tfjs"]) {
  await build({
    entryPoints: [`${here}impl/${impl}.mjs`],
    bundle: true, format: "esm", platform: "node", minify: true, outfile: `${here}.peers/${impl}.mjs`,
    nodePaths: [`${here}../peers/node_modules`],
    external: ["webgpu"],
    ignoreAnnotations: true, // tfjs marks its packages side-effect free, which would drop the webgpu backend's registration
    banner: { js: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);" },
    logLevel: "warning",
  });
  console.log(`bundled ${impl} -> bench/gpu/.peers/${impl}.mjs`);
}
