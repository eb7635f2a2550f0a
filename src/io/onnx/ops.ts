/**
 * Recorded nodes to ONNX nodes: one mapping per primitive and per traced
 * composite that has an ONNX counterpart. A composite without one is
 * exported as its recorded parts; a primitive without one is an
 * `OnnxExportError` naming the op and where it was traced.
 */
import type { TraceNode } from '../../ops/index.js';
import { GraphBuilder, dimValue, mulDim, sameDim, type Dim } from './graph.js';
import {
  agree, broadcastDims, dimsIn, emit, fail, float, int, ints, nameIn, node, scalarOf, windowed, x, type Ctx, type Mapping,
} from './context.js';
import { NN_COMPOSITES, NN_PRIMITIVES } from './ops-nn.js';
import type { AttrValue } from './proto.js';

const binary = (op: string): Mapping => (c) => emit(c, op, [nameIn(c, 0), nameIn(c, 1)], {}, broadcastDims(c, dimsIn(c, 0), dimsIn(c, 1)));
const unary = (op: string): Mapping => (c) => emit(c, op, [nameIn(c, 0)], {}, dimsIn(c, 0));

/** Axes as an input (opset 18+ for most reductions, 13+ for ReduceSum) or an attribute. */
function reduce(c: Ctx, op: string, dims: readonly number[], keepdim: boolean, axesAsInput: boolean): void {
  const inDims = dimsIn(c, 0);
  const out = keepdim ? inDims.map((d, i) => (dims.includes(i) ? 1 : d)) : inDims.filter((_, i) => !dims.includes(i));
  if (dims.length === 0) return emit(c, 'Identity', [nameIn(c, 0)], {}, inDims);
  const keep = { keepdims: int(keepdim ? 1 : 0) };
  if (axesAsInput) emit(c, op, [nameIn(c, 0), c.b.ints(dims)], keep, out);
  else emit(c, op, [nameIn(c, 0)], { ...keep, axes: ints(dims) }, out);
}

/**
 * The dims of a reshape of `inDims` to the concrete `target`: input and
 * target dims are grouped where their products agree, and a group's
 * symbols go to the target dims they divide (an exact match first).
 */
function reshapeDims(c: Ctx, inDims: readonly Dim[], target: readonly number[]): Dim[] {
  if (inDims.every((d) => typeof d === 'number')) return target.slice();
  if (target.some((t) => t === 0)) fail(c, 'reshapes an empty tensor with a dynamic dim');
  const out: Dim[] = new Array<Dim>(target.length);
  let i = 0;
  let j = 0;
  while (i < inDims.length || j < target.length) {
    if (i < inDims.length && inDims[i] === 1) { i++; continue; }
    if (j < target.length && target[j] === 1) { out[j++] = 1; continue; }
    if (i >= inDims.length || j >= target.length) fail(c, 'has a target that does not match its input');
    const gi = [inDims[i++]!];
    const gj = [j++];
    let pi = dimValue(gi[0]!);
    let pt = target[gj[0]!]!;
    while (pi !== pt) {
      if (pi < pt) {
        if (i >= inDims.length) fail(c, 'has a target that does not match its input');
        gi.push(inDims[i]!);
        pi *= dimValue(inDims[i++]!);
      } else {
        if (j >= target.length) fail(c, 'has a target that does not match its input');
        gj.push(j);
        pt *= target[j++]!;
      }
    }
    const e = gi.reduce<Dim>((a, d) => mulDim(a, d), 1);
    if (typeof e === 'number') { for (const k of gj) out[k] = target[k]!; continue; }
    if (gj.length === 1) { out[gj[0]!] = e; continue; }
    const rem = gj.map((k) => target[k]!);
    const syms: string[][] = gj.map(() => []);
    for (const s of e.s) {
      const v = c.b.example(s);
      let k = rem.findIndex((r) => r === v);
      if (k < 0) k = rem.findIndex((r) => r % v === 0);
      if (k < 0) fail(c, `splits the dynamic dim '${s}' in a way the traced sizes cannot tell`);
      syms[k]!.push(s);
      rem[k]! /= v;
    }
    gj.forEach((k, m) => {
      out[k] = syms[m]!.length === 0 ? rem[m]! : { v: target[k]!, c: rem[m]!, s: syms[m]!.sort() };
    });
  }
  return out;
}

