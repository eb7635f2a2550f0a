/**
 * The matrix product of the `webgpu` backend: a planner that turns a strided,
 * batched product `out[...batch, n, m] = a[...batch, n, k] · b[...batch, k, m]`
 * into WGSL plus the bytes of its uniform block.
 *
 * One kernel template, instantiated per tiling × operand layout × type (so the
 * number of distinct shaders stays small; shapes, strides and offsets are data):
 * - a workgroup owns a `bm × bn` output tile and walks k in steps of `bk`; each
 *   step stages `a[bm × bk]` and `b[bk × bn]` in workgroup memory, k-major, as
 *   `vec4` rows, double-buffered (the next step's global loads are in flight
 *   while the current one is multiplied, one barrier per step);
 * - each thread holds a `tm × tn` register block (8×8 in the big tiles) and per
 *   k reads `tm/4 + tn/4` vec4s of workgroup memory for `tm·tn` FMAs; its rows
 *   and columns are vec4 groups a tile fraction apart, so a warp reads
 *   consecutive vec4s (no bank conflicts);
 * - global loads are coalesced along whichever dim of the operand is the
 *   contiguous one (the layout part of the key); when that is k, the tile is
 *   transposed on its way into workgroup memory, and an XOR swizzle of the vec4
 *   index by k keeps those stores free of bank conflicts;
 * - the skinny and small tilings split k inside the workgroup (`ks` slices of
 *   threads each take a part of every staged step) and add the slices up in
 *   workgroup memory at the end, so a product with m or n of 1..32 and a long
 *   k (`xᵀ·g` of backprop, a matrix-vector product) still keeps 256 threads busy
 *   on a thin tile;
 * - tiles are numbered flat (batch, then row tiles in groups of 8, then column
 *   tiles, for L2 reuse) over a 2-D grid; a workgroup loops over tile numbers
 *   when there are more than 65535² tiles. Batch dims are collapsed where both
 *   operands allow it (at most 8 remain) and decomposed in the kernel.
 */
import { DTypeError, RangeArgError, ShapeError, fmtShape } from '../../errors.js';
import { shaderCache } from './wgsl.js';

/** One operand of a product, in element units (broadcast batch dims have stride 0). */
export interface MatmulOperand { offset: number; batchStrides: readonly number[]; rowStride: number; colStride: number }
/** `a` is `[...batch, n, k]`, `b` is `[...batch, k, m]`; the output is contiguous `[...batch, n, m]`. */
export interface MatmulShape { batch: readonly number[]; n: number; k: number; m: number; a: MatmulOperand; b: MatmulOperand; type: 'f32' | 'i32' }
/** WGSL (`a`, `b`, `out`, `p` at bindings 0..3, entry `main`), its uniform bytes and grid; `key` names the code. */
export interface MatmulPlan { key: string; code: string; workgroups: [number, number, number]; params: ArrayBuffer }
/** What the device allows: the `subgroups` feature, workgroup storage bytes, invocations per workgroup. */
export interface MatmulCaps { subgroups: boolean; maxWorkgroupStorage: number; maxInvocations: number }

/**
 * A tiling: output tile `bm × bn`, k step `bk`, register block `tm × tn` per
 * thread, `ks` slices of threads splitting each k step. Threads per workgroup:
 * `(bm/tm)·(bn/tn)·ks`.
 */
export interface Tiling { readonly name: string; readonly bm: number; readonly bn: number; readonly bk: number; readonly tm: number; readonly tn: number; readonly ks: number }

const tiling = (name: string, bm: number, bn: number, bk: number, tm: number, tn: number, ks: number): Tiling =>
  ({ name, bm, bn, bk, tm, tn, ks });

