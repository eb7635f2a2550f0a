import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decisionBoundaryPlot, divergingColor, marchingSquares, writeSvg } from '../../src/viz/index.js';
import { expectWellFormed, pathPoints } from './helpers.js';

const grid = (a: number, b: number, n: number) => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
const sample = (xs: number[], ys: number[], f: (x: number, y: number) => number) => ys.map((y) => xs.map((x) => f(x, y)));
/** The inside of the first `<g class="name" ...>` group. */
const group = (svg: string, name: string) => svg.match(new RegExp(`<g class="${name}"[^>]*>([\\s\\S]*?)</g>`))![1]!;

describe('marchingSquares', () => {
  it('traces x - y = 0 as one diagonal polyline, also through grid vertices', () => {
    const xs = grid(-1, 1, 21);
    const lines = marchingSquares(sample(xs, xs, (x, y) => x - y), xs, xs, 0);
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    for (const [x, y] of line) expect(Math.abs(x - y)).toBeLessThan(1e-12);
    const ends = [line[0]!, line.at(-1)!].map(([x]) => x).sort((p, q) => p - q);
    expect(ends[0]).toBeCloseTo(-1, 12);
    expect(ends[1]).toBeCloseTo(1, 12);
    // the doc example
    expect(marchingSquares(sample([0, 1, 2], [0, 1, 2], (x, y) => x - y), [0, 1, 2], [0, 1, 2], 0).map((l) => l.length)).toEqual([3]);
  });

  it('traces a circle as a closed loop', () => {
    const xs = grid(-1, 1, 41);
    const lines = marchingSquares(sample(xs, xs, (x, y) => x * x + y * y - 0.5), xs, xs, 0);
    expect(lines).toHaveLength(1);
    const loop = lines[0]!;
    expect(loop[0]).toEqual(loop.at(-1));
    for (const [x, y] of loop) expect(Math.abs(Math.hypot(x, y) - Math.sqrt(0.5))).toBeLessThan(3e-3);
    expect(loop.length).toBeGreaterThan(40);
  });

  it('honours the level, separates saddles and skips non-finite cells', () => {
    const xs = grid(0, 1, 11);
    const at05 = marchingSquares(sample(xs, xs, (x) => x), xs, xs, 0.55);
    expect(at05).toHaveLength(1);
    for (const [x] of at05[0]!) expect(x).toBeCloseTo(0.55, 12);
    // one saddle cell: two separate segments
    expect(marchingSquares([[1, -1], [-1, 1]], [0, 1], [0, 1], 0)).toHaveLength(2);
    // a NaN column cuts the vertical line x = 0.55 out of the cells that touch it
    const z = sample(xs, xs, (x, y) => (y > 0.45 && y < 0.65 ? NaN : x - 0.55));
    const pieces = marchingSquares(z, xs, xs, 0);
    expect(pieces).toHaveLength(2);
    for (const p of pieces) for (const [x, y] of p) expect(Number.isFinite(x) && Number.isFinite(y)).toBe(true);
  });
});

describe('divergingColor', () => {
  it('runs red to white to blue and clamps', () => {
    expect(divergingColor(-1)).toBe('#b2182b');
    expect(divergingColor(0)).toBe('#f7f7f7');
    expect(divergingColor(1)).toBe('#2166ac');
    expect(divergingColor(-7)).toBe('#b2182b');
    expect(divergingColor(7)).toBe('#2166ac');
  });
});

