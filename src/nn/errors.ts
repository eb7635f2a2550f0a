import { AdjointError } from '../errors.js';

/**
 * A state dict that does not fit a module: missing or unexpected keys, shape
 * mismatches. The message lists every problem, one per line.
 *
 * @example
 * try { model.loadStateDict(sd); } catch (e) { if (e instanceof StateDictError) console.log(e.missingKeys); }
 */
export class StateDictError extends AdjointError {
  /** Keys the module has and the state dict lacks. */
  readonly missingKeys: readonly string[];
  /** Keys of the state dict the module does not have. */
  readonly unexpectedKeys: readonly string[];
  /** Keys whose shapes differ, with both shapes in the message. */
  readonly mismatchedKeys: readonly string[];

  constructor(op: string, message: string, keys: { missing?: string[]; unexpected?: string[]; mismatched?: string[] } = {}) {
    super(op, message);
    this.missingKeys = keys.missing ?? [];
    this.unexpectedKeys = keys.unexpected ?? [];
    this.mismatchedKeys = keys.mismatched ?? [];
  }
}
