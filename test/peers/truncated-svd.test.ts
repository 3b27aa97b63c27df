/**
 * Follows the randomized paths of scikit-learn's sklearn/decomposition/tests/test_truncated_svd.py
 * (TruncatedSVD(algorithm='randomized'): randomized_svd with n_iter=5, n_oversamples=10, flip by V):
 *   test_solvers, test_attributes, test_too_many_components, test_inverse_transform,
 *   test_explained_variance, test_explained_variance_components_10_20,
 *   test_singular_values_consistency, test_singular_values_expected, test_fit_transform.
 *
 * TruncatedSVD is randomized_svd without centering; its attributes map to our factors:
 * components_ = V^T, singular_values_ = s, transform(X) = X V, inverse_transform = U S V^T (or
 * X V V^T), explained_variance_ = var(X V, axis 0), explained_variance_ratio_ = that / sum(var(X)).
 * The matrices: scikit-learn's tf-idf-like 60 x 55 sparse matrix (20% nonzero, 1 + log(uniform)),
 * by our own generator in the reference (random_state 42, as the test, and 0, 1), and randn draws.
 * Ours: `randomizedSvd` (n_iter 5 = `powerIterations: 5`), and the CLI where it adds a path.
 * The "arpack" side of test_solvers is numpy's exact SVD, flipped by our rule (the reference).
 * The bounds hold on every draw for both scikit-learn's algorithm and ours: no ratio is needed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Matrix, Matrix64 } from '../../src/matrix.js';
import { multiply } from '../../src/multipass/multiply.js';
import { randomizedSvd } from '../../src/multipass/randomized-svd.js';
import { ensureBuilt, runCli } from '../helpers/cli-harness.js';
import { cliApprox, fromRowsOf, pool, product, sketchOnce, type Triplets } from './helpers/peers.js';
import { hasNumpy, Reference, type Job } from './helpers/sklearn-reference.js';

const TFIDF = [42, 0, 1];
const RANDN = [0, 1, 2, 3, 4];
const at = (a: Matrix, i: number, j: number): number => a.data[a.offset + i * a.stride + j];

/** Column variances (ddof 0), as np.var(X, axis=0). */
function columnVariances(x: Matrix): number[] {
  return Array.from({ length: x.cols }, (_, j) => {
    let mu = 0;
    for (let i = 0; i < x.rows; i++) mu += at(x, i, j);
    mu /= x.rows;
    let v = 0;
    for (let i = 0; i < x.rows; i++) v += (at(x, i, j) - mu) ** 2;
    return v / x.rows;
  });
}
/** explained_variance_ratio_ of TruncatedSVD: var(X V) / sum(var(X)). */
function explainedVarianceRatio(x: Matrix64, f: Triplets): number[] {
  const total = columnVariances(x).reduce((a, b) => a + b, 0);
  return columnVariances(multiply(x, f.v)).map((v) => v / total);
}
/** The first `c` columns of X V (transform), as a flat array. */
function scores(x: Matrix64, v: Matrix, c: number): number[] {
  const t = multiply(x, v);
  return Array.from({ length: x.rows * c }, (_, k) => at(t, Math.floor(k / c), k % c));
}
/** assert_allclose(actual, desired, rtol, atol): every |a - d| <= atol + rtol |d|; returns the worst excess ratio. */
function allclose(actual: ArrayLike<number>, desired: ArrayLike<number>, rtol: number, atol = 0): number {
  let worst = 0;
  for (let i = 0; i < desired.length; i++) worst = Math.max(worst, Math.abs(actual[i] - desired[i]) / (atol + rtol * Math.abs(desired[i])));
  return worst;
}
const absRows = (v: Matrix, from: number, to: number): number[] => {
  const out: number[] = [];
  for (let j = from; j < to; j++) for (let i = 0; i < v.rows; i++) out.push(Math.abs(at(v, i, j)));
  return out;
};

