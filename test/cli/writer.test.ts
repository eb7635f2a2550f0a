import { describe, expect, it } from 'vitest';
import { Writer, count, displayWidth, fixed, formatTable, sci, signed } from '../../src/cli/writer.js';

describe('Writer', () => {
  it('prints lines, headings and tables; quiet keeps only always()', () => {
    const loud: string[] = [];
    const w = new Writer((s) => loud.push(s));
    w.heading('28.1 Three');
    w.table(['a', 'value'], [['x', '1.5'], ['yy', '-20.25']]);
    w.always('done');
    expect(loud.join('')).toBe(
      '\n28.1 Three\n==========\n  a    value\n  --  ------\n  x      1.5\n  yy  -20.25\ndone\n',
    );
    const quiet: string[] = [];
    const q = new Writer((s) => quiet.push(s), true);
    q.heading('x');
    q.line('y');
    q.table(['a'], [['1']]);
    q.always('only this');
    expect(quiet.join('')).toBe('only this\n');
  });

  it('aligns by display width (combining marks take no column)', () => {
    expect(displayWidth('v̄5')).toBe(2);
    expect(displayWidth('∂f/∂x')).toBe(5);
    const lines = formatTable(['Step', 'Value'], [['v̄1', '-1.1714'], ['v̄2', '0.9093']]);
    expect(lines.map(displayWidth)).toEqual([15, 15, 15, 15]);
  });
});

describe('number formats', () => {
  it('fixed, signed, sci, count', () => {
    expect(fixed(Math.PI, 4)).toBe('3.1416');
    expect(fixed(-0.00001, 4)).toBe('0.0000');
    expect(fixed(NaN)).toBe('nan');
    expect(signed(0.97, 4)).toBe('+0.9700');
    expect(signed(-1, 0)).toBe('-1');
    expect(sci(0.0000123)).toBe('1.23e-05');
    expect(sci(2.5e12, 1)).toBe('2.5e+12');
    expect(sci(0)).toBe('0.00e+00');
    expect(count(10483712)).toBe('10,483,712');
  });
});
