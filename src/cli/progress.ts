/**
 * A one-line progress bar for terminals. It draws only when the stream is a TTY,
 * so piped output and CI logs stay clean.
 *
 * @example
 * const bar = new ProgressBar(200, { label: 'XOR' });
 * for (let i = 0; i < 200; i++) bar.tick({ loss: 0.1 });
 * bar.done();
 */
export class ProgressBar {
  private count = 0;
  private readonly enabled: boolean;
  private readonly width: number;
  private readonly label: string;
  private readonly stream: NodeJS.WriteStream;
  private lastDraw = 0;

  constructor(
    readonly total: number,
    options: { label?: string; width?: number; stream?: NodeJS.WriteStream; enabled?: boolean } = {},
  ) {
    this.stream = options.stream ?? process.stderr;
    this.enabled = options.enabled ?? Boolean(this.stream.isTTY);
    this.width = options.width ?? 30;
    this.label = options.label ?? '';
  }

  /** Advances by one step; `info` is shown after the bar (numbers to 4 significant digits). */
  tick(info: Record<string, number | string> = {}): void {
    this.count++;
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 50 && this.count < this.total) return;
    this.lastDraw = now;
    const frac = Math.min(1, this.count / this.total);
    const filled = Math.round(frac * this.width);
    const extras = Object.entries(info)
      .map(([k, v]) => `${k} ${typeof v === 'number' ? v.toPrecision(4) : v}`)
      .join('  ');
    const bar = '█'.repeat(filled) + '░'.repeat(this.width - filled);
    this.stream.write(`\r${this.label} ${bar} ${this.count}/${this.total}  ${extras}\x1b[K`);
  }

  /** Clears the bar's line. */
  done(): void {
    if (this.enabled) this.stream.write('\r\x1b[K');
  }
}
