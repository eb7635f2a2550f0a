/**
 * Lowering of a program's common primitive steps to straight backend calls:
 * what the rule's forward would do (`tensor/raw.ts`: broadcast the inputs'
 * views, pick the backend, call its kernel), worked out once per step when the
 * program first replays, so that a replay only fills in the storages. The
 * views are the step's own objects, reused by every call (the CPU backends
 * keep no view past a call).
 *
 * Lowered: the arithmetic binary ops (`rawBinary`), the elementwise unary
 * ops (`rawUnary`), `sum` (`rawReduce`) and `matmul` (`rawMatmul`), on the
 * CPU backends. Anything else (and every GPU step) replays through the rule's
 * forward. A binary (add, sub, mul, div), unary or matmul step of a float
 * dtype whose result nothing outside sees after the call can write into a
 * buffer planned once and reused by every call (`planned`): the backends'
 * `out` parameter, which gives the same values as a fresh result.
 */
import { backendOf, type Backend, type BinaryOp, type DType, type Storage } from '../backend/index.js';
import { broadcastShapes, contiguousStrides, isFloat, sameShape, sizeOf } from '../tensor/index.js';
import type { Program, Ref, Step } from './program.js';

/** The storages of a call, by slot. */
export type Bufs = (Storage | undefined)[];

/** One lowered step: reads its inputs' slots, sets its output's. */
export type Run = (bufs: Bufs) => void;

