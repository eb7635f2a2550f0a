/**
 * Tracing: records the ops a function runs, for exporters and compilers.
 *
 * While a `Tracer` is active (`withTracer`), `apply` reports every primitive
 * application to it (one check of a module-level variable when none is).
 * A composite that has a meaning of its own (a convolution, a softmax...)
 * wraps its body in `traced(name, attrs, inputs, body)`: the tracer records
 * one node for it, holding the primitives of its body as `children`, so a
 * consumer can take the composite as a whole or fall back to its parts.
 * Nothing here knows about ONNX or any other format.
 */
import { HOOKS, raw, type Tensor, type TensorHooks } from '../tensor/index.js';

/** One recorded application: a primitive, or a composite declared with `traced`. */
export interface TraceNode {
  /** The primitive's or the composite's name (`'add'`, `'conv2d'`). */
  readonly op: string;
  /**
   * Whether `op` is a primitive of the rule table or a composite; with
   * `kernels` also `'raw'` (a raw kernel call outside any primitive: `op`
   * the function's name, `params.fn` the function, `params.args` its
   * arguments), `'gradRead'` / `'gradWrite'` (`inputs[0].grad` read or set:
   * the value in `outputs`, empty for null), `'read'` (a synchronous read of
   * `inputs[0]`'s values by `params.op`), `'host'` (a number computed by
   * `params.compute`, held in the 0-d `outputs[0]`), `'hostEffect'` (JS state
   * changed by `params.run`) and `'hostGuard'` (`params.check` must stay true).
   */
  readonly kind: 'primitive' | 'composite' | 'raw' | 'gradRead' | 'gradWrite' | 'read' | 'host' | 'hostEffect' | 'hostGuard';
  /** The inputs (null: an optional input left out, e.g. a conv without bias). */
  readonly inputs: readonly (Tensor | null)[];
  /** The primitive's params, or the composite's attributes. */
  readonly params: Readonly<Record<string, unknown>>;
  /** The outputs. */
  readonly outputs: readonly Tensor[];
  /** For a composite, the nodes its body recorded (in order); null for a primitive. */
  readonly children: readonly TraceNode[] | null;
  /** The scopes (`Tracer.withScope`) open when the node was recorded, outermost first. */
  readonly scope: readonly string[];
  /** The call stack when the node was recorded (with `captureStacks`), else null. */
  readonly stack: string | null;
}

/** Options of a `Tracer`. */
export interface TracerOptions {
  /** Record the call stack of every top-level node (for error messages; default false). */
  captureStacks?: boolean;
  /**
   * Record what runs on memory, flat (default false): composites are not
   * nested (their primitives are top-level nodes), a primitive batched by
   * vmap is recorded as the primitives its batching rule runs (not also as
   * itself), and raw kernel calls outside primitives, `.grad` accesses,
   * value reads and host values (`hostScalar`, `hostEffect`, `hostGuard`) are
   * nodes too. What a compiler needs to replay a function.
   */
  kernels?: boolean;
}

/**
 * Collects the nodes of one trace. Activate it with `withTracer`.
 *
 * @example
 * const t = new Tracer();
 * const y = withTracer(t, () => add(x, 1));
 * t.nodes.map((n) => n.op); // ['add']
 */
export class Tracer {
  /** The top-level nodes, in execution order. */
  readonly nodes: TraceNode[] = [];
  private readonly scopes: string[] = [];
  private frames: TraceNode[][] = [];
  private readonly stacks: boolean;
  /** Whether this tracer records kernels (see `TracerOptions.kernels`). */
  readonly kernels: boolean;
  /** @internal Depth of primitive forwards running (their raw kernels are not recorded). */
  _inForward = 0;

  constructor(opts: TracerOptions = {}) {
    this.stacks = opts.captureStacks ?? false;
    this.kernels = opts.kernels ?? false;
    this.frames.push(this.nodes);
  }

