/**
 * Small SVG toolkit shared by the plots: escaping, number formatting, axis scales
 * with ticks (linear and log), markers, legends and the axes frame. Everything
 * returns strings; there is no DOM and no dependency.
 */

/** The chapter's palette. */
export const COLORS = {
  blue: '#2E86C1',
  red: '#E74C3C',
  green: '#27AE60',
  orange: '#F39C12',
  purple: '#8E44AD',
  teal: '#17A589',
  gray: '#7F8C8D',
  ink: '#2C3E50',
} as const;

/** Colours given to series in order when they have none. */
export const COLOR_CYCLE: readonly string[] = [
  COLORS.blue,
  COLORS.red,
  COLORS.green,
  COLORS.orange,
  COLORS.purple,
  COLORS.teal,
  COLORS.ink,
];

export const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/** Marker shapes; `'o' 's' '^' 'D'` are matplotlib's aliases. */
export type Marker = 'circle' | 'square' | 'triangle' | 'diamond' | 'none' | 'o' | 's' | '^' | 'D';

/** Escapes text for SVG/XML content and attribute values. */
export function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A pixel coordinate with at most two decimals. */
export function px(v: number): string {
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

/** A number as a label, with a real minus sign. */
export function minus(s: string): string {
  return s.replace(/^-/, '\u2212').replace(/e-/, 'e\u2212');
}

/** Rough width of `text` in pixels at `size` (average glyph ~0.58 em). */
export function textWidth(text: string, size: number): number {
  return text.length * size * 0.58;
}

/** One tick: its position (in the scale's space: log10 of the value on log axes). */
export interface Tick {
  pos: number;
  /** Plain text, used for sizing. */
  text: string;
  /** SVG inner content of the label (may hold a superscript `tspan`). */
  svg: string;
}

/** An axis scale: domain `[lo, hi]` in scale space, ticks and minor ticks. */
export interface Scale {
  log: boolean;
  lo: number;
  hi: number;
  ticks: Tick[];
  minor: number[];
}

/** Maps a data value to scale space (log10 on log axes); null if not drawable. */
export function toScale(scale: { log: boolean }, v: number): number | null {
  if (!Number.isFinite(v)) return null;
  if (scale.log) return v > 0 ? Math.log10(v) : null;
  return v;
}

/** A step of 1, 2 or 5 times a power of ten giving about `target` intervals. */
export function niceStep(span: number, target: number): number {
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const r = raw / mag;
  return (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
}

/** Formats linear tick values so that labels differ and stay short. */
export function formatTick(v: number, step: number, maxAbs: number): string {
  if (v === 0) return '0';
  if (maxAbs >= 1e6 || maxAbs < 1e-3) {
    const digits = Math.max(0, Math.min(6, Math.round(Math.log10(maxAbs) - Math.log10(step))));
    return minus(v.toExponential(digits).replace(/\.?0+e/, 'e').replace('e+', 'e'));
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return minus(v.toFixed(Math.min(decimals, 10)));
}

/**
 * A linear scale over `[min, max]`. With `pad` the domain grows by 5% on each side
 * (matplotlib's margins); without it the domain is exactly `[min, max]`.
 */
export function linearScale(min: number, max: number, pad: boolean, target = 6): Scale {
  let lo = min;
  let hi = max;
  if (!(hi > lo)) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= d;
    hi += d;
  } else if (pad) {
    const m = (hi - lo) * 0.05;
    lo -= m;
    hi += m;
  }
  const step = niceStep(hi - lo, target);
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const values: number[] = [];
  for (let k = first; k <= last; k++) values.push(Number((k * step).toPrecision(12)));
  const maxAbs = Math.max(...values.map(Math.abs), 0);
  const ticks = values.map((v) => {
    const text = formatTick(v, step, maxAbs);
    return { pos: v, text, svg: esc(text) };
  });
  return { log: false, lo, hi, ticks, minor: [] };
}

/** A decade label, 10 with a superscript exponent. */
export function decadeLabel(k: number): Tick {
  const e = minus(String(k));
  return { pos: k, text: `10${e}`, svg: `10<tspan dy="-0.5em" font-size="0.72em">${esc(e)}</tspan>` };
}

/**
 * A log10 scale over positive `[min, max]`: major ticks at decades 10^k (every
 * few decades when there are many), minor ticks at 2..9 x 10^k.
 */
export function logScale(min: number, max: number, pad: boolean): Scale {
  let lo = Math.log10(min);
  let hi = Math.log10(max);
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  } else if (pad) {
    const m = Math.max(hi - lo, 1) * 0.05;
    lo -= m;
    hi += m;
  }
  let first = Math.ceil(lo - 1e-9);
  let last = Math.floor(hi + 1e-9);
  if (last - first < 1) {
    lo = Math.floor(lo);
    hi = Math.ceil(hi);
    first = lo;
    last = hi;
  }
  const count = last - first + 1;
  const stride = count > 9 ? Math.ceil(count / 8) : 1;
  const ticks: Tick[] = [];
  const minor: number[] = [];
  for (let k = first; k <= last; k++) {
    if (k % stride === 0) ticks.push(decadeLabel(k));
    else minor.push(k);
  }
  if (stride === 1) {
    for (let k = Math.floor(lo); k <= Math.ceil(hi); k++) {
      for (let m = 2; m <= 9; m++) {
        const p = k + Math.log10(m);
        if (p > lo && p < hi) minor.push(p);
      }
    }
  }
  return { log: true, lo, hi, ticks, minor };
}

/** A scale fitted to the values (non-finite values, and non-positive ones on log axes, skipped). */
export function fitScale(values: Iterable<number>, log: boolean, pad = true): Scale {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (log && v <= 0)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) return log ? logScale(1, 10, false) : linearScale(0, 1, false);
  return log ? logScale(min, max, pad) : linearScale(min, max, pad);
}