/** Every tiling `planMatmul` can choose, by name. */
export const TILINGS = {
  /** Large products: 128×128 tiles, 8×8 per thread, 256 threads. */
  t128x128: tiling('t128x128', 128, 128, 8, 8, 8, 1),
  /** Mid-size products with more rows than columns (and too few 128×128 tiles to fill the GPU). */
  t128x64: tiling('t128x64', 128, 64, 8, 8, 4, 1),
  /** Mid-size products with more columns than rows. */
  t64x128: tiling('t64x128', 64, 128, 8, 4, 8, 1),
  /** Smaller products: 64×64 tiles, 4×4 per thread. */
  t64x64: tiling('t64x64', 64, 64, 16, 4, 4, 1),
  /** Small matrices: 32×32 tiles, k split over 4 slices of 64 threads. */
  t32x32: tiling('t32x32', 32, 32, 16, 4, 4, 4),
  /** m of 5..32: tall 64×16 tiles, k split over 4 slices. */
  r64x16: tiling('r64x16', 64, 16, 16, 4, 4, 4),
  /** n of 5..32: wide 16×64 tiles, k split over 4 slices. */
  c16x64: tiling('c16x64', 16, 64, 16, 4, 4, 4),
  /** m of 1..4 (matrix × vector): 16×4 tiles, k split over 64 slices. */
  v16x4: tiling('v16x4', 16, 4, 64, 4, 4, 64),
  /** n of 1..4 (vector × matrix): 4×16 tiles, k split over 64 slices. */
  h4x16: tiling('h4x16', 4, 16, 64, 4, 4, 64),
  /** The fallback for devices below WebGPU's default limits (64 threads, 4 KiB). */
  f32x32: tiling('f32x32', 32, 32, 8, 4, 4, 1),
} as const satisfies Record<string, Tiling>;

/** Derived sizes of a tiling (threads, loads per thread, workgroup memory in vec4s). */
function geometry(t: Tiling) {
  const tx = t.bn / t.tn, ty = t.bm / t.tm, slice = tx * ty, threads = slice * t.ks;
  const qa = t.bm / 4, qb = t.bn / 4;
  const tiles = 2 * t.bk * (qa + qb);
  const reduce = (t.ks - 1) * slice * (t.tm * t.tn / 4);
  return { tx, ty, slice, threads, qa, qb, la: (t.bm * t.bk) / threads, lb: (t.bk * t.bn) / threads, bks: t.bk / t.ks, vec4s: Math.max(tiles, reduce) };
}

/**
 * Bytes of workgroup memory a tiling uses (its two k-step buffers, or the
 * k-slice partial sums when those are larger).
 *
 * @example
 * tilingStorage(TILINGS.t128x128); // 16384
 */
export function tilingStorage(t: Tiling): number {
  return geometry(t).vec4s * 16;
}

const MAX_BATCH_DIMS = 8;
const MAX_GRID = 65535;
const PARAM_BYTES = 160;
/** Workgroups that count as "enough to fill the GPU" when choosing between tile sizes. */
const FILL = 128;

/**
 * Plans `out[...batch, n, m] = a[...batch, n, k] · b[...batch, k, m]` on the
 * `webgpu` backend: chooses a tiling by shape and layout, generates (or names)
 * its WGSL and packs the shape, strides and offsets into the uniform bytes.
 *
 * @example
 * const plan = planMatmul(
 *   { batch: [], n: 4, k: 3, m: 2, type: 'f32',
 *     a: { offset: 0, batchStrides: [], rowStride: 3, colStride: 1 },
 *     b: { offset: 0, batchStrides: [], rowStride: 2, colStride: 1 } },
 *   { subgroups: false, maxWorkgroupStorage: 16384, maxInvocations: 256 });
 * // device.createShaderModule({ code: plan.code }) ... pass.dispatchWorkgroups(...plan.workgroups)
 */
export function planMatmul(s: MatmulShape, caps: MatmulCaps): MatmulPlan {
  validate(s);
  const total = collapseBatch(s).sizes.reduce((x, y) => x * y, 1);
  return planMatmulWith(s, chooseTiling(s.n, s.m, total, caps));
}

/**
 * `planMatmul` with the tiling given instead of chosen (for tests and
 * benchmarks of one tiling; the caller checks that it fits the device).
 *
 * @example
 * const plan = planMatmulWith(shape, TILINGS.t64x64);
 */
