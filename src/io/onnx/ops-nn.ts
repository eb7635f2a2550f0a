/**
 * The mappings of the newer traced composites to ONNX ops: transposed
 * convolutions, group and instance norm, `interpolate` (Resize), adaptive
 * pooling, the newer activations, `einsum` and `oneHot`, and (from
 * ops-recurrent.ts) the recurrent layers. Where ONNX's op cannot reproduce
 * the traced computation exactly, a mapping returns `'parts'` and the
 * recorded parts are exported instead.
 */
import {
  dimsIn, emit, fail, float, int, ints, nameIn, node, scalarOf, windowed, x, type Ctx, type Mapping,
} from './context.js';
import { type Dim } from './graph.js';
import { RECURRENT_COMPOSITES } from './ops-recurrent.js';
import type { AttrValue } from './proto.js';

const str = (v: string): AttrValue => ({ kind: 'string', v });

/** A constant `[n]` of `v` in the dtype of input 0. */
function filled(c: Ctx, v: number, n: number): string {
  return c.b.constant(new Array<number>(n).fill(v), x(c, 0).dtype, [n]);
}

/** Input `i`, or a constant `[n]` of `v` where it was left out. */
function orFilled(c: Ctx, i: number, v: number, n: number): string {
  return c.n.inputs[i] ? nameIn(c, i) : filled(c, v, n);
}

function convTransposeOf(c: Ctx): void {
  const a = c.n.params as { stride: number[]; padding: number[]; dilation: number[]; outputPadding: number[]; groups: number };
  const w = x(c, 1);
  const inputs = [nameIn(c, 0), nameIn(c, 1), ...(c.n.inputs[2] ? [nameIn(c, 2)] : [])];
  windowed(c, 'ConvTranspose', inputs, {
    kernel_shape: ints(w.shape.slice(2)), strides: ints(a.stride), pads: ints([...a.padding, ...a.padding]), dilations: ints(a.dilation),
    output_padding: ints(a.outputPadding), group: int(a.groups),
  }, [dimsIn(c, 0)[0]!, w.shape[1]! * a.groups]);
}

/** `y · weight + bias` per channel (dim 1) of an `nd`-D value, the weight and bias at inputs `wi`, `bi`; binds output 0. */
function channelAffine(c: Ctx, y: string, wi: number, bi: number): void {
  const xd = dimsIn(c, 0);
  const per = c.b.ints([x(c, 0).shape[1]!, ...xd.slice(2).map(() => 1)]);
  if (c.n.inputs[wi]) y = node(c, 'Mul', [y, node(c, 'Reshape', [nameIn(c, wi), per])]);
  if (c.n.inputs[bi]) y = node(c, 'Add', [y, node(c, 'Reshape', [nameIn(c, bi), per])]);
  c.b.bind(c.n.outputs[0]!, y, xd);
}

/**
 * `groupNorm` (inputs x, weight, bias): GroupNormalization-21 (per-channel
 * scale and bias, PyTorch's) from opset 21; GroupNormalization-18 (its scale
 * and bias are per group) with unit scale and the affine after, at 18 to 20;
 * at 17, Reshape to `[N, G, −1]` + InstanceNormalization + Reshape back.
 */
function groupNormOf(c: Ctx): void {
  const { numGroups: g, eps } = c.n.params as { numGroups: number; eps: number };
  const xn = nameIn(c, 0);
  const ch = x(c, 0).shape[1]!;
  const attrs = { num_groups: int(g), epsilon: float(eps) };
  if (c.b.opset >= 21) return emit(c, 'GroupNormalization', [xn, orFilled(c, 1, 1, ch), orFilled(c, 2, 0, ch)], attrs, dimsIn(c, 0));
  let y: string;
  if (c.b.opset >= 18) {
    y = node(c, 'GroupNormalization', [xn, filled(c, 1, g), filled(c, 0, g)], attrs);
  } else {
    const grouped = node(c, 'Reshape', [xn, c.b.ints([0, g, -1])]);
    y = node(c, 'Reshape', [node(c, 'InstanceNormalization', [grouped, filled(c, 1, g), filled(c, 0, g)], { epsilon: float(eps) }), node(c, 'Shape', [xn])]);
  }
  channelAffine(c, y, 1, 2);
}

