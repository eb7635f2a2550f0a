/**
 * The UCI 8x8 digits: shapes, dtypes, scaling, the first row against the
 * shipped CSV read independently, label counts, the image view, and the CSV
 * parser's errors.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataError, digits, parseDigitsCsv } from 'adjoint/data';

const csv = gunzipSync(readFileSync(new URL('../../data/digits/digits.csv.gz', import.meta.url))).toString('utf8');
const lines = csv.split('\n').filter((l) => l !== '');
const firstRow = lines[0]!.split(',').map(Number);

describe('digits()', () => {
  const { x, y, images, numClasses } = digits();

  it('has 1797 images of 64 pixels scaled to [0, 1], int32 labels and 10 classes', () => {
    expect(lines.length).toBe(1797);
    expect(x.shape).toEqual([1797, 64]);
    expect(x.dtype).toBe('float32');
    expect(y.shape).toEqual([1797]);
    expect(y.dtype).toBe('int32');
    expect(numClasses).toBe(10);
    const xs = x.toTypedArray();
    expect(Math.min(...xs)).toBe(0);
    expect(Math.max(...xs)).toBe(1);
  });

  it('row 0 is the first line of the CSV (pixels / 16, then the label)', () => {
    expect(Array.from(x.toTypedArray().subarray(0, 64))).toEqual(firstRow.slice(0, 64).map((v) => v / 16));
    expect(y.toTypedArray()[0]).toBe(firstRow[64]);
    const last = lines[1796]!.split(',').map(Number);
    expect(Array.from(x.toTypedArray().subarray(1796 * 64))).toEqual(last.slice(0, 64).map((v) => v / 16));
  });

  it('keeps the raw 0..16 pixels with scale: false', () => {
    const raw = digits({ scale: false }).x.toTypedArray();
    expect(Array.from(raw.subarray(0, 64))).toEqual(firstRow.slice(0, 64));
    expect(Math.max(...raw)).toBe(16);
    expect(raw.every((v) => Number.isInteger(v))).toBe(true);
  });

  it('has the label counts of the CSV (those of scikit-learn load_digits)', () => {
    const counts = new Array<number>(10).fill(0);
    for (const v of y.toTypedArray()) counts[v]!++;
    const fromCsv = new Array<number>(10).fill(0);
    for (const l of lines) fromCsv[Number(l.split(',')[64])]!++;
    expect(counts).toEqual(fromCsv);
    expect(counts).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
  });

  it('images views x as [1797, 1, 8, 8], row-major', () => {
    expect(images.shape).toEqual([1797, 1, 8, 8]);
    expect(images.dtype).toBe('float32');
    expect(images.storage).toBe(x.storage);
    const img = images.toArray() as number[][][][];
    const xs = x.toTypedArray();
    expect(img[5]![0]![3]![6]).toBe(xs[5 * 64 + 3 * 8 + 6]);
  });

  it('returns fresh tensors on every call', () => {
    expect(digits().x === x).toBe(false);
    const again = digits().x.toTypedArray();
    const xs = x.toTypedArray();
    expect(again.length).toBe(xs.length);
    expect(again.every((v, i) => v === xs[i])).toBe(true);
  });
});

describe('parseDigitsCsv', () => {
  it('parses the CSV text like digits() (for browsers)', () => {
    const { x, y, images } = parseDigitsCsv(lines.slice(0, 3).join('\r\n') + '\r\n');
    expect(x.shape).toEqual([3, 64]);
    expect(images.shape).toEqual([3, 1, 8, 8]);
    expect(Array.from(x.toTypedArray())).toEqual(Array.from(digits().x.toTypedArray().subarray(0, 3 * 64)));
    expect(Array.from(y.toTypedArray())).toEqual([0, 1, 2]);
  });

  it('refuses malformed lines, naming the line and the field', () => {
    const good = lines[0]!;
    expect(() => parseDigitsCsv('1,2,3')).toThrow(DataError);
    expect(() => parseDigitsCsv(`${good}\n1,2,3`)).toThrow(
      'parseDigitsCsv: line 2: expected 65 comma-separated integers (64 pixels and a label), got 3 fields',
    );
    expect(() => parseDigitsCsv(good.replace(/^0,/, '17,'))).toThrow("parseDigitsCsv: line 1: pixel 0 must be an integer in 0..16, got '17'");
    expect(() => parseDigitsCsv(good.replace(/,0$/, ',10'))).toThrow("parseDigitsCsv: line 1: the label must be an integer in 0..9, got '10'");
    expect(() => parseDigitsCsv(good.replace(/^0,0,/, '0,x,'))).toThrow("line 1: pixel 1 must be an integer in 0..16, got 'x'");
    expect(() => parseDigitsCsv(good.replace(/^0,0,/, '0,,'))).toThrow("line 1: pixel 1 must be an integer in 0..16, got ''");
  });
});
