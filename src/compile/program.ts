/**
 * A traced function as a program over buffers: the trace (`ops/trace.ts`,
 * kernel mode) turned into steps that read and write numbered slots, each
 * slot one storage; tensors are views (shape, strides, offset) of slots.
 *
 * Slots are bound from outside (the function's tensor arguments, tensors it
 * captured such as parameters and optimizer state, `.grad`s read as they were
 * on entry, host scalars recomputed per call) or produced by a step. View
 * primitives (reshape, permute, expand, slice, detach) make no step: their
 * outputs are views of their inputs' slots, with the geometry traced.
 * After building: dead steps are removed, and steps whose inputs are all
 * constant (creations, constants captured) are folded into their traced
 * values.
 */
import type { Storage, TypedArray } from '../backend/index.js';
import type { Primitive, PrimParams, TraceNode } from '../ops/index.js';
import type { Tensor } from '../tensor/index.js';

/** A view of a slot: the geometry of a tensor over that slot's storage. */
export interface Ref {
  readonly slot: number;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/** Where a bound slot's storage comes from at each call. */
export type Binding =
  | { readonly kind: 'arg'; readonly index: number }
  | { readonly kind: 'const'; readonly storage: Storage }
  | { readonly kind: 'grad'; readonly owner: Tensor }
  | { readonly kind: 'host'; readonly index: number };

/** A raw call's argument: a tensor (as a view of a slot) or any other value. */
export type RawArg = { readonly ref: Ref } | { readonly value: unknown };

/** One step of the program. */
export type Step =
  | { readonly kind: 'prim'; readonly prim: Primitive; readonly ins: readonly Ref[]; readonly p: PrimParams[Primitive]; readonly out: number }
  | { readonly kind: 'raw'; readonly name: string; readonly fn: (...a: never[]) => unknown; readonly args: readonly RawArg[]; readonly out: number | null; readonly writes: number | null }
  | { readonly kind: 'read'; readonly op: string; readonly ref: Ref; readonly values: TypedArray }
  | {
    readonly kind: 'fused'; readonly kernel: FusedKernel; readonly ins: readonly Ref[]; readonly outs: readonly number[];
    /** Per output: written in place into its slot (bound, or made by an earlier step) rather than into a new buffer. */
    readonly inPlace: readonly boolean[];
  };

/** A chain of elementwise primitives run as one generated loop (see `fuse.ts`). */
export interface FusedKernel {
  /** The primitives fused, in order (for the debug log). */
  readonly ops: readonly string[];
  /** The generated kernel: writes the outputs (contiguous) from the inputs' whole storages (views' offsets and strides are in the kernel). */
  readonly run: (outs: readonly Storage[], ins: readonly Storage[]) => void;
  /** Elements of each output (1 for a sum ending the loop). */
  readonly sizes: readonly number[];
  readonly dtype: 'float32' | 'float64';
  /** The fused kernel's source, for the debug log. */
  readonly source: string;
}

/** A host computation run at the start of each call, in traced order. */
export type Host =
  | { readonly kind: 'scalar'; readonly compute: () => number; readonly slot: number; readonly like: Tensor }
  | { readonly kind: 'effect'; readonly run: () => void };

/** A `.grad` as it must be on entry: null, or a tensor of this geometry. */
export interface GradEntry {
  readonly owner: Tensor;
  readonly entry: null | { readonly shape: readonly number[]; readonly strides: readonly number[]; readonly offset: number; readonly dtype: string; readonly backend: string };
}

/** What a call returns: the function's result with tensors as refs. */
export type OutTree = { readonly ref: Ref } | { readonly value: unknown } | { readonly array: readonly OutTree[] } | { readonly object: readonly (readonly [string, OutTree])[] };

/** The program of one input signature. */
export interface Program {
  readonly nSlots: number;
  readonly bindings: ReadonlyMap<number, Binding>;
  readonly hosts: readonly Host[];
  readonly guards: readonly (() => boolean)[];
  readonly grads: readonly GradEntry[];
  steps: Step[];
  readonly out: OutTree;
  /** `.grad`s set by the call: owner ← a view (or null). */
  readonly gradEffects: readonly { readonly owner: Tensor; readonly ref: Ref | null; readonly external: Tensor | null }[];
  /** Version counters bumped by the call's in-place writes. */
  readonly bumps: readonly { readonly tensor: Tensor; readonly by: number }[];
  /** Slots written in place that are bound from outside (parameters, state). */
  readonly externalWrites: ReadonlySet<number>;
  /** Why the program cannot replay (runs eagerly), or null. */
  readonly eager: string | null;
  /** Graph breaks (reads) recorded, for the log. */
  readonly breaks: readonly string[];
  /** The traced storage of each slot (constants are folded to it). */
  readonly traced: readonly (Storage | null)[];
  /** Fusion report lines for the debug log. */
  readonly fusions: string[];
  /** Slots seen outside after a call (results, `.grad`s, outside tensors written). */
  roots: ReadonlySet<number>;
}

/** The written tensor of an in-place raw kernel (by the raw function's name and arguments). */
function writtenArg(name: string, args: readonly unknown[]): Tensor | null {
  if (name === 'copyInto') return args[1] as Tensor;
  if (name === 'fillInto') return args[0] as Tensor;
  if (name === 'binaryInto') return args[3] as Tensor;
  return null;
}

const isTensor = (v: unknown): v is Tensor => typeof v === 'object' && v !== null && 'storage' in v && 'strides' in v && '_grad' in v;

/** The inputs of a trace: the argument tensors (flat, in walk order). */
export interface TraceInput {
  readonly argTensors: readonly Tensor[];
  readonly nodes: readonly TraceNode[];
  readonly result: unknown;
  readonly versions0: ReadonlyMap<Tensor, number>;
}

/**
 * Builds the program of one trace.
 *
 * @example
 * const prog = buildProgram({ argTensors: [x], nodes: tracer.nodes, result: y, versions0 });
 */
export function buildProgram(t: TraceInput): Program {
  const slotOf = new Map<Storage, number>();
  const traced: (Storage | null)[] = [];
  const bindings = new Map<number, Binding>();
  const steps: Step[] = [];
  const hosts: Host[] = [];
  const guards: (() => boolean)[] = [];
  const gradFirst = new Map<Tensor, GradEntry['entry'] | 'written'>();
  const gradFinal = new Map<Tensor, Tensor | null>();
  const gradStorages = new Map<Storage, Tensor>();
  const externals = new Map<Tensor, number>(); // captured tensors and their version at first sight
  const externalWrites = new Set<number>();
  const breaks: string[] = [];
  let eager: string | null = null;

  const newSlot = (s: Storage | null): number => {
    traced.push(s);
    const i = traced.length - 1;
    if (s !== null) slotOf.set(s, i);
    return i;
  };
  t.argTensors.forEach((x, i) => {
    if (!slotOf.has(x.storage)) bindings.set(newSlot(x.storage), { kind: 'arg', index: i });
  });
  const refOf = (x: Tensor): Ref => {
    let slot = slotOf.get(x.storage);
    if (slot === undefined) {
      slot = newSlot(x.storage);
      const owner = gradStorages.get(x.storage);
      bindings.set(slot, owner !== undefined ? { kind: 'grad', owner } : { kind: 'const', storage: x.storage });
    }
    if (!externals.has(x) && bindings.has(slot)) externals.set(x, x.version);
    return { slot, shape: x.shape, strides: x.strides, offset: x.offset };
  };

  for (const n of t.nodes) {
    switch (n.kind) {
      case 'primitive': {
        const ins = n.inputs.map((x) => refOf(x!));
        const y = n.outputs[0]!;
        if (slotOf.has(y.storage)) break; // a view of an input (or the input itself)
        steps.push({ kind: 'prim', prim: n.op as Primitive, ins, p: n.params as PrimParams[Primitive], out: newSlot(y.storage) });
        break;
      }
      case 'raw': {
        const fn = n.params.fn as (...a: never[]) => unknown;
        const rawArgs = n.params.args as readonly unknown[];
        const written = writtenArg(n.op, rawArgs);
        const args: RawArg[] = rawArgs.map((a) => (isTensor(a) ? { ref: refOf(a) } : { value: a }));
        let out: number | null = null;
        let writes: number | null = null;
        if (written !== null) {
          writes = refOf(written).slot;
          if (bindings.has(writes)) externalWrites.add(writes);
        } else if (n.outputs.length > 0) {
          const y = n.outputs[0]!;
          if (slotOf.has(y.storage)) break;
          out = newSlot(y.storage);
        }
        steps.push({ kind: 'raw', name: n.op, fn, args, out, writes });
        break;
      }
      case 'gradRead': {
        const x = n.inputs[0]!;
        const g = n.outputs[0] ?? null;
        if (!gradFirst.has(x)) {
          gradFirst.set(x, g === null ? null : { shape: g.shape, strides: g.strides, offset: g.offset, dtype: g.dtype, backend: g.backend });
          if (g !== null && !slotOf.has(g.storage)) gradStorages.set(g.storage, x);
        }
        break;
      }
      case 'gradWrite': {
        const x = n.inputs[0]!;
        if (!gradFirst.has(x)) gradFirst.set(x, 'written');
        gradFinal.set(x, n.outputs[0] ?? null);
        break;
      }
      case 'read': {
        const x = n.inputs[0]!;
        const op = String(n.params.op);
        breaks.push(`${op} of a tensor of shape [${x.shape.join(', ')}]`);
        if (externalWrites.size > 0 && eager === null) {
          eager = `${op}() reads a value after the function wrote into tensors it did not create; the rest cannot be resumed without running it again`;
        }
        steps.push({ kind: 'read', op, ref: refOf(x), values: readNow(x) });
        break;
      }
      case 'host': {
        const y = n.outputs[0]!;
        const slot = newSlot(y.storage);
        bindings.set(slot, { kind: 'host', index: hosts.length });
        hosts.push({ kind: 'scalar', compute: n.params.compute as () => number, slot, like: y });
        break;
      }
      case 'hostEffect':
        hosts.push({ kind: 'effect', run: n.params.run as () => void });
        break;
      case 'hostGuard':
        guards.push(n.params.check as () => boolean);
        break;
      case 'composite':
        break;
    }
  }

  const outTree = (v: unknown): OutTree => {
    if (isTensor(v)) return { ref: refOf(v) };
    if (Array.isArray(v)) return { array: v.map(outTree) };
    if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
      return { object: Object.entries(v).map(([k, x]) => [k, outTree(x)] as const) };
    }
    return { value: v };
  };
  const out = outTree(t.result);

