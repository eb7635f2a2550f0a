/**
 * Custom derivatives: `customVjp(f, {fwd, bwd})` and `customJvp(f, {jvp})`,
 * JAX's `custom_vjp`/`custom_jvp` with torch.func's behaviour where they
 * differ: a `customVjp` function under forward mode (`jvp`, `jacfwd`)
 * throws, like an `autograd.Function` without a `jvp` in PyTorch.
 *
 * The rules run on the ordinary ops, so they are differentiable
 * (`grad(grad(g))`, `backward({createGraph})`), batched under `vmap`
 * (`vmap(grad(g))`), and recomputed under `checkpoint`. Under `vmap` with a
 * transform outside it (`grad(vmap(g))`), the function is lowered to the
 * physical values: `vmap` of the user's rules, recorded at the outer level.
 */
import { AutogradError, DTypeError, ShapeError, fmtShape } from '../errors.js';
import { Tensor, raw } from '../tensor/index.js';
import { makeBatched, shallowCopy, topBatchLevel, unbatch } from './batching.js';
import { autogradGrad } from './engine.js';
import { activeLevels, getTangent, isMasked, setTangent, withMasked } from './forward.js';
import { gm } from './math.js';
import { enableGrad, isGradEnabled, noGrad } from './mode.js';
import { Node } from './node.js';
import { vmap } from './vmap.js';

/** The rules of `customVjp`: `fwd` returns the output and what `bwd` needs; `bwd` one cotangent (or null) per argument. */
export interface CustomVjpRules<R> {
  fwd: (...args: Tensor[]) => [Tensor, R];
  bwd: (residuals: R, g: Tensor) => readonly (Tensor | null)[];
}

/** The rule of `customJvp`: the output and its tangent from the primals and their tangents (zeros where an input has none). */
export interface CustomJvpRules {
  jvp: (primals: Tensor[], tangents: Tensor[]) => [Tensor, Tensor];
}

class CustomNode extends Node {
  constructor(name: string, inputs: readonly Tensor[], dtype: Tensor['dtype'], private readonly rule: (g: Tensor) => (Tensor | null)[]) {
    super(`${name}Backward`, name, inputs, dtype);
  }

  backward(g: Tensor): (Tensor | null)[] {
    return this.rule(g);
  }
}

function checkArgs(name: string, args: readonly unknown[]): Tensor[] {
  return args.map((a, i) => {
    if (!(a instanceof Tensor)) throw new DTypeError(name, `argument ${i} must be a Tensor, got ${typeof a}`);
    return a;
  });
}

/** Checks the cotangents a user's rule returned: one per argument, each null or of its argument's shape and dtype. */
function checkCotangents(name: string, cts: unknown, xs: readonly Tensor[]): (Tensor | null)[] {
  if (!Array.isArray(cts) || cts.length !== xs.length) {
    throw new ShapeError(name, `bwd must return one cotangent (or null) per argument: ${xs.length}, got ${Array.isArray(cts) ? cts.length : typeof cts}`);
  }
  return cts.map((c, i) => {
    if (c === null || c === undefined) return null;
    const x = xs[i]!;
    if (!(c instanceof Tensor)) throw new DTypeError(name, `bwd's cotangent ${i} must be a Tensor or null, got ${typeof c}`);
    if (c.ndim !== x.ndim || c.shape.some((d, k) => d !== x.shape[k])) {
      throw new ShapeError(name, `bwd's cotangent ${i} has shape ${fmtShape(c.shape)}, expected argument ${i}'s shape ${fmtShape(x.shape)}`);
    }
    if (c.dtype !== x.dtype) throw new DTypeError(name, `bwd's cotangent ${i} is ${c.dtype}, expected argument ${i}'s dtype ${x.dtype}`);
    return c;
  });
}

function checkOut(name: string, what: string, out: unknown): Tensor {
  if (!(out instanceof Tensor)) throw new DTypeError(name, `${what} must return a Tensor as the output, got ${typeof out}`);
  return out;
}

/** True when a transform outside vmap `level` tracks the value under some argument. */
function trackedBelow(xs: readonly Tensor[], level: number): boolean {
  return xs.some((x) => {
    const v = unbatch(x, level).value;
    return v !== x && (v._requiresGrad || v._tangents !== null || (v._batch !== null && trackedBelow([v], v._batch.level)));
  });
}

/**
 * `f` with a custom VJP: `fwd(...args)` returns `[out, residuals]` (any
 * tensors or records), `bwd(residuals, g)` one cotangent per argument (null
 * for none). Written with ordinary ops, the rules are differentiable.
 *
 * @example
 * const clipGrad = customVjp((x: Tensor) => x, {
 *   fwd: (x) => [x, null],
 *   bwd: (_r, g) => [g.clamp({ min: -1, max: 1 })],
 * });
 */