export function planMatmulWith(s: MatmulShape, t: Tiling): MatmulPlan {
  validate(s);
  const batch = collapseBatch(s);
  const total = batch.sizes.reduce((x, y) => x * y, 1);
  // Load each tile along the operand's contiguous dim (k ≤ 1: either; the common row-major key).
  const aK = s.k <= 1 || s.n <= 1 || s.a.colStride <= s.a.rowStride;
  const bK = s.k > 1 && (s.m <= 1 || s.b.rowStride < s.b.colStride);
  const key = `matmul_${t.name}_${aK ? 'ak' : 'an'}${bK ? 'bk' : 'bm'}_${s.type}`;
  const tilesR = Math.ceil(s.n / t.bm), tilesC = Math.ceil(s.m / t.bn);
  const tiles = tilesR * tilesC * total;
  if (tiles > 0xffffffff) throw new RangeArgError('matmul', `${tiles} output tiles do not fit the kernel's u32 tile numbers`);
  const params = new ArrayBuffer(PARAM_BYTES);
  const u = new Uint32Array(params);
  u.set([s.n, s.k, s.m, batch.sizes.length], 0);
  u.set([s.a.offset, s.a.rowStride, s.a.colStride, 0], 4);
  u.set([s.b.offset, s.b.rowStride, s.b.colStride, 0], 8);
  u.set([tilesR, tilesC, tiles, 0], 12);
  u.set(batch.sizes, 16);
  u.set(batch.a, 24);
  u.set(batch.b, 32);
  let workgroups: [number, number, number] = [0, 1, 1];
  if (tiles > 0) {
    const x = Math.min(tiles, MAX_GRID);
    workgroups = [x, Math.min(Math.ceil(tiles / x), MAX_GRID), 1];
  }
  return { key, code: matmulCode(t, aK, bK, s.type), workgroups, params };
}

/**
 * The tiling `planMatmul` uses for an `[n, k] · [k, m]` product over `batch`
 * matrices on a device with `caps`: thin tiles with k split inside the
 * workgroup when m or n is at most 32, else the largest square-ish tile that
 * still gives about a GPU's worth of workgroups.
 *
 * @example
 * chooseTiling(4096, 4096, 1, { subgroups: false, maxWorkgroupStorage: 16384, maxInvocations: 256 }).name; // 't128x128'
 */
export function chooseTiling(n: number, m: number, batch: number, caps: MatmulCaps): Tiling {
  const count = (t: Tiling) => Math.ceil(n / t.bm) * Math.ceil(m / t.bn) * batch;
  let t: Tiling;
  if (Math.min(n, m) <= 4) t = m <= n ? TILINGS.v16x4 : TILINGS.h4x16;
  else if (Math.min(n, m) <= 32) t = m <= n ? TILINGS.r64x16 : TILINGS.c16x64;
  else if (count(TILINGS.t128x128) >= FILL) t = TILINGS.t128x128;
  else if (count(TILINGS.t128x64) >= FILL) t = n >= m ? TILINGS.t128x64 : TILINGS.t64x128;
  else if (count(TILINGS.t64x64) >= FILL / 2) t = TILINGS.t64x64;
  else t = TILINGS.t32x32;
  if (fits(t, caps)) return t;
  if (fits(TILINGS.f32x32, caps)) return TILINGS.f32x32;
  throw new RangeArgError('matmul', `the device allows ${caps.maxInvocations} invocations and ${caps.maxWorkgroupStorage} bytes of workgroup storage; expected at least 64 and ${tilingStorage(TILINGS.f32x32)} (WebGPU's defaults are 256 and 16384)`);
}

function fits(t: Tiling, caps: MatmulCaps): boolean {
  return geometry(t).threads <= caps.maxInvocations && tilingStorage(t) <= caps.maxWorkgroupStorage;
}

function validate(s: MatmulShape): void {
  if (s.type !== 'f32' && s.type !== 'i32') throw new DTypeError('matmul', `type is '${String(s.type)}'; expected 'f32' or 'i32'`);
  const nat = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeArgError('matmul', `${name} is ${v}; expected an integer in [0, 2^32)`);
  };
  nat('n', s.n); nat('k', s.k); nat('m', s.m);
  s.batch.forEach((d, i) => nat(`batch[${i}]`, d));
  for (const [name, op] of [['a', s.a], ['b', s.b]] as const) {
    if (op.batchStrides.length !== s.batch.length) {
      throw new ShapeError('matmul', `${name} has ${op.batchStrides.length} batch strides for batch ${fmtShape(s.batch)}; expected ${s.batch.length}`);
    }
    nat(`${name}.offset`, op.offset); nat(`${name}.rowStride`, op.rowStride); nat(`${name}.colStride`, op.colStride);
    op.batchStrides.forEach((d, i) => nat(`${name}.batchStrides[${i}]`, d));
    const [rows, cols] = name === 'a' ? [s.n, s.k] : [s.k, s.m];
    if (rows === 0 || cols === 0 || s.batch.includes(0)) continue;
    const last = op.offset + op.batchStrides.reduce((acc, st, i) => acc + st * (s.batch[i]! - 1), 0) + (rows - 1) * op.rowStride + (cols - 1) * op.colStride;
    if (last > 0xffffffff) throw new RangeArgError('matmul', `${name} reaches element ${last}; the kernel indexes with u32 (at most 2^32 - 1)`);
  }
  const outLength = s.batch.reduce((x, y) => x * y, 1) * s.n * s.m;
  if (outLength > 0xffffffff) throw new RangeArgError('matmul', `the output has ${outLength} elements; the kernel indexes with u32 (at most 2^32 - 1)`);
}

