/** Small DOM helpers shared by the labs. */

/** The element with this id, typed; throws if the page lacks it. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`playground: no element #${id}`);
  return el as T;
}

/** Creates an element with attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  el.append(...children);
  return el;
}

/**
 * A number for tables and nodes: four decimals like the chapter, scientific
 * notation when that would hide it.
 */
export function fmt(x: number, digits = 4): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 10 ** -digits)) return x.toExponential(Math.max(1, digits - 1));
  const s = x.toFixed(digits);
  return s === (-0).toFixed(digits) || /^-0\.0+$/.test(s) ? (0).toFixed(digits) : s;
}

/** A small number as 1.2e-7, for errors on log scales. */
export function sci(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return String(x);
  return x.toExponential(2);
}

/** Shows an error message with a caret under the offending part of `text`. */
export function showCaretError(box: HTMLElement, text: string, message: string, position: number | null, end?: number): void {
  const pre = box.querySelector('pre')!;
  const p = box.querySelector('.message')!;
  if (position === null) {
    pre.textContent = '';
    pre.hidden = true;
  } else {
    const width = Math.max(1, (end ?? position + 1) - position);
    pre.hidden = false;
    pre.textContent = `${text}\n${' '.repeat(position)}${'^'.repeat(Math.min(width, Math.max(1, text.length - position)))}`;
  }
  p.textContent = message;
  box.hidden = false;
}

/** Hides an error box. */
export function hideError(box: HTMLElement): void {
  box.hidden = true;
}
