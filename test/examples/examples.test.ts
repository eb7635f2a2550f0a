/**
 * Every example in examples/ runs briefly as a child process (`node --import tsx examples/x.ts
 * --quick`), importing adjoint by package name, exits 0 and prints something real: a loss that went
 * down, the figure or weights it wrote, a sample of generated text. Two of them run again with
 * `--backend webgpu` (SwiftShader where no GPU is at hand) and must print the CPU's lines, numbers
 * equal up to float32 rounding.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { setupWebGPU } from '../backend/webgpu-helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const scratch = mkdtempSync(join(tmpdir(), 'adjoint-examples-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs an example in quick mode; on the GPU with a longer limit (SwiftShader compiles every pipeline on the CPU). */
function run(name: string, ...args: string[]): string {
  const gpu = args.includes('webgpu');
  const r = spawnSync(process.execPath, ['--import', TSX, join(root, 'examples', name), '--quick', ...args], {
    cwd: root, encoding: 'utf8', timeout: gpu ? 240_000 : 60_000,
    // setupWebGPU() below put SwiftShader's VK_ICD_FILENAMES and XDG_RUNTIME_DIR into this process's env.
    env: process.env,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

/**
 * Asserts that the GPU run printed the CPU run's lines: the same text, and every number equal up
 * to one unit of its last printed digit (float32 rounding may flip it; the CPU backends compute
 * float32 ops in float64 and round once). The `backend:` line names each run's backend.
 */
function expectSameLines(gpuOut: string, cpuOut: string): void {
  const lines = (out: string): string[] => out.trimEnd().split('\n');
  const g = lines(gpuOut);
  const c = lines(cpuOut);
  expect(g[0]).toBe('backend: webgpu');
  expect(c[0]).toMatch(/^backend: (js|wasm)$/);
  expect(g.length, `line count:\n${gpuOut}`).toBe(c.length);
  const number = /-?\d+(?:\.(\d+))?/g;
  for (let i = 1; i < c.length; i++) {
    expect(g[i]!.replace(number, '#'), `line ${i + 1}`).toBe(c[i]!.replace(number, '#'));
    const gn = [...g[i]!.matchAll(number)];
    [...c[i]!.matchAll(number)].forEach((m, j) => {
      const ulp = 10 ** -(m[1]?.length ?? 0);
      const diff = Math.abs(Number(gn[j]![0]) - Number(m[0]));
      expect(diff, `line ${i + 1}: '${g[i]}' (webgpu) vs '${c[i]}' (cpu)`).toBeLessThanOrEqual(ulp * (1 + 1e-9));
    });
  }
}

const noGpu = await setupWebGPU();

/** The `loss A -> B` line every example ends its training with. */
function lossDrop(out: string): [number, number] {
  const m = /loss (\d+\.\d+) -> (\d+\.\d+)/.exec(out);
  expect(m, `no 'loss A -> B' line in:\n${out}`).not.toBeNull();
  return [Number(m![1]), Number(m![2])];
}

describe('examples/', () => {
  it('has a README and the five examples', () => {
    expect(readdirSync(join(root, 'examples')).sort()).toEqual(
      expect.arrayContaining(['README.md', 'char-lm.ts', 'digits-cnn.ts', 'export-onnx.ts', 'moons.ts', 'xor.ts', 'data']),
    );
  });

  let xorCpu = '';
  it('xor.ts: both the raw-tensor and the nn.Module networks learn the truth table', () => {
    const out = run('xor.ts');
    xorCpu = out;
    const raw = /mse (\d+\.\d+) -> (\d+\.\d+)/.exec(out)!;
    expect(Number(raw[2])).toBeLessThan(Number(raw[1]) / 5);
    const [a, b] = lossDrop(out);
    expect(b).toBeLessThan(a / 5);
    expect(out).toContain('4/4 correct');
    expect(out).toContain('(hidden): Linear(in_features=2, out_features=8, bias=True)');
  });

  it('moons.ts: the loss drops, the test accuracy is printed and the boundary SVG written', () => {
    const out = run('moons.ts', '--out', scratch);
    const [a, b] = lossDrop(out);
    expect(b).toBeLessThan(a / 2);
    const acc = Number(/test accuracy (\d+\.\d)%; wrote/.exec(out)![1]);
    expect(acc).toBeGreaterThan(85);
    expect(existsSync(join(scratch, 'moons-boundary.svg'))).toBe(true);
  });

  it('digits-cnn.ts: one short epoch lowers the loss; the saved weights reload to the same accuracy', () => {
    const out = run('digits-cnn.ts', '--out', scratch);
    const [a, b] = lossDrop(out);
    expect(b).toBeLessThan(a);
    const m = /restored model's test accuracy: (\d+\.\d+)% \(the trained one: (\d+\.\d+)%\)/.exec(out)!;
    expect(m[1]).toBe(m[2]);
    expect(existsSync(join(scratch, 'digits-cnn.safetensors'))).toBe(true);
  });

  it('export-onnx.ts: the trained CNN exports and ONNX Runtime agrees at two batch sizes', () => {
    const out = run('export-onnx.ts', '--out', scratch);
    const [a, b] = lossDrop(out);
    expect(b).toBeLessThan(a);
    expect(out).toContain('batch 1: ONNX Runtime output [1, 10]');
    expect(out).toContain('ONNX Runtime and adjoint agree (within 1e-5 relative)');
    expect(existsSync(join(scratch, 'digits-cnn.onnx'))).toBe(true);
  });

  it('char-lm.ts: the loss drops below uniform guessing and a sample is printed', () => {
    const out = run('char-lm.ts');
    const [a, b] = lossDrop(out);
    expect(b).toBeLessThan(a);
    expect(b).toBeLessThan(Number(/uniform guessing: (\d+\.\d+)/.exec(out)![1]));
    const sample = out.split('\nsample:\n')[1] ?? '';
    expect(sample.startsWith('The gardener ')).toBe(true);
    expect(sample.trim().length).toBeGreaterThanOrEqual('The gardener '.length + 60);
  });

  describe.skipIf(noGpu !== null)('--backend webgpu', () => {
    it('xor.ts on the GPU: the CPU run\'s lines, losses equal to float32 rounding', { timeout: 300_000 }, () => {
      const out = run('xor.ts', '--backend', 'webgpu');
      expect(out).toContain('4/4 correct');
      expectSameLines(out, xorCpu || run('xor.ts'));
    });

    it('moons.ts on the GPU (one epoch): the data set, DataLoader batches and boundary grid on the GPU give the CPU run\'s lines', { timeout: 300_000 }, () => {
      const gpuDir = join(scratch, 'webgpu');
      const out = run('moons.ts', '--epochs', '1', '--out', gpuDir, '--backend', 'webgpu');
      expect(existsSync(join(gpuDir, 'moons-boundary.svg'))).toBe(true);
      const cpu = run('moons.ts', '--epochs', '1', '--out', gpuDir);
      const [a, b] = lossDrop(out);
      expect(a).toBe(b); // one epoch: the first epoch's loss is the last
      expectSameLines(out, cpu);
    });
  });
});