/** A rectangle in pixels. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Pixel mapping for scale space on one axis (`flip` for y, which grows downward). */
export function mapper(scale: Scale, from: number, size: number, flip: boolean): (s: number) => number {
  const k = size / (scale.hi - scale.lo);
  return flip ? (s) => from + size - (s - scale.lo) * k : (s) => from + (s - scale.lo) * k;
}

/** The SVG of a marker centred at (cx, cy); `r` is about half its width. */
export function markerSvg(kind: Marker, cx: number, cy: number, r: number, fill: string, stroke = fill, sw = 1): string {
  const style = `fill="${fill}" stroke="${stroke}" stroke-width="${sw}"`;
  switch (kind) {
    case 'circle':
    case 'o':
      return `<circle cx="${px(cx)}" cy="${px(cy)}" r="${px(r)}" ${style}/>`;
    case 'square':
    case 's':
      return `<rect x="${px(cx - r)}" y="${px(cy - r)}" width="${px(2 * r)}" height="${px(2 * r)}" ${style}/>`;
    case 'triangle':
    case '^': {
      const pts = [
        [cx, cy - r * 1.15],
        [cx + r, cy + r * 0.75],
        [cx - r, cy + r * 0.75],
      ];
      return `<polygon points="${pts.map(([a, b]) => `${px(a!)},${px(b!)}`).join(' ')}" ${style}/>`;
    }
    case 'diamond':
    case 'D': {
      const d = r * 1.25;
      return `<polygon points="${px(cx)},${px(cy - d)} ${px(cx + d)},${px(cy)} ${px(cx)},${px(cy + d)} ${px(cx - d)},${px(cy)}" ${style}/>`;
    }
    default:
      return '';
  }
}

/** A legend entry: a line swatch, a marker, or both. */
export interface LegendEntry {
  label: string;
  color: string;
  line?: boolean;
  dashed?: boolean;
  lineWidth?: number;
  marker?: Marker;
  markerStroke?: string;
}

const LEGEND_FONT = 12;
const LEGEND_ROW = 20;

/** Width and height of a legend box for these entries. */
export function legendSize(entries: readonly LegendEntry[]): { w: number; h: number } {
  const w = 12 + 30 + 8 + Math.max(...entries.map((e) => textWidth(e.label, LEGEND_FONT))) + 12;
  return { w, h: 10 + entries.length * LEGEND_ROW };
}

/** A legend box with its top-left corner at (x, y). */
export function legendSvg(entries: readonly LegendEntry[], x: number, y: number): string {
  const { w, h } = legendSize(entries);
  const out = [
    `<g class="legend" font-size="${LEGEND_FONT}">`,
    `<rect x="${px(x)}" y="${px(y)}" width="${px(w)}" height="${px(h)}" rx="4" fill="#ffffff" fill-opacity="0.88" stroke="#cccccc"/>`,
  ];
  entries.forEach((e, i) => {
    const cy = y + 5 + LEGEND_ROW * i + LEGEND_ROW / 2;
    const x0 = x + 12;
    if (e.line !== false) {
      const dash = e.dashed ? ' stroke-dasharray="6 4"' : '';
      out.push(
        `<line x1="${px(x0)}" y1="${px(cy)}" x2="${px(x0 + 30)}" y2="${px(cy)}" stroke="${e.color}" stroke-width="${e.lineWidth ?? 2}"${dash}/>`,
      );
    }
    if (e.marker && e.marker !== 'none') out.push(markerSvg(e.marker, x0 + 15, cy, 4.5, e.color, e.markerStroke ?? e.color));
    out.push(`<text x="${px(x0 + 38)}" y="${px(cy + 4)}" fill="#222222">${esc(e.label)}</text>`);
  });
  out.push('</g>');
  return out.join('\n');
}

/** Options of {@link axesSvg}. */
export interface AxesText {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  grid?: boolean;
}

/**
 * The grid (drawn under the data) and the frame, ticks, tick labels, axis labels
 * and title (drawn over it), as two strings.
 */