/** A Reshape target for `outDims`: a constant with at most one −1, copied dims as 0, or computed from shapes. */
function reshapeTarget(c: Ctx, inDims: readonly Dim[], outDims: readonly Dim[]): string {
  const sym = outDims.map((d, k) => typeof d !== 'number' && !(k < inDims.length && sameDim(inDims[k]!, d)));
  const copied = outDims.map((d, k) => typeof d !== 'number' && k < inDims.length && sameDim(inDims[k]!, d));
  const nSym = sym.filter(Boolean).length;
  if (nSym <= 1) return c.b.ints(outDims.map((d, k) => (copied[k] ? 0 : sym[k] ? -1 : (d as number))));
  return c.b.shapeTensor(outDims);
}

function sliceOf(c: Ctx): void {
  const p = c.n.params as { start: readonly number[]; step: readonly number[]; shape: readonly number[] };
  const inDims = dimsIn(c, 0);
  const axes: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const steps: number[] = [];
  const out: Dim[] = inDims.map((d, k) => {
    const len = p.shape[k]!;
    const full = p.start[k] === 0 && p.step[k] === 1 && len === dimValue(d);
    if (full) return d;
    if (typeof d !== 'number' && p.start[k]! > 0 && p.start[k]! + (len - 1) * p.step[k]! + 1 >= dimValue(d)) {
      fail(c, `slices the dynamic dim ${k} up to its end from an offset (${p.start[k]}): whether the offset counts from the start or from the end cannot be told from one trace`);
    }
    axes.push(k);
    starts.push(p.start[k]!);
    ends.push(len === 0 ? p.start[k]! : p.start[k]! + (len - 1) * p.step[k]! + 1);
    steps.push(p.step[k]!);
    return len;
  });
  if (axes.length === 0) return emit(c, 'Identity', [nameIn(c, 0)], {}, out);
  emit(c, 'Slice', [nameIn(c, 0), c.b.ints(starts), c.b.ints(ends), c.b.ints(axes), c.b.ints(steps)], {}, out);
}

function unsliceOf(c: Ctx): void {
  const p = c.n.params as { start: readonly number[]; step: readonly number[]; shape: readonly number[]; value: number };
  if (p.step.some((s) => s !== 1)) fail(c, 'with a step other than 1 has no ONNX counterpart');
  const inDims = dimsIn(c, 0);
  const lo = p.start.slice();
  const hi = p.shape.map((n, k) => n - p.start[k]! - dimValue(inDims[k]!));
  const out = inDims.map((d, k) => (lo[k] === 0 && hi[k] === 0 ? d : p.shape[k]!));
  emit(c, 'Pad', [nameIn(c, 0), c.b.ints([...lo, ...hi]), scalarOf(c, p.value)], { mode: { kind: 'string', v: 'constant' } }, out);
}

function expandOf(c: Ctx): void {
  const p = c.n.params as { shape: readonly number[] };
  const inDims = dimsIn(c, 0);
  const off = p.shape.length - inDims.length;
  const out: Dim[] = p.shape.map((n, k) => (k >= off && dimValue(inDims[k - off]!) === n ? inDims[k - off]! : n));
  const target = out.map((d, k) => (k >= off && d === inDims[k - off] ? 1 : d));
  emit(c, 'Expand', [nameIn(c, 0), c.b.shapeTensor(target)], {}, out);
}

function catOf(c: Ctx): void {
  const axis = c.n.params.dim as number;
  const all = c.n.inputs.map((_, i) => dimsIn(c, i));
  const along = all.map((d) => d[axis]!);
  const total = along.reduce<number>((a, d) => a + dimValue(d), 0);
  const out = all[0]!.slice();
  for (const d of all.slice(1)) d.forEach((v, k) => { if (k !== axis) agree(c, out[k]!, v, k); });
  const [name] = c.b.add('Concat', c.n.inputs.map((_, i) => nameIn(c, i)), { axis: int(axis) }, 1, c.scope);
  out[axis] = along.every((d) => typeof d === 'number') ? total : c.b.opaqueDim(name!, axis, total);
  c.b.bind(c.n.outputs[0]!, name!, out);
}

