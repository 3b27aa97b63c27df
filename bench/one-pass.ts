/**
 * One pass: is the default (`approx --method auto`, one pass) the most accurate answer the memory
 * allows? The default against every one-pass method at the same memory budget, per trial, and
 * against numpy's RSVD.
 *
 * Question: the planner's one-pass rule (src/plan/plan-approx.ts: the single-pass Gram RSVD for
 * whole-row streams, sized by `rsvdWidth`) is meant to be within 1.1x of the best one-pass method
 * at the same budget on every input, never worse than numpy's RSVD (q = 0, p = 10), and never worse
 * than returning zero. Does it hold, and where not, by how much?
 *
 * Data: the five shared real matrices (float32; streamed as the CLI's --orientation auto does:
 * etopo20 540 x 1081 and navy_winds_u 132 x 10512 are wide and small, so by columns) at ranks 10
 * and 20; the synthetic families of [TYUC17 §7.3] (docs/METHODS.md §8), n x n with n = 1000, R = 10
 * leading unit singular values, Haar-rotated, float64, at rank 10: LowRank + noise ("flat":
 * xi = 1e-4, 1e-2, 1e-1), PolyDecay (p = 0.5, 1, 2), ExpDecay (q = 0.01, 0.1, 0.5), and pure
 * Gaussian noise ("noise", the case where a single-view core is worse than zero).
 *
 * Method: three budgets per case, given to the planner (`planApprox`, with the matrix's rows, as
 * the CLI does): the minimum the default accepts (one byte less is refused), 4x it, and the CLI's
 * default 64 MiB. At each budget every one-pass method gets its own planner sizes: the default
 * (auto), the three-sketch and the two-sketch (rule flat) and rsvd; a method whose minimum exceeds
 * the budget is not available there. Frequent Directions is reported beside them, not among them:
 * one pass gives its V and S, but U = A V S^-1 needs a second pass (its approximant A V V^T). Sparse-sign maps (the default), 5 seeds each; every sketch is fed in blocks of
 * 1000 rows of the data's dtype and reconstructed at rank r with U from an in-memory spill. Errors:
 * the normalized spectral error ||A - U S V^T||_2 / sigma_{r+1} (Lanczos, tol 1e-8; the seed
 * paper's metric and the issue's) and the Frobenius ratio ||A - U S V^T||_F / tau_{r+1} ([TYUC17]'s
 * metric; 1 is optimal in both). Per trial (seed), the best available method's error; the table
 * reports the default's mean error, the mean of the per-trial ratio default / best (and its worst
 * trial), and which method was best. numpy: the same data, Omega Gaussian (numpy's generator, seeds
 * 0..4), Y = A Omega, Q = qr(Y), SVD of Q^T A, in the data's dtype, errors by numpy's exact norms;
 * at p = 10 (l = r + 10, the usual RSVD) and at the default's l (the same memory: l columns of
 * H); OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (bench/numpy-env.ts).
 * "Worse than zero": ||A - U S V^T||_F > ||A||_F for any trial of the default.
 *
 * Run: `npm run bench -- one-pass` (`--quick`: 2 seeds, the real matrices at rank 10 and four
 * synthetic families; `--render`: rewrite the .md from the last run's JSON; `--only='NAME,NAME'`
 * [`--why='...'`]: re-run only these cases (names as in the table, without " (A^T)") and replace
 * their rows in the last run's JSON, which records the re-run; for a change that can only move
 * some cells). Writes
 * bench/out/one-pass.json and .md.
 *
 * Conclusion: see bench/out/one-pass.md (written by this script, with the run's date and load) and
 * the README's "One pass" section.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  createSketch, expDecay, gemm, lowRankPlusNoise, memorySpill, planApprox, polyDecay, reconstruct, svd, testMatrix, transpose,
  updateRows, zeros, type ApproxMethod, type Matrix64, type SketchDType,
} from '../src/internals.js';
import { differenceOperator } from '../src/linalg/linear-operator.js';
import { spectralNorm } from '../src/linalg/spectral-norm.js';
import { enableRelaxedSimd } from '../streams/enable-relaxed-simd.js';
import { writeNpy } from '../streams/sinks/write-npy.js';
import { readNpySync } from '../test/helpers/read-npy-sync.js';
import { sharedPath } from '../test/helpers/shared-data.js';
import { numpyEnv } from './numpy-env.js';

enableRelaxedSimd();
const here = fileURLToPath(new URL('.', import.meta.url));
const TMP = `${here}out/tmp/one-pass-${process.pid}/`;
const quick = process.argv.includes('--quick');
/** `--only=NAME,NAME` (the `=` form passes through `npm run bench --`). */
const flag = (name: string) => process.argv.find((x) => x.startsWith(`--${name}=`))?.slice(name.length + 3);
const only = flag('only')?.split(',').map((x) => x.trim()) ?? null;
const SEEDS = quick ? 2 : 5;
const MiB = 2 ** 20;
const METHODS = ['three-sketch', 'two-sketch', 'rsvd', 'fd'] as const;
/** One-pass methods for U S V^T (FD needs a second pass for U). */
const ONE_PASS = ['three-sketch', 'two-sketch', 'rsvd'];
type Method = typeof METHODS[number];

