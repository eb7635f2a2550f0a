/**
 * View geometry for the wasm kernels: collapsing dims and writing the
 * geometry blocks the kernels read (layout in assembly/iter.ts).
 */
import { contiguousStrides, sizeOf } from '../shape.js';

/** A shape with the element strides of each operand over it. */
export interface Geometry {
  shape: number[];
  strides: number[][];
}

export { contiguousStrides, sizeOf };

/**
 * The fewest dims that walk every operand in the same order: size-1 dims
 * dropped, neighbours merged where every operand steps through them as one
 * (outer stride = inner stride · inner size). Always at least one dim.
 *
 * @example
 * collapse([2, 3], [[3, 1], [0, 1]]); // { shape: [2, 3], ... } (the broadcast operand blocks the merge)
 * collapse([2, 3], [[3, 1], [3, 1]]); // { shape: [6], strides: [[1], [1]] }
 */
export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): Geometry {
  // Plain loops (no closures): this runs on every wasm kernel call.
  const k = strides.length;
  const outShape: number[] = [];
  const outStrides: number[][] = new Array<number[]>(k);
  for (let o = 0; o < k; o++) outStrides[o] = [];
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = outShape.length - 1;
    let merge = last >= 0;
    for (let o = 0; o < k && merge; o++) merge = outStrides[o]![last] === strides[o]![d]! * n;
    if (merge) {
      outShape[last] = outShape[last]! * n;
      for (let o = 0; o < k; o++) outStrides[o]![last] = strides[o]![d]!;
    } else {
      outShape.push(n);
      for (let o = 0; o < k; o++) outStrides[o]!.push(strides[o]![d]!);
    }
  }
  if (outShape.length === 0) {
    for (let o = 0; o < k; o++) outStrides[o]!.push(0);
    return { shape: [1], strides: outStrides };
  }
  return { shape: outShape, strides: outStrides };
}

/** Words a geometry block of `nd` dims needs (header, strides of 4 operands, scratch). */
export function geoWords(nd: number): number {
  return 1 + nd + 4 * nd + nd + 4;
}

/**
 * Writes a geometry block at word index `at` of `i32` (operands in order;
 * the kernels read at most four).
 */
export function writeGeo(i32: Int32Array, at: number, g: Geometry): void {
  const nd = g.shape.length;
  i32[at] = nd;
  for (let d = 0; d < nd; d++) i32[at + 1 + d] = g.shape[d]!;
  for (let o = 0; o < g.strides.length; o++) {
    const s = g.strides[o]!;
    const base = at + 1 + nd + o * nd;
    for (let d = 0; d < nd; d++) i32[base + d] = s[d]!;
  }
}
