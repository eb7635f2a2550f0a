/**
 * Malformed safetensors files are refused with a SafetensorsError naming the
 * problem, never a raw RangeError or a read past the buffer: truncation,
 * header length, header JSON, entries, dtypes, shapes, offsets, coverage,
 * duplicates, metadata, values; and a fuzz over corrupted files.
 */
import { describe, expect, it } from 'vitest';
import { AdjointError, tensor, zeros } from 'adjoint';
import { SafetensorsError, deserializeSafetensors, loadSafetensors, serializeSafetensors } from 'adjoint/io';
import { build, f32, i64 } from './helpers.js';

/** Expects `loadSafetensors(bytes)` to throw a SafetensorsError with this message (after the op name). */
function refused(bytes: Uint8Array, message: string | RegExp): void {
  let error: unknown;
  try {
    loadSafetensors(bytes);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SafetensorsError);
  expect(error).toBeInstanceOf(AdjointError);
  const text = (error as Error).message;
  if (typeof message === 'string') expect(text).toBe(`loadSafetensors: ${message}`);
  else expect(text).toMatch(message);
}

const entry = (dtype: string, shape: unknown, offsets: unknown): unknown => ({ dtype, shape, data_offsets: offsets });

describe('truncated files and header lengths', () => {
  it('refuses a file shorter than the 8-byte length', () => {
    refused(new Uint8Array(0), 'file is 0 bytes, too short for the 8-byte header length (truncated?)');
    refused(new Uint8Array(3), 'file is 3 bytes, too short for the 8-byte header length (truncated?)');
  });

  it('refuses a header length past the end of the file', () => {
    refused(build('{}', 0, { length: 200n }), 'header length 200 runs past the end of the file: only 2 bytes follow the 8-byte prefix (truncated?)');
    const good = serializeSafetensors({ w: zeros([4]) });
    refused(good.subarray(0, 40), /^loadSafetensors: header length \d+ runs past the end of the file: only 32 bytes follow/);
  });

  it('refuses a file cut in its data', () => {
    const good = serializeSafetensors({ a: zeros([2]), b: zeros([3]) });
    refused(good.subarray(0, good.length - 4), 'tensor "b": data_offsets [8, 20] lie outside the data section of 16 bytes');
  });

  it('refuses an absurdly large header length, before reading it', () => {
    refused(build('{}', 0, { length: 100_000_001n }), 'header length 100000001 exceeds the 100000000-byte limit (not a safetensors file?)');
    refused(build('{}', 0, { length: 2n ** 64n - 1n }), /header length 18446744073709551615 exceeds the 100000000-byte limit/);
    refused(new TextEncoder().encode('PK\x03\x04 not a safetensors file'), /exceeds the 100000000-byte limit/);
  });
});

describe('header text', () => {
  it('refuses a header that is not JSON', () => {
    refused(build('{"a": '), /^loadSafetensors: header is not valid JSON: /);
    refused(build('{"a":1}}'), /^loadSafetensors: header is not valid JSON: /);
  });

  it('refuses a header that is not a JSON object', () => {
    refused(build('[1, 2]'), "header is not a JSON object: it does not start with '{'");
    refused(build('null    '), "header is not a JSON object: it does not start with '{'");
    refused(build(' {}'), "header is not a JSON object: it does not start with '{'");
    refused(build(''), "header is not a JSON object: it does not start with '{'");
  });

  it('refuses a header that is not UTF-8', () => {
    const bytes = build('{"\u00ff":1}');
    bytes[10] = 0xff;
    refused(bytes, 'header is not valid UTF-8');
  });

  it('refuses duplicate keys, which JSON.parse would hide', () => {
    const e = entry('F32', [1], [0, 4]);
    refused(build(`{"a":${JSON.stringify(e)},"a":${JSON.stringify(e)}}`, f32(1)), 'header has the key "a" twice');
    refused(build(`{"__metadata__":{"k":"1","k":"2"}}`), 'header has the key "k" twice');
    refused(build(`{"a":{"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]}}`, f32(1)), 'header has the key "dtype" twice');
  });

  it('sees duplicates through escapes, and accepts escaped names and trailing space padding', () => {
    const e = JSON.stringify(entry('F32', [1], [0, 4]));
    refused(build(`{"a":${e},"\\u0061":${e}}`, f32(1)), 'header has the key "a" twice');
    const ok = build(`{"a":${e},"a\\"b:{":${JSON.stringify(entry('F32', [0], [4, 4]))}}      `, f32(1));
    expect([...loadSafetensors(ok).keys()]).toEqual(['a', 'a"b:{']);
  });
});

