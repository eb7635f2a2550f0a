/**
 * `Module` and `Parameter`: PyTorch's `nn.Module` in TypeScript.
 *
 * How members are found (one rule, no magic setters): a module's parameters
 * and submodules are
 * 1. those registered by name with `registerParameter` / `registerModule`
 *    (in registration order; containers and PyTorch's multi-word names such
 *    as `in_proj_weight` use this), then
 * 2. its own properties holding a `Parameter` or a `Module`, in the order they
 *    were first assigned (class fields in declaration order), skipping names
 *    that start with `_`.
 * So `this.fc1 = new Linear(2, 8)` registers `fc1`, exactly like PyTorch's
 * attribute assignment. Buffers (tensors that are state but not parameters,
 * e.g. batch-norm running statistics) are always registered explicitly with
 * `registerBuffer`. A plain tensor or an array of modules in a property is not
 * registered (use `Parameter` and `ModuleList`), as in PyTorch.
 */
import { noGrad } from '../autograd/index.js';
import { DTypeError, RangeArgError, fmtShape } from '../errors.js';
import { cast, copy_ } from '../ops/index.js';
import { Tensor, raw, sameShape, type DType } from '../tensor/index.js';
import type { BackendName } from '../backend/index.js';
import { StateDictError } from './errors.js';
import { addHook, type ForwardHook, type ForwardPreHook, type FullBackwardHook } from './hooks.js';
import type { HookHandle } from '../autograd/index.js';
import { addIndent } from './repr.js';

/**
 * A tensor that is a module parameter: a leaf that requires grad (unless
 * `requiresGrad` is false), found by `parameters()` and saved in state dicts.
 * `new Parameter(data)` copies `data` into fresh storage (PyTorch shares it).
 *
 * @example
 * class Scale extends Module {
 *   s = new Parameter(ones([3]));
 *   forward(x: Tensor): Tensor { return x.mul(this.s); }
 * }
 * new Scale().parameters().length; // 1
 */
export class Parameter extends Tensor {
  /** A copy of `data` as a leaf (`adopt`, internal: take over a fresh tensor's storage instead, e.g. one still arriving from the GPU). */
  constructor(data: Tensor, requiresGrad = true, adopt = false) {
    if (!(data instanceof Tensor)) throw new DTypeError('Parameter', `expected a tensor, got ${typeof data}`);
    const t = adopt && data.isContiguous() && data.offset === 0 ? data : raw.copyAs(data, data.dtype, data.backend);
    super(t.storage, t.shape);
    if (requiresGrad) this.requiresGrad = true;
  }

  /** Prints like PyTorch: `Parameter containing:` and the tensor. @example String(new Parameter(zeros([2]))); */
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

/** Any module, whatever its `forward` takes and returns. */
export type AnyModule = Module<any[], unknown>;

/** A state dict: names (PyTorch's dotted paths) to tensors, in module order. */
export type StateDict = Map<string, Tensor>;

/** What `loadStateDict` accepts: a `Map` (e.g. from `loadSafetensors`) or a plain object. */
export type StateDictInput = ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>;

/** Options of `loadStateDict`. */
export interface LoadStateDictOptions {
  /** Missing and unexpected keys are errors (default true); shape mismatches always are. */
  strict?: boolean;
}

/** What `loadStateDict` reports. */
export interface LoadStateDictResult {
  /** Keys of the module the state dict lacked (always empty when strict). */
  missingKeys: string[];
  /** Keys of the state dict the module lacks (always empty when strict). */
  unexpectedKeys: string[];
}

/** Options of `registerBuffer`. */
export interface RegisterBufferOptions {
  /** Saved in the state dict (default true). */
  persistent?: boolean;
}

/** Options of `namedParameters` and `namedBuffers`. */
export interface NamedOptions {
  /** Put before every name, with a dot (default none). */
  prefix?: string;
  /** Include the submodules' members (default true); false gives only this module's own. */
  recurse?: boolean;
}

/** Options of `zeroGrad`. */
export interface ModuleZeroGradOptions {
  /** Set `.grad` to null (default) instead of filling it with zeros. */
  setToNone?: boolean;
}

const NAME_RE = /^[^.]+$/;

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

/**
 * The base class of every layer and model. Subclass it, assign parameters
 * and submodules to properties in the constructor, and write `forward`;
 * call the module with `m.forward(x)` (or `m.call(x)`). See the file comment
 * for how members are registered.
 *
 * @example
 * class MLP extends Module {
 *   fc1 = new Linear(2, 16);
 *   fc2 = new Linear(16, 1);
 *   forward(x: Tensor): Tensor { return this.fc2.forward(this.fc1.forward(x).tanh()); }
 * }
 * const net = new MLP();
 * net.namedParameters().map(([n]) => n); // ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
 * String(net); // 'MLP(\n  (fc1): Linear(in_features=2, out_features=16, bias=True)\n  (fc2): ...\n)'
 */
export abstract class Module<Args extends unknown[] = [Tensor], Out = Tensor> {
  /** Training mode (dropout active, batch norm on batch statistics); set with `train()` / `eval()`. */
  training = true;
  /** @internal Parameters registered by name. */
  readonly _parameters = new Map<string, Parameter | null>();
  /** @internal Buffers registered by name. */
  readonly _buffers = new Map<string, Tensor | null>();
  /** @internal Buffers left out of the state dict. */
  readonly _nonPersistent = new Set<string>();
  /** @internal Submodules registered by name. */
  readonly _modules = new Map<string, AnyModule | null>();

