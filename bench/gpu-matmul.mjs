// G3: square float32 matmul on WebGPU, the webgpu backend's planned kernel against the simplest
// 64x64-tile kernel (which calibrates the machine: 28 TFLOP/s at n = 4096 on an H200).
//
//   npx tsc -p tsconfig.build.json      # builds dist/backend/webgpu/matmul.js, which this imports
//   node bench/gpu-matmul.mjs [--n 1024 2048 4096 8192] [--reps R] [--runs 5] [--only adjoint|ref]
//
// Plain `node` plus the `webgpu` package (nothing else from the repo's dev dependencies), so it runs
// on an accelerator machine as `bash .gpu/remote.sh node bench/gpu-matmul.mjs`. Without a GPU it
// finds SwiftShader (`apt-get install chromium libvulkan1`), where `--n 256` checks that it works.
// Per n: R products per submit, then `onSubmittedWorkDone`; after two warm-up submits, the median of
// >= 5 timed submits. A few output elements are checked against a float64 product first.
// Prints one JSON line per (impl, n): {bench: 'G3', impl, n, tflops, plan, median_ms, reps, runs}.
import { planMatmul } from '../dist/backend/webgpu/matmul.js';

const args = process.argv.slice(2);
function opt(name, fallback) {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const vals = [];
  for (let j = i + 1; j < args.length && !args[j].startsWith('--'); j++) vals.push(args[j]);
  return vals;
}
const sizes = opt('n', ['1024', '2048', '4096', '8192']).map(Number);
const runs = Math.max(5, Number(opt('runs', ['5'])[0]));
const repsArg = opt('reps', null);
const only = opt('only', null)?.[0];

process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
process.env.XDG_RUNTIME_DIR ??= '/tmp';
const { create, globals } = await import('webgpu');
Object.assign(globalThis, globals);
const gpu = create([]);
const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
if (adapter === null) {
  console.error('gpu-matmul: no WebGPU adapter (install a GPU driver, or SwiftShader: apt-get install chromium libvulkan1)');
  process.exit(1);
}
const device = await adapter.requestDevice({
  requiredLimits: {
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
  },
});
device.addEventListener('uncapturederror', (e) => { console.error(`gpu-matmul: ${e.error.message}`); process.exit(1); });
const info = adapter.info;
const software = info.architecture === 'swiftshader';
console.error(`gpu-matmul: ${info.vendor} ${info.architecture} ${info.device} ${info.description}`);

const caps = {
  subgroups: false,
  maxWorkgroupStorage: device.limits.maxComputeWorkgroupStorageSize,
  maxInvocations: device.limits.maxComputeInvocationsPerWorkgroup,
};

// The reference: 16x16 threads, a 64x64 output tile, 4x4 outputs per thread, k in steps of 16
// through workgroup memory. n must be a multiple of 64.
const REF = `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: vec4<u32>;
var<workgroup> As: array<array<f32, 64>, 16>;
var<workgroup> Bs: array<array<f32, 64>, 16>;
@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>) {
  let n = p.x; let row0 = w.y * 64u; let col0 = w.x * 64u; let t = l.y * 16u + l.x;
  var acc: array<array<f32, 4>, 4>;
  for (var k0 = 0u; k0 < n; k0 += 16u) {
    for (var i = 0u; i < 4u; i++) {
      let e = t + i * 256u;
      As[e % 16u][e / 16u] = a[(row0 + e / 16u) * n + k0 + e % 16u];
      Bs[e / 64u][e % 64u] = b[(k0 + e / 64u) * n + col0 + e % 64u];
    }
    workgroupBarrier();
    for (var k = 0u; k < 16u; k++) {
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) { acc[i][j] += As[k][l.y * 4u + i] * Bs[k][l.x * 4u + j]; }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 4u; j++) { out[(row0 + l.y * 4u + i) * n + col0 + l.x * 4u + j] = acc[i][j]; }
  }
}`;

function random(len, seed) {
  const x = new Float32Array(len);
  let s = seed >>> 0;
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 32 - 0.5;
  }
  return x;
}

function storage(data) {
  const buf = device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, mappedAtCreation: true });
  new Float32Array(buf.getMappedRange()).set(data);
  buf.unmap();
  return buf;
}

async function pipelineOf(code) {
  const module = device.createShaderModule({ code });
  const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
  if (errors.length) throw new Error(errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('\n'));
  return device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
}

async function readBack(buf, bytes) {
  const staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(buf, 0, staging, 0, bytes);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.destroy();
  return out;
}

const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];

async function bench(impl, n, a, b, A, B) {
  let code, key, params, workgroups;
  if (impl === 'adjoint-webgpu') {
    const op = { offset: 0, batchStrides: [], rowStride: n, colStride: 1 };
    const plan = planMatmul({ batch: [], n, k: n, m: n, a: op, b: op, type: 'f32' }, caps);
    ({ code, key, params, workgroups } = plan);
  } else {
    code = REF; key = 'ref-64x64'; params = new Uint32Array([n, 0, 0, 0]).buffer; workgroups = [n / 64, n / 64, 1];
  }
  const pipeline = await pipelineOf(code);
  const out = device.createBuffer({ size: n * n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const uni = device.createBuffer({ size: Math.max(16, params.byteLength), usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(uni, 0, params);
  const group = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [a, b, out, uni].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const flops = 2 * n ** 3;
  const reps = repsArg ? Number(repsArg[0]) : software ? 1 : Math.max(1, Math.min(256, Math.round(2e12 / flops)));
  const submit = async () => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    for (let r = 0; r < reps; r++) pass.dispatchWorkgroups(...workgroups);
    pass.end();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
  await submit();
  // Check 16 elements against a float64 product before timing anything.
  const got = await readBack(out, n * n * 4);
  for (let s = 0; s < 16; s++) {
    const i = (s * 7919 + 13) % n, j = (s * 104729 + 7) % n;
    let ref = 0, mag = 0;
    for (let q = 0; q < n; q++) { ref += A[i * n + q] * B[q * n + j]; mag += Math.abs(A[i * n + q] * B[q * n + j]); }
    if (!(Math.abs(got[i * n + j] - ref) <= 1e-5 * Math.sqrt(n) * mag)) {
      throw new Error(`${impl} n=${n}: out[${i}, ${j}] is ${got[i * n + j]}, expected ${ref}`);
    }
  }
  await submit();
  const times = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await submit();
    times.push(performance.now() - t0);
  }
  out.destroy(); uni.destroy();
  const ms = median(times) / reps;
  return { bench: 'G3', impl, n, tflops: +(flops / (ms * 1e-3) / 1e12).toPrecision(4), plan: key, median_ms: +ms.toFixed(4), reps, runs, device: `${info.vendor} ${info.architecture}` };
}

for (const n of sizes) {
  const A = random(n * n, 1), B = random(n * n, 2);
  const a = storage(A), b = storage(B);
  for (const impl of ['adjoint-webgpu', 'ref-64x64']) {
    if (only === 'adjoint' && impl !== 'adjoint-webgpu') continue;
    if (only === 'ref' && impl !== 'ref-64x64') continue;
    try {
      console.log(JSON.stringify(await bench(impl, n, a, b, A, B)));
    } catch (e) {
      console.log(JSON.stringify({ bench: 'G3', impl, n, error: String(e?.message ?? e) }));
    }
  }
  a.destroy(); b.destroy();
}
process.exit(0);
