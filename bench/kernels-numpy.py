"""numpy side of bench/kernels.ts: a line-protocol server so both sides are measured interleaved.

Each stdin line is JSON {"op": "range"|"corange", "dtype", "b", "n", "k", "reps", "warm"}; each
answer is one JSON line {"seconds": median of reps timed calls}, after one untimed call when "warm"
is true. Thread count comes from OPENBLAS_NUM_THREADS / OMP_NUM_THREADS set by the caller. Calls
write into a preallocated output (np.matmul(out=...)); operands are kept between requests for the
same shape, so the TypeScript side can interleave single timed calls of both libraries.
"""
import json
import sys
import time

import numpy as np

rng = np.random.default_rng(12345)
cache = {}


def operand(key, shape, dtype):
    if key not in cache or cache[key].shape != shape or cache[key].dtype != dtype:
        cache.pop(key, None)
        cache[key] = rng.standard_normal(shape, dtype=dtype)
    return cache[key]


print(json.dumps({"numpy": np.__version__}), flush=True)
for line in sys.stdin:
    q = json.loads(line)
    dt = np.float32 if q["dtype"] == "float32" else np.float64
    b, n, k = q["b"], q["n"], q["k"]
    a = operand("a", (b, n), dt)
    if q["op"] == "range":
        omega = operand("omega", (n, k), dt)
        out = operand("y", (b, k), dt)
        run = lambda: np.matmul(a, omega, out=out)
    else:
        g = operand("g", (b, k), dt)
        out = operand("x", (k, n), dt)
        run = lambda: np.matmul(g.T, a, out=out)
    if q.get("warm", True):
        run()
    ts = []
    for _ in range(q["reps"]):
        t0 = time.perf_counter()
        run()
        ts.append(time.perf_counter() - t0)
    print(json.dumps({"seconds": float(np.median(ts))}), flush=True)