/** A view whose storage is filled in at each call. */
interface Slotted {
  storage: Storage;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

const NONE = { backend: 'js', dtype: 'float32', length: 0 } as const satisfies Storage;

const BINARY = new Set(['add', 'sub', 'mul', 'div', 'pow']);
/** Every backend binary op (what `binaryInto` may be asked). */
const BINARY_OPS = new Set<string>(['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'atan2', 'remainder', 'fmod']);
const UNARY = new Set(['neg', 'exp', 'log', 'sqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'abs', 'log1p', 'expm1', 'erf']);
/** Binary ops whose kernel may write into a planned buffer: correctly rounded on every path, so the path taken does not matter. */
const PLANNABLE = new Set(['add', 'sub', 'mul', 'div']);

/**
 * A result buffer of `n` elements of `dtype` kept across calls (a contiguous
 * view at offset 0), made again when the step's backend changes.
 */
class Planned {
  readonly view: Slotted;
  private on: Backend | null = null;
  constructor(private readonly dtype: DType, private readonly n: number, shape: readonly number[]) {
    this.view = { storage: NONE, shape, strides: contiguousStrides(shape), offset: 0 };
  }

  /** The buffer, on `be`. */
  at(be: Backend): Slotted {
    if (this.on !== be) {
      this.on = be;
      this.view.storage = be.alloc(this.dtype, this.n);
    }
    return this.view;
  }
}

/** `r` as a view broadcast to `shape` (`expandView`: stride 0 on new and size-1 dims). */
function slotted(r: Ref, shape: readonly number[] = r.shape): Slotted {
  if (sameShape(r.shape, shape)) return { storage: NONE, shape: r.shape, strides: r.strides, offset: r.offset };
  const lead = shape.length - r.shape.length;
  const strides = shape.map((n, i) => (i < lead ? 0 : r.shape[i - lead] === n ? r.strides[i - lead]! : 0));
  return { storage: NONE, shape, strides, offset: r.offset };
}

const cpu = (p: Program, slots: readonly number[]): boolean => slots.every((s) => {
  const t = p.traced[s];
  return t !== null && t !== undefined && t.backend !== 'webgpu';
});

/**
 * The lowered form of a primitive step, or null when it replays through its
 * rule. `planned`: the step's result is seen by nothing outside the call, so
 * a binary, unary or matmul kernel may write it into a buffer kept across calls.
 *
 * @example
 * const run = lowerStep(prog, step, !prog.roots.has(step.out));
 * if (run !== null) run(bufs);
 */
export function lowerStep(p: Program, s: Step & { kind: 'prim' }, planned: boolean): Run | null {
  const out = s.out;
  const traced = p.traced[out];
  if (traced === null || traced === undefined || !cpu(p, [out, ...s.ins.map((r) => r.slot)])) return null;
  if (BINARY.has(s.prim) && s.ins.length === 2) {
    const op = s.prim as 'add' | 'sub' | 'mul' | 'div' | 'pow';
    const [ra, rb] = s.ins as [Ref, Ref];
    const shape = broadcastShapes(op, ra.shape, rb.shape);
    const a = slotted(ra, shape);
    const b = slotted(rb, shape);
    const dtype = p.traced[ra.slot]!.dtype; // rawBinary's default: the first input's
    const [sa, sb] = [ra.slot, rb.slot];
    if (planned && PLANNABLE.has(op) && isFloat(dtype)) {
      const o = new Planned(dtype, sizeOf(shape), shape);
      return (bufs) => {
        a.storage = bufs[sa]!;
        b.storage = bufs[sb]!;
        const be = backendOf(a);
        bufs[out] = be.binary(op, a, b, dtype, o.at(be));
        a.storage = b.storage = NONE; // holds no storage past the call
      };
    }
    return (bufs) => {
      a.storage = bufs[sa]!;
      b.storage = bufs[sb]!;
      bufs[out] = backendOf(a).binary(op, a, b, dtype);
      a.storage = b.storage = NONE;
    };
  }
  if (UNARY.has(s.prim) && s.ins.length === 1) {
    const op = s.prim as 'neg' | 'exp';
    const x = slotted(s.ins[0]!);
    const sx = s.ins[0]!.slot;
    const dtype: DType = p.traced[sx]!.dtype;
    if (planned && isFloat(dtype)) {
      const o = new Planned(dtype, sizeOf(x.shape), x.shape);
      return (bufs) => {
        x.storage = bufs[sx]!;
        const be = backendOf(x);
        bufs[out] = be.unary(op, x, dtype, o.at(be));
        x.storage = NONE;
      };
    }
    return (bufs) => {
      x.storage = bufs[sx]!;
      bufs[out] = backendOf(x).unary(op, x, dtype);
      x.storage = NONE;
    };
  }
  if (s.prim === 'sum' && s.ins.length === 1) {
    const { dims } = s.p as { dims: readonly number[] };
    const x = slotted(s.ins[0]!);
    const sx = s.ins[0]!.slot;
    const xd = p.traced[sx]!.dtype;
    const dtype: DType = xd === 'bool' ? 'int32' : xd;
    return (bufs) => {
      x.storage = bufs[sx]!;
      bufs[out] = backendOf(x).reduce('sum', x, dims, dtype);
      x.storage = NONE;
    };
  }
  if (s.prim === 'matmul' && s.ins.length === 2) {
    const [ra, rb] = s.ins as [Ref, Ref];
    const na = ra.shape.length;
    const nb = rb.shape.length;
    if (na < 2 || nb < 2) return null;
    const batch = broadcastShapes('matmul', ra.shape.slice(0, -2), rb.shape.slice(0, -2));
    const a = slotted(ra, [...batch, ra.shape[na - 2]!, ra.shape[na - 1]!]);
    const b = slotted(rb, [...batch, rb.shape[nb - 2]!, rb.shape[nb - 1]!]);
    const dtype = p.traced[ra.slot]!.dtype;
    const [sa, sb] = [ra.slot, rb.slot];
    if (planned && isFloat(dtype)) {
      const shape = [...batch, ra.shape[na - 2]!, rb.shape[nb - 1]!];
      const o = new Planned(dtype, sizeOf(shape), shape);
      return (bufs) => {
        a.storage = bufs[sa]!;
        b.storage = bufs[sb]!;
        const be = backendOf(a);
        bufs[out] = be.matmul(a, b, dtype, o.at(be));
        a.storage = b.storage = NONE;
      };
    }
    return (bufs) => {
      a.storage = bufs[sa]!;
      b.storage = bufs[sb]!;
      bufs[out] = backendOf(a).matmul(a, b, dtype);
      a.storage = b.storage = NONE;
    };
  }
  return null;
}

/**
 * The lowered form of a raw step, or null when it replays as recorded:
 * `binaryInto(op, a, b, dst)` (an in-place `add_`, `sub_`... not fused) on
 * the CPU backends, as `raw.binaryInto` runs it.
 *
 * @example
 * const run = lowerRaw(prog, step);
 */
export function lowerRaw(p: Program, s: Step & { kind: 'raw' }): Run | null {
  if (s.name !== 'binaryInto' || s.args.length !== 4) return null;
  const [op, ra, rb, rd] = s.args;
  if (!('value' in op!) || typeof op.value !== 'string' || !BINARY_OPS.has(op.value)) return null;
  if (!('ref' in ra!) || !('ref' in rb!) || !('ref' in rd!)) return null;
  const slots = [ra.ref.slot, rb.ref.slot, rd.ref.slot];
  if (!cpu(p, slots)) return null;
  const name = op.value as BinaryOp;
  const d = slotted(rd.ref);
  const a = slotted(ra.ref);
  const b = slotted(rb.ref, d.shape);
  const dtype = p.traced[rd.ref.slot]!.dtype;
  const [sa, sb, sd] = slots as [number, number, number];
  return (bufs) => {
    d.storage = bufs[sd]!;
    a.storage = bufs[sa]!;
    b.storage = bufs[sb]!;
    backendOf(d).binary(name, a, b, dtype, d);
    a.storage = b.storage = d.storage = NONE;
  };
}