interface Case { name: string; family: string; a: Matrix64; dtype: SketchDType; ranks: number[] }

function cases(): Case[] {
  const out: Case[] = [];
  const real = ['ppocr_rec_conv180', 'hm_faceres_deep_feats', 'sklearn_digits', 'navy_winds_u', 'etopo20'];
  for (const name of real) {
    if (only && !only.includes(name)) continue;
    const a0 = readNpySync(sharedPath('matrices', `${name}.npy`));
    // --orientation auto: a wide matrix this small is streamed by columns (rows of A^T).
    const a = a0.cols > a0.rows ? transpose(a0) : a0;
    out.push({ name: a === a0 ? name : `${name} (A^T)`, family: 'real', a, dtype: 'float32', ranks: quick ? [10] : [10, 20] });
  }
  const n = 1000, R = 10;
  const synth: [string, string, () => Matrix64][] = [
    ['flat xi=1e-4', 'flat', () => lowRankPlusNoise(n, R, 1e-4, 1, { rotate: true }).a],
    ['flat xi=1e-2', 'flat', () => lowRankPlusNoise(n, R, 1e-2, 1, { rotate: true }).a],
    ['flat xi=1e-1', 'flat', () => lowRankPlusNoise(n, R, 1e-1, 1, { rotate: true }).a],
    ['poly p=0.5', 'poly', () => polyDecay(n, R, 0.5, { rotate: true, seed: 1 }).a],
    ['poly p=1', 'poly', () => polyDecay(n, R, 1, { rotate: true, seed: 1 }).a],
    ['poly p=2', 'poly', () => polyDecay(n, R, 2, { rotate: true, seed: 1 }).a],
    ['exp q=0.01', 'exp', () => expDecay(n, R, 0.01, { rotate: true, seed: 1 }).a],
    ['exp q=0.1', 'exp', () => expDecay(n, R, 0.1, { rotate: true, seed: 1 }).a],
    ['exp q=0.5', 'exp', () => expDecay(n, R, 0.5, { rotate: true, seed: 1 }).a],
    ['noise', 'noise', () => testMatrix('gaussian', 7, 'bench-noise', n, n) as Matrix64],
  ];
  const keep = quick ? ['flat xi=1e-2', 'poly p=1', 'exp q=0.1', 'noise'] : synth.map((s) => s[0]);
  for (const [name, family, make] of synth) if (keep.includes(name) && (!only || only.includes(name))) out.push({ name, family, a: make(), dtype: 'float64', ranks: [10] });
  return only ? out.filter((c) => only.includes(c.name.replace(/ \(A\^T\)$/, ''))) : out;
}

