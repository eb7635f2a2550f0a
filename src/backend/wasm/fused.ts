/**
 * Fused elementwise kernels generated as WebAssembly for `compile`: a chain of
 * elementwise ops over contiguous inputs (and scalars) becomes one function in
 * a small module of its own, over the backend's memory, that reads each input
 * once and writes only the values seen outside the chain: SIMD four float32
 * (two float64) lanes at a time, then the last few elements one by one.
 *
 * Each op is the instruction the backend's own kernels use (elementwise.ts),
 * and float32 exp, sigmoid and tanh are the same instruction sequence as
 * assembly/transcend.ts, so a fused value equals the unfused one bit for bit.
 * A sum ending the chain adds every value in order in float64, as the
 * generated JS loops do (compile/fuse.ts), which remain the fallback for
 * strided or broadcast inputs and the ops without an instruction here.
 */
import type { Storage } from '../types.js';
import { BYTES, WasmStorage, addressOf, beginOp, endOp, isSmall, runtimeMemory } from './memory.js';
import { Emitter, OP, SIMD, wasmModule } from './wasm-emit.js';

/** An operand of a fused op: an input (by index) or an earlier op's value. */
export type WasmFusedArg = { readonly input: number } | { readonly value: number };

/**
 * What to generate: `n` elements; each input contiguous from an element
 * offset, one scalar value, or a row of `period` elements repeated (a bias
 * broadcast over the leading dims: element i reads `offset + i mod period`;
 * `period` a multiple of the lanes).
 */
export interface WasmFusedSpec {
  readonly dtype: 'float32' | 'float64';
  readonly n: number;
  readonly inputs: readonly { readonly scalar: boolean; readonly offset: number; readonly period?: number }[];
  readonly ops: readonly { readonly op: string; readonly args: readonly WasmFusedArg[] }[];
  /** Values written out, each contiguous from an element offset of its output storage. */
  readonly outputs: readonly { readonly value: number; readonly offset: number }[];
  /** The op whose values are summed (float64, in order), or null. */
  readonly sum: number | null;
}

/** A generated kernel: `run` returns the sum (0 without one); `listing` names what it does. */
export interface WasmFusedKernel {
  readonly run: (outs: readonly Storage[], ins: readonly Storage[]) => number;
  readonly listing: string;
}

const BINARY = new Set(['add', 'sub', 'mul', 'div', 'maximum', 'minimum']);
const UNARY = new Set(['neg', 'abs', 'sqrt']);
const F32_ONLY = new Set(['exp', 'sigmoid', 'tanh']);

/** Whether `op` has a generated form in `dtype`. @example canFuseOnWasm('tanh', 'float32'); // true */
export function canFuseOnWasm(op: string, dtype: 'float32' | 'float64'): boolean {
  return BINARY.has(op) || UNARY.has(op) || (dtype === 'float32' && F32_ONLY.has(op));
}

/** Lane-wise or one-element code: the same operations, vector or scalar instructions. */
interface Mode {
  readonly vec: boolean;
  readonly f32: boolean;
  /** The value type of a local (v128, f32 or f64). */
  readonly type: number;
}

const T_I32 = 0x7f;
const T_F32 = 0x7d;
const T_F64 = 0x7c;
const T_V128 = 0x7b;

// Float ops by mode: [f32 scalar, f64 scalar, f32x4, f64x2]; SIMD ones are emitted after the 0xfd prefix.
const FLOAT: Record<string, readonly [number, number, number, number]> = {
  add: [OP.f32_add, OP.f64_add, SIMD.f32x4_add, SIMD.f64x2_add],
  sub: [OP.f32_sub, OP.f64_sub, SIMD.f32x4_sub, SIMD.f64x2_sub],
  mul: [OP.f32_mul, OP.f64_mul, SIMD.f32x4_mul, SIMD.f64x2_mul],
  div: [OP.f32_div, OP.f64_div, SIMD.f32x4_div, SIMD.f64x2_div],
  maximum: [OP.f32_max, OP.f64_max, SIMD.f32x4_max, SIMD.f64x2_max],
  minimum: [OP.f32_min, OP.f64_min, SIMD.f32x4_min, SIMD.f64x2_min],
  neg: [OP.f32_neg, OP.f64_neg, SIMD.f32x4_neg, SIMD.f64x2_neg],
  abs: [OP.f32_abs, OP.f64_abs, SIMD.f32x4_abs, SIMD.f64x2_abs],
  sqrt: [OP.f32_sqrt, OP.f64_sqrt, SIMD.f32x4_sqrt, SIMD.f64x2_sqrt],
  nearest: [OP.f32_nearest, OP.f64_nearest, SIMD.f32x4_nearest, SIMD.f64x2_nearest],
};

