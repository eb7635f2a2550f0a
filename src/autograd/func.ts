/**
 * The rest of torch.func built on `vmap`: `jacrev` (vmapped VJPs), `jacfwd`
 * (vmapped JVPs), `hvp` (forward over reverse) and `linearize` (the linear
 * map recorded once, applied without recomputing the primal).
 */
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { Tensor, raw, zerosLike } from '../tensor/index.js';
import { shallowCopy } from './batching.js';
import { autogradGrad } from './engine.js';
import { gm } from './math.js';
import { enableGrad } from './mode.js';
import { type ArgnumsOptions, type Grads, type TensorFunction, grad, jvp, vjp } from './transforms.js';
import { vmap } from './vmap.js';

const numsOf = (argnums: number | readonly number[]): readonly number[] => (typeof argnums === 'number' ? [argnums] : argnums);

/** `[n, ...shape]`: the n = size(shape) basis vectors of `shape`, one per row. */
function basis(shape: readonly number[], dtype: Tensor['dtype']): Tensor {
  const n = shape.reduce((s, d) => s * d, 1);
  const e = new Float64Array(n * n);
  for (let i = 0; i < n; i++) e[i * n + i] = 1;
  return raw.fromValues(e, [n, ...shape], dtype);
}

/** `f` as a function of the arguments `nums` only, the others fixed to `args`. */
function partial(f: TensorFunction, args: readonly unknown[], nums: readonly number[]): (...xs: Tensor[]) => unknown {
  return (...xs) => {
    const all = args.slice();
    nums.forEach((n, i) => (all[n] = xs[i]));
    return f(...all);
  };
}

function tensorArg(op: string, args: readonly unknown[], i: number): Tensor {
  const x = args[i];
  if (!(x instanceof Tensor)) throw new DTypeError(op, `argument ${i} must be a Tensor, got ${typeof x}`);
  return x;
}

/**
 * The Jacobian by reverse mode: one VJP, applied to every basis cotangent at
 * once under `vmap`. Shape `[...out.shape, ...x.shape]` per argument in
 * `argnums` (an array of them when `argnums` is an array).
 *
 * @example
 * jacrev((x: Tensor) => x.sin())(tensor([0, 1])); // diag(cos x)
 */
export function jacrev<N extends number | readonly number[] = number>(f: TensorFunction, opts: ArgnumsOptions<N> = {}): (...args: any[]) => Grads<N> {
  const argnums = opts.argnums ?? 0;
  const nums = numsOf(argnums);
  return (...args) => {
    const xs = nums.map((i) => tensorArg('jacrev', args, i));
    const [out, pullback] = vjp(partial(f, args, nums) as TensorFunction, ...xs);
    const js =
      out.size === 0
        ? xs.map((x) => raw.filled([...out.shape, ...x.shape], x.dtype, 0))
        : (vmap((ct: Tensor) => pullback(ct))(basis(out.shape, out.dtype)) as Tensor[]).map((j, k) =>
            gm().reshape(j, [...out.shape, ...xs[k]!.shape]),
          );
    return (typeof argnums === 'number' ? js[0]! : js) as Grads<N>;
  };
}

/**
 * The Jacobian by forward mode: JVPs along every basis tangent at once under
 * `vmap`, one per argument in `argnums`. Same shapes as `jacrev`; cheaper when
 * the inputs are smaller than the output.
 *
 * @example
 * jacfwd((x: Tensor) => x.sin())(tensor([0, 1])); // diag(cos x)
 */
export function jacfwd<N extends number | readonly number[] = number>(f: TensorFunction, opts: ArgnumsOptions<N> = {}): (...args: any[]) => Grads<N> {
  const argnums = opts.argnums ?? 0;
  const nums = numsOf(argnums);
  return (...args) => {
    const js = nums.map((n) => {
      const x = tensorArg('jacfwd', args, n);
      const g = partial(f, args, [n]) as TensorFunction;
      if (x.size === 0) {
        const out = g(x);
        return raw.filled([...(out as Tensor).shape, ...x.shape], x.dtype, 0);
      }
      // [size(x), ...out.shape]: row i is J·e_i.
      const cols = vmap((t: Tensor) => jvp(g, [x], [t])[1])(basis(x.shape, x.dtype));
      const outShape = cols.shape.slice(1);
      const m = outShape.reduce((s, d) => s * d, 1);
      return gm().reshape(gm().permute(gm().reshape(cols, [x.size, m]), [1, 0]), [...outShape, ...x.shape]);
    });
    return (typeof argnums === 'number' ? js[0]! : js) as Grads<N>;
  };
}

