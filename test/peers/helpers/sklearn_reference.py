"""
scikit-learn's randomized SVD, re-derived in numpy: the reference of the peer tests (test/peers).

What it reproduces (the algorithm, written here anew; only numpy is needed):
  - make_low_rank_matrix (sklearn/datasets/_samples_generator.py): U diag(profile) V^T with Haar-like
    U, V from the QR of Gaussian draws and the bell-plus-tail profile
    (1 - t) exp(-(i / R)^2) + t exp(-0.1 i / R), i = 0 .. min(m, n) - 1.
  - randomized_range_finder (sklearn/utils/extmath.py) [HMT11 Alg. 4.3, 4.4]: Gaussian Omega
    (n x l) from RandomState.normal, q power iterations A Q, A^T Q each followed by a normalizer
    ('none', 'LU' = the permuted L factor of partial-pivoting LU, 'QR'; 'auto' = 'none' for
    q <= 2, else 'LU'), then Q = qr(A Q).
  - randomized_svd: n_iter 'auto' = 7 if k < 0.1 min(m, n) else 4; transpose 'auto' = m < n
    (run on A^T, swap the factors back); SVD of Q^T A; flip_sign by svd_flip on the left factor of
    the input as given (u-based when not transposed, v-based on the transposed run's V^T).
  - svd_flip both decisions: u-based (largest |entry| of each column of U positive) and v-based
    (largest |entry| of each row of V^T positive), the first maximum on ties (numpy argmax).

scikit-learn is BSD-3-Clause, Copyright (c) 2007-2024 The scikit-learn developers; this file follows
its algorithm and parameters, not its code. Cross-checked against scikit-learn 1.2.1 (Debian's
python3-sklearn): the same matrices and the same factors to rounding for every normalizer.

Driver: `python3 sklearn_reference.py DIR < jobs.json` runs a list of jobs and prints one JSON
object {name: result}. Matrices are written to DIR/NAME.npy (float64, C order) so that the test
and this reference read the same values.

Jobs (the key "op" chooses):
  {"op": "matrix", "name", "gen": {...}, ["dtype": "float32"]}  -> {"shape", "s": exact singular values}
      gen kinds: make_low_rank_matrix {n_samples, n_features, effective_rank, tail_strength, random_state}
                 normalizer_case {random_state}  (sklearn's test_randomized_svd_power_iteration_normalizer matrix)
                 randn {m, n, random_state}, rand {m, n, random_state}, arange {m, n},
                 literal {rows}, sparse_tfidf {m, n, density, random_state},
                 planted {m, n, values, random_state, centered}  (exact rank len(values)),
                 pca_projection, pca_inverse, whitening {random_state}  (the data of those PCA tests)
  {"op": "rsvd", "name", "matrix", "n_components", ["n_oversamples", "n_iter",
   "power_iteration_normalizer", "transpose", "flip_sign", "random_state", "save", "center"]}
      -> {"s", "exact_s": s_exact[:k], "s_error": max |s_exact[:k] - s|, "fro_error": ||A - U S V^T||_F,
          "lowrank_error": max |U_k S_k V_k^T - U S V^T| (against the exact truncated SVD),
          "n_iter", "normalizer", "transposed"}; with "save": DIR/NAME.U.npy, .s.npy, .Vt.npy
  {"op": "flip", "name", "matrix", "u_based_decision", ["center"]}  -> exact SVD flipped, saved as NAME.U/.s/.Vt
  ("center": the column means are subtracted first, as PCA does)
"""
import json
import sys

import numpy as np


def check_random_state(seed):
    if isinstance(seed, np.random.RandomState):
        return seed
    return np.random.RandomState(seed)


def make_low_rank_matrix(n_samples=100, n_features=100, effective_rank=10, tail_strength=0.5, random_state=None):
    rng = check_random_state(random_state)
    n = min(n_samples, n_features)
    left, _ = np.linalg.qr(rng.standard_normal(size=(n_samples, n)))
    right, _ = np.linalg.qr(rng.standard_normal(size=(n_features, n)))
    i = np.arange(n, dtype=np.float64)
    profile = (1 - tail_strength) * np.exp(-1.0 * (i / effective_rank) ** 2) + tail_strength * np.exp(-0.1 * i / effective_rank)
    return (left * profile) @ right.T


