/**
 * The global seeded random source of `rand`, `randn`, `randint` (and dropout):
 * xoshiro128** seeded through splitmix32. Numbers are generated in
 * TypeScript and uploaded, so they are identical on every backend. Like
 * PyTorch, the default seed is fixed: a program is deterministic until it
 * seeds otherwise.
 */

let s0 = 0;
let s1 = 0;
let s2 = 0;
let s3 = 0;
let spare: number | null = null;

function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) | 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [state, (z ^ (z >>> 16)) >>> 0];
}

/**
 * Seeds the global random source; the same seed gives the same numbers.
 *
 * @example
 * manualSeed(0); const a = rand([3]);
 * manualSeed(0); const b = rand([3]); // equal to a
 */
export function manualSeed(seed: number): void {
  let st = Math.floor(seed) | 0;
  // Mix in the high bits of seeds beyond 32 bits.
  st ^= Math.floor(seed / 4294967296) | 0;
  [st, s0] = splitmix32(st);
  [st, s1] = splitmix32(st);
  [st, s2] = splitmix32(st);
  [, s3] = splitmix32(st);
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  spare = null;
}

/** The next 32-bit unsigned integer (xoshiro128**). @example nextUint32(); */
export function nextUint32(): number {
  const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl(s3, 11);
  return result;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A uniform float64 in [0, 1) with 53 random bits. @example uniform(); */
export function uniform(): number {
  const a = nextUint32() >>> 5;
  const b = nextUint32() >>> 6;
  return (a * 67108864 + b) / 9007199254740992;
}

/** A standard normal draw (Box–Muller, both values used in turn). @example normal(); */
export function normal(): number {
  if (spare !== null) {
    const v = spare;
    spare = null;
    return v;
  }
  const u1 = 1 - uniform(); // (0, 1]
  const u2 = uniform();
  const r = Math.sqrt(-2 * Math.log(u1));
  spare = r * Math.sin(2 * Math.PI * u2);
  return r * Math.cos(2 * Math.PI * u2);
}

/** The generator state, to replay draws (checkpoint recomputation). */
export interface RngState {
  readonly s: readonly [number, number, number, number];
  readonly spare: number | null;
}

/** A snapshot of the global random source. @example const st = getRngState(); */
export function getRngState(): RngState {
  return { s: [s0, s1, s2, s3], spare };
}

/** Restores a snapshot taken by `getRngState`. @example setRngState(st); */
export function setRngState(state: RngState): void {
  [s0, s1, s2, s3] = state.s;
  spare = state.spare;
}

manualSeed(67280421310721);
