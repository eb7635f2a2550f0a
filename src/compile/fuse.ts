/**
 * Fusion: groups of elementwise primitives on one backend, of one float
 * dtype and one output shape, become one generated loop (one pass over
 * memory, no intermediate buffers for results used only inside the group),
 * optionally ended by a sum over every element of one of the group's values.
 * Each op is rounded to the dtype as the unfused kernels round it
 * (`Math.fround` per op for float32), so results are the unfused ones to
 * float32 rounding (the sum accumulates in float64, as the js kernels do).
 *
 * A group need not be consecutive: a step joins the open group when every
 * input it reads is made by the group or ready where the group starts (not
 * made or written in place by a step in between); the generated loop runs
 * where the group's first step was. Inputs are any views broadcast to the
 * output's shape (strides 0 on broadcast dims): the loop nests over the
 * output's dims, collapsed where every input allows, with one running
 * position per strided input.
 *
 * An in-place binary kernel (`binaryInto`: `p.sub_(g.mul(lr))` in an
 * optimizer step) joins the open group as its last member when the loop may
 * write its tensor where the group runs: no step in between reads or writes
 * it, and every member reading it reads the written view itself (each
 * position is read before it is written, and only there). The loop then
 * stores that member's value into the tensor in place.
 *
 * float32 exp, sigmoid and tanh on wasm are that backend's own functions
 * (`WASM_F32_OWN`): fused only at small sizes, where they run in JS anyway.
 *
 * On `webgpu` a group (float32) becomes one WGSL kernel instead
 * (`backend/webgpu/kernels/fused.ts`), with at most `GPU_BINDINGS` buffers.
 */
import type { Storage, TypedArray } from '../backend/index.js';
import { isSmall } from '../backend/wasm/memory.js';
import { exp32, sigmoid32, tanh32 } from '../backend/wasm/transcend.js';
import { canFuseOnGpu, fusedProgram, runFused, type FusedOperand } from '../backend/webgpu/kernels/fused.js';
import { contiguousStrides, sameShape, sizeOf, type Tensor } from '../tensor/index.js';
import { stepInputs, type FusedKernel, type Program, type Ref, type Step } from './program.js';
import { canFuseOnWasm } from '../backend/wasm/fused.js';
import { periodOf, wasmFusedMin, wasmFusedRun, type WasmGroup } from './wasm-fuse.js';

type Expr = (a: string, b: string) => string;
const UNARY: Record<string, (a: string) => string> = {
  neg: (a) => `-${a}`, exp: (a) => `Math.exp(${a})`, log: (a) => `Math.log(${a})`, sqrt: (a) => `Math.sqrt(${a})`,
  sin: (a) => `Math.sin(${a})`, cos: (a) => `Math.cos(${a})`, tanh: (a) => `Math.tanh(${a})`, abs: (a) => `Math.abs(${a})`,
  log1p: (a) => `Math.log1p(${a})`, expm1: (a) => `Math.expm1(${a})`,
  sigmoid: (a) => `(${a} >= 0 ? 1 / (1 + Math.exp(-${a})) : Math.exp(${a}) / (1 + Math.exp(${a})))`,
};
const BINARY: Record<string, Expr> = {
  add: (a, b) => `${a} + ${b}`, sub: (a, b) => `${a} - ${b}`, mul: (a, b) => `${a} * ${b}`, div: (a, b) => `${a} / ${b}`,
  pow: (a, b) => `Math.pow(${a}, ${b})`,
  maximum: (a, b) => `(${a} !== ${a} || ${b} !== ${b} ? NaN : ${a} > ${b} ? ${a} : ${b})`,
  minimum: (a, b) => `(${a} !== ${a} || ${b} !== ${b} ? NaN : ${a} < ${b} ? ${a} : ${b})`,
};

/**
 * Ops the wasm backend computes its own way in float32 (assembly/transcend.ts:
 * four lanes of float32 arithmetic, within 2 ulp of the correctly rounded
 * value), with JS twins bit for bit the same (`backend/wasm/transcend.ts`). A
 * loop on wasm calls the twin, so fused or not a value gets eager's result.
 * The twins are slow (many roundings): only groups small enough that the
 * backend itself would run the twin (`isSmall`) fuse these ops; bigger ones
 * stay on the SIMD kernel.
 */
