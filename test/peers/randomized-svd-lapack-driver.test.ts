/**
 * Follows scikit-learn's sklearn/utils/tests/test_extmath.py::test_randomized_svd_lapack_driver.
 *
 * The property: two routes to the same randomized SVD (the SVD of the small projected matrix by
 * LAPACK's gesdd or by gesvd) agree: U, s and V^T with the same shapes and equal entry by entry to
 * rtol 1e-3 (atol 0), over X = rand(n, m) for n, m in {50, 100, 300}, k in {10, 20, 50},
 * random_state 0-4 of the matrix (the algorithm at random_state 0, n_iter 'auto').
 *
 * We have one dense SVD; our two routes to one result are the in-memory randomized subspace
 * iteration (Householder QR of A Omega and of each half step) and the streaming Gram pass that the
 * CLI runs over a file (`runPasses`: G = A X and H = A^T G in one pass, R^{-1} instead of a second
 * look at A) [Yu17]. Same grid, same rtol 1e-3 with atol 0 on every entry of U, s and V, at
 * n_iter 'auto' (7 if k < 0.1 min(n, m), else 4) and p = 10 (l capped at min(n, m)); and the CLI over
 * the .npy file for one matrix per shape. The negative control: another seed moves the entries by
 * far more than 1e-3, so the agreement is not that of any two approximations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomizedSubspaceIteration } from '../../src/multipass/randomized-subspace-iteration.js';
import { runPasses } from '../../streams/run-passes.js';
import { ensureBuilt } from '../helpers/cli-harness.js';
import { matrixSource } from '../helpers/matrix-source.js';
import { cliApprox, pool, type Triplets } from './helpers/peers.js';
import { hasNumpy, Reference, type Job } from './helpers/sklearn-reference.js';

const SIZES = [50, 100, 300];
const KS = [10, 20, 50];
const SEEDS = [0, 1, 2, 3, 4];

/** max over entries of |a - b| / |b| (assert_allclose with atol 0); Infinity when b = 0 and a != 0. */
function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let w = 0;
  for (let i = 0; i < a.length; i++) { const d = Math.abs(a[i] - b[i]); if (d > 0) w = Math.max(w, d / Math.abs(b[i])); }
  return w;
}
const packed = (f: Triplets): number[][] => [Array.from(f.u.data), Array.from(f.s), Array.from(f.v.data)];
const qAuto = (k: number, n: number, m: number): number => (k < 0.1 * Math.min(n, m) ? 7 : 4);

describe.skipIf(!hasNumpy())('test_randomized_svd_lapack_driver: two routes to one randomized SVD agree to rtol 1e-3', () => {
  let ref: Reference;

  beforeAll(async () => {
    await ensureBuilt();
    ref = new Reference();
    const jobs: Job[] = [];
    for (const n of SIZES) for (const m of SIZES) for (const seed of SEEDS) jobs.push({ op: 'matrix', name: `x${n}_${m}_${seed}`, gen: { kind: 'rand', m: n, n: m, random_state: seed } });
    ref.run(jobs);
  }, 240_000);
  afterAll(() => ref?.dispose());

  it('in-memory RSI and the streaming Gram pass: same shapes, every entry of U, s, V to rtol 1e-3 (135 cases)', async () => {
    const bad: string[] = [];
    for (const n of SIZES) for (const m of SIZES) for (const k of KS) for (const seed of SEEDS) {
      const a = ref.matrix(`x${n}_${m}_${seed}`);
      const q = qAuto(k, n, m);
      const lib = randomizedSubspaceIteration(a, { rank: k, oversamples: 10, powerIterations: q, seed: 0 });
      const l = Math.min(k + 10, n, m);
      const out = await runPasses(matrixSource(a, 64), { method: 'rsi', passes: q + 1, rank: k, oversamples: l - k }, { seed: 0 });
      const st = { u: out.u!, s: out.s, v: out.v! };
      expect([st.u.rows, st.u.cols, st.s.length, st.v.rows, st.v.cols]).toEqual([n, k, k, m, k]);
      const [lu, ls, lv] = packed(lib), [su, ss, sv] = packed(st);
      const w = Math.max(maxRel(su!, lu!), maxRel(ss!, ls!), maxRel(sv!, lv!));
      if (!(w <= 1e-3)) bad.push(`n ${n} m ${m} k ${k} seed ${seed}: ${w}`);
    }
    expect(bad).toEqual([]);
  }, 60_000);

  it('the CLI over the .npy file equals the in-memory RSI to rtol 1e-3 (one matrix per shape, k = 10)', async () => {
    const cases = SIZES.flatMap((n) => SIZES.map((m) => ({ n, m })));
    const runs = await pool(cases.map(({ n, m }) => () => cliApprox(ref.path(`x${n}_${m}_0`), ref.dir, `c${n}_${m}`, [
      '--rank', '10', '--passes', String(qAuto(10, n, m) + 1), '--co-range-dim', '20', '--orientation', 'rows'])));
    cases.forEach(({ n, m }, i) => {
      const lib = randomizedSubspaceIteration(ref.matrix(`x${n}_${m}_0`), { rank: 10, oversamples: 10, powerIterations: qAuto(10, n, m), seed: 0 });
      const [lu, ls, lv] = packed(lib), [cu, cs, cv] = packed(runs[i].factors);
      expect(Math.max(maxRel(cu!, lu!), maxRel(cs!, ls!), maxRel(cv!, lv!)), `${n} x ${m}`).toBeLessThanOrEqual(1e-3);
    });
  }, 120_000);

  it('negative control: the same route with another seed differs by far more than 1e-3', () => {
    const a = ref.matrix('x300_300_0');
    const one = packed(randomizedSubspaceIteration(a, { rank: 10, powerIterations: 7, seed: 0 }));
    const two = packed(randomizedSubspaceIteration(a, { rank: 10, powerIterations: 7, seed: 1 }));
    expect(maxRel(two[2], one[2])).toBeGreaterThan(1);
  });
});