  /**
   * Runs `fn` with `name` pushed on the scope stack (e.g. a module's path).
   *
   * @example
   * tracer.withScope('features.3', () => layer.forward(x));
   */
  withScope<T>(name: string, fn: () => T): T {
    this.scopes.push(name);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** @internal Records one node into the innermost open frame. */
  _record(op: string, kind: TraceNode['kind'], inputs: readonly (Tensor | null)[], params: Readonly<Record<string, unknown>>, outputs: readonly Tensor[], children: readonly TraceNode[] | null): void {
    const frame = this.frames[this.frames.length - 1]!;
    const top = this.frames.length === 1;
    const stack = this.stacks && top ? (new Error().stack ?? null) : null;
    frame.push({ op, kind, inputs: inputs.slice(), params, outputs, children, scope: this.scopes.slice(), stack });
  }

  /** @internal Opens a frame for the body of a composite. */
  _open(): void {
    this.frames.push([]);
  }

  /** @internal Closes the innermost frame and returns its nodes. */
  _close(): TraceNode[] {
    return this.frames.pop()!;
  }
}

/** The active tracer (read by `apply`); null when not tracing. */
export let ACTIVE_TRACER: Tracer | null = null;

/** The tensor hooks of a kernel tracer: raw calls, `.grad` accesses and reads become nodes. */
function hooksOf(t: Tracer): TensorHooks {
  const tensorsIn = (args: readonly unknown[]): Tensor[] => args.filter((a): a is Tensor => typeof a === 'object' && a !== null && 'storage' in a && 'shape' in a) as Tensor[];
  return {
    raw(fn, args, out) {
      if (t._inForward > 0) return;
      t._record(fn.name, 'raw', tensorsIn(args), { fn, args }, out === null ? [] : [out], null);
    },
    gradRead(x, g) {
      if (t._inForward === 0) t._record('grad', 'gradRead', [x], {}, g === null ? [] : [g], null);
    },
    gradWrite(x, g) {
      if (t._inForward === 0) t._record('grad', 'gradWrite', [x], {}, g === null ? [] : [g], null);
    },
    read(x, op) {
      t._record(op, 'read', [x], { op }, [], null);
    },
  };
}

/**
 * Runs `fn` with `tracer` recording every op it runs; restores the previous
 * tracer after (traces nest).
 *
 * @example
 * const t = new Tracer();
 * withTracer(t, () => model.forward(x));
 */
export function withTracer<T>(tracer: Tracer, fn: () => T): T {
  const prev = ACTIVE_TRACER;
  const prevHooks = HOOKS.current;
  ACTIVE_TRACER = tracer;
  HOOKS.current = tracer.kernels ? hooksOf(tracer) : null;
  try {
    return fn();
  } finally {
    ACTIVE_TRACER = prev;
    HOOKS.current = prevHooks;
  }
}

/** The active tracer when it records kernels, else null. */
function kernelTracer(): Tracer | null {
  const t = ACTIVE_TRACER;
  return t !== null && t.kernels && t._inForward === 0 ? t : null;
}

/**
 * A number computed from JS state (an optimizer's learning rate, a bias
 * correction of its step count) for use as an operand: the number itself,
 * or, while a kernel tracer (`compile`) records, a 0-d tensor of `like`'s
 * dtype and backend that the tracer knows how to recompute (`compute` runs
 * again at every replay), so the value is an input of the compiled program
 * instead of a constant baked into it.
 *
 * @example
 * p.add_(g.mul(hostScalar(() => -group.lr, p)));
 */
export function hostScalar(compute: () => number, like: Tensor): number | Tensor {
  const v = compute();
  const t = kernelTracer();
  if (t === null) return v;
  const prev = HOOKS.current;
  HOOKS.current = null;
  let out: Tensor;
  try {
    out = raw.fromValues([v], [], like.dtype, like.backend);
  } finally {
    HOOKS.current = prev;
  }
  t._record('hostScalar', 'host', [], { compute }, [out], null);
  return out;
}

/**
 * Runs `run` (a change of JS state, e.g. an optimizer's step count); a
 * kernel tracer records it so that a replay runs it again.
 *
 * @example
 * hostEffect(() => { state.step += 1; });
 */
export function hostEffect(run: () => void): void {
  run();
  kernelTracer()?._record('hostEffect', 'hostEffect', [], { run }, [], null);
}

/**
 * Declares that what was recorded holds only while `check()` is true (e.g.
 * an optimizer's state object for a parameter is still the same); a kernel
 * tracer records it and a replay checks it first. Nothing when not tracing.
 *
 * @example
 * hostGuard(() => opt.state.get(p) === s);
 */
export function hostGuard(check: () => boolean): void {
  kernelTracer()?._record('hostGuard', 'hostGuard', [], { check }, [], null);
}

/**
 * Declares `body` one traced op `name` with `attrs` over `inputs` (null for
 * a missing optional input). Returns what `body` returns; when no tracer is
 * active this is just `body()`.
 *
 * @example
 * return traced('conv2d', { stride, padding, dilation, groups }, [x, weight, bias], () => convBody());
 */
export function traced<T extends Tensor | readonly Tensor[]>(
  name: string, attrs: Readonly<Record<string, unknown>>, inputs: readonly (Tensor | null)[], body: () => T,
): T {
  const tracer = ACTIVE_TRACER;
  if (tracer === null || tracer.kernels) return body();
  tracer._open();
  let out: T;
  try {
    out = body();
  } catch (e) {
    tracer._close();
    throw e;
  }
  const children = tracer._close();
  const outputs = (Array.isArray(out) ? out : [out]) as readonly Tensor[];
  tracer._record(name, 'composite', inputs, attrs, outputs, children);
  return out;
}
