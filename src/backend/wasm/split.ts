/**
 * Elementwise kernels over several threads: a geometry (views of one shape,
 * collapsed) cut into row ranges of its outermost dim, one range per thread,
 * each with its own pointers and geometry. Every output element is written by
 * exactly one thread with the same arithmetic, so results do not depend on
 * the number of threads.
 */
import type { Geometry } from './geometry.js';

/** One thread's part: its geometry and the byte offset of its first element in each operand. */
export interface Part {
  geometry: Geometry;
  /** Byte offsets, one per operand of the geometry, then one for the contiguous output. */
  offsets: number[];
}

/**
 * Splits `g` into at most `T` parts along its dim 0. `bytes[o]` is the
 * element size of operand `o` (the output's last). A 1-d geometry is cut at
 * multiples of 16 elements (whole SIMD groups, even for byte outputs); an
 * outer dim too small to share gives one part.
 *
 * @example
 * splitRows({ shape: [128, 256], strides: [[256, 1], [0, 1]] }, 2, [4, 4, 4]).length; // 2
 */
export function splitRows(g: Geometry, T: number, bytes: readonly number[]): Part[] {
  const rows = g.shape[0]!;
  const inner = g.shape.length === 1 ? 1 : g.shape.slice(1).reduce((a, b) => a * b, 1);
  const unit = g.shape.length === 1 ? 16 : 1;
  const chunk = Math.ceil(rows / T / unit) * unit;
  const parts: Part[] = [];
  for (let r0 = 0; r0 < rows; r0 += chunk) {
    const count = Math.min(chunk, rows - r0);
    const offsets = g.strides.map((s, o) => r0 * s[0]! * bytes[o]!);
    offsets.push(r0 * inner * bytes[bytes.length - 1]!);
    parts.push({ geometry: { shape: [count, ...g.shape.slice(1)], strides: g.strides }, offsets });
  }
  return parts;
}
