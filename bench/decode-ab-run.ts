/**
 * A/B of decode throughput (bench/decode-throughput.ts's cases) between this tree and another
 * checkout of the project (BEFORE=/path/to/checkout, e.g. a `git worktree` of an earlier commit),
 * interleaved in one process: for each case, A and B alternate for REPS passes each after a
 * warm-up pass, and the median of each is reported. Same data files for both.
 *
 * Run: BEFORE=/tmp/before npx tsx bench/decode-ab-run.ts   (ROWS, COLS, REPS to change the size)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float32, Table, makeVector, tableToIPC, type Vector } from 'apache-arrow';
import { matrixBatch } from '../streams/sinks/matrix-batch.js';
import { writeNpy } from '../streams/sinks/write-npy.js';
import { writeParquetFactor } from '../streams/sinks/write-parquet-factor.js';
import * as after from '../streams/index.js';
import { stopDecodeWorkers } from '../streams/sources/from-decode-worker.js';
import { enableRelaxedSimd } from '../streams/enable-relaxed-simd.js';
import type { RowBlock } from '../streams/types.js';

enableRelaxedSimd();
const M = Number(process.env.ROWS ?? 100_000);
const N = Number(process.env.COLS ?? 128);
const REPS = Number(process.env.REPS ?? 5);
const beforeRoot = process.env.BEFORE;
if (beforeRoot === undefined) throw new Error('set BEFORE=/path/to/another/checkout');
const dir = mkdtempSync(join(tmpdir(), 'rf-ab-decode-'));
const mb = (M * N * 4) / 1e6;

interface Src { open(): import('rxjs').Observable<RowBlock> }
type Api = Pick<typeof after, 'fromNpy' | 'fromArrowFile' | 'fromParquet' | 'fromSynthetic'>;

function drain(src: Src): Promise<number> {
  let s = 0;
  const t0 = performance.now();
  return new Promise<number>((resolve, reject) => {
    src.open().subscribe({
      next: (b: RowBlock) => { s += b.data[b.rows * b.cols - 1]; },
      error: reject,
      complete: () => { if (Number.isNaN(s)) reject(new Error('NaN')); else resolve(performance.now() - t0); },
    });
  });
}

const median = (x: number[]): number => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)];

async function main(): Promise<void> {
  const before = await import(join(beforeRoot!, 'streams', 'index.ts')) as Api;
  const syn = after.fromSynthetic({ rows: M, cols: N, seed: 1, dtype: 'float32' }, { blockRows: 8192 });
  const a = new Float32Array(M * N);
  await new Promise<void>((resolve) => syn.open().subscribe({ next: (b) => a.set(b.data, b.rowStart * N), complete: resolve }));
  const matrix = { rows: M, cols: N, data: a, offset: 0, stride: N };
  const p = (f: string): string => join(dir, f);
  await writeNpy(p('c.npy'), matrix);
  {
    const t = new Float32Array(M * N);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) t[j * M + i] = a[i * N + j];
    const head = `{'descr': '<f4', 'fortran_order': True, 'shape': (${M}, ${N}), }`;
    const total = Math.ceil((10 + head.length + 1) / 64) * 64;
    const h = Buffer.alloc(total, 0x20);
    h.write('\x93NUMPY', 0, 'latin1'); h[6] = 1; h[7] = 0; h.writeUInt16LE(total - 10, 8);
    h.write(head, 10, 'latin1'); h[total - 1] = 0x0a;
    writeFileSync(p('f.npy'), Buffer.concat([h, Buffer.from(t.buffer)]));
  }
  const fsl = matrixBatch({ layout: 'fixed-size-list', cols: N, dtype: 'float32' });
  const batches = [];
  for (let r = 0; r < M; r += 8192) batches.push(fsl.batch(r, Math.min(8192, M - r), a.slice(r * N, Math.min(M, r + 8192) * N)));
  writeFileSync(p('fsl.arrow'), tableToIPC(new Table(batches), 'file'));
  const cols: Record<string, Vector<Float32>> = {};
  for (let j = 0; j < N; j++) { const c = new Float32Array(M); for (let i = 0; i < M; i++) c[i] = a[i * N + j]; cols[`c${j}`] = makeVector(c); }
  writeFileSync(p('wide.arrow'), tableToIPC(new Table(cols), 'file'));
  await writeParquetFactor(p('snappy.parquet'), matrix, { rowGroupSize: 16384 });

  const cases: [string, (api: Api) => Src][] = [
    ['npy C order', (x) => x.fromNpy(p('c.npy'))],
    ['npy Fortran order (rows: gather)', (x) => x.fromNpy(p('f.npy'))],
    ['npy C order, columns', (x) => x.fromNpy(p('c.npy'), { orientation: 'columns' })],
    ['Arrow file, FixedSizeList', (x) => x.fromArrowFile(p('fsl.arrow'))],
    ['Arrow file, FixedSizeList, decode worker', (x) => x.fromArrowFile(p('fsl.arrow'), { decodeWorker: true })],
    ['Arrow file, wide table', (x) => x.fromArrowFile(p('wide.arrow'))],
    ['Arrow file, columns (transposed)', (x) => x.fromArrowFile(p('fsl.arrow'), { orientation: 'columns' })],
    ['Parquet wide snappy', (x) => x.fromParquet(p('snappy.parquet'))],
    ['Parquet wide snappy, decode worker', (x) => x.fromParquet(p('snappy.parquet'), { decodeWorker: true })],
    ['Parquet wide, columns', (x) => x.fromParquet(p('snappy.parquet'), { orientation: 'columns' })],
    ['synthetic', (x) => x.fromSynthetic({ rows: M, cols: N, seed: 1, dtype: 'float32' }, { blockRows: 8192 })],
  ];
  console.log(`${M} x ${N} float32 (${mb.toFixed(1)} MB); MB/s of matrix values, median of ${REPS} interleaved passes; before = ${beforeRoot}`);
  console.log(`${'case'.padEnd(42)} ${'before'.padStart(8)} ${'after'.padStart(8)} ${'after/before'.padStart(13)}`);
  for (const [name, make] of cases) {
    const tb: number[] = [], ta: number[] = [];
    await drain(make(before)); await drain(make(after));
    for (let r = 0; r < REPS; r++) {
      tb.push(await drain(make(before)));
      ta.push(await drain(make(after)));
    }
    const b = mb / (median(tb) / 1000), x = mb / (median(ta) / 1000);
    console.log(`${name.padEnd(42)} ${b.toFixed(0).padStart(8)} ${x.toFixed(0).padStart(8)} ${(x / b).toFixed(2).padStart(13)}`);
  }
  await stopDecodeWorkers();
  await (await import(join(beforeRoot!, 'streams', 'sources', 'from-decode-worker.ts')) as { stopDecodeWorkers(): Promise<void> }).stopDecodeWorkers();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e: unknown) => { rmSync(dir, { recursive: true, force: true }); console.error(e); process.exit(1); });
