import { expect } from 'vitest';
import type { GraphNode } from '../../src/viz/index.js';

/** A fake graph node with the shape `Value` exposes (no engine behind it). */
export class FakeNode implements GraphNode {
  constructor(
    public data: number,
    public grad = 0,
    public op = '',
    public children: FakeNode[] = [],
    public label = '',
  ) {}
}

/** Checks that tags balance and that text holds no raw `<` or stray `&`. */
export function expectWellFormed(xml: string): void {
  const stack: string[] = [];
  const re = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>|<(\/?)([A-Za-z][\w:.-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g;
  let last = 0;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    const text = xml.slice(last, m.index);
    expect(text, `raw '<' in text near ${m.index}`).not.toMatch(/</);
    expect(text, `stray '&' near ${m.index}`).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/);
    last = m.index + m[0].length;
    const [, close, name, attrs, selfClose] = m;
    if (!name) continue;
    expect(attrs ?? '', `attributes of <${name}>`).not.toMatch(/="[^"]*</);
    if (close) expect(stack.pop(), `closing </${name}>`).toBe(name);
    else if (!selfClose) stack.push(name);
  }
  expect(xml.slice(last).trim()).toBe('');
  expect(stack).toEqual([]);
}

/** The text content of every element with the given class. */
export function textsOfClass(svg: string, cls: string): string[] {
  const re = new RegExp(`<text class="${cls}"[^>]*>([\\s\\S]*?)</text>`, 'g');
  return [...svg.matchAll(re)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));
}

/** All numbers of a path's `d` attribute as [x, y] pairs. */
export function pathPoints(d: string): [number, number][] {
  const nums = d.match(/-?\d+(?:\.\d+)?/g)!.map(Number);
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < nums.length; i += 2) out.push([nums[i]!, nums[i + 1]!]);
  return out;
}
