"""Helper of bench/rsi-vs-numpy.ts (the peer side and the accuracy oracle).

  python3 bench/rsi-vs-numpy.py gen PATH M N            -> write a float32 .npy with sigma_j = j^-1 (Haar factors)
  python3 bench/rsi-vs-numpy.py rsi PATH P RANK P_OVER OUT  -> numpy RSI, q = P - 1, QR at every half step [HMT11 Alg. 4.4]
  python3 bench/rsi-vs-numpy.py err PATH RANK PREFIX...  -> normalized spectral errors of saved factors
Prints one JSON line.
"""
import json, resource, sys, time
import numpy as np

def rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

cmd = sys.argv[1]
if cmd == 'gen':
    path, m, n = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    rng = np.random.default_rng(0)
    u, _ = np.linalg.qr(rng.standard_normal((m, n)))
    v, _ = np.linalg.qr(rng.standard_normal((n, n)))
    s = 1.0 / np.arange(1, n + 1)
    np.save(path, ((u * s) @ v.T).astype(np.float32))
    print(json.dumps({'ok': True}))
elif cmd == 'rsi':
    path, P, r, p, out = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    base = rss_kb()
    t0 = time.perf_counter()
    a = np.load(path).astype(np.float64)
    m, n = a.shape
    l = min(r + p, m, n)
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(a @ rng.standard_normal((n, l)))
    for _ in range(P - 1):
        qt, _ = np.linalg.qr(a.T @ q)
        q, _ = np.linalg.qr(a @ qt)
    ub, s, vt = np.linalg.svd(q.T @ a, full_matrices=False)
    u = q @ ub[:, :r]
    secs = time.perf_counter() - t0
    np.save(out + '.u.npy', u); np.save(out + '.s.npy', s[:r]); np.save(out + '.v.npy', vt[:r].T)
    print(json.dumps({'seconds': secs, 'maxRssKB': rss_kb(), 'baseRssKB': base}))
elif cmd == 'err':
    path, r = sys.argv[2], int(sys.argv[3])
    a = np.load(path).astype(np.float64)
    sig = np.linalg.svd(a, compute_uv=False)
    res = {}
    for prefix in sys.argv[4:]:
        u, s, v = np.load(prefix + '.u.npy'), np.load(prefix + '.s.npy'), np.load(prefix + '.v.npy')
        res[prefix] = float(np.linalg.norm(a - (u * s) @ v.T, 2) / sig[r])
    print(json.dumps(res))
