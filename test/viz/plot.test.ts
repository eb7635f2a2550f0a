import { describe, expect, it } from 'vitest';
import { errorVsStep } from '../../src/check/index.js';
import { linePlot } from '../../src/viz/index.js';
import { expectWellFormed, pathPoints, textsOfClass } from './helpers.js';

const f = (x: number) => x * x * Math.sin(x);
const df = (x: number) => 2 * x * Math.sin(x) + x * x * Math.cos(x);

describe('linePlot', () => {
  it("draws the chapter's error-vs-step figure with decade ticks on both log axes", () => {
    const rows = errorVsStep(f, df, 2);
    const svg = linePlot({
      series: [{ x: rows.map((r) => r.h), y: rows.map((r) => r.error), label: 'central difference', color: '#E74C3C' }],
      title: 'Numerical Differentiation Error vs Step Size',
      xLabel: 'Step size h',
      yLabel: 'Absolute error',
      logX: true,
      logY: true,
      vlines: [{ x: 1e-7, label: 'h = 1e-7' }],
      annotations: [{ x: 1e-14, y: 1e-2, text: 'Roundoff error\ndominates' }],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expectWellFormed(svg);
    const xt = textsOfClass(svg, 'xtick');
    // 16 decades: every second one labelled, 10^-14 ... 10^0
    expect(xt).toEqual(['10\u221214', '10\u221212', '10\u221210', '10\u22128', '10\u22126', '10\u22124', '10\u22122', '100']);
    expect(svg).toContain('10<tspan dy="-0.5em" font-size="0.72em">0</tspan>');
    const yt = textsOfClass(svg, 'ytick');
    expect(yt.length).toBeGreaterThanOrEqual(4);
    for (const t of yt) expect(t).toMatch(/^10\u2212?\d+$/);
    for (const [cls, text] of [
      ['title', 'Numerical Differentiation Error vs Step Size'],
      ['xlabel', 'Step size h'],
      ['ylabel', 'Absolute error'],
    ] as const) {
      expect(textsOfClass(svg, cls)).toEqual([text]);
    }
    expect(svg).toContain('>central difference</text>');
    expect(svg).toContain('>h = 1e-7</text>');
    expect(svg).toContain('class="vline"');
    expect(svg).toMatch(/<tspan[^>]*>Roundoff error<\/tspan><tspan[^>]*dy="1.2em">dominates<\/tspan>/);
    expect(svg).toContain('class="grid"');
    const line = svg.match(/<path class="line"[^>]* d="([^"]+)"/)!;
    const drawn = rows.filter((r) => r.error > 0).length;
    expect(pathPoints(line[1]!)).toHaveLength(drawn);
  });

  it('skips non-positive values on log axes and non-finite values everywhere, breaking the line', () => {
    const series = [{ x: [1, 2, 3, 4, 5, 6, 7], y: [1, 10, 0, -5, 100, NaN, 1000], label: 's' }];
    const log = linePlot({ series, logY: true });
    expectWellFormed(log);
    expect(log).not.toMatch(/NaN|Infinity/);
    const d = log.match(/<path class="line"[^>]* d="([^"]+)"/)![1]!;
    expect(pathPoints(d)).toHaveLength(4); // 1, 10, 100, 1000
    expect(d.match(/M/g)).toHaveLength(3); // [1,10] [100] [1000]
    expect(textsOfClass(log, 'ytick')).toEqual(['100', '101', '102', '103']); // 10^0 .. 10^3, tags stripped

    const lin = linePlot({ series: [{ x: [0, 1, Infinity, 3], y: [0, -1, 2, NaN], label: '' }] });
    expectWellFormed(lin);
    expect(lin).not.toMatch(/NaN|Infinity/);
    expect(pathPoints(lin.match(/<path class="line"[^>]* d="([^"]+)"/)![1]!)).toHaveLength(2);
    expect(lin).not.toContain('class="legend"'); // no labels, no legend
  });

  it('puts nice linear ticks, markers and a legend entry per labelled series', () => {
    const svg = linePlot({
      series: [
        { x: [0, 1, 2, 3, 4], y: [-2.5, 1, 0.3, 4, 3.2], label: 'a < b & c', marker: 'o' },
        { x: [0, 4], y: [0, 0], label: 'zero', dashed: true, line: true },
        { x: [1, 3], y: [2, 2], label: 'dots', line: false, marker: 's' },
      ],
      title: 'x "quoted" <title>',
    });
    expectWellFormed(svg);
    expect(textsOfClass(svg, 'xtick')).toEqual(['0', '1', '2', '3', '4']);
    expect(textsOfClass(svg, 'ytick')).toEqual(['\u22122', '\u22121', '0', '1', '2', '3', '4']);
    expect(svg).toContain('a &lt; b &amp; c');
    expect(svg).toContain('x &quot;quoted&quot; &lt;title&gt;');
    expect(svg.match(/<circle /g)!.length).toBe(5 + 1); // five markers and the legend swatch
    expect(svg).toContain('stroke-dasharray="7 4"');
    expect(svg.match(/<path class="line"/g)).toHaveLength(2); // 'dots' has no line
    expect(svg.match(/<text x="[^"]+" y="[^"]+" fill="#222222">/g)).toHaveLength(3); // legend rows
  });

  it('formats tiny and huge linear ticks in exponent notation', () => {
    const svg = linePlot({ series: [{ x: [0, 1], y: [1e-6, 3e-6], label: '' }] });
    for (const t of textsOfClass(svg, 'ytick')) expect(t).toMatch(/^\d(\.\d+)?e\u22126$/);
  });

  it('copes with empty and constant data, and rejects mismatched series', () => {
    expectWellFormed(linePlot({ series: [] }));
    expectWellFormed(linePlot({ series: [{ x: [1], y: [5], label: 'one', marker: 'o' }], logX: true, logY: true }));
    expect(() => linePlot({ series: [{ x: [1, 2], y: [1], label: 'bad' }] })).toThrow(/series 0 \('bad'\) has 2 x values but 1 y values/);
  });

  it('places the legend away from the data', () => {
    // Data in the upper right: the legend goes elsewhere.
    const svg = linePlot({ series: [{ x: [8, 9, 10], y: [8, 9, 10], label: 'ur' }, { x: [0], y: [0], label: 'll', marker: 'o' }], width: 600, height: 400 });
    const [, x, y] = svg.match(/<g class="legend"[^>]*>\s*<rect x="([\d.]+)" y="([\d.]+)"/)!;
    expect(Number(x)).toBeLessThan(300);
    expect(Number(y)).toBeLessThan(200); // upper left
  });
});
