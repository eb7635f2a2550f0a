/**
 * A small WebAssembly binary writer: the instructions `fused.ts` generates and
 * a module of one exported function `fused` over the imported `env.memory`
 * (the backend's memory, shared when threads are on). Opcodes are those of the
 * WebAssembly 2.0 core and fixed-width SIMD specifications.
 */

/** Core opcodes used by the generated kernels. */
export const OP = {
  drop: 0x1a, select: 0x1b,
  f32_load: 0x2a, f64_load: 0x2b, f32_store: 0x38, f64_store: 0x39,
  i32_eq: 0x46, i32_gt_s: 0x4a, i32_ge_s: 0x4e, f32_lt: 0x5d, f32_ge: 0x60,
  i32_add: 0x6a, i32_sub: 0x6b, i32_shl: 0x74, i32_shr_s: 0x75,
  f32_abs: 0x8b, f32_neg: 0x8c, f32_nearest: 0x90, f32_sqrt: 0x91, f32_add: 0x92, f32_sub: 0x93, f32_mul: 0x94, f32_div: 0x95,
  f32_min: 0x96, f32_max: 0x97, f32_copysign: 0x98,
  f64_abs: 0x99, f64_neg: 0x9a, f64_nearest: 0x9e, f64_sqrt: 0x9f, f64_add: 0xa0, f64_sub: 0xa1, f64_mul: 0xa2, f64_div: 0xa3,
  f64_min: 0xa4, f64_max: 0xa5,
  f64_promote_f32: 0xbb, f32_reinterpret_i32: 0xbe,
} as const;

/** SIMD opcodes (after the 0xfd prefix). */
export const SIMD = {
  v128_load: 0x00, v128_store: 0x0b,
  i32x4_splat: 0x11, f32x4_splat: 0x13, f64x2_splat: 0x14, f32x4_extract_lane: 0x1f, f64x2_extract_lane: 0x21,
  f32x4_lt: 0x43, f32x4_ge: 0x46, v128_and: 0x4e, v128_or: 0x50, v128_bitselect: 0x52,
  f32x4_nearest: 0x6a, f64x2_nearest: 0x94,
  i32x4_shl: 0xab, i32x4_shr_s: 0xac, i32x4_add: 0xae, i32x4_sub: 0xb1,
  f32x4_abs: 0xe0, f32x4_neg: 0xe1, f32x4_sqrt: 0xe3, f32x4_add: 0xe4, f32x4_sub: 0xe5, f32x4_mul: 0xe6, f32x4_div: 0xe7,
  f32x4_min: 0xe8, f32x4_max: 0xe9,
  f64x2_abs: 0xec, f64x2_neg: 0xed, f64x2_sqrt: 0xef, f64x2_add: 0xf0, f64x2_sub: 0xf1, f64x2_mul: 0xf2, f64x2_div: 0xf3,
  f64x2_min: 0xf4, f64x2_max: 0xf5,
  i32x4_trunc_sat_f32x4_s: 0xf8,
} as const;

function uleb(out: number[], v: number): void {
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

function sleb(out: number[], v: number): void {
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

const F32 = new Float32Array(1);
const F32_BYTES = new Uint8Array(F32.buffer);

/** Writes a function body's instructions. @example const e = new Emitter(); e.i32(1); e.bytes(); */
export class Emitter {
  private readonly code: number[] = [];

  op(code: number): void {
    this.code.push(code);
  }

  op2(a: number, b: number): void {
    this.code.push(a);
    uleb(this.code, b);
  }

  simd(code: number): void {
    this.code.push(0xfd);
    uleb(this.code, code);
  }

  /** A SIMD load or store with its alignment (log2 bytes) and offset. */
  simdMem(code: number, align: number, offset: number): void {
    this.simd(code);
    uleb(this.code, align);
    uleb(this.code, offset);
  }

  simdLane(code: number, lane: number): void {
    this.simd(code);
    this.code.push(lane);
  }

  /** A scalar load or store with its alignment (log2 bytes) and offset. */
  mem(code: number, align: number, offset: number): void {
    this.code.push(code);
    uleb(this.code, align);
    uleb(this.code, offset);
  }

  get(local: number): void {
    this.code.push(0x20);
    uleb(this.code, local);
  }

  set(local: number): void {
    this.code.push(0x21);
    uleb(this.code, local);
  }

  i32(v: number): void {
    this.code.push(0x41);
    sleb(this.code, v | 0);
  }

  /** A float32 constant (`v` rounded to float32). */
  f32(v: number): void {
    this.code.push(0x43);
    F32[0] = v;
    this.code.push(...F32_BYTES);
  }

  block(): void {
    this.code.push(0x02, 0x40);
  }

  loop(): void {
    this.code.push(0x03, 0x40);
  }

  br(depth: number): void {
    this.code.push(0x0c);
    uleb(this.code, depth);
  }

  brIf(depth: number): void {
    this.code.push(0x0d);
    uleb(this.code, depth);
  }

  end(): void {
    this.code.push(0x0b);
  }

  bytes(): number[] {
    return this.code;
  }
}

function section(out: number[], id: number, body: number[]): void {
  out.push(id);
  uleb(out, body.length);
  out.push(...body);
}

function name(out: number[], s: string): void {
  uleb(out, s.length);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

/** The declared maximum of a shared memory import: 4 GiB, the most any runtime memory has. */
const MAX_PAGES = 65536;

/**
 * A module importing `env.memory` and exporting one function `fused` of
 * `params` → `result` with `locals` (value types) and body `code`.
 *
 * @example
 * wasmModule({ params: [0x7f], result: 0x7c, locals: [], code: [0x44, 0, 0, 0, 0, 0, 0, 0, 0], shared: false });
 */
export function wasmModule(o: { params: readonly number[]; result: number; locals: readonly number[]; code: readonly number[]; shared: boolean }): Uint8Array<ArrayBuffer> {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const type: number[] = [1, 0x60];
  uleb(type, o.params.length);
  type.push(...o.params, 1, o.result);
  section(out, 1, type);
  const imp: number[] = [1];
  name(imp, 'env');
  name(imp, 'memory');
  imp.push(0x02);
  if (o.shared) {
    imp.push(0x03);
    uleb(imp, 1);
    uleb(imp, MAX_PAGES);
  } else {
    imp.push(0x00);
    uleb(imp, 1);
  }
  section(out, 2, imp);
  section(out, 3, [1, 0]);
  const exp: number[] = [1];
  name(exp, 'fused');
  exp.push(0x00, 0x00);
  section(out, 7, exp);
  // Locals as runs of one type.
  const runs: [number, number][] = [];
  for (const t of o.locals) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[1] === t) last[0]++;
    else runs.push([1, t]);
  }
  const fn: number[] = [];
  uleb(fn, runs.length);
  for (const [count, t] of runs) {
    uleb(fn, count);
    fn.push(t);
  }
  fn.push(...o.code, 0x0b);
  const code: number[] = [1];
  uleb(code, fn.length);
  code.push(...fn);
  section(out, 10, code);
  return new Uint8Array(out);
}
