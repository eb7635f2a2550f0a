/**
 * Nodes of the backward graph and their saved tensors.
 *
 * A node belongs to the one tensor an op produced (`y.gradFn`). It links to
 * the nodes of its inputs (`next`, null for inputs that do not require grad),
 * remembers their shapes (the engine sums each gradient back to them) and
 * holds the tensors its VJP rule needs, each with the version it had when
 * saved. Leaves get an `AccumulateGrad` node. Inside `checkpoint`, a node keeps
 * no tensors, only its index in the checkpoint frame that recomputes them.
 */
import type { DType } from '../backend/index.js';
import { AutogradError, fmtShape } from '../errors.js';
import type { GradFn, Hook, Tensor } from '../tensor/index.js';
import { isAnomalyEnabled } from './mode.js';

/**
 * A region run under `checkpoint`: its nodes save nothing; the first node
 * that needs its tensors in backward makes the frame rerun the region, which
 * collects the tensors each node would have saved, in creation order.
 *
 * @example
 * const frame = new Frame((fr) => withFrame(fr, () => f(...args)));
 */
export class Frame {
  private count = 0;
  private collected: (readonly (Tensor | null)[] | null)[] | null = null;
  private collecting = 0;
  /** True while the frame reruns its region. */
  recomputing = false;

  /** `rerun` replays the region with this frame active and `recomputing` set. */
  constructor(private readonly rerun: (frame: Frame) => void) {}

  /** A node of the first run takes the next index. */
  register(): number {
    return this.count++;
  }

  /** A node of the rerun hands over its tensors. */
  collect(tensors: readonly (Tensor | null)[]): void {
    this.collected![this.collecting++] = tensors;
  }

  /** The tensors node `index` saved (rerunning the region on first use). */
  get(index: number, name: string): readonly (Tensor | null)[] {
    if (this.collected === null) {
      this.collected = new Array<readonly (Tensor | null)[] | null>(this.count).fill(null);
      this.collecting = 0;
      this.rerun(this);
      if (this.collecting !== this.count) {
        throw new AutogradError('checkpoint', `recomputation recorded ${this.collecting} ops where the forward pass recorded ${this.count}: the checkpointed function must be deterministic`);
      }
    }
    const s = this.collected[index];
    if (s === null || s === undefined) throw freedError(name);
    return s;
  }

  /** Drops the tensors of node `index`. */
  release(index: number): void {
    if (this.collected !== null) this.collected[index] = null;
  }
}

const frames: Frame[] = [];

/** Runs `fn` with `frame` as the innermost checkpoint frame. @example withFrame(frame, () => f(x)); */
export function withFrame<T>(frame: Frame, fn: () => T): T {
  frames.push(frame);
  try {
    return fn();
  } finally {
    frames.pop();
  }
}

function freedError(name: string): AutogradError {
  return new AutogradError(
    name,
    'trying to backward through the graph a second time, but its saved tensors were already freed; ' +
      'pass {retainGraph: true} to the first backward() if you need to backward twice',
  );
}

/** The current stack without its header and the frames of the recording machinery. */
function creationStack(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const lines = stack.split('\n').slice(1);
  return lines.filter((l) => !/[\\/](autograd[\\/]node|ops[\\/]dispatch)\.[jt]s/.test(l)).join('\n');
}

/** A node of the backward graph. Subclasses implement `backward`. */
export abstract class Node implements GradFn {
  /** Where each input's gradient goes (null: the input does not require grad). */
  readonly next: (Node | null)[];
  /** Shapes of the inputs, for summing broadcast gradients back. */
  readonly inputShapes: (readonly number[])[];
  /** Hooks on the gradient of the output (registered through the tensor). */
  preHooks: Hook[] | null = null;
  /** A tensor that asked `retainGrad()`. */
  retained: Tensor | null = null;
  /** Stack of the forward op (anomaly mode only). */
  readonly trace: string | null;
  private saved: readonly (Tensor | null)[] | null = null;
  private versions: number[] | null = null;
  private savedInputs = 0;
  private frame: Frame | null = null;
  private frameIndex = -1;
  private hadSaved = false;
  private freed = false;

