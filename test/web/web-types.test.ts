// The page's own TypeScript (web/src: DOM, the worker, the labs) is not in the root
// tsconfig, so `npm run typecheck` does not see it: check it here with web/tsconfig.json.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from './browser.js';

it('web/ type-checks under TypeScript strict with the DOM lib', () => {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  let out = '';
  try {
    execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'web', 'tsconfig.json')], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? e);
  }
  expect(out).toBe('');
}, 60_000);
