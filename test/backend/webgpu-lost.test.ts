// Errors on the GPU become DeviceErrors: a lost device (the next call throws, a pending read
// rejects instead of hanging), a failed batch, an allocation past the device's limits.
// Its own file: it destroys the device.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../src/errors.js';
import { gpu as device } from '../../src/backend/webgpu/device.js';
import { dispatch } from '../../src/backend/webgpu/encoder.js';
import { flushWebGPU, initWebGPU } from '../../src/backend/webgpu/index.js';
import type { GpuStorage } from '../../src/backend/webgpu/memory.js';
import { Params } from '../../src/backend/webgpu/kernels/strided.js';
import { gpu, rowMajor, setupWebGPU } from './webgpu-helpers.js';

const skip = await setupWebGPU();

describe('initWebGPU without an adapter', () => {
  it('rejects with a DeviceError that says what to install', () => {
    // A child process whose Vulkan loader finds no driver.
    const script = "import('./src/backend/webgpu/index.ts').then((m) => m.initWebGPU()).then(() => console.log('ADAPTER'), (e) => console.log(e.name + ': ' + e.message)).then(() => process.exit(0))";
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)), env: { ...process.env, VK_ICD_FILENAMES: '/nonexistent-icd.json' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(out).toContain('DeviceError: initWebGPU: no WebGPU adapter is available');
    expect(out).toContain('apt-get install libvulkan1');
  });
});

describe.skipIf(skip !== null)('webgpu errors', () => {
  it('an allocation past the largest storage buffer is a DeviceError saying out of GPU memory', () => {
    const max = device('test').limits.maxStorageBufferBindingSize;
    expect(() => gpu.alloc('float32', max / 4 + 1)).toThrow(DeviceError);
    expect(() => gpu.alloc('float32', max / 4 + 1)).toThrow(/alloc: webgpu: out of GPU memory: .* exceed the device's largest storage buffer/);
  });

  it('a kernel that fails validation rejects the read and is thrown by the next call', async () => {
    const out = gpu.alloc('float32', 4) as GpuStorage;
    // Binding 0 declared read-only in WGSL but bound read_write in the layout: a validation error.
    const code = '@group(0) @binding(0) var<storage, read> out: array<f32>;\nstruct P { w: vec4<u32> }\n@group(0) @binding(1) var<uniform> p: P;\n@compute @workgroup_size(1) fn main() { _ = out[0]; _ = p.w; }';
    const bad = () => dispatch({ name: 'bad', key: 'bad', code: code + ' fn x( {', boxes: [out.box], writes: [true], params: new Params().buffer, workgroups: [1, 1, 1] });
    bad();
    await expect(gpu.readAsync(rowMajor(out, [4]))).rejects.toThrow(/webgpu: validation error in a batch of 1 kernels: Error while parsing WGSL/);
    await expect(gpu.readAsync(rowMajor(out, [4]))).resolves.toEqual(new Float32Array(4));
    // With no read pending, the next kernel call throws it (once).
    bad();
    await flushWebGPU().catch(() => {});
    expect(() => gpu.unary('neg', rowMajor(out, [4]), 'float32')).toThrow(/validation error/);
    await expect(gpu.readAsync(rowMajor(gpu.unary('neg', rowMajor(out, [4]), 'float32'), [4]))).resolves.toEqual(new Float32Array([-0, -0, -0, -0]));
  });

  it('a lost device: the pending read rejects, the next kernel call throws, initWebGPU starts again', async () => {
    const x = rowMajor(gpu.fromArray('float32', [1, 2, 3]), [3]);
    const pending = gpu.readAsync(rowMajor(gpu.unary('exp', x, 'float32'), [3]));
    device('test').device.destroy();
    await expect(pending).rejects.toThrow(DeviceError);
    await new Promise((r) => setTimeout(r, 50));
    expect(() => gpu.unary('exp', x, 'float32')).toThrow(DeviceError);
    expect(() => gpu.unary('exp', x, 'float32')).toThrow(/the GPU device was lost/);
    await expect(gpu.readAsync(x)).rejects.toThrow(/the GPU device was lost/);
    await initWebGPU();
    expect(() => gpu.unary('exp', x, 'float32')).toThrow(/exp: webgpu: this tensor lived on a GPU device that was lost or closed/);
    const y = rowMajor(gpu.fromArray('float32', [0, 1]), [2]);
    expect(Array.from(await gpu.readAsync(rowMajor(gpu.unary('neg', y, 'float32'), [2])))).toEqual([-0, -1]);
  });
});
