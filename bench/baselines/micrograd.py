"""Benchmark W1 (and W2) on the chapter's own micrograd, in Python.

The Value / Neuron / Layer / MLP classes below are the chapter notebook's code
(Chapter 28, sections 28.4 and 28.5), unchanged except that the weights are then
overwritten with the benchmark's LCG draws (BENCHMARKS.md, W1). Prints one JSON
line per workload: {"impl": "micrograd-python", "workload": ..., "median_ms": ...}.

Usage: python3 bench/baselines/micrograd.py [--runs 5] [--warmup 1] [--w2]
"""
import json
import math
import random
import resource
import statistics
import sys
import time


class Value:
    """A scalar value with automatic gradient tracking.

    Each Value records how it was created (operation and inputs),
    enabling reverse-mode automatic differentiation via .backward().
    """

    def __init__(self, data, _children=(), _op=''):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), '+')
        def _backward():
            self.grad += out.grad      # d(a+b)/da = 1
            other.grad += out.grad     # d(a+b)/db = 1
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), '*')
        def _backward():
            self.grad += other.data * out.grad   # d(a*b)/da = b
            other.grad += self.data * out.grad   # d(a*b)/db = a
        out._backward = _backward
        return out

    def __pow__(self, other):
        assert isinstance(other, (int, float)), "only int/float powers supported"
        out = Value(self.data ** other, (self,), f'**{other}')
        def _backward():
            self.grad += other * (self.data ** (other - 1)) * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = Value(max(0, self.data), (self,), 'ReLU')
        def _backward():
            self.grad += (self.data > 0) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), 'exp')
        def _backward():
            self.grad += out.data * out.grad   # d(e^x)/dx = e^x
        out._backward = _backward
        return out

    def log(self):
        out = Value(math.log(self.data), (self,), 'log')
        def _backward():
            self.grad += (1.0 / self.data) * out.grad  # d(ln x)/dx = 1/x
        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), 'tanh')
        def _backward():
            self.grad += (1 - t**2) * out.grad  # d(tanh x)/dx = 1 - tanh^2(x)
        out._backward = _backward
        return out

    def backward(self):
        """Compute gradients via reverse-mode AD (backpropagation)."""
        # Build topological order
        topo = []
        visited = set()
        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)
        build_topo(self)

        # Seed the output gradient
        self.grad = 1.0

        # Traverse in reverse topological order
        for v in reversed(topo):
            v._backward()

    # Convenience operations (built from primitives)
    def __neg__(self):        return self * -1
    def __sub__(self, other): return self + (-other)
    def __truediv__(self, other): return self * (other ** -1) if isinstance(other, Value) else self * (1.0 / other)
    def __radd__(self, other): return self + other
    def __rmul__(self, other): return self * other
    def __rsub__(self, other): return (-self) + other
    def __rtruediv__(self, other): return Value(other) * (self ** -1)

    def __repr__(self):
        return f"Value(data={self.data:.4f}, grad={self.grad:.4f})"


class Neuron:
    """A single neuron with weights, bias, and optional nonlinearity."""

    def __init__(self, n_in, nonlin=True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(n_in)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x):
        # w . x + b
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.tanh() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class Layer:
    """A layer of neurons."""

    def __init__(self, n_in, n_out, **kwargs):
        self.neurons = [Neuron(n_in, **kwargs) for _ in range(n_out)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    """Multi-layer perceptron built from Value objects."""

    def __init__(self, n_in, n_outs):
        sz = [n_in] + n_outs
        self.layers = []
        for i in range(len(n_outs)):
            is_last = (i == len(n_outs) - 1)
            self.layers.append(Layer(sz[i], sz[i+1], nonlin=not is_last))

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


# ---------------------------------------------------------------- benchmark harness

class LCG:
    """BENCHMARKS.md: s = (s*1664525 + 1013904223) mod 2^32, then u = s / 2^32."""

    def __init__(self, seed):
        self.s = seed % 2**32

    def uniform(self, a):
        self.s = (self.s * 1664525 + 1013904223) % 2**32
        return (2 * (self.s / 2**32) - 1) * a


def w1_setup():
    data = LCG(1)
    xs, ys = [], []
    for _ in range(100):
        x0 = data.uniform(1)
        x1 = data.uniform(1)
        xs.append([x0, x1])
        ys.append(1.0 if x0 * x1 > 0 else -1.0)
    model = MLP(2, [16, 16, 1])
    wrng = LCG(2)
    for layer in model.layers:          # layer by layer, row by row ([out][in])
        for neuron in layer.neurons:
            for w in neuron.w:
                w.data = wrng.uniform(1)
            neuron.b.data = 0.0
    return model, xs, ys


def w1_step(model, xs, ys):
    preds = [model(x) for x in xs]
    losses = [(p - y) ** 2 for p, y in zip(preds, ys)]
    loss = sum(losses, Value(0.0)) * 0.01
    for p in model.parameters():
        p.grad = 0.0
    loss.backward()
    for p in model.parameters():
        p.data -= 0.05 * p.grad
    return loss.data


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv):
    runs, warmup, do_w2 = 5, 1, False
    i = 0
    while i < len(argv):
        if argv[i] == '--runs':
            runs = int(argv[i + 1]); i += 1
        elif argv[i] == '--warmup':
            warmup = int(argv[i + 1]); i += 1
        elif argv[i] == '--w2':
            do_w2 = True
        i += 1

    model, xs, ys = w1_setup()
    losses = []
    for _ in range(warmup):
        losses.append(w1_step(model, xs, ys))
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        losses.append(w1_step(model, xs, ys))
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({
        "impl": "micrograd-python", "workload": "W1", "unit": "ms/step",
        "median_ms": statistics.median(times), "mean_ms": statistics.mean(times),
        "min_ms": min(times), "max_ms": max(times), "runs": runs, "warmup": warmup,
        "times_ms": times, "first_loss": losses[0], "last_loss": losses[-1],
        "peak_rss_mb": peak_rss_mb(), "python": sys.version.split()[0],
    }), flush=True)

    if do_w2:
        for n in (10**5, 10**6):
            rec = {"impl": "micrograd-python", "workload": "W2", "n": n, "runs": 1}
            try:
                t0 = time.perf_counter()
                x0 = Value(0.5)
                x = x0
                for _ in range(n):
                    x = x * 1.00001 + 0.001
                t1 = time.perf_counter()
                rec["forward_ms"] = (t1 - t0) * 1000
                x.backward()
                rec["backward_ms"] = (time.perf_counter() - t1) * 1000
                rec["finished"] = True
                rec["grad"] = x0.grad
                rec["expected"] = 1.00001 ** n
            except RecursionError as e:
                rec["finished"] = False
                rec["error"] = f"backward: RecursionError: {e}"
            rec["peak_rss_mb"] = peak_rss_mb()
            print(json.dumps(rec), flush=True)


if __name__ == '__main__':
    main(sys.argv[1:])
