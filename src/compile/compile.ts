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
 * A call with the very tensors (and plain values) of the previous call, with
 * the same requiresGrad and grad mode, reuses that call's signature without
 * rebuilding it. A compiled function called while another trace records
 * (inside another compiled function, an export) runs as written, so that the
 * outer trace records its ops.
 *
 * `ADJOINT_COMPILE_DEBUG=1` logs each trace (its steps, what was fused, and
 * each graph break, once).
 */
import { AdjointError } from '../errors.js';
import { isGradEnabled } from '../autograd/index.js';
import { Tracer, withTracer } from '../ops/index.js';
import { ACTIVE_TRACER } from '../ops/trace.js';
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
    // Each tensor's version when the trace first sees it (the arguments: at the call), so that a replay bumps
    // the versions of the tensors it writes in place (captured ones too) as the traced call did.
    const versions0 = new Map<Tensor, number>();
    for (const x of argTensors) versions0.set(x._base ?? x, x.version);
    const record = tracer._record.bind(tracer);
    tracer._record = (op, kind, inputs, params, outputs, children): void => {
      // A node is recorded after its kernel ran and before the in-place op that ran it bumps the version.
      for (const x of inputs) if (x !== null && !versions0.has(x._base ?? x)) versions0.set(x._base ?? x, x.version);
      record(op, kind, inputs, params, outputs, children);
    };
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

  /** The last call whose arguments are all tensors or plain values: the same ones again have its signature. */
  let last: LastCall | null = null;

  return (...args: A): R => {
    // Under another trace (a compiled function calling this one, an export), run the function itself:
    // the outer trace records its ops (a replay's kernels would be invisible to it).
    if (ACTIVE_TRACER !== null) return fn(...args);
    const grad = isGradEnabled();
    let argTensors: Tensor[];
    let key: string;
    if (last !== null && sameCall(last, args, grad)) {
      ({ argTensors, key } = last);
    } else {
      argTensors = [];
      key = signature(args, argTensors) + (grad ? '|grad' : '|nograd');
      last = memo(args, argTensors, grad, key);
    }
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

/** A call's arguments and their signature (see `sameCall`). */
interface LastCall {
  readonly args: readonly unknown[];
  readonly requiresGrad: readonly boolean[];
  readonly grad: boolean;
  readonly argTensors: Tensor[];
  readonly key: string;
}

const plainValue = (v: unknown): boolean => v === null || v === undefined || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';

/** The call as a `LastCall` when its arguments are tensors and plain values only (objects' contents may change), else null. */
function memo(args: readonly unknown[], argTensors: Tensor[], grad: boolean, key: string): LastCall | null {
  const requiresGrad: boolean[] = [];
  for (const a of args) {
    if (a instanceof Tensor) requiresGrad.push(a._requiresGrad);
    else if (plainValue(a)) requiresGrad.push(false);
    else return null;
  }
  return { args: args.slice(), requiresGrad, grad, argTensors, key };
}

/**
 * Whether `args` are the last call's (the same tensors, by identity, with the
 * same requiresGrad; the same plain values; the same grad mode): then their
 * signature is the last one (a tensor's geometry and storage never change).
 */
function sameCall(m: LastCall, args: readonly unknown[], grad: boolean): boolean {
  if (m.grad !== grad || m.args.length !== args.length) return false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!Object.is(a, m.args[i])) return false;
    if (a instanceof Tensor && a._requiresGrad !== m.requiresGrad[i]) return false;
  }
  return true;
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

/** Each tensor's geometry in a signature (a tensor's dtype, backend, shape, strides and offset never change). */
const geometryKeys = new WeakMap<Tensor, string>();

/** The signature string of the arguments; collects their tensors in walk order. */
function signature(v: unknown, tensors: Tensor[]): string {
  if (v instanceof Tensor) {
    let alias = -1;
    for (let i = 0; i < tensors.length; i++) {
      if (tensors[i]!.storage === v.storage) {
        alias = i;
        break;
      }
    }
    tensors.push(v);
    let g = geometryKeys.get(v);
    if (g === undefined) {
      g = `T${v.dtype}@${v.backend}[${v.shape.join(',')}]/${v.strides.join(',')}+${v.offset}`;
      geometryKeys.set(v, g);
    }
    return alias >= 0 ? `${g}${v._requiresGrad ? 'g' : ''}=${alias}` : v._requiresGrad ? `${g}g` : g;
  }
  if (Array.isArray(v)) {
    let s = '(';
    for (let i = 0; i < v.length; i++) s += (i > 0 ? ';' : '') + signature(v[i], tensors);
    return `${s})`;
  }
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
      case 'fused': return `${s.outs.map((o, j) => (s.inPlace[j] ? `%${o} <-` : `%${o}`)).join(', ')}${s.inPlace.every((x) => x) ? '' : ' ='} fused[${s.kernel.ops.length} ops](${s.ins.map(ref).join(', ')})`;
      case 'read': return `read ${s.op}(${ref(s.ref)})  -- graph break`;
    }
  };
  const binds = [...p.bindings].map(([slot, b]) => `%${slot}: ${b.kind}${b.kind === 'arg' ? ` ${b.index}` : ''}`).join(', ');
  return [`inputs ${binds}`, ...p.steps.map((s) => `  ${line(s)}`), ...p.fusions.map((f) => `fused: ${f}`)].join('\n');
}
