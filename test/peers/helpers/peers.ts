/**
 * Shared measurements of the peer tests: the quantities scikit-learn's tests assert on (largest
 * singular-value error, entries of U S V^T, the sign rule), our CLI as a child process with its
 * factors read back, and the single-pass sketch in memory.
 */
import { join } from 'node:path';
import type { Matrix, Matrix64 } from '../../../src/matrix.js';
import { zeros } from '../../../src/matrix.js';
import { createSketch, reconstruct, updateRows, memorySpill, disposeSketch } from '../../../src/internals.js';
import type { SketchOptions } from '../../../src/internals.js';
import { runCli } from '../../helpers/cli-harness.js';
import { readFactors, type Factors } from '../../helpers/cli-factors.js';

export interface Triplets { u: Matrix; s: ArrayLike<number>; v: Matrix }

const at = (a: Matrix, i: number, j: number): number => a.data[a.offset + i * a.stride + j];

/** max_i |exact_i - s_i| over the values of `s` (scikit-learn's `assert_almost_equal(s[:k], sa)`). */
export function sError(s: ArrayLike<number>, exact: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < s.length; i++) e = Math.max(e, Math.abs(s[i] - exact[i]));
  return e;
}

/** U diag(s) V^T (m x n), V given as n x r. */
export function product(f: Triplets): Matrix64 {
  const m = f.u.rows, n = f.v.rows, r = f.s.length;
  const out = zeros(m, n);
  for (let i = 0; i < m; i++) {
    for (let t = 0; t < r; t++) {
      const x = at(f.u, i, t) * f.s[t];
      if (x === 0) continue;
      for (let j = 0; j < n; j++) out.data[i * n + j] += x * at(f.v, j, t);
    }
  }
  return out;
}

/** max |a_ij - b_ij|. */
export function maxAbs(a: Matrix, b: Matrix): number {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new Error(`shapes differ: ${a.rows}x${a.cols} vs ${b.rows}x${b.cols}`);
  let d = 0;
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) d = Math.max(d, Math.abs(at(a, i, j) - at(b, i, j)));
  return d;
}

/** ||A - U diag(s) V^T||_F. */
export function residual(a: Matrix, f: Triplets): number {
  const p = product(f);
  let t = 0;
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) { const d = at(a, i, j) - p.data[i * a.cols + j]; t += d * d; }
  return Math.sqrt(t);
}

/** max |X^T X - I| for X with orthonormal columns. */
export function orthonormalityDefect(x: Matrix): number {
  let d = 0;
  for (let p = 0; p < x.cols; p++) for (let q = 0; q < x.cols; q++) {
    let t = 0;
    for (let i = 0; i < x.rows; i++) t += at(x, i, p) * at(x, i, q);
    d = Math.max(d, Math.abs(t - (p === q ? 1 : 0)));
  }
  return d;
}

/**
 * Column j of `x` obeys the sign rule when its entry of largest magnitude (the first one on ties,
 * numpy's argmax) is positive. Returns the columns that break it (empty when the rule holds).
 */
export function signRuleBreaks(x: Matrix): number[] {
  const bad: number[] = [];
  for (let j = 0; j < x.cols; j++) {
    let best = -1, val = 0;
    for (let i = 0; i < x.rows; i++) { const v = at(x, i, j); if (Math.abs(v) > best) { best = Math.abs(v); val = v; } }
    if (!(val > 0)) bad.push(j);
  }
  return bad;
}

/** The transpose of a matrix given as V^T (r x n) by the reference: V (n x r). */
export function fromRowsOf(vt: Matrix64): Matrix64 {
  const out = zeros(vt.cols, vt.rows);
  for (let i = 0; i < vt.rows; i++) for (let j = 0; j < vt.cols; j++) out.data[j * vt.rows + i] = at(vt, i, j);
  return out;
}

export interface CliApprox { json: Record<string, unknown> & { singularValues: number[]; method: string; rank: number }; factors: Factors }

/**
 * `rangefinder approx FILE --json --out DIR/NAME ...args` as a child process; throws with stderr
 * when it fails. Returns the JSON and the factors it wrote (U, S, V).
 */
export async function cliApprox(file: string, dir: string, name: string, args: readonly string[]): Promise<CliApprox> {
  const prefix = join(dir, name);
  const run = await runCli(['approx', file, '--json', '--no-progress', '--out', prefix, ...args]);
  if (run.code !== 0) throw new Error(`rangefinder approx ${args.join(' ')}: exit ${run.code}: ${run.stderr}`);
  return { json: JSON.parse(run.stdout), factors: readFactors(prefix) };
}

/** Runs `tasks` with at most `limit` at a time (CLI children on a two-core machine). */
export async function pool<T>(tasks: (() => Promise<T>)[], limit = 2): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= tasks.length) return;
      out[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return out;
}

/** The single-pass sketch in memory (all rows in one block), reconstructed at `rank`. */
export function sketchOnce(a: Matrix, opts: Omit<SketchOptions, 'cols' | 'spill'> & { rank: number }): { u: Matrix64; s: Float64Array; v: Matrix64 } {
  const spill = memorySpill();
  const st = createSketch({ ...opts, cols: a.cols, spill });
  try {
    updateRows(st, a, 0);
    const r = reconstruct(st, { rank: opts.rank });
    return { u: r.u!, s: r.s, v: r.v };
  } finally {
    disposeSketch(st);
  }
}
