"""Python twin of data.mjs: the same LCG and workload data (lists of Python floats,
already rounded to float32 where the JS side stores float32)."""
import json
import math
import os
import struct


def lcg(seed):
    s = seed & 0xFFFFFFFF

    def draw():
        nonlocal s
        s = (s * 1664525 + 1013904223) % 4294967296
        return s / 4294967296

    return draw


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def uniform(rand, count, a=1.0):
    return [f32((2 * rand() - 1) * a) for _ in range(count)]


def scaled(rand, count, fan_in):
    return [f32(((2 * rand() - 1) * 1) / math.sqrt(fan_in)) for _ in range(count)]


def transpose(m, rows, cols):
    return [m[r * cols + c] for c in range(cols) for r in range(rows)]


def mlp_small():
    X = uniform(lcg(1), 200)
    y = [1.0 if X[2 * i] * X[2 * i + 1] > 0 else -1.0 for i in range(100)]
    r = lcg(2)
    layers = [dict(nin=nin, nout=nout, W=uniform(r, nout * nin)) for nin, nout in [(2, 16), (16, 16), (16, 1)]]
    return dict(X=X, y=y, layers=layers)


def matmul_inputs(n):
    r = lcg(9)
    return dict(A=uniform(r, n * n), B=uniform(r, n * n))


def mlp_mnist():
    X = uniform(lcg(3), 128 * 784)
    labels = [i % 10 for i in range(128)]
    r = lcg(4)
    layers = [dict(nin=nin, nout=nout, W=scaled(r, nin * nout, nin)) for nin, nout in [(784, 256), (256, 256), (256, 10)]]
    return dict(X=X, labels=labels, layers=layers)


def per_op_input():
    return uniform(lcg(6), 16)


def conv_inputs():
    return dict(X=uniform(lcg(7), 32 * 28 * 28), W=uniform(lcg(8), 32 * 9, 1 / 3))


with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "ops.json")) as _f:
    OPS_SPEC = json.load(_f)  # O1-O5 sizes and titles, shared with data.mjs


def op_inputs(id):
    """O1-O5 inputs, as data.mjs opInputs (seeds 30-36), in the same key order."""
    o = OPS_SPEC[id]
    if id == "O1":
        r = lcg(30)
        return dict(a=uniform(r, o["b"] * o["n"] ** 2), b=uniform(r, o["b"] * o["n"] ** 2))
    if id == "O2":
        r, h = lcg(32), o["hidden"]
        a = 1 / math.sqrt(h)
        x = uniform(lcg(31), o["seq"] * o["batch"] * o["input"])
        return dict(x=x, wih=uniform(r, 4 * h * o["input"], a), whh=uniform(r, 4 * h * h, a), bih=uniform(r, 4 * h, a), bhh=uniform(r, 4 * h, a))
    if id == "O3":
        return dict(x=uniform(lcg(33), o["batch"] * o["cin"] * o["hw"] ** 2), w=uniform(lcg(34), o["cin"] * o["cout"] * o["k"] ** 2, 1 / 4))
    if id in ("O4", "O5"):
        return dict(A=uniform(lcg(35 if id == "O4" else 36), o["n"] ** 2))
    raise ValueError(f"unknown op workload {id}")


def total(a):
    t = 0.0
    for v in a:  # plain left-to-right double sum, like data.mjs (not math.fsum)
        t += v
    return t


def fingerprint():
    s, m, c, mm = mlp_small(), mlp_mnist(), conv_inputs(), matmul_inputs(4)
    r = lcg(1)
    return dict(
        raw_seed1=[r() for _ in range(4)],
        w1_X=s["X"][:4], w1_y=s["y"][:4], w1_W3=s["layers"][2]["W"][:4],
        w3_B=mm["B"][:4], w4_X=m["X"][:4], w4_W1=m["layers"][0]["W"][:4], w4_W3=m["layers"][2]["W"][:4],
        w5_x=per_op_input()[:4], w6_X=c["X"][:4], w6_W=c["W"][:4],
        ops=[[[*v[:4], total(v)] for v in op_inputs(id).values()] for id in ["O1", "O2", "O3", "O4", "O5"]],
        sums=[total(a) for a in [s["X"], *[l["W"] for l in s["layers"]], m["X"], *[l["W"] for l in m["layers"]],
                                 c["X"], c["W"], matmul_inputs(64)["A"]]],
    )


if __name__ == "__main__":
    print(json.dumps(fingerprint()))