  /** The computation. Call it directly or through `call`. */
  abstract forward(...args: Args): Out;

  /**
   * Runs `forward` (PyTorch's `module(x)`).
   *
   * @example
   * new Linear(2, 3).call(randn([4, 2])).shape; // [4, 3]
   */
  call(...args: Args): Out {
    return this.forward(...args);
  }

  // ---- hooks (see hooks.ts: they run however the module is called, `forward` or `call`) ----

  /**
   * Registers `hook(module, args)`, run before `forward`; returning an array
   * replaces the arguments (another value replaces the first one).
   *
   * @example
   * const h = model.registerForwardPreHook((m, [x]) => [x.mul(2)]); h.remove();
   */
  registerForwardPreHook(hook: ForwardPreHook<this, Args>): HookHandle {
    return addHook(this, 'pre', hook);
  }

  /**
   * Registers `hook(module, args, output)`, run after `forward`; returning a
   * value replaces the output.
   *
   * @example
   * const acts: Tensor[] = [];
   * model.getSubmodule('0').registerForwardHook((m, args, out) => void acts.push(out as Tensor));
   */
  registerForwardHook(hook: ForwardHook<this, Args, Out>): HookHandle {
    return addHook(this, 'fwd', hook);
  }

  /**
   * Registers `hook(module, gradInput, gradOutput)`, run in backward once the
   * gradients w.r.t. the module's tensor arguments are known (PyTorch's
   * `register_full_backward_hook`); returning an array replaces `gradInput`.
   *
   * @example
   * layer.registerFullBackwardHook((m, gradInput, gradOutput) => [gradInput[0]!.clamp({ min: -1, max: 1 })]);
   */
  registerFullBackwardHook(hook: FullBackwardHook<this>): HookHandle {
    return addHook(this, 'bwd', hook);
  }

  // ---- registration ----

  /**
   * Registers a parameter (or an empty slot, `null`) under `name`, readable
   * as the property `name`. Needed only for names that are not plain
   * properties; `this.w = new Parameter(...)` registers too.
   *
   * @example
   * this.registerParameter('in_proj_weight', new Parameter(empty([24, 8])));
   */
  registerParameter(name: string, param: Parameter | null): void {
    this._checkName('registerParameter', name);
    if (param !== null && !(param instanceof Parameter)) {
      throw new DTypeError('registerParameter', `'${name}' must be a Parameter or null; wrap a tensor with new Parameter(t)`);
    }
    this._parameters.set(name, param);
    this._alias(name, this._parameters);
  }

