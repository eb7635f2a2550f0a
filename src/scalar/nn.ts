/**
 * The chapter's scalar neural network, `Neuron`, `Layer`, `MLP`, built from
 * `Value`s, with Exercise 28.5's per-layer activations. Weights are drawn
 * uniform(-1, 1) from the seeded LCG (`random.ts`) neuron by neuron, weight by
 * weight (`[out][in]` row-major, layer after layer); biases start at 0 and draw
 * nothing. So `new MLP(2, [16, 16, 1], {seed: 2})` holds exactly the weights of
 * benchmark W1.
 */
import { describe } from './cost.js';
import { LCG } from './random.js';
import { Value } from './value.js';

/** A neuron's nonlinearity. `'linear'` is none. */
export type Activation = 'tanh' | 'relu' | 'sigmoid' | 'linear';

const ACTIVATIONS: readonly Activation[] = ['tanh', 'relu', 'sigmoid', 'linear'];

function checkActivation(a: unknown, who: string): Activation {
  if (typeof a === 'string' && (ACTIVATIONS as readonly string[]).includes(a)) return a as Activation;
  throw new TypeError(`${who}: activation must be one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(a) ?? describe(a)}`);
}

function checkCount(n: unknown, what: string, who: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new RangeError(`${who}: ${what} must be a positive integer, got ${String(n)}`);
  }
  return n;
}

/** Options of {@link Neuron}. */
export interface NeuronOptions {
  /** Default `'tanh'` (the chapter's `nonlin=True`). */
  activation?: Activation;
  /** Where the weights come from. Default `new LCG(42)`. */
  rng?: LCG;
}

/**
 * One neuron: act(w·x + b).
 *
 * @example
 * const n = new Neuron(2, { activation: 'relu', rng: new LCG(1) });
 * n.forward([1, -2]).data;
 */
export class Neuron {
  /** The weights, one per input. */
  readonly w: Value[];
  /** The bias (starts at 0). */
  readonly b: Value;
  /** The nonlinearity. */
  readonly activation: Activation;

  /** @example new Neuron(3); */
  constructor(nIn: number, options: NeuronOptions = {}) {
    checkCount(nIn, 'nIn', 'Neuron');
    this.activation = checkActivation(options.activation ?? 'tanh', 'Neuron');
    const rng = options.rng ?? new LCG(42);
    this.w = [];
    for (let i = 0; i < nIn; i++) this.w.push(new Value(rng.uniform(-1, 1)));
    this.b = new Value(0);
  }

  /**
   * act(b + Σ wᵢxᵢ), summed from the bias as in the chapter's `sum(..., self.b)`.
   *
   * @example
   * new Neuron(2).forward([new Value(1), 2]);
   */
  forward(x: readonly (number | Value)[]): Value {
    const w = this.w;
    if (!Array.isArray(x) || x.length !== w.length) {
      throw new RangeError(`Neuron.forward: expected ${w.length} inputs, got ${Array.isArray(x) ? x.length : describe(x)}`);
    }
    let act = this.b;
    for (let i = 0; i < w.length; i++) act = act.add(w[i]!.mul(x[i]!));
    switch (this.activation) {
      case 'tanh': return act.tanh();
      case 'relu': return act.relu();
      case 'sigmoid': return act.sigmoid();
      default: return act;
    }
  }

  /** The weights, then the bias. @example new Neuron(2).parameters().length; // 3 */
  parameters(): Value[] {
    return [...this.w, this.b];
  }

  /** Sets every parameter's grad to 0. @example neuron.zeroGrad(); */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = 0;
  }
}

/** Options of {@link Layer}. */
export interface LayerOptions {
  /** Default `'tanh'`. */
  activation?: Activation;
  /** Where the weights come from. Default `new LCG(42)`. */
  rng?: LCG;
}

/**
 * `nOut` neurons on the same inputs.
 *
 * @example
 * const layer = new Layer(2, 3, { activation: 'relu' });
 * layer.forward([1, 2]); // Value[] of length 3
 */
export class Layer {
  /** The neurons, one per output. */
  readonly neurons: Neuron[];

