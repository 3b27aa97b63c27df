/**
 * Question: what does `approx --checkpoint DIR --checkpoint-every 1000000` cost (issue 16: within
 * 10% of no checkpoint on 10^7 rows of width 256), and how large is a checkpoint?
 *
 * Data: `synthetic:ROWSx256` (rank 10 plus noise, generated in the process: no disk read to share).
 * Method: the CLI (dist/, `npm run build` first) as child processes under /usr/bin/time, the cases
 * run at the same time (so a loaded machine slows both alike), best of nothing: one run each.
 * - phase 1, no --out (the state only): no checkpoint | a checkpoint every EVERY rows;
 * - phase 2, with --out (U written, so the range rows are spilled: to the temp directory without a
 *   checkpoint, durable in DIR with one, fsynced at every checkpoint), on ROWS2 rows every EVERY2.
 * The checkpoint's size is sampled while it runs (the file is removed when the run succeeds); the
 * state is m-independent, the spill is 8 k bytes a row plus Arrow framing.
 * Reports wall seconds, CPU seconds (user + sys), rows/s and the ratio; the load (uptime) before and
 * after. Writes bench/out/checkpoint-cost.json and .md.
 *
 *   npx tsx bench/checkpoint-cost.ts [--rows 10000000] [--every 1000000] [--rows2 1000000] [--every2 100000]
 *
 * Conclusion: see bench/out/checkpoint-cost.md and the README ("Long streams").
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const ROWS = arg('rows', 10_000_000), EVERY = arg('every', 1_000_000), ROWS2 = arg('rows2', 1_000_000), EVERY2 = arg('every2', 100_000);
const COLS = 256, RANK = 10;

interface Run { name: string; rows: number; wall: number; cpu: number; rowsPerSec: number; checkpointBytes: number; spillBytes: number; seconds: number }

function runCase(name: string, rows: number, extra: string[], dir?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const args = ['-f', 'TIME %e %U %S', process.execPath, join(ROOT, 'bin', 'rangefinder.js'), 'approx', `synthetic:${rows}x${COLS}`,
      '--rank', String(RANK), '--json', '--no-progress', ...extra];
    const child = spawn('/usr/bin/time', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '', ck = 0, sp = 0;
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    const poll = dir === undefined ? undefined : setInterval(() => {
      const size = (f: string): number => { try { return statSync(join(dir, f)).size; } catch { return 0; } };
      ck = Math.max(ck, size('checkpoint.rfsk'));
      sp = Math.max(sp, size('range-rows.arrows'));
    }, 500);
    child.on('error', reject);
    child.on('close', (code) => {
      if (poll) clearInterval(poll);
      const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(err);
      if (code !== 0 || m === null) { reject(new Error(`${name}: exit ${code}\n${err}`)); return; }
      const wall = Number(m[1]), cpu = Number(m[2]) + Number(m[3]);
      const json = JSON.parse(out) as { seconds: number };
      resolve({ name, rows, wall, cpu, rowsPerSec: rows / wall, checkpointBytes: ck, spillBytes: sp, seconds: json.seconds });
    });
  });
}

const work = mkdtempSync(join(tmpdir(), 'rf-bench-checkpoint-'));
try {
  const load0 = loadavg();
  const ck1 = join(work, 'ck1'), ck2 = join(work, 'ck2'), out1 = join(work, 'out1'), out2 = join(work, 'out2');
  for (const d of [out1, out2]) mkdirSync(d);
  console.log(`phase 1: ${ROWS} x ${COLS}, no --out; load ${load0.map((x) => x.toFixed(1)).join(' ')}`);
  const phase1 = await Promise.all([
    runCase('none', ROWS, []),
    runCase(`every ${EVERY}`, ROWS, ['--checkpoint', ck1, '--checkpoint-every', String(EVERY)], ck1),
  ]);
  console.log(phase1);
  const load1 = loadavg();
  console.log(`phase 2: ${ROWS2} x ${COLS}, --out; load ${load1.map((x) => x.toFixed(1)).join(' ')}`);
  const phase2 = await Promise.all([
    runCase('none, --out', ROWS2, ['--out', `${out1}/`]),
    runCase(`every ${EVERY2}, --out`, ROWS2, ['--out', `${out2}/`, '--checkpoint', ck2, '--checkpoint-every', String(EVERY2)], ck2),
  ]);
  console.log(phase2);
  const load2 = loadavg();
  const ratio = (a: Run, b: Run): { wall: number; cpu: number } => ({ wall: b.wall / a.wall, cpu: b.cpu / a.cpu });
  const result = {
    question: 'cost of --checkpoint-every on a one-pass rsvd run, and checkpoint size',
    cols: COLS, rank: RANK, load: { before: load0, between: load1, after: load2 },
    phase1: { rows: ROWS, every: EVERY, runs: phase1, ratio: ratio(phase1[0], phase1[1]) },
    phase2: { rows: ROWS2, every: EVERY2, runs: phase2, ratio: ratio(phase2[0], phase2[1]), spillBytesPerRow: phase2[1].spillBytes / ROWS2 },
  };
  mkdirSync(join(ROOT, 'bench', 'out'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'out', 'checkpoint-cost.json'), `${JSON.stringify(result, null, 1)}\n`);
  const row = (r: Run): string => `| ${r.name} | ${r.rows} | ${r.wall.toFixed(1)} | ${r.cpu.toFixed(1)} | ${Math.round(r.rowsPerSec)} | ${r.checkpointBytes || '–'} | ${r.spillBytes || '–'} |`;
  const md = [
    '# Cost of checkpoints (`npx tsx bench/checkpoint-cost.ts`)', '',
    `synthetic:ROWSx${COLS}, --rank ${RANK} (rsvd), the two cases of each phase run at the same time. Load (1/5/15 min): ` +
      `${load0.map((x) => x.toFixed(1)).join(' ')} before, ${load2.map((x) => x.toFixed(1)).join(' ')} after.`, '',
    '| case | rows | wall s | CPU s | rows/s (wall) | checkpoint.rfsk bytes | spill bytes (max seen) |', '|---|---|---|---|---|---|---|',
    ...phase1.map(row), ...phase2.map(row), '',
    `Phase 1 (no --out): with a checkpoint every ${EVERY} rows, wall x${result.phase1.ratio.wall.toFixed(3)}, CPU x${result.phase1.ratio.cpu.toFixed(3)}.`,
    `Phase 2 (--out, durable spill fsynced at each checkpoint): wall x${result.phase2.ratio.wall.toFixed(3)}, CPU x${result.phase2.ratio.cpu.toFixed(3)}; ` +
      `the spill holds ${result.phase2.spillBytesPerRow.toFixed(1)} bytes a row.`, '',
  ].join('\n');
  writeFileSync(join(ROOT, 'bench', 'out', 'checkpoint-cost.md'), md);
  console.log(md);
} finally {
  if (existsSync(work)) rmSync(work, { recursive: true, force: true });
}
