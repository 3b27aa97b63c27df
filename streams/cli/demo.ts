/**
 * `rangefinder approx --demo` (what `npm start` runs): the embedded real matrix
 * data/sklearn_digits.npy (1797 x 64, scikit-learn's digits, BSD-3; see data/README.md) at rank 10
 * under a small budget, so the sketch is genuinely smaller than the matrix, and a human summary that
 * checks the result against the exact SVD: the top singular values side by side, the a-posteriori
 * error estimate next to the true error and the optimum tau_{r+1} = ||A - [[A]]_r||_F.
 *
 * The true error needs U: the demo replays the same sketch (same seed, same sizes: deterministic)
 * with the range rows in memory, which the 1797-row matrix allows. It then reads the file 2, 3 and 5
 * times with RSI under the same budget, to show what each extra pass buys (their residual is exact).
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addSquares, createSketch, createSumSquares, memorySpill, reconstruct, residualNorm, safeNorm, svd, updateRows, zeros, type Matrix64 } from '../../src/internals.js';
import { fromNpy } from '../sources/from-npy.js';
import type { ApproxOptions } from './approx-args.js';
import { errorPhrase, type ApproxResult } from './approx-result.js';
import { drainSource } from '../drain-source.js';
import { blockMatrix } from './run-context.js';
import { runApprox } from './run-approx.js';

export const DEMO_FILE = 'sklearn_digits.npy';
/**
 * Demo budget when --memory-budget is not given: about a third of the matrix as float64. The
 * one-pass default (rsvd) spends it on oversampling (l = 53 at rank 10; a 1797 x 64 input is cheap)
 * and lands at 1.001x the optimum on this slow-decay matrix; the three-sketch at this budget
 * (--method three-sketch: k of about 37, s of about 75) lands within about 1.2x.
 */
export const DEMO_BUDGET = 320 * 1024;

/** The embedded matrix, found from the source tree (streams/cli) or the build (dist/streams/cli). */
export function demoInput(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    const p = join(here, up, 'data', DEMO_FILE);
    if (existsSync(p)) return p;
  }
  throw new Error(`the demo matrix data/${DEMO_FILE} is missing from the package`);
}

export async function printDemoSummary(opts: ApproxOptions, r: ApproxResult, out: NodeJS.WritableStream): Promise<void> {
  const a = await loadDense(opts.input!);
  if (opts.center) centerColumns(a);
  const full = svd(a);
  // Norms kept scaled (sum-squares.ts): no overflow or underflow whatever the matrix.
  const normA = safeNorm(full.s, 0, 1, full.s.length);
  const optimum = safeNorm(full.s, r.rank, 1, Math.max(0, full.s.length - r.rank));
  const truth = await trueError(opts, r, a, full.s);
  const pct = (x: number) => `${((100 * x) / normA).toFixed(2)}% of ||A||_F`;
  const sizes = Object.entries(r.sketch).filter(([k]) => k !== 'rule').map(([k, v]) => `${k} = ${v}`).join(', ');
  const lines: string[] = [];
  lines.push(`rangefinder demo: ${relative(process.cwd(), opts.input!) || opts.input} (${r.rows} x ${r.cols}, scikit-learn digits, BSD-3)`);
  lines.push(`method ${r.method}, ${r.passes} pass${r.passes === 1 ? '' : 'es'}, rank ${r.rank}${sizes ? `, sketch ${sizes}` : ''}${r.sketch.rule ? ` (rule ${r.sketch.rule})` : ''}`);
  lines.push(`state ${kib(r.stateBytes)} of a ${kib(r.memoryBudget)} budget (the matrix as float64: ${kib(8 * r.rows * r.cols)})`);
  lines.push('');
  lines.push('   j   sketch sigma_j   exact sigma_j   rel. diff');
  const show = Math.min(r.rank, 10);
  for (let j = 0; j < show; j++) {
    const s = r.singularValues[j] ?? NaN, e = full.s[j]!;
    lines.push(`  ${String(j + 1).padStart(2)}   ${s.toFixed(3).padStart(14)}   ${e.toFixed(3).padStart(13)}   ${((s - e) / e).toExponential(2).padStart(9)}`);
  }
  lines.push('');
  const e = r.errorEstimate;
  lines.push(`error ||A - U S V^T||_F: ${e.frobenius === null ? errorPhrase(e) : `${e.kind === 'sketch' ? 'estimate' : 'residual'} ${e.frobenius.toFixed(2)} (${pct(e.frobenius)})`}` +
    `, true ${truth.toFixed(2)} (${pct(truth)})`);
  lines.push(`optimum (exact rank-${r.rank} SVD) ${optimum.toFixed(2)} (${pct(optimum)}): the sketch is ${(truth / optimum).toFixed(3)}x the optimum`);
  lines.push(`time ${r.seconds.toFixed(2)} s, peak RSS ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
  if (r.passes === 1 && !opts.center) {
    // The file can be replayed: show what each extra pass buys under the same budget (RSI, q = P - 1).
    lines.push('');
    lines.push('the same file, same budget, more passes (randomized subspace iteration, q = passes - 1):');
    for (const passes of [2, 3, 5]) {
      const more = await runApprox({ ...opts, passes, method: 'auto', json: true, progress: false, out: undefined },
        { stdout: process.stdout, stderr: process.stderr });
      const err = more.errorEstimate.frobenius!; // RSI: the exact residual
      lines.push(`  ${passes} passes: error ${err.toFixed(2)} (${pct(err)}), ${(err / optimum).toFixed(4)}x the optimum, ${more.seconds.toFixed(2)} s`);
    }
  }
  lines.push('');
  lines.push('Next: rangefinder approx <file.npy|.arrow|.parquet|-|tcp://HOST:PORT> --rank R [--passes P] [--out PREFIX] [--json]');
  out.write(`${lines.join('\n')}\n`);
}

function kib(b: number): string {
  return b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(2)} MiB` : `${(b / 1024).toFixed(1)} KiB`;
}

function centerColumns(a: Matrix64): void {
  const { rows: m, cols: n, data } = a;
  const mu = new Float64Array(n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) mu[j] += data[i * n + j]! / m;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) data[i * n + j] -= mu[j]!;
}