/** `instanceNorm` (inputs x, runningMean, runningVar, weight, bias): InstanceNormalization with the input's statistics, BatchNormalization with the running ones. */
function instanceNormOf(c: Ctx): void {
  const { eps, useInputStats } = c.n.params as { eps: number; useInputStats: boolean };
  const ch = x(c, 0).shape[1]!;
  const scale = orFilled(c, 3, 1, ch);
  const bias = orFilled(c, 4, 0, ch);
  if (useInputStats) return emit(c, 'InstanceNormalization', [nameIn(c, 0), scale, bias], { epsilon: float(eps) }, dimsIn(c, 0));
  emit(c, 'BatchNormalization', [nameIn(c, 0), scale, bias, nameIn(c, 1), nameIn(c, 2)], { epsilon: float(eps) }, dimsIn(c, 0));
}

/** PyTorch 1.13's nearest source indices (as `interpolate` computes them). */
function torchNearest(n: number, out: number, factor: number | null): number[] {
  if (out === n) return Array.from({ length: out }, (_, i) => i);
  if (out === 2 * n) return Array.from({ length: out }, (_, i) => i >> 1);
  const scale = Math.fround(factor !== null ? 1 / factor : n / out);
  return Array.from({ length: out }, (_, i) => Math.min(Math.floor(Math.fround(i * scale)), n - 1));
}

/** Resize's nearest source indices with `asymmetric` coordinates and `floor` rounding at float32 scale `s`. */
function onnxNearest(n: number, out: number, s: number): number[] {
  return Array.from({ length: out }, (_, i) => Math.min(Math.floor(Math.fround(i / s)), n - 1));
}

const sameList = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * `interpolate` as Resize. Nearest: `asymmetric` + `floor` reproduce
 * `⌊i·in/out⌋`; the float32 scale (from `scales` or `sizes`) is checked to
 * give PyTorch's indices, else the recorded gathers are exported. Bilinear:
 * `align_corners`, or `pytorch_half_pixel` (`half_pixel` where an output
 * size is 1, which PyTorch maps to the centre).
 */
function interpolateOf(c: Ctx): void | 'parts' {
  const a = c.n.params as { mode: 'nearest' | 'bilinear'; alignCorners: boolean; size: number[]; scaleFactor: number[] | null };
  const xd = dimsIn(c, 0);
  const spatial = x(c, 0).shape.slice(2);
  const dynamic = xd.slice(2).some((d) => typeof d !== 'number');
  const factors = a.scaleFactor;
  const scalesGiveSize = factors !== null && spatial.every((n, d) => Math.floor(Math.fround(n * Math.fround(factors[d]!))) === a.size[d]);
  if (dynamic && factors !== null && !scalesGiveSize) {
    fail(c, `with scaleFactor [${factors.join(',')}] over the dynamic spatial size [${spatial.join(',')}]: Resize's float32 scales give another output size than PyTorch's`);
  }
  let useScales = factors !== null && scalesGiveSize;
  const attrs: Record<string, AttrValue> = {};
  if (a.mode === 'nearest') {
    const want = spatial.map((n, d) => torchNearest(n, a.size[d]!, factors === null ? null : factors[d]!));
    const via = (s: (d: number) => number): boolean => spatial.every((n, d) => sameList(onnxNearest(n, a.size[d]!, s(d)), want[d]!));
    if (dynamic) {
      // Over every input size: PyTorch's ⌊i·fl(1/f)⌋ equals ⌊i/f⌋ for an integer f whose float32 reciprocal is not below 1/f.
      const exact = factors !== null && factors.every((f) => f === 2 || (Number.isInteger(f) && Math.fround(1 / f) >= 1 / f));
      if (!exact) fail(c, `(nearest) over the dynamic spatial size [${spatial.join(',')}] exports only with an integer scaleFactor whose index rule Resize reproduces for every size, got ${factors === null ? `size [${a.size.join(',')}]` : `scaleFactor [${factors.join(',')}]`}`);
    } else if (factors !== null && scalesGiveSize && via((d) => Math.fround(factors[d]!))) {
      useScales = true;
    } else if (via((d) => Math.fround(a.size[d]! / spatial[d]!))) {
      useScales = false;
    } else {
      return 'parts';
    }
    Object.assign(attrs, { mode: str('nearest'), coordinate_transformation_mode: str('asymmetric'), nearest_mode: str('floor') });
  } else {
    const ctm = a.alignCorners ? 'align_corners' : a.size.every((n) => n > 1) ? 'pytorch_half_pixel' : 'half_pixel';
    Object.assign(attrs, { mode: str('linear'), coordinate_transformation_mode: str(ctm) });
  }
  const inputs = useScales
    ? [nameIn(c, 0), '', c.b.constant([1, 1, ...factors!], 'float32')]
    : [nameIn(c, 0), '', '', c.b.shapeTensor([xd[0]!, xd[1]!, ...a.size])];
  const [name] = c.b.add('Resize', inputs, attrs, 1, c.scope);
  const y = c.n.outputs[0]!;
  const outDims: Dim[] = [xd[0]!, xd[1]!, ...y.shape.slice(2).map((v, k) => (typeof xd[2 + k] === 'number' || !useScales ? v : c.b.opaqueDim(name!, 2 + k, v)))];
  c.b.bind(y, name!, outDims);
}

