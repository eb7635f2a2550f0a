/**
 * Every example in examples/ runs briefly as a child process (`node --import tsx examples/x.ts
 * --quick`), importing adjoint by package name, exits 0 and prints something real: a loss that went
 * down, the figure or weights it wrote, a sample of generated text.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const scratch = mkdtempSync(join(tmpdir(), 'adjoint-examples-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(name: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, ['--import', TSX, join(root, 'examples', name), '--quick', ...args], {
    cwd: root, encoding: 'utf8', timeout: 60_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

/** The `loss A -> B` line every example ends its training with. */
function lossDrop(out: string): [number, number] {
  const m = /loss (\d+\.\d+) -> (\d+\.\d+)/.exec(out);
  expect(m, `no 'loss A -> B' line in:\n${out}`).not.toBeNull();
  return [Number(m![1]), Number(m![2])];
}

describe('examples/', () => {
  it('has a README and the four examples', () => {
    expect(readdirSync(join(root, 'examples')).sort()).toEqual(
      expect.arrayContaining(['README.md', 'char-lm.ts', 'digits-cnn.ts', 'moons.ts', 'xor.ts', 'data']),
    );
  });

  it('xor.ts: both the raw-tensor and the nn.Module networks learn the truth table', () => {
    const out = run('xor.ts');
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
});
