// Shared by the CLI tests: run the `adjoint` command in-process or as a child process.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runCli, type CliIO } from '../../src/cli/cli.js';

/** The CLI's entry file. */
export const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Runs the CLI in-process, capturing its output. */
export async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** Runs `node --import tsx src/cli/main.ts ...argv` as a child process. */
export function spawnCli(argv: string[], cwd?: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--import', TSX, MAIN, ...argv], { cwd, encoding: 'utf8', timeout: 60_000 });
}
