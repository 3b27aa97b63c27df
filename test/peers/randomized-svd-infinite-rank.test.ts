/**
 * Follows scikit-learn's sklearn/utils/tests/test_extmath.py::test_randomized_svd_infinite_rank,
 * and the wide-input part of issue 14 (scikit-learn's `transpose='auto'`).
 *
 * The property: a 100 x 500 matrix whose singular values decay slowly without end
 * (make_low_rank_matrix, effective_rank=5, tail_strength=1.0: sigma_i = exp(-0.02 i)), k = 10.
 * With n_iter=0 the largest singular-value error exceeds 0.1 (negative control); with n_iter=5 it
 * is below 1.5e-3 (`decimal=3`).
 *
 * The 1.5e-3 bound depends on the draw: scikit-learn's own algorithm meets it on its draw
 * (random_state 0) but only on about half of the other draws (the reference below: about half of
 * 120), so we hold ours to the reference instead: the median error over 120 draws (5 draws of the
 * generator x 24 seeds) at most 1.25 times scikit-learn's (recomputed in numpy, with its
 * default transpose='auto'). q = 0 exceeds 0.1 on every draw for both.
 *
 * Wide input, the claim: scikit-learn runs a wide matrix transposed; our CLI streams it by
 * rows unless asked (`--orientation columns`). We hold every orientation (A as given, A^T, 'auto')
 * to the same 1.25x at q = 5 and at q = 3, and check that the CLI (`--passes 6` / `--passes 4`, by
 * rows and by columns) computes exactly the library's numbers for the same seed. The 'auto' default
 * of the CLI and its JSON "orientation" are in pending-engine.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomizedSvd } from '../../src/multipass/randomized-svd.js';
import { ensureBuilt } from '../helpers/cli-harness.js';
import { cliApprox, pool, product, maxAbs, sError } from './helpers/peers.js';
import { decimalBound, hasNumpy, median, Reference, type Job } from './helpers/sklearn-reference.js';

const DRAWS = [0, 1, 2, 3, 4];
const PER_DRAW = 24;
const K = 10;
const seedOf = (d: number, j: number): number => PER_DRAW * d + j;
const DEC3 = decimalBound(3);

describe.skipIf(!hasNumpy())('test_randomized_svd_infinite_rank: a spectrum that never drops, and wide inputs', () => {
  let ref: Reference;
  let res: ReturnType<Reference['run']>;

  beforeAll(async () => {
    await ensureBuilt();
    ref = new Reference();
    const jobs: Job[] = [];
    for (const d of DRAWS) {
      jobs.push({ op: 'matrix', name: `x${d}`, gen: { kind: 'make_low_rank_matrix', n_samples: 100, n_features: 500, effective_rank: 5, tail_strength: 1.0, random_state: d } });
      for (let j = 0; j < PER_DRAW; j++) {
        for (const q of [0, 3, 5]) jobs.push({ op: 'rsvd', name: `r${d}_${j}_${q}`, matrix: `x${d}`, n_components: K, n_iter: q, random_state: seedOf(d, j) });
      }
    }
    for (const norm of ['auto', 'none', 'LU', 'QR'] as const) {
      for (const q of [0, 5]) jobs.push({ op: 'rsvd', name: `sk_${norm}_${q}`, matrix: 'x0', n_components: K, n_iter: q, power_iteration_normalizer: norm, random_state: 0 });
    }
    res = ref.run(jobs);
  }, 240_000);
  afterAll(() => ref?.dispose());

  const exact = (d: number): number[] => res[`x${d}`].s;
  const refErrors = (q: number): number[] => DRAWS.flatMap((d) => Array.from({ length: PER_DRAW }, (_, j) => res[`r${d}_${j}_${q}`].s_error));
  const ours = (q: number, transpose: boolean | 'auto', per = PER_DRAW): number[] => DRAWS.flatMap((d) => {
    const a = ref.matrix(`x${d}`);
    return Array.from({ length: per }, (_, j) => sError(randomizedSvd(a, { rank: K, powerIterations: q, transpose, seed: seedOf(d, j) }).s, exact(d)));
  });

  it("the reference passes scikit-learn's test on its own draw, and the 1.5e-3 bound is a coin toss on the others", () => {
    for (const norm of ['auto', 'none', 'LU', 'QR']) {
      expect(res[`sk_${norm}_0`].s_error, norm).toBeGreaterThan(0.1);
      expect(res[`sk_${norm}_5`].s_error, norm).toBeLessThan(DEC3);
    }
    const met = refErrors(5).filter((e) => e < DEC3).length;
    expect(met).toBeGreaterThan(20);
    expect(met).toBeLessThan(100);
  });

  it('q = 0: error > 0.1 on every draw (negative control)', () => {
    expect(Math.min(...refErrors(0))).toBeGreaterThan(0.1);
    expect(Math.min(...ours(0, 'auto'))).toBeGreaterThan(0.1);
  });

  for (const q of [5, 3]) {
    it(`q = ${q}: median error at most 1.25x scikit-learn's, for A, A^T and 'auto' (the wide-input claim)`, () => {
      const theirs = median(refErrors(q));
      const byOrientation = { rows: ours(q, false), columns: ours(q, true) };
      for (const [what, errs] of Object.entries(byOrientation)) expect(median(errs), what).toBeLessThanOrEqual(1.25 * theirs);
      // 'auto' is A^T for a wide matrix, draw for draw (checked on the first 4 seeds of each draw)
      expect(ours(q, 'auto', 4)).toEqual(ours(q, true, 4));
      // and the orientation itself is not what decides the accuracy (within 25% either way)
      const ratio = median(byOrientation.rows) / median(byOrientation.columns);
      expect(ratio).toBeGreaterThan(0.8);
      expect(ratio).toBeLessThan(1.25);
    });
  }

  it('CLI --orientation rows|columns computes the library numbers for the same seed (--passes 6 on draws 0-2, --passes 4 on draw 0)', async () => {
    const cases = [[0, 6], [1, 6], [2, 6], [0, 4]].flatMap(([d, passes]) => (['rows', 'columns'] as const).map((o) => ({ d: d!, passes: passes!, o })));
    const runs = await pool(cases.map(({ d, passes, o }) => () => cliApprox(ref.path(`x${d}`), ref.dir, `c${d}_${passes}_${o}`, ['--rank', String(K), '--passes', String(passes), '--orientation', o, '--seed', String(d)])));
    cases.forEach(({ d, passes, o }, i) => {
      const run = runs[i];
      expect(run.json).toMatchObject({ method: 'rsi', rows: 100, cols: 500, sketch: { powerIterations: passes - 1, oversamples: 10 } });
      const lib = randomizedSvd(ref.matrix(`x${d}`), { rank: K, powerIterations: passes - 1, transpose: o === 'columns', seed: d });
      expect(sError(run.factors.s, lib.s), `${o} ${passes}`).toBeLessThan(1e-10);
      expect(maxAbs(product(run.factors), product(lib)), `${o} ${passes}`).toBeLessThan(1e-10);
    });
  }, 120_000);
});
