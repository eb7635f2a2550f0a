/**
 * Function transforms in the style of JAX: `grad`, `valueAndGrad`, `vjp`,
 * `jvp` (true forward mode), `jacobian`, `hessian`. They compose:
 * `grad(grad(f))`, `jacobian(grad(f))`, `jvp(grad(f), ...)`.
 *
 * Each transform differentiates with respect to fresh copies of its arguments
 * (recorded identity ops when the argument is itself tracked by an outer
 * transform), so nested transforms never confuse their variables. A gradient
 * is built with `createGraph` when an outer transform (or the caller, by
 * passing tensors that require grad) may differentiate it again.
 */
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { Tensor, deviceOf, raw, zerosLike } from '../tensor/index.js';
import { shallowCopy } from './batching.js';
import { autogradGrad } from './engine.js';
import { clearTangent, enterLevel, exitLevel, getTangent, setTangent } from './forward.js';
import { gm } from './math.js';
import { enableGrad, isGradEnabled } from './mode.js';

/** Options of `grad`, `valueAndGrad`, `jacobian`, `hessian`. */
export interface ArgnumsOptions<N extends number | readonly number[] = number | readonly number[]> {
  /** Which positional arguments to differentiate with respect to (default 0). */
  argnums?: N;
}

/** A function of tensors (extra non-tensor arguments pass through unchanged). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TensorFunction<R = Tensor> = (...args: any[]) => R;

/** Gradient(s) as returned by `grad`: one tensor, or an array when `argnums` is an array. */
export type Grads<N> = N extends readonly number[] ? Tensor[] : Tensor;

/** How many reverse-mode transforms (grad, vjp, jacobian) are tracing: nested ones build differentiable gradients. */
let depth = 0;

function checkArg(op: string, x: unknown, i: number): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(op, `argument ${i} must be a Tensor, got ${typeof x}`);
  if (!x._isFloat) throw new DTypeError(op, `argument ${i} must be a floating point tensor, got ${x.dtype}`);
  return x;
}

/** A fresh variable equal to `x`: recorded identity of `x` when `x` is tracked, else a detached leaf. */
function track(x: Tensor): Tensor {
  if (x.requiresGrad && isGradEnabled()) return gm().alias(x);
  const t = shallowCopy(x);
  t.requiresGrad = true;
  return t;
}

/** A copy of `x` without its autograd state (batching under vmap and tangents kept). */
const detached = shallowCopy;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Tensor) && Object.getPrototypeOf(v) === Object.prototype;

/** `x` with each tensor of it (a tensor, or nested arrays and records of them: `functionalCall`'s params) mapped by `fn`, in order. */
function mapLeaves(op: string, x: unknown, i: number, fn: (t: Tensor) => Tensor): unknown {
  if (Array.isArray(x)) return x.map((v) => mapLeaves(op, v, i, fn));
  if (isRecord(x)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, mapLeaves(op, v, i, fn)]));
  return fn(checkArg(op, x, i));
}

/** The gradients of `gs` (flat, in `mapLeaves` order) in the structure of each argument in `nums`. */
function regroup(op: string, args: readonly unknown[], nums: readonly number[], gs: readonly Tensor[]): unknown[] {
  let k = 0;
  return nums.map((i) => mapLeaves(op, args[i], i, () => gs[k++]!));
}

/** Runs `f` on tracked copies of the arguments in `nums` (tensors, or arrays and records of them). */
function trace(op: string, f: TensorFunction<unknown>, args: unknown[], nums: readonly number[]) {
  const outer = isGradEnabled();
  const inner = args.slice();
  const primals: Tensor[] = [];
  let anyTracked = false;
  for (const i of nums) {
    inner[i] = mapLeaves(op, args[i], i, (x) => {
      anyTracked ||= x.requiresGrad;
      const p = track(x);
      primals.push(p);
      return p;
    });
  }
  const create = outer && (depth > 0 || anyTracked);
  depth++;
  let out: unknown;
  try {
    out = enableGrad(() => f(...inner));
  } finally {
    depth--;
  }
  return { primals, out, create };
}

