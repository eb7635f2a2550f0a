// A faithful JavaScript port of the chapter's micrograd (Chapter 28, "Building a
// Micrograd Engine" and "Training a Neural Network with Micrograd"), used as the
// closure-per-node baseline of bench/scalar.ts. Like the Python original, every
// node allocates a `_backward` closure and a `Set` of children, constants are
// wrapped into new leaf Values, and `backward()` builds the topological order
// with a recursive depth-first search over a `visited` Set. No optimisation on
// purpose: this is what a straight port costs.

export class Value {
  constructor(data, _children = [], _op = '') {
    this.data = data;
    this.grad = 0.0;
    this._backward = () => {};
    this._prev = new Set(_children);
    this._op = _op;
  }

  add(other) {
    other = other instanceof Value ? other : new Value(other);
    const out = new Value(this.data + other.data, [this, other], '+');
    out._backward = () => {
      this.grad += out.grad; // d(a+b)/da = 1
      other.grad += out.grad; // d(a+b)/db = 1
    };
    return out;
  }

  mul(other) {
    other = other instanceof Value ? other : new Value(other);
    const out = new Value(this.data * other.data, [this, other], '*');
    out._backward = () => {
      this.grad += other.data * out.grad; // d(a*b)/da = b
      other.grad += this.data * out.grad; // d(a*b)/db = a
    };
    return out;
  }

  pow(other) {
    if (typeof other !== 'number') throw new Error('only int/float powers supported');
    const out = new Value(this.data ** other, [this], `**${other}`);
    out._backward = () => {
      this.grad += other * this.data ** (other - 1) * out.grad;
    };
    return out;
  }

  relu() {
    const out = new Value(Math.max(0, this.data), [this], 'ReLU');
    out._backward = () => {
      this.grad += (this.data > 0 ? 1 : 0) * out.grad;
    };
    return out;
  }

  exp() {
    const out = new Value(Math.exp(this.data), [this], 'exp');
    out._backward = () => {
      this.grad += out.data * out.grad; // d(e^x)/dx = e^x
    };
    return out;
  }

  log() {
    const out = new Value(Math.log(this.data), [this], 'log');
    out._backward = () => {
      this.grad += (1.0 / this.data) * out.grad; // d(ln x)/dx = 1/x
    };
    return out;
  }

  tanh() {
    const t = Math.tanh(this.data);
    const out = new Value(t, [this], 'tanh');
    out._backward = () => {
      this.grad += (1 - t ** 2) * out.grad; // d(tanh x)/dx = 1 - tanh^2(x)
    };
    return out;
  }

  backward() {
    // Build topological order
    const topo = [];
    const visited = new Set();
    const buildTopo = (v) => {
      if (!visited.has(v)) {
        visited.add(v);
        for (const child of v._prev) buildTopo(child);
        topo.push(v);
      }
    };
    buildTopo(this);
    // Seed the output gradient
    this.grad = 1.0;
    // Traverse in reverse topological order
    for (let i = topo.length - 1; i >= 0; i--) topo[i]._backward();
  }

  // Convenience operations (built from primitives)
  neg() { return this.mul(-1); }
  sub(other) { return this.add(other instanceof Value ? other.neg() : -other); }
  div(other) { return other instanceof Value ? this.mul(other.pow(-1)) : this.mul(1.0 / other); }
  radd(other) { return this.add(other); }
  rmul(other) { return this.mul(other); }
  rsub(other) { return this.neg().add(other); }
  rdiv(other) { return new Value(other).mul(this.pow(-1)); }

  toString() {
    return `Value(data=${this.data.toFixed(4)}, grad=${this.grad.toFixed(4)})`;
  }
}

/** A single neuron with weights, bias, and optional nonlinearity. */
export class Neuron {
  // `uniform()` stands for Python's random.uniform(-1, 1).
  constructor(nIn, nonlin = true, uniform = () => Math.random() * 2 - 1) {
    this.w = Array.from({ length: nIn }, () => new Value(uniform()));
    this.b = new Value(0.0);
    this.nonlin = nonlin;
  }

  call(x) {
    // w . x + b, as Python's sum((wi * xi for ...), self.b)
    let act = this.b;
    for (let i = 0; i < this.w.length; i++) act = act.add(this.w[i].mul(x[i]));
    return this.nonlin ? act.tanh() : act;
  }

  parameters() { return [...this.w, this.b]; }
}

/** A layer of neurons. */
export class Layer {
  constructor(nIn, nOut, nonlin = true, uniform = undefined) {
    this.neurons = Array.from({ length: nOut }, () => new Neuron(nIn, nonlin, uniform));
  }

  call(x) {
    const out = this.neurons.map((n) => n.call(x));
    return out.length === 1 ? out[0] : out;
  }

  parameters() { return this.neurons.flatMap((n) => n.parameters()); }
}

/** Multi-layer perceptron built from Value objects. */
export class MLP {
  constructor(nIn, nOuts, uniform = undefined) {
    const sz = [nIn, ...nOuts];
    this.layers = nOuts.map((_, i) => new Layer(sz[i], sz[i + 1], i !== nOuts.length - 1, uniform));
  }

  call(x) {
    for (const layer of this.layers) x = layer.call(x);
    return x;
  }

  parameters() { return this.layers.flatMap((l) => l.parameters()); }
}
