/**
 * `adjoint train`: short runs with --json parsed and accuracy asserted, the human report and its
 * figures, --save written and loaded back, and every kind of bad usage giving exit code 2 with the
 * train usage on stderr.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { noGrad, randn } from '../../src/index.js';
import { loadSafetensors } from '../../src/io/index.js';
import { COMMANDS, usage } from '../../src/cli/cli.js';
import { DEFAULTS, mlp, trainConfig } from '../../src/cli/train/index.js';
import { cli, spawnCli } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'adjoint-train-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));


interface JsonLine {
  testAccuracy: number;
  trainLoss: number;
  epochs: number;
  seconds: number;
  dataset: string;
  model: string;
  parameters: number;
  trainSize: number;
  testSize: number;
  files: { lossCurve: string; boundary?: string; model?: string };
}

/** Runs `adjoint train ...args --json --out scratch` and parses its single stdout line. */
async function trainJson(...args: string[]): Promise<JsonLine> {
  const r = await cli('train', ...args, '--json', '--out', scratch);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as JsonLine;
}

describe('adjoint train: short runs', () => {
  it('xor, 10 epochs: one JSON line with the required fields and test accuracy ≥ 95%', async () => {
    const r = await trainJson('xor', '--epochs', '10');
    expect(r).toMatchObject({ dataset: 'xor', model: 'mlp', epochs: 10, trainSize: 320, testSize: 80 });
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(r.trainLoss).toBeGreaterThan(0);
    expect(r.trainLoss).toBeLessThan(0.3);
    expect(r.seconds).toBeGreaterThan(0);
    expect(readFileSync(r.files.lossCurve, 'utf8')).toMatch(/^<svg|<\?xml/);
    expect(readFileSync(r.files.boundary!, 'utf8')).toContain('decision boundary');
  });

  it('moons, 15 epochs with sgd: test accuracy ≥ 90%', async () => {
    const r = await trainJson('moons', '--epochs', '15', '--optimizer', 'sgd', '--hidden', '16,16', '--seed', '3');
    expect(r.parameters).toBe(2 * 16 + 16 + 16 * 16 + 16 + 16 * 2 + 2);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('digits, MLP, 5 epochs: test accuracy ≥ 93% on the 20% held-out split', async () => {
    const r = await trainJson('digits', '--epochs', '5');
    expect([r.trainSize, r.testSize]).toEqual([1438, 359]);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.93);
    expect(r.files.boundary).toBeUndefined();
  });

  it('digits, CNN, 1 epoch: test accuracy ≥ 85%', async () => {
    const r = await trainJson('digits', '--model', 'cnn', '--epochs', '1');
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.85);
  });

  it('prints a line per epoch (not a TTY), the test accuracy and the figures', async () => {
    const r = await cli('train', 'circles', '--epochs', '3', '--out', scratch);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^adjoint train circles: mlp, 1,218 parameters; 480 training \/ 120 test points, 2 classes$/);
    expect(lines.filter((l) => /^epoch [1-3]\/3 {2}loss \d\.\d{4} {2}train \d+\.\d\d% {2}test \d+\.\d\d% {2}\d+\.\ds$/.test(l))).toHaveLength(3);
    expect(r.stdout).toMatch(/test accuracy \d+\.\d\d% \(\d+\/120\) · train loss \d\.\d{4} · 3 epochs in \d+\.\ds/);
    expect(existsSync(join(scratch, 'train-circles-mlp-loss.svg'))).toBe(true);
    expect(existsSync(join(scratch, 'train-circles-boundary.svg'))).toBe(true);
    const quiet = await cli('train', 'circles', '--epochs', '1', '--quiet', '--out', scratch);
    expect(quiet.stdout.trim().split('\n')).toHaveLength(2); // the result and where the figures went
  });

  it('--save writes the state dict: PyTorch names and shapes, and it loads back into the same MLP', async () => {
    const file = join(scratch, 'xor.safetensors');
    const r = await trainJson('xor', '--epochs', '2', '--hidden', '8,4', '--save', file);
    expect(r.files.model).toBe(file);
    const sd = loadSafetensors(file);
    expect([...sd].map(([k, t]) => [k, [...t.shape], t.dtype])).toEqual([
      ['0.weight', [8, 2], 'float32'], ['0.bias', [8], 'float32'],
      ['2.weight', [4, 8], 'float32'], ['2.bias', [4], 'float32'],
      ['4.weight', [2, 4], 'float32'], ['4.bias', [2], 'float32'],
    ]);
    expect(sd.metadata).toMatchObject({ format: 'pt', dataset: 'xor', model: 'mlp' });
    const model = mlp(2, [8, 4], 2, DEFAULTS.xor.activation);
    model.loadStateDict(sd);
    const x = randn([5, 2]);
    const y = noGrad(() => model.forward(x));
    expect(y.shape).toEqual([5, 2]);
    expect(model.stateDict().get('4.bias')!.toArray()).toEqual(sd.get('4.bias')!.toArray());
  });
});

