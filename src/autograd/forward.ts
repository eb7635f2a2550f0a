/**
 * Forward-mode state: tangents ride on tensors, one per active `jvp` level.
 *
 * Each `jvp` call opens a level; an op whose inputs carry tangents of a level
 * gets its output tangent from the op's JVP rule (see `ops/dispatch.ts`).
 * While a rule computes the tangent of level L, level L is masked, so the
 * rule's own ops do not propagate L again (no perturbation confusion), while
 * outer levels still flow through it: `jvp` of `jvp` works.
 */
import type { Tensor } from '../tensor/index.js';

const active: number[] = [];
const masked = new Set<number>();
let counter = 0;

/** True when some `jvp` is running (a fast check for the op dispatcher). @example forwardActive(); // false outside jvp */
export function forwardActive(): boolean {
  return active.length > 0;
}

/** The active levels, outermost first. @example activeLevels(); // [] outside jvp */
export function activeLevels(): readonly number[] {
  return active;
}

/** Opens a new forward-mode level. @example const L = enterLevel(); */
export function enterLevel(): number {
  const level = ++counter;
  active.push(level);
  return level;
}

/** Closes a level opened by `enterLevel`. @example exitLevel(L); */
export function exitLevel(level: number): void {
  const i = active.lastIndexOf(level);
  if (i >= 0) active.splice(i, 1);
  masked.delete(level);
}

/** True while the JVP rule of `level` runs. @example isMasked(L); */
export function isMasked(level: number): boolean {
  return masked.has(level);
}

/** Runs `fn` with `level` masked. @example withMasked(L, () => rule.jvp(dx, c)); */
export function withMasked<T>(level: number, fn: () => T): T {
  masked.add(level);
  try {
    return fn();
  } finally {
    masked.delete(level);
  }
}

/** The tangent of `x` at `level`, or null (zero). @example getTangent(y, L); */
export function getTangent(x: Tensor, level: number): Tensor | null {
  return x._tangents === null ? null : x._tangents.get(level) ?? null;
}

/** Attaches a tangent to `x` at `level`. @example setTangent(x, L, ones([3])); */
export function setTangent(x: Tensor, level: number, t: Tensor): void {
  if (x._tangents === null) x._tangents = new Map();
  x._tangents.set(level, t);
}

/** Removes the tangent of `x` at `level`. @example clearTangent(y, L); */
export function clearTangent(x: Tensor, level: number): void {
  if (x._tangents !== null) {
    x._tangents.delete(level);
    if (x._tangents.size === 0) x._tangents = null;
  }
}
