// Small helpers shared by the JS peers.
import { readFileSync } from "node:fs";

/** Thrown for a workload a peer cannot run; the message becomes the result's "error". */
export class Unsupported extends Error {
  name = "Unsupported";
}

/** Sum of a typed array or plain array, in double. */
export function sum(a) {
  let t = 0;
  for (let i = 0; i < a.length; i++) t += a[i];
  return t;
}

/** The W2 check: x_N, d x_N / d x_0, and its relative error against 1.00001^N. */
export function chainCheck(n, xN, dx) {
  const expected = Math.pow(1.00001, n);
  return { x_N: xN, dxN_dx0: dx, expected, rel_err: Math.abs(dx - expected) / expected };
}

/** W2 warm-up uses a short chain (JIT warm-up only); timed runs use the full N. */
export const chainLength = (phase, n) => (phase === "timed" ? n : Math.min(n, 1000));

/** W5 op k: k%3 = 0 -> x + 0.01, 1 -> x * 0.99, 2 -> tanh(x). */
export const OPS = 1000;

/** Installed version of a package in bench/peers/node_modules (some packages don't export package.json). */
export function pkgVersion(name) {
  return JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), "utf8")).version;
}

/** Run fn; if it throws, say where (e.g. "backward: Maximum call stack size exceeded"). */
export function labelled(where, fn) {
  try {
    return fn();
  } catch (e) {
    throw new Error(`${where}: ${e.message}`);
  }
}
