/**
 * The RxJS operators of streams/operators over real components: in-memory and .npy file sources,
 * compared with a direct (non-RxJS) sketch of the same blocks; errors naming the row; teardown.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Observable, firstValueFrom, lastValueFrom, map, tap, toArray } from 'rxjs';
import { ArgumentError, NonFiniteError, ShapeError } from '../src/errors.js';
import { zeros, type Matrix, type Matrix64 } from '../src/matrix.js';
import {
  createSketch, estimateError as estimateDirect, reconstruct as reconstructDirect, updateRows, type SketchOptions,
} from '../src/internals.js';
import { approximateEvery, estimateError, reconstruct, sketchColumns, sketchRows } from '../streams/operators/index.js';
import { fromNpy } from '../streams/sources/from-npy.js';
import type { RowBlock } from '../streams/types.js';
import { gemm } from '../src/kernels/gemm.js';
import { testMatrix } from '../src/random/test-matrix.js';
import { maxAbsDiff } from './helpers/normalized-error.js';
import { field, lowRank } from './sketch-helpers.js';
import { matrixSource } from './helpers/matrix-source.js';
import { writeNpyReference } from './helpers/npy-reference.js';
import { openFilePaths, waitUntil } from './helpers/open-fds.js';

const dir = mkdtempSync(join(tmpdir(), 'rf-ops-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** U diag(s) V^T (m x n). */
function recompose(u: Matrix64, s: Float64Array, v: Matrix64): Matrix64 {
  const r = s.length, us = zeros(u.rows, r), out = zeros(u.rows, v.rows);
  for (let i = 0; i < u.rows; i++) for (let j = 0; j < r; j++) us.data[i * r + j] = u.data[i * r + j] * s[j];
  gemm(false, true, u.rows, v.rows, r, 1, us.data, 0, r, v.data, 0, r, 0, out.data, 0, v.rows);
  return out;
}

/** A + noise: rank-6 signal plus a small full-rank tail, so error estimates are nonzero. */
function testData(m: number, n: number, seed: number): Matrix64 {
  const a = lowRank(m, n, 6, seed);
  const e = testMatrix('gaussian', seed + 1, 'test-noise', m, n);
  for (let i = 0; i < a.data.length; i++) a.data[i] = a.data[i] + 1e-3 * e.data[i];
  return a;
}

/** The same blocks sketched by plain function calls, no RxJS. */
function directSketch(a: Matrix, blockRows: number, opts: SketchOptions) {
  const st = createSketch(opts);
  for (let r0 = 0; r0 < a.rows; r0 += blockRows) {
    const b = Math.min(blockRows, a.rows - r0);
    updateRows(st, { rows: b, cols: a.cols, data: a.data, offset: r0 * a.cols, stride: a.cols }, r0);
  }
  return st;
}

/** A source of `blocks` blocks produced asynchronously, one per macrotask, whose teardown we observe. */
function observedSource(blocks: RowBlock[]) {
  const log = { pulled: 0, tornDown: false };
  const obs = new Observable<RowBlock>((sub) => {
    let timer: NodeJS.Timeout | undefined;
    const step = (i: number): void => {
      if (i === blocks.length) { sub.complete(); return; }
      log.pulled++;
      sub.next(blocks[i]);
      timer = setTimeout(() => step(i + 1), 1);
    };
    timer = setTimeout(() => step(0), 1);
    return () => { log.tornDown = true; clearTimeout(timer); };
  });
  return { obs, log };
}

function blocksOf(a: Matrix64, blockRows: number): RowBlock[] {
  const out: RowBlock[] = [];
  for (let r0 = 0; r0 < a.rows; r0 += blockRows) {
    const rows = Math.min(blockRows, a.rows - r0);
    out.push({ rowStart: r0, rows, cols: a.cols, data: a.data.slice(r0 * a.cols, (r0 + rows) * a.cols) });
  }
  return out;
}

