/**
 * Where a tensor lives, seen from the user's side, on a real WebGPU device
 * (SwiftShader where no GPU is at hand): `{backend}` on creation, `x.backend`,
 * the asynchronous readers and the errors of the synchronous ones, printing,
 * mixed-backend and float64 errors, `to()` round trips with gradients,
 * `module.to('webgpu')`, optimizers and a training loop equal to the CPU's, and
 * a lost device. The kernels themselves are checked against the js oracle in
 * webgpu.test.ts; the golden registry runs in webgpu-conformance.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DTypeError, DeviceError, Tensor, arange, getBackend, manualSeed, ones, randn, setBackend, synchronize, tensor,
  zeros, zerosLike, type BackendName,
} from '../../src/index.js';
import { clipGradNorm_, Adam, SGD } from '../../src/optim/index.js';
import { BatchNorm1d, Linear, ReLU, Sequential, CrossEntropyLoss } from '../../src/nn/index.js';
import { initWebGPU } from '../../src/backend/index.js';
import { gpu } from '../../src/backend/webgpu/device.js';
import { setupWebGPU } from './webgpu-helpers.js';
import { runTrain, trainConfig } from '../../src/cli/train/index.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tmp = mkdtempSync(join(tmpdir(), 'adjoint-gpu-train-'));

const skip = await setupWebGPU();

/** Reads a tensor on any backend as a flat array of numbers. */
const read = async (t: Tensor): Promise<number[]> => Array.from(await t.toTypedArrayAsync());