def permuted_lower(x):
    """P L of the partial-pivoting LU x = P L U (m x k, k = min(m, n)): scipy.linalg.lu(x, permute_l=True)[0]."""
    a = np.array(x, dtype=np.float64)
    m, n = a.shape
    k = min(m, n)
    perm = np.arange(m)
    for j in range(k):
        p = j + int(np.argmax(np.abs(a[j:, j])))
        if p != j:
            a[[j, p]] = a[[p, j]]
            perm[[j, p]] = perm[[p, j]]
        if a[j, j] != 0:
            a[j + 1:, j] /= a[j, j]
            a[j + 1:, j + 1:] -= np.outer(a[j + 1:, j], a[j, j + 1:])
    lower = np.tril(a[:, :k], -1)
    lower[np.arange(k), np.arange(k)] = 1.0
    out = np.empty_like(lower)
    out[perm] = lower
    return out


def orthonormal(x):
    return np.linalg.qr(x)[0]


def resolve_normalizer(name, n_iter):
    if name == 'auto':
        return 'none' if n_iter <= 2 else 'LU'
    if name not in ('none', 'LU', 'QR'):
        raise ValueError(f'power_iteration_normalizer must be auto, none, LU or QR, found {name}')
    return name


def randomized_range_finder(a, size, n_iter, power_iteration_normalizer='auto', random_state=None):
    rng = check_random_state(random_state)
    q = rng.normal(size=(a.shape[1], size))
    kind = resolve_normalizer(power_iteration_normalizer, n_iter)
    step = {'none': lambda x: x, 'LU': permuted_lower, 'QR': orthonormal}[kind]
    for _ in range(n_iter):
        q = step(a @ q)
        q = step(a.T @ q)
    return orthonormal(a @ q), kind


def svd_flip(u, vt, u_based_decision=True):
    u = u.copy()
    vt = vt.copy()
    if u_based_decision:
        pick = np.argmax(np.abs(u), axis=0)
        signs = np.sign(u[pick, np.arange(u.shape[1])])
    else:
        pick = np.argmax(np.abs(vt), axis=1)
        signs = np.sign(vt[np.arange(vt.shape[0]), pick])
    u *= signs[np.newaxis, :]
    vt *= signs[:, np.newaxis]
    return u, vt


def auto_n_iter(n_components, shape):
    return 7 if n_components < 0.1 * min(shape) else 4


def randomized_svd(m, n_components, n_oversamples=10, n_iter='auto', power_iteration_normalizer='auto',
                   transpose='auto', flip_sign=True, random_state=None):
    rng = check_random_state(random_state)
    n_random = n_components + n_oversamples
    rows, cols = m.shape
    if n_iter == 'auto':
        n_iter = auto_n_iter(n_components, m.shape)
    if transpose == 'auto':
        transpose = rows < cols
    if transpose:
        m = m.T
    q, kind = randomized_range_finder(m, n_random, n_iter, power_iteration_normalizer, rng)
    b = q.T @ m
    uhat, s, vt = np.linalg.svd(b, full_matrices=False)
    u = q @ uhat
    if flip_sign:
        # the decision is always on the left factor of the matrix as given
        u, vt = svd_flip(u, vt, u_based_decision=not transpose)
    info = {'n_iter': n_iter, 'normalizer': kind, 'transposed': bool(transpose)}
    if transpose:
        return vt[:n_components].T, s[:n_components], u[:, :n_components].T, info
    return u[:, :n_components], s[:n_components], vt[:n_components], info


def sparse_tfidf(m, n, density, random_state):
    """A small tf-idf-like matrix: `density` of the entries nonzero at random places, values 1 + log(uniform)."""
    rng = check_random_state(random_state)
    k = int(round(density * m * n))
    where = rng.choice(m * n, size=k, replace=False)
    x = np.zeros(m * n)
    x[where] = 1 + np.log(rng.uniform(size=k))
    return x.reshape(m, n)


