/**
 * Elementwise kernels over strided views: unary, binary (in place too),
 * compare, where, copy with dtype conversion, fill. One generator writes the
 * WGSL of each (op, dtypes) once; shapes and strides come as data.
 *
 * Compute types follow the js backend's results: int32/bool inputs with an
 * int32/bool result compute in i32 (wrapping like JS's ToInt32 of the exact
 * result), anything touching float32 computes in f32, and moves between equal
 * dtypes copy the bits.
 */
import type { BinaryOp, CompareOp, DType, UnaryOp } from '../../types.js';
import { dispatch } from '../encoder.js';
import type { GpuBox } from '../memory.js';
import { ENTRY_ARGS, MATH, flatIndex, load, paramsDecl, shaderCache, store, wgslType, type Compute } from '../wgsl.js';
import { eachDispatch, grid, positionsCode, type Strided } from './strided.js';
import { BINARY_MORE_F32, BINARY_MORE_I32, MATH_MORE, UNARY_MORE_F32, UNARY_MORE_I32, needsMore } from './elementwise-more.js';

const WG = 256;
/** WGSL of each kernel key (generated once). */
const cached = shaderCache();

/** An elementwise kernel: its inputs' dtypes, and the WGSL value of an output element from the inputs' raw elements. */
export interface Elementwise {
  name: string;
  out: DType;
  inputs: readonly DType[];
  compute: Compute;
  /** The output element, as the output's WGSL type, from `e[k]` (input k's element as stored). */
  expr: (e: readonly string[]) => string;
  /** WGSL functions `expr` calls. */
  helpers?: string;
}

function code(k: Elementwise, alias: readonly boolean[]): string {
  const arr = (d: DType) => (k.compute === 'bits' ? 'u32' : wgslType(d));
  const decls = [`@group(0) @binding(0) var<storage, read_write> out: array<${arr(k.out)}>;`];
  let binding = 1;
  const elems = k.inputs.map((d, j) => {
    if (alias[j]) return `out[q${j + 1}]`;
    decls.push(`@group(0) @binding(${binding++}) var<storage, read> x${j}: array<${arr(d)}>;`);
    return `x${j}[q${j + 1}]`;
  });
  return `${decls.join('\n')}
${paramsDecl(binding)}
${MATH}
${k.helpers ?? ''}
@compute @workgroup_size(${WG})
fn main(${ENTRY_ARGS}) {
  let i = ${flatIndex(WG)};
  if (i >= pu(0u)) { return; }
  ${positionsCode(k.inputs.length + 1)}
  out[q0] = ${k.expr(elems)};
}`;
}

/**
 * Runs an elementwise kernel writing the view `out` (of `shape`) from `inputs`
 * (`scalar`: the bits of parameter word 2);
 * an input whose buffer is the output's is read through the output binding
 * (so `a` or `b` may be `out` itself).
 */
export function runElementwise(k: Elementwise, shape: readonly number[], out: Strided, inputs: readonly Strided[], scalar = 0): void {
  const alias = inputs.map((v) => v.box === out.box);
  const key = `ew:${k.name}:${k.out}:${k.inputs.join(',')}:${k.compute}:${alias.map(Number).join('')}`;
  const src = cached(key, () => code(k, alias));
  const boxes: GpuBox[] = [out.box, ...inputs.filter((_, j) => !alias[j]).map((v) => v.box)];
  const writes = boxes.map((_, j) => j === 0);
  eachDispatch(shape, [out, ...inputs], (p, n) => {
    p.u[2] = scalar;
    dispatch({ name: k.name, key, code: src, boxes, writes, params: p.buffer, workgroups: grid(n, WG) });
  });
}

const isFloat = (d: DType) => d === 'float32';

