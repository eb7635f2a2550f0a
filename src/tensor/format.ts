/**
 * Printing like PyTorch's `repr`: 4 decimals, `1.` for integral floats,
 * scientific notation for wide ranges, aligned columns, `...` summaries past
 * 1000 elements, and `dtype=`, `requires_grad=True` or `grad_fn=<...>` suffixes.
 */
import { backendOf } from '../backend/index.js';
import type { TypedArray } from '../backend/index.js';
import { fmtShape } from '../errors.js';
import type { Tensor } from './tensor.js';
import { contiguousStrides } from './shape.js';

const PRECISION = 4;
const LINEWIDTH = 80;
const THRESHOLD = 1000;
const EDGE = 3;

function pyNonFinite(v: number): string {
  return v !== v ? 'nan' : v > 0 ? 'inf' : '-inf';
}

/** Python's `'{:.4e}'`: a two-digit (at least) exponent. */
function pyExp(v: number): string {
  if (!Number.isFinite(v)) return pyNonFinite(v);
  const s = v.toExponential(PRECISION);
  const [m, e] = s.split('e') as [string, string];
  const sign = e[0] === '-' ? '-' : '+';
  const digits = e.replace(/^[+-]/, '');
  return `${m}e${sign}${digits.length < 2 ? `0${digits}` : digits}`;
}

function pyFixed(v: number, digits: number): string {
  if (!Number.isFinite(v)) return pyNonFinite(v);
  return v.toFixed(digits);
}

/** Formats elements of one tensor with a common width, like PyTorch's `_Formatter`. */
class Formatter {
  private intMode = true;
  private sciMode = false;
  private width = 1;

  constructor(private readonly floating: boolean, private readonly isBool: boolean, values: readonly number[]) {
    if (!floating) {
      for (const v of values) this.width = Math.max(this.width, this.raw(v).length);
      return;
    }
    const finite = values.filter((v) => Number.isFinite(v) && v !== 0);
    if (finite.length === 0) return;
    const abs = finite.map(Math.abs);
    const min = Math.min(...abs);
    const max = Math.max(...abs);
    this.intMode = finite.every((v) => v === Math.ceil(v));
    if (this.intMode) {
      if (max / min > 1000 || max > 1e8) {
        this.sciMode = true;
        for (const v of finite) this.width = Math.max(this.width, pyExp(v).length);
      } else {
        for (const v of finite) this.width = Math.max(this.width, pyFixed(v, 0).length + 1);
      }
    } else if (max / min > 1000 || max > 1e8 || min < 1e-4) {
      this.sciMode = true;
      for (const v of finite) this.width = Math.max(this.width, pyExp(v).length);
    } else {
      for (const v of finite) this.width = Math.max(this.width, pyFixed(v, PRECISION).length);
    }
  }

  private raw(v: number): string {
    if (this.isBool) return v !== 0 ? 'True' : 'False';
    if (!this.floating) return String(v);
    if (this.sciMode) return pyExp(v);
    if (this.intMode) return Number.isFinite(v) ? `${pyFixed(v, 0)}.` : pyNonFinite(v);
    return pyFixed(v, PRECISION);
  }

  elementWidth(): number {
    return this.width;
  }

  format(v: number): string {
    return this.raw(v).padStart(this.width, ' ');
  }
}

/** Indices shown along a dim of size n (first and last 3 when summarizing). */
function shown(n: number, summarize: boolean): (number | null)[] {
  if (!summarize || n <= 2 * EDGE) return Array.from({ length: n }, (_, i) => i);
  return [0, 1, 2, null, n - 3, n - 2, n - 1];
}

/**
 * The body of a tensor's repr (without `tensor(` and suffixes).
 *
 * @example
 * formatData(tensor([1.5, 2])); // '[1.5000, 2.0000]'
 */
export function formatData(t: Tensor, indent = 7, data: TypedArray = backendOf(t).read(t)): string {
  const shape = t.shape;
  if (t.size === 0) return '[]';
  const strides = contiguousStrides(shape);
  const summarize = t.size > THRESHOLD;
  const visible: number[] = [];
  const collect = (dim: number, base: number): void => {
    if (dim === shape.length) {
      visible.push(data[base]!);
      return;
    }
    for (const i of shown(shape[dim]!, summarize)) if (i !== null) collect(dim + 1, base + i * strides[dim]!);
  };
  collect(0, 0);
  const floating = t.dtype === 'float32' || t.dtype === 'float64';
  const fmt = new Formatter(floating, t.dtype === 'bool', visible);
  if (shape.length === 0) return fmt.format(data[0]!);

  const vector = (base: number, ind: number): string => {
    const perLine = Math.max(1, Math.floor((LINEWIDTH - ind) / (fmt.elementWidth() + 2)));
    const items = shown(shape[shape.length - 1]!, summarize).map((i) => (i === null ? ' ...' : fmt.format(data[base + i]!)));
    const lines: string[] = [];
    for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
    return `[${lines.join(`,\n${' '.repeat(ind + 1)}`)}]`;
  };
  const nested = (dim: number, base: number, ind: number): string => {
    if (dim === shape.length - 1) return vector(base, ind);
    const parts = shown(shape[dim]!, summarize).map((i) =>
      i === null ? '...' : nested(dim + 1, base + i * strides[dim]!, ind + 1),
    );
    const rest = shape.length - dim - 1;
    return `[${parts.join(`,${'\n'.repeat(rest)}${' '.repeat(ind + 1)}`)}]`;
  };
  return nested(0, 0, indent);
}

/**
 * PyTorch's repr of a tensor.
 *
 * @example
 * formatTensor(tensor([[1, 2], [3, 4]], { requiresGrad: true }));
 * // 'tensor([[1., 2.],\n        [3., 4.]], requires_grad=True)'
 */
export function formatTensor(t: Tensor, data?: TypedArray): string {
  const prefix = 'tensor(';
  const indent = prefix.length;
  const onGpu = t.backend === 'webgpu';
  if (onGpu && data === undefined) {
    return `tensor(<on the GPU (webgpu), shape ${fmtShape(t.shape)}, ${t.dtype}: read it with await x.toArrayAsync() or print await x.toStringAsync()>)`;
  }
  let body = formatData(t, indent, data ?? backendOf(t).read(t));
  const suffixes: string[] = [];
  if (onGpu) suffixes.push("device='webgpu'");
  if (t.size === 0 && t.shape.length !== 1) {
    suffixes.push(`size=(${t.shape.join(', ')}${t.shape.length === 1 ? ',' : ''})`);
  }
  if (t.dtype === 'float64' || t.dtype === 'int32') suffixes.push(`dtype=torch.${t.dtype}`);
  if (t.gradFn !== null) suffixes.push(`grad_fn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  body = prefix + body;
  let lastLine = body.length - body.lastIndexOf('\n') + 1;
  for (const s of suffixes) {
    if (lastLine + s.length + 2 > LINEWIDTH) {
      body += `,\n${' '.repeat(indent)}${s}`;
      lastLine = indent + s.length;
    } else {
      body += `, ${s}`;
      lastLine += s.length + 2;
    }
  }
  return `${body})`;
}