const WASM_F32_OWN: Readonly<Record<string, string>> = { exp: 'exp32', sigmoid: 'sigmoid32', tanh: 'tanh32' };
const TWINS = { exp32, sigmoid32, tanh32 };

/** Generated loops so far (each gets its own name in profiles). */
let fusedCount = 0;

/** Smallest group worth a generated loop. */
const MIN_RUN = 2;
/**
 * Largest group per loop: V8 optimises only functions of moderate size (a loop of a
 * thousand ops stays in its interpreter), so longer chains become several loops.
 */
const MAX_RUN = 40;
/** Buffers a fused WGSL kernel binds at most (WebGPU's default maxStorageBuffersPerShaderStage). */
const GPU_BINDINGS = 8;

type Prim = Step & { kind: 'prim' };
/** A member of a group: an elementwise prim step, or an in-place binary kernel (`binaryInto`) seen as one writing `out`. */
interface Member {
  step: Prim;
  index: number;
  /** The step as it is in the program (the raw step of an in-place member). */
  orig: Step;
  /** In place: the written view (contiguous) of `step.out`, a slot bound or made before the group; null otherwise. */
  inPlace: Ref | null;
}
/** What a step brings to a group: its shape, dtype and backend, and how a generated wasm kernel sees it. */
interface Info {
  shape: readonly number[];
  dtype: 'float32' | 'float64';
  backend: string;
  /** A generated wasm kernel can run it (wasm, contiguous or scalar inputs, an op with a generated form, big enough). */
  simd: boolean;
  /** It joins only a group that a generated wasm kernel runs (a big float32 exp/sigmoid/tanh, a big in-place write). */
  needsSimd: boolean;
}

interface Group {
  /** Where the group's loop runs (index into the output list). */
  at: number;
  members: Member[];
  /** Slots the members make. */
  made: Set<number>;
  shape: readonly number[];
  dtype: 'float32' | 'float64';
  backend: string;
  /** A sum over every element of a member's value, ending the group (and its step index). */
  reduce: { step: Prim; index: number } | null;
  /** Every member can run in a generated wasm kernel; one member needs it. */
  simd: boolean;
  needsSimd: boolean;
}

/** `r` broadcast to `shape`: its strides per output dim (0 on broadcast dims), or null if it is not broadcastable. */
function stridesIn(r: Ref, shape: readonly number[]): number[] | null {
  const n = shape.length;
  if (r.shape.length > n) return null;
  const out: number[] = [];
  for (let d = 0; d < n; d++) {
    const k = d - (n - r.shape.length);
    const size = k >= 0 ? r.shape[k]! : 1;
    if (size !== shape[d] && size !== 1) return null;
    out.push(k < 0 || size === 1 ? 0 : r.strides[k]!);
  }
  return out;
}

/** The output shape of an elementwise prim step: its inputs broadcast. */
function outShape(s: Prim): readonly number[] {
  if (s.ins.length === 1) return s.ins[0]!.shape;
  const a = s.ins[0]!.shape;
  const b = s.ins[1]!.shape;
  const n = Math.max(a.length, b.length);
  const r: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    r.push(x === 1 ? y : x);
  }
  return r;
}


/**
 * Fuses the program's elementwise groups in place (generated JS loops on js
 * and wasm, WGSL kernels on webgpu) and notes each fusion in `p.fusions`.
 *
 * @example
 * fuse(prog);
 */