async function loadDense(path: string): Promise<Matrix64> {
  const src = fromNpy(path);
  const info = await src.info();
  const a = zeros(info.rows!, info.cols);
  await drainSource(src, (b) => a.data.set(b.data.subarray(0, b.rows * b.cols), b.rowStart * b.cols));
  return a;
}

/** ||A - U S V^T||_F of the method's own factors, recomputed in memory (see the file comment). */
async function trueError(opts: ApproxOptions, r: ApproxResult, a: Matrix64, sAll: Float64Array): Promise<number> {
  const m = a.rows, n = a.cols;
  if (r.errorEstimate.kind === 'residual') return r.errorEstimate.frobenius!;
  const method = r.method as 'three-sketch' | 'two-sketch' | 'fd';
  const state = createSketch({
    cols: n, rank: opts.rank, method, testMatrix: opts.testMatrix, dtype: (await fromNpy(opts.input!).info()).dtype,
    seed: opts.seed, memoryBudget: opts.memoryBudget, center: opts.center, sizeRule: opts.sizeRule,
    ...(method === 'fd' ? {} : { spill: memorySpill() }),
    ...(opts.rangeDim !== undefined ? { rangeDim: opts.rangeDim } : {}),
    ...(opts.coreDim !== undefined ? { coreDim: opts.coreDim } : {}),
    ...(opts.coRangeDim !== undefined ? { coRangeDim: opts.coRangeDim } : {}),
  });
  await drainSource(fromNpy(opts.input!), (b) => updateRows(state, blockMatrix(b), b.rowStart));
  const rec = reconstruct(state, { rank: opts.rank });
  const { s, v } = rec;
  const rr = s.length;
  if (method === 'fd') {
    // FD's rank-r answer with U = A V S^-1 is the projection A V V^T: error^2 = ||A||^2 - ||A V||^2.
    const av = new Float64Array(m * rr);
    for (let i = 0; i < m; i++) for (let t = 0; t < rr; t++) {
      let x = 0;
      for (let j = 0; j < n; j++) x += a.data[i * n + j]! * v.data[j * rr + t]!;
      av[i * rr + t] = x;
    }
    const all = createSumSquares();
    addSquares(all, sAll, 0, sAll.length);
    return residualNorm(all, [safeNorm(av, 0, 1, av.length)]);
  }
  const u = rec.u!;
  const diff = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let x = a.data[i * n + j]!;
    for (let t = 0; t < rr; t++) x -= u.data[i * rr + t]! * s[t]! * v.data[j * rr + t]!;
    diff[i * n + j] = x;
  }
  return safeNorm(diff, 0, 1, diff.length);
}
