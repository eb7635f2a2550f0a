/**
 * `Value`: the chapter's micrograd engine (reverse-mode AD on scalars), done
 * properly. There is no closure per node and no `Set`. A node is one small object
 * of one fixed shape: its two child references (`null` for a leaf or a unary op)
 * and the place of its numbers in a shared `Float64Array` slab: `data`, `grad`,
 * `aux` (a folded constant operand or exponent), the op code (a small int, see
 * `cost.ts`) and two scratch slots of the backward pass. `backward()` is two
 * iterative walks over explicit stacks, with a `switch` on the op code; a chain of
 * 10^6 ops differentiates without recursion.
 *
 * Why a slab: V8 keeps a non-integer number held in an object field in a separate
 * heap box, so a node with three number fields is four heap objects, and a big
 * graph (all of it alive until backward) becomes mostly garbage-collector work.
 * With its numbers in slabs of 4096 nodes a node is one 56-byte object holding no
 * boxed number: a 2·10^6-node chain builds and differentiates about 3x faster. A
 * slab is an ordinary typed array referenced only by its nodes, so it is freed
 * with them: old graphs are reclaimed as before (a long-lived node keeps its
 * 192 KB slab alive, no more). `label` and `gradValue`, rarely set, live in
 * `WeakMap`s for the same reason. All five public properties (`data`, `grad`,
 * `label`, `op`, `children`) are accessors on the prototype.
 *
 * Second derivatives take a separate path: `backward({createGraph: true})` builds
 * the adjoints as `Value`s (each rule written with `Value` ops), so they can be
 * differentiated again; see also `grad` in `modes.ts`.
 */
import {
  ADD, ADD_C, COS, DIV, DIV_C, EXP, LOG, MUL, MUL_C, NEG, POW, POW_C, RELU, SIGMOID, SIN, SUB, TANH,
  describe, opLabel, operandError,
} from './cost.js';
import {
  AUX, CODE, GRAD, SLAB_SIZE, STRIDE, adjointValues, backwardNumeric, clearMarks, sortFrom,
} from './graph.js';

/** Options of {@link Value.backward}. */
export interface BackwardOptions {
  /**
   * Also build every adjoint as a differentiable `Value` and store it in each
   * reachable node's `.gradValue` (accumulating like `.grad`). Default `false`.
   */
  createGraph?: boolean;
  /** The output's adjoint to start from (PyTorch's `gradient` argument). Default `1`. */
  seed?: number;
}

/**
 * A scalar that records how it was computed, so that `.backward()` can compute
 * the derivative of it with respect to every value it depends on.
 *
 * Drawing and tables read only `data`, `grad`, `label`, `op` and `children`.
 *
 * @example
 * const x = new Value(2, 'x');
 * const y = new Value(3, 'y');
 * const f = x.add(y).mul(x.sin()); // (x + y)·sin x
 * f.backward();
 * x.grad; // sin 2 + 5 cos 2 ≈ -1.1714
 * y.grad; // sin 2 ≈ 0.9093
 */
export class Value {
  /** @internal The slab holding this node's numbers at `_j` ... `_j + 5` (see `STRIDE`). */
  _f: Float64Array;
  /** @internal This node's offset in `_f`. */
  _j: number;
  /** @internal First child, or `null` for a leaf. */
  _a: Value | null;
  /** @internal Second child, or `null`. */
  _b: Value | null;

  /**
   * A leaf holding `data`.
   *
   * @example
   * const w = new Value(0.5, 'w');
   */
  constructor(data: number, label = '') {
    if (typeof data !== 'number') throw new TypeError(`Value: data must be a number, got ${describe(data)}`);
    let f = slab;
    let j = slabUsed;
    if (j === SLAB_SIZE) {
      f = slab = new Float64Array(SLAB_SIZE);
      j = 0;
    }
    slabUsed = j + STRIDE;
    f[j] = data; // the other slots start at 0
    this._f = f;
    this._j = j;
    this._a = null;
    this._b = null;
    if (label !== '') this.label = label;
  }

  /** The value computed in the forward pass (mutable: SGD writes it). @example new Value(2).data; // 2 */
  get data(): number {
    return this._f[this._j]!;
  }
  set data(x: number) {
    this._f[this._j] = x;
  }

  /**
   * d(output)/d(this), accumulated by every `backward()` call (`+=`, never reset
   * by it). @example x.grad = 0;
   */
  get grad(): number {
    return this._f[this._j + GRAD]!;
  }
  set grad(g: number) {
    this._f[this._j + GRAD] = g;
  }

