/**
 * The backward engine: iterative, never recursive (a chain of 10^6 nodes
 * works). It counts, for every node reachable from the roots, how many edges
 * lead into it, then runs nodes whose count dropped to zero from an explicit
 * stack, so each node runs once, after all its gradient has arrived. Each
 * input gradient is summed back to the input's shape here (the one place
 * broadcasting is undone). Gradient buffers are dropped as soon as a node
 * has run; saved tensors too unless `retainGraph`. A leaf's first `.grad`
 * is the gradient tensor itself when only the engine holds it (no copy, as
 * PyTorch does), otherwise a copy; later ones are added in place.
 */
import { AutogradError, ShapeError, fmtShape } from '../errors.js';
import type { Storage } from '../backend/index.js';
import { Tensor, deviceOf, sameShape, raw } from '../tensor/index.js';
import { batchingActive } from './batching.js';
import { activeLevels } from './forward.js';
import { gm } from './math.js';
import { isAnomalyEnabled, withGradMode } from './mode.js';
import { AccumulateGrad, Node, nodeOf } from './node.js';

/** Options of `backward`. */
export interface BackwardOptions {
  /** Keep saved tensors so that backward can run again (default: `createGraph`). */
  retainGraph?: boolean;
  /** Record the backward computation so that gradients can be differentiated (default false). */
  createGraph?: boolean;
}

/** Options of `autogradGrad`. */
export interface AutogradGradOptions extends BackwardOptions {
  /** Gradients of the outputs (default: 1 for scalar outputs). */
  gradOutputs?: readonly (Tensor | null)[];
  /** Return null for inputs the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
}

interface Run {
  retainGraph: boolean;
  createGraph: boolean;
  /** Capture mode (`autogradGrad`): gradients of these nodes are returned, leaves untouched. */
  targets: Map<Node, number[]> | null;
  /**
   * Storages a leaf's first `.grad` must not take over (it gets a copy): the
   * seeds (a gradient the caller passed in), every tensor a hook saw or
   * returned, and the storages leaves already took in this run (`x + y`
   * hands both leaves one gradient tensor).
   */
  shared: Set<Storage>;
}

/** Every node reachable from `roots`, with the number of edges into it. */
function countDependencies(roots: readonly Node[]): Map<Node, number> {
  const deps = new Map<Node, number>();
  const stack: Node[] = [];
  for (const r of roots) {
    if (!deps.has(r)) {
      deps.set(r, 0);
      stack.push(r);
    }
  }
  while (stack.length > 0) {
    const n = stack.pop()!;
    for (const c of n.next) {
      if (c === null) continue;
      const d = deps.get(c);
      if (d === undefined) {
        deps.set(c, 1);
        stack.push(c);
      } else deps.set(c, d + 1);
    }
  }
  return deps;
}

/** Nodes from which some target is reachable, targets included (children first, via a reverse topological order). */
function neededNodes(roots: readonly Node[], deps: Map<Node, number>, targets: Map<Node, number[]>): Set<Node> {
  const left = new Map(deps);
  const order: Node[] = [];
  const stack = roots.filter((r) => left.get(r) === 0);
  const seen = new Set(stack);
  while (stack.length > 0) {
    const n = stack.pop()!;
    order.push(n);
    for (const c of n.next) {
      if (c === null) continue;
      const d = left.get(c)! - 1;
      left.set(c, d);
      if (d === 0 && !seen.has(c)) {
        seen.add(c);
        stack.push(c);
      }
    }
  }
  const needed = new Set<Node>();
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    if (targets.has(n) || n.next.some((c) => c !== null && needed.has(c))) needed.add(n);
  }
  return needed;
}

function applyHooks(hooks: readonly ((g: Tensor) => Tensor | void)[] | null, g: Tensor, shared: Set<Storage>): Tensor {
  if (hooks === null) return g;
  for (const h of hooks) {
    shared.add(g.storage); // the hook may keep it
    const r = h(g);
    if (r instanceof Tensor) {
      if (!sameShape(r.shape, g.shape)) {
        throw new ShapeError('registerHook', `a hook returned a gradient of shape ${fmtShape(r.shape)}, expected ${fmtShape(g.shape)}`);
      }
      g = r;
      shared.add(g.storage);
    }
  }
  return g;
}

/**
 * Whether a leaf's first gradient can be `g` itself rather than a copy (like
 * PyTorch's AccumulateGrad taking over a gradient nobody else holds): `g` is
 * a whole, contiguous storage that only this run's own gradient arithmetic
 * made (no seed, no hook saw it, no other leaf took it). Gradients passing
 * through without arithmetic (the VJPs of add, reshape, ...) are still the
 * engine's own tensors, never the caller's.
 */