/** The smallest budget planApprox accepts for `method` (bisection on bytes). */
function minimumBudget(q: { rank: number; rows: number; cols: number; dtype: SketchDType }, method: ApproxMethod): number {
  const ok = (b: number) => { try { planApprox({ ...q, method, passes: 1, memoryBudget: b }); return true; } catch { return false; } };
  let lo = 1, hi = 1 << 30;
  while (hi - lo > 1) { const mid = Math.floor((lo + hi) / 2); if (ok(mid)) hi = mid; else lo = mid; }
  return hi;
}

interface Factors { u: Matrix64; s: Float64Array; v: Matrix64 }

/** One sketch of A with the planner's sizes, fed in blocks of 1000 rows of the data's dtype. */
function sketchOnce(a: Matrix64, rows32: Float32Array | null, method: Method, sizes: never, rank: number, seed: number, dtype: SketchDType): Factors {
  const n = a.cols, m = a.rows;
  const st = createSketch({ cols: n, rank, method, seed, dtype, sizes, spill: memorySpill() });
  for (let r0 = 0; r0 < m; r0 += 1000) {
    const b = Math.min(1000, m - r0);
    updateRows(st, rows32 ? { rows: b, cols: n, data: rows32, offset: r0 * n, stride: n } : { rows: b, cols: n, data: a.data, offset: r0 * n, stride: n }, r0);
  }
  const f = reconstruct(st, { rank });
  if (method !== 'fd') return { u: f.u!, s: f.s, v: f.v };
  // FD keeps V and S; its rank-r approximant is A V V^T = (A V diag(1/s)) diag(s) V^T.
  const r = f.s.length, u = zeros(m, r);
  gemm(false, false, m, r, n, 1, a.data, 0, n, f.v.data, 0, r, 0, u.data, 0, r);
  for (let i = 0; i < m; i++) for (let j = 0; j < r; j++) u.data[i * r + j] = f.s[j]! > 0 ? u.data[i * r + j]! / f.s[j]! : 0;
  return { u, s: f.s, v: f.v };
}

function errors(a: Matrix64, f: Factors, sigmaNext: number, tail: number, normA: number) {
  const spectral = spectralNorm(differenceOperator(a, f.u, f.s, f.v), { tol: 1e-8 }) / sigmaNext;
  // ||A - U S V^T||_F^2 = ||A||^2 - 2 tr(V^T A^T U S) + ||U S V^T||^2, formed densely (small matrices).
  const m = a.rows, n = a.cols, r = f.s.length, us = zeros(m, r);
  for (let i = 0; i < m; i++) for (let j = 0; j < r; j++) us.data[i * r + j] = f.u.data[i * r + j]! * f.s[j]!;
  const d = zeros(m, n);
  d.data.set(a.data.subarray(0, m * n));
  gemm(false, true, m, n, r, -1, us.data, 0, r, f.v.data, 0, r, 1, d.data, 0, n);
  let fr = 0;
  for (let t = 0; t < m * n; t++) fr += d.data[t]! ** 2;
  return { spectral, frobenius: Math.sqrt(fr) / tail, vsZero: Math.sqrt(fr) / normA };
}

const PY = `
import json, sys, numpy as np
path, r, seeds, dt, ls = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], json.loads(sys.argv[5])
A = np.load(path).astype(dt)
A64 = A.astype(np.float64)
s = np.linalg.svd(A64, compute_uv=False)
out = {}
for l in ls:
    out[str(l)] = []
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        O = rng.standard_normal((A.shape[1], l)).astype(dt)
        Q, _ = np.linalg.qr(A @ O)
        u, sv, vt = np.linalg.svd(Q.T @ A, full_matrices=False)
        D = A64 - (Q @ u[:, :r]).astype(np.float64) @ np.diag(sv[:r].astype(np.float64)) @ vt[:r].astype(np.float64)
        out[str(l)].append({"spectral": float(np.linalg.norm(D, 2) / s[r]), "frobenius": float(np.linalg.norm(D) / np.sqrt(np.sum(s[r:] ** 2)))})
print(json.dumps(out))
`;

