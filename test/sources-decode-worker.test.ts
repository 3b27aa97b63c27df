/**
 * Decoding ahead: `decodeWorker: true` (Arrow IPC files, Parquet) runs the decoder on a real worker
 * thread, and .npy reads one block ahead. The worker source must be indistinguishable from the
 * in-thread one (every block, stats, errors: class, code and message), bounded (a slow consumer:
 * the worker never more than `decodeAhead` blocks ahead, measured), and leave nothing behind after
 * an unsubscription (no open file, no thread).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float64, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { parquetWriteFile } from 'hyparquet-writer';
import { lastValueFrom, map, take, toArray, type Observable } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError, NonFiniteError, ShapeError } from '../src/errors.js';
import { writeArrowFactor } from '../streams/sinks/write-arrow-factor.js';
import { writeParquetFactor } from '../streams/sinks/write-parquet-factor.js';
import { fromArrowFile } from '../streams/sources/from-arrow-file.js';
import { stopDecodeWorkers, type DecodeWorkerSource } from '../streams/sources/from-decode-worker.js';
import { fromNpy } from '../streams/sources/from-npy.js';
import { fromParquet } from '../streams/sources/from-parquet.js';
import type { MeasuredSource, SourceOptions } from '../streams/sources/source-options.js';
import { fromWorkerError, toWorkerError } from '../streams/sources/worker-error.js';
import type { RowBlock } from '../streams/types.js';
import { testValues } from './helpers/collect-rows.js';
import { writeNpyReference } from './helpers/npy-reference.js';
import { openFilePaths, waitUntil } from './helpers/open-fds.js';

const dir = mkdtempSync(join(tmpdir(), 'rf-dw-'));
afterAll(async () => {
  await stopDecodeWorkers();
  rmSync(dir, { recursive: true, force: true });
});

const m = 5000, n = 24;
const a = testValues(m, n, 3);
const a32 = Float32Array.from(a);

interface Copied { rowStart: number; rows: number; cols: number; dtype: string; data: number[] }

/** Every block, copied inside next (the buffer goes back to the worker after next returns). */
function blocks(obs: Observable<RowBlock>): Promise<Copied[]> {
  return lastValueFrom(obs.pipe(
    map((b) => ({ rowStart: b.rowStart, rows: b.rows, cols: b.cols, dtype: b.data.constructor.name, data: Array.from(b.data.subarray(0, b.rows * b.cols)) })),
    toArray(),
  ));
}

async function outcome(src: MeasuredSource): Promise<{ blocks?: Copied[]; error?: { class: string; code: unknown; message: string } }> {
  try {
    return { blocks: await blocks(src.open()) };
  } catch (e) {
    const err = e as Error & { code?: unknown };
    return { error: { class: err.constructor.name, code: err.code, message: err.message } };
  }
}

/** The in-thread source and the worker source agree on every block, the stats, or the error. */
async function expectSame(open: (o: SourceOptions) => MeasuredSource, opts: SourceOptions = {}): Promise<Copied[] | undefined> {
  const inThread = open(opts);
  const worker = open({ ...opts, decodeWorker: true });
  expect('blocksPosted' in worker).toBe(true);
  const want = await outcome(inThread);
  const got = await outcome(worker);
  expect(got).toEqual(want);
  expect(worker.stats).toEqual(inThread.stats);
  return got.blocks;
}

const arrowPath = join(dir, 'a.arrow');
const arrow64Path = join(dir, 'a64.arrow');
const parquetPath = join(dir, 'a.parquet');
const npyPath = join(dir, 'a.npy');
const ready = (async () => {
  await writeArrowFactor(arrowPath, { rows: m, cols: n, data: a32, offset: 0, stride: n }, { batchRows: 300 });
  await writeArrowFactor(arrow64Path, { rows: m, cols: n, data: a, offset: 0, stride: n }, { batchRows: 1000 });
  await writeParquetFactor(parquetPath, { rows: m, cols: n, data: a32, offset: 0, stride: n }, { rowGroupSize: 700 });
  writeNpyReference(npyPath, a, m, n, 'float32', false);
})();

function threads(): number { return readdirSync('/proc/self/task').length; }
/** The thread count once it has held for 100 ms (at most 5 s). */
async function settledThreads(): Promise<number> {
  let last = threads();
  for (let waited = 0; waited < 5000; waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
    const now = threads();
    if (now === last) return now;
    last = now;
  }
  return last;
}