  /**
   * `name` like `'MulBackward'`; `op` is the forward op, like `'mul'`;
   * `dtype` the dtype of the tensor whose gradient this node receives.
   */
  constructor(readonly name: string, readonly op: string, inputs: readonly Tensor[], readonly dtype: DType) {
    const n = inputs.length;
    this.next = new Array<Node | null>(n);
    this.inputShapes = new Array<readonly number[]>(n);
    for (let i = 0; i < n; i++) {
      const x = inputs[i]!;
      this.next[i] = x._requiresGrad ? nodeOf(x) : null;
      this.inputShapes[i] = x.shape;
    }
    this.trace = isAnomalyEnabled() ? creationStack() : null;
  }

  /** Gradients of the inputs given the gradient of the output (null: zero). */
  abstract backward(g: Tensor): (Tensor | null)[];

  /**
   * Saves tensors for backward (null: an input not needed); the first
   * `inputs` of them are op inputs, the rest outputs (for error messages).
   */
  save(tensors: readonly (Tensor | null)[], inputs: number): void {
    const frame = frames.length > 0 ? frames[frames.length - 1]! : null;
    this.hadSaved = tensors.length > 0;
    this.savedInputs = inputs;
    if (frame !== null && !frame.recomputing) {
      this.frame = frame;
      this.frameIndex = frame.register();
      return;
    }
    this.saved = tensors;
    if (tensors.length > 0) this.versions = tensors.map((t) => (t === null ? 0 : t.version));
    if (frame !== null) frame.collect(tensors);
  }

  /** The saved tensors, checking that no in-place op changed them. */
  unpack(): readonly (Tensor | null)[] {
    if (this.frame !== null) return this.frame.get(this.frameIndex, this.name);
    const s = this.saved;
    if (s === null) {
      if (this.hadSaved) throw freedError(this.name);
      return [];
    }
    const v = this.versions;
    for (let i = 0; i < s.length; i++) {
      const t = s[i];
      if (t !== null && t !== undefined && t.version !== v![i]) {
        const what = i < this.savedInputs ? `input ${i}` : 'its output';
        throw new AutogradError(
          this.name,
          `a tensor saved for backward (${what}, shape ${fmtShape(t.shape)}, ${t.dtype}) was modified by an in-place ` +
            `operation: it is at version ${t.version}, expected version ${v![i]}. The forward op was '${this.op}'`,
        );
      }
    }
    return s;
  }

  /** Runs the VJP after checking the graph was not freed. */
  run(g: Tensor): (Tensor | null)[] {
    if (this.freed && this.hadSaved) throw freedError(this.name);
    return this.backward(g);
  }

  /** Frees the saved tensors (after a backward without `retainGraph`). */
  release(): void {
    this.freed = true;
    this.saved = null;
    this.versions = null;
    if (this.frame !== null) this.frame.release(this.frameIndex);
  }
}

/** The node of a leaf: adds incoming gradients to `leaf.grad`. @example nodeOf(leaf) instanceof AccumulateGrad; // true */
export class AccumulateGrad extends Node {
  constructor(readonly leaf: Tensor) {
    super('AccumulateGrad', 'leaf', [], leaf.dtype);
  }

  backward(): (Tensor | null)[] {
    return [];
  }
}

/**
 * The node that receives `x`'s gradient: its `gradFn`, or the cached
 * `AccumulateGrad` of a leaf.
 *
 * @example
 * nodeOf(x); // x.gradFn, or x's AccumulateGrad
 */
export function nodeOf(x: Tensor): Node {
  if (x.gradFn !== null) return x.gradFn as Node;
  let n = x._leafNode as AccumulateGrad | null;
  if (n === null) {
    n = new AccumulateGrad(x);
    x._leafNode = n;
  }
  return n;
}
