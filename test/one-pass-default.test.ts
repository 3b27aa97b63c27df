/**
 * Issue 13, the one-pass default: `approx --method auto` with one pass chooses by the input (the
 * planner, src/plan/plan-approx.ts), sizes rsvd by `rsvdWidth` (a budget is a ceiling), never
 * returns a result further from A than zero, and gives the same bits for every thread count and
 * decode-worker setting. Negative controls: a changed seed changes the bits (the three-sketch's raw
 * truncation on noise, worse than zero, is test/trust/library.test.ts's).
 */
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetError } from '../src/errors.js';
import {
  createSketch, deserializeSketch, fromSpectrum, measuredNorm, mergeSketches, planApprox, reconstruct, rsvdWidth, RSVD_FREE_WORK, rsvdWork,
  serializeSketch, sketchBytes, updateEntries, updateLinear, updateRows, zeros,
  type ApproxQuery, type Matrix64, type SketchPlanQuery,
} from '../src/internals.js';
import { frobenius, readFactors, residual } from './helpers/cli-factors.js';
import { arrowBytes, ensureBuilt, runCli } from './helpers/cli-harness.js';
import { writeNpyReference } from './helpers/npy-reference.js';

const MiB = 2 ** 20;
const base: ApproxQuery = { method: 'auto', passes: 1, memoryBudget: 64 * MiB, rank: 20, cols: 1024, rows: 100_000, dtype: 'float32' };

