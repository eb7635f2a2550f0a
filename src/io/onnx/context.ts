/**
 * What every mapping of a recorded node to ONNX nodes shares: the context
 * (builder, node, where it was traced), attribute makers, emitting nodes
 * bound to the recorded outputs, and symbolic broadcasting.
 */
import type { TraceNode } from '../../ops/index.js';
import type { Tensor } from '../../tensor/index.js';
import { OnnxExportError } from '../errors.js';
import { GraphBuilder, type Dim } from './graph.js';
import type { AttrValue } from './proto.js';

export const int = (v: number): AttrValue => ({ kind: 'int', v });
export const ints = (v: readonly number[]): AttrValue => ({ kind: 'ints', v });
export const float = (v: number): AttrValue => ({ kind: 'float', v });

/** What a mapping sees: the builder, the node, and where it was traced (for messages). */
export interface Ctx {
  readonly b: GraphBuilder;
  readonly n: TraceNode;
  readonly where: string;
  readonly scope: string;
}

/** Emits the ONNX nodes of a recorded node; a composite's mapping may return `'parts'` to export its recorded parts instead. */
export type Mapping = (c: Ctx) => void | 'parts';

export function fail(c: Ctx, why: string): never {
  throw new OnnxExportError('exportOnnx', `'${c.n.op}' ${why} (traced at ${c.where})`);
}

export function x(c: Ctx, i: number): Tensor {
  return c.n.inputs[i]!;
}

export function nameIn(c: Ctx, i: number): string {
  return c.b.nameOf(x(c, i));
}

export function dimsIn(c: Ctx, i: number): readonly Dim[] {
  return c.b.dimsOf(x(c, i));
}

/** Adds a node and binds it to the recorded output 0 with `dims`. */
export function emit(c: Ctx, opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>>, dims: readonly Dim[]): void {
  const [out] = c.b.add(opType, inputs, attrs, 1, c.scope);
  c.b.bind(c.n.outputs[0]!, out!, dims);
}

/** Adds a helper node (not bound to a recorded tensor). */
export function node(c: Ctx, opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>> = {}): string {
  return c.b.add(opType, inputs, attrs, 1, c.scope)[0]!;
}

/** Refuses a fixed size of the example where the same dim of another operand is dynamic. */
export function agree(c: Ctx, a: Dim, b: Dim, k: number): void {
  if ((typeof a === 'number') === (typeof b === 'number')) return;
  const sym = (typeof a === 'number' ? b : a) as Exclude<Dim, number>;
  fail(c, `meets the dynamic dim '${String(GraphBuilder.dimName(sym) ?? 'unknown')}' with the fixed size ${sym.v} of the traced example in dim ${k} (a size read from a shape, such as x.shape[0], is baked in; derive the tensor from the inputs instead)`);
}

/** NumPy broadcasting of symbolic dims. */
export function broadcastDims(c: Ctx, ...shapes: (readonly Dim[])[]): Dim[] {
  const nd = Math.max(...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let k = 0; k < nd; k++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const e = s[s.length - nd + k];
      if (e === undefined || e === 1) continue;
      if (d !== 1) agree(c, d, e, k);
      if (d === 1 || (typeof d === 'number' && typeof e !== 'number')) d = e;
    }
    out.push(d);
  }
  return out;
}

export function scalarOf(c: Ctx, v: number, i = 0): string {
  return c.b.constant([v], x(c, i).dtype, []);
}

/** The spatial output dims of a conv or pool: static, or opaque over a dynamic input size. */
export function windowed(c: Ctx, opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>>, lead: readonly Dim[]): void {
  const inDims = dimsIn(c, 0);
  const [name] = c.b.add(opType, inputs, attrs, 1, c.scope);
  const y = c.n.outputs[0]!;
  const spatial = y.shape.slice(2).map((v, k) => (typeof inDims[2 + k] === 'number' ? v : c.b.opaqueDim(name!, 2 + k, v)));
  c.b.bind(y, name!, [...lead, ...spatial]);
}