describe('sketchRows', () => {
  const m = 300, n = 40, opts = { cols: n, rank: 5, seed: 7 } as const;
  const a = testData(m, n, 3);

  for (const testMatrix of ['gaussian', 'sparse-sign'] as const) {
    it(`completes with the same state as a direct sketch of the same blocks (${testMatrix})`, async () => {
      const st = await lastValueFrom(matrixSource(a, 37).open().pipe(sketchRows({ ...opts, testMatrix })));
      const ref = directSketch(a, 37, { ...opts, testMatrix });
      expect(st.rowsSeen).toBe(m);
      expect(st.rows).toBe(m);
      expect(Array.from(field(st, 'coRange'))).toEqual(Array.from(field(ref, 'coRange')));
      expect(Array.from(field(st, 'core'))).toEqual(Array.from(field(ref, 'core')));
      expect(Array.from(field(st, 'errorSketch'))).toEqual(Array.from(field(ref, 'errorSketch')));
      expect(Array.from(field(st, 'rangeR'))).toEqual(Array.from(field(ref, 'rangeR')));
    });
  }

  it('pipes into reconstruct and estimateError with the results of the src functions', async () => {
    const src = matrixSource(a, 50);
    const f = await lastValueFrom(src.open().pipe(sketchRows(opts), reconstruct({ rank: 4 })));
    const ref = reconstructDirect(directSketch(a, 50, opts), { rank: 4 });
    expect(f.orientation).toBe('rows');
    expect(Array.from(f.s)).toEqual(Array.from(ref.s));
    expect(maxAbsDiff(f.v!, ref.v)).toBe(0);
    expect(maxAbsDiff(f.u!, ref.u!)).toBe(0);
    expect(f.u!.rows).toBe(m);
    // rank-6 signal + 1e-3 noise: the rank-6 reconstruction is close to A
    const f6 = await lastValueFrom(src.open().pipe(sketchRows({ ...opts, rank: 6 }), reconstruct()));
    const diff = maxAbsDiff(recompose(f6.u!, f6.s, f6.v!), a);
    expect(diff).toBeLessThan(0.05);

    const e = await lastValueFrom(src.open().pipe(sketchRows(opts), estimateError()));
    expect(e).toEqual(estimateDirect(directSketch(a, 50, opts)));
    const e4 = await lastValueFrom(src.open().pipe(sketchRows(opts), estimateError({ rank: 4 })));
    const st = directSketch(a, 50, opts);
    expect(e4).toEqual(estimateDirect(st, reconstructDirect(st, { rank: 4 })));
    expect(e4.frobenius).toBeGreaterThan(e.frobenius); // rank 4 < signal rank 6: a real error
  });

  it('emits the empty sketch for an empty stream', async () => {
    const st = await lastValueFrom(new Observable<RowBlock>((s) => s.complete()).pipe(sketchRows(opts)));
    expect(st.rowsSeen).toBe(0);
  });

  it('validates options when the operator is created, not at subscription', () => {
    expect(() => sketchRows({ cols: 0, rank: 1 })).toThrow(ArgumentError);
    expect(() => sketchRows({ cols: 10, rank: 11 })).toThrow(/rank 11 exceeds the 10 columns/);
    expect(() => sketchRows({ cols: 10, rank: 2, seed: -1 })).toThrow(ArgumentError);
    expect(() => sketchColumns({ rows: 10, rank: 0 })).toThrow(ArgumentError);
    expect(() => approximateEvery(0, { cols: 10, rank: 2 })).toThrow(/everyRows must be a positive integer/);
    expect(() => approximateEvery(10, { cols: 10, rank: 2, method: 'nope' as never })).toThrow(ArgumentError);
    expect(() => reconstruct({ rank: 1.5 })).toThrow(ArgumentError);
    expect(() => estimateError({ rank: 0 })).toThrow(ArgumentError);
  });

  it('gives each subscription a fresh state (cold operator)', async () => {
    const op = sketchRows(opts);
    const s1 = await lastValueFrom(matrixSource(a, 37).open().pipe(op));
    const s2 = await lastValueFrom(matrixSource(a, 37).open().pipe(op));
    expect(s1).not.toBe(s2);
    expect(s2.rowsSeen).toBe(m);
    expect(Array.from(field(s2, 'coRange'))).toEqual(Array.from(field(s1, 'coRange')));
  });

  it('errors naming the row of a NaN, and tears the source down', async () => {
    const blocks = blocksOf(a, 50);
    const bad = { ...blocks[2], data: blocks[2].data.slice() };
    bad.data[(117 - 100) * n + 9] = Number.NaN;
    blocks[2] = bad;
    const { obs, log } = observedSource(blocks);
    const err = await lastValueFrom(obs.pipe(sketchRows(opts))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteError);
    expect((err as Error).message).toBe('row 117: value at column 9 is NaN');
    expect(log.tornDown).toBe(true);
    expect(log.pulled).toBe(3);
  });

  it('errors naming the rows of a block of the wrong width', async () => {
    const blocks = blocksOf(a, 50);
    blocks[1] = { rowStart: 50, rows: 2, cols: n - 1, data: new Float64Array(2 * (n - 1)) };
    const err = await lastValueFrom(new Observable<RowBlock>((s) => { for (const b of blocks) s.next(b); s.complete(); }).pipe(sketchRows(opts)))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShapeError);
    expect((err as Error).message).toMatch(/row 50 has 39 columns, expected 40/);
  });

  it('stops pulling the source when the consumer unsubscribes', async () => {
    const { obs, log } = observedSource(blocksOf(a, 10));
    const seen: number[] = [];
    const sub = obs.pipe(tap((b) => seen.push(b.rowStart)), sketchRows(opts)).subscribe();
    await waitUntil(() => seen.length >= 3);
    sub.unsubscribe();
    expect(log.tornDown).toBe(true);
    const pulled = log.pulled;
    await new Promise((r) => setTimeout(r, 30));
    expect(log.pulled).toBe(pulled);
    expect(pulled).toBeLessThan(30);
  });
});

