/**
 * Line plots as hand-written SVG: the chapter's "error vs step size" log-log
 * figure, training-loss curves, cost comparisons. No dependency.
 */
import {
  COLOR_CYCLE,
  type LegendEntry,
  type Marker,
  type Rect,
  axesSvg,
  esc,
  fitScale,
  freshId,
  leftMargin,
  legendSize,
  legendSvg,
  mapper,
  markerSvg,
  px,
  svgDocument,
  toScale,
} from './svg.js';
import { RangeArgError } from '../errors.js';

/** One line of a {@link linePlot}. */
export interface Series {
  x: readonly number[];
  y: readonly number[];
  /** Legend text; series with an empty label are left out of the legend. */
  label: string;
  /** CSS colour; by default the next colour of the chapter's palette. */
  color?: string;
  /** Marker at each point (`'circle'`/`'o'`, `'square'`/`'s'`, `'triangle'`/`'^'`, `'diamond'`/`'D'`). */
  marker?: Marker;
  /** Draw the connecting line (default true; false gives a scatter plot). */
  line?: boolean;
  dashed?: boolean;
  /** Line width in pixels, default 2. */
  lineWidth?: number;
}

/** A vertical reference line, e.g. the chapter's `h = 1e-7`. Listed in the legend when labelled. */
export interface VLine {
  x: number;
  label?: string;
  color?: string;
}

/** Text placed at a data point (its first line starts at x; `\n` breaks lines). */
export interface Annotation {
  x: number;
  y: number;
  text: string;
  color?: string;
}

/** Where the legend goes; `'best'` picks the corner covering the fewest points. */
export type LegendLoc = 'best' | 'upper right' | 'upper left' | 'lower left' | 'lower right' | 'none';