  /**
   * Registers a submodule (or `null`) under `name` (PyTorch's `add_module`).
   *
   * @example
   * this.registerModule('out_proj', new Linear(8, 8));
   */
  registerModule(name: string, module: AnyModule | null): void {
    this._checkName('registerModule', name);
    if (module !== null && !(module instanceof Module)) throw new DTypeError('registerModule', `'${name}' must be a Module or null`);
    this._modules.set(name, module);
    this._alias(name, this._modules);
  }

  /**
   * Registers a buffer: a tensor of state that is not a parameter (no
   * gradient, not optimized), saved in the state dict unless `persistent` is
   * false, converted by `to(dtype)` when floating. Readable as the property
   * `name` (declare it: `declare mask: Tensor`).
   *
   * @example
   * this.registerBuffer('running_mean', zeros([c]));
   * this.registerBuffer('mask', causalMask, { persistent: false });
   */
  registerBuffer(name: string, value: Tensor | null, opts: RegisterBufferOptions = {}): void {
    this._checkName('registerBuffer', name);
    if (value !== null && !(value instanceof Tensor)) throw new DTypeError('registerBuffer', `'${name}' must be a tensor or null`);
    if (value instanceof Parameter) throw new DTypeError('registerBuffer', `'${name}' is a Parameter; use registerParameter`);
    this._buffers.set(name, value);
    if (opts.persistent === false) this._nonPersistent.add(name);
    else this._nonPersistent.delete(name);
    this._alias(name, this._buffers);
  }

  /**
   * The buffer `name` of this module (not of submodules), or null.
   *
   * @example
   * bn.getBuffer('running_var');
   */
  getBuffer(name: string): Tensor | null {
    return this._buffers.get(name) ?? null;
  }

  private _checkName(op: string, name: string): void {
    if (typeof name !== 'string' || name === '' || !NAME_RE.test(name)) {
      throw new RangeArgError(op, `a member name must be a non-empty string without '.', got ${JSON.stringify(name)}`);
    }
    if (name.startsWith('_')) throw new RangeArgError(op, `'${name}': names starting with '_' are reserved`);
    const kinds = [this._parameters, this._buffers, this._modules] as Map<string, unknown>[];
    const own = Object.getOwnPropertyDescriptor(this, name);
    if (own !== undefined && own.enumerable && !kinds.some((m) => m.has(name)) && own.value !== undefined && own.value !== null) {
      throw new RangeArgError(op, `'${name}' is already a property of ${this._getName()}`);
    }
    for (const m of kinds) m.delete(name);
  }

  /** Makes `this[name]` read and write the registry entry (unless that would hide a method or property). */
  private _alias(name: string, map: Map<string, unknown>): void {
    const own = Object.getOwnPropertyDescriptor(this, name);
    if (own === undefined ? name in this : own.get === undefined && own.value !== undefined && own.value !== null) return;
    Object.defineProperty(this, name, {
      get: () => map.get(name) ?? null,
      set: (v: unknown) => void map.set(name, v),
      enumerable: false,
      configurable: true,
    });
  }

  /** @internal Own members found by the rule of the file comment. */
  _own<T>(map: Map<string, T | null>, isMember: (v: unknown) => v is T): [string, T][] {
    const out: [string, T][] = [];
    for (const [k, v] of map) if (v !== null && v !== undefined) out.push([k, v]);
    for (const k of Object.keys(this)) {
      if (k.startsWith('_') || map.has(k)) continue;
      const v = (this as Record<string, unknown>)[k];
      if (isMember(v)) out.push([k, v]);
    }
    return out;
  }

  /** @internal Replaces the member `name` (registered or a property). */
  _setMember(name: string, value: unknown): void {
    for (const m of [this._parameters, this._buffers, this._modules] as Map<string, unknown>[]) {
      if (m.has(name)) {
        m.set(name, value);
        return;
      }
    }
    (this as Record<string, unknown>)[name] = value;
  }

  // ---- traversal ----

  /**
   * The direct submodules with their names.
   *
   * @example
   * new Sequential(new Linear(2, 3), new ReLU()).namedChildren().map(([n]) => n); // ['0', '1']
   */
  namedChildren(): [string, AnyModule][] {
    return this._own(this._modules, (v): v is AnyModule => v instanceof Module);
  }