/** Writes the code of one float op of `m` (operands already on the stack). */
function float(e: Emitter, m: Mode, op: string): void {
  const codes = FLOAT[op]!;
  if (m.vec) e.simd(codes[m.f32 ? 2 : 3]);
  else e.op(codes[m.f32 ? 0 : 1]);
}

/** Pushes the float32 constant `c` (splat in vector mode). */
function constant(e: Emitter, m: Mode, c: number): void {
  e.f32(c);
  if (m.vec) e.simd(SIMD.f32x4_splat);
}

/**
 * The float32 functions of assembly/transcend.ts over local `x`, leaving the
 * result on the stack: the same constants and the same operations in the same
 * order, as scalar or four-lane instructions.
 */
class Transcendental {
  constructor(private readonly e: Emitter, private readonly m: Mode, private readonly tmp: (int?: boolean) => number) {}

  /** a·b + c with separate rounding (no fused multiply-add), as transcend.ts's `fma`. */
  private madd(a: () => void, b: () => void, c: number): void {
    a();
    b();
    float(this.e, this.m, 'mul');
    constant(this.e, this.m, c);
    float(this.e, this.m, 'add');
  }

  private get(l: number): () => void {
    return () => this.e.get(l);
  }

  /** e^x of the value in local `x0`, into a new local. */
  exp(x0: number): number {
    const { e, m } = this;
    const x = this.tmp();
    const n = this.tmp();
    const r = this.tmp();
    const p = this.tmp();
    e.get(x0);
    constant(e, m, 88.8);
    float(e, m, 'minimum');
    constant(e, m, -104);
    float(e, m, 'maximum');
    e.set(x);
    e.get(x);
    constant(e, m, 1.44269504);
    float(e, m, 'mul');
    float(e, m, 'nearest');
    e.set(n);
    e.get(x);
    e.get(n);
    constant(e, m, 0.693359375);
    float(e, m, 'mul');
    float(e, m, 'sub');
    e.get(n);
    constant(e, m, -2.1219444e-4);
    float(e, m, 'mul');
    float(e, m, 'sub');
    e.set(r);
    this.madd(() => constant(e, m, 1.98756915e-4), this.get(r), 1.3981999507e-3);
    e.set(p);
    for (const c of [8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]) {
      this.madd(this.get(p), this.get(r), c);
      e.set(p);
    }
    // y = p·r² + r + 1
    e.get(p);
    e.get(r);
    e.get(r);
    float(e, m, 'mul');
    float(e, m, 'mul');
    e.get(r);
    float(e, m, 'add');
    constant(e, m, 1);
    float(e, m, 'add');
    // · 2^n1 · 2^n2, n1 = n >> 1, n2 = n − n1
    const ni = this.tmp(true);
    const n1 = this.tmp(true);
    e.get(n);
    if (m.vec) e.simd(SIMD.i32x4_trunc_sat_f32x4_s);
    else e.op2(0xfc, 0x00); // i32.trunc_sat_f32_s
    e.set(ni);
    e.get(ni);
    e.i32(1); // a shift's count is one i32 in both modes
    this.int(SIMD.i32x4_shr_s, OP.i32_shr_s);
    e.set(n1);
    this.pow2(() => e.get(n1));
    float(e, m, 'mul');
    this.pow2(() => {
      e.get(ni);
      e.get(n1);
      this.int(SIMD.i32x4_sub, OP.i32_sub);
    });
    float(e, m, 'mul');
    const out = this.tmp();
    e.set(out);
    return out;
  }

  /** 1/(1+e^{-x}) for x ≥ 0, e^x/(1+e^x) below, into a new local. */
  sigmoid(x: number): number {
    const { e, m } = this;
    const a = this.tmp();
    e.get(x);
    float(e, m, 'abs');
    float(e, m, 'neg');
    e.set(a);
    const ex = this.exp(a);
    // numerator: 1 where x ≥ 0, else e
    constant(e, m, 1);
    e.get(ex);
    e.get(x);
    constant(e, m, 0);
    if (m.vec) {
      e.simd(SIMD.f32x4_ge);
      e.simd(SIMD.v128_bitselect);
    } else {
      e.op(OP.f32_ge);
      e.op(OP.select);
    }
    constant(e, m, 1);
    e.get(ex);
    float(e, m, 'add');
    float(e, m, 'div');
    const out = this.tmp();
    e.set(out);
    return out;
  }

