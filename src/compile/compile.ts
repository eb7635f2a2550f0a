/**
 * `compile(fn, { fullGraph })`: trace `fn` once per input signature into a
 * program of primitives and raw kernels (`program.ts`), then replay that
 * program (`replay.ts`) on later calls with the same signature.
 *
 * The signature: the arguments' structure, each tensor's dtype, backend,
 * shape, strides, offset and requiresGrad, the non-tensor arguments' values
 * (numbers, strings, booleans; objects by identity), and grad mode. On top
 * of it each program checks, before it runs, the `.grad`s it read on entry
 * (null or not, and their geometry) and its host guards (an optimizer's
 * state object per parameter is still the one traced). Numbers an optimizer
 * reads from its parameter groups and state (lr, betas, the step count) are
 * host scalars, recomputed at every call: a scheduler changing lr does not
 * retrace. Other numbers the function reads from JS objects are constants of
 * the program (change them and call `compile` again).
 *
 * `ADJOINT_COMPILE_DEBUG=1` logs each trace (its steps, what was fused, and
 * each graph break, once).
 */
import { AdjointError } from '../errors.js';
import { isGradEnabled } from '../autograd/index.js';
import { Tracer, withTracer } from '../ops/index.js';
import { Tensor, getRngState, type RngState } from '../tensor/index.js';
import { GraphBreakError } from './errors.js';
import { fuse } from './fuse.js';
import { buildProgram, type Program, type Step } from './program.js';
import { MISMATCH, guardsHold, replay } from './replay.js';

/** Options of `compile`. */
export interface CompileOptions {
  /**
   * Throw a `GraphBreakError` naming the op where the function reads a
   * tensor's values (`item()`, `toArray()`, `toTypedArray()`) or draws
   * random numbers, instead of splitting the program there (default false).
   */
  fullGraph?: boolean;
}

/** Programs kept per signature (variants for the values read at graph breaks). */
const MAX_VARIANTS = 8;

const debugOn = (): boolean => {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.ADJOINT_COMPILE_DEBUG === '1';
};

/**
 * `fn` traced once per input signature and replayed as one optimised program
 * (elementwise chains fused, dead ops removed, no autograd graph built, no
 * per-op checks). Works on pure functions (with `valueAndGrad`, `vjp`, `vmap`
 * inside) and on PyTorch-style training steps (`zeroGrad`, `backward`,
 * `step`): `.grad`s, parameters and optimizer state end as eager leaves them.
 * The first call with a signature runs `fn` eagerly (its results are the
 * eager ones). Results of later calls carry no autograd graph: differentiate
 * inside the compiled function.
 *
 * @example
 * const step = compile((x: Tensor, y: Tensor) => {
 *   opt.zeroGrad();
 *   const loss = F.mseLoss(model.forward(x), y);
 *   loss.backward();
 *   opt.step();
 *   return loss;
 * });
 * for (const [x, y] of batches) step(x, y).item();
 */
export function compile<A extends unknown[], R>(fn: (...args: A) => R, opts: CompileOptions = {}): (...args: A) => R {
  const fullGraph = opts.fullGraph ?? false;
  const cache = new Map<string, Program[]>();
  const logged = new Set<string>();
  const name = fn.name || 'anonymous';
  const log = (msg: string): void => {
    if (!debugOn() || logged.has(msg)) return;
    logged.add(msg);
    console.error(`[adjoint compile ${name}] ${msg}`);
  };

  const trace = (args: A, argTensors: Tensor[], key: string): R => {
    const tracer = new Tracer({ kernels: true });
    const versions0 = new Map<Tensor, number>();
    for (const x of argTensors) versions0.set(x._base ?? x, x.version);
    const rng0 = getRngState();
    const result = withTracer(tracer, () => {
      if (!fullGraph) return fn(...args);
      return withReadsRefused(tracer, () => fn(...args));
    });
    const prog = buildProgram({ argTensors, nodes: tracer.nodes, result, versions0 });
    let eager = prog.eager;
    if (prog.breaks.length > 0 && prog.hosts.some((h) => h.kind === 'effect')) {
      eager ??= 'a graph break after a change of JS state (an optimizer step) cannot be resumed';
    }
    if (!sameRng(rng0, getRngState())) {
      if (fullGraph) throw new GraphBreakError(name, 'the function draws random numbers (rand, randn, dropout...): a compiled program would repeat the same numbers every call; pass them in as arguments');
      eager ??= 'the function draws random numbers; a replay would repeat them';
    }
    const final: Program = eager === null ? prog : { ...prog, eager };
    if (final.eager === null) fuse(final);
    for (const b of final.breaks) log(`graph break: ${b}`);
    if (final.eager !== null) log(`runs eagerly: ${final.eager}`);
    if (debugOn()) log(`traced ${key}\n${describe(final)}`);
    const list = cache.get(key) ?? [];
    list.unshift(final);
    if (list.length > MAX_VARIANTS) list.pop();
    cache.set(key, list);
    return result as R;
  };

  return (...args: A): R => {
    const argTensors: Tensor[] = [];
    const key = signature(args, argTensors) + (isGradEnabled() ? '|grad' : '|nograd');
    const list = cache.get(key);
    if (list !== undefined) {
      for (const p of list) {
        if (p.eager !== null) {
          if (guardsHold(p)) return fn(...args);
          continue;
        }
        if (!guardsHold(p)) continue;
        const out = replay(p, argTensors, args);
        if (out !== MISMATCH) return out as R;
        break;
      }
    }
    return trace(args, argTensors, key);
  };
}

