/**
 * The a-posteriori error estimate [TYUC19 §6] on the project's synthetic inputs (the rows of
 * `fromSynthetic`, streams/sources/synthetic-rows.ts, which the CLI's `synthetic:MxN` source emits):
 * shapes 2000 x 64 (data seeds 0-9), 5000 x 128 (seeds 0-4) and 20000 x 256 (seed 0), ranks 1 to 10,
 * three-sketch with the defaults of `rangefinder approx --method three-sketch` (sparse-sign maps,
 * q = 32 Gaussian error rows; q = 10 before issue 10's grid, bench/error-estimate-grid.ts). Sketch seed = data seed (the CLI default, both 0: the case in which the previous generator
 * correlated the error map Theta with the data rows; rank 5 on 20000 x 256 estimated 1.64 against a
 * true 0.31) and, for 2000 x 64, also sketch seed = data seed + 100.
 *
 * With Theta independent of the data, the estimate has a known law: est^2 = (1/q) sum_i ||theta_i^T E||^2
 * = (1/q) sum_j lambda_j chi^2_q,j over the eigenvalues lambda_j of E^T E (E = A - U diag(s) V^T, the
 * true residual). So each run has a predicted probability p of landing in [0.8, 1.25] (Monte Carlo on
 * its own lambda), and the count in range must agree with sum p within 3 standard deviations. When the
 * residual is one direction (rank 9: only the 10th signal component is left) p is about 0.65 at q = 10
 * whatever the generator, 0.92 at q = 32 (the default since); the test asserts the issue's ">= 90%
 * of runs" target on the predicted rate (the estimator's design at the default q) and checks that the
 * observed rate is that design's.
 *
 * Also: the same with the rows shuffled (a fixed permutation per run): the in-range fractions agree
 * within 3 binomial standard errors, the medians within 0.05, and a two-sample Kolmogorov-Smirnov test
 * at the 0.1% level does not tell the two distributions apart. The true error is exact (A formed, U from the in-memory spill).
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { gemm } from '../src/kernels/gemm.js';
import { svd } from '../src/linalg/index.js';
import { createSketch, disposeSketch, estimateError, reconstruct, updateRows } from '../src/internals.js';
import { syntheticDefaults } from '../streams/sources/from-synthetic.js';
import { syntheticRows } from '../streams/sources/synthetic-rows.js';

const RANKS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
/** [rows, cols, data seeds, sketch-seed offsets] */
const CASES: [number, number, number[], number[]][] = [
  [2000, 64, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [0, 100]],
  [5000, 128, [0, 1, 2, 3, 4], [0]],
  [20000, 256, [0], [0]],
];

const mc = seedrandom('error-estimate-law');
function normal(): number {
  return Math.sqrt(-2 * Math.log(1 - mc())) * Math.cos(2 * Math.PI * mc());
}

/** P(0.8 <= est / truth <= 1.25) for est^2 = (1/q) sum_j lambda_j chi^2_q (top 12 exactly, the rest by its normal limit). */
function predictedInside(lambda: number[], Q: number): number {
  const l = lambda.filter((x) => x > 0).sort((x, y) => y - x);
  const top = l.slice(0, 12), rest = l.slice(12);
  const total = l.reduce((s, x) => s + x, 0);
  const restMean = Q * rest.reduce((s, x) => s + x, 0), restSd = Math.sqrt(2 * Q * rest.reduce((s, x) => s + x * x, 0));
  const T = 600; // the per-run error of p (+-0.02) averages out over the runs (+-0.4 on the sum)
  let inside = 0;
  for (let t = 0; t < T; t++) {
    let s = restMean + restSd * normal();
    for (const x of top) for (let i = 0; i < Q; i++) { const z = normal(); s += x * z * z; }
    const r2 = s / Q / total;
    if (r2 >= 0.64 && r2 <= 1.5625) inside++;
  }
  return inside / T;
}

interface Run { ratio: number; p: number }