  const grads: GradEntry[] = [];
  for (const [owner, e] of gradFirst) if (e !== 'written') grads.push({ owner, entry: e });
  const gradEffects: Program['gradEffects'][number][] = [];
  for (const [owner, g] of gradFinal) {
    const first = gradFirst.get(owner);
    if (g === null) gradEffects.push({ owner, ref: null, external: null });
    else if (slotOf.has(g.storage) && bindings.get(slotOf.get(g.storage)!)?.kind !== 'const') gradEffects.push({ owner, ref: refOf(g), external: null });
    else if (first !== 'written' && gradStorages.get(g.storage) === owner) continue; // the entry grad, kept
    else gradEffects.push({ owner, ref: null, external: g });
  }
  const bumps: { tensor: Tensor; by: number }[] = [];
  for (const [x, v0] of externals) {
    const base = x._base ?? x;
    const before = t.versions0.get(base) ?? v0;
    if (base.version > before && !bumps.some((b) => b.tensor === base)) bumps.push({ tensor: base, by: base.version - before });
  }

  const prog: Program = {
    nSlots: traced.length, bindings, hosts, guards, grads, steps, out, gradEffects, bumps, externalWrites, eager, breaks, traced, fusions: [],
    roots: new Set(),
  };
  prog.roots = rootSlots(prog);
  fold(prog);
  removeDead(prog);
  return prog;
}