function scalarOut(op: string, out: unknown): Tensor {
  if (!(out instanceof Tensor)) throw new DTypeError(op, `the function must return a Tensor, got ${typeof out}`);
  if (out.size !== 1) {
    throw new ShapeError(op, `the function must return a scalar (one-element) tensor, got shape ${fmtShape(out.shape)}`);
  }
  return out;
}

function gradsOf(out: Tensor, primals: readonly Tensor[], create: boolean, ct?: Tensor): Tensor[] {
  const gs = out.requiresGrad
    ? enableGrad(() =>
        autogradGrad([out], primals, { gradOutputs: ct ? [ct] : undefined, createGraph: create, retainGraph: true, allowUnused: true }),
      )
    : primals.map(() => null);
  return gs.map((g, i) => g ?? zerosLike(primals[i]!));
}

/**
 * The value of `f` and its gradient with respect to the arguments `argnums`.
 *
 * @example
 * const [v, g] = valueAndGrad((x: Tensor) => x.mul(x).sum())(tensor([1, 2])); // v = 5, g = [2, 4]
 */
export function valueAndGrad<N extends number | readonly number[] = number>(
  f: TensorFunction,
  opts: ArgnumsOptions<N> = {},
): (...args: any[]) => [Tensor, Grads<N>] {
  const argnums = opts.argnums ?? 0;
  const nums = typeof argnums === 'number' ? [argnums] : (argnums as readonly number[]);
  return (...args) => {
    const { primals, out, create } = trace('grad', f, args, nums);
    const y = scalarOut('grad', out);
    const gs = regroup('grad', args, nums, gradsOf(y, primals, create));
    const value = create ? y : detached(y);
    return [value, (typeof argnums === 'number' ? gs[0]! : gs) as Grads<N>];
  };
}

/**
 * The gradient of a scalar-valued `f` with respect to argument(s) `argnums`:
 * one tensor, or an array when `argnums` is an array. Inputs `f` does not
 * depend on get zeros.
 *
 * @example
 * const f = (x: Tensor) => x.pow(3).sum();
 * grad(f)(tensor([2]));        // [12]   (3x²)
 * grad(grad(f))(tensor([2]));  // [12]   (6x)
 * grad((x: Tensor, y: Tensor) => x.mul(y).sum(), { argnums: [0, 1] })(a, b); // [b, a]
 */
export function grad<N extends number | readonly number[] = number>(
  f: TensorFunction,
  opts: ArgnumsOptions<N> = {},
): (...args: any[]) => Grads<N> {
  const vg = valueAndGrad(f, opts);
  return (...args) => vg(...args)[1];
}

/**
 * The output of `f` at `primals` and its pullback: `pullback(ct)` returns
 * `ctᵀ J` for each primal (vector-Jacobian products; callable many times).
 *
 * @example
 * const [y, pullback] = vjp((x: Tensor) => x.sin(), x);
 * const [gx] = pullback(onesLike(y)); // cos(x)
 */
export function vjp(f: TensorFunction, ...primals: Tensor[]): [Tensor, (ct: Tensor) => Tensor[]] {
  const nums = primals.map((_, i) => i);
  const { primals: ps, out, create } = trace('vjp', f, primals, nums);
  if (!(out instanceof Tensor)) throw new DTypeError('vjp', `the function must return a Tensor, got ${typeof out}`);
  const pullback = (ct: Tensor): Tensor[] => {
    if (!(ct instanceof Tensor) || ct.shape.length !== out.shape.length || ct.shape.some((d, i) => d !== out.shape[i])) {
      throw new ShapeError('vjp', `the cotangent must have the output's shape ${fmtShape(out.shape)}, got ${ct instanceof Tensor ? fmtShape(ct.shape) : typeof ct}`);
    }
    return gradsOf(out, ps, create, ct);
  };
  return [create ? out : detached(out), pullback];
}

