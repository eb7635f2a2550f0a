/**
 * Containers: `Sequential`, `ModuleList`, `ModuleDict`. Their children are
 * registered by name (`'0'`, `'1'`, ... or the dict's keys) in insertion
 * order, so state-dict keys are PyTorch's (`0.weight`, `layers.1.bias`).
 */
import { RangeArgError } from '../errors.js';
import type { Tensor } from '../tensor/index.js';
import { Module, type AnyModule } from './module.js';

/** A module taking one tensor and returning one: what `Sequential` chains. */
export type TensorModule = Module<[Tensor], Tensor>;

function checkModule(op: string, m: unknown, what: string): void {
  if (!(m instanceof Module)) throw new RangeArgError(op, `${what} is not a Module (got ${m === null ? 'null' : typeof m})`);
}

function indexOf(op: string, i: number, n: number): number {
  if (!Number.isInteger(i) || i < -n || i >= n) throw new RangeArgError(op, `index ${i} is out of range for ${n} modules`);
  return i < 0 ? i + n : i;
}

/**
 * Modules applied in order, each to the previous one's output. Named
 * `'0'`, `'1'`, ... or, from a `Map`, by its keys.
 *
 * @example
 * const model = new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 1));
 * model.forward(randn([4, 2])).shape; // [4, 1]
 * model.get(0);                       // the first Linear
 * new Sequential(new Map([['fc', new Linear(2, 8)], ['act', new ReLU()]]));
 */
export class Sequential extends Module {
  constructor(named: ReadonlyMap<string, TensorModule>);
  constructor(...modules: TensorModule[]);
  constructor(...args: unknown[]) {
    super();
    if (args.length === 1 && args[0] instanceof Map) {
      for (const [k, m] of args[0] as Map<string, TensorModule>) {
        checkModule('Sequential', m, `entry '${k}'`);
        this.registerModule(k, m);
      }
    } else {
      args.forEach((m, i) => {
        checkModule('Sequential', m, `argument ${i}`);
        this.registerModule(String(i), m as TensorModule);
      });
    }
  }

  /** Number of modules. */
  get length(): number {
    return this._modules.size;
  }

  /** The module at position `i` (negative counts from the end). @example model.get(-1); */
  get(i: number): TensorModule {
    return [...this._modules.values()][indexOf('Sequential.get', i, this.length)] as TensorModule;
  }

  /** Adds a module at the end, named by its position; returns this. @example model.append(new ReLU()); */
  append(module: TensorModule): this {
    checkModule('Sequential.append', module, 'the argument');
    this.registerModule(String(this.length), module);
    return this;
  }

  /** The modules in order. @example for (const m of model) console.log(String(m)); */
  *[Symbol.iterator](): Iterator<TensorModule> {
    for (const m of this._modules.values()) if (m !== null) yield m as TensorModule;
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this) y = m.forward(y);
    return y;
  }
}

/**
 * A list of modules, registered (unlike a plain array): their parameters
 * are the list's. It has no `forward`; loop over it in the owner's.
 *
 * @example
 * class Stack extends Module {
 *   layers = new ModuleList(Array.from({ length: 3 }, () => new Linear(8, 8)));
 *   forward(x: Tensor): Tensor { for (const l of this.layers) x = l.forward(x).relu(); return x; }
 * }
 * new Stack().namedParameters()[0]![0]; // 'layers.0.weight'
 */
export class ModuleList<M extends AnyModule = AnyModule> extends Module<never[], never> {
  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Number of modules. */
  get length(): number {
    return this._modules.size;
  }

  /** The module at `i` (negative counts from the end). @example layers.get(0); */
  get(i: number): M {
    return [...this._modules.values()][indexOf('ModuleList.get', i, this.length)] as M;
  }

  /** Replaces the module at `i`. @example layers.set(0, new Linear(8, 8)); */
  set(i: number, module: M): void {
    checkModule('ModuleList.set', module, 'the module');
    this._modules.set(String(indexOf('ModuleList.set', i, this.length)), module);
  }