function matmulOf(c: Ctx): void {
  const a = dimsIn(c, 0);
  const b = dimsIn(c, 1);
  const batch = broadcastDims(c, a.slice(0, -2), b.slice(0, -2));
  agree(c, a[a.length - 1]!, b[b.length - 2]!, a.length - 1);
  emit(c, 'MatMul', [nameIn(c, 0), nameIn(c, 1)], {}, [...batch, a[a.length - 2]!, b[b.length - 1]!]);
}

function convOf(c: Ctx): void {
  const a = c.n.params as { stride: number[]; padding: number[]; dilation: number[]; groups: number; same: boolean };
  const w = x(c, 1);
  const kernel = w.shape.slice(2);
  const end = a.same ? a.padding.map((p, k) => a.dilation[k]! * (kernel[k]! - 1) - p) : a.padding;
  const inputs = [nameIn(c, 0), nameIn(c, 1), ...(c.n.inputs[2] ? [nameIn(c, 2)] : [])];
  windowed(c, 'Conv', inputs, {
    kernel_shape: ints(kernel), strides: ints(a.stride), pads: ints([...a.padding, ...end]), dilations: ints(a.dilation), group: int(a.groups),
  }, [dimsIn(c, 0)[0]!, w.shape[0]!]);
}

interface PoolAttrs { kernel: number[]; stride: number[]; padding: number[]; dilation: number[]; ceilMode: boolean; countIncludePad?: boolean; divisorOverride?: number | null }

function poolAttrs(a: PoolAttrs): Record<string, AttrValue> {
  return { kernel_shape: ints(a.kernel), strides: ints(a.stride), pads: ints([...a.padding, ...a.padding]), ceil_mode: int(a.ceilMode ? 1 : 0) };
}

function maxPoolOf(c: Ctx): void {
  const a = c.n.params as unknown as PoolAttrs;
  const d = dimsIn(c, 0);
  windowed(c, 'MaxPool', [nameIn(c, 0)], { ...poolAttrs(a), dilations: ints(a.dilation) }, [d[0]!, d[1]!]);
}

function avgPoolOf(c: Ctx): void {
  const a = c.n.params as unknown as PoolAttrs;
  const d = dimsIn(c, 0);
  const attrs = poolAttrs(a);
  if (a.dilation.some((v) => v !== 1)) {
    if (c.b.opset < 19) fail(c, `with dilation ${JSON.stringify(a.dilation)} needs opset 19 or later (AveragePool's dilations), got opset ${c.b.opset}`);
    attrs.dilations = ints(a.dilation);
  }
  const override = a.divisorOverride ?? null;
  if (override === null) return windowed(c, 'AveragePool', [nameIn(c, 0)], { ...attrs, count_include_pad: int(a.countIncludePad ? 1 : 0) }, [d[0]!, d[1]!]);
  if (a.ceilMode) fail(c, 'with divisorOverride and ceilMode has no ONNX counterpart');
  // Every window is whole with count_include_pad and no ceil mode: mean · k / divisor = sum / divisor.
  const k = a.kernel[0]! * a.kernel[1]!;
  const mean = node(c, 'AveragePool', [nameIn(c, 0)], { ...attrs, count_include_pad: int(1) });
  const y = c.n.outputs[0]!;
  const lead = [d[0]!, d[1]!];
  const spatial = y.shape.slice(2).map((v, i) => (typeof d[2 + i] === 'number' ? v : c.b.opaqueDim(mean, 2 + i, v)));
  emit(c, 'Mul', [mean, scalarOf(c, k / override)], {}, [...lead, ...spatial]);
}

function batchNormOf(c: Ctx): void {
  const xd = x(c, 0);
  const ch = xd.shape[1]!;
  const scale = c.n.inputs[3] ? nameIn(c, 3) : c.b.constant(new Array<number>(ch).fill(1), xd.dtype, [ch]);
  const bias = c.n.inputs[4] ? nameIn(c, 4) : c.b.constant(new Array<number>(ch).fill(0), xd.dtype, [ch]);
  emit(c, 'BatchNormalization', [nameIn(c, 0), scale, bias, nameIn(c, 1), nameIn(c, 2)], { epsilon: float(c.n.params.eps as number) }, dimsIn(c, 0));
}

