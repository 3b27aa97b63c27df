/**
 * The one-pass rsvd does not lose accuracy as its width grows (src/sketch/rsvd/rsvd.ts, RSVD_REL_TOL).
 * B = M^T H^T divides by the singular values of the range sketch, so directions the arithmetic
 * cannot resolve must be cut at sqrt(eps), not at a few eps: with the old cut, a fast spectrum
 * exp(-(i/5)^2) (scikit-learn's make_low_rank_matrix without a tail) gave max |U S V^T - best|
 * = 1.3e-4 at l = 40 where l = 20 gave 3.6e-8. Held here on five draws and two widths; the same
 * for the streamed Gram pass with one pass (B = R^{-T} H^T, src/multipass/gram-pass.ts), which had
 * the same cut (1e-12) and the same fault (1.4e-6 at p = 30).
 */
import { describe, expect, it } from 'vitest';
import { exactTruncatedSvd, fromSpectrum } from '../src/index.js';
import { runPasses } from '../streams/run-passes.js';
import { matrixSource } from './helpers/matrix-source.js';
import { maxAbs, product, sketchOnce } from './peers/helpers/peers.js';

const M = 500, N = 100, R = 10;
const spectrum = Float64Array.from({ length: N }, (_, i) => Math.exp(-((i / 5) ** 2)));

describe('rsvd precision: wider is never worse on a fast spectrum', () => {
  it('max |U S V^T - best rank-10| <= 5e-9 at l = 40 and l = 100 (sigma_1 = 1), five draws', () => {
    const found: string[] = [];
    for (let d = 0; d < 5; d++) {
      const a = fromSpectrum(M, N, spectrum, 100 + d).a;
      const best = product(exactTruncatedSvd(a, R));
      for (const l of [40, 100]) {
        const err = maxAbs(product(sketchOnce(a, { method: 'rsvd', rank: R, rangeDim: l, seed: d })), best);
        if (!(err <= 5e-9)) found.push(`draw ${d}, l = ${l}: ${err.toExponential(2)}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('negative control: the same measure sees the error of l = r + 1 (no oversampling)', () => {
    const a = fromSpectrum(M, N, spectrum, 100).a;
    const err = maxAbs(product(sketchOnce(a, { method: 'rsvd', rank: R, rangeDim: R + 1, seed: 0 })), product(exactTruncatedSvd(a, R)));
    expect(err).toBeGreaterThan(1e-4);
  });

  it('the one-pass Gram RSVD over a stream (runPasses, --passes 1): the same at p = 30 and 90, three draws', async () => {
    const found: string[] = [];
    for (let d = 0; d < 3; d++) {
      const a = fromSpectrum(M, N, spectrum, 100 + d).a;
      const best = product(exactTruncatedSvd(a, R));
      for (const p of [30, 90]) {
        const out = await runPasses(matrixSource(a, 50, 'rows'), { method: 'rsi', passes: 1, rank: R, oversamples: p }, { seed: d });
        const err = maxAbs(product({ u: out.u!, s: out.s, v: out.v! }), best);
        if (!(err <= 5e-9)) found.push(`draw ${d}, p = ${p}: ${err.toExponential(2)}`);
      }
    }
    expect(found).toEqual([]);
  });
});