  /** Adds a module at the end; returns this. @example layers.append(new Linear(8, 8)); */
  append(module: M): this {
    checkModule('ModuleList.append', module, 'the module');
    this.registerModule(String(this.length), module);
    return this;
  }

  /** Adds modules at the end; returns this. @example layers.extend([a, b]); */
  extend(modules: Iterable<M>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Inserts a module before position `i`, renumbering the rest. @example layers.insert(0, first); */
  insert(i: number, module: M): void {
    checkModule('ModuleList.insert', module, 'the module');
    const items = [...this];
    const at = i < 0 ? Math.max(0, items.length + i) : Math.min(i, items.length);
    items.splice(at, 0, module);
    this._modules.clear();
    items.forEach((m, k) => this.registerModule(String(k), m));
  }

  /** The modules in order. @example for (const layer of layers) x = layer.forward(x); */
  *[Symbol.iterator](): Iterator<M> {
    for (const m of this._modules.values()) if (m !== null) yield m as M;
  }

  /** Not callable: a ModuleList has no forward. */
  forward(): never {
    throw new RangeArgError('ModuleList', 'a ModuleList has no forward; iterate over it in the owning module');
  }
}

/**
 * Modules by name, registered in insertion order (any key without `.`).
 * From a plain object, JavaScript lists integer-like keys (`'1'`) first; pass
 * a `Map` or an array of entries to keep another order.
 *
 * @example
 * const heads = new ModuleDict({ cls: new Linear(8, 10), box: new Linear(8, 4) });
 * heads.get('cls')!.forward(h);
 * heads.keys(); // ['cls', 'box']
 */
export class ModuleDict<M extends AnyModule = AnyModule> extends Module<never[], never> {
  constructor(modules: ReadonlyMap<string, M> | Iterable<readonly [string, M]> | Readonly<Record<string, M>> = {}) {
    super();
    const entries = modules instanceof Map || Symbol.iterator in (modules as object)
      ? [...(modules as Iterable<readonly [string, M]>)]
      : Object.entries(modules as Record<string, M>);
    for (const [k, m] of entries) this.set(k, m);
  }

  /** Number of modules. */
  get size(): number {
    return this._modules.size;
  }

  /** The module `key`, or undefined. @example heads.get('cls'); */
  get(key: string): M | undefined {
    return (this._modules.get(key) ?? undefined) as M | undefined;
  }

  /** Adds or replaces the module `key`. @example heads.set('aux', new Linear(8, 2)); */
  set(key: string, module: M): void {
    checkModule('ModuleDict.set', module, `'${key}'`);
    if (this._modules.has(key)) this._modules.set(key, module);
    else this.registerModule(key, module);
  }

  /** Whether `key` is present. @example heads.has('cls'); */
  has(key: string): boolean {
    return this._modules.has(key);
  }

  /** Removes `key`; returns whether it was present. @example heads.delete('aux'); */
  delete(key: string): boolean {
    const had = this._modules.delete(key);
    if (had) delete (this as Record<string, unknown>)[key];
    return had;
  }

  /** The keys in order. @example heads.keys(); */
  keys(): string[] {
    return [...this._modules.keys()];
  }

  /** The modules in order. @example heads.values(); */
  values(): M[] {
    return [...this._modules.values()] as M[];
  }

  /** `[key, module]` pairs in order. @example for (const [k, m] of heads.entries()) ...; */
  entries(): [string, M][] {
    return [...this._modules.entries()] as [string, M][];
  }

  /** `[key, module]` pairs in order. */
  [Symbol.iterator](): Iterator<[string, M]> {
    return this.entries()[Symbol.iterator]();
  }

  /** Not callable: a ModuleDict has no forward. */
  forward(): never {
    throw new RangeArgError('ModuleDict', 'a ModuleDict has no forward; pick its modules in the owning module');
  }
}