/**
 * Forward mode: the output of `f` at `primals` and the directional derivative
 * `J·tangents`, computed in one forward pass by the ops' JVP rules.
 *
 * @example
 * const [y, dy] = jvp((x: Tensor) => x.mul(x), [tensor([3])], [tensor([1])]); // y = 9, dy = 6
 */
export function jvp(f: TensorFunction, primals: readonly Tensor[] | Tensor, tangents: readonly Tensor[] | Tensor): [Tensor, Tensor] {
  const ps = primals instanceof Tensor ? [primals] : primals;
  const ts = tangents instanceof Tensor ? [tangents] : tangents;
  if (ps.length !== ts.length) throw new ShapeError('jvp', `got ${ps.length} primals but ${ts.length} tangents`);
  const level = enterLevel();
  try {
    const inner = ps.map((p, i) => {
      checkArg('jvp', p, i);
      const t = ts[i]!;
      if (!(t instanceof Tensor) || t.shape.length !== p.shape.length || t.shape.some((d, k) => d !== p.shape[k])) {
        throw new ShapeError('jvp', `tangent ${i} must have the shape of primal ${i} ${fmtShape(p.shape)}, got ${t instanceof Tensor ? fmtShape(t.shape) : typeof t}`);
      }
      const q = p.requiresGrad && isGradEnabled() ? gm().alias(p) : detached(p);
      setTangent(q, level, t.dtype === p.dtype ? t : gm().cast(t, p.dtype));
      return q;
    });
    const out = f(...inner);
    if (!(out instanceof Tensor)) throw new DTypeError('jvp', `the function must return a Tensor, got ${typeof out}`);
    const tOut = getTangent(out, level) ?? zerosLike(out);
    clearTangent(out, level);
    return [out, tOut];
  } finally {
    exitLevel(level);
  }
}

/**
 * The Jacobian of `f` with respect to argument(s) `argnums`, of shape
 * `[...out.shape, ...x.shape]` (one reverse pass per output element).
 *
 * @example
 * jacobian((x: Tensor) => x.sin())(x);        // diag(cos x)
 * jacobian(grad(f))(x);                       // the Hessian of f
 */
export function jacobian<N extends number | readonly number[] = number>(
  f: TensorFunction,
  opts: ArgnumsOptions<N> = {},
): (...args: any[]) => Grads<N> {
  const argnums = opts.argnums ?? 0;
  const nums = typeof argnums === 'number' ? [argnums] : (argnums as readonly number[]);
  return (...args) => {
    const { primals, out, create } = trace('jacobian', f, args, nums);
    if (!(out instanceof Tensor)) throw new DTypeError('jacobian', `the function must return a Tensor, got ${typeof out}`);
    const rows: Tensor[][] = primals.map(() => []);
    const n = out.size;
    for (let i = 0; i < n; i++) {
      const e = new Float64Array(n);
      e[i] = 1;
      const ct = raw.fromValues(e, out.shape, out.dtype, deviceOf(out));
      gradsOf(out, primals, create, ct).forEach((g, k) => rows[k]!.push(g));
    }
    const js = primals.map((p, k) =>
      n === 0 ? raw.filled([...out.shape, ...p.shape], p.dtype, 0, deviceOf(p)) : gm().reshape(gm().stack(rows[k]!), [...out.shape, ...p.shape]),
    );
    return (typeof argnums === 'number' ? js[0]! : js) as Grads<N>;
  };
}

/**
 * The Hessian of a scalar-valued `f` with respect to argument `argnums`
 * (`jacobian(grad(f))`), of shape `[...x.shape, ...x.shape]`.
 *
 * @example
 * hessian((x: Tensor) => x.matmul(A.matmul(x)))(x); // A + Aᵀ
 */
export function hessian(f: TensorFunction, opts: ArgnumsOptions<number> = {}): (...args: any[]) => Tensor {
  return jacobian(grad(f, opts), opts) as (...args: any[]) => Tensor;
}
