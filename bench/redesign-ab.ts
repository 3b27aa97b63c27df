/**
 * Question (issue 12, the redesign's cost): how fast does the one-pass sketch absorb rows before the
 * redesign ("one record per method, one engine"), right after it, and now, on the same inputs?
 *
 * Data: two float32 .npy files, 100 000 x 256 and 100 000 x 1024 (values from a plain LCG in [-0.5,
 * 0.5), the same bytes for every tree), written once to a temporary directory (page cache).
 *
 * Method: the same child (bench/redesign-ab-run.ts, copied into each tree's bench/) runs in each
 * source tree given as TREES=name=DIR,... (git worktrees of the commits, node_modules linked,
 * `node scripts/build-wasm.mjs` run in each; the first is the baseline). A child reads the .npy into
 * memory and times `updateRows` on one thread in the .npy source's 4 MiB blocks (the sketch alone: no
 * decode, no reconstruction), one pass over the first TIMED_MB MB of rows (default 102.4: all
 * 100 000 rows of 256 columns, 25 000 of 1024; the work per row does not depend on the row count, so
 * a busy machine may take 25.6) after a warm-up of 5 000 rows.
 * Cases: the three-sketch with its default sizes (k = 4r + 1, s = 2k + 1, q = 10: the same in every
 * tree) and, in trees that have it, rsvd with the width the planner now gives the CLI's default
 * (64 MiB, these shapes: l = 33 / 64 for 256 columns at rank 10 / 32, l = 20 / 64 for 1024), for
 * rank 10 and 32, sparse-sign and Gaussian maps, float32 products. REPS (default 3) repetitions; in
 * each, every case runs in every tree back to back, the tree order reversed every other repetition
 * (interleaved, so load drift hits the trees alike). Reported: the median rows/s per tree, the ratio
 * of medians to the baseline, and the paired ratio (the two runs of one repetition) median and range.
 * The load average is recorded at every child; the machine is a shared 2-vCPU VM.
 *
 * Run: TREES=old=../ab-old,redesign=../ab-redesign,main=../ab-main REPS=3 \
 *   node --experimental-wasm-relaxed-simd --import tsx bench/redesign-ab.ts
 * after `git worktree add --detach ../ab-old 0c62cb5` (and ../ab-redesign 3ecf893, ../ab-main
 * main), `ln -s` of node_modules and `node scripts/build-wasm.mjs` in each. Writes
 * bench/out/redesign-ab.json and .md (RENDER=FILE: only the tables, from a run's JSON; RESUME=FILE:
 * continue a cut-short run from the partial JSON it left in $TMPDIR).
 *
 * Conclusion (run of 2026-12-06 17:07-17:44 UTC, REPS=3 TIMED_MB=25.6, load 13-35; cut in the
 * second repetition when an `npm ci` replaced the shared node_modules, and finished with RESUME):
 * the three-sketch, main / before the redesign (0c62cb5), 0.93-0.99 in rows per CPU second over the
 * eight cases (geometric mean 0.965; paired per repetition 0.92-1.04, mean 0.98): about 3%, at the
 * edge of this machine's noise; the redesign commit itself (3ecf893) 0.85-1.08 (mean 0.95). rsvd,
 * main / 3ecf893: 0.94-1.21 (mean 1.07). The default then (three-sketch) and now (rsvd): 0.91-2.70x.
 * Table: bench/out/redesign-ab.md; the README's Throughput section.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planApprox } from '../src/internals.js';

const here = dirname(fileURLToPath(import.meta.url));
const spec = process.env.TREES;
if (!spec) { console.error('redesign-ab: set TREES=name=DIR,name=DIR,... (the first is the baseline; see the header)'); process.exit(2); }
/** The commit a tree holds (its worktree's HEAD). */
const commitOf = (dir: string) => { try { return execFileSync('git', ['-C', dir, 'rev-parse', '--short=7', 'HEAD']).toString().trim(); } catch { return '?'; } };
let trees = spec.split(',').map((t) => { const [name, dir] = t.split('='); return { name: name!, dir: dir!, commit: commitOf(dir!) } /* as given (relative): the JSON records no path of this machine */; });
let REPS = Number(process.env.REPS ?? 3);
let TIMED_MB = Number(process.env.TIMED_MB ?? 102.4);
/** RENDER=FILE: write the tables from a run's JSON (this script's, or the partial one a cut-short run leaves in $TMPDIR). */
const render = process.env.RENDER;
const rowsOf = (n: number) => Math.min(M, Math.floor((TIMED_MB * 1e6) / (n * 4)));
const M = 100_000;
const COLS = (process.env.COLS ?? '256,1024').split(',').map(Number);
const RANKS = (process.env.RANKS ?? '10,32').split(',').map(Number);
const FAMILIES = (process.env.FAMILIES ?? 'sparse-sign,gaussian').split(',');
if (!render) for (const t of trees) copyFileSync(join(here, 'redesign-ab-run.ts'), join(t.dir, 'bench', 'redesign-ab-run.ts'));
const hasRsvd = (dir: string) => existsSync(join(dir, 'src', 'sketch', 'rsvd'));