describe('decisionBoundaryPlot', () => {
  const points = [
    { x: -0.5, y: 0.5, label: -1 },
    { x: 0.5, y: -0.5, label: 1 },
    { x: 0.8, y: -0.2, label: 1 },
  ];

  it('draws the heat map, the zero contour of x - y as a straight diagonal, and the points', () => {
    const svg = decisionBoundaryPlot({ predict: (x, y) => x - y, xRange: [-1, 1], yRange: [-1, 1], resolution: 50, points, title: 'x \u2212 y' });
    expectWellFormed(svg);
    const d = svg.match(/<path class="contour" d="([^"]+)"/)![1]!;
    expect(d.match(/M/g)).toHaveLength(1);
    const pts = pathPoints(d);
    expect(pts.length).toBeGreaterThan(10);
    // y = x in data is a line of slope -1 in pixels (equal aspect, y axis downward)
    const [x0, y0] = pts[0]!;
    for (const [x, y] of pts) expect(Math.abs(x - x0 + (y - y0))).toBeLessThan(0.05);
    const xsPx = pts.map(([x]) => x);
    const width = Math.max(...xsPx) - Math.min(...xsPx);
    expect(width).toBeGreaterThan(200); // spans the whole plot
    // heat map: red where x - y < 0 (upper left), blue where > 0 (lower right)
    const rects = [...group(svg, 'heatmap').matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="(#[0-9a-f]{6})"\/>/g)].map((m) => ({
      x: Number(m[1]), y: Number(m[2]), fill: m[5]!,
    }));
    expect(rects.length).toBeGreaterThan(49); // at least one run per row
    const first = rects[0]!; // bottom row, leftmost run: x - y ~ 0 at (-1, -1)
    expect(first.fill).toMatch(/^#f/);
    const rgb = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
    const topRow = rects.filter((r) => r.y === Math.min(...rects.map((q) => q.y)));
    const [r0, , b0] = rgb(topRow[0]!.fill); // top left: x - y = -2
    const [r1, , b1] = rgb(topRow.at(-1)!.fill); // top right: x - y ~ 0
    expect(r0).toBeGreaterThan(b0! + 50);
    expect(Math.abs(r1! - b1!)).toBeLessThan(40);
    // markers: one red circle, two blue squares (each with a white halo under it)
    const marks = group(svg, 'points');
    expect(marks.match(/<circle [^>]*fill="#E74C3C" stroke="#000000"/g)).toHaveLength(1);
    expect(marks.match(/<rect [^>]*fill="#2E86C1" stroke="#000000"/g)).toHaveLength(2);
    expect(marks.match(/stroke="#ffffff"/g)).toHaveLength(3);
    expect(svg).toContain('label &gt; 0');
    expect(svg).toContain('label \u2264 0');
    expect(svg).toContain('decision boundary');
    expect(svg).toContain('class="colorbar"');
    expect(svg).toContain('>x \u2212 y</text>');
  });

  it('uses the level for colours, contour and classes', () => {
    const svg = decisionBoundaryPlot({
      predict: (x) => 1 / (1 + Math.exp(-4 * x)),
      xRange: [-2, 2],
      yRange: [-1, 1],
      resolution: 30,
      level: 0.5,
      points: [{ x: 1, y: 0, label: 1 }, { x: -1, y: 0, label: 0 }],
    });
    expectWellFormed(svg);
    const pts = pathPoints(svg.match(/<path class="contour" d="([^"]+)"/)![1]!);
    const xs = new Set(pts.map(([x]) => x));
    expect(xs.size).toBe(1); // the vertical line x = 0
    expect(group(svg, 'points').match(/<circle [^>]*stroke="#000000"/g)).toHaveLength(1);
    expect(svg).toContain('label \u2264 0.5');
  });

  it('survives NaN predictions and a boundary-free field, and validates arguments', () => {
    const svg = decisionBoundaryPlot({ predict: (x) => (x > 0 ? NaN : 1), xRange: [-1, 1], yRange: [-1, 1], resolution: 10 });
    expectWellFormed(svg);
    expect(svg).not.toContain('class="contour"');
    expect(svg).toContain('fill="#bbbbbb"');
    expect(svg).not.toMatch(/NaN/);
    const base = { predict: () => 0, xRange: [0, 1] as const, yRange: [0, 1] as const };
    expect(() => decisionBoundaryPlot({ ...base, resolution: 1 })).toThrow(/resolution must be an integer >= 2/);
    expect(() => decisionBoundaryPlot({ ...base, xRange: [1, 0] })).toThrow(/ranges must be finite/);
  });
});

describe('writeSvg', () => {
  it('creates missing directories', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'adjoint-viz-'));
    try {
      const path = join(dir, 'a', 'b', 'plot.svg');
      await writeSvg(path, '<svg xmlns="http://www.w3.org/2000/svg"/>');
      expect(await readFile(path, 'utf8')).toBe('<svg xmlns="http://www.w3.org/2000/svg"/>');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
