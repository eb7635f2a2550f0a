// The folder layering of docs/LAYOUT.md, enforced: each folder under src/ imports only the
// folders it is allowed to, so there are no cycles between layers.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** Folder → folders it may import (every folder may import `src/errors.ts`). */
const ALLOWED: Record<string, readonly string[]> = {
  backend: [],
  tensor: ['backend'],
  autograd: ['tensor', 'backend'],
  ops: ['tensor', 'autograd', 'backend'],
  check: ['tensor', 'autograd', 'ops', 'backend'],
  nn: ['ops', 'autograd', 'tensor', 'backend'],
  optim: ['ops', 'autograd', 'tensor', 'backend'],
  data: ['ops', 'autograd', 'tensor', 'backend'],
  io: ['ops', 'tensor', 'backend'],
  compile: ['ops', 'autograd', 'tensor', 'backend'],
  viz: [],
  scalar: ['check', 'viz'],
  cli: ['*'],
  web: ['*'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return files(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

function folderOf(path: string): string {
  const rel = relative(src, path);
  return rel.includes('/') ? rel.split('/')[0]! : '.';
}

const edges: { from: string; to: string; file: string }[] = [];
for (const file of files(src)) {
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
    const spec = (m[1] ?? m[2])!;
    const target = resolve(dirname(file), spec);
    const from = folderOf(file);
    const to = folderOf(target);
    if (from !== to) edges.push({ from, to, file: relative(src, file) });
  }
}

describe('layering', () => {
  it('finds imports to check', () => {
    expect(edges.length).toBeGreaterThan(10);
  });

  it('every cross-folder import is allowed by the layer table', () => {
    const bad = edges.filter(({ from, to }) => {
      if (from === '.' || to === '.') return false; // src/index.ts and src/errors.ts
      const allowed = ALLOWED[from];
      if (allowed === undefined) return true; // a new folder must be added to the table
      return !allowed.includes('*') && !allowed.includes(to);
    });
    expect(bad.map((e) => `${e.file} imports ${e.to}/`)).toEqual([]);
  });

  it('only src/index.ts and src/errors.ts live at the top of src/', () => {
    const top = readdirSync(src).filter((n) => n.endsWith('.ts'));
    expect(top.sort()).toEqual(['errors.ts', 'index.ts']);
  });
});