  /** tanh x, into a new local. */
  tanh(x: number): number {
    const { e, m } = this;
    const a = this.tmp();
    const z = this.tmp();
    const p = this.tmp();
    e.get(x);
    float(e, m, 'abs');
    e.set(a);
    e.get(x);
    e.get(x);
    float(e, m, 'mul');
    e.set(z);
    this.madd(() => constant(e, m, -5.70498872745e-3), this.get(z), 2.06390887954e-2);
    e.set(p);
    for (const c of [-5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1]) {
      this.madd(this.get(p), this.get(z), c);
      e.set(p);
    }
    // small = x + x·z·p
    const small = this.tmp();
    e.get(x);
    e.get(x);
    e.get(z);
    float(e, m, 'mul');
    e.get(p);
    float(e, m, 'mul');
    float(e, m, 'add');
    e.set(small);
    // big = 1 − 2/(e^{2a}+1), with x's sign
    const a2 = this.tmp();
    e.get(a);
    e.get(a);
    float(e, m, 'add');
    e.set(a2);
    const ex = this.exp(a2);
    constant(e, m, 1);
    constant(e, m, 2);
    e.get(ex);
    constant(e, m, 1);
    float(e, m, 'add');
    float(e, m, 'div');
    float(e, m, 'sub');
    if (m.vec) {
      e.get(x);
      e.i32(-0x80000000);
      e.simd(SIMD.i32x4_splat);
      e.simd(SIMD.v128_and);
      e.simd(SIMD.v128_or);
    } else {
      e.get(x);
      e.op(OP.f32_copysign);
    }
    const big = this.tmp();
    e.set(big);
    e.get(small);
    e.get(big);
    e.get(a);
    constant(e, m, 0.625);
    if (m.vec) {
      e.simd(SIMD.f32x4_lt);
      e.simd(SIMD.v128_bitselect);
    } else {
      e.op(OP.f32_lt);
      e.op(OP.select);
    }
    const out = this.tmp();
    e.set(out);
    return out;
  }

  private i32const(v: number): void {
    this.e.i32(v);
    if (this.m.vec) this.e.simd(SIMD.i32x4_splat);
  }

  /** An i32 op on the stack's operands: lane-wise in vector mode. */
  private int(vec: number, scalar: number): void {
    if (this.m.vec) this.e.simd(vec);
    else this.e.op(scalar);
  }

  /** 2^k as a float32 from the i32 exponent pushed by `k`: the bits (k + 127) << 23. */
  private pow2(k: () => void): void {
    k();
    this.i32const(127);
    this.int(SIMD.i32x4_add, OP.i32_add);
    this.e.i32(23);
    this.int(SIMD.i32x4_shl, OP.i32_shl);
    // A v128 is just bits: its lanes are the float32s; a scalar i32 is reinterpreted.
    if (!this.m.vec) this.e.op(OP.f32_reinterpret_i32);
  }
}

/**
 * The kernel for `spec`, or null when one of its ops has no generated form or
 * the platform refuses the module (a browser's main thread compiles only small
 * modules synchronously).
 *
 * @example
 * const k = wasmFusedKernel({ dtype: 'float32', n: 1024, inputs: [{ scalar: false, offset: 0 }],
 *   ops: [{ op: 'tanh', args: [{ input: 0 }] }], outputs: [{ value: 0, offset: 0 }], sum: null });
 * k?.run([out], [x]);
 */