export function fuse(p: Program): void {
  const readers = new Map<number, number[]>(); // slot → indices of the steps reading it
  p.steps.forEach((s, i) => {
    for (const slot of stepInputs(s)) {
      const list = readers.get(slot) ?? [];
      list.push(i);
      readers.set(slot, list);
    }
  });
  const roots = p.roots;
  const out: (Step | null)[] = [];
  let group: Group | null = null;
  /** Slots made or written by the steps between the group's start and now (not by members). */
  let between = new Set<number>();
  /** Slots read by those steps (an in-place member cannot move its write before them). */
  let betweenReads = new Set<number>();
  const flush = (): void => {
    if (group === null) return;
    const g = group;
    group = null;
    between = new Set();
    betweenReads = new Set();
    if (g.members.length + (g.reduce !== null ? 1 : 0) >= MIN_RUN) {
      out[g.at] = emit(p, g, readers, roots);
      return;
    }
    // Too small: the single member stays where it was (the group's start), the reduction after it.
    out[g.at] = g.members[0]!.orig;
    if (g.reduce !== null) out.push(g.reduce.step);
  };
  p.steps.forEach((s, i) => {
    const info = elementwise(p, s);
    if (info !== null && group !== null && canJoin(group, s as Prim, info, between)) {
      group.members.push({ step: s as Prim, index: i, orig: s, inPlace: null });
      group.made.add((s as Prim).out);
      group.simd &&= info.simd;
      group.needsSimd ||= info.needsSimd;
      return;
    }
    if (info === null && group !== null) {
      const into = inPlaceMember(p, s, i);
      if (into !== null && canJoin(group, into.step, into.info, between) && canWriteInPlace(group, into, between, betweenReads)) {
        // The write ends the group: later members would have to read the written values.
        group.members.push(into);
        group.simd &&= into.info.simd;
        group.needsSimd ||= into.info.needsSimd;
        flush();
        return;
      }
    }
    if (group !== null && info === null && endsWithSum(p, group, s, between)) {
      group.reduce = { step: s as Prim, index: i };
      flush();
      return;
    }
    if (info !== null) {
      flush();
      out.push(null);
      group = {
        at: out.length - 1, members: [{ step: s as Prim, index: i, orig: s, inPlace: null }], made: new Set([(s as Prim).out]),
        shape: info.shape, dtype: info.dtype, backend: info.backend, reduce: null, simd: info.simd, needsSimd: info.needsSimd,
      };
      return;
    }
    out.push(s);
    // A step in between leaves the group open; what it makes or writes cannot be read by later members.
    if (group !== null) {
      if (s.kind === 'raw') between.add(s.out ?? s.writes!);
      else if (s.kind === 'prim') between.add(s.out);
      else if (s.kind === 'fused') for (const x of s.outs) between.add(x);
      for (const slot of stepInputs(s)) betweenReads.add(slot);
    }
  });
  flush();
  p.steps = out.filter((s): s is Step => s !== null);
}

/** In-place binary kernels a loop may run (their fused formula is the kernels' arithmetic: correctly rounded). */
const IN_PLACE_OPS = new Set(['add', 'sub', 'mul', 'div']);
/**
 * Largest in-place write (elements) a loop takes on wasm: beyond it the SIMD
 * kernels win even in two passes (`p.sub_(g.mul(lr))` over 4096 elements:
 * 1.6 µs as two wasm calls, 5.7 µs as one JS loop; equal near 1024).
 */
const IN_PLACE_WASM_MAX = 1024;

/**
 * A `binaryInto(op, a, b, dst)` raw step (an in-place `add_`, `sub_`...: `dst`
 * contiguous, `a` of its shape, `b` broadcast to it) as a group member that
 * writes `dst`'s slot; null for any other step.
 */
function inPlaceMember(p: Program, s: Step, index: number): (Member & { info: Info }) | null {
  if (s.kind !== 'raw' || s.name !== 'binaryInto' || s.writes === null || s.args.length !== 4) return null;
  const [op, a, b, dst] = s.args;
  if (!('value' in op!) || typeof op.value !== 'string' || !IN_PLACE_OPS.has(op.value)) return null;
  if (!('ref' in a!) || !('ref' in b!) || !('ref' in dst!)) return null;
  const d = dst.ref;
  const storage = p.traced[d.slot];
  if (storage === null || storage === undefined || storage.backend === 'webgpu') return null;
  if (storage.dtype !== 'float32' && storage.dtype !== 'float64') return null;
  const shape = d.shape;
  if (!contiguousIn(d, shape) || !sameShape(a.ref.shape, shape)) return null;
  for (const r of [a.ref, b.ref]) {
    const st = p.traced[r.slot];
    if (st === null || st === undefined || st.dtype !== storage.dtype || st.backend === 'webgpu' || stridesIn(r, shape) === null) return null;
  }
  const step: Prim = { kind: 'prim', prim: op.value as Prim['prim'], ins: [a.ref, b.ref], p: {} as Prim['p'], out: d.slot };
  const simd = simdReady(step, shape, storage.dtype, storage.backend);
  // A big write on wasm pays in one pass only as a generated wasm kernel.
  const needsSimd = storage.backend === 'wasm' && sizeOf(shape) > IN_PLACE_WASM_MAX;
  if (needsSimd && !simd) return null;
  return { step, index, orig: s, inPlace: d, info: { shape, dtype: storage.dtype, backend: storage.backend, simd, needsSimd } };
}