/** The sketch of `a` (m x n) at `rank` with `seed`: estimate / truth, and the predicted in-range probability. */
function run(a: Float64Array, g: Float64Array, m: number, n: number, rank: number, seed: number): Run {
  const st = createSketch({ cols: n, rank, seed });
  for (let i0 = 0; i0 < m; i0 += 4096) updateRows(st, { rows: Math.min(4096, m - i0), cols: n, data: a, offset: i0 * n, stride: n }, i0);
  const rec = reconstruct(st, { rank });
  const { frobenius: est, q } = estimateError(st, rec);
  disposeSketch(st);
  const r = rec.s.length, u = rec.u!, v = rec.v;
  const us = new Float64Array(m * r);
  for (let i = 0; i < m; i++) for (let j = 0; j < r; j++) us[i * r + j] = u.data[u.offset + i * u.stride + j]! * rec.s[j]!;
  const e = Float64Array.from(a);
  gemm(false, true, m, n, r, -1, us, 0, r, v.data, v.offset, v.stride, 1, e, 0, n);
  let e2 = 0;
  for (const x of e) e2 += x * x;
  // E^T E = A^T A - W V^T - V W^T + V S^2 V^T with W = A^T U S (U has orthonormal columns).
  const w = new Float64Array(n * r), ete = Float64Array.from(g);
  gemm(true, false, n, r, m, 1, a, 0, n, us, 0, r, 0, w, 0, r);
  gemm(false, true, n, n, r, -1, w, 0, r, v.data, v.offset, v.stride, 1, ete, 0, n);
  gemm(false, true, n, n, r, -1, v.data, v.offset, v.stride, w, 0, r, 1, ete, 0, n);
  const vs = new Float64Array(n * r);
  for (let j = 0; j < n; j++) for (let c = 0; c < r; c++) vs[j * r + c] = v.data[v.offset + j * v.stride + c]! * rec.s[c]! * rec.s[c]!;
  gemm(false, true, n, n, r, 1, vs, 0, r, v.data, v.offset, v.stride, 1, ete, 0, n);
  const lambda = Array.from(svd({ rows: n, cols: n, data: ete, offset: 0, stride: n }, { vectors: false }).s);
  return { ratio: est / Math.sqrt(e2), p: predictedInside(lambda, q) };
}

function quantile(sorted: number[], p: number): number {
  const x = p * (sorted.length - 1), lo = Math.floor(x), hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (x - lo) * (sorted[hi]! - sorted[lo]!);
}

function summary(runs: Run[]) {
  const s = runs.map((x) => x.ratio).sort((x, y) => x - y);
  const inside = runs.filter((x) => x.ratio >= 0.8 && x.ratio <= 1.25).length;
  const expected = runs.reduce((t, x) => t + x.p, 0), sd = Math.sqrt(runs.reduce((t, x) => t + x.p * (1 - x.p), 0));
  return {
    n: runs.length, inside, expected, sd, median: quantile(s, 0.5), iqr: quantile(s, 0.75) - quantile(s, 0.25),
    q05: quantile(s, 0.05), q95: quantile(s, 0.95),
  };
}

