/**
 * Gradient checkpointing (Exercise 28.4, Chen et al. 2016) on a chain
 * x_{i+1} = step(x_i, i): trade memory for recomputation.
 *
 * The forward pass keeps no graph: it runs each step on a fresh leaf, keeps only
 * the number, and stores x_0, x_k, x_2k, ... (the checkpoints). The backward pass
 * walks the segments from last to first; for each it rebuilds the segment's graph
 * from its checkpoint, backpropagates into it from the adjoint handed down by the
 * later segment (`backward({seed})`), hands the checkpoint's adjoint on, and drops
 * the graph. At most one segment's graph is alive, so the peak memory is about
 * n/k stored values + k·(ops per step) nodes, minimal near k = √n, for the price of
 * one extra forward pass (`recomputedOps` = `forwardOps`).
 */
import { LEAF } from './cost.js';
import { Value, topoSortFrom } from './value.js';

/** The result of {@link checkpointedChain}. */
export interface CheckpointReport {
  /** x_n. */
  value: number;
  /** d x_n / d x_0. */
  grad: number;
  /**
   * The most values alive at any time: stored checkpoints plus the nodes of the
   * graph being built or differentiated (a plain backward keeps all n·s + 1 nodes).
   */
  peakLiveNodes: number;
  /** Op nodes rebuilt during the backward pass. */
  recomputedOps: number;
  /** Op nodes built during the forward pass. */
  forwardOps: number;
  /** How many values the forward pass stored (⌈n/k⌉). */
  checkpoints: number;
}

function opNodesBetween(out: Value, input: Value): number {
  let ops = 0;
  for (const v of topoSortFrom(out, [input])) if (v._code !== LEAF) ops++;
  return ops;
}

/**
 * Runs the chain x_{i+1} = step(x_i, i), i = 0..n-1, from `x0` and differentiates
 * x_n with checkpoints every `k` steps. The gradient equals the plain
 * `backward()` through the whole chain; `Value`s that `step` captures (weights)
 * receive their gradients too, and when `x0` is a `Value` its `.grad` (and the
 * graph behind it) receives d x_n / d x_0.
 *
 * @example
 * const n = 10_000;
 * const r = checkpointedChain((x) => x.mul(1.00001).add(0.001), 0.5, n, Math.round(Math.sqrt(n)));
 * r.grad;          // 1.00001^n
 * r.peakLiveNodes; // 301 (n/k + 2k + 1) where the plain graph keeps 2n + 1 = 20001 nodes
 * r.recomputedOps; // 20000: one extra forward pass
 */
export function checkpointedChain(
  step: (v: Value, i: number) => Value,
  x0: Value | number,
  n: number,
  k: number,
): CheckpointReport {
  if (typeof step !== 'function') throw new TypeError('checkpointedChain: step must be a function');
  if (!(x0 instanceof Value) && typeof x0 !== 'number') {
    throw new TypeError(`checkpointedChain: x0 must be a number or a Value, got ${typeof x0}`);
  }
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`checkpointedChain: n must be an integer >= 0, got ${n}`);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`checkpointedChain: k must be an integer >= 1, got ${k}`);
  const run = (v: Value, i: number): Value => {
    const y = step(v, i);
    if (!(y instanceof Value)) throw new TypeError(`checkpointedChain: step must return a Value (step ${i})`);
    return y;
  };

  // Forward: numbers only, a checkpoint every k steps.
  const stored: number[] = [x0 instanceof Value ? x0.data : x0];
  let x = stored[0]!;
  let peak = 1;
  let forwardOps = 0;
  for (let i = 0; i < n; i++) {
    const leaf = new Value(x);
    const y = run(leaf, i);
    const ops = opNodesBetween(y, leaf);
    forwardOps += ops;
    peak = Math.max(peak, stored.length + 1 + ops);
    x = y.data;
    if ((i + 1) % k === 0 && i + 1 < n) stored.push(x);
  }
  const checkpoints = stored.length;

  // Backward: segment by segment, last first, each rebuilt from its checkpoint.
  let seed = 1;
  let recomputedOps = 0;
  for (let j = checkpoints - 1; j >= 0; j--) {
    const start = j * k;
    const end = Math.min(n, start + k);
    const leaf = new Value(stored[j]!);
    let v = leaf;
    for (let i = start; i < end; i++) v = run(v, i);
    const ops = opNodesBetween(v, leaf);
    recomputedOps += ops;
    // Checkpoints after j are no longer needed; j+1 values are still stored.
    peak = Math.max(peak, j + 1 + 1 + ops);
    v.backward({ seed });
    seed = leaf.grad;
    stored.length = j;
  }
  if (x0 instanceof Value) x0.backward({ seed });
  return { value: x, grad: seed, peakLiveNodes: peak, recomputedOps, forwardOps, checkpoints };
}
