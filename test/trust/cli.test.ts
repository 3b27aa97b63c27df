/**
 * Issue "No silent wrong answers", through the command line (a real child process per run):
 * - class 1: PCA of a column stream is PCA: `--center --orientation columns` subtracts the column
 *   means of A (every method, exact included), checked against numpy's PCA of the same file;
 * - class 4: on pure noise no result is further from A than the zero matrix, or the output says so;
 * - class 7: one sign convention (V's largest-magnitude entries positive) for every method and
 *   orientation.
 * Negative controls: the row-centred matrix (the old, wrong PCA) has a clearly different spectrum;
 * a flipped factor fails the sign check.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromSpectrum, svd, zeros, type Matrix64 } from '../../src/internals.js';
import { readFactors, residual, frobenius } from '../helpers/cli-factors.js';
import { ensureBuilt, runCli } from '../helpers/cli-harness.js';
import { hasNumpy, runNumpy } from '../helpers/numpy.js';
import { writeNpyReference } from '../helpers/npy-reference.js';

let dir: string;
beforeAll(async () => { await ensureBuilt(); dir = mkdtempSync(join(tmpdir(), 'rf-trust-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32 - 0.5; };
}

async function json(args: string[]): Promise<{ singularValues: number[]; rank: number; notes: string[]; errorEstimate: { relative: number } }> {
  const run = await runCli([...args, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

/** Largest-magnitude entry of each column positive. */
function signsOk(v: Matrix64): boolean {
  for (let j = 0; j < v.cols; j++) {
    let best = 0, val = 0;
    for (let i = 0; i < v.rows; i++) { const x = v.data[i * v.stride + j]!; if (Math.abs(x) > best) { best = Math.abs(x); val = x; } }
    if (val < 0) return false;
  }
  return true;
}

describe('class 1: PCA of a column stream', () => {
  // A wide matrix (80 x 600) with large column means and a small, structured spread around them:
  // PCA's sigma_1 is about 1, the row-centred matrix's about 2000.
  const m = 80, n = 600, rnd = lcg(3);
  const a = zeros(m, n);
  const mu = Array.from({ length: n }, () => 100 + 50 * rnd());
  const f = Array.from({ length: m * 3 }, rnd), g = Array.from({ length: 3 * n }, rnd);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let x = mu[j]! + 0.01 * rnd();
    for (let t = 0; t < 3; t++) x += f[i * 3 + t]! * g[t * n + j]! * 0.3 / (1 + t);
    a.data[i * n + j] = x;
  }
  const centred = zeros(m, n), rowCentred = zeros(m, n);
  for (let j = 0; j < n; j++) { let s = 0; for (let i = 0; i < m; i++) s += a.data[i * n + j]!; for (let i = 0; i < m; i++) centred.data[i * n + j] = a.data[i * n + j]! - s / m; }
  for (let i = 0; i < m; i++) { let s = 0; for (let j = 0; j < n; j++) s += a.data[i * n + j]!; for (let j = 0; j < n; j++) rowCentred.data[i * n + j] = a.data[i * n + j]! - s / n; }
  const pca = svd(centred, { vectors: false }).s, wrong = svd(rowCentred, { vectors: false }).s;

  it('negative control: the row-centred matrix is a very different matrix', () => {
    expect(wrong[0]! / pca[0]!).toBeGreaterThan(100);
  });

  it('every method gives the column-centred spectrum (Fortran-order .npy, --orientation columns)', async () => {
    const path = join(dir, 'wide-f.npy');
    writeNpyReference(path, a.data, m, n, 'float64', true);
    if (hasNumpy()) {
      const np = runNumpy('x = np.load(sys.argv[1]); out = np.linalg.svd(x - x.mean(axis=0), compute_uv=False)', [path]);
      expect(Math.abs(np[0]! - pca[0]!) / pca[0]!).toBeLessThan(1e-10);
    }
    for (const method of [['--method', 'exact'], [], ['--method', 'three-sketch'], ['--method', 'two-sketch'], ['--method', 'rsvd'], ['--passes', '3']]) {
      const r = await json(['approx', path, '--rank', '3', '--center', '--orientation', 'columns', ...method]);
      expect(Math.abs(r.singularValues[0]! - pca[0]!) / pca[0]!, `${method.join(' ') || 'default'}: sigma_1 ${r.singularValues[0]} vs PCA ${pca[0]}`).toBeLessThan(0.05);
    }
  });
});

