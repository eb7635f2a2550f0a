// The published shape of the package: `npm run build` emits dist/ with declarations, every
// `exports` entry resolves by name, and the `adjoint` bin runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>;
  bin: Record<string, string>;
};
// Wildcard entries (`./browser/*`) point into the browser bundle, built and tested in test/backend/browser.test.ts.
const entries = Object.entries(pkg.exports).filter(([k]) => k !== './package.json' && !k.includes('*'));

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'pipe',
  });
}, 120_000);

describe('built package', () => {
  it.each(entries)('exports %s resolves by name with its declarations', (key, target) => {
    const t = target as { types: string; default: string };
    expect(existsSync(join(root, t.default))).toBe(true);
    expect(existsSync(join(root, t.types))).toBe(true);
    const name = key === '.' ? 'adjoint' : `adjoint/${key.slice(2)}`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import('${name}'); console.log(Object.keys(m).length);`], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(Number(out.trim())).toBeGreaterThan(0);
  });

  it('./browser/* maps into the browser bundle that `npm run build` produces', () => {
    expect(pkg.exports['./browser/*']).toBe('./dist/browser/*');
    const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.build).toMatch(/npm run build:browser/);
  });

  it('the adjoint bin prints its usage and exits 0', () => {
    const r = spawnSync(process.execPath, [join(root, pkg.bin.adjoint!), 'help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: adjoint <command>/);
  });

  it('the compiled bin starts with a shebang', () => {
    expect(readFileSync(join(root, pkg.bin.adjoint!), 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  });
});