describe('decodeWorker: values', () => {
  it('Arrow IPC files: every block identical to the in-thread decoder (float32, float64, split blocks, dtype)', async () => {
    await ready;
    const got = await expectSame((o) => fromArrowFile(arrowPath, o));
    expect(got!.length).toBe(Math.ceil(m / 300));
    expect(got!.every((b) => b.dtype === 'Float32Array')).toBe(true);
    expect(got!.flatMap((b) => b.data)).toEqual(Array.from(a32));
    await expectSame((o) => fromArrowFile(arrow64Path, o));
    await expectSame((o) => fromArrowFile(arrowPath, o), { blockRows: 128 });
    await expectSame((o) => fromArrowFile(arrowPath, o), { dtype: 'float64' });
  });

  it('Parquet: every block identical (row groups, slices of row groups, column choice)', async () => {
    await ready;
    const got = await expectSame((o) => fromParquet(parquetPath, o));
    expect(got!.flatMap((b) => b.data)).toEqual(Array.from(a32));
    await expectSame((o) => fromParquet(parquetPath, o), { blockRows: 256 });
    const info = await fromParquet(parquetPath).info();
    await expectSame((o) => fromParquet(parquetPath, o), { columns: [info.columnNames![5], info.columnNames![2]] });
  });

  it('.npy reads ahead: every block identical to the file, for every block size', async () => {
    await ready;
    for (const [blockRows, readAhead] of [[1, true], [7, true], [7, false], [1000, true], [4999, true], [5000, true], [100_000, false]] as const) {
      const got = await blocks(fromNpy(npyPath, { blockRows, readAhead }).open());
      expect(got.map((b) => b.rowStart)).toEqual(Array.from({ length: Math.ceil(m / Math.min(blockRows, m)) }, (_, i) => i * Math.min(blockRows, m)));
      expect(got.flatMap((b) => b.data)).toEqual(Array.from(a32));
    }
  });

  it('replays: a second open() (reusing the idle worker) and two sources at once', async () => {
    await ready;
    const src = fromArrowFile(arrowPath, { decodeWorker: true });
    const first = await blocks(src.open());
    const [second, other] = await Promise.all([blocks(src.open()), blocks(fromParquet(parquetPath, { decodeWorker: true }).open())]);
    expect(second).toEqual(first);
    expect(other.flatMap((b) => b.data)).toEqual(first.flatMap((b) => b.data));
  });
});

describe('decodeWorker: errors arrive as the in-thread errors', () => {
  it('revives the error family by class and code', () => {
    for (const e of [new NonFiniteError('row 4: value at column 9 is NaN'), new ShapeError('s'), new FormatError('f'), new TypeError('t')]) {
      const back = fromWorkerError(toWorkerError(e));
      expect(back.constructor).toBe(e.constructor);
      expect(back.message).toBe(e.message);
      expect((back as { code?: unknown }).code).toBe((e as { code?: unknown }).code);
    }
  });

  it('truncated and corrupt files', async () => {
    await ready;
    const good = tableToIPC(new Table({ x: vectorFromArray(Array.from(a.subarray(0, 500)), new Float64()) }), 'file');
    const garbled = good.slice();
    garbled.fill(0x7f, 200, 1200);
    const cut = join(dir, 'cut.arrow'), half = join(dir, 'half.arrow'), bad = join(dir, 'garbled.arrow');
    writeFileSync(cut, good.subarray(0, good.length - 100));
    writeFileSync(half, good.subarray(0, 600));
    writeFileSync(bad, garbled);
    for (const p of [cut, half, bad]) await expectSame((o) => fromArrowFile(p, o));
    const pqCut = join(dir, 'cut.parquet');
    const bytes = readFileSync(parquetPath);
    writeFileSync(pqCut, bytes.subarray(0, bytes.length - 50));
    await expectSame((o) => fromParquet(pqCut, o));
    const pqGarbled = join(dir, 'garbled.parquet');
    const g = Buffer.from(bytes);
    g.fill(0x55, 4000, 9000);
    writeFileSync(pqGarbled, g);
    await expectSame((o) => fromParquet(pqGarbled, o));
  });

  it('a non-numeric column; NaN and null under error, skip and zero (Arrow and Parquet)', async () => {
    const arrowStr = join(dir, 'str.arrow');
    writeFileSync(arrowStr, tableToIPC(new Table({ x: vectorFromArray([1, 2], new Float64()), name: vectorFromArray(['a', 'b'], new Utf8()) }), 'file'));
    await expectSame((o) => fromArrowFile(arrowStr, o));
    const nulls = join(dir, 'nulls.arrow');
    writeFileSync(nulls, tableToIPC(new Table({
      x: vectorFromArray([1, 2, null, 4, NaN, 6], new Float64()), y: vectorFromArray([5, 6, 7, 8, 9, Infinity], new Float64()),
    }), 'file'));
    const pq = join(dir, 'nulls.parquet');
    parquetWriteFile({
      filename: pq,
      columnData: [
        { name: 'a', data: [1, 2, null, 4, NaN, 6], type: 'DOUBLE' },
        { name: 'b', data: [5, 6, 7, 8, 9, Infinity], type: 'DOUBLE' },
        { name: 'label', data: ['p', 'q', 'r', 's', 't', 'u'], type: 'STRING' },
      ],
    });
    await expectSame((o) => fromParquet(pq, o));
    for (const nonFinite of ['error', 'skip', 'zero'] as const) {
      await expectSame((o) => fromArrowFile(nulls, o), { nonFinite });
      await expectSame((o) => fromParquet(pq, o), { nonFinite, exclude: ['label'] });
    }
    const err = await outcome(fromArrowFile(nulls, { decodeWorker: true }));
    expect(err.error).toEqual({ class: 'NonFiniteError', code: 'NON_FINITE', message: `row 2: value at column 0 ("x") is NaN (or null) (in ${nulls})` });
  });
});

