"""PyTorch CPU peer: one (workload, param) per process, printing one `RESULT {json}` line.

Usage: /usr/bin/python3 torch_bench.py <workload> <param|-> '{"warmup":1,"runs":5,"budgetMs":60000}'
Same data (lcg.py), same timing rules and result fields as the JS peers (child.mjs, harness.mjs)."""
import json
import math
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F

import lcg

torch.set_num_threads(2)
OPS = 1000


def t32(values, shape):
    return torch.tensor(values, dtype=torch.float32).reshape(shape)


def blas():
    """Which BLAS the process mapped (Debian's python3-torch uses whatever libblas.so.3 points to)."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    maps = open("/proc/self/maps").read()
    for name in ("openblas", "mkl", "blis", "libblas"):
        if name in maps:
            return "reference libblas" if name == "libblas" else name
    return "unknown"


def chain_length(phase, n):
    return n if phase == "timed" else min(n, 1000)


def trainer(loss_fn, params, lr):
    check, count = {}, [0]

    def step(phase):
        loss = loss_fn()
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None
        if count[0] < 2:
            check[f"loss{count[0]}"] = loss.item()
        count[0] += 1

    return step, check


def mlp(x, params, act):
    W1, b1, W2, b2, W3, b3 = params
    return act(act(x @ W1 + b1) @ W2 + b2) @ W3 + b3


def w1b(_):
    d = lcg.mlp_small()
    X, Y = t32(d["X"], (100, 2)), t32(d["y"], (100, 1))
    params = []
    for l in d["layers"]:
        params += [t32(lcg.transpose(l["W"], l["nout"], l["nin"]), (l["nin"], l["nout"])), torch.zeros(l["nout"])]
    for p in params:
        p.requires_grad_(True)
    return trainer(lambda: ((mlp(X, params, torch.tanh) - Y) ** 2).mean(), params, 0.05)


def w2(n):
    check = {}

    def step(phase):
        length = chain_length(phase, n)
        t0 = time.perf_counter()
        x0 = torch.tensor(0.5, requires_grad=True)
        x = x0
        for _ in range(length):
            x = x * 1.00001 + 0.001
        t1 = time.perf_counter()
        x.backward()
        t2 = time.perf_counter()
        if phase == "timed":
            expected = 1.00001 ** n
            dx = x0.grad.item()
            check.update(x_N=x.item(), dxN_dx0=dx, expected=expected, rel_err=abs(dx - expected) / expected)
        return {"fwd_ms": (t1 - t0) * 1e3, "bwd_ms": (t2 - t1) * 1e3}

    return step, check


def w3(n):
    d = lcg.matmul_inputs(n)
    a, b = t32(d["A"], (n, n)), t32(d["B"], (n, n))
    check = {}

    def step(phase):
        c = a @ b
        check.update(c00=c[0, 0].item(), c_last=c[n - 1, n - 1].item())

    return step, check


def w4(_):
    d = lcg.mlp_mnist()
    X, labels = t32(d["X"], (128, 784)), torch.tensor(d["labels"], dtype=torch.long)
    params = []
    for l in d["layers"]:
        params += [t32(l["W"], (l["nin"], l["nout"])), torch.zeros(l["nout"])]
    for p in params:
        p.requires_grad_(True)
    return trainer(lambda: F.cross_entropy(mlp(X, params, torch.relu), labels), params, 0.01)


def w5(_):
    x = t32(lcg.per_op_input(), (16,)).requires_grad_(True)
    check = {}

    def step(phase):
        h = x
        for k in range(OPS):
            h = h + 0.01 if k % 3 == 0 else h * 0.99 if k % 3 == 1 else torch.tanh(h)
        loss = h.sum()
        loss.backward()
        check.update(loss=loss.item(), grad_sum=x.grad.sum().item())
        x.grad = None

    return step, check


def w6(_):
    d = lcg.conv_inputs()
    X, W = t32(d["X"], (32, 1, 28, 28)), t32(d["W"], (32, 1, 3, 3)).requires_grad_(True)
    check = {}

    def step(phase):
        loss = torch.relu(F.conv2d(X, W)).sum()
        loss.backward()
        check.update(loss=loss.item(), grad_sum=W.grad.sum().item())
        W.grad = None

    return step, check


def o1(_):
    o, d = lcg.OPS_SPEC["O1"], lcg.op_inputs("O1")
    shape = (o["b"], o["n"], o["n"])
    a, b = t32(d["a"], shape), t32(d["b"], shape)
    check = {}

    def step(phase):
        with torch.no_grad():
            c = torch.einsum(o["equation"], a, b)
        check.update(c000=c[0, 0, 0].item(), c_last=c[-1, -1, -1].item())

    return step, check


def o2(_):
    o, d = lcg.OPS_SPEC["O2"], lcg.op_inputs("O2")
    h, i = o["hidden"], o["input"]
    lstm = torch.nn.LSTM(i, h)
    with torch.no_grad():
        for name, key, shape in [("weight_ih_l0", "wih", (4 * h, i)), ("weight_hh_l0", "whh", (4 * h, h)), ("bias_ih_l0", "bih", (4 * h,)), ("bias_hh_l0", "bhh", (4 * h,))]:
            getattr(lstm, name).copy_(t32(d[key], shape))
    x = t32(d["x"], (o["seq"], o["batch"], i))
    check = {}

    def step(phase):
        lstm.zero_grad(set_to_none=True)
        out, (hn, _) = lstm(x)
        loss = out.sum() + hn.sum()
        loss.backward()
        check.update(loss=loss.item(), grad_sum=lstm.weight_hh_l0.grad.sum().item())

    return step, check


def o3(_):
    o, d = lcg.OPS_SPEC["O3"], lcg.op_inputs("O3")
    x = t32(d["x"], (o["batch"], o["cin"], o["hw"], o["hw"])).requires_grad_(True)
    w = t32(d["w"], (o["cin"], o["cout"], o["k"], o["k"])).requires_grad_(True)
    check = {}

    def step(phase):
        x.grad = None
        w.grad = None
        loss = F.conv_transpose2d(x, w, None, stride=o["stride"], padding=o["padding"]).sum()
        loss.backward()
        check.update(loss=loss.item(), grad_sum=w.grad.sum().item())

    return step, check


def o4(_):
    n = lcg.OPS_SPEC["O4"]["n"]
    a = t32(lcg.op_inputs("O4")["A"], (n, n))
    spd = a @ a.T + n * torch.eye(n)
    check = {}

    def step(phase):
        with torch.no_grad():
            L = torch.linalg.cholesky(spd)
        check.update(l_last=L[-1, -1].item())

    return step, check


def o5(_):
    n = lcg.OPS_SPEC["O5"]["n"]
    a = t32(lcg.op_inputs("O5")["A"], (n, n))
    check = {}

    def step(phase):
        with torch.no_grad():
            U, S, Vh = torch.linalg.svd(a)
        check.update(s0=S[0].item(), s_last=S[-1].item())

    return step, check


WORKLOADS = {"W1b": w1b, "W2": w2, "W3": w3, "W4": w4, "W5": w5, "W6": w6, "O1": o1, "O2": o2, "O3": o3, "O4": o4, "O5": o5}


def rnd(x, digits=6):
    return float(f"{x:.{digits}g}")


MAX_WARMUP = 1000  # as harness.mjs


def measure(step, warmup=3, warmupMs=200, runs=5, maxRuns=31, targetMs=1000, budgetMs=60000):
    """Same rules as harness.mjs measure()."""
    w0, i = time.perf_counter(), 0
    while i < warmup or (i < MAX_WARMUP and (time.perf_counter() - w0) * 1e3 < warmupMs):
        step("first" if i == 0 else "warmup")
        i += 1
    times, extras, spent = [], {}, 0.0

    def more():
        if not times:
            return True
        return spent < budgetMs and (len(times) < runs or (len(times) < maxRuns and spent < targetMs))

    while more():
        t0 = time.perf_counter()
        extra = step("timed")
        dt = (time.perf_counter() - t0) * 1e3
        if extra and "fwd_ms" in extra:
            dt = extra["fwd_ms"] + extra["bwd_ms"]
        times.append(dt)
        spent += dt
        for k, v in (extra or {}).items():
            extras.setdefault(k, []).append(v)
    out = {"median_ms": rnd(statistics.median(times)), "min_ms": rnd(min(times)), "runs": len(times)}
    out.update({k: rnd(statistics.median(v)) for k, v in extras.items()})
    return out


def main():
    workload, raw_param = sys.argv[1], sys.argv[2]
    opts = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    param = None if raw_param == "-" else int(float(raw_param))
    # pytorch-avx2 (run.mjs AVX2_ENV): the same script with OpenBLAS and ATen held to AVX2 kernels.
    row = {"impl": os.environ.get("TORCH_BENCH_IMPL", "pytorch"), "workload": workload, "param": param}
    try:
        step, check = WORKLOADS[workload](param)
        row.update(measure(step, **opts))
        if workload in lcg.OPS_SPEC:
            row["title"] = lcg.OPS_SPEC[workload]["title"]
        row.update(version=torch.__version__, threads=torch.get_num_threads(), blas=blas())
        if os.environ.get("ATEN_CPU_CAPABILITY") or os.environ.get("OPENBLAS_CORETYPE"):
            row["kernels"] = f"ATEN_CPU_CAPABILITY={os.environ.get('ATEN_CPU_CAPABILITY', '')} OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '')}"
        if workload == "W3":
            row["gflops"] = rnd(2 * param**3 / (row["median_ms"] * 1e6), 5)
        if workload == "W5":
            row["us_per_op"] = row["median_ms"]  # total ms / 1000 ops, in µs
        row["check"] = check
    except Exception as e:  # noqa: BLE001 — reported, not hidden
        row["error"] = f"{type(e).__name__}: {str(e).splitlines()[0][:300] if str(e) else ''}"
    usage = resource.getrusage(resource.RUSAGE_SELF)
    row["rss_mb"] = rnd(usage.ru_maxrss / 1024)
    row["cpu_s"] = rnd(usage.ru_utime + usage.ru_stime, 4)
    print("RESULT " + json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