/**
 * Whether a generated wasm kernel (`wasm-fuse.ts`) can run step `s` over
 * `shape`: on wasm, an op with a generated form, at least `wasmFusedMin()`
 * elements, every input a scalar or a row-major view of the trailing dims
 * (all of them: contiguous; some: a bias broadcast over the others, its
 * length a multiple of the SIMD lanes).
 */
function simdReady(s: Prim, shape: readonly number[], dtype: 'float32' | 'float64', backend: string): boolean {
  if (backend !== 'wasm' || !canFuseOnWasm(s.prim, dtype) || sizeOf(shape) < wasmFusedMin()) return false;
  const lanes = dtype === 'float32' ? 4 : 2;
  return s.ins.every((r) => {
    const st = stridesIn(r, shape);
    if (st === null) return false;
    const period = periodOf(shape, st);
    return st.every((x, d) => x === 0 || shape[d] === 1) || (period !== null && (period === sizeOf(shape) || period % lanes === 0));
  });
}

/** Whether `r` is a contiguous row-major view of `shape` (any offset): element i at `offset + i`. */
function contiguousIn(r: Ref, shape: readonly number[]): boolean {
  if (!sameShape(r.shape, shape)) return false;
  const rm = contiguousStrides(shape);
  return r.strides.every((x, d) => shape[d] === 1 || x === rm[d]);
}

/**
 * Whether the group's loop may write `m`'s slot where it runs (the group's
 * start): no step in between reads or writes it, the group made none of it,
 * and every member reading it reads exactly the written view (each position
 * is read before it is written, at that position only).
 */
function canWriteInPlace(g: Group, m: Member, between: ReadonlySet<number>, betweenReads: ReadonlySet<number>): boolean {
  const d = m.inPlace!;
  if (between.has(d.slot) || betweenReads.has(d.slot) || g.made.has(d.slot)) return false;
  for (const x of [...g.members, m]) {
    for (const r of x.step.ins) if (r.slot === d.slot && !(r.offset === d.offset && contiguousIn(r, g.shape))) return false;
  }
  return true;
}

/** The group a fusable step would form: shape, dtype, backend; null when it cannot be fused. */
function elementwise(p: Program, s: Step): Info | null {
  if (s.kind !== 'prim' || !(s.prim in UNARY || s.prim in BINARY)) return null;
  const storage = p.traced[s.out];
  if (storage === null || storage === undefined) return null;
  if (storage.dtype !== 'float32' && storage.dtype !== 'float64') return null;
  const gpu = storage.backend === 'webgpu';
  if (gpu && !canFuseOnGpu(s.prim)) return null;
  const shape = outShape(s);
  for (const r of s.ins) {
    const st = p.traced[r.slot];
    if (st !== null && st !== undefined && (st.dtype !== storage.dtype || (st.backend === 'webgpu') !== gpu)) return null;
    if (stridesIn(r, shape) === null) return null;
  }
  const simd = simdReady(s, shape, storage.dtype, storage.backend);
  // Big float32 exp/sigmoid/tanh on wasm: the generated kernel's lanes, or the backend's own kernel (a JS loop would run the slow twins).
  const needsSimd = storage.backend === 'wasm' && storage.dtype === 'float32' && s.prim in WASM_F32_OWN && !isSmall('float64', storage.length);
  if (needsSimd && !simd) return null;
  return { shape, dtype: storage.dtype, backend: storage.backend, simd, needsSimd };
}

function canJoin(g: Group, s: Prim, info: Info, between: ReadonlySet<number>): boolean {
  if (g.reduce !== null || g.members.length >= MAX_RUN || info.dtype !== g.dtype || info.backend !== g.backend || !sameShape(info.shape, g.shape)) return false;
  if ((g.needsSimd && !info.simd) || (info.needsSimd && !g.simd)) return false;
  // Every input is ready where the group's loop runs, and a value the group makes is read as made
  // (row-major, of the group's shape: the loop holds it per output position).
  if (!s.ins.every((r) => !between.has(r.slot) && (!g.made.has(r.slot) || asMade(r, g.shape)))) return false;
  if (g.backend !== 'webgpu') return true;
  // A WGSL kernel binds each input view and each value it may write (every member, at most).
  const views = new Set<string>();
  for (const m of [...g.members.map((x) => x.step), s]) {
    for (const r of m.ins) if (!g.made.has(r.slot)) views.add(`${r.slot}/${r.offset}/${r.strides.join(',')}/${r.shape.join(',')}`);
  }
  return views.size + g.members.length + 1 <= GPU_BINDINGS;
}

