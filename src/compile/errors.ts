/** The errors of `compile`. */
import { AdjointError } from '../errors.js';

/**
 * `compile(fn, { fullGraph: true })` met something it cannot put in one
 * program: a read of a tensor's values (`item()`, `toArray()`,
 * `toTypedArray()`) whose result the function may use to decide what to
 * compute, or a draw of random numbers. The message names the op.
 *
 * @example
 * try { compile(f, { fullGraph: true })(x); } catch (e) { e instanceof GraphBreakError; }
 */
export class GraphBreakError extends AdjointError {
  constructor(op: string, message: string) {
    super(op, message);
    this.name = 'GraphBreakError';
  }
}