def generate(gen):
    kind = gen['kind']
    if kind == 'make_low_rank_matrix':
        return make_low_rank_matrix(gen['n_samples'], gen['n_features'], gen.get('effective_rank', 10),
                                    gen.get('tail_strength', 0.5), gen['random_state'])
    if kind == 'normalizer_case':
        rng = np.random.RandomState(gen['random_state'])
        x = make_low_rank_matrix(100, 500, effective_rank=50, random_state=rng)
        return x + 3 * rng.randint(0, 2, size=x.shape)
    if kind == 'randn':
        return np.random.RandomState(gen['random_state']).randn(gen['m'], gen['n'])
    if kind == 'rand':
        return np.random.RandomState(gen['random_state']).rand(gen['m'], gen['n'])
    if kind == 'arange':
        return np.arange(gen['m'] * gen['n'], dtype=np.float64).reshape(gen['m'], gen['n'])
    if kind == 'literal':
        return np.array(gen['rows'], dtype=np.float64)
    if kind == 'sparse_tfidf':
        return sparse_tfidf(gen['m'], gen['n'], gen['density'], gen['random_state'])
    if kind == 'planted':
        # U diag(values) V^T with orthonormal U (m x r), V (n x r) from QR of Gaussian draws; with
        # "centered", the columns of U are orthogonal to the ones vector (column means of A are 0)
        rng = np.random.RandomState(gen['random_state'])
        values = np.asarray(gen['values'], dtype=np.float64)
        g = rng.randn(gen['m'], len(values))
        if gen.get('centered'):
            g -= g.mean(axis=0)
        left = np.linalg.qr(g)[0]
        right = np.linalg.qr(rng.randn(gen['n'], len(values)))[0]
        return (left * values) @ right.T
    if kind == 'pca_projection':
        # test_pca_check_projection's data: X (rows 0..n-1) and the new point Xt (last row)
        rng = np.random.RandomState(gen['random_state'])
        x = rng.randn(100, 3) * 0.1
        x[:10] += np.array([3, 4, 5])
        xt = 0.1 * rng.randn(1, 3) + np.array([3, 4, 5])
        return np.vstack([x, xt])
    if kind == 'pca_inverse':
        rng = np.random.RandomState(gen['random_state'])
        x = rng.randn(50, 3)
        x[:, 1] *= 0.00001
        return x + np.array([5, 4, 3])
    if kind == 'whitening':
        rng = np.random.RandomState(gen['random_state'])
        x = rng.randn(100, 50) @ (np.diag(np.linspace(10.0, 1.0, 50)) @ rng.randn(50, 80))
        x[:, :50] *= 3
        return x
    raise ValueError(f'unknown generator {kind}')


def run(jobs, out_dir):
    mats = {}
    exact = {}
    results = {}

    def exact_svd(key, x):
        if key not in exact:
            exact[key] = np.linalg.svd(x, full_matrices=False)
        return exact[key]

    for job in jobs:
        op, name = job['op'], job['name']
        if op == 'matrix':
            x = generate(job['gen'])
            if job.get('dtype') == 'float32':
                x = x.astype(np.float32).astype(np.float64)
            mats[name] = x
            np.save(f'{out_dir}/{name}.npy', np.ascontiguousarray(x, dtype=np.float64))
            results[name] = {'shape': list(x.shape), 's': np.linalg.svd(x, compute_uv=False).tolist()}
        elif op == 'rsvd':
            x = mats[job['matrix']]
            if job.get('center'):
                x = x - x.mean(axis=0)
            k = job['n_components']
            u, s, vt, info = randomized_svd(
                x, k, n_oversamples=job.get('n_oversamples', 10), n_iter=job.get('n_iter', 'auto'),
                power_iteration_normalizer=job.get('power_iteration_normalizer', 'auto'),
                transpose=job.get('transpose', 'auto'), flip_sign=job.get('flip_sign', True),
                random_state=job.get('random_state', 0))
            ue, se, vte = exact_svd((job['matrix'], bool(job.get('center'))), x)
            approx = (u * s) @ vt
            best = (ue[:, :k] * se[:k]) @ vte[:k]
            results[name] = {
                's': s.tolist(),
                'exact_s': se[:k].tolist(),
                's_error': float(np.max(np.abs(se[:k] - s))),
                'fro_error': float(np.linalg.norm(x - approx)),
                'lowrank_error': float(np.max(np.abs(best - approx))),
                **info,
            }
            if job.get('save'):
                np.save(f'{out_dir}/{name}.U.npy', u)
                np.save(f'{out_dir}/{name}.s.npy', s)
                np.save(f'{out_dir}/{name}.Vt.npy', vt)
        elif op == 'flip':
            x = mats[job['matrix']]
            if job.get('center'):
                x = x - x.mean(axis=0)
            u, s, vt = exact_svd((job['matrix'], bool(job.get('center'))), x)
            u, vt = svd_flip(u, vt, u_based_decision=job['u_based_decision'])
            np.save(f'{out_dir}/{name}.U.npy', u)
            np.save(f'{out_dir}/{name}.s.npy', s)
            np.save(f'{out_dir}/{name}.Vt.npy', vt)
            results[name] = {'reconstruction_error': float(np.max(np.abs((u * s) @ vt - x)))}
        else:
            raise ValueError(f'unknown op {op}')
    return results


if __name__ == '__main__':
    json.dump(run(json.load(sys.stdin), sys.argv[1]), sys.stdout)
