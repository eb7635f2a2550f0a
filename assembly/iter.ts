// Strided N-d iteration shared by the elementwise, copy and reduction kernels.
//
// A geometry block `geo` (i32 words, written by the JS side) describes views
// of one shape with up to four operands:
//   geo[0] = nd (≥ 1), geo[1..nd] = shape,
//   geo[1 + nd + o·nd + d] = stride (in elements) of operand o along dim d.
// Past the strides, the kernel uses 2·nd + 4 words of scratch (row counters
// and the current element offset of each operand); the JS side reserves them.
//
// Kernels walk the view as rows: all dims but the last are iterated here, the
// last dim (the row) is handled by the kernel's own loop, usually SIMD when
// its strides are 0 or 1.

export const MAX_OPERANDS: i32 = 4;

@inline export function ndOf(geo: usize): i32 {
  return load<i32>(geo);
}

@inline export function dimOf(geo: usize, d: i32): i32 {
  return load<i32>(geo + 4 + (<usize>d << 2));
}

@inline export function strideOf(geo: usize, o: i32, d: i32): i32 {
  const nd = load<i32>(geo);
  return load<i32>(geo + 4 + (<usize>(nd + o * nd + d) << 2));
}

/** Number of rows (product of all dims but the last). */
export function rowsOf(geo: usize): i32 {
  const nd = ndOf(geo);
  let r = 1;
  for (let d = 0; d < nd - 1; d++) r *= dimOf(geo, d);
  return r;
}

/** The scratch area: counters [nd], then offsets [MAX_OPERANDS]. */
@inline function ctrBase(geo: usize): usize {
  const nd = load<i32>(geo);
  return geo + 4 + (<usize>(nd + MAX_OPERANDS * nd) << 2);
}

@inline function offBase(geo: usize): usize {
  return ctrBase(geo) + (<usize>load<i32>(geo) << 2);
}

/** Resets the row counters and sets each operand's offset to 0. */
export function iterStart(geo: usize, nops: i32): void {
  const nd = ndOf(geo);
  const ctr = ctrBase(geo);
  for (let d = 0; d < nd; d++) store<i32>(ctr + (<usize>d << 2), 0);
  const off = offBase(geo);
  for (let o = 0; o < nops; o++) store<i32>(off + (<usize>o << 2), 0);
}

/** Element offset of operand `o` at the current row. */
@inline export function rowOffset(geo: usize, o: i32): i32 {
  return load<i32>(offBase(geo) + (<usize>o << 2));
}

/** Advances to the next row (odometer over dims nd-2 … 0). */
export function iterNext(geo: usize, nops: i32): void {
  const nd = ndOf(geo);
  const ctr = ctrBase(geo);
  const off = offBase(geo);
  for (let d = nd - 2; d >= 0; d--) {
    const cp = ctr + (<usize>d << 2);
    const c = load<i32>(cp) + 1;
    const n = dimOf(geo, d);
    if (c < n) {
      store<i32>(cp, c);
      for (let o = 0; o < nops; o++) {
        const op = off + (<usize>o << 2);
        store<i32>(op, load<i32>(op) + strideOf(geo, o, d));
      }
      return;
    }
    store<i32>(cp, 0);
    for (let o = 0; o < nops; o++) {
      const op = off + (<usize>o << 2);
      store<i32>(op, load<i32>(op) - strideOf(geo, o, d) * (n - 1));
    }
  }
}
