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
 * Run: BASE=/tmp/main-tree REPS=3 node --experimental-wasm-relaxed-simd --import tsx bench/random-streams-ab.ts
 * Output: bench/out/random-streams-ab.json and .md.
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
    load.push(loadavg()[0]!);
    const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', join(dir, 'bench', 'random-streams-run.ts')],
      { cwd: dir, encoding: 'utf8', env: { ...process.env }, maxBuffer: 1 << 24 });
    if (r.status !== 0) { console.error(r.stderr); process.exit(1); }
    const line = r.stdout.trim().split('\n').pop()!;
    runs[tree].push(JSON.parse(line) as Record<string, number>);
    console.error(`rep ${rep} ${tree} done`);
  }
}
const median = (v: number[]) => { const s = [...v].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };
const keys = Object.keys(runs.new[0]!);
const rows = keys.map((k) => {
  const o = median(runs.old.map((r) => r[k]!)), nw = median(runs.new.map((r) => r[k]!));
  return { case: k, old: o, new: nw, ratio: nw / o };
});
const md = ['| case | old (xor128) | new (Philox) | new / old |', '| --- | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.case} | ${Math.round(r.old).toLocaleString('en-US')} | ${Math.round(r.new).toLocaleString('en-US')} | ${r.ratio.toFixed(2)} |`)];
const note = `Medians of ${REPS} interleaved runs per tree; units: items/s (generators) and rows/s (update-*); load average during the run ${Math.min(...load).toFixed(1)}-${Math.max(...load).toFixed(1)}.`;
console.log([...md, '', note].join('\n'));
mkdirSync(join(here, 'out'), { recursive: true });
writeFileSync(join(here, 'out', 'random-streams-ab.json'), JSON.stringify({ date: new Date().toISOString(), reps: REPS, load, runs, rows }, null, 1));
writeFileSync(join(here, 'out', 'random-streams-ab.md'), ['# Philox4x32-10 vs xor128 streams (bench/random-streams-ab.ts)', '', ...md, '', note, ''].join('\n'));