/** A C-order float32 .npy of m x n LCG values. */
function writeData(path: string, m: number, n: number): void {
  let h = `{'descr': '<f4', 'fortran_order': False, 'shape': (${m}, ${n}), }`;
  h += ' '.repeat(63 - ((10 + h.length) % 64)) + '\n';
  const head = Buffer.alloc(10 + h.length);
  head.write('\x93NUMPY', 0, 'latin1'); head[6] = 1; head[7] = 0; head.writeUInt16LE(h.length, 8); head.write(h, 10, 'latin1');
  const fd = openSync(path, 'w');
  writeSync(fd, head);
  let x = 1;
  const rows = 1000, chunk = new Float32Array(rows * n);
  for (let r0 = 0; r0 < m; r0 += rows) {
    for (let i = 0; i < chunk.length; i++) { x = (x * 1103515245 + 12345) % 2147483648; chunk[i] = x / 2147483648 - 0.5; }
    writeSync(fd, new Uint8Array(chunk.buffer, 0, Math.min(rows, m - r0) * n * 4));
  }
  closeSync(fd);
}

interface Case { key: string; cols: number; method: string; family: string; rank: number; width?: number }
const cases: Case[] = [];
for (const n of COLS) for (const r of RANKS) for (const family of FAMILIES) {
  cases.push({ key: `${n} cols, r=${r}, ${family}, three-sketch`, cols: n, method: 'three-sketch', family, rank: r });
  const p = planApprox({ method: 'auto', passes: 1, memoryBudget: 64 * 2 ** 20, rank: r, cols: n, rows: M, dtype: 'float32' });
  if (p.kind === 'sketch' && p.method === 'rsvd') cases.push({ key: `${n} cols, r=${r}, ${family}, rsvd l=${p.sizes.k}`, cols: n, method: 'rsvd', family, rank: r, width: p.sizes.k });
}