describe('entries', () => {
  it('refuses an entry that is not an object', () => {
    refused(build({ w: [1, 2] }), 'tensor "w": expected an object {dtype, shape, data_offsets}, got [1,2]');
    refused(build({ w: null }), 'tensor "w": expected an object {dtype, shape, data_offsets}, got null');
  });

  it('refuses unknown and unsupported dtypes', () => {
    refused(build({ w: entry('F33', [1], [0, 4]) }, 4), 'tensor "w": unknown dtype "F33" (adjoint reads F32, F64, I32, I64, BOOL)');
    refused(build({ w: entry('f32', [1], [0, 4]) }, 4), /unknown dtype "f32"/);
    refused(build({ w: entry('F16', [2], [0, 4]) }, 4), 'tensor "w": dtype F16 is not supported (adjoint reads F32, F64, I32, I64, BOOL)');
    refused(build({ w: { shape: [1], data_offsets: [0, 4] } }, 4), 'tensor "w": dtype must be a string, got undefined');
  });

  it('refuses negative, non-integer and non-numeric dims', () => {
    refused(build({ w: entry('F32', [-1, 2], [0, 0]) }), 'tensor "w": dim 0 of shape [-1,2] is not a non-negative integer');
    refused(build({ w: entry('F32', [2, 1.5], [0, 12]) }, 12), 'tensor "w": dim 1 of shape [2,1.5] is not a non-negative integer');
    refused(build({ w: entry('F32', ['2'], [0, 8]) }, 8), 'tensor "w": dim 0 of shape ["2"] is not a non-negative integer');
    refused(build({ w: entry('F32', 2, [0, 8]) }, 8), 'tensor "w": shape must be a list of sizes, got 2');
  });

  it('refuses offsets that are not two non-negative integers', () => {
    const msg = (got: string): string => `tensor "w": data_offsets must be two non-negative integers [begin, end], got ${got}`;
    refused(build({ w: entry('F32', [1], [0.5, 4.5]) }, 8), msg('[0.5,4.5]'));
    refused(build({ w: entry('F32', [1], [-4, 0]) }, 8), msg('[-4,0]'));
    refused(build({ w: entry('F32', [1], [0]) }, 8), msg('[0]'));
    refused(build({ w: entry('F32', [1], ['0', '4']) }, 8), msg('["0","4"]'));
    refused(build({ w: entry('F32', [1], undefined) }, 8), msg('undefined'));
    refused(build('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,1e300]}}', 8), msg('[0,1e+300]'));
  });

  it('refuses offsets outside the data or reversed', () => {
    refused(build({ w: entry('F32', [2], [0, 8]) }, 4), 'tensor "w": data_offsets [0, 8] lie outside the data section of 4 bytes');
    refused(build({ w: entry('F32', [0], [8, 4]) }, 8), 'tensor "w": data_offsets [8, 4] end before they begin');
    refused(build({ w: entry('F32', [1], [2 ** 53, 2 ** 53 + 4]) }, 4), /data_offsets must be two non-negative integers/);
  });

  it('refuses a shape whose byte size disagrees with the offsets', () => {
    refused(build({ w: entry('F32', [3], [0, 8]) }, 8), 'tensor "w": shape [3] of F32 needs 12 bytes but data_offsets [0, 8] hold 8');
    refused(build({ w: entry('F64', [], [0, 4]) }, 4), 'tensor "w": shape [] of F64 needs 8 bytes but data_offsets [0, 4] hold 4');
    refused(build({ w: entry('F32', [2 ** 40, 2 ** 40], [0, 8]) }, 8), /needs 4835703278458516698824704 bytes but data_offsets \[0, 8\] hold 8/);
  });

  it('refuses metadata that is not an object of strings', () => {
    refused(build({ __metadata__: { epoch: 3 } }), '__metadata__ values must be strings, but "epoch" is 3');
    refused(build({ __metadata__: ['a'] }), '__metadata__ must be an object of strings, got ["a"]');
    refused(build({ __metadata__: null }), '__metadata__ must be an object of strings, got null');
  });
});