  /** The direct submodules. @example model.children().length; */
  children(): AnyModule[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /**
   * This module and every submodule, depth first, with dotted names (`''`
   * for this one); a module reachable twice is listed once.
   *
   * @example
   * model.namedModules().map(([n, m]) => `${n}: ${m.constructor.name}`);
   */
  namedModules(opts: { prefix?: string } = {}): [string, AnyModule][] {
    const out: [string, AnyModule][] = [];
    const seen = new Set<AnyModule>();
    const visit = (m: AnyModule, name: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([name, m]);
      for (const [n, c] of m.namedChildren()) visit(c, join(name, n));
    };
    visit(this, opts.prefix ?? '');
    return out;
  }

  /** This module and every submodule. @example model.modules().filter((m) => m instanceof Linear); */
  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * The parameters with PyTorch's dotted names (`0.weight`, `layers.1.bias`),
   * each parameter once even when shared.
   *
   * @example
   * for (const [name, p] of model.namedParameters()) console.log(name, p.shape);
   */
  namedParameters(opts: NamedOptions = {}): [string, Parameter][] {
    return this._collect(opts, (m) => m._own(m._parameters, (v): v is Parameter => v instanceof Parameter));
  }

  /**
   * The parameters, for an optimizer.
   *
   * @example
   * const opt = new Adam(model.parameters(), { lr: 1e-3 });
   */
  parameters(opts: { recurse?: boolean } = {}): Parameter[] {
    return this.namedParameters(opts).map(([, p]) => p);
  }

  /**
   * The buffers with dotted names (`bn.running_mean`), persistent or not.
   *
   * @example
   * model.namedBuffers().map(([n]) => n); // ['1.running_mean', '1.running_var', '1.num_batches_tracked']
   */
  namedBuffers(opts: NamedOptions = {}): [string, Tensor][] {
    return this._collect(opts, (m) => [...m._buffers].filter((e): e is [string, Tensor] => e[1] instanceof Tensor));
  }

  /** The buffers. @example model.buffers().length; */
  buffers(opts: { recurse?: boolean } = {}): Tensor[] {
    return this.namedBuffers(opts).map(([, b]) => b);
  }

  private _collect<T>(opts: NamedOptions, own: (m: AnyModule) => [string, T][]): [string, T][] {
    const prefix = opts.prefix ?? '';
    const mods: [string, AnyModule][] = (opts.recurse ?? true) ? this.namedModules({ prefix }) : [[prefix, this]];
    const seen = new Set<T>();
    const out: [string, T][] = [];
    for (const [mp, m] of mods) {
      for (const [n, t] of own(m)) {
        if (seen.has(t)) continue;
        seen.add(t);
        out.push([join(mp, n), t]);
      }
    }
    return out;
  }

  /**
   * The submodule at a dotted path.
   *
   * @example
   * model.getSubmodule('encoder.layers.0');
   */
  getSubmodule(target: string): AnyModule {
    if (target === '') return this;
    let m: AnyModule = this;
    let path = '';
    for (const part of target.split('.')) {
      const next = m.namedChildren().find(([n]) => n === part);
      if (next === undefined) throw new RangeArgError('getSubmodule', `${m._getName()}${path ? ` at '${path}'` : ''} has no submodule '${part}'`);
      path = join(path, part);
      m = next[1];
    }
    return m;
  }

  // ---- modes and gradients ----

  /**
   * Sets training mode (default true) on this module and every submodule;
   * returns this.
   *
   * @example
   * model.train();
   */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new RangeArgError('train', `mode must be a boolean, got ${String(mode)}`);
    this.training = mode;
    for (const c of this.children()) c.train(mode);
    return this;
  }

  /**
   * Evaluation mode: `train(false)` (dropout off, batch norm on running statistics).
   *
   * @example
   * model.eval(); const y = noGrad(() => model.forward(x));
   */
  eval(): this {
    return this.train(false);
  }

