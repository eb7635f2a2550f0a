/**
 * `vmap` (torch.func's names): maps a function over a batch dim of its
 * inputs. The function runs once, on batched tensors (see `batching.ts`);
 * every primitive runs its batching rule, so the work is batched kernels,
 * not a loop over examples. Composes with every transform in both orders
 * and nests (`vmap(vmap(f))`).
 */
import { AutogradError, RangeArgError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/index.js';
import { type Randomness, enterBatchLevel, exitBatchLevel, makeBatched, unbatch } from './batching.js';
import { gm } from './math.js';

/** Where each argument's batch dim is: a dim (negative counts from the end), null (the same for every example), or a structure matching the argument. */
export type InDims = number | null | readonly InDims[] | { readonly [key: string]: InDims };

/** Where each output's batch dim goes: a dim, or a structure matching the output. */
export type OutDims = number | readonly OutDims[] | { readonly [key: string]: OutDims };

/** Options of `vmap`. */
export interface VmapOptions {
  /** Batch dim of each argument (default 0 for all): one value for all arguments, or an array with one entry per argument. */
  inDims?: InDims;
  /** Where the batch dim goes in each output (default 0). */
  outDims?: OutDims;
  /** Random draws inside the function: 'error' (default), 'different' per example, or 'same' for all. */
  randomness?: Randomness;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Tensor) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/** Maps the tensors of a nested structure of arrays and records, each with its spec (a number/null spec applies to everything under it). */
function mapTree<S>(
  op: string,
  what: string,
  value: unknown,
  spec: unknown,
  path: string,
  leaf: (t: Tensor, s: S, path: string) => unknown,
  other: (v: unknown, s: unknown, path: string) => unknown,
): unknown {
  if (value instanceof Tensor) {
    if (typeof spec === 'object' && spec !== null) {
      throw new ShapeError(op, `${what} for ${path} must be a dim or null for a Tensor, got a structure`);
    }
    return leaf(value, spec as S, path);
  }
  const flat = spec === null || typeof spec === 'number';
  if (Array.isArray(value)) {
    if (!flat && (!Array.isArray(spec) || spec.length !== value.length)) {
      throw new ShapeError(op, `${what} for ${path} must be a dim, null or an array of length ${value.length}, got ${describe(spec)}`);
    }
    return value.map((v, i) => mapTree(op, what, v, flat ? spec : (spec as unknown[])[i], `${path}[${i}]`, leaf, other));
  }
  if (isRecord(value)) {
    if (!flat && !isRecord(spec)) throw new ShapeError(op, `${what} for ${path} must be a dim, null or a record, got ${describe(spec)}`);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      const s = flat ? spec : (spec as Record<string, unknown>)[k];
      out[k] = mapTree(op, what, value[k], s === undefined ? null : s, `${path}.${k}`, leaf, other);
    }
    return out;
  }
  return other(value, spec, path);
}

function describe(v: unknown): string {
  return Array.isArray(v) ? `an array of length ${v.length}` : v === null ? 'null' : typeof v;
}

/** A dim in [-rank, rank) normalized, or a RangeArgError naming `what`. */
function normDimFor(op: string, what: string, d: number, rank: number, shape: readonly number[]): number {
  if (!Number.isInteger(d) || d < -rank || d >= rank) {
    throw new RangeArgError(op, `${what} is ${d}, out of range for shape ${fmtShape(shape)} (expected a dim in [${-rank}, ${rank - 1}])`);
  }
  return d < 0 ? d + rank : d;
}

/**
 * Maps `f` over a batch dim of its inputs: `vmap(f)(xs)` stacks `f(x)` over
 * the examples `x` of `xs` along `outDims`, but runs `f` once on the whole
 * batch. `inDims` says where each argument's batch dim is (null: the argument
 * is shared by all examples); arguments may be nested arrays and records of
 * tensors. Composes with `grad`, `vjp`, `jvp`, `jacobian` in both orders.
 *
 * @example
 * const dot = (a: Tensor, b: Tensor) => a.mul(b).sum();
 * vmap(dot)(randn([8, 3]), randn([8, 3])).shape;            // [8]
 * vmap(grad(loss), { inDims: [null, 0, 0] })(w, xs, ys);      // per-sample gradients
 */