const UNARY_F32: Record<UnaryOp, (v: string) => string> = {
  neg: (v) => `-(${v})`,
  exp: (v) => `exp_(${v})`,
  log: (v) => `log_(${v})`,
  sqrt: (v) => `sqrt_(${v})`,
  sin: (v) => `sincos_(${v}, false)`,
  cos: (v) => `sincos_(${v}, true)`,
  tanh: (v) => `tanh_(${v})`,
  sigmoid: (v) => `sigmoid_(${v})`,
  abs: (v) => `abs_(${v})`,
  log1p: (v) => `log1p_(${v})`,
  expm1: (v) => `expm1_(${v})`,
  erf: (v) => `erf_(${v})`,
  sign: (v) => `select(select(${v}, -1.0, ${v} < 0.0), 1.0, ${v} > 0.0)`,
  isnan: (v) => `select(0.0, 1.0, isnan_(${v}))`,
  ...UNARY_MORE_F32,
};

const UNARY_I32: Partial<Record<UnaryOp, (v: string) => string>> = {
  neg: (v) => `-(${v})`,
  abs: (v) => `abs(${v})`,
  sign: (v) => `sign(${v})`,
  isnan: () => '0',
  ...UNARY_MORE_I32,
};

/** The kernel of `unary(op, x, dtype)`. */
export function unaryKernel(op: UnaryOp, x: DType, dtype: DType): Elementwise {
  const i32 = !isFloat(x) && !isFloat(dtype) && UNARY_I32[op] !== undefined;
  const c: Compute = i32 || (op === 'isnan' && !isFloat(x)) ? 'i32' : 'f32';
  const f = c === 'i32' ? UNARY_I32[op]! : UNARY_F32[op];
  const helpers = needsMore(op) ? MATH_MORE : undefined;
  return { name: `unary.${op}`, out: dtype, inputs: [x], compute: c, expr: (e) => store(dtype, f(`(${load(x, e[0]!, c)})`), c), helpers };
}

const BINARY_F32: Record<BinaryOp, (a: string, b: string) => string> = {
  add: (a, b) => `${a} + ${b}`,
  sub: (a, b) => `${a} - ${b}`,
  mul: (a, b) => `${a} * ${b}`,
  div: (a, b) => `${a} / ${b}`,
  pow: (a, b) => `pow_(${a}, ${b})`,
  maximum: (a, b) => `select(select(${b}, ${a}, ${a} > ${b}), nan_(), isnan_(${a}) || isnan_(${b}))`,
  minimum: (a, b) => `select(select(${b}, ${a}, ${a} < ${b}), nan_(), isnan_(${a}) || isnan_(${b}))`,
  ...BINARY_MORE_F32,
};

const BINARY_I32: Record<BinaryOp, (a: string, b: string) => string> = {
  add: (a, b) => `${a} + ${b}`,
  sub: (a, b) => `${a} - ${b}`,
  mul: (a, b) => `${a} * ${b}`,
  // JS: a / 0 is ±Infinity or NaN, which ToInt32 makes 0; WGSL leaves a / 0 = a.
  div: (a, b) => `select(${a} / ${b}, 0, ${b} == 0)`,
  pow: (a, b) => `pow_i(${a}, ${b})`,
  maximum: (a, b) => `max(${a}, ${b})`,
  minimum: (a, b) => `min(${a}, ${b})`,
  ...BINARY_MORE_I32,
};

/** The kernel of `binary(op, a, b, dtype)`. */
export function binaryKernel(op: BinaryOp, a: DType, b: DType, dtype: DType): Elementwise {
  const c: Compute = isFloat(a) || isFloat(b) || isFloat(dtype) ? 'f32' : 'i32';
  return {
    name: `binary.${op}`, out: dtype, inputs: [a, b], compute: c,
    expr: (e) => store(dtype, `bin(${load(a, e[0]!, c)}, ${load(b, e[1]!, c)})`, c),
    helpers: needsMore(op) ? `${MATH_MORE}\n${binaryHelper(op, c)}` : binaryHelper(op, c),
  };
}