  /** A user-given name for drawings (`''` by default). @example new Value(2, 'x').label; // 'x' */
  get label(): string {
    return labels.get(this) ?? '';
  }
  set label(name: string) {
    if (typeof name !== 'string') throw new TypeError(`Value: label must be a string, got ${describe(name)}`);
    if (name === '') labels.delete(this);
    else labels.set(this, name);
  }

  /**
   * The differentiable adjoint, set by `backward({createGraph: true})`; else `null`.
   *
   * @example
   * x.gradValue?.backward(); // second derivatives
   */
  get gradValue(): Value | null {
    return gradValues.get(this) ?? null;
  }
  set gradValue(g: Value | null) {
    if (g === null) gradValues.delete(this);
    else gradValues.set(this, g);
  }

  /** @internal Op code (see `cost.ts`). */
  get _code(): number {
    return this._f[this._j + CODE]!;
  }

  /** @internal The folded number operand or exponent of a `*_C` op; else 0. */
  get _aux(): number {
    return this._f[this._j + AUX]!;
  }

  /**
   * The op that made this node: `''` for a leaf, `'+'`, `'*'`, `'tanh'`, and the
   * chapter's `'**2'` style for a number operand: `'*2'`, `'+0.001'`, `'/4'`.
   *
   * @example
   * new Value(3).pow(2).op; // '**2'
   */
  get op(): string {
    return opLabel(this._code, this._aux);
  }

  /**
   * The node's inputs (`[]` for a leaf). A number operand is not a child: it is
   * shown in `op`.
   *
   * @example
   * const x = new Value(1); x.mul(x).children; // [x, x]
   */
  get children(): readonly Value[] {
    const a = this._a;
    const b = this._b;
    return a === null ? [] : b === null ? [a] : [a, b];
  }

  /** @example new Value(1).add(new Value(2)).data; // 3 */
  add(other: Value | number): Value {
    if (other instanceof Value) return node(this.data + other.data, ADD, this, other, 0);
    if (typeof other === 'number') return node(this.data + other, ADD_C, this, null, other);
    throw operandError('add', other);
  }

  /** @example new Value(5).sub(2).data; // 3 */
  sub(other: Value | number): Value {
    if (other instanceof Value) return node(this.data - other.data, SUB, this, other, 0);
    // x - c is x + (-c), exactly, in IEEE arithmetic.
    if (typeof other === 'number') return node(this.data - other, ADD_C, this, null, -other);
    throw operandError('sub', other);
  }

  /** @example new Value(2).mul(3).data; // 6 */
  mul(other: Value | number): Value {
    if (other instanceof Value) return node(this.data * other.data, MUL, this, other, 0);
    if (typeof other === 'number') return node(this.data * other, MUL_C, this, null, other);
    throw operandError('mul', other);
  }

  /** @example new Value(6).div(4).data; // 1.5 */
  div(other: Value | number): Value {
    if (other instanceof Value) return node(this.data / other.data, DIV, this, other, 0);
    if (typeof other === 'number') return node(this.data / other, DIV_C, this, null, other);
    throw operandError('div', other);
  }

  /**
   * `this ** exponent`, a number (label `'**2'`) or a `Value` (label `'**'`;
   * d/d exponent = y·ln(base), taken as 0 where base = 0 and exponent ≥ 0, like PyTorch).
   *
   * @example
   * new Value(3).pow(2).data; // 9
   */
  pow(exponent: Value | number): Value {
    if (typeof exponent === 'number') return node(Math.pow(this.data, exponent), POW_C, this, null, exponent);
    if (exponent instanceof Value) return node(Math.pow(this.data, exponent.data), POW, this, exponent, 0);
    throw operandError('pow', exponent);
  }

  /** @example new Value(2).neg().data; // -2 */
  neg(): Value {
    return node(-this.data, NEG, this, null, 0);
  }

  /** @example new Value(0).exp().data; // 1 */
  exp(): Value {
    return node(Math.exp(this.data), EXP, this, null, 0);
  }

  /** Natural log; NaN for a negative input, like `Math.log` (no throw). @example new Value(1).log().data; // 0 */
  log(): Value {
    return node(Math.log(this.data), LOG, this, null, 0);
  }

  /** @example new Value(0).tanh().data; // 0 */
  tanh(): Value {
    return node(Math.tanh(this.data), TANH, this, null, 0);
  }