const partial = join(tmpdir(), `rf-redesign-ab-partial-${process.pid}.json`);
type Run = { rowsPerS: number; rowsPerCpuS?: number; seconds: number[]; cpuSeconds?: number; sizes: unknown; load: number };
/** METRIC=cpu (default): rows per CPU second of the pass; METRIC=wall: rows per wall second. */
const metric = process.env.METRIC ?? 'cpu';
const rate = (x: Run) => (metric === 'wall' ? x.rowsPerS : x.rowsPerCpuS ?? x.rowsPerS);
let runs: Record<string, Record<string, Run[]>> = {};
let load: number[] = [loadavg()[0]];
const t0 = Date.now();
let seconds = 0, date = new Date().toISOString(), resumedSeconds = 0;
if (render) {
  const j = JSON.parse(readFileSync(render, 'utf8')) as { trees: typeof trees; runs: typeof runs; load: number[]; reps?: number; timedMB?: number; seconds?: number; date?: string };
  trees = j.trees.map((t) => ({ ...t, commit: t.commit ?? commitOf(t.dir) }));
  runs = j.runs; load = j.load; REPS = j.reps ?? REPS; TIMED_MB = j.timedMB ?? TIMED_MB; seconds = j.seconds ?? 0; date = j.date ?? date;
} else {
// RESUME=FILE: a cut-short run's partial JSON; its runs are kept and only the missing ones are made.
if (process.env.RESUME) {
  const j = JSON.parse(readFileSync(process.env.RESUME, 'utf8')) as { runs: typeof runs; load: number[]; seconds?: number };
  runs = j.runs; load = [...j.load, ...load]; resumedSeconds = j.seconds ?? 0;
}
const dir = mkdtempSync(join(tmpdir(), 'rf-redesign-ab-'));
try {
  for (const n of COLS) writeData(join(dir, `A${n}.npy`), M, n);
  for (let rep = 0; rep < REPS; rep++) {
    const order = rep % 2 === 0 ? trees : [...trees].reverse();
    for (const c of cases) {
      for (const t of order) {
        if (c.method === 'rsvd' && !hasRsvd(t.dir)) continue;
        if ((runs[c.key]?.[t.name]?.length ?? 0) > rep) continue; // made before a RESUME
        const l = loadavg()[0];
        load.push(l);
        const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', join(t.dir, 'bench', 'redesign-ab-run.ts'),
          join(dir, `A${c.cols}.npy`), c.method, c.family, String(c.rank), ...(c.width ? [String(c.width)] : [])],
        { cwd: t.dir, encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, TIMED_MB: String(TIMED_MB) } });
        if (r.status !== 0) throw new Error(`${t.name} ${c.key}: exit ${r.status}\n${r.stderr}`);
        const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as Run;
        ((runs[c.key] ??= {})[t.name] ??= []).push({ rowsPerS: j.rowsPerS, rowsPerCpuS: j.rowsPerCpuS, seconds: j.seconds, cpuSeconds: j.cpuSeconds, sizes: j.sizes, load: l });
        console.error(`rep ${rep + 1}/${REPS} ${t.name.padEnd(9)} ${c.key}: ${Math.round(j.rowsPerS)} rows/s, ${Math.round(j.rowsPerCpuS!)} rows/CPU-s (load ${l.toFixed(1)})`);
        // Every run as it comes (a long run cut short keeps what it measured).
        writeFileSync(partial, JSON.stringify({ trees, runs, load, reps: REPS, timedMB: TIMED_MB, seconds: resumedSeconds + (Date.now() - t0) / 1000, date }));
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  for (const t of trees) rmSync(join(t.dir, 'bench', 'redesign-ab-run.ts'), { force: true });
}
load.push(loadavg()[0]);
seconds = resumedSeconds + (Date.now() - t0) / 1000;
}