/** Drops size-1 batch dims and merges neighbours that both operands (and the contiguous output) step through evenly. */
function collapseBatch(s: MatmulShape): { sizes: number[]; a: number[]; b: number[] } {
  const sizes: number[] = [], a: number[] = [], b: number[] = [];
  s.batch.forEach((size, i) => {
    if (size === 1) return;
    const sa = s.a.batchStrides[i]!, sb = s.b.batchStrides[i]!;
    const j = sizes.length - 1;
    if (j >= 0 && a[j] === sa * size && b[j] === sb * size) {
      sizes[j]! *= size; a[j] = sa; b[j] = sb;
    } else {
      sizes.push(size); a.push(sa); b.push(sb);
    }
  });
  if (sizes.length > MAX_BATCH_DIMS) {
    throw new ShapeError('matmul', `batch ${fmtShape(s.batch)} has ${sizes.length} dims that cannot be merged; at most ${MAX_BATCH_DIMS} are supported`);
  }
  return { sizes, a, b };
}

const cached = shaderCache();

/**
 * The WGSL of one tiling for one operand layout (`aK`: a's tile is loaded
 * along k, else along its rows; `bK`: b's tile along k, else along its
 * columns) and element type.
 *
 * @example
 * const code = matmulCode(TILINGS.t64x64, true, false, 'f32'); // a row-major, b row-major
 */
export function matmulCode(t: Tiling, aK: boolean, bK: boolean, type: 'f32' | 'i32'): string {
  return cached(`${t.name}/${aK}/${bK}/${type}`, () => generate(t, aK, bK, type));
}