describe('decodeWorker: resources and flow control', () => {
  it('unsubscribing mid-stream stops the worker: the file is closed and no thread is left', async () => {
    await ready;
    // Warm up the libuv thread pool and the in-thread decoders, so the thread count is a baseline.
    await blocks(fromArrowFile(arrowPath).open());
    await stopDecodeWorkers();
    const base = threads();
    for (const [path, src] of [[arrowPath, fromArrowFile(arrowPath, { decodeWorker: true })], [parquetPath, fromParquet(parquetPath, { decodeWorker: true })]] as const) {
      const two = await lastValueFrom(src.open().pipe(take(2), toArray()));
      expect(two.map((b) => b.rowStart)).toEqual([0, two[0].rows]);
      expect(await waitUntil(() => !openFilePaths().includes(path), 5000), `${path} closed`).toBe(true);
      expect(await waitUntil(() => threads() <= base, 5000), `threads back to ${base}, now ${threads()}`).toBe(true);
    }
    // An unsubscription while the worker is blocked for credit: the consumer works on block 1 for
    // 100 ms (the worker decodes block 2 and waits for the buffer), then unsubscribes.
    const src = fromArrowFile(arrowPath, { decodeWorker: true, decodeAhead: 1 });
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    let seen = 0;
    await new Promise<void>((resolve, reject) => {
      const sub = src.open().subscribe({
        next: () => {
          if (++seen < 2) return;
          Atomics.wait(sleeper, 0, 0, 100);
          sub.unsubscribe();
          resolve();
        },
        error: reject,
        complete: () => reject(new Error('completed before the unsubscription')),
      });
    });
    expect(seen).toBe(2);
    expect(await waitUntil(() => !openFilePaths().includes(arrowPath), 5000)).toBe(true);
    expect(await waitUntil(() => threads() <= base, 5000)).toBe(true);
    // A .npy file with a read in flight is closed too.
    const npy = await lastValueFrom(fromNpy(npyPath, { blockRows: 100 }).open().pipe(take(3), toArray()));
    expect(npy.length).toBe(3);
    expect(await waitUntil(() => !openFilePaths().includes(npyPath), 5000)).toBe(true);
  });

  it('a completed pass leaves its worker idle for the next open() (info() starts it early); stopDecodeWorkers ends it', async () => {
    await ready;
    await stopDecodeWorkers();
    // The thread count must move only with the decode worker: libuv's pool starts its threads at the
    // first asynchronous file read of the process (a fresh test process may not have had one yet).
    await readFile(parquetPath);
    // A terminated worker's OS thread can outlive terminate()'s promise for a moment: count once
    // the number has stopped falling.
    const base = await settledThreads();
    const src = fromArrowFile(arrowPath, { decodeWorker: true });
    await src.info();
    expect(await waitUntil(() => threads() > base, 5000)).toBe(true);
    await blocks(src.open());
    expect(openFilePaths()).not.toContain(arrowPath);
    const idle = threads();
    expect(idle).toBeGreaterThan(base);
    await blocks(fromParquet(parquetPath, { decodeWorker: true }).open());
    expect(threads()).toBe(idle);
    await stopDecodeWorkers();
    expect(await waitUntil(() => threads() <= base, 5000)).toBe(true);
  });

  for (const ahead of [1, 2, 3]) {
    it(`a slow consumer: the worker is never more than decodeAhead = ${ahead} blocks ahead (measured)`, async () => {
      await ready;
      for (const src of [fromArrowFile(arrowPath, { decodeWorker: true, decodeAhead: ahead }), fromParquet(parquetPath, { decodeWorker: true,
        decodeAhead: ahead, blockRows: 300 })]) {
        const w = src as DecodeWorkerSource;
        const want = (await blocks(src.open())).length;
        const sleeper = new Int32Array(new SharedArrayBuffer(4));
        let i = 0, maxAhead = 0;
        await lastValueFrom(src.open().pipe(map((b) => {
          // A slow, synchronous consumer (as a sketch is): 30 ms per block, the worker free to run.
          Atomics.wait(sleeper, 0, 0, 30);
          // Posted while block i is consumed: at most blocks 0 .. i + ahead - 1 (ahead - 1 queued),
          // plus one decoded and waiting in the worker for a buffer.
          maxAhead = Math.max(maxAhead, w.blocksPosted - (i + 1));
          expect(w.blocksPosted).toBeLessThanOrEqual(i + ahead);
          i++;
          return b.rows;
        })));
        expect(i).toBe(want);
        // And the worker did read ahead as far as allowed (the consumer was slow enough).
        expect(maxAhead).toBe(ahead - 1);
      }
    });
  }

  it('refuses a bad decodeAhead at creation', () => {
    expect(() => fromArrowFile(arrowPath, { decodeWorker: true, decodeAhead: 0 })).toThrow(/decodeAhead must be a positive integer/);
  });
});