/** Options of {@link linePlot}. */
export interface LinePlotOptions {
  series: readonly Series[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  logX?: boolean;
  logY?: boolean;
  vlines?: readonly VLine[];
  annotations?: readonly Annotation[];
  legend?: LegendLoc;
  grid?: boolean;
  width?: number;
  height?: number;
}

/**
 * A line plot as an SVG string, with title, axis labels, ticks, grid and legend.
 * Log axes (`logX`, `logY`) get decade ticks 10^k; points that cannot be drawn
 * (non-finite anywhere, non-positive on a log axis) are skipped and break the line.
 *
 * @example
 * const rows = errorVsStep(f, df, 2);
 * const svg = linePlot({
 *   series: [{ x: rows.map((r) => r.h), y: rows.map((r) => r.error), label: 'central difference' }],
 *   title: 'Numerical Differentiation Error vs Step Size',
 *   xLabel: 'Step size h', yLabel: 'Absolute error', logX: true, logY: true,
 *   vlines: [{ x: 1e-7, label: 'h = 1e-7' }],
 *   annotations: [{ x: 1e-14, y: 1e-2, text: 'Roundoff error\ndominates' }],
 * });
 * await writeSvg('out/error-vs-step.svg', svg);
 */
export function linePlot(options: LinePlotOptions): string {
  const { series, title, xLabel, yLabel, logX = false, logY = false, grid = true } = options;
  const vlines = options.vlines ?? [];
  const annotations = options.annotations ?? [];
  const width = options.width ?? 720;
  const height = options.height ?? 440;
  series.forEach((s, i) => {
    if (s.x.length !== s.y.length) {
      throw new RangeArgError('linePlot', `series ${i} ('${s.label}') has ${s.x.length} x values but ${s.y.length} y values`);
    }
  });

  const xs = fitScale(allValues(series.map((s) => s.x), vlines.map((v) => v.x)), logX);
  const ys = fitScale(allValues(series.map((s) => s.y), []), logY);
  const left = leftMargin(ys, yLabel);
  const top = title ? 46 : 18;
  const bottom = 30 + (xLabel ? 24 : 0) + 8;
  const rect: Rect = { x: left, y: top, w: Math.max(40, width - left - 24), h: Math.max(40, height - top - bottom) };
  const mx = mapper(xs, rect.x, rect.w, false);
  const my = mapper(ys, rect.y, rect.h, true);
  const axes = axesSvg(xs, ys, rect, { title, xLabel, yLabel, grid });

  const clip = freshId('adjoint-plot');
  const body: string[] = [
    `<defs><clipPath id="${clip}"><rect x="${px(rect.x)}" y="${px(rect.y)}" width="${px(rect.w)}" height="${px(rect.h)}"/></clipPath></defs>`,
    axes.under,
    `<g class="series" clip-path="url(#${clip})">`,
  ];
  const legend: LegendEntry[] = [];
  const drawn: [number, number][] = [];

  series.forEach((s, i) => {
    const color = s.color ?? COLOR_CYCLE[i % COLOR_CYCLE.length]!;
    const lw = s.lineWidth ?? 2;
    const points: ([number, number] | null)[] = s.x.map((xv, k) => {
      const a = toScale(xs, xv);
      const b = toScale(ys, s.y[k]!);
      return a === null || b === null ? null : [mx(a), my(b)];
    });
    if (s.line !== false) {
      const d: string[] = [];
      let pen = false;
      for (const p of points) {
        if (!p) {
          pen = false;
          continue;
        }
        d.push(`${pen ? 'L' : 'M'}${px(p[0])} ${px(p[1])}`);
        pen = true;
      }
      if (d.length) {
        const dash = s.dashed ? ' stroke-dasharray="7 4"' : '';
        body.push(
          `<path class="line" data-label="${esc(s.label)}" d="${d.join('')}" fill="none" stroke="${color}" stroke-width="${lw}" stroke-linejoin="round" stroke-linecap="round"${dash}/>`,
        );
      }
    }
    if (s.marker && s.marker !== 'none') {
      const m = points.filter((p): p is [number, number] => p !== null).map((p) => markerSvg(s.marker!, p[0], p[1], 4, color, '#ffffff', 0.8));
      body.push(`<g class="markers">${m.join('')}</g>`);
    }
    // Points along the drawn lines, for the 'best' legend placement.
    for (let k = 0; k < points.length; k++) {
      const p = points[k];
      if (!p) continue;
      drawn.push(p);
      const q = s.line !== false ? points[k + 1] : null;
      if (!q) continue;
      const n = Math.min(50, Math.floor(Math.hypot(q[0] - p[0], q[1] - p[1]) / 8));
      for (let t = 1; t < n; t++) drawn.push([p[0] + ((q[0] - p[0]) * t) / n, p[1] + ((q[1] - p[1]) * t) / n]);
    }
    if (s.label) {
      const e: LegendEntry = { label: s.label, color, line: s.line !== false, dashed: s.dashed ?? false, lineWidth: lw };
      if (s.marker) e.marker = s.marker;
      legend.push(e);
    }
  });

  for (const v of vlines) {
    const a = toScale(xs, v.x);
    if (a === null) continue;
    const color = v.color ?? '#808080';
    body.push(
      `<line class="vline" x1="${px(mx(a))}" y1="${px(rect.y)}" x2="${px(mx(a))}" y2="${px(rect.y + rect.h)}" stroke="${color}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    );
    if (v.label) legend.push({ label: v.label, color, dashed: true, lineWidth: 1.5 });
  }
  body.push('</g>');
  body.push(axes.over);

  for (const a of annotations) {
    const p = toScale(xs, a.x);
    const q = toScale(ys, a.y);
    if (p === null || q === null) continue;
    const lines = a.text.split('\n');
    const x = px(mx(p));
    const tspans = lines.map((l, k) => `<tspan x="${x}" dy="${k === 0 ? 0 : '1.2em'}">${esc(l)}</tspan>`).join('');
    body.push(`<text class="annotation" x="${x}" y="${px(my(q))}" font-size="12" fill="${a.color ?? '#2C3E50'}">${tspans}</text>`);
  }

  const loc = options.legend ?? 'best';
  if (legend.length > 0 && loc !== 'none') {
    const size = legendSize(legend);
    const [lx, ly] = legendPosition(loc, rect, size, drawn);
    body.push(legendSvg(legend, lx, ly));
  }
  return svgDocument(width, height, body.join('\n'), title);
}

function* allValues(arrays: readonly (readonly number[])[], extra: readonly number[]): Iterable<number> {
  for (const a of arrays) yield* a;
  yield* extra;
}

const CORNERS: Exclude<LegendLoc, 'best' | 'none'>[] = ['upper right', 'upper left', 'lower left', 'lower right'];

/** Top-left corner of the legend box; for `'best'` the corner with the fewest points under it. */
function legendPosition(
  loc: Exclude<LegendLoc, 'none'>,
  r: Rect,
  size: { w: number; h: number },
  points: readonly [number, number][],
): [number, number] {
  const at = (c: (typeof CORNERS)[number]): [number, number] => [
    c.endsWith('right') ? r.x + r.w - size.w - 10 : r.x + 10,
    c.startsWith('upper') ? r.y + 10 : r.y + r.h - size.h - 10,
  ];
  if (loc !== 'best') return at(loc);
  let best = at(CORNERS[0]!);
  let fewest = Infinity;
  for (const c of CORNERS) {
    const [x, y] = at(c);
    let n = 0;
    for (const [a, b] of points) if (a >= x && a <= x + size.w && b >= y && b <= y + size.h) n++;
    if (n < fewest) {
      fewest = n;
      best = [x, y];
    }
  }
  return best;
}
