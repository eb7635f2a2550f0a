/**
 * The stable sorting permutation along one dim: a bitonic sort of every row
 * at once, padded to a power of two, over a contiguous input seen as
 * `[outer, n, inner]`. Keys carry their position, and equal keys order by
 * it, so the network (not stable by itself) yields the stable order; NaN
 * sorts above every number, padding after everything. One dispatch per
 * network stage (log₂P·(log₂P+1)/2 of them), every stage a thread per slot.
 */
import type { DType } from '../../types.js';
import { dispatch } from '../encoder.js';
import { newStorage, type GpuBox } from '../memory.js';
import { ENTRY_ARGS, MATH, flatIndex, paramsDecl, shaderCache, wgslType } from '../wgsl.js';
import type { Around, Flat } from './scan.js';
import { Params, grid } from './strided.js';

const WG = 256;
const cached = shaderCache();

/** The key type a dtype sorts as. */
const keyType = (d: DType): 'f32' | 'i32' => (d === 'float32' ? 'f32' : 'i32');

/** Loads the rows into the padded key/position buffers. Params: 0 rows·P, 1 P, 2 n, 3 inner, 4 offset. */
function loadCode(d: DType): string {
  const k = keyType(d);
  return `@group(0) @binding(0) var<storage, read_write> keys: array<${k}>;
@group(0) @binding(1) var<storage, read_write> pos: array<u32>;
@group(0) @binding(2) var<storage, read> x: array<${wgslType(d)}>;
${paramsDecl(3)}
@compute @workgroup_size(${WG})
fn main(${ENTRY_ARGS}) {
  let i = ${flatIndex(WG)};
  if (i >= pu(0u)) { return; }
  let P = pu(1u);
  let n = pu(2u);
  let inner = pu(3u);
  let row = i / P;
  let t = i % P;
  if (t >= n) { keys[i] = ${k}(0); pos[i] = n; return; }
  keys[i] = ${k}(x[pu(4u) + ((row / inner) * n + t) * inner + row % inner]);
  pos[i] = t;
}`;
}

/** One compare-exchange stage. Params: 0 rows·P, 1 P, 2 n, 5 j, 6 k, 7 descending. */
function stageCode(d: DType): string {
  const k = keyType(d);
  const nanTest = k === 'f32' ? 'isnan_' : 'no_nan';
  return `@group(0) @binding(0) var<storage, read_write> keys: array<${k}>;
@group(0) @binding(1) var<storage, read_write> pos: array<u32>;
${paramsDecl(2)}
${MATH}
fn no_nan(v: i32) -> bool { return false; }
// Whether (ka, ia) comes before (kb, ib) in the sorted row.
fn before(ka: ${k}, ia: u32, kb: ${k}, ib: u32) -> bool {
  let n = pu(2u);
  let pa = ia >= n;
  let pb = ib >= n;
  if (pa || pb) { return !pa && pb; }
  let na = ${nanTest}(ka);
  let nb = ${nanTest}(kb);
  let desc = pu(7u) != 0u;
  if (na || nb) {
    if (na && nb) { return ia < ib; }
    return select(nb, na, desc);
  }
  if (ka != kb) { return select((ka < kb), (ka > kb), desc); }
  return ia < ib;
}
@compute @workgroup_size(${WG})
fn main(${ENTRY_ARGS}) {
  let i = ${flatIndex(WG)};
  if (i >= pu(0u)) { return; }
  let P = pu(1u);
  let j = pu(5u);
  let t = i % P;
  let l = t ^ j;
  if (l <= t) { return; }
  let a = i;
  let b = i - t + l;
  let up = (t & pu(6u)) == 0u;
  let ka = keys[a]; let ia = pos[a];
  let kb = keys[b]; let ib = pos[b];
  let swap = select(before(ka, ia, kb, ib), before(kb, ib, ka, ia), up);
  if (swap) {
    keys[a] = kb; pos[a] = ib;
    keys[b] = ka; pos[b] = ia;
  }
}`;
}

/** Writes the first n positions of each row as int32 into the output's layout. Params: 0 rows·n, 1 P, 2 n, 3 inner. */
const STORE = `@group(0) @binding(0) var<storage, read_write> out: array<i32>;
@group(0) @binding(1) var<storage, read> pos: array<u32>;
${paramsDecl(2)}
@compute @workgroup_size(${WG})
fn main(${ENTRY_ARGS}) {
  let i = ${flatIndex(WG)};
  if (i >= pu(0u)) { return; }
  let P = pu(1u);
  let n = pu(2u);
  let inner = pu(3u);
  let row = i / n;
  let t = i % n;
  out[((row / inner) * n + t) * inner + row % inner] = i32(pos[row * P + t]);
}`;

/** The stable sorting permutation of the contiguous `x` (`[outer, n, inner]`) along n, as int32 into `out`. */
export function sortInto(x: Flat, g: Around, descending: boolean, out: GpuBox): void {
  const rows = g.outer * g.inner;
  if (rows === 0 || g.n === 0) return;
  let P = 1;
  while (P < g.n) P *= 2;
  const keyDtype: DType = x.dtype === 'float32' ? 'float32' : 'int32';
  const keys = newStorage('sort', keyDtype, rows * P).storage;
  const pos = newStorage('sort', 'int32', rows * P).storage;
  const base = (): Params => {
    const p = new Params();
    p.u[0] = rows * P;
    p.u[1] = P;
    p.u[2] = g.n;
    p.u[3] = g.inner;
    return p;
  };
  const load = base();
  load.u[4] = x.offset;
  const lk = `sort.load:${x.dtype}`;
  dispatch({
    name: 'sort.load', key: lk, code: cached(lk, () => loadCode(x.dtype)), boxes: [keys.box, pos.box, x.box], writes: [true, true, false],
    params: load.buffer, workgroups: grid(rows * P, WG),
  });
  const sk = `sort.stage:${keyDtype}`;
  const stage = cached(sk, () => stageCode(keyDtype));
  for (let k = 2; k <= P; k *= 2) {
    for (let j = k / 2; j >= 1; j /= 2) {
      const p = base();
      p.u[5] = j;
      p.u[6] = k;
      p.u[7] = descending ? 1 : 0;
      dispatch({ name: 'sort.stage', key: sk, code: stage, boxes: [keys.box, pos.box], writes: [true, true], params: p.buffer, workgroups: grid(rows * P, WG) });
    }
  }
  const st = base();
  st.u[0] = rows * g.n;
  dispatch({ name: 'sort.store', key: 'sort.store', code: STORE, boxes: [out, pos.box], writes: [true, false], params: st.buffer, workgroups: grid(rows * g.n, WG) });
}