/** Whether `r` views a slot exactly as the group's loop makes it: row-major over `shape`, offset 0. */
function asMade(r: Ref, shape: readonly number[]): boolean {
  const rm = contiguousStrides(shape);
  return r.offset === 0 && sameShape(r.shape, shape) && r.strides.every((x, d) => shape[d] === 1 || x === rm[d]);
}

/** Whether `s` is a sum over every element of a value the group makes (seen as the group's output shape). */
function endsWithSum(p: Program, g: Group, s: Step, between: ReadonlySet<number>): boolean {
  if (g.backend === 'webgpu') return false;
  if (s.kind !== 'prim' || s.prim !== 'sum' || s.ins.length !== 1) return false;
  const r = s.ins[0]!;
  if (!g.made.has(r.slot) || between.has(r.slot)) return false;
  if (!asMade(r, g.shape)) return false;
  const dims = (s.p as { dims: readonly number[] }).dims;
  if (!r.shape.every((n, d) => n === 1 || dims.includes(d))) return false;
  const storage = p.traced[s.out];
  return storage !== null && storage !== undefined && storage.dtype === g.dtype && storage.length === 1;
}

/** The output's dims merged where every strided input (and the row-major output) allows. */
function collapseDims(shape: readonly number[], strided: number[][]): { shape: number[]; strides: number[][] } {
  const outS = contiguousStrides(shape);
  const dims: number[] = [];
  for (let d = 0; d < shape.length; d++) if (shape[d] !== 1) dims.push(d);
  const cs: number[] = [];
  const cst: number[][] = strided.map(() => []);
  const outC: number[] = [];
  for (const d of dims) {
    const last = cs.length - 1;
    const mergeable = last >= 0 && outC[last] === outS[d]! * shape[d]! && strided.every((st, k) => cst[k]![last] === st[d]! * shape[d]!);
    if (mergeable) {
      cs[last] = cs[last]! * shape[d]!;
      outC[last] = outS[d]!;
      strided.forEach((st, k) => (cst[k]![last] = st[d]!));
    } else {
      cs.push(shape[d]!);
      outC.push(outS[d]!);
      strided.forEach((st, k) => cst[k]!.push(st[d]!));
    }
  }
  return { shape: cs, strides: cst };
}

