/**
 * `nn.init`: PyTorch's `torch.nn.init` in camelCase. Every function fills a
 * tensor in place (outside the graph) from the seeded tensor RNG
 * (`manualSeed`) and returns it. The random draws are float64 and then cast
 * to the tensor's dtype.
 *
 * @example
 * import { init } from 'adjoint/nn';
 * const w = empty([64, 32]);
 * init.kaimingNormal_(w, { mode: 'fanOut', nonlinearity: 'relu' });
 * init.zeros_(bias);
 */
import { noGrad } from '../autograd/index.js';
import { DTypeError, RangeArgError, ShapeError, fmtShape } from '../errors.js';
import { add, copy_, fill_, mul } from '../ops/index.js';
import { Tensor, assertFloat, rand, randn, raw, sizeOf } from '../tensor/index.js';

/** The nonlinearities `calculateGain` knows (PyTorch's strings; `'leakyRelu'` is accepted too). */
export type Nonlinearity =
  | 'linear' | 'identity' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'leakyRelu' | 'selu';

/** `'fanIn'` (default) keeps the forward pass's variance, `'fanOut'` the backward pass's (`'fan_in'`/`'fan_out'` accepted). */
export type FanMode = 'fanIn' | 'fanOut' | 'fan_in' | 'fan_out';

function target(op: string, t: Tensor): Tensor {
  if (!(t instanceof Tensor)) throw new DTypeError(op, `expected a tensor, got ${typeof t}`);
  assertFloat(op, t.dtype);
  return t;
}

function fillFrom(t: Tensor, values: Tensor): Tensor {
  // The draws are made on the CPU in float64 (the same numbers on every backend), then moved to t's backend.
  const v = t.backend === 'webgpu' && values.backend !== 'webgpu' ? raw.copyAs(values, t.dtype, 'webgpu') : values;
  noGrad(() => copy_(t, v));
  return t;
}

/**
 * The recommended gain for a nonlinearity: 1 for linear, conv and sigmoid,
 * 5/3 for tanh, √2 for relu, √(2 / (1 + slope²)) for leaky_relu (slope
 * `param`, default 0.01), 3/4 for selu.
 *
 * @example
 * calculateGain('tanh');                        // 1.6666666666666667
 * calculateGain('leaky_relu', { param: 0.2 });  // 1.3867504905630728
 */
