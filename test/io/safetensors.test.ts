/**
 * Saving and loading safetensors: round trips of every dtype (0-d, empty,
 * non-contiguous), metadata, names, the byte layout of the header and data,
 * files on disk, and the errors of saving.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { arange, randn, tensor, zeros, type Tensor } from 'adjoint';
import {
  SafetensorsError, SafetensorsMap, deserializeSafetensors, inspectSafetensors, loadSafetensors, saveSafetensors,
  serializeSafetensors,
} from 'adjoint/io';
import { build, f32, headerOf } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'adjoint-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectSame(a: Tensor | undefined, b: Tensor): void {
  expect(a).toBeDefined();
  expect(a!.dtype).toBe(b.dtype);
  expect(a!.shape).toEqual(b.shape);
  expect(a!.toTypedArray()).toEqual(b.toTypedArray());
}

describe('round trips', () => {
  const tensors: Record<string, Tensor> = {
    f32: randn([3, 4]),
    f64: randn([2, 5], { dtype: 'float64' }),
    i32: tensor([-2147483648, -1, 0, 7, 2147483647], { dtype: 'int32' }),
    bool: tensor([[true, false], [false, true]]),
    scalar: tensor(2.5, { dtype: 'float64' }),
    'empty.rows': zeros([0, 3]),
    'empty.cols': zeros([2, 0], { dtype: 'int32' }),
    special: tensor([NaN, Infinity, -Infinity, -0, 1e-45, 3.4e38]),
  };

  it('keeps every dtype, shape and value (0-d and empty included)', () => {
    const loaded = deserializeSafetensors(serializeSafetensors(tensors));
    expect([...loaded.keys()]).toEqual(Object.keys(tensors));
    for (const [name, t] of Object.entries(tensors)) expectSame(loaded.get(name), t);
    const special = loaded.get('special')!.toTypedArray();
    expect(Number.isNaN(special[0])).toBe(true);
    expect(Object.is(special[3], -0)).toBe(true);
  });

  it('saves non-contiguous views as contiguous row-major data', () => {
    const base = arange(12, { dtype: 'float64' }).reshape([3, 4]);
    const t = base.transpose(0, 1);
    expect(t.isContiguous()).toBe(false);
    const s = base.slice(null, [null, null, 2]);
    const loaded = loadSafetensors(saveSafetensors({ t, s }));
    expect(loaded.get('t')!.toArray()).toEqual(t.toArray());
    expect(loaded.get('t')!.isContiguous()).toBe(true);
    expect(loaded.get('s')!.toArray()).toEqual([[0, 2], [4, 6], [8, 10]]);
  });

  it('keeps metadata and any names, in the order given (a Map or an object)', () => {
    const names = ['0.weight', '0', 'ünïcødé ✓', 'a "quoted" name', '', 'layers.10.attn.q_proj.bias'];
    const map = new Map(names.map((n, i) => [n, tensor([i])]));
    const loaded = loadSafetensors(saveSafetensors(map, { metadata: { format: 'pt', note: 'héllo ✓', empty: '' } }));
    expect(loaded).toBeInstanceOf(SafetensorsMap);
    expect(loaded).toBeInstanceOf(Map);
    expect([...loaded.keys()]).toEqual(names);
    names.forEach((n, i) => expect(loaded.get(n)!.item()).toBe(i));
    expect(loaded.metadata).toEqual({ format: 'pt', note: 'héllo ✓', empty: '' });
    expect(loadSafetensors(saveSafetensors(map)).metadata).toEqual({});
  });

  it('loads from an ArrayBuffer and from an unaligned view inside a larger buffer', () => {
    const bytes = serializeSafetensors({ x: tensor([1.5, 2.5], { dtype: 'float64' }), y: tensor([3], { dtype: 'int32' }) });
    expect(deserializeSafetensors(bytes.slice().buffer).get('x')!.toArray()).toEqual([1.5, 2.5]);
    const big = new Uint8Array(bytes.length + 7);
    big.set(bytes, 3);
    const view = big.subarray(3, 3 + bytes.length);
    expect(deserializeSafetensors(view).get('x')!.toArray()).toEqual([1.5, 2.5]);
    expect(deserializeSafetensors(view).get('y')!.toArray()).toEqual([3]);
  });

  it('loads tensors that own their memory (not views of the file bytes)', () => {
    const bytes = serializeSafetensors({ x: tensor([1, 2]) });
    const x = deserializeSafetensors(bytes).get('x')!;
    bytes.fill(0);
    expect(x.toArray()).toEqual([1, 2]);
  });
});

describe('layout', () => {
  it('writes the published layout: u64 length, JSON header padded with spaces to 8 bytes, then the data in order', () => {
    const bytes = serializeSafetensors(
      new Map<string, Tensor>([['b', tensor([1, 2], { dtype: 'float64' })], ['a', tensor([true])], ['c', tensor([[3, 4]])]]),
      { metadata: { k: 'v' } },
    );
    const { length, text, json } = headerOf(bytes);
    expect(length % 8).toBe(0);
    expect(text.startsWith('{"__metadata__":{"k":"v"},"b":')).toBe(true);
    expect(text.trimEnd().length).toBeGreaterThan(length - 8);
    expect(/^ *$/.test(text.slice(text.trimEnd().length))).toBe(true);
    expect(json).toEqual({
      __metadata__: { k: 'v' },
      b: { dtype: 'F64', shape: [2], data_offsets: [0, 16] },
      a: { dtype: 'BOOL', shape: [1], data_offsets: [16, 17] },
      c: { dtype: 'F32', shape: [1, 2], data_offsets: [17, 25] },
    });
    const data = bytes.subarray(8 + length);
    expect(data.length).toBe(25);
    expect(Array.from(new Float64Array(data.slice(0, 16).buffer))).toEqual([1, 2]);
    expect(data[16]).toBe(1);
    expect(Array.from(new Float32Array(data.slice(17, 25).buffer))).toEqual([3, 4]);
  });

  it('writes no __metadata__ key without metadata, and an empty file for no tensors', () => {
    expect(headerOf(serializeSafetensors({ x: zeros([1]) })).json).toEqual({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } });
    const empty = serializeSafetensors({});
    expect(headerOf(empty).text.trimEnd()).toBe('{}');
    expect(empty.length).toBe(16);
    expect(deserializeSafetensors(empty).size).toBe(0);
  });

  it('reads a header in any key order and data in any tensor order', () => {
    const bytes = build(
      { b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] }, a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, __metadata__: { m: '1' } },
      f32(1, 2, 3),
    );
    const sd = loadSafetensors(bytes);
    expect([...sd.keys()]).toEqual(['b', 'a']);
    expect(sd.get('a')!.toArray()).toEqual([1, 2]);
    expect(sd.get('b')!.toArray()).toEqual([3]);
    expect(sd.metadata).toEqual({ m: '1' });
  });

  it('inspectSafetensors reads the header alone', () => {
    const bytes = serializeSafetensors({ w: zeros([2, 3]), b: zeros([3], { dtype: 'int32' }) }, { metadata: { a: 'b' } });
    const info = inspectSafetensors(bytes);
    expect(info.metadata).toEqual({ a: 'b' });
    expect(info.entries).toEqual([
      { name: 'w', dtype: 'F32', shape: [2, 3], dataOffsets: [0, 24] },
      { name: 'b', dtype: 'I32', shape: [3], dataOffsets: [24, 36] },
    ]);
    expect(info.dataStart).toBe(bytes.length - 36);
  });
});

describe('files', () => {
  it('saves to a path (creating directories) and loads from a path or a file URL', () => {
    const path = join(dir, 'nested', 'dir', 'model.safetensors');
    const w = randn([4, 2]);
    const b = zeros([4]);
    expect(saveSafetensors(path, { '0.weight': w, '0.bias': b }, { metadata: { format: 'pt' } })).toBeUndefined();
    const sd = loadSafetensors(path);
    expectSame(sd.get('0.weight'), w);
    expectSame(sd.get('0.bias'), b);
    expect(sd.metadata).toEqual({ format: 'pt' });
    expect(new Uint8Array(readFileSync(path))).toEqual(saveSafetensors({ '0.weight': w, '0.bias': b }, { metadata: { format: 'pt' } }));
    const url = pathToFileURL(join(dir, 'url.safetensors'));
    saveSafetensors(url, new Map([['x', tensor([1, 2, 3], { dtype: 'int32' })]]));
    expect(loadSafetensors(url).get('x')!.toArray()).toEqual([1, 2, 3]);
  });

  it('a missing file is an error naming the path', () => {
    expect(() => loadSafetensors(join(dir, 'missing.safetensors'))).toThrow(/ENOENT.*missing\.safetensors/);
  });
});

describe('save errors', () => {
  it('refuses what cannot be written, naming it', () => {
    expect(() => saveSafetensors({ __metadata__: zeros([1]) })).toThrow(SafetensorsError);
    expect(() => saveSafetensors({ __metadata__: zeros([1]) })).toThrow(
      'saveSafetensors: a tensor cannot be named __metadata__ (the header key of the metadata)',
    );
    expect(() => serializeSafetensors({ w: [1, 2] as unknown as Tensor })).toThrow('serializeSafetensors: "w" is not a Tensor');
    expect(() => saveSafetensors({ w: zeros([1]) }, { metadata: { step: 10 as unknown as string } })).toThrow(
      'saveSafetensors: metadata values must be strings, but "step" is 10',
    );
    expect(() => saveSafetensors(null as unknown as Record<string, Tensor>)).toThrow('saveSafetensors: expected a Map or an object of named tensors');
  });
});