describe('planApprox: the one-pass choice', () => {
  it('whole rows (a row stream, or the rows of A^T of a column stream): rsvd, with the reason', () => {
    const p = planApprox(base);
    expect(p).toMatchObject({ kind: 'sketch', method: 'rsvd', sizes: { rule: 'oversample' } });
    expect(p.reasons.join('\n')).toMatch(/single-pass Gram RSVD/);
    expect(p.reasons.join('\n')).toMatch(/bench\/out\/one-pass\.md/);
    // A column stream of a wide A is a row stream of A^T: the same rule with its own shape.
    expect(planApprox({ ...base, rows: 10_512, cols: 132 })).toMatchObject({ method: 'rsvd' });
    // rows not known (stdin, a socket): still rsvd.
    const { rows: _rows, ...noRows } = base;
    expect(planApprox(noRows)).toMatchObject({ method: 'rsvd', sizes: { k: 40 } });
  });

  it('entry, linear or column-block updates keep the three-sketch; a core size asks for it; two sizes for the two-sketch', () => {
    const g = planApprox({ ...base, updates: 'general' });
    expect(g).toMatchObject({ kind: 'sketch', method: 'three-sketch', sizes: { rule: 'flat' } });
    expect(g.reasons.join('\n')).toMatch(/any linear update/);
    expect(planApprox({ ...base, coreDim: 90 })).toMatchObject({ method: 'three-sketch', sizes: { s: 90 } });
    expect(planApprox({ ...base, rangeDim: 30, coRangeDim: 61 })).toMatchObject({ method: 'two-sketch', sizes: { k: 30, l: 61 } });
    expect(planApprox({ ...base, rangeDim: 30 })).toMatchObject({ method: 'rsvd', sizes: { k: 30 } });
    // Asked for by name: as asked.
    expect(planApprox({ ...base, method: 'three-sketch' })).toMatchObject({ method: 'three-sketch' });
    // More passes: the pass planner, unchanged.
    expect(planApprox({ ...base, passes: 3 })).toMatchObject({ kind: 'passes' });
  });

  it('rsvd width: r + max(10, r) on a large input (the budget is a ceiling), more when the run stays cheap, less when the budget is small', () => {
    const q: SketchPlanQuery = { method: 'rsvd', testMatrix: 'sparse-sign', dtype: 'float32', seed: 0, center: false, cols: 1024, rank: 20, q: 10, chunk: 256, rowsInMemory: 0 };
    const large = rsvdWidth({ ...q, rows: 100_000 }, 64 * MiB);
    expect(large).toMatchObject({ l: 40, base: 40, fit: 1024 });
    expect(rsvdWork(100_000, 1024, large.cheap! + 1)).toBeGreaterThan(RSVD_FREE_WORK);
    // A small input: l grows while m l (n + 2l) + 50 l^3 <= 2^30.
    const small = rsvdWidth({ ...q, rows: 2000 }, 64 * MiB);
    expect(small.l).toBeGreaterThan(40);
    expect(rsvdWork(2000, 1024, small.l)).toBeLessThanOrEqual(RSVD_FREE_WORK);
    expect(rsvdWork(2000, 1024, small.l + 1)).toBeGreaterThan(RSVD_FREE_WORK);
    // Capped at min(m, n): a 300 x 40 input gets the exact answer.
    expect(rsvdWidth({ ...q, cols: 40, rank: 5, rows: 300 }, 64 * MiB).l).toBe(40);
    // A small budget: the largest l that fits, down to r + 2.
    const tight = sketchBytes(q, { k: 30, s: 0, l: 0 });
    expect(rsvdWidth({ ...q, rows: 100_000 }, tight).l).toBe(30);
    expect(rsvdWidth({ ...q, rows: 100_000 }, tight - 1).l).toBe(29);
    // The smallest budget accepted (the planner also lowers the chunk height there): l = r + 2.
    const ok = (b: number) => { try { planApprox({ ...base, memoryBudget: b }); return true; } catch { return false; } };
    let lo = 1, hi = 64 * MiB;
    while (hi - lo > 1) { const mid = Math.floor((lo + hi) / 2); if (ok(mid)) hi = mid; else lo = mid; }
    const min = hi;
    expect(planApprox({ ...base, memoryBudget: min })).toMatchObject({ method: 'rsvd', sizes: { k: 22 } });
    expect(() => planApprox({ ...base, memoryBudget: min - 1 })).toThrow(BudgetError);
    expect(() => planApprox({ ...base, memoryBudget: min - 1 })).toThrow(`the smallest that works is`);
    // Just above the minimum (the planner also lowers the chunk height for a small budget): within the budget, and says so.
    const b = Math.floor(1.2 * min);
    const p = planApprox({ ...base, memoryBudget: b });
    expect(p.kind === 'sketch' && p.sizes.k).toBeLessThan(40);
    expect(p.kind === 'sketch' && p.sizes.k).toBeGreaterThan(22);
    expect(p.kind === 'sketch' && p.stateBytes).toBeLessThanOrEqual(b);
    expect(p.reasons.join('\n')).toMatch(/the most the memory budget .* holds/);
    expect(planApprox(base).reasons.join('\n')).toMatch(/a ceiling, not a target/);
  });

  it('the library face sizes rsvd by the same rule when given a budget and rows', () => {
    const st = createSketch({ cols: 64, rank: 5, method: 'rsvd', memoryBudget: MiB, rows: 500 });
    expect(st.sizes).toMatchObject({ k: 64, rule: 'oversample' });
    const tall = createSketch({ cols: 64, rank: 5, method: 'rsvd', memoryBudget: MiB, rows: 10 ** 9, spill: { write: () => undefined } });
    expect(tall.sizes.k).toBe(15);
  });
});

