/**
 * Running a program: bind the slots, run the steps (primitive forwards and
 * raw kernels, straight: no autograd graph, no validation, no dispatch),
 * apply the effects (`.grad`s, version counters), build the result.
 *
 * What can be worked out once is, at the program's first replay (its plan):
 * each step becomes one function over the call's slot array (common
 * primitives lowered to backend calls, `lower.ts`); bindings become flat
 * lists; buffers of results nothing outside sees after a call (fused loops'
 * outputs, binary kernels' results) are allocated once and reused by every
 * call. Such a buffer is never a traced storage (the first call's results)
 * and never reaches a result, a `.grad` or a tensor outside: each call
 * overwrites it before reading it.
 */
import type { Storage, TypedArray } from '../backend/index.js';
import { ruleOf, type Primitive, type Rule } from '../ops/index.js';
import { Tensor, raw } from '../tensor/index.js';
import { lowerRaw, lowerStep, type Bufs } from './lower.js';
import type { OutTree, Program, Ref, Step } from './program.js';

/** The replay could not finish: a value read differs from the traced one (retrace). */
export const MISMATCH = Symbol('mismatch');

/** One step of a plan: false when a graph break read another value than the traced one. */
type Run = (bufs: Bufs) => boolean | void;

/** What a program's replays share: the steps as functions, the bindings as flat lists, a slot array. */
interface Plan {
  readonly runs: readonly Run[];
  readonly constSlots: readonly number[];
  readonly constStorages: readonly Storage[];
  readonly argSlots: readonly number[];
  readonly argIndex: readonly number[];
  readonly gradSlots: readonly number[];
  readonly gradOwners: readonly Tensor[];
  /** The slot array, kept between calls (null while a call uses it). */
  bufs: Bufs | null;
}

const PLANS = new WeakMap<Program, Plan>();
const NO_STORAGE: Storage = { backend: 'js', dtype: 'float32', length: 0 };

const view = (bufs: readonly (Storage | undefined)[], r: Ref): Tensor => new Tensor(bufs[r.slot]!, r.shape, r.strides, r.offset);

/**
 * Whether the state outside the arguments still matches the trace: host
 * guards (optimizer state objects), `.grad`s on entry.
 *
 * @example
 * if (guardsHold(prog)) replay(prog, args);
 */
export function guardsHold(p: Program): boolean {
  const guards = p.guards;
  for (let i = 0; i < guards.length; i++) if (!guards[i]!()) return false;
  const grads = p.grads;
  for (let i = 0; i < grads.length; i++) {
    const { owner, entry } = grads[i]!;
    const g = owner._grad;
    if (entry === null) {
      if (g !== null) return false;
    } else if (g === null || g.dtype !== entry.dtype || g.backend !== entry.backend || g.offset !== entry.offset ||
      !same(g.shape, entry.shape) || !same(g.strides, entry.strides)) return false;
  }
  return true;
}