export function customVjp<R>(f: (...args: Tensor[]) => Tensor, rules: CustomVjpRules<R>): (...args: Tensor[]) => Tensor {
  const name = f.name || 'customVjp';
  const call = (...args: Tensor[]): Tensor => {
    const xs = checkArgs(name, args);
    if (xs.some((x) => x._tangents !== null && activeLevels().some((l) => !isMasked(l) && getTangent(x, l) !== null))) {
      throw new AutogradError(name, 'a customVjp function has no forward-mode rule (jvp, jacfwd); use customJvp, or differentiate it in reverse mode');
    }
    const level = topBatchLevel(xs);
    if (level > 0 && trackedBelow(xs, level)) return lowered(level, xs);
    const tracked = isGradEnabled() && xs.some((x) => x._requiresGrad);
    if (!tracked) return checkOut(name, 'the function', noGrad(() => f(...xs)));
    // fwd runs recorded, so that residuals keep their graph to the inputs (second order).
    const [y, res] = enableGrad(() => rules.fwd(...xs));
    const out = shallowCopy(checkOut(name, 'fwd', y));
    out.gradFn = new CustomNode(name, xs, out.dtype, (g) => checkCotangents(name, rules.bwd(res, g), xs));
    out._requiresGrad = true;
    return out;
  };
  /** Under vmap with an outer transform tracking the values: the same custom function of the physical values, with vmapped rules. */
  const lowered = (level: number, xs: readonly Tensor[]): Tensor => {
    const us = xs.map((x) => unbatch(x, level));
    const inDims = us.map((u) => u.bdim);
    const inner = customVjp(vmap(f, { inDims }) as (...a: Tensor[]) => Tensor, {
      fwd: (...vs) => vmap((...a: Tensor[]) => rules.fwd(...a), { inDims, outDims: 0 })(...vs) as [Tensor, R],
      bwd: (res, g) => {
        const cts = vmap((r: R, gi: Tensor) => checkCotangents(name, rules.bwd(r, gi), xs).map((c, i) => c ?? raw.filled(xs[i]!.shape, xs[i]!.dtype, 0)), {
          inDims: [0, 0],
        })(res, g) as Tensor[];
        return cts.map((c, i) => {
          const d = inDims[i];
          if (d === null || d === undefined) return gm().sum(c, [0], false);
          if (d === 0) return c;
          const dims = c.shape.map((_, k) => k).filter((k) => k !== 0);
          dims.splice(d, 0, 0);
          return gm().permute(c, dims);
        });
      },
    });
    Object.defineProperty(inner, 'name', { value: name });
    return makeBatched(inner(...us.map((u) => u.value)), 0, level);
  };
  Object.defineProperty(call, 'name', { value: name });
  return call;
}

/**
 * `f` with a custom JVP: `jvp(primals, tangents)` returns `[out, tangentOut]`.
 * Forward mode uses it directly; reverse mode transposes it (the VJP of the
 * linear map `t ↦ tangentOut`), as JAX does.
 *
 * @example
 * const safeLog1pExp = customJvp((x: Tensor) => x.exp().log1p(), {
 *   jvp: ([x], [t]) => [x.exp().log1p(), t.mul(x.sigmoid())],
 * });
 */
export function customJvp(f: (...args: Tensor[]) => Tensor, rules: CustomJvpRules): (...args: Tensor[]) => Tensor {
  const name = f.name || 'customJvp';
  const call = (...args: Tensor[]): Tensor => {
    const xs = checkArgs(name, args);
    const levels = activeLevels().filter((l) => !isMasked(l) && xs.some((x) => getTangent(x, l) !== null));
    const plain = xs.map((x) => {
      const p = shallowCopy(x);
      p._tangents = null;
      return p;
    });
    let out = checkOut(name, 'the function', noGrad(() => f(...plain)));
    {
      for (const l of levels) {
        const ts = xs.map((x) => getTangent(x, l) ?? raw.filled(x.shape, x.dtype, 0));
        const [, t] = withMasked(l, () => rules.jvp(xs, ts));
        if (!(t instanceof Tensor) || t.ndim !== out.ndim || t.shape.some((d, k) => d !== out.shape[k])) {
          throw new ShapeError(name, `jvp's tangent output must have the output's shape ${fmtShape(out.shape)}, got ${t instanceof Tensor ? fmtShape(t.shape) : typeof t}`);
        }
        setTangent(out, l, t);
      }
    }
    if (isGradEnabled() && xs.some((x) => x._requiresGrad)) {
      out = shallowCopy(out);
      out.gradFn = new CustomNode(name, xs, out.dtype, (g) => {
        // The VJP as the transpose of the (linear in t) tangent map at the inputs.
        const ts = xs.map((x) => {
          const t = raw.filled(x.shape, x.dtype, 0);
          t.requiresGrad = true;
          return t;
        });
        const create = isGradEnabled();
        const [, tOut] = enableGrad(() => rules.jvp(xs, ts));
        const gs = tOut.requiresGrad ? autogradGrad([tOut], ts, { gradOutputs: [g], createGraph: create, allowUnused: true }) : ts.map(() => null);
        return checkCotangents(name, gs, xs);
      });
      out._requiresGrad = true;
    }
    return out;
  };
  Object.defineProperty(call, 'name', { value: name });
  return call;
}