/** The values of `x` now, without going through the read hooks. */
function readNow(x: Tensor): TypedArray {
  const d = (x.storage as unknown as { data?: TypedArray }).data;
  if (d === undefined) return new Float32Array(0);
  const out = new (d.constructor as new (n: number) => TypedArray)(x.size);
  const idx = new Array<number>(x.ndim).fill(0);
  for (let i = 0; i < x.size; i++) {
    let at = x.offset;
    for (let k = 0; k < x.ndim; k++) at += idx[k]! * x.strides[k]!;
    out[i] = d[at]!;
    for (let k = x.ndim - 1; k >= 0; k--) {
      if (++idx[k]! < x.shape[k]!) break;
      idx[k] = 0;
    }
  }
  return out;
}

/** The slots a step reads. */
export function stepInputs(s: Step): number[] {
  switch (s.kind) {
    case 'prim':
    case 'fused':
      return s.ins.map((r) => r.slot);
    case 'raw':
      return s.args.flatMap((a) => ('ref' in a ? [a.ref.slot] : []));
    case 'read':
      return [s.ref.slot];
  }
}

/** The slot a step writes (a new one, or one written in place). */
export function stepOutput(s: Step): number | null {
  if (s.kind === 'fused') return s.outs[0] ?? null;
  return s.kind === 'raw' ? (s.out ?? s.writes) : s.kind === 'read' ? null : s.out;
}

