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
import type { Tensor } from '../tensor/index.js';

/** One recorded application: a primitive, or a composite declared with `traced`. */
export interface TraceNode {
  /** The primitive's or the composite's name (`'add'`, `'conv2d'`). */
  readonly op: string;
  /** Whether `op` is a primitive of the rule table or a composite. */
  readonly kind: 'primitive' | 'composite';
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

  constructor(opts: TracerOptions = {}) {
    this.stacks = opts.captureStacks ?? false;
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
  ACTIVE_TRACER = tracer;
  try {
    return fn();
  } finally {
    ACTIVE_TRACER = prev;
  }
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
  if (tracer === null) return body();
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
