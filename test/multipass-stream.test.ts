import { describe, expect, it } from 'vitest';
import { fromSpectrum } from '../src/synthetic/from-spectrum.js';
import { transpose } from '../src/matrix.js';
import type { Matrix64 } from '../src/matrix.js';
import { SourceError, ShapeError } from '../src/errors.js';
import { randomizedSubspaceIteration } from '../src/multipass/randomized-subspace-iteration.js';
import { anyViews } from '../src/multipass/any-views.js';
import { blockKrylov } from '../src/multipass/block-krylov.js';
import { createGramPass, finishGramPass, updateGramPass } from '../src/multipass/gram-pass.js';
import { memorySpill } from '../src/sketch/memory-spill.js';
import { leftFactorRows } from '../src/multipass/left-factor-rows.js';
import { runPasses } from '../streams/run-passes.js';
import type { PassProgress } from '../streams/run-passes.js';
import { matrixSource, oneShot } from './helpers/matrix-source.js';
import { fixSigns } from '../src/linalg/sign-fix.js';
import { maxAbsDiff, normalizedSpectralError } from './helpers/normalized-error.js';

/**
 * Tolerance of "streaming == in-memory": both paths compute the same subspaces in exact arithmetic
 * (qr(A^T A X) spans qr(A^T Q); Q^T A = R^{-T} H^T), so they differ by rounding amplified by the
 * conditioning of the Gram-pass solve (cond(G) <= sigma_1 / sigma_l = l here) and by the
 * sensitivity of the rank-r singular vectors (1 / relative gap (sigma_r - sigma_{r+1}) / sigma_1,
 * about 1 / 0.009 for r = 10). Both are below 1e3, so with eps * max(m, n) ~ 5e-14 the expected
 * difference is ~1e-11 at worst; we assert 1e-10.
 */
const TOL = 1e-10;

function slow(m = 300, n = 120) {
  const sigma = Float64Array.from({ length: Math.min(m, n) }, (_, j) => 1 / (j + 1));
  return fromSpectrum(m, n, sigma, 5);
}