describe.skipIf(!hasNumpy())('TruncatedSVD(algorithm="randomized") tests', () => {
  let ref: Reference;
  let res: ReturnType<Reference['run']>;

  beforeAll(async () => {
    await ensureBuilt();
    ref = new Reference();
    const jobs: Job[] = [];
    for (const d of TFIDF) {
      jobs.push({ op: 'matrix', name: `t${d}`, gen: { kind: 'sparse_tfidf', m: 60, n: 55, density: 0.2, random_state: d } });
      jobs.push({ op: 'flip', name: `t${d}ex`, matrix: `t${d}`, u_based_decision: false });
    }
    for (const d of RANDN) {
      jobs.push({ op: 'matrix', name: `n${d}`, gen: { kind: 'randn', m: 100, n: 80, random_state: d } });
      jobs.push({ op: 'rsvd', name: `n${d}r`, matrix: `n${d}`, n_components: 2, n_iter: 5, random_state: d, save: true });
      jobs.push({ op: 'matrix', name: `e${d}`, gen: { kind: 'planted', m: 100, n: 110, values: [3.142, 2.718, 1.0], random_state: d } });
    }
    res = ref.run(jobs);
  }, 240_000);
  afterAll(() => ref?.dispose());

  const exactOf = (d: number): Triplets => ({ u: ref.matrix(`t${d}ex.U`), s: ref.matrix(`t${d}ex.s`).data, v: fromRowsOf(ref.matrix(`t${d}ex.Vt`)) });

  it('test_solvers: rank 30 with n_oversamples 100 matches the exact SVD (X V[:, :6] rtol 2e-3, |V| rtol 1e-3 / atol 1e-2), library and CLI', async () => {
    const clis = await pool(TFIDF.map((d) => () => cliApprox(ref.path(`t${d}`), ref.dir, `solv${d}`, ['--rank', '30', '--co-range-dim', '130', '--passes', '6', '--seed', String(d)])));
    TFIDF.forEach((d, i) => {
      const x = ref.matrix(`t${d}`), ex = exactOf(d);
      const want = scores(x, ex.v, 6);
      for (const [what, f] of [['randomizedSvd', randomizedSvd(x, { rank: 30, oversamples: 100, powerIterations: 5, seed: d })], ['CLI', clis[i].factors]] as const) {
        expect(allclose(scores(x, f.v, 6), want, 2e-3), `${what} draw ${d}: X V`).toBeLessThanOrEqual(1);
        expect(allclose(absRows(f.v, 0, 9), absRows(ex.v, 0, 9), 1e-3), `${what} draw ${d}: |V| leading 9`).toBeLessThanOrEqual(1);
        expect(allclose(absRows(f.v, 9, 30), absRows(ex.v, 9, 30), 0, 1e-2), `${what} draw ${d}: |V| others`).toBeLessThanOrEqual(1);
      }
      expect(clis[i].json.sketch).toMatchObject({ l: 55, powerIterations: 5 });
    });
  }, 120_000);

  it('test_solvers, negative control: without oversampling and power iterations X V misses rtol 2e-3', () => {
    for (const d of TFIDF) {
      const x = ref.matrix(`t${d}`);
      const f = randomizedSvd(x, { rank: 30, oversamples: 0, powerIterations: 0, seed: d });
      expect(allclose(scores(x, f.v, 6), scores(x, exactOf(d).v, 6), 2e-3)).toBeGreaterThan(1);
    }
  });

  it('test_attributes, test_too_many_components: shapes for ranks 10, 25, 41; a rank above min(m, n) is refused (library and CLI)', async () => {
    const x = ref.matrix('t42');
    for (const r of [10, 25, 41]) {
      const f = randomizedSvd(x, { rank: r, seed: 0 });
      expect([f.u.rows, f.u.cols, f.s.length, f.v.rows, f.v.cols]).toEqual([60, r, r, 55, r]);
    }
    expect(randomizedSvd(x, { rank: 55, seed: 0 }).s.length).toBe(55);
    expect(() => randomizedSvd(x, { rank: 56, seed: 0 })).toThrow(/rank 56 exceeds min\(rows, cols\) = 55/);
    const run = await runCli(['approx', ref.path('t42'), '--rank', '56', '--passes', '2', '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/rank 56 exceeds min\(rows, cols\) = 55/);
  }, 60_000);

  it('test_inverse_transform: rank 52 reconstructs X to rtol 0.1, atol 0.2, library and single-pass sketch', () => {
    for (const d of TFIDF) {
      const x = ref.matrix(`t${d}`);
      for (const f of [randomizedSvd(x, { rank: 52, seed: d }), sketchOnce(x, { rank: 52, seed: d })]) {
        expect(allclose(product(f).data, x.data, 0.1, 0.2)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('test_explained_variance(_components_10_20): ratios in (0, 1), sum below 1; rank 10 and rank 20 agree on the first 10 to rtol 5e-3 (n_iter 10)', () => {
    for (const d of TFIDF) {
      const x = ref.matrix(`t${d}`);
      const r10 = explainedVarianceRatio(x, randomizedSvd(x, { rank: 10, powerIterations: 10, seed: d }));
      const r20 = explainedVarianceRatio(x, randomizedSvd(x, { rank: 20, powerIterations: 10, seed: d }));
      for (const r of [r10, r20]) {
        expect(Math.min(...r)).toBeGreaterThan(0);
        expect(r.reduce((a, b) => a + b, 0)).toBeLessThan(1);
      }
      expect(allclose(r10, r20.slice(0, 10), 5e-3), `draw ${d}`).toBeLessThanOrEqual(1);
      expect(r20.reduce((a, b) => a + b, 0)).toBeGreaterThan(r10.reduce((a, b) => a + b, 0));
    }
  });

  it('test_singular_values_consistency: randn(100, 80), rank 2, n_iter 5: sum s^2 and each s against X V to rtol 1e-2, ours and the reference', () => {
    const check = (x: Matrix64, f: Triplets, what: string): void => {
      const xv = multiply(x, f.v);
      const norms = [0, 1].map((j) => Math.sqrt(Array.from({ length: x.rows }, (_, i) => at(xv, i, j) ** 2).reduce((a, b) => a + b, 0)));
      const fro2 = norms[0] ** 2 + norms[1] ** 2;
      expect(allclose([f.s[0] ** 2 + f.s[1] ** 2], [fro2], 1e-2), what).toBeLessThanOrEqual(1);
      expect(allclose(Array.from(f.s), norms, 1e-2), what).toBeLessThanOrEqual(1);
    };
    for (const d of RANDN) {
      const x = ref.matrix(`n${d}`);
      check(x, randomizedSvd(x, { rank: 2, powerIterations: 5, seed: d }), `ours draw ${d}`);
      check(x, { u: ref.matrix(`n${d}r.U`), s: res[`n${d}r`].s, v: fromRowsOf(ref.matrix(`n${d}r.Vt`)) }, `reference draw ${d}`);
    }
  });

  it('test_singular_values_expected: a rank-3 matrix with singular values 3.142, 2.718, 1.0 gives them back to rtol 1e-14 (library, sketch, CLI)', async () => {
    const want = [3.142, 2.718, 1.0];
    const clis = await pool(RANDN.slice(0, 2).map((d) => () => cliApprox(ref.path(`e${d}`), ref.dir, `exp${d}`, ['--rank', '3', '--passes', '6', '--seed', String(d)])));
    for (const d of RANDN) {
      const x = ref.matrix(`e${d}`);
      expect(allclose(Array.from(randomizedSvd(x, { rank: 3, powerIterations: 5, seed: d }).s), want, 1e-14), `draw ${d}`).toBeLessThanOrEqual(1);
      expect(allclose(Array.from(sketchOnce(x, { rank: 3, seed: d }).s), want, 1e-14), `sketch draw ${d}`).toBeLessThanOrEqual(1);
    }
    clis.forEach((c, i) => expect(allclose(c.json.singularValues, want, 1e-14), `CLI draw ${i}`).toBeLessThanOrEqual(1));
  }, 60_000);

  it('test_fit_transform: the same seed gives the same numbers, bit for bit (library; CLI factor files)', async () => {
    const x = ref.matrix('t42');
    expect(randomizedSvd(x, { rank: 5, powerIterations: 7, seed: 42 })).toEqual(randomizedSvd(x, { rank: 5, powerIterations: 7, seed: 42 }));
    const args = ['--rank', '5', '--passes', '8', '--seed', '42'];
    await pool([() => cliApprox(ref.path('t42'), ref.dir, 'ft1', args), () => cliApprox(ref.path('t42'), ref.dir, 'ft2', args)]);
    for (const f of ['U', 'S', 'V']) expect(readFileSync(join(ref.dir, `ft1.${f}.npy`)).equals(readFileSync(join(ref.dir, `ft2.${f}.npy`))), f).toBe(true);
  }, 60_000);
});
