/**
 * The graph under construction: value names, initializers, nodes, and the
 * symbolic shape of every value, so that no size of the traced example is
 * baked in where a dynamic dim flows.
 *
 * A dim is a number (static) or a `Sym`: `c · s₁ · s₂ ⋯` over the symbols of
 * `dynamicAxes` (or opaque symbols for sizes no product describes, such as a
 * conv's output length over a dynamic input length). Every symbol can be read
 * at run time as `Shape(value)[axis]` of a value that has it, which is how
 * Reshape and Expand targets are computed when a constant will not do.
 */
import { Tensor, type DType } from '../../tensor/index.js';
import { OnnxExportError } from '../errors.js';
import type { AttrValue, OnnxDType, OnnxNode, OnnxTensor } from './proto.js';

/** A symbolic size `c · ∏ s`, `v` its value in the traced example. */
export interface Sym {
  readonly v: number;
  readonly c: number;
  readonly s: readonly string[];
}

/** A dim: static size or symbolic. */
export type Dim = number | Sym;

/** The value of a dim in the traced example. */
export function dimValue(d: Dim): number {
  return typeof d === 'number' ? d : d.v;
}

/** Whether two dims are the same expression. */
export function sameDim(a: Dim, b: Dim): boolean {
  if (typeof a === 'number' || typeof b === 'number') return a === b;
  return a.c === b.c && a.s.length === b.s.length && a.s.every((x, i) => x === b.s[i]);
}

/** The product of two dims. */
export function mulDim(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  const sa = typeof a === 'number' ? { v: a, c: a, s: [] } : a;
  const sb = typeof b === 'number' ? { v: b, c: b, s: [] } : b;
  return { v: sa.v * sb.v, c: sa.c * sb.c, s: [...sa.s, ...sb.s].sort() };
}

/** The ONNX element type of an adjoint dtype. */
export function onnxDType(d: DType): OnnxDType {
  return d;
}

/** Little-endian bytes of numbers of `dtype`. */
function bytesOf(values: ArrayLike<number>, dtype: OnnxDType): Uint8Array {
  switch (dtype) {
    case 'float32': return new Uint8Array(Float32Array.from(values).buffer);
    case 'float64': return new Uint8Array(Float64Array.from(values).buffer);
    case 'int32': return new Uint8Array(Int32Array.from(values).buffer);
    case 'int64': return new Uint8Array(BigInt64Array.from(Array.from(values, (v) => BigInt(v))).buffer);
    case 'bool': return Uint8Array.from(values, (v) => (v ? 1 : 0));
  }
}