function layerNormOf(c: Ctx): void {
  const ns = c.n.params.normalizedShape as number[];
  const xd = x(c, 0);
  const size = ns.reduce((a, b) => a * b, 1);
  const scale = c.n.inputs[1] ? nameIn(c, 1) : c.b.constant(new Array<number>(size).fill(1), xd.dtype, ns);
  const inputs = [nameIn(c, 0), scale, ...(c.n.inputs[2] ? [nameIn(c, 2)] : [])];
  emit(c, 'LayerNormalization', inputs, { axis: int(-ns.length), epsilon: float(c.n.params.eps as number) }, dimsIn(c, 0));
}

function linearOf(c: Ctx): void {
  const xd = dimsIn(c, 0);
  const w = x(c, 1);
  const out = [...xd.slice(0, -1), w.shape[0]!];
  const bias = c.n.inputs[2] ? [nameIn(c, 2)] : [];
  if (xd.length === 2) return emit(c, 'Gemm', [nameIn(c, 0), nameIn(c, 1), ...bias], { transB: int(1) }, out);
  const wt = node(c, 'Transpose', [nameIn(c, 1)], { perm: ints([1, 0]) });
  if (bias.length === 0) return emit(c, 'MatMul', [nameIn(c, 0), wt], {}, out);
  emit(c, 'Add', [node(c, 'MatMul', [nameIn(c, 0), wt]), bias[0]!], {}, out);
}

function softmaxOf(op: string): Mapping {
  return (c) => {
    if (x(c, 0).ndim === 0) fail(c, 'of a 0-d tensor is exported only as part of a larger tensor; give it a dim');
    emit(c, op, [nameIn(c, 0)], { axis: int(c.n.params.dim as number) }, dimsIn(c, 0));
  };
}

function geluOf(c: Ctx): void {
  const approximate = c.n.params.approximate as 'none' | 'tanh';
  const xn = nameIn(c, 0);
  const d = dimsIn(c, 0);
  if (c.b.opset >= 20) return emit(c, 'Gelu', [xn], { approximate: { kind: 'string', v: approximate } }, d);
  const half = node(c, 'Mul', [xn, scalarOf(c, 0.5)]);
  let inner: string;
  if (approximate === 'tanh') {
    const cube = node(c, 'Mul', [node(c, 'Mul', [xn, xn]), xn]);
    const arg = node(c, 'Mul', [node(c, 'Add', [xn, node(c, 'Mul', [cube, scalarOf(c, 0.044715)])]), scalarOf(c, Math.sqrt(2 / Math.PI))]);
    inner = node(c, 'Tanh', [arg]);
  } else {
    inner = node(c, 'Erf', [node(c, 'Mul', [xn, scalarOf(c, Math.SQRT1_2)])]);
  }
  emit(c, 'Mul', [half, node(c, 'Add', [inner, scalarOf(c, 1)])], {}, d);
}

function softplusOf(c: Ctx): void {
  const beta = c.n.params.beta as number;
  const d = dimsIn(c, 0);
  if (beta === 1) return emit(c, 'Softplus', [nameIn(c, 0)], {}, d);
  const sp = node(c, 'Softplus', [node(c, 'Mul', [nameIn(c, 0), scalarOf(c, beta)])]);
  emit(c, 'Div', [sp, scalarOf(c, beta)], {}, d);
}

/** `Where`; over bool branches (a `triu`/`tril` of a bool mask) as `(c ∧ a) ∨ (¬c ∧ b)`: ONNX Runtime has no bool `Where` kernel. */
function selectOf(c: Ctx): void {
  const [cond, a, b] = [nameIn(c, 0), nameIn(c, 1), nameIn(c, 2)];
  const d = broadcastDims(c, dimsIn(c, 0), dimsIn(c, 1), dimsIn(c, 2));
  if (c.n.outputs[0]!.dtype !== 'bool') return emit(c, 'Where', [cond, a, b], {}, d);
  emit(c, 'Or', [node(c, 'And', [cond, a]), node(c, 'And', [node(c, 'Not', [cond]), b])], {}, d);
}

