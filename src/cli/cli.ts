/**
 * The `adjoint` command line: a table of commands, argument parsing with
 * `node:util`'s `parseArgs`, and usage messages. Adding a command is adding one
 * entry to {@link COMMANDS}. Exit codes: 0 success, 1 failure, 2 bad usage.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { runTour } from './tour/index.js';
import { trainCommand } from './train/index.js';
import { UsageError } from './usage.js';
import type { Sink } from './writer.js';

/** Where the CLI writes: standard output and standard error. */
export interface CliIO {
  stdout: Sink;
  stderr: Sink;
}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
/** Flag values as `parseArgs` returns them. */
export type ParsedValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** One command of the table. */
export interface Command {
  /** One line for the command list. */
  summary: string;
  /** The synopsis after `adjoint`, e.g. `'tour [--out DIR] [--quiet]'`. */
  synopsis: string;
  /** Its flags, in `parseArgs` form, each with a description. */
  options: Record<string, OptionsConfig[string] & { description: string; valueName?: string }>;
  /** Whether it takes positional arguments (at most this many). */
  maxPositionals?: number;
  /** Runs it; resolves to the exit code. */
  run(values: ParsedValues, positionals: string[], io: CliIO): Promise<number>;
}

export { UsageError };

/**
 * The commands, in the order `adjoint help` lists them. `graph`, `gradcheck`
 * and `bench` will join `tour` and `train` here.
 *
 * @example
 * Object.keys(COMMANDS); // ['tour', 'train', 'help']
 */
export const COMMANDS: Record<string, Command> = {
  tour: {
    summary: 'replay the autograd chapter: print every result, write every figure',
    synopsis: 'tour [--out DIR] [--quiet]',
    options: {
      out: { type: 'string', short: 'o', valueName: 'DIR', description: 'where the SVG figures go (default: out/, relative to the cwd)' },
      quiet: { type: 'boolean', short: 'q', description: 'print only where the figures went' },
    },
    async run(values, _positionals, io) {
      const out = values['out'];
      if (out === '') throw new UsageError('--out needs a directory', 'tour');
      const quiet = values['quiet'] === true;
      const result = await runTour({ outDir: typeof out === 'string' ? out : 'out', quiet, write: io.stdout });
      const problems = tourProblems(result);
      for (const p of problems) io.stderr(`adjoint tour: check failed: ${p}\n`);
      return problems.length === 0 ? 0 : 1;
    },
  },
  train: trainCommand,
  help: {
    summary: 'show this help, or the help of one command',
    synopsis: 'help [COMMAND]',
    options: {},
    maxPositionals: 1,
    async run(_values, positionals, io) {
      const name = positionals[0];
      if (name === undefined) {
        io.stdout(usage());
        return 0;
      }
      if (!Object.hasOwn(COMMANDS, name)) throw new UsageError(`unknown command '${name}'`);
      io.stdout(commandHelp(name));
      return 0;
    },
  },
};

/**
 * The self-checks of a tour that did not hold (empty when all is well).
 *
 * @example
 * tourProblems(await runTour({ quiet: true })); // []
 */
export function tourProblems(r: Awaited<ReturnType<typeof runTour>>): string[] {
  const problems: string[] = [];
  if (!r.engine.passed) problems.push('28.4 Tests 1-4');
  if (!r.xor.signsCorrect) problems.push('28.5 XOR prediction signs');
  if (!r.verify.report.passed) problems.push('28.5 gradient verification');
  if (!r.exercises.sigmoid.report.passed) problems.push('Exercise 28.1 sigmoid gradient check');
  return problems;
}

/**
 * The general usage text: synopsis and the command list.
 *
 * @example
 * process.stdout.write(usage());
 */
export function usage(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  return [
    'Usage: adjoint <command> [options]',
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n]!.summary}`),
    '',
    "Run 'adjoint help <command>' for a command's options.",
    '',
  ].join('\n');
}

/**
 * The help of one command: its synopsis and flags.
 *
 * @example
 * commandHelp('tour'); // 'Usage: adjoint tour [--out DIR] [--quiet]\n...'
 */
export function commandHelp(name: string): string {
  const cmd = COMMANDS[name]!;
  const flags = Object.entries(cmd.options).map(([long, o]) => {
    const spec = `${o.short ? `-${o.short}, ` : ''}--${long}${o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : ''}`;
    return [spec, o.description] as const;
  });
  flags.push(['-h, --help', 'show this help']);
  const width = Math.max(...flags.map(([s]) => s.length));
  return [
    `Usage: adjoint ${cmd.synopsis}`,
    '',
    cmd.summary.charAt(0).toUpperCase() + cmd.summary.slice(1) + '.',
    '',
    'Options:',
    ...flags.map(([s, d]) => `  ${s.padEnd(width)}  ${d}`),
    '',
  ].join('\n');
}

/** Rewrites `parseArgs`' messages in the CLI's words. */
function parseError(e: unknown, command: string): UsageError {
  const code = (e as { code?: string }).code ?? '';
  const message = e instanceof Error ? e.message : String(e);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError(`unknown option '${quoted}'`, command);
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new UsageError(`unexpected argument '${quoted}'`, command);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /--[\w-]+/.exec(quoted)?.[0] ?? quoted;
    if (/missing/.test(message)) return new UsageError(`${flag} needs a value`, command);
    if (/does not take/.test(message)) return new UsageError(`${flag} does not take a value`, command);
    if (/ambiguous/.test(message)) return new UsageError(`${flag} needs a value; for one starting with '-' write ${flag}=-VALUE`, command);
  }
  return new UsageError(message.split('. ')[0]!, command);
}

/**
 * Runs `adjoint` with the given arguments (without `node` and the script) and
 * resolves to the exit code: 0 success, 1 a command failed, 2 bad usage (the
 * usage message goes to stderr).
 *
 * @example
 * process.exitCode = await runCli(['tour', '--quiet', '--out', '/tmp/figs']);
 */
export async function runCli(argv: readonly string[], io: CliIO = defaultIO()): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined) throw new UsageError('no command given');
    if (name === '--help' || name === '-h') {
      io.stdout(usage());
      return 0;
    }
    if (!Object.hasOwn(COMMANDS, name)) {
      throw new UsageError(name.startsWith('-') ? `unknown option '${name}' (options go after the command)` : `unknown command '${name}'`);
    }
    const cmd = COMMANDS[name]!;
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(commandHelp(name));
      return 0;
    }
    const options: OptionsConfig = {};
    for (const [long, o] of Object.entries(cmd.options)) {
      options[long] = o.short ? { type: o.type, short: o.short } : { type: o.type };
    }
    let parsed: { values: ParsedValues; positionals: string[] };
    try {
      parsed = parseArgs({ args: [...rest], options, strict: true, allowPositionals: (cmd.maxPositionals ?? 0) > 0 });
    } catch (e) {
      throw parseError(e, name);
    }
    if (parsed.positionals.length > (cmd.maxPositionals ?? 0)) {
      throw new UsageError(`unexpected argument '${parsed.positionals[cmd.maxPositionals ?? 0]}'`, name);
    }
    return await cmd.run(parsed.values, parsed.positionals, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`adjoint: ${e.message}\n\n${e.command ? commandHelp(e.command) : usage()}`);
      return 2;
    }
    io.stderr(`adjoint${name ? ` ${name}` : ''}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

function defaultIO(): CliIO {
  return {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
  };
}
