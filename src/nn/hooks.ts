/**
 * Module hooks, PyTorch's semantics: forward pre-hooks (may replace the
 * arguments), forward hooks (may replace the output) and full backward hooks
 * (`(module, gradInput, gradOutput)`, the gradients w.r.t. the module's
 * tensor arguments and outputs; may replace `gradInput`).
 *
 * How they run: `forward` is how modules are called here (`m.forward(x)`,
 * containers, composite layers), so registering the first hook on a module
 * puts a hooked `forward` on that instance (the class's `forward` stays as
 * written, `call` and `super.forward` keep working) and removing the last
 * one takes it away: a module without hooks pays nothing.
 *
 * Full backward hooks, as PyTorch's `BackwardHook`: the tensor arguments
 * that require grad and the tensor outputs pass through identity views whose
 * gradients are gathered by one node per side, so the hook sees every input
 * gradient at once, after the output gradients are known. With no argument
 * requiring grad the hook runs when the output gradients arrive, with
 * `gradInput` all null; otherwise every tensor argument gets a gradient in
 * `gradInput`, zeros for those without one (PyTorch 1.13 does the same).
 */
import { Node, activeLevels, getTangent, isGradEnabled, setTangent, type HookHandle } from '../autograd/index.js';
import { AutogradError, ShapeError, fmtShape } from '../errors.js';
import { add, reshape } from '../ops/index.js';
import { Tensor, sameShape, zeros } from '../tensor/index.js';

/** A forward pre-hook: sees the arguments; returning an array replaces them (another value replaces the first). */
export type ForwardPreHook<M, Args extends unknown[]> = (module: M, args: Args) => Args | Args[0] | void;
/** A forward hook: sees the arguments and the output; returning a value replaces the output. */
export type ForwardHook<M, Args extends unknown[], Out> = (module: M, args: Args, output: Out) => Out | void;
/**
 * A full backward hook: `gradInput[i]` is the gradient w.r.t. argument `i`
 * (null for non-tensors; zeros for a tensor without one; all null when no
 * argument requires grad), `gradOutput[j]` w.r.t. output `j` (a single
 * tensor output is `[out]`; null for an output without gradient).
 * Returning an array (same length, same shapes, nulls allowed) replaces `gradInput`.
 */
export type FullBackwardHook<M> = (module: M, gradInput: (Tensor | null)[], gradOutput: (Tensor | null)[]) => (Tensor | null)[] | void;

type Fn = (...args: unknown[]) => unknown;
type AnyHook = (...args: never[]) => unknown;

interface Hooks {
  pre: AnyHook[];
  fwd: AnyHook[];
  bwd: AnyHook[];
  /** The instance's own `forward` property before hooks (an arrow-function field), or undefined. */
  own: PropertyDescriptor | undefined;
}

const registry = new WeakMap<object, Hooks>();

/**
 * @internal Registers `hook` of `kind` on `module`; the handle removes it.
 *
 * @example
 * const h = addHook(linear, 'fwd', (m, args, out) => console.log(out.shape)); h.remove();
 */
export function addHook(module: { forward: unknown }, kind: 'pre' | 'fwd' | 'bwd', hook: AnyHook): HookHandle {
  const op = { pre: 'registerForwardPreHook', fwd: 'registerForwardHook', bwd: 'registerFullBackwardHook' }[kind];
  if (typeof hook !== 'function') throw new AutogradError(op, `the hook must be a function, got ${typeof hook}`);
  let h = registry.get(module);
  if (h === undefined) {
    h = { pre: [], fwd: [], bwd: [], own: Object.getOwnPropertyDescriptor(module, 'forward') };
    registry.set(module, h);
    const inner = module.forward as Fn;
    const hooks = h;
    Object.defineProperty(module, 'forward', {
      value: function hookedForward(this: unknown, ...args: unknown[]): unknown {
        return runHooked(module, inner, args, hooks);
      },
      configurable: true,
      writable: true,
      enumerable: false,
    });
  }
  const list = h[kind];
  list.push(hook);
  const hooks = h;
  return {
    remove: () => {
      const i = list.indexOf(hook);
      if (i >= 0) list.splice(i, 1);
      if (registry.get(module) === hooks && hooks.pre.length + hooks.fwd.length + hooks.bwd.length === 0) {
        registry.delete(module);
        if (hooks.own !== undefined) Object.defineProperty(module, 'forward', hooks.own);
        else delete (module as { forward?: unknown }).forward;
      }
    },
  };
}

/** PyTorch's `_call_impl`: pre-hooks, backward-hook inputs, forward, forward hooks, backward-hook outputs. */
function runHooked(module: object, inner: Fn, args: unknown[], h: Hooks): unknown {
  for (const pre of [...h.pre]) {
    const r = (pre as (m: object, a: unknown[]) => unknown)(module, args);
    if (r !== undefined) args = Array.isArray(r) ? [...(r as unknown[])] : [r];
  }
  let state: BackwardState | null = null;
  if (h.bwd.length > 0 && isGradEnabled()) {
    state = new BackwardState(module, [...h.bwd] as FullBackwardHook<object>[]);
    args = state.wrapInputs(args);
  }
  let out = inner.apply(module, args);
  for (const fwd of [...h.fwd]) {
    const r = (fwd as (m: object, a: unknown[], o: unknown) => unknown)(module, args, out);
    if (r !== undefined) out = r;
  }
  return state === null ? out : state.wrapOutputs(out);
}

