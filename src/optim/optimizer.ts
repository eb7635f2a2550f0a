/**
 * `Optimizer`: the base of every optimizer in `adjoint/optim`, with PyTorch's
 * parameter groups, `zeroGrad`, `step`, `stateDict` / `loadStateDict` and
 * `addParamGroup`.
 *
 * A subclass supplies its defaults, a validator and the update of one group.
 * Updates run under `noGrad` with in-place ops, so parameters stay leaves and
 * keep their identity; parameters whose `.grad` is null are skipped.
 */
import { enableGrad, noGrad } from '../autograd/index.js';
import { AdjointError, RangeArgError, ShapeError, fmtShape } from '../errors.js';
import { cast, hostGuard } from '../ops/index.js';
import { Tensor } from '../tensor/index.js';

/** One entry of a parameter's optimizer state: a tensor (a moment, a buffer), a count, or null. */
export type StateValue = Tensor | number | null;

/** The optimizer state of one parameter, e.g. `{ step, expAvg, expAvgSq }` for Adam. */
export type ParamState = { [key: string]: StateValue | undefined };

/** Options every optimizer has. */
export interface BaseOptions {
  /** Learning rate. */
  lr?: number;
}

/** Keys the LR schedulers add to a parameter group (PyTorch's `initial_lr`, `max_lr`...). */
export interface SchedulerGroupKeys {
  /** The lr a scheduler started from (set by every scheduler). */
  initialLr?: number;
  /** `OneCycleLR`: peak lr. */
  maxLr?: number;
  /** `OneCycleLR`: final lr. */
  minLr?: number;
  /** `OneCycleLR`: upper momentum. */
  maxMomentum?: number;
  /** `OneCycleLR`: lower momentum. */
  baseMomentum?: number;
}

/** A parameter group as given to a constructor or `addParamGroup`: its tensors and any options to override. */
export type GroupInput<O> = Partial<O> & { params: Iterable<Tensor> };

/** What an optimizer takes: a list of tensors, or a list of parameter groups. */
export type ParamsInput<O> = Iterable<Tensor> | Iterable<GroupInput<O>>;

/** A parameter group as the optimizer holds it: every option resolved, plus its tensors. */
export type ParamGroup<O> = Required<O> & SchedulerGroupKeys & { params: Tensor[] };

/** A parameter group in a state dict: its options, and its parameters as indices. */
export type SavedGroup<O> = Omit<ParamGroup<O>, 'params'> & { params: number[] };

/**
 * PyTorch's optimizer state dict in camelCase: `state` per parameter index
 * (counted across groups in order; only parameters that have state), and the
 * groups' options with their parameter indices.
 */
export interface OptimizerStateDict<O = BaseOptions> {
  state: Record<number, ParamState>;
  paramGroups: SavedGroup<O>[];
}

/** Options of `zeroGrad`. */
export interface ZeroGradOptions {
  /** Set `.grad` to null (default) instead of filling it with zeros. */
  setToNone?: boolean;
}

/** `${name} must be >= 0, got ${v}` unless `v` is a number >= 0. */
export function checkNonNegative(op: string, where: string, name: string, v: unknown): void {
  if (typeof v !== 'number' || !(v >= 0)) throw new RangeArgError(op, `${where}${name} must be >= 0, got ${String(v)}`);
}

/** `${name} must be in [0, 1), got ${v}` unless `v` is a number in [0, 1). */
export function checkUnitInterval(op: string, where: string, name: string, v: unknown): void {
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) {
    throw new RangeArgError(op, `${where}${name} must be in [0, 1), got ${String(v)}`);
  }
}

/** Throws unless `v` is a boolean. */
export function checkBoolean(op: string, where: string, name: string, v: unknown): void {
  if (typeof v !== 'boolean') throw new RangeArgError(op, `${where}${name} must be a boolean, got ${String(v)}`);
}

function copyOption(v: unknown): unknown {
  return Array.isArray(v) ? [...(v as unknown[])] : v;
}

function copyState(s: ParamState, to?: Tensor, where = ''): ParamState {
  const out: ParamState = {};
  for (const [k, v] of Object.entries(s)) {
    if (v === undefined) continue;
    if (!(v instanceof Tensor)) {
      out[k] = v;
      continue;
    }
    let t = v.detach();
    if (to !== undefined) {
      if (t.shape.length !== to.shape.length || t.shape.some((n, d) => n !== to.shape[d])) {
        throw new ShapeError('loadStateDict', `${where}${k} has shape ${fmtShape(t.shape)} but the parameter has shape ${fmtShape(to.shape)}`);
      }
      if (t._isFloat && to._isFloat && t.dtype !== to.dtype) t = cast(t, to.dtype);
    }
    out[k] = t.clone();
  }
  return out;
}

function isTensorList(items: readonly unknown[]): boolean {
  return items.length > 0 && items.every((x) => x instanceof Tensor);
}