export function calculateGain(nonlinearity: Nonlinearity, opts: { param?: number | null } = {}): number {
  switch (nonlinearity) {
    case 'linear': case 'identity': case 'conv1d': case 'conv2d': case 'conv3d':
    case 'conv_transpose1d': case 'conv_transpose2d': case 'conv_transpose3d': case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': case 'leakyRelu': {
      const slope = opts.param ?? 0.01;
      if (typeof slope !== 'number' || !Number.isFinite(slope)) throw new RangeArgError('calculateGain', `negative slope ${String(slope)} is not a valid number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new RangeArgError('calculateGain', `unsupported nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/**
 * `[fanIn, fanOut]` of a weight `[out, in, ...kernel]`: `in·∏kernel` and
 * `out·∏kernel`. Needs at least 2 dims.
 *
 * @example
 * calculateFanInAndFanOut(empty([16, 3, 5, 5])); // [75, 400]
 */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.ndim < 2) {
    throw new ShapeError('calculateFanInAndFanOut', `fan in and fan out need a tensor of at least 2 dims, got ${fmtShape(t.shape)}`);
  }
  const receptive = sizeOf(t.shape.slice(2));
  return [t.shape[1]! * receptive, t.shape[0]! * receptive];
}

function fan(op: string, t: Tensor, mode: FanMode): number {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  if (mode === 'fanIn' || mode === 'fan_in') return fanIn;
  if (mode === 'fanOut' || mode === 'fan_out') return fanOut;
  throw new RangeArgError(op, `mode must be 'fanIn' or 'fanOut', got ${JSON.stringify(mode)}`);
}

/**
 * Fills `t` with draws from U(a, b) (default U(0, 1)).
 *
 * @example
 * uniform_(empty([3, 3]), { a: -0.1, b: 0.1 });
 */
export function uniform_(t: Tensor, opts: { a?: number; b?: number } = {}): Tensor {
  target('uniform_', t);
  const a = opts.a ?? 0;
  const b = opts.b ?? 1;
  if (!(Number.isFinite(a) && Number.isFinite(b) && a <= b)) throw new RangeArgError('uniform_', `expected finite a <= b, got a ${a} and b ${b}`);
  return fillFrom(t, add(mul(rand(t.shape, { dtype: 'float64', backend: 'js' }), b - a), a));
}

/**
 * Fills `t` with draws from N(mean, std²) (default N(0, 1)).
 *
 * @example
 * normal_(empty([3, 3]), { std: 0.02 });
 */
export function normal_(t: Tensor, opts: { mean?: number; std?: number } = {}): Tensor {
  target('normal_', t);
  const mean = opts.mean ?? 0;
  const std = opts.std ?? 1;
  if (!(Number.isFinite(mean) && Number.isFinite(std) && std >= 0)) throw new RangeArgError('normal_', `expected a finite mean and std >= 0, got mean ${mean} and std ${std}`);
  return fillFrom(t, add(mul(randn(t.shape, { dtype: 'float64', backend: 'js' }), std), mean));
}

/**
 * Fills `t` with `value`.
 *
 * @example
 * constant_(empty([4]), 0.5);
 */
export function constant_(t: Tensor, value: number): Tensor {
  target('constant_', t);
  noGrad(() => fill_(t, value));
  return t;
}

/** Fills `t` with zeros. @example zeros_(linear.bias!); */
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/** Fills `t` with ones. @example ones_(norm.weight!); */
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/**
 * Glorot/Xavier uniform: U(−a, a) with `a = gain·√(6 / (fanIn + fanOut))`.
 *
 * @example
 * xavierUniform_(empty([24, 8]));
 * xavierUniform_(w, { gain: calculateGain('tanh') });
 */
export function xavierUniform_(t: Tensor, opts: { gain?: number } = {}): Tensor {
  target('xavierUniform_', t);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const a = (opts.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, { a: -a, b: a });
}

/**
 * Glorot/Xavier normal: N(0, std²) with `std = gain·√(2 / (fanIn + fanOut))`.
 *
 * @example
 * xavierNormal_(empty([24, 8]));
 */
export function xavierNormal_(t: Tensor, opts: { gain?: number } = {}): Tensor {
  target('xavierNormal_', t);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return normal_(t, { std: (opts.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)) });
}

/** Options of `kaimingUniform_` and `kaimingNormal_`. */
export interface KaimingOptions {
  /** Negative slope of the leaky relu after this layer (default 0). */
  a?: number;
  /** Which fan to keep the variance of (default `'fanIn'`). */
  mode?: FanMode;
  /** The nonlinearity after this layer (default `'leaky_relu'`, with slope `a`). */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(op: string, t: Tensor, opts: KaimingOptions): number {
  target(op, t);
  const f = fan(op, t, opts.mode ?? 'fanIn');
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', { param: opts.a ?? 0 });
  return f === 0 ? 0 : gain / Math.sqrt(f);
}

/**
 * He/Kaiming uniform: U(−b, b) with `b = gain·√(3 / fan)`. PyTorch's default
 * for Linear and Conv weights is `{ a: √5 }`, which gives `b = 1/√fanIn`.
 *
 * @example
 * kaimingUniform_(empty([64, 32]), { nonlinearity: 'relu' });
 * kaimingUniform_(w, { a: Math.sqrt(5) }); // nn.Linear's default
 */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const b = Math.sqrt(3) * kaimingStd('kaimingUniform_', t, opts);
  return uniform_(t, { a: -b, b });
}

/**
 * He/Kaiming normal: N(0, std²) with `std = gain / √fan`.
 *
 * @example
 * kaimingNormal_(empty([64, 32]), { mode: 'fanOut', nonlinearity: 'relu' });
 */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return normal_(t, { std: kaimingStd('kaimingNormal_', t, opts) });
}