/**
 * `adaptiveAvgPool2d` / `adaptiveMaxPool2d`: the global pool for output
 * size 1, a fixed pool when the windows divide the input evenly; otherwise
 * (static sizes) the recorded parts, and over a dynamic H or W a typed error.
 */
function adaptiveOf(kind: 'Average' | 'Max'): Mapping {
  return (c) => {
    const a = c.n.params as { outputSize: [number, number]; returnIndices?: boolean };
    if (a.returnIndices === true) return 'parts'; // MaxPool's indices count over the whole tensor, not per plane
    const xd = dimsIn(c, 0);
    const nd = xd.length;
    const [oh, ow] = a.outputSize;
    const [h, w] = x(c, 0).shape.slice(-2) as [number, number];
    const global = oh === 1 && ow === 1;
    const dynamic = typeof xd[nd - 1] !== 'number' || typeof xd[nd - 2] !== 'number';
    if (!global && dynamic) {
      fail(c, `to output size [${oh}, ${ow}] over the dynamic input size [${h}, ${w}] (in the example) has windows that depend on the input size; only output size [1, 1] (Global${kind}Pool) exports with a dynamic H or W`);
    }
    if (!global && (h % oh !== 0 || w % ow !== 0)) return 'parts';
    let xn = nameIn(c, 0);
    if (nd === 3) xn = node(c, 'Unsqueeze', [xn, c.b.ints([0])]);
    const pool = global ? node(c, `Global${kind}Pool`, [xn])
      : node(c, `${kind}Pool`, [xn], { kernel_shape: ints([h / oh, w / ow]), strides: ints([h / oh, w / ow]) });
    const y = nd === 3 ? node(c, 'Squeeze', [pool, c.b.ints([0])]) : pool;
    c.b.bind(c.n.outputs[0]!, y, [...xd.slice(0, -2), oh, ow]);
  };
}

const unaryOp = (op: string, attrs: (p: Readonly<Record<string, unknown>>) => Record<string, AttrValue> = () => ({})): Mapping =>
  (c) => emit(c, op, [nameIn(c, 0)], attrs(c.n.params), dimsIn(c, 0));

const clip = (lo: (p: Readonly<Record<string, unknown>>) => number, hi: (p: Readonly<Record<string, unknown>>) => number): Mapping =>
  (c) => emit(c, 'Clip', [nameIn(c, 0), scalarOf(c, lo(c.n.params)), scalarOf(c, hi(c.n.params))], {}, dimsIn(c, 0));

/** Per dim of each operand its label (`a`..`Z`, or `.k` for the k-th dim of `...` counted from the right). */
function einsumLabels(terms: readonly string[], ndims: readonly number[]): string[][] {
  return terms.map((t, i) => {
    const [before, after] = t.includes('...') ? t.split('...') as [string, string] : [t, null];
    if (after === null) return [...before];
    const nEll = ndims[i]! - before.length - after.length;
    return [...before, ...Array.from({ length: nEll }, (_, k) => `.${nEll - 1 - k}`), ...after];
  });
}

/**
 * `einsum` as Einsum with an explicit output (PyTorch's implicit one: the
 * labels seen once, in ASCII order, after the `...` dims). A label whose
 * sizes differ (size-1 broadcasting) is exported as the recorded parts.
 */
function einsumOf(c: Ctx): void | 'parts' {
  const eq = (c.n.params.equation as string).replace(/\s+/g, '');
  const [lhs, rhs] = eq.includes('->') ? eq.split('->') as [string, string] : [eq, null];
  const terms = lhs.split(',');
  const labels = einsumLabels(terms, c.n.inputs.map((t) => t!.ndim));
  const seen = new Map<string, Dim>();
  for (const [i, ls] of labels.entries()) {
    const d = dimsIn(c, i);
    for (const [k, l] of ls.entries()) {
      const prev = seen.get(l);
      if (prev !== undefined && (typeof prev === 'number' ? prev : prev.v) !== (typeof d[k] === 'number' ? d[k] : (d[k] as { v: number }).v)) return 'parts';
      if (prev === undefined || typeof prev === 'number') seen.set(l, d[k]!);
    }
  }
  let out = rhs;
  if (out === null) {
    const count = new Map<string, number>();
    for (const t of terms) for (const ch of t.replace('...', '')) count.set(ch, (count.get(ch) ?? 0) + 1);
    const once = [...count].filter(([, n]) => n === 1).map(([ch]) => ch).sort();
    out = (terms.some((t) => t.includes('...')) ? '...' : '') + once.join('');
  }
  const outLabels = einsumLabels([out], [c.n.outputs[0]!.ndim])[0]!;
  emit(c, 'Einsum', c.n.inputs.map((_, i) => nameIn(c, i)), { equation: str(`${lhs}->${out}`) }, outLabels.map((l) => seen.get(l)!));
}

