/**
 * Interop with PyTorch/numpy: the fixtures in test/fixtures/safetensors were
 * written by tools/goldens/safetensors.py (PyTorch 1.13 tensors and numpy
 * arrays); expected.json lists their names, dtypes, shapes, values and
 * metadata. And the other way: a file written by adjoint read back by numpy,
 * when Python with numpy and torch is on this machine.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tensor } from 'adjoint';
import { SafetensorsError, loadSafetensors, saveSafetensors } from 'adjoint/io';

const fixtures = fileURLToPath(new URL('../fixtures/safetensors/', import.meta.url));

interface ExpectedTensor {
  name: string;
  dtype: string;
  shape: number[];
  values: (number | boolean | string)[];
}
interface ExpectedFile {
  metadata: Record<string, string>;
  tensors: ExpectedTensor[];
}

const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as Record<string, ExpectedFile>;

/** expected.json writes non-finite floats and -0 as strings. */
function decodeValue(v: number | boolean | string): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  return { Infinity, '-Infinity': -Infinity, NaN, '-0': -0 }[v]!;
}

describe.each(Object.entries(expected))('%s (written by PyTorch/numpy)', (file, want) => {
  const sd = loadSafetensors(join(fixtures, file));

  it('has the names in header order and the metadata', () => {
    expect([...sd.keys()]).toEqual(want.tensors.map((t) => t.name));
    expect(sd.metadata).toEqual(want.metadata);
  });

  it.each(want.tensors.map((t) => [t.name, t] as const))('tensor %s has the dtype, shape and values', (name, t) => {
    const got = sd.get(name)!;
    expect(got.dtype).toBe(t.dtype);
    expect(got.shape).toEqual(t.shape);
    const values = Array.from(got.toTypedArray());
    expect(values.length).toBe(t.values.length);
    values.forEach((v, i) => expect(Object.is(v, decodeValue(t.values[i]!))).toBe(true));
  });
});

describe('fixtures adjoint refuses', () => {
  it('an I64 value outside the int32 range', () => {
    expect(() => loadSafetensors(join(fixtures, 'i64_overflow.safetensors'))).toThrow(SafetensorsError);
    expect(() => loadSafetensors(join(fixtures, 'i64_overflow.safetensors'))).toThrow(
      'loadSafetensors: tensor "big" (I64) holds 1099511627776 at flat index 1, outside the int32 range I64 tensors load into',
    );
  });

  it('F16', () => {
    expect(() => loadSafetensors(join(fixtures, 'f16.safetensors'))).toThrow(
      'loadSafetensors: tensor "half": dtype F16 is not supported (adjoint reads F32, F64, I32, I64, BOOL)',
    );
  });
});

describe('the state dict of a PyTorch Linear-Tanh-Linear', () => {
  it('has the shapes PyTorch gives its parameters', () => {
    const sd = loadSafetensors(join(fixtures, 'state_dict.safetensors'));
    expect(Object.fromEntries([...sd].map(([k, v]) => [k, v.shape]))).toEqual({
      '0.bias': [4], '0.weight': [4, 2], '2.bias': [3], '2.weight': [3, 4],
    });
    expect(sd.metadata).toEqual({ format: 'pt' });
  });
});

const python = '/usr/bin/python3';
const hasPython = spawnSync(python, ['-c', 'import numpy, torch'], { timeout: 60_000 }).status === 0;

describe('files written by adjoint, read by numpy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'adjoint-interop-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(!hasPython)('load in numpy with the same names, dtypes, shapes, values and metadata', () => {
    const path = join(dir, 'out.safetensors');
    saveSafetensors(path, new Map([
      ['0.weight', tensor([[0.5, -1.25], [3, 4]])],
      ['x64', tensor([1e-300, 2.5], { dtype: 'float64' })],
      ['idx', tensor([[-3, 7, 2147483647]], { dtype: 'int32' })],
      ['mask', tensor([true, false, true])],
      ['scalar', tensor(7)],
      ['empty', tensor([], { shape: [0, 2] })],
    ]), { metadata: { format: 'pt', by: 'adjoint ✓' } });
    const script = fileURLToPath(new URL('../../tools/goldens/safetensors.py', import.meta.url));
    const run = spawnSync(python, [script, '--check', path], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      metadata: { format: 'pt', by: 'adjoint ✓' },
      tensors: {
        '0.weight': { dtype: 'float32', shape: [2, 2], values: [0.5, -1.25, 3, 4] },
        x64: { dtype: 'float64', shape: [2], values: [1e-300, 2.5] },
        idx: { dtype: 'int32', shape: [1, 3], values: [-3, 7, 2147483647] },
        mask: { dtype: 'bool', shape: [3], values: [true, false, true] },
        scalar: { dtype: 'float32', shape: [], values: [7] },
        empty: { dtype: 'float32', shape: [0, 2], values: [] },
      },
    });
  });
});
