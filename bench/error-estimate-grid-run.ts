/**
 * The error-estimate grid's runs (shared by bench/error-estimate-grid.ts and
 * test/error-estimate-grid.test.ts): one configuration = method x test-matrix family x row dtype x
 * centring x spectrum x rank, run over data seeds; per run the ratio estimate / truth, whether the
 * estimate called itself reliable, and the probability of landing in [0.8, 1.25] that the law of an
 * error map independent of the data predicts for that run's own residual (Monte Carlo on the
 * eigenvalues of E^T E, E = A_c - U diag(s) V^T, as test/error-estimate-synthetic.test.ts does).
 *
 * Data: m x n = 1000 x 120 with Haar singular vectors (`fromSpectrum`) and R = 10 leading unit
 * singular values [TYUC17 §7.3; docs/METHODS.md §8]: 'lowrank' (LowRank + noise: the other 110 at
 * 0.01), 'poly' (PolyDecay p = 1: (j - R + 2)^-1), 'exp' (ExpDecay q = 0.25: 10^(-0.25 (j - R + 1))),
 * 'flat' (all 120 equal: a noise spectrum). Centred configurations add a row of column means of
 * size 3 to every row (so that centring matters) and sketch with `center: true`; the truth is then
 * the error against the centred A. float32 rows are the float64 rows rounded; the truth uses those
 * rounded values. Sizes: the library defaults (no budget: three-sketch k = 4r + 1, s = 2k + 1;
 * two-sketch k = 2r + 1, l = 2k + 1; FD l = 4r + 1; rsvd l = r + max(10, r)), q the default of each
 * method unless `q` is given. The truth is exact: U from the in-memory spill (FD: U = A V S^-1 as its
 * second pass gives it, so U S V^T = A V V^T).
 */
import seedrandom from 'seedrandom';
import {
  createSketch, disposeSketch, estimateError, fromSpectrum, gemm, reconstruct, svd, updateRows,
  type SketchDType, type SketchMethod, type SketchTestMatrix,
} from '../src/internals.js';

export const SPECTRA = ['lowrank', 'poly', 'exp', 'flat'] as const;
export type Spectrum = typeof SPECTRA[number];
export const M = 1000, N = 120, R = 10;

export interface Config {
  method: SketchMethod;
  testMatrix: SketchTestMatrix;
  dtype: SketchDType;
  center: boolean;
  spectrum: Spectrum;
  rank: number;
  /** Error-sketch rows; default: the method's default. */
  q?: number;
}

export interface Run {
  ratio: number;
  /** Predicted P(0.8 <= ratio <= 1.25) for this run's residual (independent Theta). */
  p: number;
  reliable: boolean;
  inRangeProbability: number;
  directions: number;
  q: number;
}

export function sigmaOf(spectrum: Spectrum): Float64Array {
  return Float64Array.from({ length: N }, (_, j) => {
    if (spectrum === 'flat') return 1;
    if (j < R) return 1;
    if (spectrum === 'lowrank') return 0.01;
    if (spectrum === 'poly') return 1 / (j - R + 2);
    return 10 ** (-0.25 * (j - R + 1));
  });
}

/** The data of one (spectrum, dtype, centring, data seed): A as streamed, and the centred float64 A the truth is measured against. */
export interface Data { streamed: Float64Array | Float32Array; truth: Float64Array }

export function dataOf(spectrum: Spectrum, dtype: SketchDType, center: boolean, seed: number): Data {
  const a = fromSpectrum(M, N, sigmaOf(spectrum), 1000 + seed).a.data;
  if (center) {
    const rnd = seedrandom(`grid-means:${seed}`);
    const mu = Float64Array.from({ length: N }, () => 3 * (rnd() - 0.5));
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) a[i * N + j] += mu[j]!;
  }
  const streamed = dtype === 'float32' ? Float32Array.from(a) : a;
  const truth = Float64Array.from(streamed);
  if (center) {
    const mean = new Float64Array(N);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) mean[j] += truth[i * N + j]! / M;
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) truth[i * N + j] -= mean[j]!;
  }
  return { streamed, truth };
}

/** One run: sketch `data` in blocks of 250 rows with sketch seed `seed`, reconstruct at `rank`, estimate and measure. */
export function runOne(cfg: Config, data: Data, seed: number, mc: () => number, samples = 400): Run {
  const st = createSketch({
    cols: N, rank: cfg.rank, method: cfg.method, testMatrix: cfg.testMatrix, dtype: cfg.dtype, seed, center: cfg.center,
    ...(cfg.q !== undefined ? { errorSketchDim: cfg.q } : {}),
  });
  for (let i0 = 0; i0 < M; i0 += 250) updateRows(st, { rows: 250, cols: N, data: data.streamed, offset: i0 * N, stride: N }, i0);
  const rec = reconstruct(st, { rank: cfg.rank });
  const est = estimateError(st, rec);
  disposeSketch(st);
  const r = rec.s.length, v = rec.v;
  // E = A_c - U diag(s) V^T; FD: A - A V V^T.
  const e = Float64Array.from(data.truth);
  if (r > 0) {
    const us = new Float64Array(M * r);
    if (cfg.method === 'fd') {
      gemm(false, false, M, r, N, 1, data.truth, 0, N, v.data, v.offset, v.stride, 0, us, 0, r);
    } else {
      const u = rec.u!;
      for (let i = 0; i < M; i++) for (let j = 0; j < r; j++) us[i * r + j] = u.data[u.offset + i * u.stride + j]! * rec.s[j]!;
    }
    gemm(false, true, M, N, r, -1, us, 0, r, v.data, v.offset, v.stride, 1, e, 0, N);
  }
  const ete = new Float64Array(N * N);
  gemm(true, false, N, N, M, 1, e, 0, N, e, 0, N, 0, ete, 0, N);
  let e2 = 0;
  for (let j = 0; j < N; j++) e2 += ete[j * N + j]!;
  const lambda = Array.from(svd({ rows: N, cols: N, data: ete, offset: 0, stride: N }, { vectors: false }).s);
  return {
    ratio: est.frobenius / Math.sqrt(e2), p: predictedInside(lambda, est.q, mc, samples), reliable: est.reliable,
    inRangeProbability: est.inRangeProbability, directions: est.directions, q: est.q,
  };
}