export function wasmFusedKernel(spec: WasmFusedSpec): WasmFusedKernel | null {
  const mem = runtimeMemory();
  if (mem === null || !spec.ops.every((o) => canFuseOnWasm(o.op, spec.dtype))) return null;
  // Outputs must live in the wasm memory (a small storage is a JS array): at least 257 bytes.
  if (isSmall(spec.dtype, spec.n)) return null;
  const f32 = spec.dtype === 'float32';
  const S = BYTES[spec.dtype];
  const L = 16 / S;
  const e = new Emitter();
  // Parameters: each input's address (or scalar value), each output's address, then the element count.
  const params: number[] = spec.inputs.map((x) => (x.scalar ? (f32 ? T_F32 : T_F64) : T_I32));
  const outBase = params.length;
  for (let k = 0; k < spec.outputs.length; k++) params.push(T_I32);
  const nParam = params.length;
  params.push(T_I32);
  const locals: number[] = [];
  const local = (type: number): number => {
    locals.push(type);
    return params.length + locals.length - 1;
  };
  const i = local(T_I32);
  const acc = local(T_F64);
  // One position counter per distinct period (i mod period, kept by adding and wrapping).
  const periods = [...new Set(spec.inputs.flatMap((x) => (x.scalar || !x.period ? [] : [x.period])))];
  if (periods.some((q) => q % L !== 0 || q <= 0)) return null;
  const counters = new Map(periods.map((q) => [q, local(T_I32)]));
  const splats = spec.inputs.map((x, k) => {
    if (!x.scalar) return -1;
    const l = local(T_V128);
    e.get(k);
    e.simd(f32 ? SIMD.f32x4_splat : SIMD.f64x2_splat);
    e.set(l);
    return l;
  });
  const body = (vec: boolean): void => {
    const m: Mode = { vec, f32, type: vec ? T_V128 : f32 ? T_F32 : T_F64 };
    const tmp = (int = false): number => local(int ? (vec ? T_V128 : T_I32) : m.type);
    const address = (base: number, at = i): void => {
      e.get(base);
      e.get(at);
      e.i32(S === 4 ? 2 : 3);
      e.op(OP.i32_shl);
      e.op(OP.i32_add);
    };
    const loaded = spec.inputs.map((x, k) => {
      if (x.scalar) return vec ? splats[k]! : k;
      const l = tmp();
      address(k, x.period ? counters.get(x.period)! : i);
      if (vec) e.simdMem(SIMD.v128_load, 0, 0);
      else e.mem(f32 ? OP.f32_load : OP.f64_load, f32 ? 2 : 3, 0);
      e.set(l);
      return l;
    });
    const values: number[] = [];
    const arg = (a: WasmFusedArg): number => ('input' in a ? loaded[a.input]! : values[a.value]!);
    const tr = new Transcendental(e, m, tmp);
    for (const o of spec.ops) {
      if (o.op === 'exp' || o.op === 'sigmoid' || o.op === 'tanh') {
        values.push(tr[o.op](arg(o.args[0]!)));
        continue;
      }
      for (const a of o.args) e.get(arg(a));
      float(e, m, o.op);
      const l = tmp();
      e.set(l);
      values.push(l);
    }
    spec.outputs.forEach((o, k) => {
      address(outBase + k);
      e.get(values[o.value]!);
      if (vec) e.simdMem(SIMD.v128_store, 0, 0);
      else e.mem(f32 ? OP.f32_store : OP.f64_store, f32 ? 2 : 3, 0);
    });
    if (spec.sum !== null) {
      for (let lane = 0; lane < (vec ? L : 1); lane++) {
        e.get(acc);
        e.get(values[spec.sum]!);
        if (vec) e.simdLane(f32 ? SIMD.f32x4_extract_lane : SIMD.f64x2_extract_lane, lane);
        if (f32) e.op(OP.f64_promote_f32);
        e.op(OP.f64_add);
        e.set(acc);
      }
    }
    for (const l of [i, ...counters.values()]) {
      e.get(l);
      e.i32(vec ? L : 1);
      e.op(OP.i32_add);
      e.set(l);
    }
    // A counter that reached its period starts over (exactly: periods are multiples of the lanes).
    for (const [q, l] of counters) {
      e.i32(0);
      e.get(l);
      e.get(l);
      e.i32(q);
      e.op(OP.i32_eq);
      e.op(OP.select);
      e.set(l);
    }
  };
  // for (i = 0; i + L <= n; i += L) vector body; for (; i < n; i++) scalar body
  e.block();
  e.loop();
  e.get(i);
  e.i32(L);
  e.op(OP.i32_add);
  e.get(nParam);
  e.op(OP.i32_gt_s);
  e.brIf(1);
  body(true);
  e.br(0);
  e.end();
  e.end();
  e.block();
  e.loop();
  e.get(i);
  e.get(nParam);
  e.op(OP.i32_ge_s);
  e.brIf(1);
  body(false);
  e.br(0);
  e.end();
  e.end();
  e.get(acc);
  const bytes = wasmModule({ params, result: T_F64, locals, code: e.bytes(), shared: mem.shared });
  let fn: (...args: number[]) => number;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: mem.memory } });
    fn = instance.exports.fused as (...args: number[]) => number;
  } catch {
    return null;
  }
  const args = new Array<number>(nParam + 1);
  const run = (outs: readonly Storage[], ins: readonly Storage[]): number => {
    if (!ins.every((s) => s instanceof WasmStorage) || !outs.every((s) => s instanceof WasmStorage)) throw new Error('wasm fused kernel: storages of another backend');
    beginOp();
    try {
      spec.inputs.forEach((x, k) => {
        const s = ins[k] as WasmStorage;
        args[k] = x.scalar ? s.data[x.offset]! : addressOf(s) + x.offset * S;
      });
      spec.outputs.forEach((o, k) => {
        const s = outs[k] as WasmStorage;
        args[outBase + k] = addressOf(s) + o.offset * S;
      });
      args[nParam] = spec.n;
      return fn(...args);
    } finally {
      endOp();
    }
  };
  return { run, listing: `wasm function, ${bytes.length} bytes: ${L} lanes, then one element at a time` };
}
