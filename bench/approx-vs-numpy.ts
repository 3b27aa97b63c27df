/**
 * `rangefinder approx` end to end against numpy's RSVD, in the same run.
 *
 * Question: is the command most users run (`rangefinder approx file.npy --rank 20`, the installed
 * bin, default options: one pass, 64 MiB, both cores) at least as fast as numpy loading the file and
 * computing its RSVD, at a quarter of its peak memory or less? Where does our time go?
 *
 * Data: A = L R + 0.1 G, 100 000 x 1024 float32 (410 MB .npy): L (100 000 x 20) Gaussian, row i of
 * R (20 x 1024) Gaussian times 0.7^i, G Gaussian noise; numpy's generator, seed 1, written once to a
 * temporary directory (the page cache then holds it for every run of both sides).
 *
 * Method: `--rounds` rounds (default 3), each running, as child processes in turn, ours (`node bin/rangefinder.js
 * approx A.npy --rank 20 --json --no-progress`: what the installed `rangefinder` shim runs; `npx`
 * adds ~0.7 s of its own) and numpy (`python3 -c`: import numpy, `np.load`, Omega Gaussian 1024 x 30
 * float32, Y = A Omega, Q = qr(Y), B = Q^T A, svd(B), U = Q U_B: RSVD with q = 0 and 30 samples,
 * float32), under `/usr/bin/time` for the wall time and the peak RSS. numpy runs with
 * OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset (bench/numpy-env.ts), twice per round: with its default
 * threads (all cores) and with one (OPENBLAS_NUM_THREADS=1; on a busy shared machine OpenBLAS's
 * spinning threads can lose more than they gain). The peer is the faster of the two medians. Time split: ours from the JSON `timings` (start-up to the
 * run, the input's header and plan, read = the pass minus the time in the sketch, sketch,
 * reconstruction, output) and exit = wall - start-up - seconds; numpy's from the script (import,
 * load, RSVD) and the rest (interpreter start, exit). Accuracy beside it: the relative residual
 * ||A - U S V^T||_F / ||A||_F of each (ours exact, from the JSON; numpy's from ||A||_F^2 - sum s^2,
 * ||A||_F computed once in float64).
 *
 * Run: `npm run bench -- approx-vs-numpy` (`--rounds=N`, default 3). Writes
 * bench/out/approx-vs-numpy.json and .md.
 *
 * Conclusion: see bench/out/approx-vs-numpy.md and the README's "One pass against numpy" section.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numpyEnv } from './numpy-env.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..');
const args = process.argv.slice(2);
const roundsAt = args.findIndex((a) => a === '--rounds' || a.startsWith('--rounds='));
const rounds = roundsAt < 0 ? 3 : Number(args[roundsAt]!.includes('=') ? args[roundsAt]!.split('=')[1] : args[roundsAt + 1]) || 3;
const M = 100_000, N = 1024, RANK = 20, SAMPLES = 30;

const MAKE = `
import sys, numpy as np
rng = np.random.default_rng(1)
m, n, r = ${M}, ${N}, ${RANK}
L = rng.standard_normal((m, r), dtype=np.float32)
R = rng.standard_normal((r, n), dtype=np.float32) * (np.float32(0.7) ** np.arange(r, dtype=np.float32))[:, None]
A = L @ R + np.float32(0.1) * rng.standard_normal((m, n), dtype=np.float32)
np.save(sys.argv[1], A.astype(np.float32))
`;

const RSVD = `
import sys, time, json
t0 = time.perf_counter()
import numpy as np
t1 = time.perf_counter()
A = np.load(sys.argv[1])
t2 = time.perf_counter()
r, l = ${RANK}, ${SAMPLES}
O = np.random.default_rng(0).standard_normal((A.shape[1], l), dtype=np.float32)
Q, _ = np.linalg.qr(A @ O)
u, s, vt = np.linalg.svd(Q.T @ A, full_matrices=False)
U = Q @ u[:, :r]
t3 = time.perf_counter()
nA2 = float(np.sum(A.astype(np.float64) ** 2)) if len(sys.argv) > 2 else 0.0
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "rsvd": t3 - t2, "s": [float(x) for x in s[:r]], "normA2": nA2}))
`;

interface Run { wall: number; peakKiB: number; cpu: number; load: number; out: string }

/** A child process under GNU time: wall seconds, peak RSS (KiB) and CPU seconds (user + system, all threads) from its -f line on stderr. */
function timed(cmd: string, argv: string[], env: NodeJS.ProcessEnv): Run {
  const load = loadavg()[0]!;
  const r = spawnSync('/usr/bin/time', ['-f', 'RFTIME %e %M %U %S', cmd, ...argv], { cwd: root, env, maxBuffer: 1 << 26 });
  const err = r.stderr.toString();
  const m = /RFTIME ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(err);
  if (r.status !== 0 || !m) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}): ${err.slice(-2000)}`);
  return { wall: Number(m[1]), peakKiB: Number(m[2]), cpu: Number(m[3]) + Number(m[4]), load, out: r.stdout.toString() };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = mkdtempSync(join(tmpdir(), 'rf-bench-avn-'));
try {
  const file = join(dir, 'A.npy');
  execFileSync('python3', ['-c', MAKE, file], { env: numpyEnv() });
  // ||A||_F^2 once (numpy, float64), for numpy's relative residual.
  const normA2 = (JSON.parse(execFileSync('python3', ['-c', RSVD, file, 'norm'], { env: numpyEnv(), maxBuffer: 1 << 26 }).toString()) as { normA2: number }).normA2;
  const load0 = loadavg();
  const ours: (Run & { json: Record<string, never> })[] = [], all: (Run & { json: Record<string, never> })[] = [], one: (Run & { json: Record<string, never> })[] = [];
  // Warm-up: both once (page cache, the JIT's code cache on disk is not used by either).
  timed(process.execPath, ['bin/rangefinder.js', 'approx', file, '--rank', String(RANK), '--json', '--no-progress'], process.env);
  timed('python3', ['-c', RSVD, file], numpyEnv());
  for (let i = 0; i < rounds; i++) {
    const o = timed(process.execPath, ['bin/rangefinder.js', 'approx', file, '--rank', String(RANK), '--json', '--no-progress'], process.env);
    ours.push({ ...o, json: JSON.parse(o.out) });
    const t = timed('python3', ['-c', RSVD, file], numpyEnv());
    all.push({ ...t, json: JSON.parse(t.out) });
    const t1 = timed('python3', ['-c', RSVD, file], numpyEnv({ OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' }));
    one.push({ ...t1, json: JSON.parse(t1.out) });
    process.stderr.write(`round ${i + 1}/${rounds}: ours ${o.wall.toFixed(2)} s, numpy ${t.wall.toFixed(2)} s (1 thread ${t1.wall.toFixed(2)} s), load ${loadavg()[0]!.toFixed(2)}\n`);
  }
  const npAllWall = median(all.map((x) => x.wall)), npOneWall = median(one.map((x) => x.wall));
  const theirs = npAllWall <= npOneWall ? all : one;
  const peer = npAllWall <= npOneWall ? `default threads (${availableParallelism()})` : '1 thread';
  const j0 = ours[0]!.json as unknown as { method: string; sketch: Record<string, number | string>; stateBytes: number; errorEstimate: { relative: number } };
  const ourWall = median(ours.map((x) => x.wall)), npWall = median(theirs.map((x) => x.wall));
  const ourPeak = median(ours.map((x) => x.peakKiB)), npPeak = median(theirs.map((x) => x.peakKiB));
  const split = (k: string) => median(ours.map((x) => (x.json as unknown as { timings: Record<string, number> }).timings[k]!));
  const ourSeconds = median(ours.map((x) => (x.json as unknown as { seconds: number }).seconds));
  const exit = median(ours.map((x) => { const j = x.json as unknown as { seconds: number; timings: { startup: number } }; return x.wall - j.timings.startup - j.seconds; }));
  const np = (k: string) => median(theirs.map((x) => (x.json as unknown as Record<string, number>)[k]!));
  const npRest = median(theirs.map((x) => { const j = x.json as unknown as Record<string, number>; return x.wall - j.import! - j.load! - j.rsvd!; }));
  const npS = (theirs[0]!.json as unknown as { s: number[] }).s;
  let kept = 0;
  for (const x of npS) kept += x * x;
  const npRel = Math.sqrt(Math.max(0, normA2 - kept) / normA2);
  const f = (x: number) => x.toFixed(2);
  const L = [
    '# `rangefinder approx` against numpy\'s RSVD, end to end', '',
    `Command: \`npm run bench -- approx-vs-numpy${rounds !== 3 ? ` --rounds=${rounds}` : ''}\` (${new Date().toISOString().slice(0, 16)} UTC, ${availableParallelism()} cores, load ${load0.map((x) => x.toFixed(1)).join(' ')} at start, ` +
    `${loadavg().map((x) => x.toFixed(1)).join(' ')} at the end). ${M} x ${N} float32 .npy (${((M * N * 4) / 1e6).toFixed(0)} MB, page cache), rank ${RANK}; median of ${rounds} interleaved rounds after a warm-up.`, '',
    `Ours: \`node bin/rangefinder.js approx A.npy --rank ${RANK} --json --no-progress\` (default options: ${j0.method}, ${Object.entries(j0.sketch).map(([k, v]) => `${k} = ${v}`).join(', ')}, ` +
    `2 kernel threads, state ${(j0.stateBytes / 2 ** 20).toFixed(1)} MiB). numpy ${execFileSync('python3', ['-c', 'import numpy; print(numpy.__version__)']).toString().trim()}: ` +
    `np.load + RSVD (q = 0, ${SAMPLES} samples, float32), its default threads, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset.`, '',
    '| | wall s | CPU s (user + sys) | peak RSS MiB | relative residual ‖A − USVᵀ‖_F/‖A‖_F |',
    '|---|---:|---:|---:|---:|',
    `| rangefinder approx | ${f(ourWall)} | ${f(median(ours.map((x) => x.cpu)))} | ${(ourPeak / 1024).toFixed(0)} | ${j0.errorEstimate.relative.toFixed(5)} |`,
    `| numpy RSVD, default threads | ${f(npAllWall)} | ${f(median(all.map((x) => x.cpu)))} | ${(median(all.map((x) => x.peakKiB)) / 1024).toFixed(0)} | ${npRel.toFixed(5)} |`,
    `| numpy RSVD, 1 thread | ${f(npOneWall)} | ${f(median(one.map((x) => x.cpu)))} | ${(median(one.map((x) => x.peakKiB)) / 1024).toFixed(0)} | ${npRel.toFixed(5)} |`,
    `| ratio (ours ÷ the faster numpy: ${peer}) | ${(ourWall / npWall).toFixed(2)} | ${(median(ours.map((x) => x.cpu)) / median(theirs.map((x) => x.cpu))).toFixed(2)} | ${(ourPeak / npPeak).toFixed(2)} | |`, '',
    `Per round (wall s, ours / numpy default threads / numpy 1 thread, load at the start of ours): ` +
    ours.map((o, i) => `${f(o.wall)} / ${f(all[i]!.wall)} / ${f(one[i]!.wall)} (${o.load.toFixed(1)})`).join('; ') + '.', '',
    `Where the time goes (medians, seconds; numpy: ${peer}):`, '',
    '| rangefinder | s | numpy | s |', '|---|---:|---|---:|',
    `| start-up (Node, modules, kernel threads) | ${f(split('startup'))} | interpreter start and exit | ${f(npRest)} |`,
    `| open the input, plan | ${f(split('open'))} | import numpy | ${f(np('import'))} |`,
    `| read (the pass minus the sketch: read-ahead overlaps it) | ${f(split('read'))} | np.load | ${f(np('load'))} |`,
    `| sketch (incl. ‖A‖_F) | ${f(split('sketch'))} | RSVD (A Ω, qr, Qᵀ A, svd, U) | ${f(np('rsvd'))} |`,
    `| reconstruction | ${f(split('reconstruct'))} | | |`,
    `| output, error | ${f(split('output'))} | | |`,
    `| exit | ${f(exit)} | | |`,
    `| total (wall) | ${f(ourWall)} | total (wall) | ${f(npWall)} |`, '',
    `Goals (issue 13): time ≤ 1.0x numpy's, peak memory ≤ 0.25x. Measured: ${(ourWall / npWall).toFixed(2)}x and ${(ourPeak / npPeak).toFixed(2)}x. ` +
    `Every round is in bench/out/approx-vs-numpy.json.`,
  ];
  mkdirSync(join(here, 'out'), { recursive: true });
  writeFileSync(join(here, 'out', 'approx-vs-numpy.json'), `${JSON.stringify({
    date: new Date().toISOString(), load: { start: load0, end: loadavg() }, rows: M, cols: N, rank: RANK, samples: SAMPLES, rounds,
    ours: ours.map((x) => ({ wall: x.wall, cpu: x.cpu, loadavg: x.load, peakKiB: x.peakKiB, json: x.json })),
    numpy: all.map((x) => ({ wall: x.wall, cpu: x.cpu, loadavg: x.load, peakKiB: x.peakKiB, ...(x.json as object) })),
    numpy1: one.map((x) => ({ wall: x.wall, cpu: x.cpu, loadavg: x.load, peakKiB: x.peakKiB, ...(x.json as object) })),
    summary: { ourWall, npAllWall, npOneWall, peer, npWall, ratio: ourWall / npWall, ourPeakKiB: ourPeak, npPeakKiB: npPeak, memoryRatio: ourPeak / npPeak, ourSeconds },
  }, null, 1)}\n`);
  writeFileSync(join(here, 'out', 'approx-vs-numpy.md'), `${L.join('\n')}\n`);
  console.log(L.join('\n'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