function canTakeOver(g: Tensor, shared: Set<Storage>): boolean {
  return !shared.has(g.storage) && g.offset === 0 && g.size === g.storage.length && g.isContiguous() && !g.requiresGrad;
}

function accumulateLeaf(leaf: Tensor, g: Tensor, run: Run): void {
  const createGraph = run.createGraph;
  if (g.dtype !== leaf.dtype) g = gm().cast(g, leaf.dtype);
  if (leaf.grad === null) {
    if (createGraph) leaf.grad = g;
    else if (canTakeOver(g, run.shared)) {
      run.shared.add(g.storage);
      leaf.grad = g;
    } else leaf.grad = raw.copyAs(g);
  } else if (createGraph || leaf.grad.requiresGrad) {
    leaf.grad = gm().add(leaf.grad, g);
  } else {
    const acc = leaf.grad;
    // In place, one kernel (like PyTorch's `grad += g`); out of place and copied back when `.grad` was set to a view.
    if (acc.isContiguous() && acc.dtype === g.dtype && acc.storage !== g.storage) raw.binaryInto('add', acc, g, acc);
    else raw.copyInto(raw.rawBinary('add', acc, g), acc);
    acc._bumpVersion();
  }
}

function checkNaN(node: Node, grads: readonly (Tensor | null)[]): void {
  for (let i = 0; i < grads.length; i++) {
    const gi = grads[i];
    if (gi && raw.hasNaN(gi, 'detectAnomaly')) {
      const where = node.trace ?? '(no stack recorded: run the forward pass inside detectAnomaly to record it)';
      throw new AutogradError(
        node.name,
        `returned NaN values in the gradient of input ${i} (shape ${fmtShape(gi.shape)}, ${gi.dtype}). ` +
          `The forward op '${node.op}' was created at:\n${where}`,
      );
    }
  }
}

/** Runs the graph from `roots` seeded with `grads`; returns the captured gradients in capture mode. */
function execute(roots: readonly Node[], grads: readonly Tensor[], run: Run): Map<Node, Tensor> {
  const deps = countDependencies(roots);
  const needed = run.targets === null ? null : neededNodes(roots, deps, run.targets);
  const buffers = new Map<Node, Tensor>();
  // A node's gradient summed from several edges: the first sum is a fresh tensor only its buffer
  // holds, so later edges add into it in place (PyTorch's InputBuffer does the same). Not when
  // the sums are recorded (createGraph), batched (vmap) or carry tangents (forward mode).
  const inPlace = !run.createGraph && !batchingActive() && activeLevels().length === 0;
  const owned = new Set<Tensor>();
  const add = (n: Node, g: Tensor): void => {
    const prev = buffers.get(n);
    if (prev === undefined) buffers.set(n, g);
    else if (owned.has(prev) && prev.dtype === g.dtype && sameShape(prev.shape, g.shape) && !g.requiresGrad) raw.binaryInto('add', prev, g, prev);
    else {
      const sum = gm().add(prev, g);
      if (inPlace && !sum.requiresGrad && sum.isContiguous()) owned.add(sum);
      buffers.set(n, sum);
    }
  };
  for (let i = 0; i < roots.length; i++) {
    run.shared.add(grads[i]!.storage);
    add(roots[i]!, grads[i]!);
  }
  const captured = new Map<Node, Tensor>();
  const anomaly = isAnomalyEnabled();
  const stack: Node[] = [];
  const seeded = new Set<Node>();
  for (const r of roots) {
    if (deps.get(r) === 0 && !seeded.has(r)) {
      seeded.add(r);
      stack.push(r);
    }
  }
  while (stack.length > 0) {
    const node = stack.pop()!;
    let g = buffers.get(node) ?? null;
    buffers.delete(node);
    if (g !== null) owned.delete(g);
    if (node instanceof AccumulateGrad) {
      if (g === null) continue;
      g = applyHooks(node.leaf._hooks, g, run.shared);
      if (run.targets !== null) {
        if (run.targets.has(node)) captured.set(node, g);
      } else accumulateLeaf(node.leaf, g, run);
      continue;
    }
    if (g !== null) {
      g = applyHooks(node.preHooks, g, run.shared);
      if (node.retained !== null) node.retained.grad = run.createGraph ? g : raw.copyAs(g);
      if (run.targets !== null && run.targets.has(node)) captured.set(node, g);
    }
    // In capture mode a node runs only when some input leads to a target.
    const runs = g !== null && (needed === null || node.next.some((c) => c !== null && needed.has(c)));
    let out: (Tensor | null)[] | null = null;
    if (runs) {
      out = node.run(g!);
      if (anomaly) checkNaN(node, out);
      if (!run.retainGraph) node.release();
    }
    const next = node.next;
    for (let i = 0; i < next.length; i++) {
      const child = next[i];
      if (child === null || child === undefined) continue;
      if (needed !== null && !needed.has(child)) continue;
      let gi = out === null ? null : out[i] ?? null;
      if (gi !== null) {
        const shape = node.inputShapes[i]!;
        if (!sameShape(gi.shape, shape)) gi = gm().sumTo(gi, shape);
        if (gi.dtype !== child.dtype) gi = gm().cast(gi, child.dtype);
        add(child, gi);
      }
      const d = deps.get(child)! - 1;
      deps.set(child, d);
      if (d === 0) stack.push(child);
    }
  }
  return captured;
}