  /**
   * Clears the parameters' gradients (null by default, like PyTorch 2).
   *
   * @example
   * model.zeroGrad();
   */
  zeroGrad(opts: ModuleZeroGradOptions = {}): void {
    for (const p of this.parameters()) {
      if (opts.setToNone ?? true) p.grad = null;
      else if (p.grad !== null) noGrad(() => p.grad!.zero_());
    }
  }

  /**
   * Turns gradient tracking of every parameter on or off (freezing); returns this.
   *
   * @example
   * model.getSubmodule('features').requiresGrad_(false);
   */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  /**
   * Calls `fn` on every submodule (children first, recursively) and then on
   * this module; returns this. For custom initialisation.
   *
   * @example
   * model.apply((m) => { if (m instanceof Linear) init.xavierUniform_(m.weight); });
   */
  apply(fn: (m: AnyModule) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Converts the floating parameters and buffers to `dtype`, or moves every
   * parameter and buffer to a backend; returns this. Parameters that change
   * are replaced by new `Parameter`s (gradients converted or moved too), so
   * build the optimizer after `to`.
   *
   * @example
   * const model = new Linear(2, 1).to('float64');
   * await initWebGPU();
   * const onGpu = new Linear(2, 1).to('webgpu');
   */
  to(target: DType | BackendName): this {
    if (target === 'js' || target === 'wasm' || target === 'webgpu') return this.toBackend(target);
    const dtype = target;
    if (dtype !== 'float32' && dtype !== 'float64') throw new DTypeError('to', `a module converts to float32 or float64, got ${String(dtype)}`);
    const moved = new Map<Parameter, Parameter>(); // a parameter shared by two modules (tied weights) stays shared
    noGrad(() => {
      for (const m of this.modules()) {
        for (const [name, p] of m._own(m._parameters, (v): v is Parameter => v instanceof Parameter)) {
          if (p.dtype === dtype) continue;
          let q = moved.get(p);
          if (q === undefined) {
            q = new Parameter(cast(p, dtype), p.requiresGrad);
            if (p.grad !== null) q.grad = cast(p.grad, dtype);
            moved.set(p, q);
          }
          m._setMember(name, q);
        }
        for (const [name, b] of m._buffers) {
          if (b !== null && b._isFloat && b.dtype !== dtype) m._setMember(name, cast(b, dtype));
        }
      }
    });
    return this;
  }

  private toBackend(name: BackendName): this {
    const moved = new Map<Parameter, Parameter>(); // tied weights stay tied
    noGrad(() => {
      for (const m of this.modules()) {
        for (const [key, p] of m._own(m._parameters, (v): v is Parameter => v instanceof Parameter)) {
          if (p.backend === name) continue;
          let q = moved.get(p);
          if (q === undefined) {
            q = new Parameter(raw.copyAs(p, p.dtype, name), p.requiresGrad, true);
            if (p.grad !== null) q.grad = raw.copyAs(p.grad, p.grad.dtype, name);
            moved.set(p, q);
          }
          m._setMember(key, q);
        }
        for (const [key, b] of m._buffers) {
          if (b !== null && b.backend !== name) m._setMember(key, raw.copyAs(b, b.dtype, name));
        }
      }
    });
    return this;
  }

  /** `to('float32')`. @example model.float(); */
  float(): this {
    return this.to('float32');
  }

  /** `to('float64')`. @example model.double(); */
  double(): this {
    return this.to('float64');
  }

  // ---- state dicts ----

  /**
   * The parameters and persistent buffers by dotted name, in PyTorch's order
   * (per module: parameters, buffers, then each submodule). The tensors are
   * detached and share storage with the module. Save it with
   * `saveSafetensors(path, model.stateDict())`.
   *
   * @example
   * [...new Sequential(new Linear(2, 3)).stateDict().keys()]; // ['0.weight', '0.bias']
   */
  stateDict(opts: { prefix?: string } = {}): StateDict {
    const out: StateDict = new Map();
    for (const [k, t] of this._stateEntries(opts.prefix ?? '')) out.set(k, t.detach());
    return out;
  }

  /** @internal The live tensors of the state dict. */
  _stateEntries(prefix: string): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const visit = (m: AnyModule, p: string): void => {
      for (const [n, t] of m._own(m._parameters, (v): v is Parameter => v instanceof Parameter)) out.push([join(p, n), t]);
      for (const [n, t] of m._buffers) if (t !== null && !m._nonPersistent.has(n)) out.push([join(p, n), t]);
      for (const [n, c] of m.namedChildren()) visit(c, join(p, n));
    };
    visit(this, prefix);
    return out;
  }

