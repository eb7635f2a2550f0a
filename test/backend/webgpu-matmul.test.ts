/// <reference types="@webgpu/types" />
// The webgpu backend's matmul plans, run on the real WebGPU API (Dawn, through the `webgpu`
// package; SwiftShader on machines without a GPU) against a float64 CPU product.
import { describe, expect, it } from 'vitest';
import { DTypeError, RangeArgError, ShapeError } from '../../src/errors.js';
import { TILINGS, chooseTiling, planMatmul, planMatmulWith, tilingStorage } from '../../src/backend/webgpu/matmul.js';
import type { MatmulCaps, MatmulOperand, MatmulPlan, MatmulShape, Tiling } from '../../src/backend/webgpu/matmul.js';
import { rng } from './helpers.js';

const DEFAULT_CAPS: MatmulCaps = { subgroups: false, maxWorkgroupStorage: 16384, maxInvocations: 256 };

async function getDevice(): Promise<{ device: GPUDevice; caps: MatmulCaps } | string> {
  process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  try {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    const gpu = create([]);
    (globalThis as { __matmulGpu?: unknown }).__matmulGpu = gpu; // keep Dawn's GPU object alive
    const adapter = await gpu.requestAdapter();
    if (adapter === null) return 'requestAdapter() returned null';
    const subgroups = adapter.features.has('subgroups');
    const device = await adapter.requestDevice({ requiredFeatures: subgroups ? ['subgroups'] : [] });
    return {
      device,
      caps: { subgroups, maxWorkgroupStorage: device.limits.maxComputeWorkgroupStorageSize, maxInvocations: device.limits.maxComputeInvocationsPerWorkgroup },
    };
  } catch (e) {
    return String(e);
  }
}

const gpu = await getDevice();
const NO_GPU = typeof gpu === 'string'
  ? `no WebGPU adapter (${gpu}): install a Vulkan loader and SwiftShader with \`apt-get install chromium libvulkan1\`, and the \`webgpu\` package`
  : '';
if (NO_GPU !== '' && process.env.CI === undefined) console.warn(`SKIPPED test/backend/webgpu-matmul.test.ts: ${NO_GPU}`);

type Type = 'f32' | 'i32';
interface Layout { transposed?: boolean; offset?: number; gap?: number; broadcast?: readonly number[] }
interface Operand { data: Float32Array | Int32Array; op: MatmulOperand; at: (batch: readonly number[], i: number, j: number) => number }

/** A `[...batch, rows, cols]` operand in storage: row-major or transposed, with an offset, gaps between rows, broadcast batch dims. */
function operand(batch: readonly number[], rows: number, cols: number, type: Type, seed: number, l: Layout = {}): Operand {
  const gap = l.gap ?? 0, offset = l.offset ?? 0;
  const [rowStride, colStride] = l.transposed ? [1, rows + gap] : [cols + gap, 1];
  const matrix = l.transposed ? (rows + gap) * cols : rows * (cols + gap);
  const batchStrides = new Array<number>(batch.length).fill(0);
  let acc = matrix;
  for (let d = batch.length - 1; d >= 0; d--) {
    if (l.broadcast?.includes(d)) continue;
    batchStrides[d] = acc;
    acc *= batch[d]!;
  }
  const length = offset + acc + 3;
  const r = rng(seed);
  const data = type === 'f32' ? new Float32Array(length) : new Int32Array(length);
  for (let i = 0; i < length; i++) data[i] = type === 'f32' ? r() * 2 - 1 : Math.floor(r() * 17) - 8;
  const op = { offset, batchStrides, rowStride, colStride };
  const at = (bi: readonly number[], i: number, j: number) =>
    data[offset + bi.reduce((s, x, d) => s + x * batchStrides[d]!, 0) + i * rowStride + j * colStride]!;
  return { data, op, at };
}

const pipelines = new Map<string, GPUComputePipeline>();