function emit(p: Program, g: Group, readers: ReadonlyMap<number, number[]>, roots: ReadonlySet<number>): Step {
  if (g.backend === 'webgpu') return emitGpu(p, g, readers, roots);
  const members = new Set(g.members.map((m) => m.index));
  const made = new Map<number, string>(); // slot → local variable
  const inputs: Ref[] = [];
  const inputKey = new Map<string, number>();
  const kinds: ('scalar' | 'contiguous' | 'strided')[] = [];
  const stridesOf: number[][] = [];
  const body: string[] = [];
  const { shape, dtype } = g;
  /** The wasm backend's float32 transcendental functions (its twins, `WASM_F32_OWN`). */
  const lanes = g.backend === 'wasm' && dtype === 'float32';
  const outStrides = contiguousStrides(shape);
  const round = dtype === 'float32' ? (e: string): string => `Math.fround(${e})` : (e: string): string => e;
  /** The index of input view `r` (registered on first use). */
  const inputIndex = (r: Ref): number => {
    const st = stridesIn(r, shape)!;
    const kind = st.every((x, d) => x === 0 || shape[d] === 1) ? 'scalar' : st.every((x, d) => shape[d] === 1 || x === outStrides[d]) ? 'contiguous' : 'strided';
    const key = `${r.slot}/${kind}/${r.offset}/${st.join(',')}`;
    let k = inputKey.get(key);
    if (k === undefined) {
      k = inputs.length;
      inputKey.set(key, k);
      inputs.push(r);
      kinds.push(kind);
      stridesOf.push(st);
    }
    return k;
  };
  const operand = (r: Ref): string => {
    const local = made.get(r.slot);
    if (local !== undefined) return local;
    const k = inputIndex(r);
    const kind = kinds[k]!;
    if (kind === 'scalar') return `s${k}`;
    if (kind === 'contiguous') return `a${k}[${r.offset === 0 ? 'i' : `i + ${r.offset}`}]`;
    return `a${k}[q${k}]`;
  };
  const outs: number[] = [];
  /** Per output: the offset it is written at in place (a slot bound or made before), or -1 (a new buffer). */
  const at: number[] = [];
  const ops: string[] = [];
  /** The members as a generated wasm kernel sees them: operands by input index or member index. */
  const memberOf = new Map<number, number>();
  const wasmMembers: WasmGroup['members'][number][] = [];
  g.members.forEach(({ step, inPlace }, j) => {
    wasmMembers.push({
      prim: step.prim,
      args: step.ins.map((r) => (memberOf.has(r.slot) ? { value: memberOf.get(r.slot)! } : { input: inputIndex(r) })),
      out: step.out,
    });
    memberOf.set(step.out, j);
    const args = step.ins.map(operand);
    const twin = lanes ? WASM_F32_OWN[step.prim] : undefined;
    const e = twin !== undefined ? `L.${twin}(${args[0]!})` : step.ins.length === 1 ? UNARY[step.prim]!(args[0]!) : BINARY[step.prim]!(args[0]!, args[1]!);
    body.push(`const t${j} = ${round(e)};`);
    made.set(step.out, `t${j}`);
    ops.push(inPlace !== null ? `${step.prim}_` : step.prim);
    const seenOutside = (readers.get(step.out) ?? []).some((i) => !members.has(i) && i !== g.reduce?.index);
    if (inPlace !== null || roots.has(step.out) || seenOutside) {
      outs.push(step.out);
      at.push(inPlace !== null ? inPlace.offset : -1);
    }
  });
  const n = sizeOf(shape);
  const sizes = outs.map(() => n);
  const stores = outs.map((slot, k) => `o${k}[${at[k]! > 0 ? `i + ${at[k]}` : 'i'}] = ${made.get(slot)!};`);
  let reduceOut = -1;
  if (g.reduce !== null) {
    ops.push('sum');
    reduceOut = outs.length;
    outs.push(g.reduce.step.out);
    at.push(-1);
    sizes.push(1);
    stores.push(`acc += ${made.get(g.reduce.step.ins[0]!.slot)!};`);
  }
  // The loop nest: strided inputs walk their own positions; the rest index by the flat output position i.
  const strided = inputs.flatMap((_r, k) => (kinds[k] === 'strided' ? [k] : []));
  const nest = collapseDims(shape, strided.map((k) => stridesOf[k]!));
  const head: string[] = [
    ...inputs.map((r, k) => (kinds[k] === 'scalar' ? `const s${k} = I[${k}][${r.offset}];` : `const a${k} = I[${k}];`)),
    ...outs.map((_s, k) => `const o${k} = O[${k}];`),
  ];
  if (g.reduce !== null) head.push('let acc = 0;');
  let loop: string;
  const inner = `${body.join('\n')}\n${stores.join('\n')}`;
  if (strided.length === 0) {
    loop = `for (let i = 0; i < ${n}; i++) {\n${inner}\n}`;
  } else {
    // One loop per collapsed dim; q<k>_<d> is input k's position at depth d.
    const depth = nest.shape.length;
    const lines: string[] = ['let i = 0;'];
    for (let d = 0; d < depth; d++) {
      const from = (k: number): string => (d === 0 ? String(inputs[k]!.offset) : `q${k}_${d - 1}`);
      lines.push(`for (let d${d} = 0${strided.map((k) => `, q${k}_${d} = ${from(k)}`).join('')}; d${d} < ${nest.shape[d]}; d${d}++${strided.map((k, j) => `, q${k}_${d} += ${nest.strides[j]![d]}`).join('')}) {`);
    }
    lines.push(strided.map((k) => `const q${k} = q${k}_${depth - 1};`).join(' '));
    lines.push(inner, 'i++;', '}'.repeat(depth));
    loop = lines.join('\n');
  }
  const tail = g.reduce !== null ? `\no${reduceOut}[0] = ${round('acc')};` : '';
  const source = `${head.join('\n')}\n${loop}${tail}`;
  // Named for profilers and stack traces (the loop has no file of its own).
  const named = `${source}\n//# sourceURL=adjoint-compile-fused-${++fusedCount}.js`;
  const fn = new Function('O', 'I', 'L', named) as (o: TypedArray[], i: TypedArray[], l: typeof TWINS) => void;
  const what = `${ops.length} ops [${summarize(ops)}] over [${shape.join(', ')}] ${dtype}`;
  const written = at.filter((x) => x >= 0).length;
  p.fusions.push(`${what} -> one loop, ${inputs.length} inputs (${strided.length} strided), ${outs.length} outputs${written > 0 ? ` (${written} written in place)` : ''}`);
  // The arrays are taken after every output is allocated (a wasm allocation may grow the memory, detaching views).
  const O = new Array<TypedArray>(outs.length);
  const I = new Array<TypedArray>(inputs.length);
  const loopRun = (o: readonly Storage[], i: readonly Storage[]): void => {
    for (let k = 0; k < O.length; k++) O[k] = dataOf(o[k]!);
    for (let k = 0; k < I.length; k++) I[k] = dataOf(i[k]!);
    fn(O, I, TWINS);
  };
  // On wasm, a generated wasm kernel where it can (contiguous or scalar inputs, big enough): the JS loop is its fallback.
  const simd = g.backend === 'wasm'
    ? wasmFusedRun({ dtype, n, inputs, kinds, strides: stridesOf, shape, members: wasmMembers, outs, at, reduce: g.reduce === null ? null : { out: reduceOut, member: memberOf.get(g.reduce.step.ins[0]!.slot)! } }, loopRun)
    : null;
  if (simd !== null) p.fusions[p.fusions.length - 1] += ' (a generated wasm kernel)';
  const run = simd ?? loopRun;
  const kernel: FusedKernel = { ops, run, sizes, dtype, source };
  return { kind: 'fused', kernel, ins: inputs, outs, inPlace: at.map((x) => x >= 0) };
}