describe('the linear records measure ||A||_F while they check each chunk (measuredNorm)', () => {
  const m = 700, n = 90;
  const a = zeros(m, n);
  let s = 3;
  for (let i = 0; i < a.data.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a.data[i] = (s / 2 ** 32 - 0.5) * (1 + (i % n)); }
  // Of the values the sketch sees: float32 rows are rounded to float32 first.
  const exact = (x: Matrix64, center = false, f32 = false) => {
    const v = (i: number, j: number) => (f32 ? Math.fround(x.data[i * x.cols + j]) : x.data[i * x.cols + j]);
    let t = 0;
    for (let j = 0; j < x.cols; j++) {
      let mu = 0;
      if (center) { for (let i = 0; i < x.rows; i++) mu += v(i, j); mu /= x.rows; }
      for (let i = 0; i < x.rows; i++) t += (v(i, j) - mu) ** 2;
    }
    return Math.sqrt(t);
  };
  const rows = (r0: number, b: number) => ({ rows: b, cols: n, data: a.data, offset: r0 * n, stride: n });

  it('equals ||A||_F (and ||A - 1 mu^T||_F with center) for every linear method, float64 and float32, merged and serialized', () => {
    for (const method of ['three-sketch', 'two-sketch', 'rsvd'] as const) {
      for (const dtype of ['float64', 'float32'] as const) {
        for (const center of [false, true]) {
          const st = createSketch({ cols: n, rank: 5, method, dtype, center, chunkRows: 64 });
          updateRows(st, rows(0, 300), 0);
          updateRows(st, rows(300, m - 300), 300);
          const want = exact(a, center, dtype === 'float32');
          // With center, the column sums of float32 rows come from float32 chunk products.
          const tol = center && dtype === 'float32' ? 1e-9 : 1e-12;
          expect(Math.abs(measuredNorm(st)! / want - 1), `${method} ${dtype} ${center}`).toBeLessThan(tol);
          // Shards merge by addition; a round trip through bytes keeps it.
          const x = createSketch({ cols: n, rank: 5, method, dtype, center }), y = createSketch({ cols: n, rank: 5, method, dtype, center });
          updateRows(x, rows(0, 250), 0); updateRows(y, rows(250, m - 250), 250);
          const merged = mergeSketches(x, y);
          expect(Math.abs(measuredNorm(merged)! / want - 1)).toBeLessThan(tol);
          expect(measuredNorm(deserializeSketch(serializeSketch(merged)))).toBe(measuredNorm(merged));
        }
      }
    }
  });

  it('is undefined after updates that are not whole rows, rows written twice, or a scaling (and for FD)', () => {
    const e = createSketch({ cols: n, rank: 5 });
    updateRows(e, rows(0, 100), 0);
    updateEntries(e, [100], [3], [1.5]);
    expect(measuredNorm(e)).toBeUndefined();
    const twice = createSketch({ cols: n, rank: 5 });
    updateRows(twice, rows(0, 100), 0); updateRows(twice, rows(50, 100), 50);
    expect(measuredNorm(twice)).toBeUndefined();
    const scaled = createSketch({ cols: n, rank: 5 });
    updateRows(scaled, rows(0, 100), 0);
    updateLinear(scaled, 2, 0, rows(0, 1));
    expect(measuredNorm(scaled)).toBeUndefined();
    const lowRank = createSketch({ cols: n, rank: 5 });
    updateLinear(lowRank, 1, 1, { left: rows(0, 10), right: zeros(n, n), rowStart: 0 });
    expect(measuredNorm(lowRank)).toBeUndefined();
    const fd = createSketch({ cols: n, rank: 5, method: 'fd' });
    updateRows(fd, rows(0, 100), 0);
    expect(measuredNorm(fd)).toBeUndefined();
    // Negative control: the plain record does know it.
    const plain = createSketch({ cols: n, rank: 5 });
    updateRows(plain, rows(0, 100), 0);
    expect(measuredNorm(plain)).toBeGreaterThan(0);
  });
});