describe('Gram-pass streaming RSI equals the in-memory RSI', () => {
  it.each([0, 1, 2, 3])('q = %i power iterations (q + 1 passes), blocks of 37 rows, U through the spill', async (q) => {
    const { a } = slow();
    const ref = randomizedSubspaceIteration(a, { rank: 10, oversamples: 5, powerIterations: q, seed: 42 });
    const src = matrixSource(a, 37);
    const out = await runPasses(src, { method: 'rsi', passes: q + 1, rank: 10, oversamples: 5 }, { seed: 42 });
    expect(src.opens).toBe(q + 1);
    for (let j = 0; j < 10; j++) expect(Math.abs(out.s[j] - ref.s[j])).toBeLessThan(TOL);
    expect(maxAbsDiff(out.v!, ref.v)).toBeLessThan(TOL);
    expect(maxAbsDiff(out.u!, ref.u)).toBeLessThan(TOL);
  });

  it('does not depend on the block size or float32 blocks beyond their rounding', async () => {
    const { a } = slow();
    const x = await runPasses(matrixSource(a, 1), { method: 'rsi', passes: 3, rank: 8, oversamples: 6 }, { seed: 1 });
    const y = await runPasses(matrixSource(a, 1000), { method: 'rsi', passes: 3, rank: 8, oversamples: 6 }, { seed: 1 });
    expect(maxAbsDiff(x.u!, y.u!)).toBeLessThan(TOL);
    // float32 input: the matrix itself changes by 6e-8 relative, so compare accuracy, not bits
    const { a: a2, sigma } = slow();
    const z = await runPasses(matrixSource(a2, 64, 'rows', 'float32'), { method: 'rsi', passes: 3, rank: 8, oversamples: 6 }, { seed: 1 });
    const e32 = normalizedSpectralError(a2, { u: z.u!, s: z.s, v: z.v! }, sigma![8]);
    const e64 = normalizedSpectralError(a2, { u: x.u!, s: x.s, v: x.v! }, sigma![8]);
    expect(Math.abs(e32 - e64)).toBeLessThan(1e-4);
  });

  it('column-block streams are the mirrored form: a row stream of A^T with U and V swapped', async () => {
    const { a } = slow(150, 220);
    const ref = randomizedSubspaceIteration(transpose(a), { rank: 7, oversamples: 5, powerIterations: 2, seed: 9 });
    fixSigns(ref.u, ref.v); // the sign convention decides on V of A, which is U of A^T
    const out = await runPasses(matrixSource(a, 29, 'columns'), { method: 'rsi', passes: 3, rank: 7, oversamples: 5 }, { seed: 9 });
    expect(out.tallFactor).toBe('v');
    expect(out.signs).toBe('v');
    expect(out.u!.rows).toBe(150);
    expect(out.v!.rows).toBe(220);
    expect(maxAbsDiff(out.u!, ref.v)).toBeLessThan(TOL);
    expect(maxAbsDiff(out.v!, ref.u)).toBeLessThan(TOL);
  });

  it.each([3, 5, 7])('odd view counts: %i views over a row stream equal the in-memory any-views scheme', async (views) => {
    const { a } = slow();
    const ref = anyViews(a, { rank: 9, oversamples: 4, views, seed: 3 });
    const src = matrixSource(a, 50);
    const out = await runPasses(src, { method: 'rsi', passes: Math.ceil(views / 2), views, rank: 9, oversamples: 4 }, { seed: 3 });
    expect(src.opens).toBe(Math.ceil(views / 2));
    expect(maxAbsDiff(out.v!, ref.v)).toBeLessThan(TOL);
    expect(maxAbsDiff(out.u!, ref.u)).toBeLessThan(TOL);
  });

  it('block Krylov over a row stream equals the in-memory block Krylov', async () => {
    const { a } = slow();
    const ref = blockKrylov(a, { rank: 8, oversamples: 2, krylovDepth: 3, seed: 4 });
    const out = await runPasses(matrixSource(a, 64), { method: 'block-krylov', passes: 4, krylovDepth: 3, rank: 8, oversamples: 2 }, { seed: 4 });
    expect(maxAbsDiff(out.v!, ref.v)).toBeLessThan(TOL);
    expect(maxAbsDiff(out.u!, ref.u)).toBeLessThan(TOL);
  });

  it('rows in any order give the same answer; the state size does not grow with m', () => {
    const stateBytes = (m: number) => {
      const st = createGramPass({ cols: 40, rank: 5, oversamples: 5, powerIterations: 1, seed: 2 });
      const bytes = () => st.x.byteLength + st.h.byteLength + st.g.byteLength + st.wide.byteLength + st.basis.byteLength +
        (st.tsqr ? st.tsqr.r.data.byteLength + st.tsqr.work.byteLength : 0);
      const block = new Float64Array(100 * 40).fill(1);
      let size = 0;
      for (;;) {
        for (let r0 = 0; r0 < m; r0 += 100) updateGramPass(st, { rows: 100, cols: 40, data: block, offset: 0, stride: 40 }, r0);
        size = Math.max(size, bytes());
        if (finishGramPass(st).done) return size;
      }
    };
    expect(stateBytes(6000)).toBe(stateBytes(600));
    const { a } = slow(600, 40);
    const spill = memorySpill();
    const st = createGramPass({ cols: 40, rank: 5, oversamples: 5, powerIterations: 1, seed: 2, spill });
    const order = [5, 0, 3, 1, 4, 2];
    let res;
    for (;;) {
      for (const b of order) updateGramPass(st, { rows: 100, cols: 40, data: a.data, offset: b * 100 * 40, stride: 40 }, b * 100);
      const out = finishGramPass(st);
      if (out.done) { res = out.result; break; }
    }
    const g = new Float64Array(6000);
    spill.forEachBlock((r0, y) => g.set(y.data.subarray(0, y.rows * 10), r0 * 10));
    const u: Matrix64 = leftFactorRows(res.leftMap, { rows: 600, cols: 10, data: g, offset: 0, stride: 10 });
    const ref = randomizedSubspaceIteration(a, { rank: 5, oversamples: 5, powerIterations: 1, seed: 2 });
    expect(maxAbsDiff(u, ref.u)).toBeLessThan(TOL);
  });

  it('reports progress per block and per pass, with Ritz values that settle', async () => {
    const { a } = slow();
    const seen: PassProgress[] = [];
    await runPasses(matrixSource(a, 100), { method: 'rsi', passes: 4, rank: 5, oversamples: 5 }, { onProgress: (p) => seen.push(p) });
    const ends = seen.filter((p) => p.phase === 'pass');
    expect(ends.map((p) => p.pass)).toEqual([1, 2, 3, 4]);
    expect(seen.filter((p) => p.phase === 'block' && p.pass === 2).map((p) => p.rowsSeen)).toEqual([100, 200, 300]);
    expect(ends[0].ritz!.length).toBe(0);
    const d23 = Math.abs(ends[2].ritz![4] - ends[1].ritz![4]), d34 = Math.abs(ends[3].ritz![4] - ends[2].ritz![4]);
    expect(d34).toBeLessThan(d23);
  });
});