const median = (v: number[]) => { const s = [...v].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const base = trees[0].name;
const others = trees.slice(1).map((t) => t.name);
const rows = cases.map((c) => {
  const per = runs[c.key] ?? {};
  const med = Object.fromEntries(Object.entries(per).map(([k, v]) => [k, median(v.map(rate))]));
  const medWall = Object.fromEntries(Object.entries(per).map(([k, v]) => [k, median(v.map((x) => x.rowsPerS))]));
  const ratios: Record<string, { ofMedians: number; pairedMedian: number; pairedMin: number; pairedMax: number; vs: string }> = {};
  for (const t of others) {
    const vs = per[base] ? base : (others.find((o) => o !== t && per[o] && others.indexOf(o) < others.indexOf(t)) ?? null);
    if (!per[t] || !vs) continue;
    const paired = per[t].map((x, i) => rate(x) / rate(per[vs][i])).sort((x, y) => x - y);
    ratios[t] = { ofMedians: med[t] / med[vs], pairedMedian: median(paired), pairedMin: paired[0], pairedMax: paired.at(-1)!, vs };
  }
  return { case: c.key, ...c, metric, medianRowsPerS: med, medianWallRowsPerS: medWall, ratios, sizes: Object.fromEntries(Object.entries(per).map(([k, v]) => [k, v[0].sizes])) };
});
const md: string[] = [
  '# The redesign\'s cost: one-pass sketch throughput before and after (bench/redesign-ab.ts)', '',
  `Trees: ${trees.map((t) => `${t.name} = commit ${t.commit}`).join(', ')}, each a worktree (\`git worktree add --detach ../ab-NAME COMMIT\`, ` +
  '`ln -s` of node_modules, `node scripts/build-wasm.mjs` in it). Command: ' +
  `\`TREES=${trees.map((t) => `${t.name}=../ab-${t.name}`).join(',')} REPS=${REPS} TIMED_MB=${TIMED_MB} node --experimental-wasm-relaxed-simd --import tsx bench/redesign-ab.ts\`. ` +
  `${REPS} interleaved repetitions, ${seconds.toFixed(0)} s, ${date.slice(0, 16)} UTC; load average (1 min) at the children's starts ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)} (median ${median(load).toFixed(1)}) on 2 vCPUs.`, '',
  `Cells: median ${metric === 'wall' ? 'rows per wall second' : 'rows per CPU second (user + system of the child: on a crowded machine the wall time measures the queue more than the code)'} of \`updateRows\` on float32 rows (one thread, 4 MiB blocks, one pass per child over the first ${TIMED_MB} MB of rows: ${fmt(rowsOf(256))} of 256 columns, ${fmt(rowsOf(1024))} of 1024); ratio = this tree's median ÷ the baseline's ` +
  `(rsvd: ÷ the first tree that has it), paired = per repetition, median (range).`, '',
  `| case | ${trees.map((t) => t.name).join(' | ')} | ${others.map((o) => `${o} ÷ baseline, paired`).join(' | ')} |`,
  `|---|${trees.map(() => '---:').join('|')}|${others.map(() => '---').join('|')}|`,
  ...rows.map((r) => `| ${r.case} | ${trees.map((t) => (r.medianRowsPerS[t.name] ? fmt(r.medianRowsPerS[t.name]) : '–')).join(' | ')} | ` +
    `${others.map((o) => { const q = r.ratios[o]; return q ? `${q.ofMedians.toFixed(2)}${q.vs !== base ? ` (÷ ${q.vs})` : ''}, ${q.pairedMedian.toFixed(2)} (${q.pairedMin.toFixed(2)}–${q.pairedMax.toFixed(2)})` : '–'; }).join(' | ')} |`),
  '', `Wall-time rows/s, medians (${trees.map((t) => t.name).join(' / ')}): ` +
  rows.map((r) => `${r.case}: ${trees.map((t) => (r.medianWallRowsPerS[t.name] ? fmt(r.medianWallRowsPerS[t.name]) : '–')).join(' / ')}`).join('; ') + '.',
];
// The default then and now: rsvd (now) against the three-sketch (then) at the same rank, columns and maps.
const defaults = rows.filter((r) => r.method === 'rsvd').map((r) => {
  const ts = rows.find((x) => x.method === 'three-sketch' && x.cols === r.cols && x.rank === r.rank && x.family === r.family)!;
  const now = trees.at(-1)!.name;
  return `| ${r.cols} cols, r=${r.rank}, ${r.family} | ${fmt(ts.medianRowsPerS[base])} | ${r.width} | ${fmt(r.medianRowsPerS[now])} | ${(r.medianRowsPerS[now] / ts.medianRowsPerS[base]).toFixed(2)} |`;
});
if (defaults.length > 0) {
  md.push('', `The one-pass default then (three-sketch, ${base}) and now (rsvd with the planner's width, ${trees.at(-1)!.name}):`, '',
    '| case | three-sketch then, rows/s | rsvd l | rsvd now, rows/s | now ÷ then |', '|---|---:|---:|---:|---:|', ...defaults);
}
mkdirSync(join(here, 'out'), { recursive: true });
writeFileSync(join(here, 'out', 'redesign-ab.json'), `${JSON.stringify({ date, seconds, trees, reps: REPS, rows: M, timedMB: TIMED_MB, load, runs, summary: rows }, null, 1)}\n`);
writeFileSync(join(here, 'out', 'redesign-ab.md'), `${md.join('\n')}\n`);
rmSync(partial, { force: true });
console.log(md.join('\n'));