describe('never worse than zero (library): the default method on pure noise', () => {
  it('rsvd on Gaussian noise is a projection of A: ||A - U S V^T||_F <= ||A||_F at every rank and seed', () => {
    const m = 600, n = 120;
    for (let seed = 0; seed < 5; seed++) {
      let s = seed + 1;
      const a = zeros(m, n);
      for (let i = 0; i < a.data.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a.data[i] = s / 2 ** 32 - 0.5; }
      const p = planApprox({ method: 'auto', passes: 1, memoryBudget: 64 * MiB, rank: 10, cols: n, rows: m, dtype: 'float64' });
      if (p.kind !== 'sketch') throw new Error('one pass plans a sketch');
      expect(p.method).toBe('rsvd');
      // The smallest width too (l = r + 2): the projection property does not depend on it.
      for (const sizes of [p.sizes, { ...p.sizes, k: 12 }]) {
        const st = createSketch({ cols: n, rank: 10, method: 'rsvd', seed, sizes });
        updateRows(st, a, 0);
        const f = reconstruct(st);
        expect(f.s.length).toBe(10);
        expect(residual(a, { u: f.u!, s: f.s, v: f.v }) / frobenius(a)).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('the CLI default: choice, zero, and the same bits for every thread count and decode setting', () => {
  let dir: string;
  let a: Matrix64;
  beforeAll(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'rf-onepass-'));
    // 3000 x 256 with a slowly decaying spectrum: large enough that the kernel pool splits the
    // products (H = A^T Y is 256 x l x 256 per chunk), small enough for a test.
    const sigma = Float64Array.from({ length: 256 }, (_, j) => 1 / (1 + j) ** 0.7);
    a = fromSpectrum(3000, 256, sigma, 5).a;
    writeNpyReference(join(dir, 'a.npy'), a.data, 3000, 256, 'float32', false);
    writeFileSync(join(dir, 'a.arrow'), arrowBytes(a, 'file', 512));
  }, 240_000);
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  const run = async (args: string[]) => {
    const r = await runCli(['approx', ...args, '--rank', '10', '--json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { method: string; sketch: Record<string,
      number>; singularValues: number[]; errorEstimate: { relative: number; kind: string }; reasons: string[] };
  };

  it('--threads 1, 2 (the default on 2 cores) and 3 give the same bits: singular values and the U, V files', async () => {
    const outs: string[] = [];
    const svs: number[][] = [];
    for (const t of [['--threads', '1'], [], ['--threads', '3']]) {
      const prefix = join(dir, `t${t.join('') || 'default'}`);
      const j = await run([join(dir, 'a.npy'), ...t, '--out', prefix]);
      expect(j.method).toBe('rsvd');
      expect(j.errorEstimate.kind).toBe('residual');
      outs.push(prefix);
      svs.push(j.singularValues);
    }
    expect(svs[1]).toEqual(svs[0]);
    expect(svs[2]).toEqual(svs[0]);
    for (const name of ['U', 'S', 'V']) {
      const ref = readFileSync(`${outs[0]}.${name}.npy`);
      for (const o of outs.slice(1)) expect(readFileSync(`${o}.${name}.npy`).equals(ref), `${name} of ${o}`).toBe(true);
    }
    // Negative control: another seed changes them.
    const other = await run([join(dir, 'a.npy'), '--seed', '1']);
    expect(other.singularValues).not.toEqual(svs[0]);
  });

  it('an Arrow file gives the same bits with and without the decode worker, and as the .npy of the same float32 values', async () => {
    const on = await run([join(dir, 'a.arrow')]);
    const off = await run([join(dir, 'a.arrow'), '--no-decode-worker']);
    const npy = await run([join(dir, 'a.npy')]);
    expect(on.method).toBe('rsvd');
    expect(off.singularValues).toEqual(on.singularValues);
    // arrowBytes writes float64 values, the .npy float32 ones: the same method and sizes, close values.
    expect(npy.sketch).toEqual(on.sketch);
    for (let j = 0; j < 10; j++) expect(Math.abs(npy.singularValues[j] / on.singularValues[j] - 1)).toBeLessThan(1e-5);
  });

  it('pure noise: the default (rsvd) is never further from A than zero, with the full rank and no note', async () => {
    const m = 5000, n = 100, noise = zeros(m, n);
    let s = 9;
    for (let i = 0; i < noise.data.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; noise.data[i] = Math.fround(s / 2 ** 32 - 0.5); }
    writeNpyReference(join(dir, 'noise.npy'), noise.data, m, n, 'float32', false);
    const prefix = join(dir, 'noise');
    const j = await run([join(dir, 'noise.npy'), '--out', prefix]);
    expect(j.method).toBe('rsvd');
    expect(j.singularValues).toHaveLength(10);
    const f = readFactors(prefix);
    const rel = residual(noise, f) / frobenius(noise);
    expect(rel).toBeLessThanOrEqual(1);
    // The reported residual is the true one (a projection: Pythagoras), to float32 rounding.
    expect(Math.abs(j.errorEstimate.relative - rel)).toBeLessThan(1e-5);
  });
});