export function axesSvg(xs: Scale, ys: Scale, r: Rect, text: AxesText): { under: string; over: string } {
  const mx = mapper(xs, r.x, r.w, false);
  const my = mapper(ys, r.y, r.h, true);
  const under: string[] = [`<rect x="${px(r.x)}" y="${px(r.y)}" width="${px(r.w)}" height="${px(r.h)}" fill="#ffffff"/>`];
  const over: string[] = [];
  const inside = (s: Scale, p: number) => p >= s.lo - 1e-9 && p <= s.hi + 1e-9;
  if (text.grid !== false) {
    const g: string[] = [];
    for (const p of xs.minor) if (inside(xs, p)) g.push(`M${px(mx(p))} ${px(r.y)}V${px(r.y + r.h)}`);
    for (const p of ys.minor) if (inside(ys, p)) g.push(`M${px(r.x)} ${px(my(p))}H${px(r.x + r.w)}`);
    if (g.length) under.push(`<path class="grid-minor" d="${g.join('')}" stroke="#f0f0f0" stroke-width="1"/>`);
    const G: string[] = [];
    for (const t of xs.ticks) if (inside(xs, t.pos)) G.push(`M${px(mx(t.pos))} ${px(r.y)}V${px(r.y + r.h)}`);
    for (const t of ys.ticks) if (inside(ys, t.pos)) G.push(`M${px(r.x)} ${px(my(t.pos))}H${px(r.x + r.w)}`);
    if (G.length) under.push(`<path class="grid" d="${G.join('')}" stroke="#dddddd" stroke-width="1"/>`);
  }
  over.push(`<rect x="${px(r.x)}" y="${px(r.y)}" width="${px(r.w)}" height="${px(r.h)}" fill="none" stroke="#333333" stroke-width="1"/>`);
  const tk: string[] = [];
  for (const t of xs.ticks) if (inside(xs, t.pos)) tk.push(`M${px(mx(t.pos))} ${px(r.y + r.h)}v5`);
  for (const t of ys.ticks) if (inside(ys, t.pos)) tk.push(`M${px(r.x)} ${px(my(t.pos))}h-5`);
  const tm: string[] = [];
  for (const p of xs.minor) if (inside(xs, p)) tm.push(`M${px(mx(p))} ${px(r.y + r.h)}v3`);
  for (const p of ys.minor) if (inside(ys, p)) tm.push(`M${px(r.x)} ${px(my(p))}h-3`);
  over.push(`<path class="ticks" d="${tk.join('')}${tm.join('')}" stroke="#333333" stroke-width="1"/>`);
  over.push(`<g class="tick-labels" font-size="11" fill="#333333">`);
  for (const t of xs.ticks) {
    if (inside(xs, t.pos)) over.push(`<text class="xtick" x="${px(mx(t.pos))}" y="${px(r.y + r.h + 19)}" text-anchor="middle">${t.svg}</text>`);
  }
  for (const t of ys.ticks) {
    if (inside(ys, t.pos)) over.push(`<text class="ytick" x="${px(r.x - 8)}" y="${px(my(t.pos) + 4)}" text-anchor="end">${t.svg}</text>`);
  }
  over.push('</g>');
  if (text.xLabel) {
    over.push(`<text class="xlabel" x="${px(r.x + r.w / 2)}" y="${px(r.y + r.h + 42)}" text-anchor="middle" font-size="13" fill="#222222">${esc(text.xLabel)}</text>`);
  }
  if (text.yLabel) {
    const tw = Math.max(0, ...ys.ticks.map((t) => textWidth(t.text, 11)));
    const x = r.x - 8 - tw - 14;
    const y = r.y + r.h / 2;
    over.push(`<text class="ylabel" x="${px(x)}" y="${px(y)}" transform="rotate(-90 ${px(x)} ${px(y)})" text-anchor="middle" font-size="13" fill="#222222">${esc(text.yLabel)}</text>`);
  }
  if (text.title) {
    over.push(`<text class="title" x="${px(r.x + r.w / 2)}" y="${px(r.y - 16)}" text-anchor="middle" font-size="15" font-weight="bold" fill="#222222">${esc(text.title)}</text>`);
  }
  return { under: under.join('\n'), over: over.join('\n') };
}

/** Left margin that fits the y tick labels and the y label. */
export function leftMargin(ys: Scale, yLabel?: string): number {
  const tw = Math.max(0, ...ys.ticks.map((t) => textWidth(t.text, 11)));
  return 12 + (yLabel ? 22 : 0) + tw + 10;
}

/** Wraps a body in an `<svg>` element with a white background. */
export function svgDocument(width: number, height: number, body: string, title?: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" font-family="${FONT}">`,
    title ? `<title>${esc(title)}</title>` : '',
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    body,
    '</svg>',
  ]
    .filter((s) => s !== '')
    .join('\n') + '\n';
}

let clipCounter = 0;
/** A fresh id for a clip path, so several plots can share one HTML page. */
export function freshId(prefix: string): string {
  clipCounter += 1;
  return `${prefix}-${clipCounter}`;
}