/** Largest gap between the empirical distribution functions of x and y. */
function ksDistance(x: number[], y: number[]): number {
  const a = [...x].sort((p, q) => p - q), b = [...y].sort((p, q) => p - q);
  let i = 0, j = 0, d = 0;
  while (i < a.length && j < b.length) {
    const v = Math.min(a[i]!, b[j]!);
    while (i < a.length && a[i]! === v) i++;
    while (j < b.length && b[j]! === v) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  return d;
}

function describeSummary(x: ReturnType<typeof summary>): string {
  return `in range ${x.inside}/${x.n} (${(100 * x.inside / x.n).toFixed(1)}%; independent-Theta law predicts ${x.expected.toFixed(1)} +- ${x.sd.toFixed(1)}), `
    + `median ${x.median.toFixed(3)}, IQR ${x.iqr.toFixed(3)}, 5-95% ${x.q05.toFixed(3)}-${x.q95.toFixed(3)}`;
}

describe('error estimate on the synthetic inputs', () => {
  it('follows the law of an independent error map (in [0.8, 1.25] as often as predicted, >= 90% by design), unchanged when rows are shuffled', () => {
    const plain: Run[] = [], shuffled: Run[] = [];
    const byRank = new Map<number, Run[]>();
    let symptom = NaN;
    for (const [m, n, dataSeeds, offsets] of CASES) {
      for (const dataSeed of dataSeeds) {
        const a = new Float64Array(m * n);
        syntheticRows(syntheticDefaults({ rows: m, cols: n, seed: dataSeed })).fill(0, m, a);
        const rng = seedrandom(`shuffle:${m}x${n}:${dataSeed}`);
        const perm = Array.from({ length: m }, (_, i) => i);
        for (let i = m - 1; i > 0; i--) { const j = Math.floor(rng() * (i + 1)); [perm[i], perm[j]] = [perm[j]!, perm[i]!]; }
        const p = new Float64Array(m * n);
        for (let i = 0; i < m; i++) p.set(a.subarray(perm[i]! * n, perm[i]! * n + n), i * n);
        const g = new Float64Array(n * n);
        gemm(true, false, n, n, m, 1, a, 0, n, a, 0, n, 0, g, 0, n); // A^T A = (PA)^T (PA)
        for (const off of offsets) {
          for (const rank of RANKS) {
            const x = run(a, g, m, n, rank, dataSeed + off), y = run(p, g, m, n, rank, dataSeed + off);
            plain.push(x); shuffled.push(y);
            byRank.set(rank, [...(byRank.get(rank) ?? []), x]);
            if (m === 20000 && dataSeed === 0 && rank === 5 && off === 0) symptom = x.ratio;
          }
        }
      }
    }
    const a = summary(plain), b = summary(shuffled);
    console.info(`error-estimate ratio on synthetic inputs (${a.n} runs)\n  rows in order: ${describeSummary(a)}\n  rows shuffled: ${describeSummary(b)}\n`
      + `  by rank (in range / predicted): ${[...byRank].map(([r, runs]) => { const s = summary(runs); return `${r}: ${s.inside}/${s.expected.toFixed(1)}`; }).join(', ')}\n`
      + `  20000 x 256, rank 5, seed 0 (the issue's case): ${symptom.toFixed(3)}; two-sample KS distance in order vs shuffled `
      + `${ksDistance(plain.map((x) => x.ratio), shuffled.map((x) => x.ratio)).toFixed(3)} (0.1% critical value ${(1.949 * Math.sqrt(2 / plain.length)).toFixed(3)})`);
    expect(a.n).toBe(260);
    // The observed rate is the law's (3 standard deviations), in order and shuffled.
    expect(Math.abs(a.inside - a.expected)).toBeLessThanOrEqual(3 * a.sd);
    expect(Math.abs(b.inside - b.expected)).toBeLessThanOrEqual(3 * b.sd);
    // The issue's target, on the estimator's design rate for these inputs.
    expect(a.expected / a.n).toBeGreaterThanOrEqual(0.9);
    // The issue's case is back in range (one draw of the law above, whose p there is about 0.9).
    expect(symptom).toBeGreaterThanOrEqual(0.8);
    expect(symptom).toBeLessThanOrEqual(1.25);
    // Shuffling the rows changes nothing beyond sampling noise.
    const fa = a.inside / a.n, fb = b.inside / b.n;
    expect(Math.abs(fa - fb)).toBeLessThanOrEqual(3 * Math.sqrt((fa * (1 - fa) + fb * (1 - fb)) / a.n) + 1 / a.n);
    expect(Math.abs(a.median - b.median)).toBeLessThan(0.05); // about 3 standard errors of the difference
    // Two-sample Kolmogorov-Smirnov at the 0.1% level (the pairs share data and seeds, which only makes it conservative).
    expect(ksDistance(plain.map((x) => x.ratio), shuffled.map((x) => x.ratio))).toBeLessThan(1.949 * Math.sqrt(2 / a.n));
  }, 300_000); // about 30 s on a quiet 2-core machine
});