describe('replayability', () => {
  it('a one-shot source asked for two passes is refused before anything is read', async () => {
    const { a } = slow();
    const inner = matrixSource(a, 50);
    const src = oneShot(inner, 'tcp://127.0.0.1:9000');
    await expect(runPasses(src, { method: 'rsi', passes: 2, rank: 5, oversamples: 5 })).rejects.toThrow(SourceError);
    await expect(runPasses(src, { method: 'rsi', passes: 2, rank: 5, oversamples: 5 })).rejects.toThrow(
      'tcp://127.0.0.1:9000 is a one-shot source and cannot be read 2 times; use a file or --passes 1',
    );
    expect(inner.opens).toBe(0);
  });

  it('a one-shot source can serve one pass (RSVD, two views)', async () => {
    const { a } = slow();
    const out = await runPasses(oneShot(matrixSource(a, 50), 'stdin'), { method: 'rsi', passes: 1, rank: 5, oversamples: 5 });
    expect(out.s.length).toBe(5);
  });

  it('a source that changes between passes is refused, naming the passes', async () => {
    const { a } = slow();
    const good = matrixSource(a, 50);
    let n = 0;
    const shrinking = { ...good, open: () => (n++ === 0 ? good.open() : matrixSource({ ...a, rows: 250 }, 50).open()) };
    await expect(runPasses(shrinking, { method: 'rsi', passes: 2, rank: 5, oversamples: 5 })).rejects.toThrow(ShapeError);
    await expect(runPasses(matrixSource(a, 50), { method: 'rsi', passes: 2, rank: 5, oversamples: 5 })).resolves.toBeDefined();
  });
});

describe('results after every pass', () => {
  it('pass j of one 4-pass run gives the same factors as a separate run with j passes (RSI, q = j - 1)', async () => {
    const { a } = slow();
    const out = await runPasses(matrixSource(a, 64), { method: 'rsi', passes: 4, rank: 6, oversamples: 4 }, { seed: 8, resultEveryPass: true });
    expect(out.perPass.map((p) => p.pass)).toEqual([1, 2, 3, 4]);
    for (const p of out.perPass) {
      const ref = randomizedSubspaceIteration(a, { rank: 6, oversamples: 4, powerIterations: p.pass - 1, seed: 8 });
      expect(maxAbsDiff(p.v, ref.v)).toBeLessThan(TOL);
      for (let j = 0; j < 6; j++) expect(Math.abs(p.s[j] - ref.s[j])).toBeLessThan(TOL);
    }
    const ref = randomizedSubspaceIteration(a, { rank: 6, oversamples: 4, powerIterations: 3, seed: 8 });
    expect(maxAbsDiff(out.u!, ref.u)).toBeLessThan(TOL);
    // the reported Frobenius residual is the true one (A_r is a projection of A), and it falls pass by pass
    const { frobeniusNorm } = await import('../src/matrix.js');
    const { differenceOperator } = await import('../src/linalg/linear-operator.js');
    const d = differenceOperator(a, out.u!, out.s, out.v!);
    let e2 = 0;
    const x = new Float64Array(120), y = new Float64Array(300);
    for (let j = 0; j < 120; j++) { x.fill(0); x[j] = 1; d.apply(x, y); for (const v of y) e2 += v * v; }
    expect(Math.abs(out.relativeResidual - Math.sqrt(e2) / frobeniusNorm(a))).toBeLessThan(1e-10);
    expect(Math.abs(out.frobeniusNorm - frobeniusNorm(a))).toBeLessThan(1e-12);
    const res = out.perPass.map((p) => p.relativeResidual);
    for (let j = 1; j < res.length; j++) expect(res[j]).toBeLessThanOrEqual(res[j - 1] + 1e-12);
  });
});