function dataOf(s: Storage): TypedArray {
  return (s as unknown as { data: TypedArray }).data;
}

/** A group on webgpu: one WGSL kernel, one thread per output element. */
function emitGpu(p: Program, g: Group, readers: ReadonlyMap<number, number[]>, roots: ReadonlySet<number>): Step {
  const members = new Set(g.members.map((m) => m.index));
  const value = new Map<number, number>(); // slot → op index
  const inputs: Ref[] = [];
  const specs: { offset: number; strides: number[] }[] = [];
  const inputKey = new Map<string, number>();
  const operand = (r: Ref): FusedOperand => {
    const j = value.get(r.slot);
    if (j !== undefined) return { value: j };
    const st = stridesIn(r, g.shape)!;
    const key = `${r.slot}/${r.offset}/${st.join(',')}`;
    let k = inputKey.get(key);
    if (k === undefined) {
      k = inputs.length;
      inputKey.set(key, k);
      inputs.push(r);
      specs.push({ offset: r.offset, strides: st });
    }
    return { input: k };
  };
  const ops = g.members.map(({ step }, j) => {
    const args = step.ins.map(operand);
    value.set(step.out, j);
    return { op: step.prim as string, args };
  });
  const outs: number[] = [];
  const outputs: number[] = [];
  g.members.forEach(({ step }, j) => {
    if (roots.has(step.out) || (readers.get(step.out) ?? []).some((i) => !members.has(i))) {
      outs.push(step.out);
      outputs.push(j);
    }
  });
  const k = fusedProgram({ shape: g.shape, inputs: specs, ops, outputs });
  const names = ops.map((o) => o.op);
  p.fusions.push(`${names.length} ops [${summarize(names)}] over [${g.shape.join(', ')}] float32 -> one WGSL kernel, ${inputs.length} inputs, ${outs.length} outputs`);
  const kernel: FusedKernel = { ops: names, run: (o, i) => runFused(k, o, i), sizes: outs.map(() => k.size), dtype: 'float32', source: k.code };
  return { kind: 'fused', kernel, ins: inputs, outs, inPlace: outs.map(() => false) };
}

function summarize(ops: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const o of ops) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts].map(([o, c]) => `${o}×${c}`).join(' ');
}

export type { Tensor };