/** The helper function `bin` a binary kernel's expression calls (its operands are evaluated once). */
function binaryHelper(op: BinaryOp, c: Compute): string {
  const t = c === 'f32' ? 'f32' : 'i32';
  const f = c === 'f32' ? BINARY_F32[op] : BINARY_I32[op];
  return `fn bin(a: ${t}, b: ${t}) -> ${t} { return ${f('a', 'b')}; }`;
}

const COMPARE_F32: Record<CompareOp, string> = {
  eq: '!isnan_(a) && !isnan_(b) && a == b',
  ne: 'isnan_(a) || isnan_(b) || a != b',
  lt: '!isnan_(a) && !isnan_(b) && a < b',
  le: '!isnan_(a) && !isnan_(b) && a <= b',
  gt: '!isnan_(a) && !isnan_(b) && a > b',
  ge: '!isnan_(a) && !isnan_(b) && a >= b',
};
const COMPARE_OP: Record<CompareOp, string> = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };

/** The helper `cmp` of a comparison. */
function compareHelper(op: CompareOp, c: Compute): string {
  return c === 'f32'
    ? `fn cmp(a: f32, b: f32) -> bool { return ${COMPARE_F32[op]}; }`
    : `fn cmp(a: i32, b: i32) -> bool { return a ${COMPARE_OP[op]} b; }`;
}

/** The kernel of `compare(op, a, b)`. */
export function compareKernel(op: CompareOp, a: DType, b: DType): Elementwise {
  const c: Compute = isFloat(a) || isFloat(b) ? 'f32' : 'i32';
  return {
    name: `compare.${op}`, out: 'bool', inputs: [a, b], compute: c,
    expr: (e) => `select(0u, 1u, cmp(${load(a, e[0]!, c)}, ${load(b, e[1]!, c)}))`,
    helpers: compareHelper(op, c),
  };
}

/** WGSL truth of a stored element (JS: nonzero or NaN). */
export function truth(d: DType, e: string): string {
  return d === 'float32' ? `((bitcast<u32>(${e}) & 0x7fffffffu) != 0u)` : d === 'int32' ? `(${e} != 0)` : `(${e} != 0u)`;
}

/** The kernel of `where(cond, a, b, dtype)`. */
export function whereKernel(cond: DType, a: DType, b: DType, dtype: DType): Elementwise {
  const c: Compute = a === dtype && b === dtype ? 'bits' : isFloat(a) || isFloat(b) || isFloat(dtype) ? 'f32' : 'i32';
  // With bits every array is u32: the condition's truth is then its bits ignoring the sign.
  const t = (e: string) => (c === 'bits' ? `((${e} & ${cond === 'float32' ? '0x7fffffffu' : '0xffffffffu'}) != 0u)` : truth(cond, e));
  return {
    name: 'where', out: dtype, inputs: [cond, a, b], compute: c,
    expr: (e) => store(dtype, `select(${load(b, e[2]!, c)}, ${load(a, e[1]!, c)}, ${t(e[0]!)})`, c),
  };
}

/** The kernel of `copy(src, dst)`: bits between equal dtypes, else the conversion. */
export function copyKernel(src: DType, dst: DType): Elementwise {
  const c: Compute = src === dst ? 'bits' : isFloat(src) || isFloat(dst) ? 'f32' : 'i32';
  return { name: 'copy', out: dst, inputs: [src], compute: c, expr: (e) => store(dst, load(src, e[0]!, c), c) };
}

/** The kernel of `fill`: the value's bits (word 2 of the parameters). */
export function fillKernel(dst: DType): Elementwise {
  return { name: 'fill', out: dst, inputs: [], compute: 'bits', expr: () => 'pu(2u)' };
}

/** The bits `fill` writes for `value` as `dtype` (JS's conversions: Math.fround, ToInt32, nonzero/NaN → 1). */
export function fillBits(dtype: DType, value: number): number {
  if (dtype === 'float32') return new Uint32Array(new Float32Array([value]).buffer)[0]!;
  if (dtype === 'int32') return (value | 0) >>> 0;
  return value !== 0 ? 1 : 0;
}
