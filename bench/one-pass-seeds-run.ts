/**
 * Helper of bench/one-pass.ts (skipped by run-all: *-run.ts). Question: at the minimum budget, is the
 * default's error worse than numpy's RSVD at the same block width l, by more than the seeds' noise?
 * bench/one-pass.ts reports means over 5 seeds; two means of 5 draws each (the default's sparse-sign
 * Omega and numpy's Gaussian one are independent draws) can differ by chance.
 *
 * Method: the cases of bench/one-pass.ts at their minimum budget (the smallest the default accepts:
 * rsvd with l = r + 2), SEEDS (default 20) seeds on each side: ours as in bench/one-pass.ts (the
 * planner's sizes, blocks of 1000 rows in the data's dtype, spectral error by Lanczos, tol 1e-8),
 * numpy's RSVD at the same l (Gaussian Omega from numpy's generator, seeds 0..SEEDS-1, the data's
 * dtype, np.linalg.norm(D, 2)). Reported per case: both means of the normalized spectral error
 * ||A - U S V^T||_2 / sigma_{r+1} with their standard errors, the ratio of means, and z = (ours -
 * numpy) / sqrt(se_ours^2 + se_numpy^2) (|z| > 2: more than seed noise).
 *
 * Run: `node --experimental-wasm-relaxed-simd --import tsx bench/one-pass-seeds-run.ts` (SEEDS=20).
 * Writes bench/out/one-pass-seeds.{json,md}.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  createSketch, expDecay, lowRankPlusNoise, memorySpill, planApprox, polyDecay, reconstruct, svd, testMatrix, transpose, updateRows,
  type Matrix64, type SketchDType,
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
const TMP = `${here}out/tmp/one-pass-seeds-${process.pid}/`;
const SEEDS = Number(process.env.SEEDS ?? 20);

interface Case { name: string; a: Matrix64; dtype: SketchDType; ranks: number[] }
function cases(): Case[] {
  const out: Case[] = [];
  for (const name of ['ppocr_rec_conv180', 'hm_faceres_deep_feats', 'sklearn_digits', 'navy_winds_u', 'etopo20']) {
    const a0 = readNpySync(sharedPath('matrices', `${name}.npy`));
    const a = a0.cols > a0.rows ? transpose(a0) : a0;
    out.push({ name: a === a0 ? name : `${name} (A^T)`, a, dtype: 'float32', ranks: [10, 20] });
  }
  const n = 1000, R = 10;
  const synth: [string, () => Matrix64][] = [
    ['flat xi=1e-4', () => lowRankPlusNoise(n, R, 1e-4, 1, { rotate: true }).a],
    ['flat xi=1e-2', () => lowRankPlusNoise(n, R, 1e-2, 1, { rotate: true }).a],
    ['flat xi=1e-1', () => lowRankPlusNoise(n, R, 1e-1, 1, { rotate: true }).a],
    ['poly p=0.5', () => polyDecay(n, R, 0.5, { rotate: true, seed: 1 }).a],
    ['poly p=1', () => polyDecay(n, R, 1, { rotate: true, seed: 1 }).a],
    ['poly p=2', () => polyDecay(n, R, 2, { rotate: true, seed: 1 }).a],
    ['exp q=0.01', () => expDecay(n, R, 0.01, { rotate: true, seed: 1 }).a],
    ['exp q=0.1', () => expDecay(n, R, 0.1, { rotate: true, seed: 1 }).a],
    ['exp q=0.5', () => expDecay(n, R, 0.5, { rotate: true, seed: 1 }).a],
    ['noise', () => testMatrix('gaussian', 7, 'bench-noise', n, n) as Matrix64],
  ];
  for (const [name, make] of synth) out.push({ name, a: make(), dtype: 'float64', ranks: [10] });
  return out;
}

function minimumBudget(q: { rank: number; rows: number; cols: number; dtype: SketchDType }): number {
  const ok = (b: number) => { try { planApprox({ ...q, method: 'auto', passes: 1, memoryBudget: b }); return true; } catch { return false; } };
  let lo = 1, hi = 1 << 30;
  while (hi - lo > 1) { const mid = Math.floor((lo + hi) / 2); if (ok(mid)) hi = mid; else lo = mid; }
  return hi;
}

const PY = `
import json, sys, numpy as np
path, r, seeds, dt, l = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
A = np.load(path).astype(dt)
A64 = A.astype(np.float64)
s = np.linalg.svd(A64, compute_uv=False)
out = []
for seed in range(seeds):
    O = np.random.default_rng(seed).standard_normal((A.shape[1], l)).astype(dt)
    Q, _ = np.linalg.qr(A @ O)
    u, sv, vt = np.linalg.svd(Q.T @ A, full_matrices=False)
    D = A64 - (Q @ u[:, :r]).astype(np.float64) @ np.diag(sv[:r].astype(np.float64)) @ vt[:r].astype(np.float64)
    out.append(float(np.linalg.norm(D, 2) / s[r]))
print(json.dumps(out))
`;

const meanSe = (x: number[]) => {
  const m = x.reduce((s, v) => s + v, 0) / x.length;
  const v = x.reduce((s, y) => s + (y - m) ** 2, 0) / (x.length - 1);
  return { mean: m, se: Math.sqrt(v / x.length) };
};

const t0 = performance.now(), load0 = loadavg()[0]!;
const rows: { case: string; rank: number; l: number; ours: number[]; numpy: number[] }[] = [];
mkdirSync(TMP, { recursive: true });
try {
  for (const c of cases()) {
    const { a, dtype } = c, m = a.rows, n = a.cols;
    const rows32 = dtype === 'float32' ? Float32Array.from(a.data) : null;
    const sigma = svd(a, { vectors: false }).s;
    const path = `${TMP}${c.name.replace(/[^a-z0-9.=_-]+/gi, '_')}.npy`;
    await writeNpy(path, dtype === 'float32' ? { rows: m, cols: n, data: rows32!, offset: 0, stride: n } : a);
    for (const r of c.ranks) {
      const q = { rank: r, rows: m, cols: n, dtype };
      const plan = planApprox({ ...q, method: 'auto', passes: 1, memoryBudget: minimumBudget(q) });
      if (plan.kind !== 'sketch') throw new Error('one pass should plan a sketch');
      const ours: number[] = [];
      for (let seed = 0; seed < SEEDS; seed++) {
        const st = createSketch({ cols: n, rank: r, method: plan.method, seed, dtype, sizes: plan.sizes, spill: memorySpill() });
        for (let r0 = 0; r0 < m; r0 += 1000) {
          const b = Math.min(1000, m - r0);
          updateRows(st, rows32 ? { rows: b, cols: n, data: rows32, offset: r0 * n, stride: n } : { rows: b, cols: n, data: a.data, offset: r0 * n, stride: n }, r0);
        }
        const f = reconstruct(st, { rank: r });
        ours.push(spectralNorm(differenceOperator(a, f.u!, f.s, f.v), { tol: 1e-8 }) / sigma[r]!);
      }
      const l = plan.sizes.k;
      const numpy = JSON.parse(execFileSync('python3', ['-c', PY, path, String(r), String(SEEDS), dtype, String(l)], { env: numpyEnv(), maxBuffer: 1 << 26 }).toString()) as number[];
      rows.push({ case: c.name, rank: r, l, ours, numpy });
      const o = meanSe(ours), p = meanSe(numpy);
      console.error(`${c.name} r=${r} l=${l}: ours ${o.mean.toFixed(3)} ± ${o.se.toFixed(3)}, numpy ${p.mean.toFixed(3)} ± ${p.se.toFixed(3)}`);
    }
  }
} finally {
  rmSync(TMP, { recursive: true, force: true });
}
const f3 = (x: number) => x.toFixed(3);
const table = rows.map((x) => {
  const o = meanSe(x.ours), p = meanSe(x.numpy), z = (o.mean - p.mean) / Math.hypot(o.se, p.se);
  return { ...x, oursMean: o.mean, oursSe: o.se, numpyMean: p.mean, numpySe: p.se, ratio: o.mean / p.mean, z };
});
const worse = table.filter((x) => x.z > 2), better = table.filter((x) => x.z < -2);
const L = [
  '# One pass at the minimum budget: the default against numpy\'s RSVD at the same l, with the seeds\' noise', '',
  `Command: \`node --experimental-wasm-relaxed-simd --import tsx bench/one-pass-seeds-run.ts\` (${new Date().toISOString().slice(0, 16)} UTC, load ${load0.toFixed(1)} at start, ` +
  `${((performance.now() - t0) / 1000).toFixed(0)} s). ${SEEDS} seeds per side; the default is rsvd with l = r + 2 (sparse-sign Ω), numpy's RSVD the same l (Gaussian Ω, q = 0). ` +
  'Normalized spectral error ‖A − USVᵀ‖₂/σ_{r+1}: mean ± standard error; z = difference of the means ÷ its standard error (|z| > 2: more than seed noise).', '',
  '| case | r | l | default | numpy same l | ratio of means | z |', '|---|---:|---:|---|---|---:|---:|',
  ...table.map((x) => `| ${x.case} | ${x.rank} | ${x.l} | ${f3(x.oursMean)} ± ${f3(x.oursSe)} | ${f3(x.numpyMean)} ± ${f3(x.numpySe)} | ${f3(x.ratio)} | ${x.z.toFixed(1)} |`),
  '',
  `Ratio of means ${f3(Math.min(...table.map((x) => x.ratio)))}–${f3(Math.max(...table.map((x) => x.ratio)))} (median ${f3([...table.map((x) => x.ratio)].sort((p, q) => p - q)[Math.floor(table.length / 2)]!)}). ` +
  `Worse than numpy by more than seed noise (z > 2): ${worse.length === 0 ? 'none' : worse.map((x) => `${x.case} r=${x.rank} (${f3(x.ratio)}, z = ${x.z.toFixed(1)})`).join(', ')}; ` +
  `better (z < −2): ${better.length === 0 ? 'none' : better.map((x) => `${x.case} r=${x.rank} (${f3(x.ratio)}, z = ${x.z.toFixed(1)})`).join(', ')}.`,
];
mkdirSync(`${here}out`, { recursive: true });
writeFileSync(`${here}out/one-pass-seeds.json`, `${JSON.stringify({ date: new Date().toISOString(), load: load0, seeds: SEEDS, rows: table }, null, 1)}\n`);
writeFileSync(`${here}out/one-pass-seeds.md`, `${L.join('\n')}\n`);
console.log(L.join('\n'));