export function vmap<R>(f: (...args: any[]) => R, opts: VmapOptions = {}): (...args: any[]) => R {
  const inDims = opts.inDims ?? 0;
  const outDims = opts.outDims ?? 0;
  const randomness = opts.randomness ?? 'error';
  if (randomness !== 'error' && randomness !== 'different' && randomness !== 'same') {
    throw new RangeArgError('vmap', `randomness must be 'error', 'different' or 'same', got ${String(randomness)}`);
  }
  return (...args: unknown[]): R => {
    if (Array.isArray(inDims) && inDims.length !== args.length) {
      throw new ShapeError('vmap', `inDims has ${inDims.length} entries but the function got ${args.length} arguments`);
    }
    const specOf = (i: number): unknown => (Array.isArray(inDims) ? inDims[i] : inDims);
    // Pass 1: the batch size, checking every dim.
    let size = -1;
    let first = '';
    args.forEach((a, i) =>
      mapTree<number | null>('vmap', 'inDims', a, specOf(i), `argument ${i}`, (t, d, path) => {
        if (d === null || d === undefined) return t;
        const dim = normDimFor('vmap', `inDims for ${path} (shape ${fmtShape(t.shape)})`, d, Math.max(t.ndim, 0), t.shape);
        const n = t.shape[dim]!;
        if (size === -1) [size, first] = [n, `${path} (shape ${fmtShape(t.shape)}, inDim ${d})`];
        else if (n !== size) {
          throw new ShapeError(
            'vmap',
            `expected all batched inputs to have one size along their batch dims, got ${first} of size ${size} and ` +
              `${path} (shape ${fmtShape(t.shape)}, inDim ${d}) of size ${n}`,
          );
        }
        return t;
      }, (v, s, path) => {
        if (s !== null && s !== undefined) {
          throw new ShapeError('vmap', `got inDim ${JSON.stringify(s)} for ${path}, of type ${typeof v}: only tensors can be batched; use null for it`);
        }
        return v;
      }),
    );
    if (size === -1) {
      throw new ShapeError('vmap', 'at least one argument must be a Tensor batched by a dim in inDims (all inDims are null or no argument is a Tensor)');
    }
    const level = enterBatchLevel(size, randomness);
    let out: unknown;
    try {
      const inner = args.map((a, i) =>
        mapTree<number | null>('vmap', 'inDims', a, specOf(i), `argument ${i}`, (t, d) => {
          if (d === null || d === undefined) return t;
          return makeBatched(t, d < 0 ? d + t.ndim : d, level);
        }, (v) => v),
      );
      out = f(...inner);
      return mapTree<number>('vmap', 'outDims', out, outDims, 'output', (t, d, path) => unwrapOutput(t, level, size, d, path), (v, _s, path) => {
        throw new ShapeError('vmap', `the function must return Tensors (or arrays and records of them), got ${typeof v} at ${path}`);
      }) as R;
    } finally {
      exitBatchLevel(level);
    }
  };
}

/** The output `t` of the vmapped function as one tensor with the batch at `outDim`. */
function unwrapOutput(t: Tensor, level: number, size: number, outDim: number, path: string): Tensor {
  if (t._batch !== null && t._batch.level > level) {
    throw new AutogradError('vmap', `${path} is batched by an inner vmap that has returned (level ${t._batch.level}); batched tensors must not escape their vmap`);
  }
  const rank = t.ndim + 1;
  const od = normDimFor('vmap', `outDims for ${path} (shape ${fmtShape(t.shape)} per example)`, outDim, rank, t.shape);
  const { value, bdim } = unbatch(t, level);
  if (bdim === null) {
    // The same for every example: broadcast along the new batch dim.
    const shape = [...t.shape.slice(0, od), 1, ...t.shape.slice(od)];
    return gm().expand(gm().reshape(value, shape), shape.map((n, i) => (i === od ? size : n)));
  }
  if (bdim === od) return value;
  const dims = value.shape.map((_, i) => i).filter((i) => i !== bdim);
  dims.splice(od, 0, bdim);
  return gm().permute(value, dims);
}
