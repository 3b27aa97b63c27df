/**
 * Helper of bench/one-pass.ts (skipped by run-all: *-run.ts). Question: which cells of the one-pass
 * grid can a change of the rsvd basis cut move? Commit a0a5cdd cut the rsvd range basis at sqrt(eps)
 * of its largest singular value instead of 10 (k + 1) eps (src/sketch/rsvd/rsvd.ts, RSVD_REL_TOL);
 * that is the only change to the rsvd record, so a cell whose basis keeps the same rank rho under
 * both cuts, in every seed, gives bit-identical factors and needs no re-run.
 *
 * Method: every case, rank and budget of bench/one-pass.ts (the same matrices, planner sizes, seeds
 * 0-4 and blocks of 1000 rows), the rsvd sketch fed once, then `rangeBasis` under both cuts; prints
 * rho per seed and CHANGED where they differ.
 *
 * Run: `node --experimental-wasm-relaxed-simd --import tsx bench/one-pass-basis-run.ts` (2-3 minutes).
 * Result (2026-12-06): changed in hm_faceres_deep_feats at 64 MiB (rho 250-254 -> 140), sklearn_digits
 * at 4x min and 64 MiB (64 -> 61), exp q=0.1 at 4x min (103 -> 82-84) and 64 MiB (130 -> 86), exp
 * q=0.5 at 4x min and 64 MiB (34-35 -> 25); every other cell unchanged. Those four cases were re-run
 * (`npm run bench -- one-pass --only=...`, recorded in bench/out/one-pass.json).
 */
import { createSketch, expDecay, lowRankPlusNoise, memorySpill, planApprox, polyDecay, testMatrix, transpose, updateRows, type Matrix64, type SketchDType } from '../src/internals.js';
import { rangeBasis } from '../src/sketch/linear/range-basis.js';
import { RSVD_REL_TOL } from '../src/sketch/rsvd/rsvd.js';
import { enableRelaxedSimd } from '../streams/enable-relaxed-simd.js';
import { readNpySync } from '../test/helpers/read-npy-sync.js';
import { sharedPath } from '../test/helpers/shared-data.js';
enableRelaxedSimd();
const MiB = 2 ** 20;
const cs: { name: string; a: Matrix64; dtype: SketchDType; ranks: number[] }[] = [];
for (const name of ['ppocr_rec_conv180', 'hm_faceres_deep_feats', 'sklearn_digits', 'navy_winds_u', 'etopo20']) {
  const a0 = readNpySync(sharedPath('matrices', `${name}.npy`)); const a = a0.cols > a0.rows ? transpose(a0) : a0;
  cs.push({ name, a, dtype: 'float32', ranks: [10, 20] });
}
const n = 1000, R = 10;
const syn: [string, () => Matrix64][] = [
  ['flat xi=1e-4', () => lowRankPlusNoise(n, R, 1e-4, 1, { rotate: true }).a], ['flat xi=1e-2', () => lowRankPlusNoise(n, R, 1e-2, 1, { rotate: true }).a],
  ['flat xi=1e-1', () => lowRankPlusNoise(n, R, 1e-1, 1, { rotate: true }).a], ['poly p=0.5', () => polyDecay(n, R, 0.5, { rotate: true, seed: 1 }).a],
  ['poly p=1', () => polyDecay(n, R, 1, { rotate: true, seed: 1 }).a], ['poly p=2', () => polyDecay(n, R, 2, { rotate: true, seed: 1 }).a],
  ['exp q=0.01', () => expDecay(n, R, 0.01, { rotate: true, seed: 1 }).a], ['exp q=0.1', () => expDecay(n, R, 0.1, { rotate: true, seed: 1 }).a],
  ['exp q=0.5', () => expDecay(n, R, 0.5, { rotate: true, seed: 1 }).a], ['noise', () => testMatrix('gaussian', 7, 'bench-noise', n, n) as Matrix64]];
for (const [name, mk] of syn) cs.push({ name, a: mk(), dtype: 'float64', ranks: [10] });
function minimumBudget(q: object): number {
  const ok = (b: number) => { try { planApprox({ ...q, method: 'auto', passes: 1, memoryBudget: b } as never); return true; } catch { return false; } };
  let lo = 1, hi = 1 << 30; while (hi - lo > 1) { const mid = Math.floor((lo + hi) / 2); if (ok(mid)) hi = mid; else lo = mid; } return hi;
}
for (const c of cs) {
  const { a, dtype } = c, m = a.rows, nn = a.cols; const rows32 = dtype === 'float32' ? Float32Array.from(a.data) : null;
  for (const r of c.ranks) {
    const q = { rank: r, rows: m, cols: nn, dtype }; const bMin = minimumBudget(q);
    for (const [label, b] of [['min', bMin], ['4x min', 4 * bMin], ['64 MiB', 64 * MiB]] as const) {
      const p = planApprox({ ...q, method: 'rsvd', passes: 1, memoryBudget: b } as never);
      if (p.kind !== 'sketch') continue;
      const out: string[] = [];
      for (let seed = 0; seed < 5; seed++) {
        const spill = memorySpill();
        const st = createSketch({ cols: nn, rank: r, method: 'rsvd', seed, dtype, sizes: p.sizes, spill });
        for (let r0 = 0; r0 < m; r0 += 1000) { const bb = Math.min(1000, m - r0); updateRows(st, rows32 ? { rows: bb, cols: nn, data: rows32, offset: r0 * nn, stride: nn } : { rows: bb, cols: nn, data: a.data, offset: r0 * nn, stride: nn }, r0); }
        const o = rangeBasis(st as never, spill as never).rho, nw = rangeBasis(st as never, spill as never, RSVD_REL_TOL).rho;
        out.push(o === nw ? `${o}` : `${o}->${nw}`);
      }
      console.log(`${c.name} r=${r} ${label} l=${p.sizes.k}: rho ${out.join(' ')}${out.some((x) => x.includes('->')) ? '  CHANGED' : ''}`);
    }
  }
}
