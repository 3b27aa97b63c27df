/**
 * One pass over a row stream: the three-sketch against the Gram-pass RSVD, at equal memory.
 *
 * Question: the planner's rule for passes = 1 is the three-sketch [TYUC19] (docs/METHODS.md §2). A
 * row stream also allows a single-pass RSVD: the Gram pass computes A Omega and A^T A Omega in one
 * pass and B = R^{-T} H^T without a second one [Yu17] (q = 0). Which is more accurate for the
 * same in-memory state?
 *
 * Data: the five shared real matrices (streamed by rows; wide navy_winds_u by columns).
 *
 * Method: for rank r in {10, 20, 50} and a budget B = c * gramPassBytes(rsi, n, r + 10, 1) with
 * c in {1, 2, 4}: the three-sketch (Gaussian maps, as when these results were measured) by `createSketch({ memoryBudget: B, sizeRule })` with the rows
 * of Y in a memory spill (not counted, as for the Gram pass's G), both size rules; the Gram-pass
 * RSVD with the largest p whose `gramPassBytes` fits B (capped at min(m, n) - r). 5 seeds; mean
 * normalized spectral error ||A - A_r||_2 / sigma_{r+1} (Lanczos, tol 1e-8).
 *
 * Run: `npx tsx bench/one-pass-choice.ts`. Writes bench/out/one-pass-choice.json and .md.
 *
 * Conclusion: see the .md (written by the script) and the planner's reasons (plan-passes.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Matrix64 } from '../src/matrix.js';
import { transpose } from '../src/matrix.js';
import { svd } from '../src/linalg/svd.js';
import { createSketch, memorySpill, reconstruct, updateRows } from '../src/internals.js';
import { gramPassBytes } from '../src/multipass/gram-pass-bytes.js';
import { runPasses } from '../streams/run-passes.js';
import { readNpySync } from '../test/helpers/read-npy-sync.js';
import { matrixSource } from '../test/helpers/matrix-source.js';
import { sharedPath } from '../test/helpers/shared-data.js';
import { normalizedSpectralError } from '../test/helpers/normalized-error.js';

const DIR = `${sharedPath('matrices')}/`;
const NAMES = ['ppocr_rec_conv180', 'hm_faceres_deep_feats', 'sklearn_digits', 'navy_winds_u', 'etopo20'];
const SEEDS = 5;
const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
const rows: Record<string, unknown>[] = [];
const t0 = performance.now();
for (const name of NAMES) {
  const a0 = readNpySync(`${DIR}${name}.npy`);
  const sigma = svd(a0, { vectors: false }).s;
  const a: Matrix64 = a0.cols > a0.rows ? transpose(a0) : a0; // stream the long axis
  const m = a.rows, n = a.cols, lim = Math.min(m, n);
  for (const r of [10, 20, 50]) {
    if (r + 10 > lim) continue;
    for (const c of [1, 2, 4]) {
      const budget = c * gramPassBytes('rsi', n, r + 10, 1);
      let p = 10;
      while (r + p + 1 <= lim && gramPassBytes('rsi', n, r + p + 1, 1) <= budget) p++;
      const e = { gram: [] as number[], natural: [] as number[], flat: [] as number[] };
      const sizes: Record<string, string> = {};
      for (let seed = 0; seed < SEEDS; seed++) {
        const g = await runPasses(matrixSource(a, 256), { method: 'rsi', passes: 1, rank: r, oversamples: p }, { seed });
        e.gram.push(normalizedSpectralError(a, { u: g.u!, s: g.s, v: g.v! }, sigma[r]!));
        for (const rule of ['natural', 'flat'] as const) {
          try {
            const st = createSketch({ cols: n, rank: r, testMatrix: 'gaussian', memoryBudget: budget, sizeRule: rule, seed, spill: memorySpill() });
            sizes[rule] = `k=${st.sizes.k}, s=${st.sizes.s}`;
            for (let r0 = 0; r0 < m; r0 += 256) updateRows(st, { rows: Math.min(256, m - r0), cols: n, data: a.data, offset: r0 * n, stride: n }, r0);
            const f = reconstruct(st, { guard: false });
            e[rule].push(normalizedSpectralError(a, { u: f.u!, s: f.s, v: f.v }, sigma[r]!));
          } catch (err) {
            sizes[rule] = `refused: ${(err as Error).message.slice(0, 60)}`;
          }
        }
      }
      const row = {
        matrix: name, rank: r, budgetBytes: budget, budgetFactor: c, gramOversamples: p,
        gram: mean(e.gram), threeNatural: e.natural.length ? mean(e.natural) : null, threeFlat: e.flat.length ? mean(e.flat) : null,
        sizesNatural: sizes.natural, sizesFlat: sizes.flat,
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }
}
const f = (x: unknown) => (typeof x === 'number' ? x.toFixed(3) : '-');
const L = ['# One pass over a row stream: three-sketch vs Gram-pass RSVD at equal memory', '',
  `Command: \`npx tsx bench/one-pass-choice.ts\` (${new Date().toISOString().slice(0, 16)} UTC, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}, ${((performance.now() - t0) / 1000).toFixed(0)} s). Mean normalized spectral error over ${SEEDS} seeds.`, '',
  '| matrix | rank | budget (KiB) | Gram RSVD (p) | three-sketch natural (k, s) | three-sketch flat (k, s) |', '|---|---:|---:|---|---|---|'];
for (const r of rows) {
  L.push(`| ${r.matrix} | ${r.rank} | ${((r.budgetBytes as number) / 1024).toFixed(0)} | ${f(r.gram)} (p=${r.gramOversamples}) | ${f(r.threeNatural)} (${r.sizesNatural}) | ${f(r.threeFlat)} (${r.sizesFlat}) |`);
}
mkdirSync(new URL('./out/', import.meta.url), { recursive: true });
writeFileSync(new URL('./out/one-pass-choice.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), load: loadavg(), rows }, null, 1));
writeFileSync(new URL('./out/one-pass-choice.md', import.meta.url), L.join('\n') + '\n');
console.log(L.join('\n'));