function seedGrad(op: string, root: Tensor, g: Tensor | null | undefined): Tensor {
  if (g === null || g === undefined) {
    if (root.size !== 1) {
      throw new AutogradError(
        op,
        `grad can be created implicitly only for scalar outputs, but the output has shape ${fmtShape(root.shape)}; ` +
          `pass a gradient of shape ${fmtShape(root.shape)}`,
      );
    }
    return raw.filled(root.shape, root.dtype, 1, deviceOf(root));
  }
  if (!sameShape(g.shape, root.shape)) {
    throw new ShapeError(op, `the gradient has shape ${fmtShape(g.shape)} but the output has shape ${fmtShape(root.shape)}`);
  }
  return g.dtype === root.dtype ? g : gm().cast(g, root.dtype);
}

function checkRoot(op: string, root: Tensor, i: number): void {
  if (!root.requiresGrad) {
    throw new AutogradError(op, `output ${i} (shape ${fmtShape(root.shape)}) does not require grad and has no gradFn`);
  }
}

/**
 * Computes the gradient of `root` with respect to every leaf it depends on,
 * accumulating into their `.grad` (the engine behind `tensor.backward()`).
 *
 * @example
 * const x = tensor([1, 2, 3], { requiresGrad: true });
 * backward(x.mul(x).sum()); // x.grad = [2, 4, 6]
 */
export function backward(root: Tensor, grad?: Tensor | null, opts: BackwardOptions = {}): void {
  if (root._batch !== null) {
    throw new AutogradError('backward', `cannot call backward() on a tensor batched by vmap (shape ${fmtShape(root.shape)} per example); use grad or vjp inside vmap`);
  }
  checkRoot('backward', root, 0);
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const g = seedGrad('backward', root, grad);
  withGradMode(createGraph, () => {
    execute([nodeOf(root)], [g], { retainGraph, createGraph, targets: null, shared: new Set() });
  });
}

/**
 * Gradients of `outputs` with respect to `inputs`, returned (not accumulated
 * into `.grad`), like `torch.autograd.grad`.
 *
 * @example
 * const x = tensor(3, { requiresGrad: true });
 * const [g] = autogradGrad(x.mul(x).mul(x), [x], { createGraph: true }); // 27
 * const [h] = autogradGrad(g!, [x]);                                     // 18
 */
export function autogradGrad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  opts: AutogradGradOptions = {},
): (Tensor | null)[] {
  const outs = outputs instanceof Tensor ? [outputs] : outputs;
  const ins = inputs instanceof Tensor ? [inputs] : inputs;
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const targets = new Map<Node, number[]>();
  ins.forEach((x, i) => {
    if (!x.requiresGrad) {
      throw new AutogradError('autogradGrad', `input ${i} (shape ${fmtShape(x.shape)}) does not require grad`);
    }
    const n = nodeOf(x);
    targets.set(n, [...(targets.get(n) ?? []), i]);
  });
  const roots: Node[] = [];
  const seeds: Tensor[] = [];
  outs.forEach((y, i) => {
    const gy = opts.gradOutputs?.[i];
    if (!y.requiresGrad) {
      if (opts.allowUnused) return;
      checkRoot('autogradGrad', y, i);
    }
    roots.push(nodeOf(y));
    seeds.push(seedGrad('autogradGrad', y, gy));
  });
  const captured = roots.length === 0
    ? new Map<Node, Tensor>()
    : withGradMode(createGraph, () => execute(roots, seeds, { retainGraph, createGraph, targets, shared: new Set() }));
  return ins.map((x, i) => {
    const g = captured.get(nodeOf(x)) ?? null;
    if (g === null && !opts.allowUnused) {
      throw new AutogradError(
        'autogradGrad',
        `input ${i} (shape ${fmtShape(x.shape)}) is not used in the graph of the outputs; pass {allowUnused: true} to get null`,
      );
    }
    return g;
  });
}