  /**
   * Copies a state dict into the parameters and buffers, in place (so an
   * optimizer built on them keeps working); values are cast to each tensor's
   * dtype. Missing and unexpected keys are errors unless `strict` is false;
   * a shape mismatch is always an error. Errors list every problem.
   *
   * @example
   * model.loadStateDict(loadSafetensors('model.safetensors'));
   * const { missingKeys, unexpectedKeys } = model.loadStateDict(sd, { strict: false });
   */
  loadStateDict(stateDict: StateDictInput, opts: LoadStateDictOptions = {}): LoadStateDictResult {
    const op = 'loadStateDict';
    const strict = opts.strict ?? true;
    if (stateDict === null || typeof stateDict !== 'object') throw new DTypeError(op, 'expected a Map or an object of tensors');
    const given: Map<string, Tensor> = stateDict instanceof Map ? new Map(stateDict) : new Map(Object.entries(stateDict));
    const mine = new Map(this._stateEntries(''));
    const missingKeys = [...mine.keys()].filter((k) => !given.has(k));
    const unexpectedKeys = [...given.keys()].filter((k) => !mine.has(k));
    const problems: string[] = [];
    const mismatched: string[] = [];
    for (const [k, target] of mine) {
      const src = given.get(k);
      if (src === undefined) continue;
      if (!(src instanceof Tensor)) {
        problems.push(`${k} is not a tensor (got ${src === null ? 'null' : typeof src})`);
        mismatched.push(k);
      } else if (!sameShape(src.shape, target.shape)) {
        problems.push(`size mismatch for ${k}: the state dict has shape ${fmtShape(src.shape)}, the module has ${fmtShape(target.shape)}`);
        mismatched.push(k);
      }
    }
    const quote = (ks: string[]): string => ks.map((k) => `"${k}"`).join(', ');
    if (strict && unexpectedKeys.length > 0) problems.unshift(`unexpected keys: ${quote(unexpectedKeys)}`);
    if (strict && missingKeys.length > 0) problems.unshift(`missing keys: ${quote(missingKeys)}`);
    if (problems.length > 0) {
      throw new StateDictError(op, `error(s) in loading the state dict for ${this._getName()}:\n  ${problems.join('\n  ')}`, {
        missing: strict ? missingKeys : [],
        unexpected: strict ? unexpectedKeys : [],
        mismatched,
      });
    }
    noGrad(() => {
      for (const [k, target] of mine) {
        const src = given.get(k);
        if (src !== undefined) copy_(target, src);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing ----

  /** The class name shown by `toString`. @example new Linear(1, 1)._getName(); // 'Linear' */
  _getName(): string {
    return this.constructor.name;
  }

  /**
   * The module's own settings for `toString`, e.g. `in_features=2, out_features=8, bias=True`.
   * Override in custom modules.
   *
   * @example
   * override extraRepr() { return `scale=${this.scale}`; }
   */
  extraRepr(): string {
    return '';
  }

  /**
   * PyTorch's module repr.
   *
   * @example
   * String(new Sequential(new Linear(2, 8), new Tanh()));
   * // 'Sequential(\n  (0): Linear(in_features=2, out_features=8, bias=True)\n  (1): Tanh()\n)'
   */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra === '' ? [] : extra.split('\n');
    const childLines = this.namedChildren().map(([k, m]) => `(${k}): ${addIndent(m.toString(), 2)}`);
    const lines = [...extraLines, ...childLines];
    let s = `${this._getName()}(`;
    if (lines.length > 0) {
      s += extraLines.length === 1 && childLines.length === 0 ? extraLines[0] : `\n  ${lines.join('\n  ')}\n`;
    }
    return `${s})`;
  }
}