describe('sketchRows over a real .npy file', () => {
  const m = 4000, n = 64;
  const a = testData(m, n, 11);
  const path = join(dir, 'a.npy');
  writeNpyReference(path, a.data, m, n, 'float32', false);

  it('equals a direct sketch of the float32 rows', async () => {
    const st = await lastValueFrom(fromNpy(path, { blockRows: 256 }).open().pipe(sketchRows({ cols: n, rank: 5 })));
    const a32 = { rows: m, cols: n, data: Float32Array.from(a.data), offset: 0, stride: n };
    const ref = directSketch(a32, 256, { cols: n, rank: 5, dtype: 'float32' });
    expect(st.rowsSeen).toBe(m);
    expect(Array.from(field(st, 'core'))).toEqual(Array.from(field(ref, 'core')));
  });

  it('closes the file when the consumer unsubscribes mid-stream', async () => {
    expect(openFilePaths()).not.toContain(path);
    let blocks = 0;
    const sub = fromNpy(path, { blockRows: 16 }).open().pipe(tap(() => blocks++), sketchRows({ cols: n, rank: 5 })).subscribe();
    await waitUntil(() => blocks >= 2);
    expect(openFilePaths()).toContain(path);
    sub.unsubscribe();
    expect(await waitUntil(() => !openFilePaths().includes(path))).toBe(true);
    expect(blocks).toBeLessThan(m / 16);
  });

  it('closes the file when a block is refused downstream', async () => {
    // A sketch of the wrong width: the first block errors, the file source must be released.
    const err = await lastValueFrom(fromNpy(path, { blockRows: 16 }).open().pipe(sketchRows({ cols: n + 1, rank: 5 })))
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/row 0 has 64 columns, expected 65/);
    expect(await waitUntil(() => !openFilePaths().includes(path))).toBe(true);
  });
});

