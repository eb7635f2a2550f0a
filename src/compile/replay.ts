/**
 * Running a program: bind the slots, run the steps (primitive forwards and
 * raw kernels, straight: no autograd graph, no validation, no dispatch),
 * apply the effects (`.grad`s, version counters), build the result.
 */
import type { Storage, TypedArray } from '../backend/index.js';
import { ruleOf, type Primitive, type Rule } from '../ops/index.js';
import { Tensor, raw } from '../tensor/index.js';
import type { OutTree, Program, Ref } from './program.js';

/** The replay could not finish: a value read differs from the traced one (retrace). */
export const MISMATCH = Symbol('mismatch');

/** The buffers a fused step keeps across calls (null: allocated per call, the result is seen outside). */
const PLANNED = new WeakMap<object, (Storage | null)[]>();

const view = (bufs: readonly (Storage | undefined)[], r: Ref): Tensor => new Tensor(bufs[r.slot]!, r.shape, r.strides, r.offset);

/**
 * Whether the state outside the arguments still matches the trace: host
 * guards (optimizer state objects), `.grad`s on entry.
 *
 * @example
 * if (guardsHold(prog)) replay(prog, args);
 */
export function guardsHold(p: Program): boolean {
  for (const g of p.guards) if (!g()) return false;
  for (const { owner, entry } of p.grads) {
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
  const bufs: (Storage | undefined)[] = new Array<Storage | undefined>(p.nSlots);
  for (const [slot, b] of p.bindings) {
    if (b.kind === 'const') bufs[slot] = b.storage;
    else if (b.kind === 'arg') bufs[slot] = args[b.index]!.storage;
    else if (b.kind === 'grad') bufs[slot] = b.owner._grad!.storage;
  }
  for (const h of p.hosts) {
    if (h.kind === 'effect') h.run();
    else bufs[h.slot] = raw.fromValues([h.compute()], [], h.like.dtype, h.like.backend).storage;
  }
  for (const s of p.steps) {
    switch (s.kind) {
      case 'prim': {
        const rule = ruleOf(s.prim) as Rule<Primitive>;
        const xs = s.ins.map((r) => view(bufs, r));
        bufs[s.out] = rule.forward(xs, s.p).storage;
        break;
      }
      case 'raw': {
        const a = s.args.map((x) => ('ref' in x ? view(bufs, x.ref) : x.value));
        const y = (s.fn as (...v: unknown[]) => unknown)(...a);
        if (s.out !== null) bufs[s.out] = (y as Tensor).storage;
        break;
      }
      case 'fused': {
        const k = s.kernel;
        const on = bufs[s.ins[0]!.slot]!.backend;
        let kept = PLANNED.get(s);
        if (kept === undefined) {
          kept = s.outs.map(() => null);
          PLANNED.set(s, kept);
        }
        for (let j = 0; j < s.outs.length; j++) {
          // Buffers of results nothing outside sees are planned once and reused by every call.
          const slot = s.outs[j]!;
          const o = kept[j] ?? raw.filled([k.sizes[j]!], k.dtype, 0, on).storage;
          if (!p.roots.has(slot)) kept[j] = o;
          bufs[slot] = o;
        }
        k.run(s.outs.map((slot) => bufs[slot]!), s.ins.map((r) => bufs[r.slot]!));
        break;
      }
      case 'read': {
        const now = view(bufs, s.ref);
        const v = raw.copyAs(now).storage as unknown as { data: TypedArray };
        for (let i = 0; i < s.values.length; i++) if (!Object.is(v.data[i], s.values[i])) return MISMATCH;
        break;
      }
    }
  }
  for (const e of p.gradEffects) e.owner._grad = e.ref !== null ? view(bufs, e.ref) : e.external;
  for (const b of p.bumps) b.tensor._v += b.by;
  return build(p.out, bufs, other);
}

function build(o: OutTree, bufs: readonly (Storage | undefined)[], other: readonly unknown[]): unknown {
  if ('ref' in o) return view(bufs, o.ref);
  if ('array' in o) return o.array.map((x) => build(x, bufs, other));
  if ('object' in o) return Object.fromEntries(o.object.map(([k, v]) => [k, build(v, bufs, other)]));
  return o.value;
}
