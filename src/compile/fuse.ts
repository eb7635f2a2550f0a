/**
 * Fusion: runs of consecutive elementwise primitives on one CPU backend, of
 * one float dtype and one output shape, become one generated loop (one pass
 * over memory, no intermediate buffers for results used only inside the
 * run). Each op is rounded to the dtype as the unfused kernels round it
 * (`Math.fround` per op for float32), so results are the unfused ones.
 *
 * Inputs a loop reads: contiguous views of the output's shape, or one
 * element broadcast (a scalar). Other geometries end a run.
 */
import { sizeOf, type Tensor } from '../tensor/index.js';
import type { FusedKernel, Program, Ref, Step } from './program.js';

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

/** Generated loops so far (each gets its own name in profiles). */
let fusedCount = 0;

/** Smallest run worth a generated loop. */
const MIN_RUN = 2;

const contiguousOf = (r: Ref, shape: readonly number[]): boolean => {
  if (r.shape.length !== shape.length) return false;
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (r.shape[i] !== shape[i]) return false;
    if (shape[i] !== 1 && r.strides[i] !== s) return false;
    s *= shape[i]!;
  }
  return true;
};
const isScalar = (r: Ref): boolean => r.shape.every((n, i) => n === 1 || r.strides[i] === 0);

/**
 * Fuses the program's elementwise runs in place (CPU backends only) and
 * notes each fusion in `p.fusions`.
 *
 * @example
 * fuse(prog);
 */
export function fuse(p: Program): void {
  const uses = new Map<number, number>(); // last step index reading each slot
  p.steps.forEach((s, i) => {
    for (const slot of inputsOf(s)) uses.set(slot, i);
  });
  const roots = rootsOf(p);
  const out: Step[] = [];
  let run: { step: Step & { kind: 'prim' }; index: number }[] = [];
  const flush = (): void => {
    if (run.length >= MIN_RUN) out.push(...emit(p, run, uses, roots));
    else out.push(...run.map((r) => r.step));
    run = [];
  };
  p.steps.forEach((s, i) => {
    const ok = fusable(p, s, run.length > 0 ? run[0]!.step : null);
    if (!ok) {
      flush();
      out.push(s);
      return;
    }
    run.push({ step: s as Step & { kind: 'prim' }, index: i });
  });
  flush();
  p.steps = out;
}

function inputsOf(s: Step): number[] {
  if (s.kind === 'raw') return s.args.flatMap((a) => ('ref' in a ? [a.ref.slot] : []));
  if (s.kind === 'read') return [s.ref.slot];
  return s.ins.map((r) => r.slot);
}

function rootsOf(p: Program): Set<number> {
  const live = new Set<number>(p.externalWrites);
  const walk = (o: Program['out']): void => {
    if ('ref' in o) live.add(o.ref.slot);
    else if ('array' in o) o.array.forEach(walk);
    else if ('object' in o) o.object.forEach(([, v]) => walk(v));
  };
  walk(p.out);
  for (const e of p.gradEffects) if (e.ref !== null) live.add(e.ref.slot);
  return live;
}

/** The traced output tensor geometry of a prim step: contiguous of the broadcast shape. */
function outShape(s: Step & { kind: 'prim' }): readonly number[] {
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

function fusable(p: Program, s: Step, head: (Step & { kind: 'prim' }) | null): boolean {
  if (s.kind !== 'prim' || !(s.prim in UNARY || s.prim in BINARY)) return false;
  const storage = p.traced[s.out];
  if (storage === null || storage === undefined || storage.backend === 'webgpu') return false;
  if (storage.dtype !== 'float32' && storage.dtype !== 'float64') return false;
  const shape = outShape(s);
  if (head !== null) {
    const h = p.traced[head.out]!;
    if (h.dtype !== storage.dtype || h.backend !== storage.backend) return false;
    const hs = outShape(head);
    if (hs.length !== shape.length || hs.some((n, i) => n !== shape[i])) return false;
  }
  return s.ins.every((r) => {
    const st = p.traced[r.slot];
    return (st === null || st === undefined || (st.dtype === storage.dtype && st.backend !== 'webgpu')) && (contiguousOf(r, shape) || isScalar(r));
  });
}

function emit(p: Program, run: { step: Step & { kind: 'prim' }; index: number }[], uses: Map<number, number>, roots: Set<number>): Step[] {
  const last = run[run.length - 1]!.index;
  const made = new Map<number, string>(); // slot → local variable
  const inputs: Ref[] = [];
  const inputKey = new Map<string, number>();
  const head: string[] = [];
  const body: string[] = [];
  const dtype = p.traced[run[0]!.step.out]!.dtype as 'float32' | 'float64';
  const shape = outShape(run[0]!.step);
  const round = dtype === 'float32' ? (e: string): string => `Math.fround(${e})` : (e: string): string => e;
  const operand = (r: Ref): string => {
    const local = made.get(r.slot);
    if (local !== undefined) return local;
    const scalar = !contiguousOf(r, shape);
    const key = `${r.slot}/${scalar ? 's' : 'c'}/${r.offset}`;
    let k = inputKey.get(key);
    if (k === undefined) {
      k = inputs.length;
      inputKey.set(key, k);
      inputs.push(r);
      head.push(scalar ? `const s${k} = I[${k}][${r.offset}];` : `const a${k} = I[${k}];`);
    }
    return scalar ? `s${k}` : `a${k}[${r.offset === 0 ? 'i' : `i + ${r.offset}`}]`;
  };
  const outs: number[] = [];
  const ops: string[] = [];
  run.forEach(({ step }, j) => {
    const args = step.ins.map(operand);
    const e = step.ins.length === 1 ? UNARY[step.prim]!(args[0]!) : BINARY[step.prim]!(args[0]!, args[1]!);
    body.push(`const t${j} = ${round(e)};`);
    made.set(step.out, `t${j}`);
    ops.push(step.prim);
    if (roots.has(step.out) || (uses.get(step.out) ?? -1) > last) outs.push(step.out);
  });
  const n = sizeOf(shape);
  const stores = outs.map((slot, k) => `O[${k}][i] = ${made.get(slot)!};`);
  const source = `${head.join('\n')}\nfor (let i = 0; i < ${n}; i++) {\n${body.join('\n')}\n${stores.join('\n')}\n}`;
  // Named for profilers and stack traces (the loop has no file of its own).
  const named = `${source}\n//# sourceURL=adjoint-compile-fused-${++fusedCount}.js`;
  const fn = new Function('O', 'I', named) as (o: unknown[], i: unknown[]) => void;
  p.fusions.push(`${ops.length} ops [${summarize(ops)}] over [${shape.join(', ')}] ${dtype} -> one loop, ${inputs.length} inputs, ${outs.length} outputs`);
  const kernel: FusedKernel = { ops, run: fn as unknown as FusedKernel['run'], size: n, dtype, source };
  return [{ kind: 'fused', kernel, ins: inputs, outs }];
}

function summarize(ops: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const o of ops) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts].map(([o, c]) => `${o}×${c}`).join(' ');
}

export type { Tensor };
