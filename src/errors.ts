/**
 * Typed errors shared by every layer. Each message names the op, the argument,
 * the shapes and dtypes involved, and what was expected, e.g.
 * `matmul: inner dimensions differ: a is [2,3], b is [4,5]`.
 *
 * @example
 * try { matmul(a, b); } catch (e) { if (e instanceof ShapeError) console.log(e.op); }
 */
export class AdjointError extends Error {
  /** The op (or function) that raised the error, e.g. `'matmul'`. */
  readonly op: string;
  constructor(op: string, message: string) {
    super(`${op}: ${message}`);
    this.name = new.target.name;
    this.op = op;
  }
}

/** Shapes that do not fit: broadcasting, inner dimensions, data length vs shape. */
export class ShapeError extends AdjointError {}

/** A dtype the op does not accept (an int or bool tensor into a float-only op...). */
export class DTypeError extends AdjointError {}

/** A dim, index or argument value out of its valid range. */
export class RangeArgError extends AdjointError {}

/** Misuse of the autograd engine: backward on a freed graph, a stale saved tensor... */
export class AutogradError extends AdjointError {}

/**
 * Where a tensor lives does not fit: an op over tensors on two backends, a
 * synchronous read of a GPU tensor, no WebGPU adapter, a lost device, GPU
 * memory exhausted.
 */
export class DeviceError extends AdjointError {}

/**
 * A matrix the factorisation cannot handle: not positive definite
 * (`linalg.cholesky`), singular (`linalg.solve`, `linalg.inv`); the message
 * names the batch element, as PyTorch's `info`.
 */
export class LinAlgError extends AdjointError {}

/** Formats a shape the way every message in adjoint prints it: `[2,3]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