describe('tall factors through a file spill', () => {
  it('spill: file gives the same U as the memory spill, streamed back from an Arrow IPC file, and cleans up', async () => {
    const { existsSync, mkdtempSync, readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/rf-multipass-`);
    const { a } = slow();
    const mem = await runPasses(matrixSource(a, 40), { method: 'rsi', passes: 3, rank: 6, oversamples: 4 }, { seed: 2 });
    const file = await runPasses(matrixSource(a, 40), { method: 'rsi', passes: 3, rank: 6, oversamples: 4 }, { seed: 2, spill: 'file', tmpDir: dir, collect: true });
    expect(maxAbsDiff(file.u!, mem.u!)).toBeLessThan(1e-15); // same G; only the blocking of G M differs
    let rows = 0;
    await new Promise<void>((resolve, reject) => file.readTallFactor().subscribe({ next: (b) => { rows += b.rows; }, error: reject, complete: resolve }));
    expect(rows).toBe(300);
    expect(readdirSync(dir).length).toBe(1);
    file.dispose();
    expect(readdirSync(dir).length).toBe(0);
    expect(existsSync(dir)).toBe(true);
    const none = await runPasses(matrixSource(a, 40), { method: 'rsi', passes: 2, rank: 6, oversamples: 4 }, { spill: 'none' });
    expect(none.u).toBeUndefined();
    expect(none.v!.rows).toBe(120);
  });
});

describe('sharded passes', () => {
  it('two workers per pass (fork, stream a shard, merge) give the one-stream answer', async () => {
    const { forkGramPass } = await import('../src/multipass/gram-pass.js');
    const { mergeGramPass } = await import('../src/multipass/merge-gram-pass.js');
    const { IncompatibleMergeError } = await import('../src/errors.js');
    const { a } = slow();
    const main = createGramPass({ cols: 120, rank: 6, oversamples: 4, powerIterations: 2, seed: 5 });
    const spills = [memorySpill(), memorySpill()];
    let result;
    for (;;) {
      const workers = [forkGramPass(main, spills[0]), forkGramPass(main, spills[1])];
      updateGramPass(workers[1], { rows: 170, cols: 120, data: a.data, offset: 130 * 120, stride: 120 }, 130);
      updateGramPass(workers[0], { rows: 130, cols: 120, data: a.data, offset: 0, stride: 120 }, 0);
      mergeGramPass(main, workers[0]);
      mergeGramPass(main, workers[1]);
      const out = finishGramPass(main);
      if (out.done) { result = out.result; break; }
    }
    const ref = randomizedSubspaceIteration(a, { rank: 6, oversamples: 4, powerIterations: 2, seed: 5 });
    expect(maxAbsDiff(result.v, ref.v)).toBeLessThan(TOL);
    const g = new Float64Array(300 * 10);
    for (const sp of spills) sp.forEachBlock((r0, y) => { for (let t = 0; t < y.rows; t++) for (let j = 0; j < 10; j++) g[(r0 + t) * 10 + j] += y.data[t * 10 + j]; });
    const u = leftFactorRows(result.leftMap, { rows: 300, cols: 10, data: g, offset: 0, stride: 10 });
    expect(maxAbsDiff(u, ref.u)).toBeLessThan(TOL);
    const other = createGramPass({ cols: 120, rank: 6, oversamples: 4, powerIterations: 2, seed: 6 });
    const fresh = createGramPass({ cols: 120, rank: 6, oversamples: 4, powerIterations: 2, seed: 5 });
    expect(() => mergeGramPass(fresh, other)).toThrow(IncompatibleMergeError);
    expect(() => updateGramPass(main, { rows: 1, cols: 120, data: a.data, offset: 0, stride: 120 }, 0)).toThrow(/finished/);
  });
});