async function pipelineOf(device: GPUDevice, plan: MatmulPlan): Promise<GPUComputePipeline> {
  let p = pipelines.get(plan.key);
  if (p === undefined) {
    const module = device.createShaderModule({ code: plan.code });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((msg) => msg.type === 'error');
    if (errors.length > 0) throw new Error(`${plan.key} does not compile:\n${errors.map((msg) => `${msg.lineNum}:${msg.linePos} ${msg.message}`).join('\n')}`);
    device.pushErrorScope('validation');
    p = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const err = await device.popErrorScope();
    if (err !== null) throw new Error(`${plan.key}: ${err.message}`);
    pipelines.set(plan.key, p);
  }
  return p;
}

const SENTINEL = -7777;

/** Runs `plan` on the device; returns the output and the 4 elements after it (which must keep the sentinel). */
async function run(device: GPUDevice, plan: MatmulPlan, a: Operand, b: Operand, outLength: number, type: Type): Promise<{ out: number[]; after: number[] }> {
  const pipeline = await pipelineOf(device, plan);
  const buffer = (data: ArrayBufferView & { byteLength: number }, usage: number) => {
    const buf = device.createBuffer({ size: Math.max(16, Math.ceil(data.byteLength / 4) * 4), usage: usage | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
    return buf;
  };
  const outInit = type === 'f32' ? new Float32Array(outLength + 4).fill(SENTINEL) : new Int32Array(outLength + 4).fill(SENTINEL);
  const ab = buffer(a.data, GPUBufferUsage.STORAGE);
  const bb = buffer(b.data, GPUBufferUsage.STORAGE);
  const ob = buffer(outInit, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
  const pb = buffer(new Uint8Array(plan.params), GPUBufferUsage.UNIFORM);
  const read = device.createBuffer({ size: outInit.byteLength, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const group = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [ab, bb, ob, pb].map((buf, binding) => ({ binding, resource: { buffer: buf } })),
  });
  device.pushErrorScope('validation');
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, group);
  pass.dispatchWorkgroups(...plan.workgroups);
  pass.end();
  enc.copyBufferToBuffer(ob, 0, read, 0, outInit.byteLength);
  device.queue.submit([enc.finish()]);
  const err = await device.popErrorScope();
  if (err !== null) throw new Error(`${plan.key}: ${err.message}`);
  await read.mapAsync(GPUMapMode.READ);
  const got = Array.from(type === 'f32' ? new Float32Array(read.getMappedRange()) : new Int32Array(read.getMappedRange()));
  read.unmap();
  for (const buf of [ab, bb, ob, pb, read]) buf.destroy();
  return { out: got.slice(0, outLength), after: got.slice(outLength) };
}

interface Case { batch?: readonly number[]; n: number; k: number; m: number; type?: Type; a?: Layout; b?: Layout; caps?: MatmulCaps; tiling?: string; force?: Tiling; grid?: [number, number, number] }

/** Plans and runs one product, compares every element with the float64 product of the same inputs; returns the plan's key. */
async function check(c: Case, seed = 1): Promise<string> {
  if (typeof gpu === 'string') throw new Error(NO_GPU);
  const batch = c.batch ?? [], type = c.type ?? 'f32';
  const a = operand(batch, c.n, c.k, type, seed, c.a);
  const b = operand(batch, c.k, c.m, type, seed + 1000, c.b);
  const shape: MatmulShape = { batch, n: c.n, k: c.k, m: c.m, a: a.op, b: b.op, type };
  const planned = c.force !== undefined ? planMatmulWith(shape, c.force) : planMatmul(shape, c.caps ?? gpu.caps);
  const plan = c.grid === undefined ? planned : { ...planned, workgroups: c.grid };
  if (c.tiling !== undefined) expect(plan.key).toContain(`_${c.tiling}_`);
  const count = batch.reduce((x, y) => x * y, 1);
  const { out, after } = await run(gpu.device, plan, a, b, count * c.n * c.m, type);
  expect(after, `${plan.key}: wrote past the output`).toEqual([SENTINEL, SENTINEL, SENTINEL, SENTINEL]);
  const tol = 1e-5 * Math.sqrt(Math.max(c.k, 1));
  let bad = 0, first = '';
  for (let f = 0; f < count; f++) {
    const bi: number[] = [];
    for (let d = batch.length - 1, rest = f; d >= 0; d--) { bi[d] = rest % batch[d]!; rest = Math.floor(rest / batch[d]!); }
    for (let i = 0; i < c.n; i++) {
      for (let j = 0; j < c.m; j++) {
        let ref = 0, mag = 0;
        for (let q = 0; q < c.k; q++) { const p = a.at(bi, i, q) * b.at(bi, q, j); ref += p; mag += Math.abs(p); }
        const got = out[(f * c.n + i) * c.m + j]!;
        const ok = type === 'i32' ? got === (ref | 0) : Math.abs(got - ref) <= tol * mag + 1e-30;
        if (!ok && bad++ === 0) first = `[${bi}] (${i}, ${j}): got ${got}, expected ${ref}`;
      }
    }
  }
  expect(bad, `${plan.key} n=${c.n} k=${c.k} m=${c.m} batch=[${batch}]: ${bad} wrong elements, first ${first}`).toBe(0);
  return plan.key;
}

describe('planMatmul (no device needed)', () => {
  it('every tiling has whole loads per thread and fits WebGPU default limits', () => {
    for (const t of Object.values(TILINGS)) {
      const threads = (t.bm / t.tm) * (t.bn / t.tn) * t.ks;
      expect(threads, t.name).toBeLessThanOrEqual(256);
      expect(Number.isInteger((t.bm * t.bk) / threads) && Number.isInteger((t.bk * t.bn) / threads), t.name).toBe(true);
      expect(t.bk % t.ks, t.name).toBe(0);
      expect(t.tm % 4 + t.tn % 4, t.name).toBe(0);
      expect(tilingStorage(t), t.name).toBeLessThanOrEqual(16384);
    }
  });

  it('chooses the tiling by shape', () => {
    const pick = (n: number, m: number, batch = 1) => chooseTiling(n, m, batch, DEFAULT_CAPS).name;
    expect([pick(8192, 8192), pick(4096, 4096), pick(2048, 2048)]).toEqual(['t128x128', 't128x128', 't128x128']);
    expect([pick(1024, 1024), pick(768, 2048), pick(512, 1024), pick(100, 100)]).toEqual(['t128x64', 't64x128', 't64x64', 't32x32']);
    expect([pick(784, 10), pick(10, 784), pick(4096, 1), pick(1, 4096), pick(1, 1)]).toEqual(['r64x16', 'c16x64', 'v16x4', 'h4x16', 'v16x4']);
    expect(pick(128, 128, 128)).toBe('t128x128');
    expect(chooseTiling(4096, 4096, 1, { ...DEFAULT_CAPS, maxInvocations: 128 }).name).toBe('f32x32');
    expect(() => chooseTiling(64, 64, 1, { ...DEFAULT_CAPS, maxInvocations: 32 })).toThrow(RangeArgError);
  });

  it('packs n, k, m, strides, offsets and collapsed batch dims into the uniform bytes', () => {
    const plan = planMatmul({
      batch: [2, 3, 1, 5], n: 7, k: 9, m: 11, type: 'f32',
      a: { offset: 4, batchStrides: [0, 0, 99, 63], rowStride: 9, colStride: 1 },
      b: { offset: 6, batchStrides: [1485, 495, 7, 99], rowStride: 1, colStride: 9 },
    }, DEFAULT_CAPS);
    const u = new Uint32Array(plan.params);
    expect(plan.params.byteLength).toBe(160);
    expect(Array.from(u.subarray(0, 16))).toEqual([7, 9, 11, 2, 4, 9, 1, 0, 6, 1, 9, 0, 1, 1, 30, 0]);
    // [2,3] merge (a: 0 = 0·3, b: 1485 = 495·3), the size-1 dim drops, [.., 5] stays apart.
    expect(Array.from(u.subarray(16, 18))).toEqual([6, 5]);
    expect(Array.from(u.subarray(24, 26))).toEqual([0, 63]);
    expect(Array.from(u.subarray(32, 34))).toEqual([495, 99]);
    expect(plan.key).toBe('matmul_c16x64_akbk_f32');
    expect(plan.workgroups).toEqual([30, 1, 1]);
  });

  it('keeps the number of distinct shaders small: layout and type are the only other parts of the key', () => {
    const keys = new Set<string>();
    for (const n of [1, 3, 17, 64, 100, 333, 1000, 4096]) for (const m of [1, 5, 40, 129, 2000]) for (const k of [1, 50, 3000]) {
      for (const tr of [false, true]) {
        keys.add(planMatmul({ batch: [], n, k, m, type: 'f32', a: { offset: 0, batchStrides: [], rowStride: tr ? 1 : k, colStride: tr ? n : 1 }, b: { offset: 0, batchStrides: [], rowStride: m, colStride: 1 } }, DEFAULT_CAPS).key);
      }
    }
    expect(keys.size).toBeLessThanOrEqual(Object.keys(TILINGS).length * 2);
  });

  it('spreads more than 65535 tiles over y', () => {
    const plan = planMatmul({ batch: [200000], n: 1, k: 1, m: 1, type: 'f32', a: { offset: 0, batchStrides: [1], rowStride: 1, colStride: 1 }, b: { offset: 0, batchStrides: [1], rowStride: 1, colStride: 1 } }, DEFAULT_CAPS);
    expect(plan.workgroups).toEqual([65535, 4, 1]);
  });

  it('rejects bad types, strides and batch shapes with messages that say what was expected', () => {
    const op = { offset: 0, batchStrides: [], rowStride: 1, colStride: 1 };
    const s: MatmulShape = { batch: [], n: 2, k: 2, m: 2, type: 'f32', a: op, b: op };
    expect(() => planMatmul({ ...s, type: 'f16' as 'f32' }, DEFAULT_CAPS)).toThrow(new DTypeError('matmul', "type is 'f16'; expected 'f32' or 'i32'"));
    expect(() => planMatmul({ ...s, a: { ...op, rowStride: -1 } }, DEFAULT_CAPS)).toThrow(new RangeArgError('matmul', 'a.rowStride is -1; expected an integer in [0, 2^32)'));
    expect(() => planMatmul({ ...s, batch: [3] }, DEFAULT_CAPS)).toThrow(new ShapeError('matmul', 'a has 0 batch strides for batch [3]; expected 1'));
    const nine = { offset: 0, batchStrides: [1, 0, 1, 0, 1, 0, 1, 0, 1], rowStride: 1, colStride: 1 };
    expect(() => planMatmul({ ...s, batch: [2, 2, 2, 2, 2, 2, 2, 2, 2], a: nine, b: nine }, DEFAULT_CAPS))
      .toThrow(new ShapeError('matmul', 'batch [2,2,2,2,2,2,2,2,2] has 9 dims that cannot be merged; at most 8 are supported'));
    expect(() => planMatmul({ ...s, n: 70000, m: 70000, k: 1 }, DEFAULT_CAPS)).toThrow(RangeArgError);
  });
});

describe.skipIf(NO_GPU !== '' && process.env.CI === undefined)('planMatmul on WebGPU', () => {
  it('has a device (under CI a missing adapter is a failure)', () => {
    expect(NO_GPU).toBe('');
  });

  // Each tiling through a shape that chooses it, with partial tiles in n, m and k.
  const chosen: [string, Case][] = [
    ['t128x128', { batch: [32], n: 130, k: 5, m: 129 }],
    ['t128x64', { batch: [32], n: 200, k: 7, m: 100 }],
    ['t64x128', { batch: [32], n: 100, k: 7, m: 200 }],
    ['t64x64', { batch: [4], n: 250, k: 21, m: 260 }],
    ['t32x32', { n: 67, k: 129, m: 33 }],
    ['r64x16', { n: 300, k: 77, m: 10 }],
    ['c16x64', { n: 10, k: 77, m: 300 }],
    ['v16x4', { n: 100, k: 300, m: 3 }],
    ['h4x16', { n: 2, k: 300, m: 100 }],
    ['f32x32', { n: 70, k: 45, m: 90, caps: { ...DEFAULT_CAPS, maxInvocations: 64 } }],
  ];
  it.each(chosen)('%s, through a shape that chooses it', async (tiling, c) => {
    await check({ ...c, tiling });
  });

  it('sizes of 1, zero k, primes, aligned sizes', async () => {
    await check({ n: 1, k: 1, m: 1 });
    await check({ n: 1, k: 37, m: 1 });
    await check({ n: 33, k: 1, m: 40 });
    await check({ n: 1, k: 1, m: 200 });
    await check({ n: 5, k: 0, m: 7 });
    await check({ n: 64, k: 64, m: 64 });
    await check({ n: 96, k: 16, m: 128, force: TILINGS.t128x128 });
    await check({ n: 128, k: 16, m: 128, force: TILINGS.t128x128 });
  });

  // a and b row-major or transposed, with offsets and gaps between rows: every load path in a
  // tiling with one k slice and non-square register blocks, and in one with four k slices.
  it('transposed a and/or b, offsets, gaps between rows', async () => {
    const aT = { transposed: true, offset: 3 }, bT = { transposed: true, offset: 5, gap: 1 };
    await check({ n: 70, k: 19, m: 130, a: { offset: 3, gap: 2 }, b: { offset: 5, gap: 3 }, force: TILINGS.t64x128 });
    await check({ n: 70, k: 19, m: 130, a: aT, b: bT, force: TILINGS.t64x128 });
    await check({ batch: [2], n: 67, k: 29, m: 45, a: aT, b: { offset: 5, gap: 3 }, tiling: 't32x32' });
    await check({ batch: [2], n: 67, k: 29, m: 45, a: { offset: 3, gap: 2 }, b: bT, tiling: 't32x32' });
  });

  it('broadcast batch dims (stride 0) and several batch dims', async () => {
    await check({ batch: [3], n: 20, k: 17, m: 19, a: { broadcast: [0] } });
    await check({ batch: [3], n: 20, k: 17, m: 19, b: { broadcast: [0] } });
    await check({ batch: [2, 3, 2], n: 9, k: 13, m: 11, a: { broadcast: [1] }, b: { broadcast: [0, 2] } });
    await check({ batch: [2, 1, 3, 2, 2], n: 5, k: 6, m: 7, a: { offset: 1 } });
  });

  it('int32, exact', async () => {
    await check({ n: 67, k: 129, m: 33, type: 'i32', tiling: 't32x32' });
    await check({ n: 70, k: 45, m: 90, type: 'i32', b: { transposed: true }, force: TILINGS.f32x32 });
  });

  it("backprop's skinny products: xᵀ·g with a long k, g·Wᵀ, matrix-vector", async () => {
    // x [B, in], g [B, out]: dW = xᵀ·g is [in, out] with k = B, a transposed.
    await check({ n: 64, k: 2000, m: 10, a: { transposed: true }, tiling: 'r64x16' });
    await check({ n: 16, k: 1500, m: 1, a: { transposed: true }, tiling: 'v16x4' });
    await check({ n: 1, k: 3000, m: 5, b: { transposed: true }, tiling: 'h4x16' });
    // g [B, out] · W [out, in], and g · Wᵀ with W stored [in, out].
    await check({ n: 500, k: 10, m: 24 });
    await check({ n: 500, k: 10, m: 24, b: { transposed: true } });
  });

  it('a grid smaller than the tile count: tiles fold over y and each workgroup loops', async () => {
    // planMatmul's grid for more than 65535 tiles is checked above; here the kernel walks 300 tiles on 7×3 workgroups.
    await check({ batch: [300], n: 2, k: 3, m: 2, tiling: 'v16x4', grid: [7, 3, 1] });
  });
});