/** A standard normal from `rnd` (Box-Muller). */
function normal(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

/**
 * P(0.64 <= est^2 / truth^2 <= 1.5625) for est^2 = (1/q) sum_j lambda_j chi^2_q,j [TYUC19 §6.1], by
 * Monte Carlo: the top 12 eigenvalues exactly, the rest by their normal limit.
 */
export function predictedInside(lambda: number[], q: number, rnd: () => number, samples: number): number {
  const l = lambda.filter((x) => x > 0).sort((x, y) => y - x);
  const top = l.slice(0, 12), rest = l.slice(12);
  const total = l.reduce((s, x) => s + x, 0);
  if (!(total > 0)) return 0;
  const restMean = q * rest.reduce((s, x) => s + x, 0), restSd = Math.sqrt(2 * q * rest.reduce((s, x) => s + x * x, 0));
  let inside = 0;
  for (let t = 0; t < samples; t++) {
    let s = restMean + restSd * normal(rnd);
    for (const x of top) for (let i = 0; i < q; i++) { const z = normal(rnd); s += x * z * z; }
    const r2 = s / q / total;
    if (r2 >= 0.64 && r2 <= 1.5625) inside++;
  }
  return inside / samples;
}

export interface CellSummary {
  config: Config;
  runs: number;
  /** Runs whose estimate called itself reliable (a number was reported). */
  reported: number;
  /** Of the reported runs, how many lie in [0.8, 1.25]. */
  inside: number;
  /** Of all runs, in [0.8, 1.25] if the number had been reported anyway. */
  insideAll: number;
  medianRatio: number;
  minRatio: number;
  maxRatio: number;
  /** Mean predicted in-range probability (independent-Theta law) over all runs. */
  predicted: number;
  /** Mean of the estimate's own inRangeProbability. */
  selfPredicted: number;
}

export function median(x: number[]): number {
  const s = [...x].sort((a, b) => a - b), h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

export function summarize(config: Config, runs: Run[]): CellSummary {
  const ok = (x: Run) => x.ratio >= 0.8 && x.ratio <= 1.25;
  const reported = runs.filter((x) => x.reliable);
  const ratios = runs.map((x) => x.ratio);
  return {
    config, runs: runs.length, reported: reported.length, inside: reported.filter(ok).length, insideAll: runs.filter(ok).length,
    medianRatio: median(ratios), minRatio: Math.min(...ratios), maxRatio: Math.max(...ratios),
    predicted: runs.reduce((t, x) => t + x.p, 0) / runs.length,
    selfPredicted: runs.reduce((t, x) => t + x.inRangeProbability, 0) / runs.length,
  };
}

/** Every configuration of the grid: the linear methods with both families, both dtypes, centred or not; FD (no family, no centring). */
export function gridConfigs(opts: { methods: SketchMethod[]; spectra: readonly Spectrum[]; ranks: number[]; q?: number }): Config[] {
  const out: Config[] = [];
  for (const spectrum of opts.spectra) for (const method of opts.methods) for (const rank of opts.ranks) {
    for (const testMatrix of method === 'fd' ? (['gaussian'] as const) : (['sparse-sign', 'gaussian'] as const)) {
      for (const dtype of ['float64', 'float32'] as const) for (const center of method === 'fd' ? [false] : [false, true]) {
        out.push({ method, testMatrix, dtype, center, spectrum, rank, ...(opts.q !== undefined ? { q: opts.q } : {}) });
      }
    }
  }
  return out;
}

/** Runs every configuration over `seeds` (data seed = sketch seed - 1), sharing each data matrix across configurations. */
export function runGrid(configs: Config[], seeds: number[], samples = 400, onCell?: (c: CellSummary) => void): CellSummary[] {
  const mc = seedrandom('error-estimate-grid-law');
  const cache = new Map<string, Data>();
  const dataFor = (c: Config, seed: number) => {
    const key = `${c.spectrum}:${c.dtype}:${c.center}:${seed}`;
    let d = cache.get(key);
    if (!d) { d = dataOf(c.spectrum, c.dtype, c.center, seed); cache.set(key, d); }
    return d;
  };
  const out: CellSummary[] = [];
  let spectrum = '';
  for (const c of configs) {
    if (c.spectrum !== spectrum) { cache.clear(); spectrum = c.spectrum; }
    const runs = seeds.map((seed) => runOne(c, dataFor(c, seed), seed + 1, mc, samples));
    const s = summarize(c, runs);
    out.push(s);
    onCell?.(s);
  }
  return out;
}

export function describeConfig(c: Config): string {
  return `${c.method} ${c.method === 'fd' ? '-' : c.testMatrix} ${c.dtype} ${c.center ? 'centred' : 'plain'} ${c.spectrum} r=${c.rank}${c.q !== undefined ? ` q=${c.q}` : ''}`;
}