/**
 * The base of every optimizer. `O` is the options type (e.g. `AdamOptions`),
 * `S` the per-parameter state.
 *
 * @example
 * class MySGD extends Optimizer<{ lr?: number }> {
 *   constructor(params: Iterable<Tensor>, opts: { lr?: number } = {}) { super('MySGD', params, { lr: 0.1, ...opts }); }
 *   protected validate(): void {}
 *   protected updateGroup(group: ParamGroup<{ lr?: number }>, params: Tensor[]): void {
 *     for (const p of params) p.sub_(p.grad!.mul(group.lr));
 *   }
 * }
 */
export abstract class Optimizer<O extends BaseOptions = BaseOptions, S extends ParamState = ParamState> {
  /** The optimizer's name, used in error messages (`'Adam'`). */
  readonly name: string;
  /** The options every group starts from. */
  readonly defaults: Readonly<O>;
  /** The parameter groups (a scheduler changes their `lr`). */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, keyed by the parameter tensor. */
  readonly state = new Map<Tensor, S>();

  /**
   * @param name for error messages.
   * @param params tensors, or parameter groups `{ params, ...optionsToOverride }`.
   * @param defaults every option's default (already merged with the user's options).
   */
  protected constructor(name: string, params: ParamsInput<O>, defaults: O) {
    this.name = name;
    this.validate(defaults, '');
    this.defaults = Object.freeze({ ...defaults });
    if (params instanceof Tensor) {
      throw new RangeArgError(name, 'params must be a list of tensors or of parameter groups, got a single tensor; wrap it in a list');
    }
    const items = [...(params as Iterable<Tensor | GroupInput<O>>)];
    if (items.length === 0) throw new RangeArgError(name, 'got an empty parameter list');
    if (isTensorList(items)) {
      this.addParamGroup({ params: items as Tensor[] } as unknown as GroupInput<O>);
    } else {
      for (const g of items) {
        if (g instanceof Tensor || typeof g !== 'object' || g === null || !('params' in g)) {
          throw new RangeArgError(name, 'params must be a list of tensors or a list of parameter groups { params, ...options }, not a mix');
        }
        this.addParamGroup(g);
      }
    }
  }

  /**
   * Checks options, throwing a `RangeArgError` like `Adam: lr must be >= 0, got -1`.
   * `where` prefixes the message (`'param group 1: '`).
   */
  protected abstract validate(opts: Partial<O>, where: string): void;

  /** Updates the parameters of one group that have a gradient (runs under `noGrad`). */
  protected abstract updateGroup(group: ParamGroup<O>, params: Tensor[]): void;

  /** Called for each parameter of a new group (Adagrad creates its state here). */
  protected initParam(_param: Tensor, _group: ParamGroup<O>): void {}