  /** @example new Layer(4, 8, { activation: 'tanh', rng: new LCG(7) }); */
  constructor(nIn: number, nOut: number, options: LayerOptions = {}) {
    checkCount(nIn, 'nIn', 'Layer');
    checkCount(nOut, 'nOut', 'Layer');
    const rng = options.rng ?? new LCG(42);
    const activation = options.activation ?? 'tanh';
    this.neurons = [];
    for (let j = 0; j < nOut; j++) this.neurons.push(new Neuron(nIn, { activation, rng }));
  }

  /**
   * The outputs: one `Value` when the layer has one neuron (the chapter's
   * `out[0] if len(out) == 1 else out`), else an array. See `outputs` for an
   * always-array form.
   *
   * @example
   * new Layer(2, 1).forward([1, 2]); // a Value
   */
  forward(x: readonly (number | Value)[]): Value | Value[] {
    const out = this.outputs(x);
    return out.length === 1 ? out[0]! : out;
  }

  /** The outputs as an array, whatever their number. @example new Layer(2, 1).outputs([1, 2]).length; // 1 */
  outputs(x: readonly (number | Value)[]): Value[] {
    return this.neurons.map((n) => n.forward(x));
  }

  /** All neurons' parameters, neuron by neuron. @example new Layer(2, 3).parameters().length; // 9 */
  parameters(): Value[] {
    return this.neurons.flatMap((n) => n.parameters());
  }

  /** Sets every parameter's grad to 0. @example layer.zeroGrad(); */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = 0;
  }
}

/** Options of {@link MLP}. */
export interface MLPOptions {
  /**
   * One activation per layer (`layerSizes.length` of them). Default: the
   * chapter's, `'tanh'` on hidden layers and `'linear'` on the last.
   */
  activations?: readonly Activation[];
  /** The LCG seed of the weights. Default `42`. */
  seed?: number;
}

/**
 * A multi-layer perceptron: `nIn` inputs, then one layer per entry of `layerSizes`.
 *
 * @example
 * const model = new MLP(2, [8, 1], { seed: 3 });          // 2 → 8 → 1, tanh then linear
 * const y = model.forward([0, 1]) as Value;
 * const deep = new MLP(2, [8, 8, 1], { activations: ['relu', 'relu', 'sigmoid'] });
 */
export class MLP {
  /** The layers, input side first. */
  readonly layers: Layer[];

  /** @example new MLP(3, [4, 4, 1]); */
  constructor(nIn: number, layerSizes: readonly number[], options: MLPOptions = {}) {
    checkCount(nIn, 'nIn', 'MLP');
    if (!Array.isArray(layerSizes) || layerSizes.length === 0) {
      throw new RangeError(`MLP: layerSizes must be a non-empty array of positive integers, got ${JSON.stringify(layerSizes)}`);
    }
    const nLayers = layerSizes.length;
    const activations =
      options.activations ?? layerSizes.map((_, i): Activation => (i === nLayers - 1 ? 'linear' : 'tanh'));
    if (!Array.isArray(activations) || activations.length !== nLayers) {
      throw new RangeError(`MLP: expected ${nLayers} activations (one per layer), got ${JSON.stringify(activations)}`);
    }
    const rng = new LCG(options.seed ?? 42);
    const sizes = [nIn, ...layerSizes];
    this.layers = [];
    for (let i = 0; i < nLayers; i++) {
      const activation = checkActivation(activations[i], 'MLP');
      this.layers.push(new Layer(sizes[i]!, checkCount(sizes[i + 1], 'each layer size', 'MLP'), { activation, rng }));
    }
  }

  /**
   * Runs the network: a `Value` when the last layer has one neuron, else `Value[]`.
   *
   * @example
   * (new MLP(2, [4, 1]).forward([0.5, -1]) as Value).data;
   */
  forward(x: readonly (number | Value)[]): Value | Value[] {
    const out = this.outputs(x);
    return out.length === 1 ? out[0]! : out;
  }

  /** The outputs as an array, whatever their number. @example new MLP(2, [4, 3]).outputs([1, 0]).length; // 3 */
  outputs(x: readonly (number | Value)[]): Value[] {
    let h: readonly (number | Value)[] = x;
    for (const layer of this.layers) h = layer.outputs(h);
    return h as Value[];
  }

  /** All parameters, layer by layer. @example new MLP(2, [4, 1]).parameters().length; // 17 */
  parameters(): Value[] {
    return this.layers.flatMap((l) => l.parameters());
  }

  /** Sets every parameter's grad to 0. @example model.zeroGrad(); */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = 0;
  }
}