type NumpyErrors = Record<string, { spectral: number; frobenius: number }[]>;

/** numpy's RSVD errors per block width l (and seed). */
function numpyRsvd(path: string, r: number, dtype: SketchDType, ls: number[]): NumpyErrors {
  const out = execFileSync('python3', ['-c', PY, path, String(r), String(SEEDS), dtype, JSON.stringify([...new Set(ls)])], { env: numpyEnv(), maxBuffer: 1 << 26 });
  return JSON.parse(out.toString()) as NumpyErrors;
}

const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
const render = process.argv.includes('--render');
let rows: Record<string, unknown>[] = [];
const t0 = performance.now();
let load0 = loadavg()[0]!;
let date = new Date().toISOString();
let seconds = 0;
let seeds = SEEDS;
/** Re-runs of some cases (`--only`) since the full run: when, at which load, which cases. */
let reruns: { date: string; load: number; seconds: number; cases: string[]; why?: string }[] = [];
if (render) {
  // Re-render bench/out/one-pass.md from the JSON of the last run (no sketching).
  const j = JSON.parse(readFileSync(`${here}out/one-pass.json`, 'utf8')) as { date: string; load: number; seconds: number; seeds: number; rows: Record<string, unknown>[]; reruns?: typeof reruns };
  rows = j.rows; load0 = j.load; date = j.date; seconds = j.seconds; seeds = j.seeds; reruns = j.reruns ?? [];
} else {
mkdirSync(TMP, { recursive: true });
for (const c of cases()) {
  const { a, dtype } = c, m = a.rows, n = a.cols;
  const rows32 = dtype === 'float32' ? Float32Array.from(a.data) : null;
  const sigma = svd(a, { vectors: false }).s;
  let normA = 0;
  for (const x of sigma) normA += x * x;
  normA = Math.sqrt(normA);
  const path = `${TMP}${c.name.replace(/[^a-z0-9.=_-]+/gi, '_')}.npy`;
  await writeNpy(path, dtype === 'float32' ? { rows: m, cols: n, data: rows32!, offset: 0, stride: n } : a);
  for (const r of c.ranks) {
    let tail = 0;
    for (let j = r; j < sigma.length; j++) tail += sigma[j]! ** 2;
    tail = Math.sqrt(tail);
    const q = { rank: r, rows: m, cols: n, dtype };
    const bMin = minimumBudget(q, 'auto');
    const budgets = [['min', bMin], ['4x min', 4 * bMin], ['64 MiB', 64 * MiB]] as const;
    const autos = budgets.map(([, budget]) => planApprox({ ...q, method: 'auto', passes: 1, memoryBudget: budget }));
    const widthOf = (p: (typeof autos)[number]) => (p.kind === 'sketch' && p.method === 'rsvd' ? p.sizes.k : r + 10);
    const np = numpyRsvd(path, r, dtype, [r + 10, ...autos.map(widthOf)]);
    for (const [bi, [label, budget]] of budgets.entries()) {
      const auto = autos[bi]!;
      if (auto.kind !== 'sketch') throw new Error('one pass should plan a sketch');
      const plans = new Map<string, { method: Method; sizes: never; desc: string; bytes: number }>();
      for (const method of METHODS) {
        try {
          const p = planApprox({ ...q, method, passes: 1, memoryBudget: budget });
          if (p.kind !== 'sketch') continue;
          const { k, s, l } = p.sizes;
          const desc = method === 'three-sketch' ? `k=${k}, s=${s}` : method === 'two-sketch' ? `k=${k}, l=${l}` : method === 'rsvd' ? `l=${k}` : `l=${l}`;
          plans.set(method, { method, sizes: p.sizes as never, desc, bytes: p.stateBytes });
        } catch { /* not available at this budget */ }
      }
      const err: Record<string, { spectral: number; frobenius: number; vsZero: number }[]> = {};
      for (const [key, p] of plans) {
        err[key] = [];
        for (let seed = 0; seed < SEEDS; seed++) {
          err[key].push(errors(a, sketchOnce(a, rows32, p.method, p.sizes, r, seed, dtype), sigma[r]!, tail, normA));
        }
      }
      const def = auto.method;
      // The default's own runs: the same plan as its method's (the planner is deterministic).
      const same = plans.get(def)!;
      if (JSON.stringify(same.sizes) !== JSON.stringify(auto.sizes)) throw new Error(`auto and ${def} planned different sizes`);
      const d = err[def]!;
      const perTrial = (metric: 'spectral' | 'frobenius') => d.map((e, i) => {
        let best = Infinity, who = '';
        for (const [key, es] of Object.entries(err)) if (ONE_PASS.includes(key) && es[i]![metric] < best) { best = es[i]![metric]; who = key; }
        if (e[metric] <= best * (1 + 1e-9)) who = def; // ties (the exact answer): the default
        return { ratio: e[metric] / best, who, best };
      });
      const ps = perTrial('spectral'), pf = perTrial('frobenius');
      const bestOf = (pt: typeof ps) => [...new Set(pt.map((x) => x.who))].join('/');
      const row = {
        case: c.name, family: c.family, rows: m, cols: n, rank: r, budget: label, budgetBytes: budget,
        default: def, defaultSizes: same.desc, defaultBytes: same.bytes,
        methods: Object.fromEntries([...plans].map(([key, p]) => [key, {
          sizes: p.desc, stateBytes: p.bytes,
          spectral: mean(err[key]!.map((e) => e.spectral)), frobenius: mean(err[key]!.map((e) => e.frobenius)),
        }])),
        unavailable: METHODS.filter((x) => !plans.has(x)),
        defaultSpectral: mean(d.map((e) => e.spectral)), defaultFrobenius: mean(d.map((e) => e.frobenius)),
        ratioSpectral: mean(ps.map((x) => x.ratio)), worstRatioSpectral: Math.max(...ps.map((x) => x.ratio)), bestSpectral: bestOf(ps),
        ratioFrobenius: mean(pf.map((x) => x.ratio)), worstRatioFrobenius: Math.max(...pf.map((x) => x.ratio)), bestFrobenius: bestOf(pf),
        numpySpectral: mean(np[r + 10]!.map((e) => e.spectral)), numpyFrobenius: mean(np[r + 10]!.map((e) => e.frobenius)),
        numpyEqualL: widthOf(auto),
        numpyEqualSpectral: mean(np[widthOf(auto)]!.map((e) => e.spectral)), numpyEqualFrobenius: mean(np[widthOf(auto)]!.map((e) => e.frobenius)),
        fd: err.fd ? { sizes: plans.get('fd')!.desc, spectral: mean(err.fd.map((e) => e.spectral)), frobenius: mean(err.fd.map((e) => e.frobenius)) } : null,
        maxVsZero: Math.max(...d.map((e) => e.vsZero)),
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }
}
rmSync(TMP, { recursive: true, force: true });
seconds = (performance.now() - t0) / 1000;
if (only) {
  // Merge: the re-run rows replace the same (case, rank, budget) rows of the last full run.
  const j = JSON.parse(readFileSync(`${here}out/one-pass.json`, 'utf8')) as { date: string; load: number; seconds: number; seeds: number; rows: Record<string, unknown>[]; reruns?: typeof reruns };
  if (j.seeds !== SEEDS) throw new Error(`--only: the last run used ${j.seeds} seeds, this one ${SEEDS}`);
  const key = (x: Record<string, unknown>) => `${String(x.case)}|${String(x.rank)}|${String(x.budget)}`;
  const fresh = new Map(rows.map((x) => [key(x), x]));
  const merged = j.rows.map((x) => fresh.get(key(x)) ?? x);
  if (merged.filter((x) => fresh.has(key(x))).length !== fresh.size) throw new Error('--only: a re-run row has no row in the last run');
  const why = flag('why');
  reruns = [...(j.reruns ?? []), { date, load: load0, seconds, cases: only, ...(why ? { why } : {}) }];
  rows = merged; date = j.date; load0 = j.load; seconds = j.seconds;
}
}

const f3 = (x: number) => x.toFixed(3);
const L: string[] = [
  '# One pass: the default against every one-pass method at the same memory, and numpy\'s RSVD', '',
  `Command: \`npm run bench -- one-pass${quick ? ' --quick' : ''}\` (${date.slice(0, 16)} UTC, load ${load0.toFixed(1)} at start, ` +
  `${seconds.toFixed(0)} s). ${seeds} seeds per cell; sparse-sign maps; numpy RSVD q = 0, p = 10 (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset).` +
  reruns.map((x) => ` Re-run: \`npm run bench -- one-pass --only='${x.cases.join(',')}'\` (${x.date.slice(0, 16)} UTC, load ${x.load.toFixed(1)}, ${x.seconds.toFixed(0)} s)${x.why ? `: ${x.why}` : ''}; those cases' rows are from the re-run.`).join(''), '',
  'Cells: mean error of the default (method and sizes the planner chose); the mean over trials of default ÷ the best one-pass method at the same budget ' +
  '(three-sketch, two-sketch, rsvd; worst trial in brackets) and which was best; numpy\'s RSVD at p = 10 and at the default\'s l (same memory); ' +
  'Frequent Directions at the same budget (V, S in one pass; U needs a second). Errors: normalized spectral ‖A − USVᵀ‖₂/σ_{r+1} and Frobenius ‖A − USVᵀ‖_F/τ_{r+1} (1 is optimal).', '',
  '| case | r | budget | default (sizes) | spectral | ÷ best (worst) | best | numpy p=10 / same l | FD | Frobenius | ÷ best (worst) | best | numpy p=10 / same l | FD |',
  '|---|---:|---|---|---:|---|---|---|---:|---:|---|---|---|---:|',
];
/** The best one-pass method of a cell: the default when it is (also) the best in every trial. */
const bestCell = (x: Record<string, never>, metric: 'Spectral' | 'Frobenius') =>
  ((x[`ratio${metric}`] as number) <= 1 + 1e-9 ? x.default : x[`best${metric}`]);
for (const x of rows as never as Record<string, never>[]) {
  const fd = x.fd as unknown as { spectral: number; frobenius: number } | null;
  L.push(`| ${x.case} | ${x.rank} | ${x.budget} | ${x.default} (${x.defaultSizes}) | ${f3(x.defaultSpectral)} | ${f3(x.ratioSpectral)} (${f3(x.worstRatioSpectral)}) | ${bestCell(x, 'Spectral')} | ` +
    `${f3(x.numpySpectral)} / ${f3(x.numpyEqualSpectral)} | ${fd ? f3(fd.spectral) : '-'} | ` +
    `${f3(x.defaultFrobenius)} | ${f3(x.ratioFrobenius)} (${f3(x.worstRatioFrobenius)}) | ${bestCell(x, 'Frobenius')} | ${f3(x.numpyFrobenius)} / ${f3(x.numpyEqualFrobenius)} | ${fd ? f3(fd.frobenius) : '-'} |`);
}
const all = rows as never as Record<string, number>[];
const str = (x: Record<string, number>, k: string) => (x as never as Record<string, string>)[k];
const worst = (k: string, xs = all) => Math.max(...xs.map((x) => x[k]!));
const atMin = all.filter((x) => str(x, 'budget') === 'min'), above = all.filter((x) => str(x, 'budget') !== 'min');
const ratio = (x: Record<string, number>, a: string, b: string) => x[a]! / x[b]!;
const med = (v: number[]) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)]!;
const eqS = all.map((x) => ratio(x, 'defaultSpectral', 'numpyEqualSpectral')), eqF = all.map((x) => ratio(x, 'defaultFrobenius', 'numpyEqualFrobenius'));
const worstEq = all.reduce((w, x) => (ratio(x, 'defaultSpectral', 'numpyEqualSpectral') > ratio(w, 'defaultSpectral', 'numpyEqualSpectral') ? x : w));
L.push('', '## Summary', '',
  `- The default ÷ the per-trial best one-pass method at the same budget: at most ${f3(worst('worstRatioSpectral'))} (spectral) and ` +
  `${f3(worst('worstRatioFrobenius'))} (Frobenius) in any trial of any cell (goal: 1.1): the default was the best one-pass method ` +
  `(or tied with it, at the exact answer) in ${all.filter((x) => x.worstRatioSpectral! <= 1 + 1e-9).length} of ${all.length} cells (spectral) and ` +
  `${all.filter((x) => x.worstRatioFrobenius! <= 1 + 1e-9).length} (Frobenius), in every trial.`,
  `- Against numpy's RSVD with p = 10: above the minimum budget (4x min and 64 MiB, ${above.length} cells) the default's error is at most ` +
  `${f3(Math.max(...above.map((x) => ratio(x, 'defaultSpectral', 'numpySpectral'))))}x numpy's (spectral) and ` +
  `${f3(Math.max(...above.map((x) => ratio(x, 'defaultFrobenius', 'numpyFrobenius'))))}x (Frobenius). At the minimum budget (l = r + 2: the budget does not ` +
  `hold numpy's r + 10 columns) it is ${f3(Math.min(...atMin.map((x) => ratio(x, 'defaultSpectral', 'numpySpectral'))))}–` +
  `${f3(Math.max(...atMin.map((x) => ratio(x, 'defaultSpectral', 'numpySpectral'))))}x numpy's (spectral).`,
  `- Against numpy's RSVD at the same l (Gaussian Ω, numpy's arithmetic; means over ${seeds} seeds): ` +
  `default ÷ numpy median ${f3(med(eqS))} (spectral), ${f3(med(eqF))} (Frobenius); largest ${f3(Math.max(...eqS))} ` +
  `(${str(worstEq, 'case')} r=${worstEq.rank} ${str(worstEq, 'budget')}), ${f3(Math.max(...eqF))} (Frobenius); smallest ${f3(Math.min(...eqS))}, ${f3(Math.min(...eqF))}.`,
  `- Worse than zero (‖A − USVᵀ‖_F > ‖A‖_F in any trial of the default): ${all.some((x) => x.maxVsZero! > 1) ? 'YES' : 'never'}; largest ‖A − USVᵀ‖_F/‖A‖_F ${f3(worst('maxVsZero'))}.`,
  `- Frequent Directions (V and S in one pass, U by a second): at the minimum budget its A V Vᵀ is ${f3(Math.min(...atMin.filter((x) => x.fd).map((x) => (x.fd as unknown as { spectral: number }).spectral / x.defaultSpectral!)))}–` +
  `${f3(Math.max(...atMin.filter((x) => x.fd).map((x) => (x.fd as unknown as { spectral: number }).spectral / x.defaultSpectral!)))}x the default's spectral error: a second pass buys that much where the budget is tight.`,
  '', 'Every method\'s sizes, state bytes and mean errors per cell are in bench/out/one-pass.json.');
mkdirSync(`${here}out`, { recursive: true });
if (!render) writeFileSync(`${here}out/one-pass.json`, `${JSON.stringify({ date, load: load0, seconds, seeds, rows, ...(reruns.length > 0 ? { reruns } : {}) }, null, 1)}\n`);
writeFileSync(`${here}out/one-pass.md`, `${L.join('\n')}\n`);
console.log(L.join('\n'));
