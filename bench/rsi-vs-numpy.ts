/**
 * Multi-pass RSI over a file against numpy's RSI, in the same run.
 *
 * Question: what do P passes over an .npy file with our streaming Gram-pass RSI cost in time and
 * peak memory, and what accuracy do they buy, against numpy/OpenBLAS running RSI with q = P - 1
 * on the matrix loaded in memory, at the same rank and oversampling?
 *
 * Data: two shared real matrices (etopo20 540 x 1081, navy_winds_u 132 x 10512, streamed by
 * columns since it is wide) and a generated tall float32 matrix 40000 x 1000 with sigma_j = 1/j
 * (slow decay, Haar factors; written once to bench/out/tmp/ by numpy).
 *
 * Method: every measurement is a fresh child process, ours then numpy's, interleaved, 3 repetitions
 * (median time; peak RSS = getrusage max RSS of the child, and the same minus the RSS the child had
 * before reading the matrix). Ours: `runPasses(fromNpy(file), { method: 'rsi', passes: P, rank,
 * oversamples: 10 })`, float32 rows widened to float64, U through the in-memory spill (m x l), one
 * thread. numpy: np.load, astype(float64), Gaussian Omega, QR at every half step (HMT11 Alg. 4.4),
 * q = P - 1, SVD of Q^T A; OPENBLAS_NUM_THREADS = 1. Both times include reading the file (ours
 * reads it P times, numpy once). Accuracy: normalized spectral error ||A - U S V^T||_2 / sigma_{r+1}
 * computed by numpy (exact 2-norm) for both factorisations.
 *
 * Run: `npx tsx bench/rsi-vs-numpy.ts [--quick]` (quick: 1 repetition, no generated matrix).
 * Writes bench/out/rsi-vs-numpy.json and .md.
 *
 * Conclusion: see bench/out/rsi-vs-numpy.md (numbers of the last run, with the machine load).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { numpyEnv } from './numpy-env.js';
import { sharedPath } from '../test/helpers/shared-data.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const TMP = `${here}out/tmp/`;
const PY = `${here}rsi-vs-numpy.py`;
const SHARED = `${sharedPath('matrices')}/`;
const env1 = numpyEnv({ OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' });

async function child(): Promise<void> {
  // ours, in this (fresh) process: node --import tsx bench/rsi-vs-numpy.ts --child FILE P RANK P_OVER OUT ORIENT
  const [file, P, rank, over, out, orientation] = process.argv.slice(3);
  const { fromNpy } = await import('../streams/sources/from-npy.js');
  const { runPasses } = await import('../streams/run-passes.js');
  const { writeNpy } = await import('../streams/sinks/write-npy.js');
  const base = process.resourceUsage().maxRSS;
  const t0 = performance.now();
  const res = await runPasses(fromNpy(file!, { orientation: orientation as 'rows' | 'columns' }), { method: 'rsi', passes: Number(P), rank: Number(rank), oversamples: Number(over) }, { seed: 0 });
  const seconds = (performance.now() - t0) / 1000;
  const maxRssKB = process.resourceUsage().maxRSS;
  await writeNpy(`${out}.u.npy`, res.u!);
  await writeNpy(`${out}.s.npy`, res.s, [res.s.length]);
  await writeNpy(`${out}.v.npy`, res.v!);
  console.log(JSON.stringify({ seconds, maxRssKB, baseRssKB: base }));
}

interface Meas { seconds: number; maxRssKB: number; baseRssKB: number }

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const reps = quick ? 1 : 3;
  mkdirSync(TMP, { recursive: true });
  const cases: { name: string; file: string; orientation: 'rows' | 'columns'; rank: number }[] = [
    { name: 'etopo20 (540 x 1081)', file: `${SHARED}etopo20.npy`, orientation: 'rows', rank: 50 },
    { name: 'navy_winds_u (132 x 10512, by columns)', file: `${SHARED}navy_winds_u.npy`, orientation: 'columns', rank: 50 },
  ];
  if (!quick) {
    const gen = `${TMP}poly-40000x1000.npy`;
    if (!existsSync(gen)) execFileSync('python3', [PY, 'gen', gen, '40000', '1000'], { env: env1 });
    cases.push({ name: 'synthetic sigma_j = 1/j (40000 x 1000, float32)', file: gen, orientation: 'rows', rank: 50 });
  }
  const passesList = [2, 3, 5];
  const rows: Record<string, unknown>[] = [];
  for (const c of cases) {
    for (const P of passesList) {
      const ours: Meas[] = [], np: Meas[] = [];
      const oursOut = `${TMP}ours-${P}`, npOut = `${TMP}np-${P}`;
      for (let k = 0; k < reps; k++) {
        ours.push(JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', c.file, String(P), String(c.rank), '10', oursOut, c.orientation], { env: env1, maxBuffer: 1 << 26 }).toString().trim().split('\n').at(-1)!));
        np.push(JSON.parse(execFileSync('python3', [PY, 'rsi', c.file, String(P), String(c.rank), '10', npOut], { env: env1 }).toString().trim().split('\n').at(-1)!));
      }
      const err = JSON.parse(execFileSync('python3', [PY, 'err', c.file, String(c.rank), oursOut, npOut], { env: env1, maxBuffer: 1 << 26 }).toString().trim());
      const med = (x: Meas[]) => [...x].sort((a, b) => a.seconds - b.seconds)[Math.floor(x.length / 2)];
      const o = med(ours), n = med(np);
      const oPeak = Math.max(...ours.map((x) => x.maxRssKB)), nPeak = Math.max(...np.map((x) => x.maxRssKB));
      const oDelta = Math.max(...ours.map((x) => x.maxRssKB - x.baseRssKB)), nDelta = Math.max(...np.map((x) => x.maxRssKB - x.baseRssKB));
      const row = {
        matrix: c.name, passes: P, q: P - 1, rank: c.rank,
        oursSeconds: o.seconds, numpySeconds: n.seconds, timeRatio: o.seconds / n.seconds,
        oursError: err[oursOut], numpyError: err[npOut], errorRatio: err[oursOut] / err[npOut],
        oursPeakMiB: oPeak / 1024, numpyPeakMiB: nPeak / 1024, peakRatio: oPeak / nPeak,
        oursGrowthMiB: oDelta / 1024, numpyGrowthMiB: nDelta / 1024,
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }
  const f = (x: unknown, d = 2) => (typeof x === 'number' ? x.toFixed(d) : String(x));
  const L = ['# Multi-pass RSI over an .npy file vs numpy RSI (q = P - 1), same run', '',
    `Command: \`npx tsx bench/rsi-vs-numpy.ts${quick ? ' --quick' : ''}\` (${new Date().toISOString().slice(0, 16)} UTC, load ${loadavg().map((x) => x.toFixed(1)).join(' ')} on 2 shared vCPUs; one thread each; median of ${reps}).`, '',
    '| matrix | P | q | rank | ours (s) | numpy (s) | time ours/numpy | ours error | numpy error | error ratio | ours peak RSS (MiB) | numpy peak RSS (MiB) | peak ratio | ours growth (MiB) | numpy growth (MiB) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    L.push(`| ${r.matrix} | ${r.passes} | ${r.q} | ${r.rank} | ${f(r.oursSeconds, 3)} | ${f(r.numpySeconds, 3)} | ${f(r.timeRatio)} | ${f(r.oursError, 4)} | ${f(r.numpyError, 4)} | ${f(r.errorRatio, 3)} | ${f(r.oursPeakMiB, 0)} | ${f(r.numpyPeakMiB, 0)} | ${f(r.peakRatio)} | ${f(r.oursGrowthMiB, 0)} | ${f(r.numpyGrowthMiB, 0)} |`);
  }
  L.push('', 'Error = ||A - U S V^T||_2 / sigma_{r+1} (numpy, exact). Growth = peak RSS minus the RSS before reading the matrix (Node starts near 60-90 MiB with tsx, python with numpy near 30 MiB).', '');
  mkdirSync(`${here}out`, { recursive: true });
  writeFileSync(`${here}out/rsi-vs-numpy.json`, JSON.stringify({ date: new Date().toISOString(), load: loadavg(), reps, rows }, null, 1));
  writeFileSync(`${here}out/rsi-vs-numpy.md`, L.join('\n') + '\n');
  console.log(L.join('\n'));
}

if (process.argv[2] === '--child') await child();
else await main();