  /**
   * Adds a parameter group; options it does not give come from `defaults`.
   *
   * @example
   * const opt = new SGD([w], { lr: 0.1 });
   * opt.addParamGroup({ params: [head], lr: 0.01 });
   */
  addParamGroup(group: GroupInput<O>): void {
    const where = `param group ${this.paramGroups.length}: `;
    if (group.params instanceof Tensor) {
      throw new RangeArgError(this.name, `${where}params must be a list of tensors, got a single tensor`);
    }
    const params = [...group.params];
    const seen = new Set<Tensor>();
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new RangeArgError(this.name, `${where}params[${i}] is not a tensor`);
      if (!p.isLeaf) {
        throw new RangeArgError(this.name, `${where}params[${i}] (shape ${fmtShape(p.shape)}) is not a leaf tensor; can't optimize a non-leaf tensor`);
      }
      if (seen.has(p)) throw new RangeArgError(this.name, `${where}params[${i}] appears twice in the group`);
      seen.add(p);
    });
    for (const g of this.paramGroups) {
      if (g.params.some((p) => seen.has(p))) {
        throw new RangeArgError(this.name, 'some parameters appear in more than one parameter group');
      }
    }
    const resolved: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.defaults)) resolved[k] = copyOption(v);
    for (const [k, v] of Object.entries(group)) if (k !== 'params' && v !== undefined) resolved[k] = copyOption(v);
    if (resolved.lr === undefined) {
      throw new RangeArgError(this.name, `${where}lr is required: give it in the options or in every parameter group`);
    }
    this.validate(resolved as Partial<O>, where);
    const g = { ...resolved, params } as ParamGroup<O>;
    this.paramGroups.push(g);
    for (const p of params) this.initParam(p, g);
  }

  /**
   * Clears the gradients of every parameter: sets `.grad` to null (the
   * default, like PyTorch 2) or, with `{ setToNone: false }`, zeroes it in place.
   *
   * @example
   * opt.zeroGrad();
   * loss.backward();
   * opt.step();
   */
  zeroGrad({ setToNone = true }: ZeroGradOptions = {}): void {
    noGrad(() => {
      for (const g of this.paramGroups) {
        for (const p of g.params) {
          if (p.grad === null) continue;
          if (setToNone) {
            p.grad = null;
          } else {
            if (p.grad.gradFn !== null || p.grad.requiresGrad) p.grad = p.grad.detach();
            p.grad.zero_();
          }
        }
      }
    });
  }

  /**
   * Performs one optimization step. `closure`, if given, re-evaluates the
   * loss (with grad enabled) before the update; its result is returned.
   *
   * @example
   * const opt = new Adam([w], { lr: 1e-2 });
   * opt.zeroGrad();
   * loss(w).backward();
   * opt.step();
   */
  step(closure?: () => Tensor): Tensor | undefined {
    const loss = closure === undefined ? undefined : enableGrad(closure);
    noGrad(() => {
      for (const group of this.paramGroups) {
        const params = group.params.filter((p) => p.grad !== null);
        if (params.length > 0) {
          this.guardTraced(group, params);
          this.updateGroup(group, params);
        }
      }
    });
    return loss;
  }

  /**
   * Options whose numbers `updateGroup` reads through `hostScalar` (inputs of
   * a compiled step, free to change between calls as long as they stay zero
   * or nonzero); every other option is a constant of a compiled step.
   */
  protected readonly hostOptions: readonly string[] = [];

  /**
   * Under `compile`'s tracer: the traced step holds while each parameter's
   * state object is the one it had, and the group's options keep their
   * values (host options: their zero or nonzero-ness). Nothing otherwise.
   */
  private guardTraced(group: ParamGroup<O>, params: readonly Tensor[]): void {
    const states = params.map((p) => this.state.get(p));
    const shape = (g: ParamGroup<O>): string => JSON.stringify(Object.entries(g).filter(([k]) => k !== 'params').map(([k, v]) => {
      if (!this.hostOptions.includes(k)) return [k, v];
      return [k, Array.isArray(v) ? v.map((x) => x !== 0) : v !== 0];
    }));
    const traced = shape(group);
    hostGuard(() => shape(group) === traced && params.every((p, i) => this.state.get(p) === states[i]));
  }

  /**
   * A snapshot of the optimizer in PyTorch's layout (camelCase):
   * `{ state: { [paramIndex]: {...} }, paramGroups: [{ lr, ..., params: [0, 1] }] }`.
   * Parameters are numbered across groups in order. Tensors are copies, so
   * later steps do not change a saved dict.
   *
   * @example
   * const saved = opt.stateDict();
   * const opt2 = new Adam(model.parameters(), { lr: 1e-3 });
   * opt2.loadStateDict(saved); // continues exactly where opt was
   */
  stateDict(): OptimizerStateDict<O> {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const saved: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) if (k !== 'params') saved[k] = copyOption(v);
      saved.params = g.params.map((p) => {
        index.set(p, index.size);
        return index.size - 1;
      });
      return saved as SavedGroup<O>;
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[i] = copyState(s);
    }
    return { state, paramGroups };
  }

  /**
   * Restores a `stateDict()` (of an optimizer of the same kind over parameters
   * of the same shapes and groups). Group options come from the dict; state
   * tensors are copied and cast to their parameter's dtype.
   *
   * @example
   * opt.loadStateDict(JSON.parse(text)); // after turning saved tensors back into tensors
   */
  loadStateDict(sd: OptimizerStateDict<O>): void {
    const op = 'loadStateDict';
    const saved = sd.paramGroups;
    if (!Array.isArray(saved) || saved.length !== this.paramGroups.length) {
      throw new RangeArgError(op, `${this.name}: the loaded state dict has ${Array.isArray(saved) ? saved.length : 'no'} parameter groups but the optimizer has ${this.paramGroups.length}`);
    }
    const byIndex = new Map<number, Tensor>();
    saved.forEach((g, i) => {
      const mine = this.paramGroups[i]!.params;
      if (!Array.isArray(g.params) || g.params.length !== mine.length) {
        throw new RangeArgError(op, `${this.name}: parameter group ${i} of the loaded state dict has ${Array.isArray(g.params) ? g.params.length : 'no'} parameters but the optimizer's has ${mine.length}`);
      }
      g.params.forEach((id, k) => byIndex.set(id, mine[k]!));
    });
    const state = new Map<Tensor, S>();
    for (const [key, entry] of Object.entries(sd.state ?? {})) {
      const p = byIndex.get(Number(key));
      if (p === undefined) {
        throw new RangeArgError(op, `${this.name}: the loaded state dict has state for parameter ${key}, which no group lists`);
      }
      state.set(p, copyState(entry, p, `${this.name}: state of parameter ${key}: `) as S);
    }
    const groups = saved.map((g, i) => {
      const opts: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) if (k !== 'params') opts[k] = copyOption(v);
      this.validate(opts as Partial<O>, `param group ${i}: `);
      return { ...opts, params: this.paramGroups[i]!.params } as ParamGroup<O>;
    });
    this.paramGroups.splice(0, this.paramGroups.length, ...groups);
    this.state.clear();
    for (const [p, s] of state) this.state.set(p, s);
  }

  /** @internal The gradient of `p` (it is non-null inside `updateGroup`). */
  protected gradOf(p: Tensor): Tensor {
    if (p.grad === null) throw new AdjointError(this.name, 'internal: updateGroup called for a parameter without a gradient');
    return p.grad;
  }
}
