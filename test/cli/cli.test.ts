import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS, commandHelp, usage } from '../../src/cli/cli.js';
import { MAIN, cli, spawnCli } from './helpers.js';


const temps: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'adjoint-cli-'));
  temps.push(d);
  return d;
}
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});



describe('adjoint: dispatch and usage', () => {
  it('has a command table with tour and help', () => {
    expect(Object.keys(COMMANDS)).toEqual(expect.arrayContaining(['tour', 'help']));
    expect(usage()).toContain('Usage: adjoint <command> [options]');
    for (const name of Object.keys(COMMANDS)) expect(usage()).toContain(name);
    expect(commandHelp('tour')).toContain('--out DIR');
    expect(commandHelp('tour')).toContain('--quiet');
  });

  it('help prints the usage on stdout, exit 0', async () => {
    for (const argv of [['help'], ['--help'], ['-h']]) {
      const r = await cli(...argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(usage());
      expect(r.stderr).toBe('');
    }
    const tour = await cli('help', 'tour');
    expect(tour.code).toBe(0);
    expect(tour.stdout).toBe(commandHelp('tour'));
    expect((await cli('tour', '--help')).stdout).toBe(commandHelp('tour'));
  });

  it.each([
    [[], 'no command given'],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['--verbose'], "unknown option '--verbose' (options go after the command)"],
    [['tour', '--bogus'], "unknown option '--bogus'"],
    [['tour', '--out'], '--out needs a value'],
    [['tour', '--out', ''], '--out needs a directory'],
    [['tour', '--quiet=yes'], '--quiet does not take a value'],
    [['tour', 'extra'], "unexpected argument 'extra'"],
    [['help', 'nope'], "unknown command 'nope'"],
    [['help', 'tour', 'more'], "unexpected argument 'more'"],
  ])('bad usage %j: message and usage on stderr, exit 2', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe(`adjoint: ${message}`);
    expect(r.stderr).toMatch(/Usage: adjoint /);
  });
});

describe('adjoint as a process', () => {
  it('tour --quiet --out DIR exits 0, prints one line and writes the figures', () => {
    const out = join(tempDir(), 'figs');
    const r = spawnCli(['tour', '--quiet', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual([`adjoint tour: 7 figures written to ${out}`]);
    const files = readdirSync(out).sort();
    expect(files).toEqual([
      'error-vs-h.svg', 'exercise-28-3-graph.svg', 'forward-vs-reverse.svg', 'graph.svg',
      'xor-boundary.svg', 'xor-depth-loss.svg', 'xor-loss.svg',
    ]);
    expect(readFileSync(join(out, 'graph.svg'), 'utf8')).toContain('data 4.5465');
  });

  it('tour without --out writes to out/ under the working directory', () => {
    const cwd = tempDir();
    const r = spawnCli(['tour', '-q'], cwd);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(join(cwd, 'out'));
    expect(existsSync(join(cwd, 'out', 'xor-loss.svg'))).toBe(true);
  });

  it('bad usage exits 2 with the usage on stderr', () => {
    const r = spawnCli(['tour', '--nope']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("adjoint: unknown option '--nope'");
    expect(r.stderr).toContain('Usage: adjoint tour [--out DIR] [--quiet]');
    const u = spawnCli(['wat']);
    expect(u.status).toBe(2);
    expect(u.stderr).toContain('Usage: adjoint <command> [options]');
  });

  it('main.ts starts with a shebang (it is the bin once compiled)', () => {
    expect(readFileSync(MAIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});
