/**
 * The state behind `vmap`: levels and batched tensors.
 *
 * Each `vmap` call opens a level (numbered from one counter, so an inner vmap
 * has a higher level). A tensor batched at level L is a `Tensor` whose shape
 * is the per-example shape and whose `_batch` holds the physical `value`
 * (with the batch dim at `dim`); that value may itself be batched at a lower
 * level, so a tensor carries the batch dims of several nested vmaps. The op
 * dispatcher sees the highest level among an op's inputs, unwraps them to
 * their values at that level and runs the primitive's batching rule on the
 * values (which are ordinary, or lower-level batched, tensors), so the rule's
 * own ops are recorded by autograd and forward mode as usual.
 *
 * Autograd and tangents are per tensor object: a batched tensor is born at
 * vmap entry with no `requiresGrad` and no tangents, so whatever it carries
 * later comes from transforms inside the vmap (`vmap(grad(f))`: the graph is
 * recorded over batched tensors and backward runs batched); the physical
 * values carry what transforms outside the vmap track (`grad(vmap(f))`).
 */
import { AutogradError, fmtShape } from '../errors.js';
import { Tensor, setRandomBatching } from '../tensor/index.js';

/** How random creation functions behave inside `vmap` (torch.func's names). */
export type Randomness = 'error' | 'different' | 'same';

interface Level {
  readonly level: number;
  readonly size: number;
  readonly randomness: Randomness;
}

let counter = 0;
const levels: Level[] = [];

/** Opens a vmap level of batch `size`. @example const L = enterBatchLevel(4, 'error'); */
export function enterBatchLevel(size: number, randomness: Randomness): number {
  const level = ++counter;
  levels.push({ level, size, randomness });
  return level;
}

/** Closes the level opened by `enterBatchLevel`. @example exitBatchLevel(L); */
export function exitBatchLevel(level: number): void {
  const i = levels.findIndex((l) => l.level === level);
  if (i >= 0) levels.splice(i, 1);
}

/** True while some `vmap` runs. @example batchingActive(); // false outside vmap */
export function batchingActive(): boolean {
  return levels.length > 0;
}

function levelInfo(level: number): Level {
  const l = levels.find((v) => v.level === level);
  if (l === undefined) {
    throw new AutogradError('vmap', `a tensor batched by a vmap (level ${level}) that has returned was used: batched tensors must not escape their vmap`);
  }
  return l;
}

/** The batch size of an active vmap level. @example batchSize(L); // 4 */
export function batchSize(level: number): number {
  return levelInfo(level).size;
}

/**
 * A tensor batched at `level`: its shape is `value`'s without `dim`. The
 * result has no autograd state and no tangents of its own.
 *
 * @example
 * const x = makeBatched(randn([4, 3]), 0, L); // x.shape: [3]
 */
export function makeBatched(value: Tensor, dim: number, level: number): Tensor {
  const shape = value.shape.filter((_, i) => i !== dim);
  const strides = value.strides.filter((_, i) => i !== dim);
  const t = new Tensor(value.storage, shape, strides, value.offset, value);
  t._batch = { level, dim, value };
  return t;
}

/** The highest vmap level among `xs` (0: none is batched). @example topBatchLevel([x, y]); */
export function topBatchLevel(xs: readonly Tensor[]): number {
  let top = 0;
  for (let i = 0; i < xs.length; i++) {
    const b = xs[i]!._batch;
    if (b !== null && b.level > top) top = b.level;
  }
  return top;
}

/** The physical value of `x` at `level` and its batch dim (null: `x` is not batched at that level). */
export interface Unbatched {
  readonly value: Tensor;
  readonly bdim: number | null;
}

/** `x` seen at vmap `level`: its value and batch dim when batched there, else itself. @example unbatch(x, L); */
export function unbatch(x: Tensor, level: number): Unbatched {
  const b = x._batch;
  return b !== null && b.level === level ? { value: b.value, bdim: b.dim } : { value: x, bdim: null };
}

/** The storage-level tensor under every vmap level of `x` (`x` itself when unbatched). @example bottom(x).shape; */
export function bottom(x: Tensor): Tensor {
  let t = x;
  while (t._batch !== null) t = t._batch.value;
  return t;
}

/** A new tensor object for the same values (batching and tangents kept; no autograd state). @example shallowCopy(x); */
export function shallowCopy(x: Tensor): Tensor {
  const t = new Tensor(x.storage, x.shape, x.strides, x.offset, x);
  t._batch = x._batch;
  if (x._tangents !== null) t._tangents = new Map(x._tangents);
  return t;
}

/**
 * `x`'s values with no autograd or forward-mode state at any vmap level: a
 * constant for every transform (used for the stabilizing max of softmax).
 *
 * @example
 * const m = amax(stopGradient(x), -1);
 */
export function stopGradient(x: Tensor): Tensor {
  const b = x._batch;
  if (b === null) return new Tensor(x.storage, x.shape, x.strides, x.offset, x);
  return makeBatched(stopGradient(b.value), b.dim, b.level);
}

/** A description of `x`'s batching for error messages: `shape [3] batched at dim 0 (size 4)`. */
export function describeBatched(x: Tensor): string {
  const b = x._batch;
  if (b === null) return `shape ${fmtShape(x.shape)} (not batched)`;
  return `shape ${fmtShape(x.shape)} per example, batch dim ${b.dim} of size ${b.value.shape[b.dim]}`;
}

/**
 * Batching of a random draw of `shape` by `op` (rand, randn, randint,
 * dropout): the leading batch sizes to draw and how to wrap the draw, or null
 * outside vmap or where every level draws once ('same'). Throws under a level
 * whose randomness is 'error'.
 *
 * @example
 * randomBatching('rand', [3]); // null outside vmap
 */
export function randomBatching(op: string, shape: readonly number[]): { prefix: number[]; wrap: (t: Tensor) => Tensor } | null {
  if (levels.length === 0) return null;
  const strict = levels.find((l) => l.randomness === 'error');
  if (strict !== undefined) {
    throw new AutogradError(
      op,
      `random draws (shape ${fmtShape(shape)}) inside vmap (level ${strict.level}, batch size ${strict.size}) are refused with ` +
        `randomness 'error' (the default); pass {randomness: 'different'} for a draw per example or 'same' for one draw for all`,
    );
  }
  const per = levels.filter((l) => l.randomness === 'different');
  if (per.length === 0) return null;
  return {
    prefix: per.map((l) => l.size),
    wrap: (t) => {
      // Outermost level first: dim 0 of the draw belongs to the outermost 'different' level.
      let v = t;
      for (const l of per) v = makeBatched(v, 0, l.level);
      return v;
    },
  };
}

setRandomBatching(randomBatching);
