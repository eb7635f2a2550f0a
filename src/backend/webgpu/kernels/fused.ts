/**
 * Fused elementwise kernels for `compile` (`src/compile/fuse.ts`): a chain of
 * float32 unary and binary ops over one output shape as one WGSL kernel, one
 * thread per output element, the chain's intermediate values in registers.
 * Each op is the same WGSL expression the unfused kernel evaluates
 * (`unaryKernel` / `binaryKernel` of elementwise.ts, with the float32 math of
 * wgsl.ts), so a fused result is the unfused one.
 *
 * Unlike the unfused kernels, a fused kernel is generated for one traced
 * program: the output's shape and each input's offset and strides (broadcast
 * dims: stride 0) are constants of its WGSL. Outputs are contiguous.
 */
import { DeviceError } from '../../../errors.js';
import type { BinaryOp, Storage, UnaryOp } from '../../types.js';
import { dispatch } from '../encoder.js';
import { own, type GpuBox } from '../memory.js';
import { ENTRY_ARGS, MATH, PARAM_WORDS, flatIndex, paramsDecl } from '../wgsl.js';
import { MATH_MORE, needsMore } from './elementwise-more.js';
import { binaryKernel, unaryKernel } from './elementwise.js';
import { grid } from './strided.js';

const WG = 256;

/** One input of a fused kernel: a view broadcast to the output's shape. */
export interface FusedInput {
  readonly offset: number;
  /** Per output dim (0 on broadcast dims). */
  readonly strides: readonly number[];
}

/** An operand of a fused op: input `k`, or the value of op `j` before it. */
export type FusedOperand = { readonly input: number } | { readonly value: number };

/** A chain of elementwise ops over `shape`, writing the values `outputs` (op indices). */
export interface FusedSpec {
  readonly shape: readonly number[];
  readonly inputs: readonly FusedInput[];
  readonly ops: readonly { readonly op: string; readonly args: readonly FusedOperand[] }[];
  readonly outputs: readonly number[];
}

/** A fused kernel ready to run: its WGSL and cache key. */
export interface FusedProgram {
  readonly name: string;
  readonly key: string;
  readonly code: string;
  readonly size: number;
  readonly nIn: number;
  readonly nOut: number;
}

let made = 0;

const UNARY = new Set<string>(['neg', 'exp', 'log', 'sqrt', 'sin', 'cos', 'tanh', 'abs', 'log1p', 'expm1', 'sigmoid']);
const BINARY = new Set<string>(['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum']);

/**
 * Whether `op` can be part of a fused WGSL kernel.
 *
 * @example
 * canFuseOnGpu('tanh'); // true
 */
export function canFuseOnGpu(op: string): boolean {
  return UNARY.has(op) || BINARY.has(op);
}

/**
 * The WGSL kernel of `spec` (generated once per traced chain).
 *
 * @example
 * const k = fusedProgram({ shape: [4], inputs: [{ offset: 0, strides: [1] }], ops: [{ op: 'exp', args: [{ input: 0 }] }], outputs: [0] });
 */
export function fusedProgram(spec: FusedSpec): FusedProgram {
  const nOut = spec.outputs.length;
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const decls: string[] = [];
  spec.outputs.forEach((_o, k) => decls.push(`@group(0) @binding(${k}) var<storage, read_write> o${k}: array<f32>;`));
  spec.inputs.forEach((_x, k) => decls.push(`@group(0) @binding(${nOut + k}) var<storage, read> x${k}: array<f32>;`));
  const helpers = new Set<string>();
  let more = false;
  // Output coordinates from the flat index (row-major), then each input's position.
  const coords: string[] = [];
  const dims = spec.shape.length;
  if (dims > 0) coords.push('var r = i;');
  for (let d = dims - 1; d >= 0; d--) {
    coords.push(`let c${d} = r % ${spec.shape[d]}u;`);
    if (d > 0) coords.push(`r = r / ${spec.shape[d]}u;`);
  }
  const positions = spec.inputs.map((x, k) => {
    const terms = x.strides.flatMap((s, d) => (s === 0 || spec.shape[d] === 1 ? [] : [`c${d} * ${s}u`]));
    return `let q${k} = ${[`${x.offset}u`, ...terms].join(' + ')};`;
  });
  const body: string[] = [];
  spec.ops.forEach(({ op, args }, j) => {
    const e = args.map((a) => ('input' in a ? `x${a.input}[q${a.input}]` : `t${a.value}`));
    let expr: string;
    if (UNARY.has(op)) {
      expr = unaryKernel(op as UnaryOp, 'float32', 'float32').expr(e);
      if (needsMore(op as UnaryOp)) more = true;
    } else if (BINARY.has(op)) {
      const k = binaryKernel(op as BinaryOp, 'float32', 'float32', 'float32');
      // Each binary kernel names its helper `bin`: one per op here.
      helpers.add(k.helpers!.replace('fn bin(', `fn bin_${op}(`));
      expr = k.expr(e).replace(/^bin\(/, `bin_${op}(`);
      if (needsMore(op as BinaryOp)) more = true;
    } else {
      throw new DeviceError('compile', `webgpu: internal: the op ${op} cannot be fused`);
    }
    body.push(`let t${j} = ${expr};`);
  });
  const stores = spec.outputs.map((j, k) => `o${k}[i] = t${j};`);
  const code = `${decls.join('\n')}
${paramsDecl(nOut + spec.inputs.length)}
${MATH}
${more ? MATH_MORE : ''}
${[...helpers].join('\n')}
@compute @workgroup_size(${WG})
fn main(${ENTRY_ARGS}) {
  let i = ${flatIndex(WG)};
  if (i >= pu(0u)) { return; }
  ${coords.join('\n  ')}
  ${positions.join('\n  ')}
  ${body.join('\n  ')}
  ${stores.join('\n  ')}
}`;
  const id = ++made;
  return { name: `fused.${spec.ops.length}ops`, key: `fused:${id}`, code, size, nIn: spec.inputs.length, nOut };
}

/**
 * Records the fused kernel `k` writing `outs` (contiguous, `k.size` elements each) from `ins`.
 *
 * @example
 * runFused(k, [out], [x]);
 */
export function runFused(k: FusedProgram, outs: readonly Storage[], ins: readonly Storage[]): void {
  const boxes: GpuBox[] = [...outs.map((s) => own(k.name, s).box), ...ins.map((s) => own(k.name, s).box)];
  const writes = boxes.map((_b, j) => j < outs.length);
  const params = new ArrayBuffer(PARAM_WORDS * 4);
  new Uint32Array(params)[0] = k.size;
  dispatch({ name: k.name, key: k.key, code: k.code, boxes, writes, params, workgroups: grid(k.size, WG) });
}
