/**
 * Output for the CLI: a `Writer` that prints lines, headings and aligned tables
 * (silenced by `--quiet`, except for `always`), and the number formats the tour
 * uses (`fixed`, `signed`, `sci`, Python's `{:.2e}` style).
 */

/** Where text goes: a function receiving whole chunks (each ends with `\n`). */
export type Sink = (text: string) => void;

/** Column alignment of {@link Writer.table}: `'l'` left, `'r'` right. */
export type Align = 'l' | 'r';

/**
 * Width of `text` in terminal columns: combining marks (the bar of `v̄`, the dot
 * of `ẋ`) take none.
 *
 * @example
 * displayWidth('v̄5'); // 2
 */
export function displayWidth(text: string): number {
  return [...text.replace(/\p{M}/gu, '')].length;
}

function pad(text: string, width: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'l' ? text + fill : fill + text;
}

/**
 * Prints the tour. Everything but {@link Writer.always} is dropped when `quiet`.
 *
 * @example
 * const out = new Writer((s) => process.stdout.write(s));
 * out.heading('28.1 Three Ways to Compute Derivatives');
 * out.table(['h', 'error'], [['1e-7', '1.2e-09']]);
 */
export class Writer {
  /** @example new Writer((s) => chunks.push(s), true); // quiet */
  constructor(
    private readonly sink: Sink,
    readonly quiet = false,
  ) {}

  /** One line (nothing when quiet). @example out.line('f(2) = 3.637'); */
  line(text = ''): void {
    if (!this.quiet) this.sink(`${text}\n`);
  }

  /** Several lines. @example out.lines(['a', 'b']); */
  lines(texts: readonly string[]): void {
    for (const t of texts) this.line(t);
  }

  /** A section title, underlined with `=`, after a blank line. @example out.heading('28.2 The Computational Graph'); */
  heading(title: string): void {
    this.line();
    this.line(title);
    this.line('='.repeat(displayWidth(title)));
  }

  /** A sub-section title, underlined with `-`. @example out.subheading('Forward pass'); */
  subheading(title: string): void {
    this.line();
    this.line(title);
    this.line('-'.repeat(displayWidth(title)));
  }

  /**
   * An aligned table, indented by two spaces: header, rule, rows. Numbers are
   * right-aligned by default, text left-aligned.
   *
   * @example
   * out.table(['Step', 'Value'], [['v1 = x', '2.0000']], ['l', 'r']);
   */
  table(headers: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): void {
    this.lines(formatTable(headers, rows, align));
  }

  /** A line printed even when quiet. @example out.always('figures: out/'); */
  always(text: string): void {
    this.sink(`${text}\n`);
  }
}

/**
 * The lines of an aligned table (see {@link Writer.table}).
 *
 * @example
 * formatTable(['n', 'ops'], [['1', '8'], ['1024', '10483712']]);
 * // ['     n       ops', '  ----  --------', ...]
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly Align[],
): string[] {
  const widths = headers.map((h, j) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[j] ?? ''))));
  const al = headers.map((_, j): Align => align?.[j] ?? (rows.every((r) => /^[\s+\-−]?[\d.]/.test(r[j] ?? '')) ? 'r' : 'l'));
  const join = (cells: readonly string[]) => `  ${cells.map((c, j) => pad(c, widths[j]!, al[j]!)).join('  ')}`.trimEnd();
  return [join(headers), join(widths.map((w) => '-'.repeat(w))), ...rows.map(join)];
}

/**
 * `x` with `digits` decimals; `-0` prints as `0`, non-finite numbers as `nan`/`inf`.
 *
 * @example
 * fixed(Math.PI, 4); // '3.1416'
 */
export function fixed(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const s = x.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/**
 * Like {@link fixed} with an explicit `+` on non-negative numbers (Python's `{:+.4f}`).
 *
 * @example
 * signed(0.97, 4); // '+0.9700'
 */
export function signed(x: number, digits = 4): string {
  const s = fixed(x, digits);
  return s.startsWith('-') || !Number.isFinite(x) ? s : `+${s}`;
}

/**
 * Scientific notation as Python prints `{:.2e}`: two exponent digits at least.
 *
 * @example
 * sci(0.0000123); // '1.23e-05'
 */
export function sci(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const [mant, exp] = x.toExponential(digits).split('e') as [string, string];
  const sign = exp.startsWith('-') ? '-' : '+';
  return `${mant}e${sign}${exp.replace(/^[+-]/, '').padStart(2, '0')}`;
}

/**
 * An integer with thousands separators.
 *
 * @example
 * count(10483712); // '10,483,712'
 */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * `✓` when `ok`, else `✗`.
 *
 * @example
 * mark(Math.abs(got - expected) < 1e-12); // '✓'
 */
export function mark(ok: boolean): string {
  return ok ? '✓' : '✗';
}