/**
 * The Hessian-vector product of a scalar-valued `f` at `primals` along
 * `tangents` (forward over reverse: the JVP of the gradient), with `f`'s
 * value, as `torch.autograd.functional.hvp`: `[f(primals), H·tangents]`
 * (the product is an array when `primals` is).
 *
 * @example
 * const [v, hv] = hvp((x: Tensor) => x.pow(3).sum(), [tensor([1, 2])], [tensor([1, 0])]); // hv = [6, 0]
 */
export function hvp(f: TensorFunction, primals: readonly Tensor[] | Tensor, tangents: readonly Tensor[] | Tensor): [Tensor, Tensor | Tensor[]] {
  const ps = primals instanceof Tensor ? [primals] : primals;
  const ts = tangents instanceof Tensor ? [tangents] : tangents;
  if (ps.length !== ts.length) throw new ShapeError('hvp', `got ${ps.length} primals but ${ts.length} tangents`);
  let value: Tensor | null = null;
  const hs = ps.map((_, i) =>
    jvp(
      (...xs: Tensor[]) =>
        grad((...ys: Tensor[]) => {
          const v = f(...ys);
          if (value === null && v instanceof Tensor) {
            value = shallowCopy(v);
            value._tangents = null;
          }
          return v;
        }, { argnums: i })(...xs),
      ps,
      ts,
    )[1],
  );
  return [value!, primals instanceof Tensor ? hs[0]! : hs];
}

/**
 * `f`'s output at `primals` and its linearization: a function that maps
 * tangents to `J·tangents` without running `f` again. The primal pass and the
 * linear map (recorded as the graph of `u ↦ Jᵀu`, whose transpose is applied
 * by one backward pass per call) are recorded once.
 *
 * @example
 * const [y, jvpAt] = linearize((x: Tensor) => x.sin(), tensor([0, 1]));
 * jvpAt(tensor([1, 1])); // cos(x)
 */
export function linearize(f: TensorFunction, ...primals: Tensor[]): [Tensor, (...tangents: Tensor[]) => Tensor] {
  // Tracked copies, so that the pullback records its graph (createGraph).
  const tracked = primals.map((p, i) => {
    if (!(p instanceof Tensor)) throw new DTypeError('linearize', `primal ${i} must be a Tensor, got ${typeof p}`);
    const t = shallowCopy(p);
    t.requiresGrad = true;
    return t;
  });
  const [out, pullback] = enableGrad(() => vjp(f, ...tracked));
  const u = zerosLike(out);
  u.requiresGrad = true;
  // Jᵀu with its graph: linear in u, its VJP with respect to u is J·t.
  const transposed = enableGrad(() => {
    const gs = pullback(u);
    return gs.map((g) => (g.requiresGrad ? g : null));
  });
  const apply = (...tangents: Tensor[]): Tensor => {
    if (tangents.length !== primals.length) throw new ShapeError('linearize', `got ${tangents.length} tangents for ${primals.length} primals`);
    const roots: Tensor[] = [];
    const seeds: Tensor[] = [];
    transposed.forEach((g, i) => {
      const t = tangents[i]!;
      if (!(t instanceof Tensor) || t.ndim !== primals[i]!.ndim || t.shape.some((d, k) => d !== primals[i]!.shape[k])) {
        throw new ShapeError('linearize', `tangent ${i} must have the shape of primal ${i} ${fmtShape(primals[i]!.shape)}, got ${t instanceof Tensor ? fmtShape(t.shape) : typeof t}`);
      }
      if (g !== null) {
        roots.push(g);
        seeds.push(t.dtype === g.dtype ? t : gm().cast(t, g.dtype));
      }
    });
    if (roots.length === 0) return zerosLike(out);
    const [jt] = autogradGrad(roots, [u], { gradOutputs: seeds, retainGraph: true, allowUnused: true });
    return jt ?? zerosLike(out);
  };
  const value = shallowCopy(out);
  return [value, apply];
}