describe('approximateEvery', () => {
  const m = 1000, n = 30, opts = { cols: n, rank: 5, seed: 2 } as const;
  const a = testData(m, n, 5);

  it('emits every N rows and at completion, and the last equals the final sketch', async () => {
    const snaps = await lastValueFrom(matrixSource(a, 50).open().pipe(approximateEvery(200, opts), toArray()));
    expect(snaps.map((s) => s.rowsSeen)).toEqual([200, 400, 600, 800, 1000]);
    const odd = await lastValueFrom(matrixSource(a, 30).open().pipe(approximateEvery(200, opts), toArray()));
    // blocks of 30 cross 200, 400, ... at 210, 420, 600, 810, then the completion at 1000
    expect(odd.map((s) => s.rowsSeen)).toEqual([210, 420, 600, 810, 1000]);
    const ref = reconstructDirect(directSketch(a, 50, opts));
    const last = snaps[snaps.length - 1];
    expect(Array.from(last.s)).toEqual(Array.from(ref.s));
    expect(maxAbsDiff(last.v, ref.v)).toBe(0);
    expect(last.errorEstimate).toEqual(estimateDirect(directSketch(a, 50, opts), ref));
    // snapshots read the state without disturbing it: the final sketch is the uninterrupted one
    const st = await lastValueFrom(matrixSource(a, 50).open().pipe(sketchRows(opts)));
    expect(Array.from(reconstructDirect(st).s)).toEqual(Array.from(last.s));
    // the estimate improves as more of the rank-6 signal... is seen: just check it is there and finite
    for (const s of snaps) expect(Number.isFinite(s.errorEstimate!.relative)).toBe(true);
  });

  it('errors naming the row and stops the source', async () => {
    const blocks = blocksOf(a, 100);
    const bad = { ...blocks[4], data: blocks[4].data.slice() };
    bad.data[3 * n] = Number.POSITIVE_INFINITY;
    blocks[4] = bad;
    const { obs, log } = observedSource(blocks);
    const got: number[] = [];
    const err = await lastValueFrom(obs.pipe(approximateEvery(200, opts), tap((s) => got.push(s.rowsSeen))))
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe('row 403: value at column 0 is Infinity');
    expect(got).toEqual([200, 400]);
    expect(log.tornDown).toBe(true);
  });
});

describe('sketchColumns', () => {
  const m = 60, n = 200;
  const a = lowRank(m, n, 4, 9);

  it('sketches A^T from column blocks; reconstruct swaps U and V back', async () => {
    const f = await lastValueFrom(matrixSource(a, 23, 'columns').open().pipe(sketchColumns({ rows: m, rank: 4 }), reconstruct()));
    expect(f.orientation).toBe('columns');
    expect(f.u!.rows).toBe(m);
    expect(f.v!.rows).toBe(n);
    const rel = maxAbsDiff(recompose(f.u!, f.s, f.v!), a) / maxAbsDiff(a, zeros(m, n));
    expect(rel).toBeLessThan(1e-8); // exact rank 4 is recovered
    // same singular values as the row sketch of A, to rounding
    const fr = await lastValueFrom(matrixSource(a, 23).open().pipe(sketchRows({ cols: n, rank: 4 }), reconstruct()));
    for (let i = 0; i < 4; i++) expect(Math.abs(f.s[i] - fr.s[i]) / fr.s[0]).toBeLessThan(1e-8);
  });

  it('errors naming the column of A', async () => {
    const t = blocksOf({ ...a, rows: n, cols: m, data: new Float64Array(n * m) } as Matrix64, 20);
    const bad = { ...t[1], data: t[1].data.slice() };
    bad.data[5 * m + 7] = Number.NaN;
    t[1] = bad;
    const err = await firstValueFrom(new Observable<RowBlock>((s) => { for (const b of t) s.next(b); s.complete(); })
      .pipe(sketchColumns({ rows: m, rank: 4 }), map(() => 0))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteError);
    expect((err as Error).message).toBe('columns [20, 40) of A (rows of the streamed A^T): row 25: value at column 7 is NaN');
  });
});
