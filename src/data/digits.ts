/**
 * The UCI optical-recognition 8x8 handwritten digits (1,797 images, pixel
 * values 0..16, labels 0..9), shipped as `data/digits/digits.csv.gz` with its
 * citation (see `data/digits/README.md`). In Node `digits()` reads and parses
 * the file; in a browser, fetch the CSV yourself and call `parseDigitsCsv`.
 * No `node:` module is imported at load time, so this module also loads in
 * browsers.
 */
import { reshape } from '../ops/index.js';
import { tensor, type Tensor } from '../tensor/index.js';
import type { LabeledData } from './datasets.js';
import { DataError } from './errors.js';

/** The digits as tensors. */
export interface DigitsData extends LabeledData {
  /** `[n, 64]` float32: pixels row-major, divided by 16 into [0, 1] (raw 0..16 with `scale: false`). */
  readonly x: Tensor;
  /** `[n]` int32 labels 0..9. */
  readonly y: Tensor;
  /** `x` viewed as images `[n, 1, 8, 8]` (one channel), sharing its storage. */
  readonly images: Tensor;
  /** 10. */
  readonly numClasses: number;
}

/** Options of `digits` and `parseDigitsCsv`. */
export interface DigitsOptions {
  /** Divide pixels by 16 so they lie in [0, 1] (default true); false keeps the raw 0..16. */
  scale?: boolean;
}

/** The file's location: `../../data/digits/` from both `src/data/` and the built `dist/data/`. */
const DIGITS_URL = new URL('../../data/digits/digits.csv.gz', import.meta.url);

const PIXELS = 64;

interface RawDigits {
  readonly pixels: Uint8Array;
  readonly labels: Int32Array;
}

let cache: RawDigits | null = null;

function parseRaw(op: string, text: string): RawDigits {
  const pixels: number[] = [];
  const labels: number[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const fields = line.split(',');
    if (fields.length !== PIXELS + 1) {
      throw new DataError(op, `line ${i + 1}: expected ${PIXELS + 1} comma-separated integers (64 pixels and a label), got ${fields.length} fields`);
    }
    fields.forEach((f, j) => {
      const v = Number(f);
      const max = j < PIXELS ? 16 : 9;
      if (f.trim() === '' || !Number.isInteger(v) || v < 0 || v > max) {
        const what = j < PIXELS ? `pixel ${j}` : 'the label';
        throw new DataError(op, `line ${i + 1}: ${what} must be an integer in 0..${max}, got '${f}'`);
      }
      if (j < PIXELS) pixels.push(v);
      else labels.push(v);
    });
  });
  return { pixels: Uint8Array.from(pixels), labels: Int32Array.from(labels) };
}

function toTensors(raw: RawDigits, opts: DigitsOptions): DigitsData {
  const n = raw.labels.length;
  const scale = opts.scale ?? true;
  const values = Float32Array.from(raw.pixels, (v) => (scale ? v / 16 : v));
  const x = tensor(values, { shape: [n, PIXELS] });
  return { x, y: tensor(raw.labels.slice(), { shape: [n] }), images: reshape(x, [n, 1, 8, 8]), numClasses: 10 };
}

/**
 * Parses digits in the shipped CSV format: one image a line, 64 pixels
 * (row-major, integers 0..16) and then the label 0..9, comma-separated, no
 * header; blank lines are skipped. For browsers, which cannot read the
 * gzipped file from disk: fetch it (a server may send it decompressed, or
 * use `DecompressionStream('gzip')`) and pass the text.
 *
 * @example
 * const res = await fetch('/data/digits/digits.csv.gz');
 * const text = await new Response(res.body!.pipeThrough(new DecompressionStream('gzip'))).text();
 * const { x, y, images } = parseDigitsCsv(text); // x [1797, 64] in [0, 1]
 */
export function parseDigitsCsv(text: string, opts: DigitsOptions = {}): DigitsData {
  return toTensors(parseRaw('parseDigitsCsv', text), opts);
}

/** A Node built-in module without a static import (undefined outside Node). */
function nodeModule<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.(id) as T | undefined;
}

function loadRaw(): RawDigits {
  if (cache !== null) return cache;
  const fs = nodeModule<typeof import('node:fs')>('node:fs');
  const zlib = nodeModule<typeof import('node:zlib')>('node:zlib');
  if (fs === undefined || zlib === undefined) {
    throw new DataError('digits', 'reading the digits file needs Node >= 20.16 (process.getBuiltinModule); in a browser fetch data/digits/digits.csv.gz and call parseDigitsCsv');
  }
  let text: string;
  try {
    text = zlib.gunzipSync(fs.readFileSync(DIGITS_URL)).toString('utf8');
  } catch (e) {
    throw new DataError('digits', `cannot read ${DIGITS_URL.pathname}: ${(e as Error).message}`);
  }
  cache = parseRaw('digits', text);
  return cache;
}

/**
 * The 1,797 UCI 8x8 handwritten digits (as in scikit-learn's `load_digits`):
 * `x [1797, 64]` float32 with pixels divided by 16 into [0, 1] (`scale:
 * false` keeps the raw integers 0..16), `y [1797]` int32 labels 0..9, and
 * `images`, `x` viewed as `[1797, 1, 8, 8]` for convolutions. Node only (the
 * file is read once and cached); see `parseDigitsCsv` for browsers.
 *
 * Data: Alpaydin, E. & Kaynak, C. (1998). Optical Recognition of Handwritten
 * Digits. UCI Machine Learning Repository, CC BY 4.0. https://doi.org/10.24432/C50P49
 *
 * @example
 * const { x, y, images } = digits();
 * x.shape;      // [1797, 64]
 * images.shape; // [1797, 1, 8, 8]
 * digits({ scale: false }).x.max().item(); // 16
 */
export function digits(opts: DigitsOptions = {}): DigitsData {
  return toTensors(loadRaw(), opts);
}