describe('class 4: never worse than the zero matrix', () => {
  it('20000 x 200 Gaussian noise at rank 10: relative error <= 1, or a lower rank with a note', async () => {
    const m = 20000, n = 200, rnd = lcg(11), a = zeros(m, n);
    for (let i = 0; i < a.data.length; i++) a.data[i] = rnd();
    const path = join(dir, 'noise.npy');
    writeNpyReference(path, a.data, m, n, 'float32', false);
    for (const method of [[], ['--method', 'three-sketch'], ['--method', 'two-sketch'], ['--method', 'rsvd']]) {
      const prefix = join(dir, `noise${method.join('')}`);
      const r = await json(['approx', path, '--rank', '10', '--out', prefix, ...method]);
      const fac = readFactors(prefix);
      const a32 = zeros(m, n);
      for (let i = 0; i < a.data.length; i++) a32.data[i] = Math.fround(a.data[i]!);
      expect(residual(a32, fac) / frobenius(a32), method.join(' ') || 'default').toBeLessThanOrEqual(1);
      if (r.rank < 10) expect(r.notes.join(' ')).toMatch(/could not be resolved/);
    }
  });
});

describe('class 7: one sign convention for every method and orientation', () => {
  const sigma = Float64Array.from({ length: 30 }, (_, j) => 10 * 0.6 ** j);
  const a = fromSpectrum(400, 30, sigma, 4).a;
  const runs: [string, string[]][] = [
    ['default', []], ['exact', ['--method', 'exact']], ['three-sketch', ['--method', 'three-sketch']], ['rsvd', ['--method', 'rsvd']],
    ['3 passes', ['--passes', '3']], ['fd', ['--method', 'fd']],
    ['columns', ['--orientation', 'columns']], ['columns exact', ['--orientation', 'columns', '--method', 'exact']],
    ['columns 3 passes', ['--orientation', 'columns', '--passes', '3']], ['columns rsvd', ['--orientation', 'columns', '--method', 'rsvd']],
  ];

  it('V has its largest-magnitude entries positive, and every run returns the same V (3 seeds)', async () => {
    const path = join(dir, 'separated.npy');
    writeNpyReference(path, a.data, 400, 30, 'float64', false);
    for (const seed of ['0', '9', '17']) {
      let ref: Matrix64 | undefined;
      for (const [name, extra] of runs) {
        const prefix = join(dir, `sep-${seed}-${name.replace(/ /g, '-')}`);
        const run = await runCli(['approx', path, '--rank', '3', '--seed', seed, '--out', prefix, ...extra]);
        expect(run.code, run.stderr).toBe(0);
        const { v } = readFactors(prefix);
        expect(signsOk(v), `${name} seed ${seed}`).toBe(true);
        ref ??= v;
        let d = 0;
        for (let i = 0; i < v.data.length; i++) d = Math.max(d, Math.abs(v.data[i]! - ref.data[i]!));
        expect(d, `${name} seed ${seed} agrees with the first run`).toBeLessThan(0.05);
      }
    }
  }, 240_000); // 33 runs of the CLI, one after the other

  it('negative control: a flipped column fails the check', () => {
    const v = svd(a).v;
    expect(signsOk(v)).toBe(true);
    for (let i = 0; i < v.rows; i++) v.data[i * v.stride] = -v.data[i * v.stride]!;
    expect(signsOk(v)).toBe(false);
  });
});