  /** max(0, x); its derivative at 0 is 0, and NaN stays NaN with derivative 1 (PyTorch's). @example new Value(-1).relu().data; // 0 */
  relu(): Value {
    const x = this.data;
    return node(x <= 0 ? 0 : x, RELU, this, null, 0);
  }

  /** 1 / (1 + e^-x) (Exercise 28.1). @example new Value(0).sigmoid().data; // 0.5 */
  sigmoid(): Value {
    return node(1 / (1 + Math.exp(-this.data)), SIGMOID, this, null, 0);
  }

  /** @example new Value(0).sin().data; // 0 */
  sin(): Value {
    return node(Math.sin(this.data), SIN, this, null, 0);
  }

  /** @example new Value(0).cos().data; // 1 */
  cos(): Value {
    return node(Math.cos(this.data), COS, this, null, 0);
  }

  /**
   * Reverse mode: computes d(this)/d(v) for every node v this depends on, and ADDS
   * it to `v.grad` (the seed, 1 by default, is added to `this.grad`). Nothing is
   * reset: gradients accumulate across uses of a node (the multivariate chain rule)
   * and across calls, like PyTorch's `.grad` (and unlike the chapter's version,
   * whose second call compounds stale intermediate grads). Calling it twice
   * therefore doubles every gradient; call `zeroGrad` between training steps.
   * The graph is kept (no `retainGraph` needed).
   *
   * With `{createGraph: true}` it also stores each adjoint as a differentiable
   * `Value` in `.gradValue` (accumulated with `add` when already set), so that
   * `x.gradValue.backward()` gives second derivatives.
   *
   * @example
   * const x = new Value(3);
   * const y = x.mul(x);
   * y.backward(); x.grad; // 6
   * y.backward(); x.grad; // 12 (accumulated)
   */
  backward(options?: BackwardOptions): void {
    const seed = options?.seed ?? 1;
    if (typeof seed !== 'number') throw new TypeError(`backward: seed must be a number, got ${describe(seed)}`);
    if (options?.createGraph === true) backwardCreateGraph(this, seed);
    else backwardNumeric(this, seed);
  }

  /** The chapter's repr. @example String(new Value(2)); // 'Value(data=2.0000, grad=0.0000)' */
  toString(): string {
    return `Value(data=${this.data.toFixed(4)}, grad=${this.grad.toFixed(4)})`;
  }
}

// The current slab, filled node by node (layout in graph.ts).
let slab = new Float64Array(SLAB_SIZE);
let slabUsed = 0;

// Rarely set per-node properties live outside the node, keeping nodes small.
const labels = new WeakMap<Value, string>();
const gradValues = new WeakMap<Value, Value>();

/** Makes an op node (the constructor's stores of the defaults are dead and elided). */
function node(data: number, code: number, a: Value, b: Value | null, aux: number): Value {
  const v = new Value(data);
  v._f[v._j + CODE] = code;
  v._a = a;
  v._b = b;
  v._f[v._j + AUX] = aux;
  return v;
}

/**
 * @internal `topoSort` with `stops` treated as leaves (not expanded) and placed
 * first: the nodes of the graph between `stops` and `root`.
 */
export function topoSortFrom(root: Value, stops: readonly Value[]): Value[] {
  const topo = sortFrom(root, stops);
  clearMarks(topo);
  return topo;
}

/**
 * The nodes `output` depends on, in forward (topological) order: every node
 * after its children, `output` last. Iterative, so deep graphs are fine.
 *
 * @example
 * const x = new Value(2, 'x');
 * topoSort(x.mul(3).exp()).map((v) => v.op); // ['', '*3', 'exp']
 */
export function topoSort(output: Value): Value[] {
  if (!(output instanceof Value)) throw operandError('topoSort', output);
  const topo = sortFrom(output, null);
  clearMarks(topo);
  return topo;
}

function backwardCreateGraph(root: Value, seed: number): void {
  const { topo, adj } = adjointValues(root, new Value(seed), null);
  for (let i = 0; i < topo.length; i++) {
    const v = topo[i]!;
    const g = adj[i]!;
    if (g === null) {
      if (v.gradValue === null) v.gradValue = new Value(0);
      continue;
    }
    v.grad += g.data;
    v.gradValue = v.gradValue === null ? g : v.gradValue.add(g);
  }
}

/**
 * Sets `.grad` to 0 (and `.gradValue` to `null`) on every given value.
 *
 * @example
 * zeroGrad(model.parameters());
 */
export function zeroGrad(values: Iterable<Value>): void {
  for (const v of values) {
    v.grad = 0;
    v.gradValue = null;
  }
}
