/**
 * Question: what do the Philox4x32-10 streams cost against the previous xor128 streams, in the map
 * generators and in `updateRows`?
 *
 * Method: the same child (bench/random-streams-run.ts) runs in two source trees, alternating, REPS
 * times each (interleaved, so load drift hits both alike): this tree, and a BASE tree holding the
 * commit before the change (`git archive <commit> | tar -x -C DIR`, node_modules linked, then
 * `node scripts/build-wasm.mjs` there). Each child measures items/s of `fillItems('gaussian')` into
 * plain float32/float64 arrays (TypeScript loop) and into the kernels' memory (the WebAssembly loop in
 * the new tree; the old tree had none for Gaussian), `fillSparseSignItems` both ways (WebAssembly in
 * both trees for arena outputs), and `updateRows` rows/s on 100 000 x 256 float32 rows (three-sketch,
 * sparse-sign and Gaussian maps, rank 10 and 32, blocks of 8192 rows; best of two sketches). The table reports the median
 * over REPS per tree and the ratio new / old.
 *
 * Run: BASE=/tmp/main-tree REPS=3 [PARTS=gen|update] node --experimental-wasm-relaxed-simd --import tsx bench/random-streams-ab.ts
 * Output: bench/out/random-streams-ab[-PARTS].json and .md.
 *
 * Conclusion (2026-12-06, shared 2-vCPU box; BASE = commit 0c62cb5, the tree before the Philox streams):
 * - updateRows on float32 rows (REPS=7, load 3.4-4.4; bench/out/random-streams-ab-update.md): new / old
 *   0.98 (sparse sign, rank 10), 1.00 (sparse sign, 32), 1.02 (Gaussian, 10), 0.98 (Gaussian, 32);
 *   paired medians 0.94 / 0.99 / 1.02 / 0.97: no slowdown beyond the machine's noise (a run at load
 *   6-13 gave 0.92-1.05, with paired ranges 0.5-2.5).
 * - generators (REPS=7, load 4.4-4.9; -gen.md): Gaussian into the kernels' memory 0.85-0.90x of the old
 *   TypeScript xor128 loop (about 15.6 M items/s at dim 10, 2.0 M at dim 83: ~170 M normals/s), into
 *   other arrays 0.71-1.00x (the copy out of the scratch); sparse sign into the kernels' memory 0.86x
 *   (12 M items/s), into other arrays 1.6-1.8x (it now runs in WebAssembly there too). Philox costs
 *   more per word than xor128; the sketch hides it because map generation is a small part of a row.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const base = process.env.BASE;
if (!base) { console.error('random-streams-ab: set BASE to a source tree of the previous commit (see the header)'); process.exit(2); }
const REPS = Number(process.env.REPS ?? 3);
copyFileSync(join(here, 'random-streams-run.ts'), join(base, 'bench', 'random-streams-run.ts'));

const runs: Record<'old' | 'new', Record<string, number>[]> = { old: [], new: [] };
const load: number[] = [];
for (let rep = 0; rep < REPS; rep++) {
  for (const [tree, dir] of (rep % 2 === 0 ? [['old', base], ['new', root]] : [['new', root], ['old', base]]) as ['old' | 'new', string][]) {
    load.push(loadavg()[0]);
    const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', join(dir, 'bench', 'random-streams-run.ts')],
      { cwd: dir, encoding: 'utf8', env: { ...process.env }, maxBuffer: 1 << 24 });
    if (r.status !== 0) { console.error(r.stderr); process.exit(1); }
    const line = r.stdout.trim().split('\n').pop()!;
    runs[tree].push(JSON.parse(line) as Record<string, number>);
    console.error(`rep ${rep} ${tree} done`);
  }
}
const median = (v: number[]) => { const s = [...v].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const keys = Object.keys(runs.new[0]);
const rows = keys.map((k) => {
  const o = median(runs.old.map((r) => r[k])), nw = median(runs.new.map((r) => r[k]));
  // Paired: the two trees of one repetition ran back to back, so their ratio cancels slow load drift.
  const paired = runs.new.map((r, i) => r[k] / runs.old[i][k]).sort((x, y) => x - y);
  return { case: k, old: o, new: nw, ratio: nw / o, pairedMedian: median(paired), pairedMin: paired[0], pairedMax: paired.at(-1)! };
});
const md = ['| case | old (xor128) | new (Philox) | new / old | paired new / old: median (range) |', '| --- | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.case} | ${Math.round(r.old).toLocaleString('en-US')} | ${Math.round(r.new).toLocaleString('en-US')} | ${r.ratio.toFixed(2)} | ${r.pairedMedian.toFixed(2)} (${r.pairedMin.toFixed(2)}-${r.pairedMax.toFixed(2)}) |`)];
const note = `Medians of ${REPS} interleaved runs per tree (PARTS=${process.env.PARTS ?? 'gen,update'}); units: items/s (generators) and rows/s (update-*); load average during the run ${Math.min(...load).toFixed(1)}-${Math.max(...load).toFixed(1)}.`;
console.log([...md, '', note].join('\n'));
mkdirSync(join(here, 'out'), { recursive: true });
const tag = process.env.PARTS ? `-${process.env.PARTS.replace(/,/g, '-')}` : '';
writeFileSync(join(here, 'out', `random-streams-ab${tag}.json`), JSON.stringify({ date: new Date().toISOString(), reps: REPS, load, runs, rows }, null, 1));
writeFileSync(join(here, 'out', `random-streams-ab${tag}.md`), ['# Philox4x32-10 vs xor128 streams (bench/random-streams-ab.ts)', '', ...md, '', note, ''].join('\n'));