/** The slots that must hold their final values after a call: results, `.grad`s set, outside tensors written. */
function rootSlots(p: Program): Set<number> {
  const live = new Set<number>(p.externalWrites);
  const walk = (o: OutTree): void => {
    if ('ref' in o) live.add(o.ref.slot);
    else if ('array' in o) o.array.forEach(walk);
    else if ('object' in o) o.object.forEach(([, v]) => walk(v));
  };
  walk(p.out);
  for (const e of p.gradEffects) if (e.ref !== null) live.add(e.ref.slot);
  return live;
}

/**
 * Folds constant steps: a step whose inputs are all folded steps' values
 * (none: a creation such as zeros or a scalar), that writes a new slot
 * nobody writes in place and that is no result, is replaced by its traced
 * value (a `const` binding). Tensors captured from outside (parameters,
 * data) are never folded into: the caller may change their values in place
 * between calls, and every replay reads them as they are then.
 */
function fold(p: Program): void {
  const writtenInPlace = new Set<number>();
  for (const s of p.steps) if (s.kind === 'raw' && s.writes !== null) writtenInPlace.add(s.writes);
  const bindings = p.bindings as Map<number, Binding>;
  const folded = new Set<number>();
  p.steps = p.steps.filter((s) => {
    if (s.kind === 'read' || s.kind === 'fused') return true;
    const out = s.out;
    if (out === null || writtenInPlace.has(out) || p.roots.has(out)) return true;
    if (!stepInputs(s).every((slot) => folded.has(slot))) return true;
    const storage = p.traced[out];
    if (storage === null || storage === undefined) return true;
    bindings.set(out, { kind: 'const', storage });
    folded.add(out);
    return false;
  });
}

/** Removes steps whose results nothing uses. */
export function removeDead(p: Program): void {
  const live = new Set(p.roots);
  const keep: Step[] = [];
  for (let i = p.steps.length - 1; i >= 0; i--) {
    const s = p.steps[i]!;
    const out = stepOutput(s);
    const needed = s.kind === 'read' || (out !== null && live.has(out));
    if (!needed) continue;
    keep.push(s);
    for (const slot of stepInputs(s)) live.add(slot);
  }
  p.steps = keep.reverse();
}