const COMPARE: Record<string, string> = { eq: 'Equal', lt: 'Less', le: 'LessOrEqual', gt: 'Greater', ge: 'GreaterOrEqual' };

/** The mappings of the primitives. */
const PRIMITIVES: Readonly<Record<string, Mapping>> = {
  add: binary('Add'), sub: binary('Sub'), mul: binary('Mul'), div: binary('Div'), pow: binary('Pow'),
  maximum: binary('Max'), minimum: binary('Min'),
  neg: unary('Neg'), exp: unary('Exp'), log: unary('Log'), sqrt: unary('Sqrt'), sin: unary('Sin'), cos: unary('Cos'),
  tanh: unary('Tanh'), sigmoid: unary('Sigmoid'), abs: unary('Abs'), erf: unary('Erf'), sign: unary('Sign'), contiguous: unary('Identity'),
  log1p: (c) => emit(c, 'Log', [node(c, 'Add', [nameIn(c, 0), scalarOf(c, 1)])], {}, dimsIn(c, 0)),
  expm1: (c) => emit(c, 'Sub', [node(c, 'Exp', [nameIn(c, 0)]), scalarOf(c, 1)], {}, dimsIn(c, 0)),
  compare: (c) => {
    const op = c.n.params.op as string;
    const d = broadcastDims(c, dimsIn(c, 0), dimsIn(c, 1));
    if (op === 'ne') return emit(c, 'Not', [node(c, 'Equal', [nameIn(c, 0), nameIn(c, 1)])], {}, d);
    emit(c, COMPARE[op]!, [nameIn(c, 0), nameIn(c, 1)], {}, d);
  },
  where: selectOf,
  sum: (c) => reduce(c, 'ReduceSum', c.n.params.dims as number[], c.n.params.keepdim as boolean, true),
  extreme: (c) => reduce(c, c.n.params.op === 'max' ? 'ReduceMax' : 'ReduceMin', c.n.params.dims as number[], c.n.params.keepdim as boolean, c.b.opset >= 18),
  argReduce: (c) => {
    const p = c.n.params as { op: string; dim: number; keepdim: boolean };
    const d = dimsIn(c, 0);
    const out = p.keepdim ? d.map((v, i) => (i === p.dim ? 1 : v)) : d.filter((_, i) => i !== p.dim);
    const idx = node(c, p.op === 'argmax' ? 'ArgMax' : 'ArgMin', [nameIn(c, 0)], { axis: int(p.dim), keepdims: int(p.keepdim ? 1 : 0) });
    emit(c, 'Cast', [idx], { to: int(6) }, out);
  },
  reshape: (c) => {
    const target = c.n.params.shape as number[];
    const inDims = dimsIn(c, 0);
    const out = reshapeDims(c, inDims, target);
    emit(c, 'Reshape', [nameIn(c, 0), reshapeTarget(c, inDims, out)], {}, out);
  },
  permute: (c) => {
    const perm = c.n.params.dims as number[];
    const d = dimsIn(c, 0);
    emit(c, 'Transpose', [nameIn(c, 0)], { perm: ints(perm) }, perm.map((k) => d[k]!));
  },
  expand: expandOf,
  slice: sliceOf,
  unslice: unsliceOf,
  cat: catOf,
  gather: (c) => emit(c, 'GatherElements', [nameIn(c, 0), nameIn(c, 1)], { axis: int(c.n.params.dim as number) }, dimsIn(c, 1)),
  scatterAdd: (c) => {
    const p = c.n.params as { dim: number; shape: readonly number[] };
    const zeros = node(c, 'ConstantOfShape', [c.b.ints(p.shape)], {
      value: { kind: 'tensor', v: { name: '', dtype: x(c, 0).dtype, dims: [1], data: new Uint8Array(x(c, 0).dtype === 'float64' ? 8 : x(c, 0).dtype === 'bool' ? 1 : 4) } },
    });
    emit(c, 'ScatterElements', [zeros, nameIn(c, 1), nameIn(c, 0)], { axis: int(p.dim), reduction: { kind: 'string', v: 'add' } }, p.shape);
  },
  matmul: matmulOf,
  det: (c) => emit(c, 'Det', [nameIn(c, 0)], {}, dimsIn(c, 0).slice(0, -2)),
  ...NN_PRIMITIVES,
  cast: (c) => emit(c, 'Cast', [nameIn(c, 0)], { to: int(({ float32: 1, int32: 6, bool: 9, float64: 11 } as const)[c.n.params.dtype as 'float32']) }, dimsIn(c, 0)),
};

