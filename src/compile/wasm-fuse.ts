/**
 * A fused group on the wasm backend as a generated wasm kernel
 * (`backend/wasm/fused.ts`) rather than a generated JS loop, when every
 * input is contiguous, a scalar or a row broadcast over the leading dims (a
 * bias, its length a multiple of the SIMD lanes), every op has a generated
 * form and the group is big enough for a wasm call to pay (`WASM_FUSED_MIN`
 * elements).
 */
import type { Storage, TypedArray } from '../backend/index.js';
import { canFuseOnWasm, wasmFusedKernel, type WasmFusedArg } from '../backend/wasm/fused.js';
import type { Ref } from './program.js';

/**
 * Fewest elements for a generated wasm kernel: below it the JS loop is as
 * fast (the call and its argument marshalling cost ~1 µs). Tests lower it
 * (`setWasmFusedMin`) to push the golden registry's small shapes through it.
 */
let WASM_FUSED_MIN = 512;

/** The current `WASM_FUSED_MIN`. @example wasmFusedMin(); // 512 */
export function wasmFusedMin(): number {
  return WASM_FUSED_MIN;
}

/** Sets `WASM_FUSED_MIN` (tests); returns the previous value. @example const old = setWasmFusedMin(0); */
export function setWasmFusedMin(n: number): number {
  const old = WASM_FUSED_MIN;
  WASM_FUSED_MIN = n;
  return old;
}

/**
 * The period of an input broadcast over the leading dims of `shape` (a bias
 * row): the elements of the trailing dims it walks row-major, when its
 * strides are 0 before them; null for any other layout (0 for none).
 *
 * @example
 * periodOf([37, 3, 4], [0, 4, 1]); // 12
 */
export function periodOf(shape: readonly number[], strides: readonly number[]): number | null {
  for (let d0 = 0; d0 < shape.length; d0++) {
    let ok = true;
    let p = 1;
    for (let d = shape.length - 1; d >= d0 && ok; d--) {
      if (shape[d] !== 1 && strides[d] !== p) ok = false;
      p *= shape[d]!;
    }
    for (let d = 0; d < d0 && ok; d++) if (shape[d] !== 1 && strides[d] !== 0) ok = false;
    if (ok) return p;
  }
  return null;
}

/** The group as `fuse.ts` lays it out for its JS loop. */
export interface WasmGroup {
  readonly dtype: 'float32' | 'float64';
  readonly n: number;
  /** Inputs (deduplicated views) and how each is read. */
  readonly inputs: readonly Ref[];
  readonly kinds: readonly ('scalar' | 'contiguous' | 'strided')[];
  /** Each input's strides over the group's `shape` (0 on broadcast dims). */
  readonly strides: readonly (readonly number[])[];
  readonly shape: readonly number[];
  /** Members in order: the primitive, its operands (an input's index, or an earlier member's), the slot it makes. */
  readonly members: readonly { readonly prim: string; readonly args: readonly WasmFusedArg[]; readonly out: number }[];
  /** Output slots in order, and the element offset each is written at (-1: a new buffer). */
  readonly outs: readonly number[];
  readonly at: readonly number[];
  /** The index in `outs` of the sum ending the group and the member it sums, or null. */
  readonly reduce: { readonly out: number; readonly member: number } | null;
}

/**
 * The run function of the generated kernel for `g`, or null (the JS loop
 * stays). At run time, storages of another backend fall back to `loop`.
 */
export function wasmFusedRun(
  g: WasmGroup,
  loop: (o: readonly Storage[], i: readonly Storage[]) => void,
): ((o: readonly Storage[], i: readonly Storage[]) => void) | null {
  const lanes = g.dtype === 'float32' ? 4 : 2;
  const periods = g.inputs.map((_r, k) => (g.kinds[k] === 'strided' ? periodOf(g.shape, g.strides[k]!) : 0));
  if (g.n < WASM_FUSED_MIN || periods.some((q) => q === null || q % lanes !== 0) || !g.members.every((m) => canFuseOnWasm(m.prim, g.dtype))) return null;
  const value = new Map<number, number>(g.members.map((m, j) => [m.out, j]));
  const outputs: { value: number; offset: number }[] = [];
  const written: number[] = [];
  g.outs.forEach((slot, k) => {
    if (g.reduce !== null && k === g.reduce.out) return;
    outputs.push({ value: value.get(slot)!, offset: Math.max(0, g.at[k]!) });
    written.push(k);
  });
  const kernel = wasmFusedKernel({
    dtype: g.dtype,
    n: g.n,
    inputs: g.inputs.map((r, k) => ({ scalar: g.kinds[k] === 'scalar', offset: r.offset, period: periods[k]! })),
    ops: g.members.map((m) => ({ op: m.prim, args: m.args })),
    outputs,
    sum: g.reduce === null ? null : g.reduce.member,
  });
  if (kernel === null) return null;
  const O = new Array<Storage>(written.length);
  const round = g.dtype === 'float32' ? Math.fround : (x: number): number => x;
  return (o, i) => {
    if (!o.every((s) => s.backend === 'wasm') || !i.every((s) => s.backend === 'wasm')) {
      loop(o, i);
      return;
    }
    for (let k = 0; k < written.length; k++) O[k] = o[written[k]!]!;
    const acc = kernel.run(O, i);
    if (g.reduce !== null) (o[g.reduce.out] as unknown as { data: TypedArray }).data[0] = round(acc);
  };
}
