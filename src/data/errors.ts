import { AdjointError } from '../errors.js';

/**
 * Data that cannot be read: a malformed digits CSV, a missing data file.
 * Bad options are `RangeArgError`s, mismatched tensor sizes `ShapeError`s.
 *
 * @example
 * try { parseDigitsCsv('1,2,3'); } catch (e) { if (e instanceof DataError) console.log(e.message); }
 */
export class DataError extends AdjointError {}