/** The graph of one export. */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly names = new Map<Tensor, string>();
  private readonly dims = new Map<string, readonly Dim[]>();
  private readonly used = new Set<string>();
  private readonly consts = new Map<string, string>();
  /** Where each symbol can be read: a value and an axis. */
  private readonly symSource = new Map<string, { value: string; axis: number }>();
  private readonly symExample = new Map<string, number>();
  private readonly symCache = new Map<string, string>();
  private opaque = 0;
  private count = 0;

  constructor(readonly opset: number, private readonly params: ReadonlyMap<Tensor, string>) {}

  /** Declares a graph input `t` named `name` with `dims`. */
  input(t: Tensor, name: string, dims: readonly Dim[]): void {
    this.reserve(name);
    this.names.set(t, name);
    this.dims.set(name, dims);
    dims.forEach((d, axis) => {
      if (typeof d !== 'number' && d.s.length === 1 && d.c === 1 && !this.symSource.has(d.s[0]!)) {
        this.symSource.set(d.s[0]!, { value: name, axis });
        this.symExample.set(d.s[0]!, d.v);
      }
    });
  }

  /** The example size of symbol `s`. */
  example(s: string): number {
    return this.symExample.get(s)!;
  }

  /** Claims `name` for a graph input or output. */
  reserve(name: string): void {
    if (this.used.has(name)) throw new OnnxExportError('exportOnnx', `the name '${name}' is used twice in the graph`);
    this.used.add(name);
  }

  /** A fresh value name from `base`. */
  fresh(base: string): string {
    let name = base;
    while (this.used.has(name)) name = `${base}_${++this.count}`;
    this.used.add(name);
    return name;
  }

  /** Whether `t` has a name in the graph already (input, parameter or computed). */
  has(t: Tensor): boolean {
    return this.names.has(t);
  }

  /** The name of `t`: an input, a computed value, a parameter (named initializer), or a new constant initializer. */
  nameOf(t: Tensor): string {
    const known = this.names.get(t);
    if (known !== undefined) return known;
    const pname = this.params.get(t);
    const name = pname !== undefined ? this.fresh(pname) : this.fresh('onnx::Constant');
    this.initializers.push({ name, dtype: onnxDType(t.dtype), dims: t.shape, data: bytesOf(t.toTypedArray(), onnxDType(t.dtype)) });
    this.names.set(t, name);
    this.dims.set(name, t.shape);
    return name;
  }

  /** The symbolic dims of `t` (of a value named in the graph). */
  dimsOf(t: Tensor): readonly Dim[] {
    return this.dims.get(this.nameOf(t))!;
  }

  /** The symbolic dims of the value `name`. */
  dimsOfName(name: string): readonly Dim[] | undefined {
    return this.dims.get(name);
  }

  /** Binds the output tensor `t` to the value `name` with `dims`. */
  bind(t: Tensor, name: string, dims: readonly Dim[]): void {
    if (dims.length !== t.ndim || dims.some((d, i) => dimValue(d) !== t.shape[i])) {
      throw new OnnxExportError('exportOnnx', `internal: dims [${dims.map(dimValue).join(',')}] of '${name}' disagree with the traced shape [${t.shape.join(',')}]`);
    }
    this.names.set(t, name);
    this.dims.set(name, dims);
  }

  /** Records symbolic dims for a value made by `add` (for shapes read back later). */
  setDims(name: string, dims: readonly Dim[]): void {
    this.dims.set(name, dims);
  }

  /** A new opaque symbol for `axis` of `value`, whose size `v` is only known at run time. */
  opaqueDim(value: string, axis: number, v: number): Sym {
    const s = `unk__${this.opaque++}`;
    this.symSource.set(s, { value, axis });
    this.symExample.set(s, v);
    return { v, c: 1, s: [s] };
  }

  /** Adds a node; returns its output names. */
  add(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>> = {}, nOut = 1, scope = ''): string[] {
    const base = `${scope === '' ? '' : `/${scope}`}/${opType}`;
    const name = this.fresh(base);
    const outputs = Array.from({ length: nOut }, (_, i) => this.fresh(`${name}_output_${i}`));
    this.nodes.push({ opType, inputs, outputs, name, attrs });
    return outputs;
  }

  /** A constant initializer of `dtype` (shared between uses). */
  constant(values: readonly number[], dtype: OnnxDType, dims: readonly number[] = [values.length]): string {
    const key = `${dtype}:${dims.join(',')}:${values.join(',')}`;
    const hit = this.consts.get(key);
    if (hit !== undefined) return hit;
    const name = this.fresh('onnx::Constant');
    this.initializers.push({ name, dtype, dims, data: bytesOf(values, dtype) });
    this.dims.set(name, dims);
    this.consts.set(key, name);
    return name;
  }

  /** A 1-D int64 constant. */
  ints(values: readonly number[]): string {
    return this.constant(values, 'int64');
  }

  /** The run-time size of symbol `s` as an int64 tensor `[1]`. */
  private symbol(s: string): string {
    const hit = this.symCache.get(s);
    if (hit !== undefined) return hit;
    const src = this.symSource.get(s);
    if (src === undefined) throw new OnnxExportError('exportOnnx', `internal: no source for the dynamic dim '${s}'`);
    const [out] = this.add('Shape', [src.value], { start: { kind: 'int', v: src.axis }, end: { kind: 'int', v: src.axis + 1 } });
    this.symCache.set(s, out!);
    return out!;
  }

  /** A 1-D int64 tensor holding `dims` at run time (a constant when all are static). */
  shapeTensor(dims: readonly Dim[]): string {
    if (dims.every((d) => typeof d === 'number')) return this.ints(dims as number[]);
    const parts: string[] = [];
    let run: number[] = [];
    const flush = (): void => {
      if (run.length > 0) parts.push(this.ints(run));
      run = [];
    };
    for (const d of dims) {
      if (typeof d === 'number') {
        run.push(d);
        continue;
      }
      flush();
      let v = this.symbol(d.s[0]!);
      for (const s of d.s.slice(1)) v = this.add('Mul', [v, this.symbol(s)])[0]!;
      if (d.c !== 1) v = this.add('Mul', [v, this.ints([d.c])])[0]!;
      parts.push(v);
    }
    flush();
    return parts.length === 1 ? parts[0]! : this.add('Concat', parts, { axis: { kind: 'int', v: 0 } })[0]!;
  }

  /** The declared name of a dim in an output's shape. */
  static dimName(d: Dim): number | string | null {
    if (typeof d === 'number') return d;
    if (d.s.some((s) => s.startsWith('unk__'))) return null;
    return [...(d.c === 1 ? [] : [String(d.c)]), ...d.s].join('*');
  }
}
