/**
 * The exact SVD against numpy on the five real matrices of ../shared/data/matrices (float32 files,
 * computed in float64 by both). numpy runs in the test (python3 + numpy through test/helpers/numpy.ts).
 *
 * Agreement criterion, 1e-10 in both senses that make sense for a backward-stable SVD:
 * - every singular value: |s_i - t_i| <= 1e-10 * t_1 (relative to sigma_1: the tiny tail values are
 *   only determined to about eps * sigma_1 by any backward-stable method, numpy's included);
 * - every value with t_i >= 1e-6 t_1: |s_i - t_i| <= 1e-10 * t_i (relative per value).
 * Measured worst cases are about 1e-14 relative to sigma_1 and 5e-13 per value (etopo20's tail).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { svd } from '../src/linalg/svd.js';
import { numericalRank } from '../src/linalg/exact-svd.js';
import { hasNumpy, numpySingularValues, runNumpy } from './helpers/numpy.js';
import { sharedPath } from './helpers/shared-data.js';
import { readNpyMatrix } from './helpers/npy.js';

const DIR = `${sharedPath('matrices')}/`;
const FILES = ['hm_faceres_deep_feats', 'etopo20', 'sklearn_digits', 'ppocr_rec_conv180', 'navy_winds_u'];
const ready = hasNumpy() && FILES.every((f) => existsSync(`${DIR}${f}.npy`));

describe.skipIf(!ready)('exact SVD vs numpy on the real matrices', () => {
  for (const f of FILES) {
    it(`${f}: singular values agree with np.linalg.svd to 1e-10`, () => {
      const path = `${DIR}${f}.npy`;
      const a = readNpyMatrix(path);
      const ref = numpySingularValues(path);
      const { s } = svd(a, { vectors: false });
      expect(s.length).toBe(ref.length);
      let worstAbs = 0, worstRel = 0;
      for (let i = 0; i < s.length; i++) {
        const d = Math.abs(s[i] - ref[i]);
        worstAbs = Math.max(worstAbs, d / ref[0]);
        if (ref[i] >= 1e-6 * ref[0]) worstRel = Math.max(worstRel, d / ref[i]);
      }
      expect(worstAbs).toBeLessThanOrEqual(1e-10);
      expect(worstRel).toBeLessThanOrEqual(1e-10);
    });
  }

  it('hm_faceres_deep_feats has numerical rank 140', () => {
    const path = `${DIR}hm_faceres_deep_feats.npy`;
    const a = readNpyMatrix(path);
    const { s } = svd(a, { vectors: false });
    // A gap of ten orders of magnitude after the 140th value: rank 140 for any tolerance between
    // about 1e-12 and 1e-3 relative to sigma_1.
    expect(s[139] / s[0]).toBeGreaterThan(1e-3);
    expect(s[140] / s[0]).toBeLessThan(1e-12);
    // The data are float32, so the rounding-level tolerance is float32's: max(m, n) * eps32 * s_1.
    expect(numericalRank(s, a.rows, a.cols, { eps: 2 ** -23 })).toBe(140);
    // numpy's matrix_rank with its float64 default tolerance (1024 * 2^-52 * s_1 = 2.2737e-13 s_1)
    // counts s_141 = 2.281e-13 s_1, just above it: it reports 141, and so do we with the same rule.
    const npRank = runNumpy('out = [np.linalg.matrix_rank(np.load(sys.argv[1]).astype(np.float64))]', [path])[0];
    expect(npRank).toBe(141);
    expect(s[140] / s[0]).toBeGreaterThan(2.2737e-13);
    expect(numericalRank(s, a.rows, a.cols)).toBe(141);
  });
});