describe.skipIf(skip !== null)('webgpu: tensors on the GPU, from the user side', () => {
  let before: BackendName;
  beforeAll(() => {
    before = getBackend();
  });
  afterAll(() => setBackend(before));

  it('creates tensors where asked and says where they live', async () => {
    const x = tensor([[1, 2], [3, 4]], { backend: 'webgpu' });
    expect(x.backend).toBe('webgpu');
    expect(zerosLike(x).backend).toBe('webgpu');
    expect(await x.toArrayAsync()).toEqual([[1, 2], [3, 4]]);
    expect(await x.sum().itemAsync()).toBe(10);
    expect(Array.from(await x.toTypedArrayAsync())).toEqual([1, 2, 3, 4]);
    expect(await tensor([true, false], { backend: 'webgpu' }).toArrayAsync()).toEqual([true, false]);
    expect(await arange(4, { dtype: 'int32', backend: 'webgpu' }).toArrayAsync()).toEqual([0, 1, 2, 3]);
  });

  it('refuses the synchronous readers of a GPU tensor, naming the async twin', () => {
    const x = ones([2], { backend: 'webgpu' });
    expect(() => x.toArray()).toThrow(DeviceError);
    expect(() => x.toArray()).toThrow('toArray: the tensor is on the GPU (webgpu), which cannot be read synchronously; use await x.toArrayAsync()');
    expect(() => x.toTypedArray()).toThrow('use await x.toTypedArrayAsync()');
    expect(() => x.sum().item()).toThrow('use await x.itemAsync()');
  });

  it('prints where a GPU tensor lives instead of blocking, and prints it fully when read', async () => {
    const x = tensor([1.5, 2], { backend: 'webgpu' });
    expect(String(x)).toBe('tensor(<on the GPU (webgpu), shape [2], float32: read it with await x.toArrayAsync() or print await x.toStringAsync()>)');
    expect(await x.toStringAsync()).toBe("tensor([1.5000, 2.0000], device='webgpu')");
  });

  it('refuses float64 on the GPU', () => {
    expect(() => zeros([2], { dtype: 'float64', backend: 'webgpu' })).toThrow(DTypeError);
    expect(() => tensor([1], { dtype: 'float64' }).to('webgpu')).toThrow(/float64/);
  });

  it('names the op and both backends when tensors on two backends meet, and lets a 0-d CPU tensor in', async () => {
    const g = ones([3], { backend: 'webgpu' });
    const c = ones([3], { backend: 'js' });
    expect(() => g.add(c)).toThrow(DeviceError);
    expect(() => g.add(c)).toThrow("add: expected all tensors on one backend, got webgpu and js (move one with .to('webgpu') or .to('js'))");
    expect(() => c.matmul(g.reshape([3, 1]))).toThrow(/matmul: expected all tensors on one backend, got webgpu and js/);
    const y = g.mul(tensor(2, { backend: 'js' })); // a CPU scalar, as PyTorch allows in a CUDA op
    expect(y.backend).toBe('webgpu');
    expect(await read(y)).toEqual([2, 2, 2]);
  });

  it('moves tensors with to() both ways, with gradients flowing back across backends', async () => {
    // CPU leaf → GPU → loss on the GPU: the gradient comes back to the CPU.
    const w = tensor([1, -2, 3], { requiresGrad: true, backend: 'js' });
    const loss = w.to('webgpu').square().sum();
    expect(loss.backend).toBe('webgpu');
    loss.backward();
    expect(w.grad!.backend).toBe('js');
    await synchronize();
    expect(w.grad!.toArray()).toEqual([2, -4, 6]);
    // GPU leaf → CPU → loss on the CPU: the gradient goes back to the GPU.
    const v = tensor([0.5, 4], { requiresGrad: true, backend: 'webgpu' });
    const onCpu = v.to('js');
    // The copy is under way: a CPU kernel cannot wait for it, so it says what to await.
    expect(() => onCpu.mul(onCpu)).toThrow('read: this tensor is still being copied from the GPU: await x.toArrayAsync() (or await synchronize()) before reading it synchronously');
    await synchronize();
    const l2 = onCpu.mul(onCpu).mul(3).sum();
    l2.backward();
    expect(v.grad!.backend).toBe('webgpu');
    expect(await read(v.grad!)).toEqual([3, 24]);
    // A copy from the GPU is under way when to() returns: the async readers wait for it.
    expect(await tensor([7, 8], { backend: 'webgpu' }).to('wasm').toArrayAsync()).toEqual([7, 8]);
  });

  it('trains an MLP on the GPU with the same losses as on the CPU (float32 rounding)', async () => {
    const run = async (backend: BackendName, Opt: typeof SGD | typeof Adam): Promise<number[]> => {
      manualSeed(3);
      const model = new Sequential(new Linear(4, 16), new ReLU(), new Linear(16, 3));
      model.to(backend);
      const x = randn([32, 4]).to(backend);
      const y = tensor(Array.from({ length: 32 }, (_, i) => i % 3), { dtype: 'int32' }).to(backend);
      const opt = Opt === SGD ? new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }) : new Adam(model.parameters(), { lr: 0.01 });
      const lossFn = new CrossEntropyLoss();
      const losses: number[] = [];
      for (let step = 0; step < 8; step++) {
        opt.zeroGrad();
        const loss = lossFn.forward(model.forward(x), y);
        loss.backward();
        clipGradNorm_(model.parameters(), 1.0);
        opt.step();
        losses.push(await loss.itemAsync());
      }
      for (const p of model.parameters()) expect(p.backend).toBe(backend);
      return losses;
    };
    for (const Opt of [SGD, Adam]) {
      const cpu = await run('js', Opt);
      const gpu = await run('webgpu', Opt);
      expect(cpu[cpu.length - 1]).toBeLessThan(cpu[0]!);
      gpu.forEach((l, i) => expect(Math.abs(l - cpu[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(cpu[i]!))));
    }
  });

  it('moves a module to the GPU and back, parameters, buffers and gradients', async () => {
    manualSeed(1);
    const cpu = new Sequential(new Linear(3, 2), new BatchNorm1d(2));
    const x = randn([4, 3]);
    const want = await read(cpu.forward(x));
    const gpu = cpu.to('webgpu');
    for (const [, t] of gpu.stateDict()) expect(t.backend).toBe('webgpu');
    const out = gpu.forward(x.to('webgpu'));
    expect(out.backend).toBe('webgpu');
    (await read(out)).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    out.sum().backward();
    const back = gpu.to('js');
    await synchronize();
    for (const [, t] of back.stateDict()) expect(t.backend).toBe('js');
    for (const p of back.parameters()) expect(p.grad!.backend).toBe('js');
    (await read(back.forward(x.to('js')))).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
  });

  it('adjoint train --backend webgpu: the run of the CPU, to float32 rounding', async () => {
    const out: string[] = [];
    const run = (backend: string) => runTrain(trainConfig('xor', { epochs: '3', backend, json: true, out: tmp }), { stdout: (s) => out.push(s) });
    const gpu = await run('webgpu');
    const cpu = await run('js');
    expect(getBackend()).toBe(before); // the run restores the default
    expect(gpu.history.map((h) => h.testAccuracy)).toEqual(cpu.history.map((h) => h.testAccuracy));
    gpu.history.forEach((h, i) => expect(Math.abs(h.trainLoss - cpu.history[i]!.trainLoss)).toBeLessThan(1e-5));
    expect(gpu.testAccuracy).toBeGreaterThan(0.9);
  }, 120_000);

  it('makes the constants of an op where its tensors live, whatever the default (numbers, eval batch norm)', async () => {
    setBackend('webgpu');
    try {
      const c = tensor([1, 2], { backend: 'js' });
      expect(c.add(1).mul(2).toArray()).toEqual([4, 6]);
      const bn = new BatchNorm1d(2).to('js'); // made on the GPU (the default), moved to the CPU
      await synchronize();
      bn.eval();
      expect(bn.forward(tensor([[1, 2], [3, 4]], { backend: 'js' })).backend).toBe('js');
      const g = ones([2]); // on the GPU, the default now
      expect(await g.add(1).toArrayAsync()).toEqual([2, 2]);
    } finally {
      setBackend(before);
    }
  });

  it('loads a CPU state dict into a GPU module and copies across backends (copy_)', async () => {
    manualSeed(5);
    const cpu = new Sequential(new Linear(3, 4), new BatchNorm1d(4));
    manualSeed(6);
    const gpuModel = new Sequential(new Linear(3, 4), new BatchNorm1d(4)).to('webgpu');
    gpuModel.loadStateDict(cpu.stateDict());
    const x = randn([5, 3]);
    const want = await read(cpu.forward(x));
    (await read(gpuModel.forward(x.to('webgpu')))).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    const dst = zeros([3], { backend: 'webgpu' });
    dst.copy_(tensor([1, 2, 3], { dtype: 'float64', backend: 'js' }));
    expect(await dst.toArrayAsync()).toEqual([1, 2, 3]);
  });

  it('keeps the errors of reads that need a value on the CPU', () => {
    const p = tensor([1, 2], { requiresGrad: true, backend: 'webgpu' });
    p.square().sum().backward();
    expect(() => clipGradNorm_([p], 1, { errorIfNonfinite: true })).toThrow(DeviceError);
  });

  // Last: it destroys the device (and makes a new one for whatever runs after).
  it('turns a lost device into DeviceErrors: on a pending read, on the next op, on a later read', async () => {
    const x = ones([8], { backend: 'webgpu' }).mul(3);
    const pending = x.toArrayAsync();
    gpu('test').device.destroy();
    await expect(pending).rejects.toThrow(DeviceError);
    await new Promise((r) => setTimeout(r, 50));
    expect(() => x.add(1)).toThrow(/the GPU device was lost/);
    await expect(x.toArrayAsync()).rejects.toThrow(/the GPU device was lost/);
    await initWebGPU();
    expect(await ones([2], { backend: 'webgpu' }).toArrayAsync()).toEqual([1, 1]);
  });
});