describe('coverage of the data', () => {
  it('refuses overlapping ranges', () => {
    refused(
      build({ a: entry('F32', [2], [0, 8]), b: entry('F32', [2], [4, 12]) }, 12),
      'tensor "b" [4, 12] overlaps tensor "a" [0, 8]',
    );
    refused(build({ a: entry('F32', [2], [0, 8]), b: entry('F32', [2], [0, 8]) }, 8), 'tensor "b" [0, 8] overlaps tensor "a" [0, 8]');
  });

  it('refuses gaps between ranges and before the first', () => {
    refused(
      build({ a: entry('F32', [2], [0, 8]), b: entry('F32', [2], [12, 20]) }, 20),
      'data bytes [8, 12] before tensor "b" [12, 20] belong to no tensor (the tensors must cover the data without gaps)',
    );
    refused(build({ a: entry('F32', [1], [4, 8]) }, 8), /data bytes \[0, 4\] before tensor "a" \[4, 8\] belong to no tensor/);
  });

  it('refuses bytes after the last tensor', () => {
    refused(build({ a: entry('F32', [1], [0, 4]) }, 6), 'the data section has 6 bytes but the tensors cover only 4: 2 trailing bytes');
    refused(build({}, 3), 'the data section has 3 bytes but the tensors cover only 0: 3 trailing bytes');
  });

  it('accepts empty tensors at range boundaries', () => {
    const sd = loadSafetensors(build({ a: entry('F32', [1], [0, 4]), e: entry('I32', [0, 5], [4, 4]), b: entry('F32', [1], [4, 8]) }, f32(1, 2)));
    expect(sd.get('e')!.shape).toEqual([0, 5]);
    expect(sd.get('b')!.item()).toBe(2);
  });
});

describe('values', () => {
  it('loads I64 as int32 and refuses values outside the int32 range', () => {
    const ok = loadSafetensors(build({ i: entry('I64', [3], [0, 24]) }, i64(-2147483648n, 0n, 2147483647n)));
    expect(ok.get('i')!.dtype).toBe('int32');
    expect(ok.get('i')!.toArray()).toEqual([-2147483648, 0, 2147483647]);
    refused(
      build({ i: entry('I64', [2], [0, 16]) }, i64(1n, 2147483648n)),
      'tensor "i" (I64) holds 2147483648 at flat index 1, outside the int32 range I64 tensors load into',
    );
    refused(build({ i: entry('I64', [1], [0, 8]) }, i64(-(2n ** 63n))), /holds -9223372036854775808 at flat index 0/);
  });

  it('refuses BOOL bytes other than 0 and 1', () => {
    const sd = loadSafetensors(build({ b: entry('BOOL', [2], [0, 2]) }, new Uint8Array([1, 0])));
    expect(sd.get('b')!.toArray()).toEqual([true, false]);
    refused(build({ b: entry('BOOL', [2], [0, 2]) }, new Uint8Array([1, 2])), 'tensor "b" (BOOL) holds byte 2 at flat index 1; expected 0 or 1');
  });

  it('reads a Node Buffer that is a view into a shared pool', () => {
    const bytes = serializeSafetensors({ x: tensor([1, 2, 3], { dtype: 'float64' }), y: tensor([4]) });
    const pooled = Buffer.concat([Buffer.alloc(5, 7), Buffer.from(bytes), Buffer.alloc(3, 7)]).subarray(5, 5 + bytes.length);
    const sd = deserializeSafetensors(pooled);
    expect(sd.get('x')!.toArray()).toEqual([1, 2, 3]);
    expect(sd.get('y')!.toArray()).toEqual([4]);
  });

  it('refuses input that is not bytes', () => {
    expect(() => deserializeSafetensors('abc' as unknown as Uint8Array)).toThrow(
      'deserializeSafetensors: expected a Uint8Array or an ArrayBuffer of file bytes',
    );
  });
});

describe('fuzz', () => {
  it('any truncation or corrupted byte of a valid file loads or throws SafetensorsError, never another error', () => {
    const good = serializeSafetensors(
      { w: tensor([[1, 2], [3, 4]]), b: tensor([true, false]), i: tensor([5], { dtype: 'int32' }), d: tensor([1.5], { dtype: 'float64' }) },
      { metadata: { format: 'pt' } },
    );
    let state = 12345;
    const next = (): number => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
    const attempts: Uint8Array[] = [];
    for (let n = 0; n < good.length; n++) attempts.push(good.subarray(0, n));
    for (let k = 0; k < 3000; k++) {
      const bad = good.slice();
      for (let j = 0; j <= k % 3; j++) bad[next() % bad.length] = next() & 0xff;
      attempts.push(bad);
    }
    let refusedCount = 0;
    for (const bytes of attempts) {
      try {
        deserializeSafetensors(bytes);
      } catch (e) {
        if (!(e instanceof SafetensorsError)) throw new Error(`unexpected ${String(e)} for bytes ${Array.from(bytes).join(',')}`);
        refusedCount++;
      }
    }
    expect(refusedCount).toBeGreaterThan(good.length);
  });
});