/** `oneHot`: OneHot along a new last dim, in int64 (the types ONNX Runtime implements), cast to int32. */
function oneHotOf(c: Ctx): void {
  const n = c.n.params.numClasses as number;
  const idx = node(c, 'Cast', [nameIn(c, 0)], { to: int(7) });
  const hot = node(c, 'OneHot', [idx, c.b.constant([n], 'int64', []), c.b.constant([0, 1], 'int64')], { axis: int(-1) });
  emit(c, 'Cast', [hot], { to: int(6) }, [...dimsIn(c, 0), n]);
}

/** The `scan` primitive: `cumsum` as CumSum (bool counted as int32); cumprod and logcumsumexp have no ONNX op. */
function scanOf(c: Ctx): void {
  const p = c.n.params as { op: 'sum' | 'prod' | 'logsumexp'; dim: number; reverse: boolean };
  if (p.op !== 'sum') fail(c, `(${p.op === 'prod' ? 'cumprod' : 'logcumsumexp'}) has no ONNX counterpart (ONNX's only scan op is CumSum)`);
  const xn = x(c, 0).dtype === 'bool' ? node(c, 'Cast', [nameIn(c, 0)], { to: int(6) }) : nameIn(c, 0);
  emit(c, 'CumSum', [xn, c.b.constant([p.dim], 'int64', [])], { reverse: int(p.reverse ? 1 : 0) }, dimsIn(c, 0));
}

/**
 * The `sort` primitive (the stable int32 permutation along a dim): TopK
 * over the whole dim, which breaks ties by the lower index in both
 * directions, as a stable sort does; its int64 indices cast to int32.
 */
function sortOf(c: Ctx): void {
  const p = c.n.params as { dim: number; descending: boolean };
  const d = dimsIn(c, 0);
  const k = c.b.shapeTensor([d[p.dim]!]);
  const [, indices] = c.b.add('TopK', [nameIn(c, 0), k], { axis: int(p.dim), largest: int(p.descending ? 1 : 0), sorted: int(1) }, 2, c.scope);
  emit(c, 'Cast', [indices!], { to: int(6) }, d);
}

/** The mappings of the newer primitives. */
export const NN_PRIMITIVES: Readonly<Record<string, Mapping>> = { scan: scanOf, sort: sortOf };

const SELU = { alpha: 1.6732632423543772848170429916717, gamma: 1.0507009873554804934193349852946 };

/** The mappings of the newer composites. */
export const NN_COMPOSITES: Readonly<Record<string, Mapping>> = {
  ...RECURRENT_COMPOSITES,
  convTranspose1d: convTransposeOf,
  convTranspose2d: convTransposeOf,
  groupNorm: groupNormOf,
  instanceNorm: instanceNormOf,
  interpolate: interpolateOf,
  adaptiveAvgPool2d: adaptiveOf('Average'),
  adaptiveMaxPool2d: adaptiveOf('Max'),
  elu: unaryOp('Elu', (p) => ({ alpha: float(p.alpha as number) })),
  selu: unaryOp('Selu', () => ({ alpha: float(SELU.alpha), gamma: float(SELU.gamma) })),
  celu: unaryOp('Celu', (p) => ({ alpha: float(p.alpha as number) })),
  hardtanh: clip((p) => p.minVal as number, (p) => p.maxVal as number),
  relu6: clip(() => 0, () => 6),
  hardsigmoid: unaryOp('HardSigmoid', () => ({ alpha: float(1 / 6), beta: float(0.5) })),
  hardswish: unaryOp('HardSwish'),
  softsign: unaryOp('Softsign'),
  mish: (c) => (c.b.opset >= 18 ? emit(c, 'Mish', [nameIn(c, 0)], {}, dimsIn(c, 0)) : 'parts'),
  einsum: einsumOf,
  oneHot: oneHotOf,
};
