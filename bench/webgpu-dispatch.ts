/**
 * WebGPU dispatch overhead: a chain of small elementwise kernels recorded into
 * one batch, with shared compute passes (the default) and with one pass per
 * dispatch. One JSON line per (mode, run): CPU ms to record, ms until the
 * result is read back, and the backend's counters. On SwiftShader the GPU
 * times mean nothing; the recording cost is the point.
 *
 *   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json npx tsx bench/webgpu-dispatch.ts [--ops 2000] [--size 64]
 */
const { initWebGPU, setWebGPUOptions, webgpuBackend, webgpuProfile } = await import('../src/backend/webgpu/index.js');

const args = process.argv.slice(2);
const arg = (name: string, d: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : d);
const ops = arg('--ops', 2000);
const size = arg('--size', 64);

const info = await initWebGPU();
const view = (storage: import('../src/backend/types.js').Storage) => ({ storage, shape: [size], strides: [1], offset: 0 });
const x = webgpuBackend.fromArray('float32', new Float32Array(size).fill(1));
for (let run = 0; run < 6; run++) {
  const passPerDispatch = run % 2 === 1;
  setWebGPUOptions({ passPerDispatch });
  await webgpuProfile();
  const t0 = performance.now();
  let y = x;
  for (let i = 0; i < ops; i++) y = webgpuBackend.binary('add', view(y), view(x), 'float32');
  const t1 = performance.now();
  const r = await webgpuBackend.readAsync(view(y));
  const t2 = performance.now();
  const p = await webgpuProfile();
  if (r[0] !== ops + 1) throw new Error(`wrong result ${r[0]}`);
  console.log(JSON.stringify({
    bench: 'webgpu-dispatch', adapter: `${info.vendor}/${info.architecture}`, passPerDispatch, ops, size, run,
    recordMs: +(t1 - t0).toFixed(2), usPerOp: +((1000 * (t1 - t0)) / ops).toFixed(1), totalMs: +(t2 - t0).toFixed(2),
    encodeMs: +p.encodeMs.toFixed(2), dispatches: p.dispatches, submits: p.submits,
  }));
}
process.exit(0);