function generate(t: Tiling, aK: boolean, bK: boolean, T: 'f32' | 'i32'): string {
  const g = geometry(t);
  const { tx: TX, ty: TY, slice: S, threads: NT, qa: QA, qb: QB, la: LA, lb: LB, bks: BKS } = g;
  const BK = t.bk, GA = t.tm / 4, GB = t.tn / 4;
  const mA = aK ? Math.min(8, QA) - 1 : 0, mB = bK ? Math.min(8, QB) - 1 : 0;
  const A_BUF = BK * QA, B_BUF = BK * QB, B_BASE = 2 * A_BUF;
  const V = `vec4<${T}>`, zero = T === 'f32' ? '0.0' : '0i';
  const L: string[] = [];
  const e = (s: string) => L.push(s);
  const lanes = 'xyzw';

  e(`// adjoint matmul ${t.name}: tile ${t.bm}x${t.bn}, k step ${BK}, ${t.tm}x${t.tn} per thread, ${t.ks} k slice(s); a along ${aK ? 'k' : 'rows'}, b along ${bK ? 'k' : 'columns'}; ${T}`);
  e('struct Params {');
  e('  shape: vec4<u32>, // n, k, m, batch dims');
  e('  aop: vec4<u32>,   // a: offset, row stride, column stride');
  e('  bop: vec4<u32>,   // b: offset, row stride, column stride');
  e('  grid: vec4<u32>,  // row tiles, column tiles, all tiles');
  e('  bsize: array<vec4<u32>, 2>,');
  e('  astr: array<vec4<u32>, 2>,');
  e('  bstr: array<vec4<u32>, 2>,');
  e('}');
  e(`@group(0) @binding(0) var<storage, read> a: array<${T}>;`);
  e(`@group(0) @binding(1) var<storage, read> b: array<${T}>;`);
  e(`@group(0) @binding(2) var<storage, read_write> out: array<${T}>;`);
  e('@group(0) @binding(3) var<uniform> p: Params;');
  e(`var<workgroup> sm: array<${V}, ${g.vec4s}>;`);
  e('');
  e(`@compute @workgroup_size(${NT})`);
  e('fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {');
  e('  let n = p.shape.x; let K = p.shape.y; let m = p.shape.z; let nb = p.shape.w;');
  e('  let ars = p.aop.y; let acs = p.aop.z; let brs = p.bop.y; let bcs = p.bop.z;');
  e('  let tilesR = p.grid.x; let tilesC = p.grid.y; let tiles = p.grid.z;');
  e(`  let tx = lid % ${TX}u; let ty = (lid / ${TX}u) % ${TY}u;`);
  if (t.ks > 1) e(`  let kz = lid / ${S}u; let ls = lid % ${S}u;`);
  e(`  let nk = (K + ${BK - 1}u) / ${BK}u;`);
  // Per-thread load coordinates inside a tile, fixed for the whole kernel: load i of a is at row
  // aR + i·dra, k aQ + i·dka (one of the steps is 0); b likewise with columns.
  const dra = aK ? NT / BK : 0, dka = aK ? 0 : NT / t.bm, dcb = bK ? NT / BK : 0, dkb = bK ? 0 : NT / t.bn;
  if (!Number.isInteger(dra + dka + dcb + dkb) || dra % 4 !== 0 || dcb % 4 !== 0) throw new RangeArgError('matmul', `tiling ${t.name} does not divide into whole loads`);
  e(aK ? `  let aR = lid / ${BK}u; let aQ = lid % ${BK}u; let aH = aR >> 2u; let aX = aQ & ${mA}u; let aS = aQ * ${QA}u;`
    : `  let aR = lid % ${t.bm}u; let aQ = lid / ${t.bm}u; let aS = aQ * ${QA}u + (aR >> 2u);`);
  e(bK ? `  let bC = lid / ${BK}u; let bQ = lid % ${BK}u; let bH = bC >> 2u; let bX = bQ & ${mB}u; let bS = bQ * ${QB}u;`
    : `  let bC = lid % ${t.bn}u; let bQ = lid / ${t.bn}u; let bS = bQ * ${QB}u + (bC >> 2u);`);
  e('  let aL = aR & 3u; let bL = bC & 3u;');
  const aSm = (i: number) => (aK ? `aS + ((aH + ${(i * dra) / 4}u) ^ aX)` : `aS + ${i * dka * QA}u`);
  const bSm = (i: number) => (bK ? `bS + ((bH + ${(i * dcb) / 4}u) ^ bX)` : `bS + ${i * dkb * QB}u`);
  e('  let perBatch = tilesR * tilesC;');
  e('  for (var f = wid.x + wid.y * nwg.x; f < tiles; f += nwg.x * nwg.y) {');
  // Tile number -> batch, row tile, column tile (row tiles in groups of 8 for L2 reuse).
  e('    let bi = f / perBatch; let r = f - bi * perBatch;');
  e('    let grp = r / (8u * tilesC); let first = grp * 8u; let gsz = min(tilesR - first, 8u);');
  e('    let w = r - grp * 8u * tilesC;');
  e(`    let row0 = (first + w % gsz) * ${t.bm}u; let col0 = (w / gsz) * ${t.bn}u;`);
  e('    var aBase = p.aop.x; var bBase = p.bop.x; var rest = bi;');
  e('    for (var d = nb; d > 0u; d--) {');
  e('      let size = p.bsize[(d - 1u) >> 2u][(d - 1u) & 3u]; let at = rest % size; rest = rest / size;');
  e('      aBase += at * p.astr[(d - 1u) >> 2u][(d - 1u) & 3u]; bBase += at * p.bstr[(d - 1u) >> 2u][(d - 1u) & 3u];');
  e('    }');
  e('    let aP = aBase + (row0 + aR) * ars; let bP = bBase + (col0 + bC) * bcs;');
  for (let i = 0; i < t.tm; i++) for (let j = 0; j < GB; j++) e(`    var c${i}_${j} = ${V}();`);
  for (let i = 0; i < LA; i++) e(`    var ra${i}: ${T} = ${zero};`);
  for (let i = 0; i < LB; i++) e(`    var rb${i}: ${T} = ${zero};`);
  const load = (indent: string, k0: string) => {
    e(`${indent}let ka = ${k0} + aQ; let kb = ${k0} + bQ;`);
    for (let i = 0; i < LA; i++) {
      const ok = `row0 + aR + ${i * dra}u < n && ka + ${i * dka}u < K`;
      e(`${indent}ra${i} = ${zero}; if (${ok}) { ra${i} = a[aP + ${i * dra}u * ars + (ka + ${i * dka}u) * acs]; }`);
    }
    for (let i = 0; i < LB; i++) {
      const ok = `col0 + bC + ${i * dcb}u < m && kb + ${i * dkb}u < K`;
      e(`${indent}rb${i} = ${zero}; if (${ok}) { rb${i} = b[bP + ${i * dcb}u * bcs + (kb + ${i * dkb}u) * brs]; }`);
    }
  };
  const store = (indent: string, buf: string) => {
    for (let i = 0; i < LA; i++) e(`${indent}sm[${buf} * ${A_BUF}u + ${aSm(i)}][aL] = ra${i};`);
    for (let i = 0; i < LB; i++) e(`${indent}sm[${B_BASE}u + ${buf} * ${B_BUF}u + ${bSm(i)}][bL] = rb${i};`);
  };
  e('    {');
  load('      ', '0u');
  e('    }');
  store('    ', '0u');
  e('    workgroupBarrier();');
  e('    for (var s = 0u; s < nk; s++) {');
  e('      let cur = s & 1u;');
  e('      let next = s + 1u < nk;');
  e('      if (next) {');
  load('        ', `(s + 1u) * ${BK}u`);
  e('      }');
  e(`      let ao = cur * ${A_BUF}u; let bo = ${B_BASE}u + cur * ${B_BUF}u;`);
  for (let kk = 0; kk < BKS; kk++) {
    const k = t.ks > 1 ? `(kz * ${BKS}u + ${kk}u)` : `${kk}u`;
    e('      {');
    for (let ga = 0; ga < GA; ga++) e(`        let a${ga} = sm[ao + ${k} * ${QA}u + ((${ga * TY}u + ty) ^ (${k} & ${mA}u))];`);
    for (let gb = 0; gb < GB; gb++) e(`        let b${gb} = sm[bo + ${k} * ${QB}u + ((${gb * TX}u + tx) ^ (${k} & ${mB}u))];`);
    for (let i = 0; i < t.tm; i++) {
      const av = `a${i >> 2}.${lanes[i & 3]}`;
      for (let j = 0; j < GB; j++) {
        e(T === 'f32' ? `        c${i}_${j} = fma(${V}(${av}), b${j}, c${i}_${j});` : `        c${i}_${j} += ${av} * b${j};`);
      }
    }
    e('      }');
  }
  e('      if (next) {');
  store('        ', '(cur ^ 1u)');
  e('      }');
  e('      workgroupBarrier();');
  e('    }');
  let indent = '    ';
  if (t.ks > 1) {
    // Slices 1.. leave their partial sums in workgroup memory; slice 0 adds them up and writes.
    const R = (t.ks - 1) * S;
    e('    if (kz > 0u) {');
    for (let i = 0; i < t.tm; i++) for (let j = 0; j < GB; j++) e(`      sm[${(i * GB + j) * R}u + (kz - 1u) * ${S}u + ls] = c${i}_${j};`);
    e('    }');
    e('    workgroupBarrier();');
    e('    if (kz == 0u) {');
    e(`      for (var z = 0u; z < ${t.ks - 1}u; z++) {`);
    for (let i = 0; i < t.tm; i++) for (let j = 0; j < GB; j++) e(`        c${i}_${j} += sm[${(i * GB + j) * R}u + z * ${S}u + ls];`);
    e('      }');
    indent = '      ';
  }
  e(`${indent}let ob = bi * n * m;`);
  for (let i = 0; i < t.tm; i++) {
    e(`${indent}{ let row = row0 + ${(i >> 2) * TY * 4 + (i & 3)}u + ty * 4u;`);
    e(`${indent}  if (row < n) {`);
    for (let j = 0; j < GB; j++) {
      e(`${indent}    { let col = col0 + ${j * TX * 4}u + tx * 4u; let o = ob + row * m + col;`);
      e(`${indent}      if (col + 3u < m) { out[o] = c${i}_${j}.x; out[o + 1u] = c${i}_${j}.y; out[o + 2u] = c${i}_${j}.z; out[o + 3u] = c${i}_${j}.w; }`);
      e(`${indent}      else { for (var q = 0u; q < 3u; q++) { if (col + q < m) { out[o + q] = c${i}_${j}[q]; } } } }`);
    }
    e(`${indent}  }`);
    e(`${indent}}`);
  }
  if (t.ks > 1) {
    e('    }');
    e('    workgroupBarrier();');
  }
  e('  }');
  e('}');
  return L.join('\n') + '\n';
}
