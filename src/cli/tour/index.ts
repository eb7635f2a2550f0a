/**
 * The tour: the autograd chapter replayed in order, every result printed and
 * every figure written, and everything it computed returned as data so that
 * tests can check numbers instead of parsing text.
 */
import { resolve } from 'node:path';
import { Writer, type Sink } from '../writer.js';
import type { FigureRecord, TourContext } from './context.js';
import { exercises1to3, type ExercisesAResult } from './ex-28-1-3.js';
import { exercises4to6, type ExercisesBResult } from './ex-28-4-6.js';
import { engineTests, type EngineResult } from './engine.js';
import { computationalGraph, type GraphResult } from './graph.js';
import { forwardVsReverse, type ModesResult } from './modes.js';
import { toPyTorch, type PyTorchResult } from './pytorch.js';
import { threeWays, type ThreeWaysResult } from './three-ways.js';
import { verifyGradients, type VerifyResult } from './verify.js';
import { trainingXor, type XorResult } from './xor.js';

export type { FigureRecord } from './context.js';

/** Options of {@link runTour}. */
export interface TourOptions {
  /** Output folder for the figures, resolved against the cwd. Default `'out'`. */
  outDir?: string;
  /** Print only where the figures went (one line). Default false. */
  quiet?: boolean;
  /** Where text goes. Default `process.stdout`. */
  write?: Sink;
  /** Draw a progress bar while training, if stderr is a TTY. Default true unless quiet. */
  progress?: boolean;
}

/** Everything the tour computed, section by section. */
export interface TourResult {
  /** Absolute output folder. */
  outDir: string;
  threeWays: ThreeWaysResult;
  graph: GraphResult;
  modes: ModesResult;
  engine: EngineResult;
  xor: XorResult;
  verify: VerifyResult;
  pytorch: PyTorchResult;
  exercises: ExercisesAResult & ExercisesBResult;
  /** Every file written, in order. */
  figures: FigureRecord[];
  /** Wall time of the tour, in seconds. */
  seconds: number;
}

/**
 * Replays the chapter: 28.1 … 28.6, then Exercises 28.1 … 28.6, then the list of
 * figures. Returns all the numbers it printed.
 *
 * @example
 * const r = await runTour({ outDir: '/tmp/tour', quiet: true });
 * r.modes.gradient;              // [sin 2 + 5 cos 2, sin 2]
 * r.figures.map((f) => f.file);  // ['error-vs-h.svg', 'graph.svg', ...]
 */
export async function runTour(options: TourOptions = {}): Promise<TourResult> {
  const start = performance.now();
  const quiet = options.quiet ?? false;
  const write = options.write ?? ((s: string) => void process.stdout.write(s));
  const out = new Writer(write, quiet);
  const ctx: TourContext = {
    out,
    outDir: resolve(options.outDir ?? 'out'),
    figures: [],
    progress: options.progress ?? !quiet,
  };

  out.line('adjoint tour: Chapter 28, Autograd — Automatic Differentiation, replayed in TypeScript');
  out.line(`Figures go to ${ctx.outDir}`);

  const three = await threeWays(ctx);
  const graph = await computationalGraph(ctx);
  const modes = await forwardVsReverse(ctx, graph);
  const engine = engineTests(ctx);
  const xor = await trainingXor(ctx);
  const verify = verifyGradients(ctx);
  const pytorch = toPyTorch(ctx);
  const exA = await exercises1to3(ctx);
  const exB = await exercises4to6(ctx, xor.run);

  const seconds = (performance.now() - start) / 1000;
  out.heading('Figures');
  const width = Math.max(...ctx.figures.map((f) => f.path.length));
  for (const f of ctx.figures) out.line(`  ${f.path.padEnd(width)}  ${f.what}`);
  out.line();
  out.line(`Tour finished in ${seconds.toFixed(1)} s.`);
  if (quiet) out.always(`adjoint tour: ${ctx.figures.length} figures written to ${ctx.outDir}`);

  return {
    outDir: ctx.outDir,
    threeWays: three,
    graph,
    modes,
    engine,
    xor,
    verify,
    pytorch,
    exercises: { ...exA, ...exB },
    figures: ctx.figures,
    seconds,
  };
}
