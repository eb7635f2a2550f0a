/**
 * `apply`: the one entry point through which every op runs a primitive.
 *
 * It calls the rule's forward, then (only when needed) records a backward
 * node and propagates forward-mode tangents. Nothing else in adjoint records
 * graph nodes or computes tangents.
 */
import {
  Node, activeLevels, batchSize, batchingActive, forwardActive, makeBatched, topBatchLevel, unbatch, getTangent, isGradEnabled, isMasked, setTangent, withMasked,
} from '../autograd/index.js';
import { getBackend } from '../backend/index.js';
import { AdjointError } from '../errors.js';
import { Tensor, deviceOf, raw, sameShape } from '../tensor/index.js';
import type { Ctx, Primitive, PrimParams, Rule, RuleTable } from './primitives.js';
import { ACTIVE_TRACER } from './trace.js';

let RULES: RuleTable | null = null;

/** Installs the rule table (called once by `table.ts`). @example defineRules(RULES); */
export function defineRules(table: RuleTable): void {
  RULES = table;
}

function rules(): RuleTable {
  if (RULES === null) throw new AdjointError('ops', "the rule table is not loaded; import from 'adjoint' or 'src/ops/index.js'");
  return RULES;
}

const NAMES = new Map<string, string>();
function nodeName(prim: string): string {
  let n = NAMES.get(prim);
  if (n === undefined) {
    n = `${prim[0]!.toUpperCase()}${prim.slice(1)}Backward`;
    NAMES.set(prim, n);
  }
  return n;
}

const EMPTY: readonly Tensor[] = [];
const EMPTY_STRIDES: readonly (readonly number[])[] = [];

/** The backward node of one primitive application. */
class PrimNode<P extends Primitive> extends Node {
  private readonly nIn: number;
  private readonly strides: readonly (readonly number[])[];

  constructor(prim: P, private readonly rule: Rule<P>, private readonly p: PrimParams[P], xs: readonly Tensor[], y: Tensor) {
    super(nodeName(prim), prim, xs, y.dtype);
    this.nIn = xs.length;
    this.strides = rule.layout ? xs.map((x) => x.strides) : EMPTY_STRIDES;
    const s = rule.save;
    let kept: readonly (Tensor | null)[] = xs;
    if (rule.keep !== undefined && s !== 'none' && s !== 'y') {
      const keep = rule.keep(this.next.map((n) => n !== null));
      kept = xs.map((x, i) => (keep[i] ? x : null));
    }
    if (s === 'none') this.save(EMPTY, 0);
    else if (s === 'x') this.save(kept, xs.length);
    else if (s === 'y') this.save([y], 0);
    else this.save([...kept, y], xs.length);
  }

  backward(g: Tensor): (Tensor | null)[] {
    const s = this.unpack();
    const kind = this.rule.save;
    const hasX = kind === 'x' || kind === 'xy';
    const hasY = kind === 'y' || kind === 'xy';
    const c: Ctx<P> = {
      x: hasX ? (s.slice(0, this.nIn) as Tensor[]) : EMPTY,
      y: (hasY ? s[s.length - 1] : undefined) as Tensor,
      p: this.p,
      shapes: this.inputShapes,
      strides: this.strides,
      needs: this.next.map((n) => n !== null),
    };
    return this.rule.vjp(g, c) as (Tensor | null)[];
  }
}

/**
 * Runs primitive `prim` on `xs` with params `p`, recording it for backward
 * when grad mode is on and an input requires grad, and computing its
 * tangents when a `jvp` is active. Inputs are already validated and of one
 * dtype where the primitive needs it.
 *
 * @example
 * apply('mul', [a, b], {});
 */
export function apply<P extends Primitive>(prim: P, xs: readonly Tensor[], p: PrimParams[P]): Tensor {
  const rule = rules()[prim] as Rule<P>;
  const level = batchingActive() ? topBatchLevel(xs) : 0;
  const tr = ACTIVE_TRACER;
  let y: Tensor;
  if (tr === null) y = level === 0 ? rule.forward(xs, p) : batchedForward(rule, xs, p, level);
  else if (level !== 0) {
    y = batchedForward(rule, xs, p, level);
    if (!tr.kernels) tr._record(prim, 'primitive', xs, p as Readonly<Record<string, unknown>>, [y], null);
  } else {
    tr._inForward++;
    try {
      y = rule.forward(xs, p);
    } finally {
      tr._inForward--;
    }
    tr._record(prim, 'primitive', xs, p as Readonly<Record<string, unknown>>, [y], null);
  }
  if (!y._isFloat) return y;
  if (isGradEnabled()) {
    for (let i = 0; i < xs.length; i++) {
      if (xs[i]!._requiresGrad) {
        y.gradFn = new PrimNode(prim, rule, p, xs, y);
        y._requiresGrad = true;
        break;
      }
    }
  }
  if (forwardActive()) propagateTangents(rule, xs, y, p);
  return y;
}

/**
 * Whether an op on `x` gets a gradient or a tangent: grad mode with `x`
 * requiring grad, or forward-mode tangents on `x`. Composites that only pay
 * for extra work to get PyTorch's derivative (clamp at NaN, max/min ties)
 * ask this first.
 *
 * @example
 * isTracked(tensor([1], { requiresGrad: true })); // true (grad mode on)
 */
export function isTracked(x: Tensor): boolean {
  return (x._requiresGrad && isGradEnabled()) || x._tangents !== null;
}

/** Under vmap: the batching rule on the inputs' values at `level`, its output batched again at `level`. */
function batchedForward<P extends Primitive>(rule: Rule<P>, xs: readonly Tensor[], p: PrimParams[P], level: number): Tensor {
  const r = rule.batch(xs.map((x) => unbatch(x, level)), p, batchSize(level));
  return makeBatched(r.value, r.bdim, level);
}

function propagateTangents<P extends Primitive>(rule: Rule<P>, xs: readonly Tensor[], y: Tensor, p: PrimParams[P]): void {
  for (const level of activeLevels()) {
    if (isMasked(level)) continue;
    let any = false;
    const dx = xs.map((x) => {
      const t = getTangent(x, level);
      if (t !== null) any = true;
      return t;
    });
    if (!any) continue;
    const c: Ctx<P> = { x: xs, y, p, shapes: xs.map((x) => x.shape), strides: xs.map((x) => x.strides), needs: dx.map((t) => t !== null) };
    let t = withMasked(level, () => rule.jvp(dx, c));
    if (t === null) continue;
    if (!sameShape(t.shape, y.shape)) t = withMasked(level, () => apply('expand', [t!], { shape: y.shape }));
    setTangent(y, level, t);
  }
}

/**
 * A 0-d constant of `dtype`, where the tensor it will meet lives (`like`; else
 * the default backend, and the CPU for float64 while the GPU is the default).
 *
 * @example
 * scalar(2, 'float32', x);
 */
export function scalar(v: number, dtype: Tensor['dtype'], like?: Tensor): Tensor {
  const on = like !== undefined ? deviceOf(like) : dtype === 'float64' && getBackend() === 'webgpu' ? 'js' : undefined;
  return raw.fromValues([v], NO_DIMS, dtype, on);
}

const NO_DIMS: readonly number[] = Object.freeze([]);