/** Runs `body` with value reads turned into `GraphBreakError`s. */
function withReadsRefused<T>(tracer: Tracer, body: () => T): T {
  const record = tracer._record.bind(tracer);
  tracer._record = (op, kind, inputs, params, outputs, children): void => {
    if (kind === 'read') {
      const x = inputs[0]!;
      throw new GraphBreakError(op, `fullGraph: the compiled function reads the values of a tensor of shape [${x.shape.join(', ')}] with ${op}() to decide what to compute; return the tensor instead, or compile without fullGraph (the read then splits the program)`);
    }
    record(op, kind, inputs, params, outputs, children);
  };
  return body();
}

function sameRng(a: RngState, b: RngState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const ids = new WeakMap<object, number>();
let nextId = 0;
function idOf(o: object): number {
  let i = ids.get(o);
  if (i === undefined) {
    i = nextId++;
    ids.set(o, i);
  }
  return i;
}

/** The signature string of the arguments; collects their tensors in walk order. */
function signature(v: unknown, tensors: Tensor[]): string {
  if (v instanceof Tensor) {
    const alias = tensors.findIndex((t) => t.storage === v.storage);
    tensors.push(v);
    return `T${v.dtype}@${v.backend}[${v.shape.join(',')}]/${v.strides.join(',')}+${v.offset}${v._requiresGrad ? 'g' : ''}${alias >= 0 ? `=${alias}` : ''}`;
  }
  if (Array.isArray(v)) return `(${v.map((x) => signature(x, tensors)).join(';')})`;
  if (typeof v === 'object' && v !== null) {
    if (Object.getPrototypeOf(v) === Object.prototype) {
      return `{${Object.entries(v).map(([k, x]) => `${k}:${signature(x, tensors)}`).join(';')}}`;
    }
    return `#${idOf(v)}`;
  }
  if (typeof v === 'function') return `f${idOf(v)}`;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || v === undefined || v === null) return `${typeof v}:${String(v)}`;
  throw new AdjointError('compile', `unsupported argument of type ${typeof v}`);
}

/** The debug log's listing of a program. */
function describe(p: Program): string {
  const ref = (r: { slot: number; shape: readonly number[] }): string => `%${r.slot}[${r.shape.join(',')}]`;
  const line = (s: Step): string => {
    switch (s.kind) {
      case 'prim': return `%${s.out} = ${s.prim}(${s.ins.map(ref).join(', ')})`;
      case 'raw': return `${s.out !== null ? `%${s.out} = ` : `%${s.writes} <- `}${s.name}(${s.args.map((a) => ('ref' in a ? ref(a.ref) : typeof a.value === 'object' ? '…' : String(a.value))).join(', ')})`;
      case 'fused': return `${s.outs.map((o) => `%${o}`).join(', ')} = fused[${s.kernel.ops.length} ops](${s.ins.map(ref).join(', ')})`;
      case 'read': return `read ${s.op}(${ref(s.ref)})  -- graph break`;
    }
  };
  const binds = [...p.bindings].map(([slot, b]) => `%${slot}: ${b.kind}${b.kind === 'arg' ? ` ${b.index}` : ''}`).join(', ');
  return [`inputs ${binds}`, ...p.steps.map((s) => `  ${line(s)}`), ...p.fusions.map((f) => `fused: ${f}`)].join('\n');
}