/** Gathers the gradients of identity views of `tensors` and hands them to `done` in one call; its result goes on. */
class GatherNode extends Node {
  readonly slots: (Tensor | null)[];

  constructor(readonly tensors: readonly Tensor[], private readonly done: (grads: (Tensor | null)[]) => (Tensor | null)[]) {
    super('BackwardHookFunctionBackward', 'backward hook', tensors, tensors[0]!.dtype);
    this.slots = tensors.map(() => null);
  }

  backward(): (Tensor | null)[] {
    const grads = this.slots.slice();
    this.slots.fill(null); // ready for another backward through a retained graph
    return this.done(grads);
  }
}

/** The node of identity view `i`: stores its gradient in the gather node's slot and sends the gather node a token. */
class SlotNode extends Node {
  constructor(token: Tensor, private readonly gather: GatherNode, private readonly index: number, dtype: Tensor['dtype']) {
    super('BackwardHookFunctionBackward', 'backward hook', [token], dtype);
  }

  backward(g: Tensor): (Tensor | null)[] {
    const prev = this.gather.slots[this.index];
    this.gather.slots[this.index] = prev === null || prev === undefined ? g : add(prev, g);
    return [zeros([], { dtype: this.gather.dtype })];
  }
}

/**
 * The tensors of `values` that require grad replaced by identity views whose
 * gradients reach `done` together (`done` gets and returns one per value,
 * null for the others).
 */
function gatherViews(values: readonly unknown[], done: (grads: (Tensor | null)[]) => (Tensor | null)[]): unknown[] | null {
  const idx = values.map((v, i) => (v instanceof Tensor && v.requiresGrad ? i : -1)).filter((i) => i >= 0);
  if (idx.length === 0) return null;
  const tensors = idx.map((i) => values[i] as Tensor);
  const gather = new GatherNode(tensors, (grads) => {
    const full: (Tensor | null)[] = values.map(() => null);
    idx.forEach((i, k) => (full[i] = grads[k]!));
    const r = done(full);
    return idx.map((i) => r[i] ?? null);
  });
  const token = zeros([], { dtype: gather.dtype });
  token.gradFn = gather;
  token._requiresGrad = true;
  const out = values.slice();
  idx.forEach((i, k) => {
    const x = tensors[k]!;
    const y = reshape(x, x.shape); // a view that carries x's tangents
    y.gradFn = new SlotNode(token, gather, k, x.dtype);
    for (const level of activeLevels()) {
      const t = getTangent(x, level);
      if (t !== null && getTangent(y, level) === null) setTangent(y, level, t);
    }
    out[i] = y;
  });
  return out;
}

/** One forward call's backward hooks: the gradients of its outputs, then of its inputs. */
class BackwardState {
  private gradOutputs: (Tensor | null)[] = [];
  private inputsWrapped = false;
  private nInputs = 0;

  constructor(private readonly module: object, private readonly hooks: FullBackwardHook<object>[]) {}

  wrapInputs(args: unknown[]): unknown[] {
    this.nInputs = args.length;
    // As PyTorch, once the hook runs from the input side every tensor argument has a gradient (zeros when none arrived).
    const zerosFor = (g: Tensor | null, a: unknown): Tensor | null => g ?? (a instanceof Tensor && a._isFloat ? zeros(a.shape, { dtype: a.dtype }) : null);
    const wrapped = gatherViews(args, (gradInput) => this.runHooks(gradInput.map((g, i) => zerosFor(g, args[i]))));
    this.inputsWrapped = wrapped !== null;
    return wrapped ?? args;
  }

  wrapOutputs(out: unknown): unknown {
    const single = !Array.isArray(out);
    const values = single ? [out] : (out as unknown[]);
    const wrapped = gatherViews(values, (grads) => {
      this.gradOutputs = grads;
      if (!this.inputsWrapped) this.runHooks(new Array<Tensor | null>(this.nInputs).fill(null));
      return grads;
    });
    if (wrapped === null) return out;
    return single ? wrapped[0] : wrapped;
  }

  private runHooks(gradInput: (Tensor | null)[]): (Tensor | null)[] {
    let gi = gradInput;
    for (const hook of this.hooks) {
      const r = hook(this.module, gi.slice(), this.gradOutputs.slice());
      if (r === undefined || r === null) continue;
      if (!Array.isArray(r) || r.length !== gi.length) {
        throw new AutogradError('registerFullBackwardHook', `a hook returned ${Array.isArray(r) ? `${r.length} gradients` : typeof r}, expected an array of ${gi.length} (one per argument, null allowed)`);
      }
      r.forEach((g, i) => {
        const want = gi[i];
        if (g !== null && g !== undefined && want !== null && want !== undefined && !sameShape(g.shape, want.shape)) {
          throw new ShapeError('registerFullBackwardHook', `a hook returned gradInput[${i}] of shape ${fmtShape(g.shape)}, expected ${fmtShape(want.shape)}`);
        }
      });
      gi = r.map((g) => g ?? null);
    }
    this.gradOutputs = [];
    return gi;
  }
}
