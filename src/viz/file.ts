/**
 * Writing SVG files (Node only; `node:fs` is imported lazily so that the rest of
 * `adjoint/viz` also loads in browsers).
 */

/**
 * Writes `svg` to `path`, creating missing directories.
 *
 * @example
 * await writeSvg('out/plots/loss.svg', linePlot({ series: [{ x, y, label: 'loss' }], logY: true }));
 */
export async function writeSvg(path: string, svg: string): Promise<void> {
  const fs = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  await fs.mkdir(dirname(path), { recursive: true });
  await fs.writeFile(path, svg, 'utf8');
}