const python = '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import numpy, torch'], { timeout: 60_000 }).status === 0;
const TORCH_SCRIPT = `
import json, sys
import numpy as np, torch, torch.nn as nn
sys.path.insert(0, sys.argv[1])
from safetensors import decode  # tools/goldens/safetensors.py, an independent reader
tensors, _ = decode(open(sys.argv[2], 'rb').read())
m = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
m.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in tensors.items()})
x = torch.tensor(json.loads(sys.argv[3]), dtype=torch.float32)
print(json.dumps(m(x).tolist()))
`;

describe('adjoint train: the saved file in PyTorch', () => {
  it.skipIf(!hasTorch)('loads into the same nn.Sequential in PyTorch 1.13 and gives the same logits', async () => {
    const file = join(scratch, 'digits-mlp.safetensors');
    await trainJson('digits', '--epochs', '2', '--hidden', '32', '--save', file);
    const model = mlp(64, [32], 10, 'relu');
    model.loadStateDict(loadSafetensors(file));
    const x = randn([3, 64]);
    const mine = noGrad(() => model.forward(x)).toArray() as number[][];
    const tools = fileURLToPath(new URL('../../tools/goldens/', import.meta.url));
    const r = spawnSync(python, ['-c', TORCH_SCRIPT, tools, file, JSON.stringify(x.toArray())], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    const theirs = JSON.parse(r.stdout) as number[][];
    theirs.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - mine[i]![j]!)).toBeLessThan(1e-5)));
  });
});

describe('adjoint train: configuration', () => {
  it('fills in per-dataset defaults; SGD gets ten times the Adam learning rate', () => {
    expect(trainConfig('digits', { model: 'cnn' })).toMatchObject({ epochs: 10, lr: 0.005, batchSize: 64, model: 'cnn' });
    expect(trainConfig('digits', {})).toMatchObject({ epochs: 30, hidden: [128], model: 'mlp' });
    expect(trainConfig('moons', { optimizer: 'sgd' }).lr).toBeCloseTo(0.1, 12);
    expect(trainConfig('spirals', { hidden: '8, 8', lr: '1e-3', seed: '42' })).toMatchObject({ hidden: [8, 8], lr: 0.001, seed: 42 });
  });

  it('is listed by adjoint help', () => {
    expect(Object.keys(COMMANDS)).toContain('train');
    expect(usage()).toMatch(/ {2}train {2}train a model on xor, moons, circles, spirals, digits/);
  });
});

describe('adjoint train: bad usage exits 2 with a message and the train usage on stderr', () => {
  const cases: [string[], string][] = [
    [[], 'which dataset? one of xor, moons, circles, spirals, digits'],
    [['mnist'], "unknown dataset 'mnist' (expected xor, moons, circles, spirals, digits)"],
    [['xor', 'moons'], "unexpected argument 'moons'"],
    [['xor', '--foo'], "unknown option '--foo'"],
    [['xor', '--epochs'], '--epochs needs a value'],
    [['xor', '--epochs', '0'], "--epochs must be an integer from 1 to 100000, got '0'"],
    [['xor', '--epochs', '2.5'], "--epochs must be an integer from 1 to 100000, got '2.5'"],
    [['xor', '--lr', '-1'], "--lr needs a value; for one starting with '-' write --lr=-VALUE"],
    [['xor', '--lr=-1'], "--lr must be a number > 0, got '-1'"],
    [['xor', '--lr', 'fast'], "--lr must be a number > 0, got 'fast'"],
    [['xor', '--optimizer', 'rmsprop'], "--optimizer must be sgd, adam or adamw, got 'rmsprop'"],
    [['xor', '--model', 'resnet'], "--model must be mlp or cnn, got 'resnet'"],
    [['moons', '--model', 'cnn'], '--model cnn needs images: use it with digits, not moons'],
    [['digits', '--model', 'cnn', '--hidden', '32'], '--hidden sets the layers of --model mlp'],
    [['xor', '--hidden', '16,x'], "--hidden must be comma-separated widths like 64,64 (each 1 to 100000), got '16,x'"],
    [['xor', '--batch-size=-4'], "--batch-size must be an integer from 1 to 1000000, got '-4'"],
    [['xor', '--seed=-1'], "--seed must be a non-negative integer, got '-1'"],
    [['xor', '--save', 'model.bin'], "--save writes a safetensors file: FILE.safetensors, got 'model.bin'"],
    [['xor', '--json', 'yes'], "unexpected argument 'yes'"],
  ];
  it.each(cases)('train %j', async (args, message) => {
    const r = await cli('train', ...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`adjoint: ${message}`);
    expect(r.stderr).toContain('Usage: adjoint train <xor|moons|circles|spirals|digits>');
  });

  it('through the executable too (exit status 2)', () => {
    const r = spawnCli(['train', 'cifar10']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("adjoint: unknown dataset 'cifar10'");
  });
});
