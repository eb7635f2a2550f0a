/**
 * Python's spelling of values, for module reprs that read exactly like
 * PyTorch's: `1e-05`, `0.1`, `True`, `(3, 3)`, `'none'`.
 */

/**
 * A float as Python's `repr` prints it: the shortest round-trip digits, fixed
 * notation in [1e-4, 1e16) with a trailing `.0` for whole numbers, otherwise
 * `1e-05` style.
 *
 * @example
 * pyFloat(1e-5); // '1e-05'
 * pyFloat(0.1);  // '0.1'
 * pyFloat(2);    // '2.0'
 */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const a = Math.abs(x);
  if (a === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  if (a >= 1e-4 && a < 1e16) {
    // JS prints this range in fixed notation too (it switches to exponents below 1e-6 and from 1e21).
    const s = String(x);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mant, exp] = x.toExponential().split('e') as [string, string];
  const e = Number(exp);
  return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/**
 * A bool as Python prints it.
 *
 * @example
 * pyBool(true); // 'True'
 */
export function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}

/**
 * A list of ints as a Python tuple.
 *
 * @example
 * pyTuple([3, 3]); // '(3, 3)'
 * pyTuple([3]);    // '(3,)'
 */
export function pyTuple(xs: readonly number[]): string {
  return xs.length === 1 ? `(${xs[0]},)` : `(${xs.join(', ')})`;
}

/**
 * An int or a list of ints as given (a list prints as a tuple), as PyTorch
 * echoes pooling arguments.
 *
 * @example
 * pyIntOrTuple(2);      // '2'
 * pyIntOrTuple([2, 1]); // '(2, 1)'
 */
export function pyIntOrTuple(v: number | readonly number[]): string {
  return typeof v === 'number' ? String(v) : pyTuple(v);
}

/**
 * A string as Python's `repr`: single quotes.
 *
 * @example
 * pyStr('none'); // "'none'"
 */
export function pyStr(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * PyTorch's `_addindent`: every line but the first indented by `spaces`.
 *
 * @example
 * addIndent('A(\n(0): B()\n)', 2); // 'A(\n  (0): B()\n  )'
 */
export function addIndent(s: string, spaces: number): string {
  const lines = s.split('\n');
  if (lines.length === 1) return s;
  const pad = ' '.repeat(spaces);
  return [lines[0]!, ...lines.slice(1).map((l) => pad + l)].join('\n');
}
