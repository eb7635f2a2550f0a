/**
 * What every section of the tour shares: the writer, the output folder, the list
 * of figures written so far, and whether to draw a progress bar.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { renderSvg, toDot, writeSvg, type DotOptions, type GraphNode } from '../../viz/index.js';
import type { Writer } from '../writer.js';

/** One file the tour wrote. */
export interface FigureRecord {
  /** The file name inside the output folder, e.g. `'graph.svg'`. */
  file: string;
  /** Its absolute path. */
  path: string;
  /** What it shows, one line. */
  what: string;
}

/** The state a section receives. */
export interface TourContext {
  /** Prints (silent when quiet). */
  out: Writer;
  /** Absolute output folder. */
  outDir: string;
  /** Figures written so far, in order. */
  figures: FigureRecord[];
  /** Draw a progress bar while training (only ever on a TTY). */
  progress: boolean;
}

/**
 * Writes `svg` to `ctx.outDir/file`, records it and prints where it went.
 *
 * @example
 * await saveFigure(ctx, 'xor-loss.svg', linePlot({ series }), 'XOR training loss (log y)');
 */
export async function saveFigure(ctx: TourContext, file: string, svg: string, what: string): Promise<FigureRecord> {
  const path = join(ctx.outDir, file);
  await writeSvg(path, svg);
  const record = { file, path, what };
  ctx.figures.push(record);
  ctx.out.line(`  → figure: ${path}`);
  return record;
}

/**
 * Draws the computational graph under `root` with Graphviz and saves it like
 * {@link saveFigure}. When Graphviz (the optional `@viz-js/viz`) cannot load, it
 * writes the DOT source next to where the SVG would go and says so, so the rest
 * of the tour still runs.
 *
 * @example
 * await saveGraph(ctx, 'graph.svg', f, { title: 'f(x, y)' }, 'the graph of f');
 */
export async function saveGraph(
  ctx: TourContext,
  file: string,
  root: GraphNode,
  options: DotOptions,
  what: string,
): Promise<FigureRecord> {
  const dot = toDot(root, options);
  let svg: string;
  try {
    svg = await renderSvg(dot);
  } catch (e) {
    const dotFile = file.replace(/\.svg$/, '') + '.dot';
    const path = join(ctx.outDir, dotFile);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, dot, 'utf8');
    const record = { file: dotFile, path, what: `${what} (DOT source: Graphviz unavailable)` };
    ctx.figures.push(record);
    ctx.out.line(`  ! ${e instanceof Error ? e.message.split('. ')[0] : String(e)}`);
    ctx.out.line(`  → DOT source instead: ${path}`);
    return record;
  }
  return saveFigure(ctx, file, svg, what);
}
