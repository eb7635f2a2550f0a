/**
 * Decision-boundary plots as plain SVG: a diverging red-blue heat map of a
 * classifier's output over a grid, the decision boundary (the contour at `level`,
 * traced by marching squares) as a black line, and the data points on top, as in
 * the chapter's "XOR Decision Boundary" figure.
 */
import {
  COLORS,
  type LegendEntry,
  type Rect,
  axesSvg,
  esc,
  freshId,
  leftMargin,
  legendSize,
  legendSvg,
  linearScale,
  mapper,
  markerSvg,
  minus,
  px,
  svgDocument,
} from './svg.js';
import { RangeArgError } from '../errors.js';

/** A labelled data point; `label > level` is the positive class. */
export interface LabelledPoint {
  x: number;
  y: number;
  label: number;
}

/** Options of {@link decisionBoundaryPlot}. */
export interface DecisionBoundaryOptions {
  /** The model's output at (x, y); its sign (relative to `level`) is the class. */
  predict: (x: number, y: number) => number;
  xRange: readonly [number, number];
  yRange: readonly [number, number];
  /** Samples per axis (default 100, so 100 x 100 predictions). */
  resolution?: number;
  points?: readonly LabelledPoint[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** The decision level (default 0, for tanh outputs; 0.5 for probabilities). */
  level?: number;
  /** Colour scale half-width around `level`; default the largest |predict - level|. */
  vmax?: number;
  /** Same scale on both axes (default true). */
  equalAspect?: boolean;
  /** SVG size; by default about 660 x 520, trimmed to what the equal-aspect plot needs. */
  width?: number;
  height?: number;
}

/** A polyline as [x, y] pairs. */
export type Polyline = [number, number][];

/**
 * Marching squares: the curves where the sampled field crosses `level`.
 * `z[j][i]` is the value at (`xs[i]`, `ys[j]`). Returns polylines in data
 * coordinates, joined across cells (closed loops repeat their first point).
 * Cells with a non-finite corner are skipped; ambiguous saddles are resolved
 * with the cell's mean.
 *
 * @example
 * const xs = [0, 1, 2], ys = [0, 1, 2];
 * const z = ys.map((y) => xs.map((x) => x - y));
 * marchingSquares(z, xs, ys, 0); // [[[0,0],[1,1],[2,2]]] (the diagonal)
 */
export function marchingSquares(
  z: readonly (readonly number[])[],
  xs: readonly number[],
  ys: readonly number[],
  level = 0,
): Polyline[] {
  const points = new Map<string, [number, number]>();
  const segs: [string, string][] = [];
  // Point where grid edge (i0,j0)-(i1,j1) crosses the level; keyed by the edge.
  const cross = (i0: number, j0: number, i1: number, j1: number): string => {
    const key = `${i0},${j0},${i1},${j1}`;
    if (!points.has(key)) {
      const a = z[j0]![i0]!;
      const b = z[j1]![i1]!;
      const t = (level - a) / (b - a);
      points.set(key, [xs[i0]! + (xs[i1]! - xs[i0]!) * t, ys[j0]! + (ys[j1]! - ys[j0]!) * t]);
    }
    return key;
  };
  for (let j = 0; j + 1 < ys.length; j++) {
    for (let i = 0; i + 1 < xs.length; i++) {
      const a = z[j]![i]!; // (i, j)       bottom-left
      const b = z[j]![i + 1]!; // (i+1, j)   bottom-right
      const c = z[j + 1]![i + 1]!; // (i+1, j+1) top-right
      const d = z[j + 1]![i]!; // (i, j+1)   top-left
      if (!(Number.isFinite(a) && Number.isFinite(b) && Number.isFinite(c) && Number.isFinite(d))) continue;
      // A value exactly at the level counts as inside, so the curve passes through it.
      const A = a >= level;
      const B = b >= level;
      const C = c >= level;
      const D = d >= level;
      const bottom = A !== B ? cross(i, j, i + 1, j) : '';
      const right = B !== C ? cross(i + 1, j, i + 1, j + 1) : '';
      const top = D !== C ? cross(i, j + 1, i + 1, j + 1) : '';
      const left = A !== D ? cross(i, j, i, j + 1) : '';
      const hits = [bottom, right, top, left].filter((k) => k !== '');
      if (hits.length === 2) {
        segs.push([hits[0]!, hits[1]!]);
      } else if (hits.length === 4) {
        const centre = (a + b + c + d) / 4 >= level;
        if (centre === A) {
          // a and c joined through the centre: cut off corners b and d.
          segs.push([bottom, right], [top, left]);
        } else {
          segs.push([bottom, left], [right, top]);
        }
      }
    }
  }
  return joinSegments(segs, points);
}

/** Links segments sharing an edge point into polylines. */
function joinSegments(segs: readonly [string, string][], points: Map<string, [number, number]>): Polyline[] {
  const adj = new Map<string, number[]>();
  segs.forEach(([p, q], s) => {
    for (const k of [p, q]) {
      const list = adj.get(k);
      if (list) list.push(s);
      else adj.set(k, [s]);
    }
  });
  const used = new Uint8Array(segs.length);
  const lines: Polyline[] = [];
  const walk = (start: number, from: string): void => {
    const keys = [from];
    let s = start;
    let key = from;
    for (;;) {
      used[s] = 1;
      const [p, q] = segs[s]!;
      key = p === key ? q : p;
      keys.push(key);
      const next = adj.get(key)!.find((t) => !used[t]);
      if (next === undefined) break;
      s = next;
    }
    const line: Polyline = [];
    for (const k of keys) {
      const pt = points.get(k)!;
      const last = line[line.length - 1];
      if (!last || last[0] !== pt[0] || last[1] !== pt[1]) line.push(pt);
    }
    if (line.length >= 2) lines.push(line);
  };
  // Open curves start at an end (an edge point with one segment); loops anywhere.
  for (const [k, list] of adj) if (list.length === 1 && !used[list[0]!]) walk(list[0]!, k);
  segs.forEach(([p], s) => {
    if (!used[s]) walk(s, p);
  });
  return lines;
}

// ColorBrewer RdBu without its darkest ends: red for low (negative) values, blue for high.
const RDBU = ['#b2182b', '#d6604d', '#f4a582', '#fddbc7', '#f7f7f7', '#d1e5f0', '#92c5de', '#4393c3', '#2166ac'];

function hexRgb(h: string): [number, number, number] {
  return [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
}
const RDBU_RGB = RDBU.map(hexRgb);

/**
 * The diverging red-white-blue colour of `t` in [-1, 1] (red at -1, white at 0,
 * blue at +1), as `#rrggbb`.
 *
 * @example
 * divergingColor(-1); // '#b2182b'
 */
export function divergingColor(t: number): string {
  const u = ((Math.max(-1, Math.min(1, t)) + 1) / 2) * (RDBU_RGB.length - 1);
  const k = Math.min(RDBU_RGB.length - 2, Math.floor(u));
  const f = u - k;
  const lo = RDBU_RGB[k]!;
  const hi = RDBU_RGB[k + 1]!;
  const hex = (n: number) => Math.round(n).toString(16).padStart(2, '0');
  return `#${hex(lo[0] + (hi[0] - lo[0]) * f)}${hex(lo[1] + (hi[1] - lo[1]) * f)}${hex(lo[2] + (hi[2] - lo[2]) * f)}`;
}

const NEG_COLOR = COLORS.red;
const POS_COLOR = COLORS.blue;

/**
 * A decision-boundary plot as an SVG string: `predict` sampled on a
 * `resolution` x `resolution` grid and drawn as a red (negative) to blue
 * (positive) heat map, the boundary `predict = level` as a black line, and the
 * points as markers (blue squares for `label > level`, red circles otherwise),
 * with axes, a legend and a colour bar.
 *
 * @example
 * const svg = decisionBoundaryPlot({
 *   predict: (x, y) => -Math.tanh(4 * (x - 0.5)) * Math.tanh(4 * (y - 0.5)), // or a trained model's output
 *   xRange: [-0.5, 1.5], yRange: [-0.5, 1.5],
 *   points: [{ x: 0, y: 0, label: -1 }, { x: 0, y: 1, label: 1 }, { x: 1, y: 0, label: 1 }, { x: 1, y: 1, label: -1 }],
 *   title: 'XOR Decision Boundary',
 * });
 */
export function decisionBoundaryPlot(options: DecisionBoundaryOptions): string {
  const { predict, xRange, yRange, points = [], title, xLabel = 'x\u2081', yLabel = 'x\u2082', level = 0 } = options;
  const resolution = options.resolution ?? 100;
  const width = options.width ?? 660;
  const height = options.height ?? 520;
  if (!Number.isInteger(resolution) || resolution < 2) {
    throw new RangeArgError('decisionBoundaryPlot', `resolution must be an integer >= 2, got ${resolution}`);
  }
  const [x0, x1] = xRange;
  const [y0, y1] = yRange;
  if (!(Number.isFinite(x0) && Number.isFinite(x1) && x1 > x0 && Number.isFinite(y0) && Number.isFinite(y1) && y1 > y0)) {
    throw new RangeArgError('decisionBoundaryPlot', `ranges must be finite with a < b, got xRange [${xRange}], yRange [${yRange}]`);
  }

  // Sample the field.
  const gx = Array.from({ length: resolution }, (_, i) => x0 + ((x1 - x0) * i) / (resolution - 1));
  const gy = Array.from({ length: resolution }, (_, j) => y0 + ((y1 - y0) * j) / (resolution - 1));
  const z = gy.map((y) => gx.map((x) => predict(x, y)));
  let vmax = options.vmax ?? 0;
  if (!(vmax > 0)) {
    for (const row of z) for (const v of row) if (Number.isFinite(v)) vmax = Math.max(vmax, Math.abs(v - level));
    if (!(vmax > 0)) vmax = 1;
  }

  // Layout: plot area on the left, legend and colour bar in a column on the right.
  const xs = linearScale(x0, x1, false);
  const ys = linearScale(y0, y1, false);
  const legend: LegendEntry[] = [];
  if (points.some((p) => p.label > level)) legend.push({ label: `label > ${fmt(level)}`, color: POS_COLOR, line: false, marker: 's', markerStroke: '#000000' });
  if (points.some((p) => !(p.label > level))) legend.push({ label: `label \u2264 ${fmt(level)}`, color: NEG_COLOR, line: false, marker: 'o', markerStroke: '#000000' });
  legend.push({ label: 'decision boundary', color: '#000000', lineWidth: 2 });
  const lsize = legendSize(legend);
  const column = Math.max(lsize.w, 90) + 20;
  const left = leftMargin(ys, yLabel);
  const top = title ? 46 : 18;
  const bottom = 62;
  const availW = Math.max(60, width - left - column - 16);
  const availH = Math.max(60, height - top - bottom);
  let w = availW;
  let h = availH;
  if (options.equalAspect !== false) {
    const k = Math.min(availW / (x1 - x0), availH / (y1 - y0));
    w = k * (x1 - x0);
    h = k * (y1 - y0);
  }
  const rect: Rect = {
    x: left + (options.width !== undefined ? (availW - w) / 2 : 0),
    y: top + (options.height !== undefined ? (availH - h) / 2 : 0),
    w,
    h,
  };
  // Unless the caller fixed the size, trim what equal aspect left empty.
  const svgW = options.width ?? Math.ceil(left + w + column + 16);
  const svgH = options.height ?? Math.ceil(top + h + bottom);
  const mx = mapper(xs, rect.x, rect.w, false);
  const my = mapper(ys, rect.y, rect.h, true);
  const axes = axesSvg(xs, ys, rect, { title, xLabel, yLabel, grid: false });

  const body: string[] = [axes.under, heatmapSvg(z, gx, gy, mx, my, level, vmax)];

  // The boundary.
  const curves = marchingSquares(z, gx, gy, level);
  if (curves.length > 0) {
    const d = curves.map((c) => c.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${px(mx(x))} ${px(my(y))}`).join('')).join('');
    body.push(`<path class="contour" d="${d}" fill="none" stroke="#000000" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>`);
  }

  // The data points, clipped to the plot area.
  const clip = freshId('adjoint-boundary');
  body.push(`<defs><clipPath id="${clip}"><rect x="${px(rect.x - 8)}" y="${px(rect.y - 8)}" width="${px(rect.w + 16)}" height="${px(rect.h + 16)}"/></clipPath></defs>`);
  const marks = points
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
    .map((p) => {
      // A white halo under the black edge keeps markers visible on their own class's colour.
      const [kind, r, color] = p.label > level ? (['square', 6.5, POS_COLOR] as const) : (['circle', 7.5, NEG_COLOR] as const);
      return markerSvg(kind, mx(p.x), my(p.y), r, color, '#ffffff', 5) + markerSvg(kind, mx(p.x), my(p.y), r, color, '#000000', 1.8);
    });
  body.push(`<g class="points" clip-path="url(#${clip})">${marks.join('')}</g>`);
  body.push(axes.over);

  const cx = rect.x + w + 20;
  body.push(legendSvg(legend, cx, rect.y));
  body.push(colorbarSvg(cx + 10, rect.y + lsize.h + 24, Math.max(60, rect.y + rect.h - (rect.y + lsize.h + 24)), level, vmax));
  return svgDocument(svgW, svgH, body.join('\n'), title);
}

function fmt(v: number): string {
  return minus(String(Number(v.toPrecision(3))));
}

/** Cells between grid samples, coloured by the mean of their corners, merged into runs per row. */
function heatmapSvg(
  z: readonly number[][],
  gx: readonly number[],
  gy: readonly number[],
  mx: (v: number) => number,
  my: (v: number) => number,
  level: number,
  vmax: number,
): string {
  const out: string[] = ['<g class="heatmap" shape-rendering="crispEdges" opacity="0.8">'];
  const steps = 48; // colour quantisation: fewer distinct colours, longer runs
  for (let j = 0; j + 1 < gy.length; j++) {
    const yTop = my(gy[j + 1]!);
    const yBot = my(gy[j]!);
    let runStart = 0;
    let runColor = '';
    const flush = (end: number) => {
      if (runColor === '') return;
      const xa = mx(gx[runStart]!);
      const xb = mx(gx[end]!);
      out.push(`<rect x="${px(xa)}" y="${px(yTop)}" width="${px(xb - xa)}" height="${px(yBot - yTop)}" fill="${runColor}"/>`);
    };
    for (let i = 0; i + 1 < gx.length; i++) {
      const m = (z[j]![i]! + z[j]![i + 1]! + z[j + 1]![i]! + z[j + 1]![i + 1]!) / 4;
      const color = Number.isFinite(m)
        ? divergingColor(Math.round(((m - level) / vmax) * steps) / steps)
        : '#bbbbbb';
      if (color !== runColor) {
        flush(i);
        runStart = i;
        runColor = color;
      }
    }
    flush(gx.length - 1);
  }
  out.push('</g>');
  return out.join('');
}

/** A vertical colour bar from level - vmax (bottom, red) to level + vmax (top, blue). */
function colorbarSvg(x: number, y: number, h: number, level: number, vmax: number): string {
  const id = freshId('adjoint-cbar');
  // Offset 0 is the top of the bar: blue (high) there, red (low) at the bottom.
  const stops = RDBU.map((_, k) => `<stop offset="${px((k / (RDBU.length - 1)) * 100)}%" stop-color="${RDBU[RDBU.length - 1 - k]}"/>`).join('');
  const ticks = [level + vmax, level, level - vmax];
  const labels = ticks
    .map((v, k) => {
      const ty = y + (k * h) / 2;
      return `<path d="M${px(x + 14)} ${px(ty)}h4" stroke="#333333"/><text x="${px(x + 21)}" y="${px(ty + 4)}" font-size="11" fill="#333333">${esc(fmt(v))}</text>`;
    })
    .join('');
  return [
    `<g class="colorbar">`,
    `<defs><linearGradient id="${id}" x1="0" y1="0" x2="0" y2="1">${stops}</linearGradient></defs>`,
    `<rect x="${px(x)}" y="${px(y)}" width="14" height="${px(h)}" fill="url(#${id})" fill-opacity="0.8" stroke="#333333" stroke-width="0.8"/>`,
    labels,
    `<text x="${px(x + 7)}" y="${px(y - 8)}" text-anchor="middle" font-size="11" fill="#333333">predict</text>`,
    `</g>`,
  ].join('\n');
}