function same(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Runs `p` on the argument tensors (in trace walk order); returns the result
 * with tensors rebuilt, or `MISMATCH` when a graph break read a value other
 * than the traced one (nothing outside was written: see `Program.eager`).
 *
 * @example
 * const out = replay(prog, [x]);
 */
export function replay(p: Program, args: readonly Tensor[], other: readonly unknown[]): unknown {
  let plan = PLANS.get(p);
  if (plan === undefined) {
    plan = planOf(p);
    PLANS.set(p, plan);
  }
  // A call made while another uses the slot array (a host computation calling back) gets its own.
  const bufs = plan.bufs ?? new Array<Storage | undefined>(p.nSlots);
  plan.bufs = null;
  try {
    return run(p, plan, bufs, args, other);
  } finally {
    bufs.fill(undefined); // keeps no storage alive between calls
    plan.bufs = bufs;
  }
}

function run(p: Program, plan: Plan, bufs: Bufs, args: readonly Tensor[], other: readonly unknown[]): unknown {
  const { constSlots, constStorages, argSlots, argIndex, gradSlots, gradOwners, runs } = plan;
  for (let i = 0; i < constSlots.length; i++) bufs[constSlots[i]!] = constStorages[i];
  for (let i = 0; i < argSlots.length; i++) bufs[argSlots[i]!] = args[argIndex[i]!]!.storage;
  for (let i = 0; i < gradSlots.length; i++) bufs[gradSlots[i]!] = gradOwners[i]!._grad!.storage;
  const hosts = p.hosts;
  for (let i = 0; i < hosts.length; i++) {
    const h = hosts[i]!;
    if (h.kind === 'effect') h.run();
    else bufs[h.slot] = raw.fromValues([h.compute()], [], h.like.dtype, h.like.backend).storage;
  }
  for (let i = 0; i < runs.length; i++) if (runs[i]!(bufs) === false) return MISMATCH;
  for (const e of p.gradEffects) e.owner._grad = e.ref !== null ? view(bufs, e.ref) : e.external;
  for (const b of p.bumps) b.tensor._v += b.by;
  return build(p.out, bufs, other);
}

/** The plan of `p` (built at its first replay). */
function planOf(p: Program): Plan {
  const constSlots: number[] = [];
  const constStorages: Storage[] = [];
  const argSlots: number[] = [];
  const argIndex: number[] = [];
  const gradSlots: number[] = [];
  const gradOwners: Tensor[] = [];
  for (const [slot, b] of p.bindings) {
    if (b.kind === 'const') {
      constSlots.push(slot);
      constStorages.push(b.storage);
    } else if (b.kind === 'arg') {
      argSlots.push(slot);
      argIndex.push(b.index);
    } else if (b.kind === 'grad') {
      gradSlots.push(slot);
      gradOwners.push(b.owner);
    }
  }
  const runs = p.steps.map((s) => stepRun(p, s));
  return { runs, constSlots, constStorages, argSlots, argIndex, gradSlots, gradOwners, bufs: null };
}

function stepRun(p: Program, s: Step): Run {
  switch (s.kind) {
    case 'prim': {
      const lowered = lowerStep(p, s, !p.roots.has(s.out));
      if (lowered !== null) return lowered;
      const rule = ruleOf(s.prim) as Rule<Primitive>;
      const { ins, out } = s;
      return (bufs) => {
        bufs[out] = rule.forward(ins.map((r) => view(bufs, r)), s.p).storage;
      };
    }
    case 'raw': {
      const lowered = lowerRaw(p, s);
      if (lowered !== null) return lowered;
      const fn = s.fn as (...v: unknown[]) => unknown;
      const { args, out } = s;
      return (bufs) => {
        const y = fn(...args.map((x) => ('ref' in x ? view(bufs, x.ref) : x.value)));
        if (out !== null) bufs[out] = (y as Tensor).storage;
      };
    }
    case 'fused':
      return fusedRun(p, s);
    case 'read':
      return (bufs) => {
        const v = raw.copyAs(view(bufs, s.ref)).storage as unknown as { data: TypedArray };
        for (let i = 0; i < s.values.length; i++) if (!Object.is(v.data[i], s.values[i])) return false;
        return true;
      };
  }
}

/**
 * A fused loop: its outputs written in place go to their slots' storages;
 * the others to buffers planned once (reused by every call) unless a result
 * or an effect shows them outside (then a new one per call).
 */
function fusedRun(p: Program, s: Step & { kind: 'fused' }): Run {
  const k = s.kernel;
  const { outs, inPlace } = s;
  const inSlots = s.ins.map((r) => r.slot);
  const kept: (Storage | null)[] = outs.map(() => null);
  const keep = outs.map((slot) => !p.roots.has(slot));
  const O = new Array<Storage>(outs.length);
  const I = new Array<Storage>(inSlots.length);
  return (bufs) => {
    const on = bufs[inSlots[0]!]!.backend;
    for (let j = 0; j < outs.length; j++) {
      const slot = outs[j]!;
      if (inPlace[j]) {
        O[j] = bufs[slot]!;
        continue;
      }
      let o = kept[j]!;
      if (o === null || o.backend !== on) {
        o = raw.filled([k.sizes[j]!], k.dtype, 0, on).storage;
        if (keep[j]) kept[j] = o;
      }
      bufs[slot] = o;
      O[j] = o;
    }
    for (let j = 0; j < inSlots.length; j++) I[j] = bufs[inSlots[j]!]!;
    k.run(O, I);
    O.fill(NO_STORAGE);
    I.fill(NO_STORAGE);
  };
}

function build(o: OutTree, bufs: readonly (Storage | undefined)[], other: readonly unknown[]): unknown {
  if ('ref' in o) return view(bufs, o.ref);
  if ('array' in o) return o.array.map((x) => build(x, bufs, other));
  if ('object' in o) return Object.fromEntries(o.object.map(([k, v]) => [k, build(v, bufs, other)]));
  return o.value;
}