/** The mappings of the traced composites. */
const COMPOSITES: Readonly<Record<string, Mapping>> = {
  conv1d: convOf,
  conv2d: convOf,
  maxPool2d: maxPoolOf,
  avgPool2d: avgPoolOf,
  batchNorm: batchNormOf,
  layerNorm: layerNormOf,
  linear: linearOf,
  embedding: (c) => emit(c, 'Gather', [nameIn(c, 1), nameIn(c, 0)], { axis: int(0) }, [...dimsIn(c, 0), x(c, 1).shape[1]!]),
  indexSelect: (c) => {
    const dim = c.n.params.dim as number;
    const d = dimsIn(c, 0).slice();
    d[dim] = dimsIn(c, 1)[0] ?? 1;
    emit(c, 'Gather', [nameIn(c, 0), nameIn(c, 1)], { axis: int(dim) }, d);
  },
  softmax: softmaxOf('Softmax'),
  logSoftmax: softmaxOf('LogSoftmax'),
  logsumexp: (c) => reduce(c, 'ReduceLogSumExp', c.n.params.dims as number[], c.n.params.keepdim as boolean, c.b.opset >= 18),
  gelu: geluOf,
  leakyRelu: (c) => emit(c, 'LeakyRelu', [nameIn(c, 0)], { alpha: float(c.n.params.negativeSlope as number) }, dimsIn(c, 0)),
  softplus: softplusOf,
  relu: unary('Relu'),
  ...NN_COMPOSITES,
};

/** Primitives that no ONNX op expresses, with what they come from (for the message). */
const NO_COUNTERPART: Readonly<Record<string, string>> = {
  im2col: 'sliding windows, as in unfold or a pooling/convolution ONNX has no form of',
  col2im: 'summing windows back, as in fold',
  ...Object.fromEntries(['cholesky', 'qr', 'eigh', 'svd', 'solve', 'triangularSolve', 'slogdet'].map((op) => [
    op, "a matrix decomposition or solve; ONNX's linear algebra is MatMul, Gemm, Einsum and Det",
  ])),
};

/** Where a node was traced, for messages: the module path, else the caller's frame. */
export function whereOf(n: TraceNode): string {
  const scope = n.scope[n.scope.length - 1];
  if (scope !== undefined) return scope;
  const frames = (n.stack ?? '').split('\n').slice(1).map((l) => l.trim());
  const user = frames.find((f) => !/[/\\]src[/\\](ops|nn|tensor|autograd|io|backend)[/\\]/.test(f) && !f.includes('node:internal'));
  return user?.replace(/^at /, '') ?? 'the top level of the traced function';
}

/**
 * Emits the ONNX nodes of recorded node `n` (and, for a composite ONNX has
 * no op for, of its parts).
 *
 * @example
 * for (const n of tracer.nodes) emitNode(builder, n);
 */
export function emitNode(b: GraphBuilder, n: TraceNode, where = whereOf(n), scope = n.scope[n.scope.length - 1]?.split(' ')[0] ?? ''): void {
  if (n.outputs.every((t) => b.has(t))) return;
  const c: Ctx = { b, n, where, scope };
  if (n.kind === 'composite') {
    const m = COMPOSITES[n.op];
    if (m !== undefined && m(c) !== 'parts') return;
    for (const child of n.children ?? []) emitNode(b, child, where, scope);
    return;
  }
  const m = PRIMITIVES[n.op];
  if (m === undefined) {
    const why = NO_COUNTERPART[n.op];
    fail(c, `has no ONNX counterpart${why === undefined ? '' : ` (${why})`}`);
  }
  m(c);
}
