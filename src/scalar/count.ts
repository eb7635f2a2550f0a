/**
 * Operation counting (Exercise 28.6), with the cost model of `cost.ts`: how many
 * elementary flops the forward pass of a `Value` graph did, how many its reverse
 * sweep does, and what forward mode (`Dual`) pays for a whole gradient. This is
 * the cheap gradient principle made measurable: backward/forward stays a small
 * constant (≈3 on an MLP, Griewank's bound is 5) whatever the number of inputs n,
 * while forward mode needs n passes.
 */
import {
  BACKWARD_FLOPS, FORWARD_FLOPS, LEAF, N_OPS, OP_KINDS, describe, operandError,
  type OpKind,
} from './cost.js';
import { countDual, gradientForward, type Dual, type DualOut } from './dual.js';
import { Value, topoSort } from './value.js';

/** Per op kind: how many nodes, and their forward and backward flops. */
export interface OpKindCount {
  count: number;
  forward: number;
  backward: number;
}

/** The result of {@link countOps}. */
export interface OpCounts {
  /** Nodes in the graph (leaves included). */
  nodes: number;
  /** Leaves (inputs, parameters, constants). */
  leaves: number;
  /** Flops of the forward pass that built the graph. */
  forward: number;
  /** Flops of one reverse sweep (adjoint propagation, `+=` included). */
  backward: number;
  /** The sweep's `.grad += adjoint`, one add per node (bookkeeping, not in `backward`). */
  gradAccumulate: number;
  /** The same counts split by op kind (kinds that occur only). */
  byOp: Partial<Record<OpKind, OpKindCount>>;
}

/**
 * Counts the work of the graph behind `output`: forward flops (what computing it
 * did) and backward flops (what `output.backward()` does), per the cost model.
 *
 * @example
 * const x = new Value(2), y = new Value(3);
 * countOps(x.mul(y).add(x.sin()));
 * // { nodes: 5, leaves: 2, forward: 3, backward: 9, gradAccumulate: 5, byOp: {...} }
 */
export function countOps(output: Value): OpCounts {
  if (!(output instanceof Value)) throw operandError('countOps', output);
  const nodes = topoSort(output);
  const perCode = new Array<number>(N_OPS).fill(0);
  for (const v of nodes) perCode[v._code]!++;
  let forward = 0;
  let backward = 0;
  const byOp: Partial<Record<OpKind, OpKindCount>> = {};
  for (let code = 0; code < N_OPS; code++) {
    const count = perCode[code]!;
    if (count === 0) continue;
    const f = count * FORWARD_FLOPS[code]!;
    const b = count * BACKWARD_FLOPS[code]!;
    forward += f;
    backward += b;
    byOp[OP_KINDS[code]!] = { count, forward: f, backward: b };
  }
  return { nodes: nodes.length, leaves: perCode[LEAF]!, forward, backward, gradAccumulate: nodes.length, byOp };
}

/** The result of {@link countReverseMode}. */
export interface ReverseModeCount {
  /** ∇f at xs. */
  gradient: number[];
  /** Always 1: one backward pass gives every partial. */
  passes: number;
  /** Flops of the forward pass. */
  forward: number;
  /** Flops of the backward pass. */
  backward: number;
  /** forward + backward. */
  total: number;
}

/**
 * ∇f(xs) by reverse mode, with its cost: one forward pass that records the graph,
 * one backward pass, whatever `xs.length`.
 *
 * @example
 * countReverseMode((x, y) => x.mul(x).mul(y).add(x.mul(y).sin()), [1, 2]);
 * // { gradient: [...], passes: 1, forward: 5, backward: 17, total: 22 }
 */
export function countReverseMode(f: (...xs: Value[]) => Value | number, xs: readonly number[]): ReverseModeCount {
  if (!Array.isArray(xs)) throw new TypeError(`countReverseMode: xs must be an array of numbers, got ${describe(xs)}`);
  const inputs = xs.map((x) => new Value(x));
  const y = f(...inputs);
  if (typeof y === 'number') return { gradient: inputs.map(() => 0), passes: 1, forward: 0, backward: 0, total: 0 };
  if (!(y instanceof Value)) throw new TypeError(`countReverseMode: f must return a Value or a number, got ${describe(y)}`);
  const c = countOps(y);
  y.backward();
  return { gradient: inputs.map((v) => v.grad), passes: 1, forward: c.forward, backward: c.backward, total: c.forward + c.backward };
}

/** The result of {@link countForwardMode}. */
export interface ForwardModeCount {
  /** ∇f at xs. */
  gradient: number[];
  /** n: one `Dual` pass per input. */
  passes: number;
  /** Flops spent on values, over all passes (each pass recomputes f). */
  forward: number;
  /** Flops spent on tangents, over all passes. */
  tangent: number;
  /** forward + tangent. */
  total: number;
  /** total / passes. */
  perPass: number;
}

/**
 * ∇f(xs) by forward mode, measured: runs the n `Dual` passes of
 * `gradientForward` and counts every op they execute.
 *
 * @example
 * countForwardMode((x, y) => x.mul(x).mul(y).add(x.mul(y).sin()), [1, 2]);
 * // { gradient: [...], passes: 2, forward: 10, tangent: 24, total: 34, perPass: 17 }
 */
export function countForwardMode(f: (...xs: Dual[]) => DualOut, xs: readonly number[]): ForwardModeCount {
  const { result, primal, tangent } = countDual(() => gradientForward(f, xs));
  const passes = xs.length;
  const total = primal + tangent;
  return { gradient: result, passes, forward: primal, tangent, total, perPass: passes === 0 ? 0 : total / passes };
}
