/**
 * Decode-only throughput of the sources (no sketching).
 *
 * Question: how fast does each input format reach the sketch as row blocks, i.e. what is the
 * ceiling the format puts on a streaming pass? (The decode + sketch benchmark is another file.)
 *
 * Data: a synthetic 100,000 x 128 float32 matrix (51.2 MB of values; rank 10 + noise, seed 1),
 * written once to a temporary directory as: .npy C order and Fortran order; Arrow IPC file with a
 * FixedSizeList column (batches of 8,192 rows) and as a wide table (128 Float32 columns); the same
 * IPC stream sent over TCP on 127.0.0.1 by an in-process producer; Parquet wide written by
 * hyparquet-writer (snappy, 16,384-row groups) and by parquet-wasm (zstd, dictionary off; and a
 * LIST column from the FixedSizeList table).
 *
 * Method: each source is read to the end once to warm up, then timed over 3 full passes (median);
 * the consumer only reads one value per block, so the time is the source's: read, decompress,
 * decode, pack row-major, and the NaN/Inf scan of the validator (about 2 ms per 10 MB). Throughput is MB of matrix
 * values (rows x cols x 4 bytes) per second; the file size is reported alongside.
 * 2 shared cores: numbers move by +-20% from run to run.
 *
 * Run: npx tsx bench/decode-throughput.ts  ->  bench/out/decode-throughput.json (+ a table on stdout)
 * Conclusion (run of 2026-11-23, load ~3 on the shared 2-core box; MB/s of matrix values):
 * .npy C order 2400 (Fortran rows 750, C columns 490), Arrow IPC FixedSizeList 600, Arrow wide 400,
 * Parquet wide snappy (hyparquet) 220, Parquet zstd 70 (pure-JS zstd), Parquet LIST 45 (hyparquet
 * builds one array per row), TCP stream ~50 (bound by the producer's synthetic generation, 52).
 * Binary row-major formats are far faster than the sketch needs; Parquet with zstd or LIST columns
 * can be the bottleneck of a pass: prefer snappy wide tables or Arrow for large inputs.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float32, Table, makeVector, tableToIPC, type Vector } from 'apache-arrow';
import { Compression, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm/node';
import { lastValueFrom } from 'rxjs';
import { matrixBatch } from '../streams/sinks/matrix-batch.js';
import { writeNpy } from '../streams/sinks/write-npy.js';
import { writeParquetFactor } from '../streams/sinks/write-parquet-factor.js';
import { fromArrowFile } from '../streams/sources/from-arrow-file.js';
import { fromNpy } from '../streams/sources/from-npy.js';
import { fromParquet } from '../streams/sources/from-parquet.js';
import { fromSynthetic } from '../streams/sources/from-synthetic.js';
import { listenTcp } from '../streams/sources/listen-tcp.js';
import type { MeasuredSource } from '../streams/sources/source-options.js';
import { produceArrowStream } from '../streams/tools/arrow-producer.js';
import type { RowBlock } from '../streams/types.js';

const M = Number(process.env.ROWS ?? 100_000);
const N = Number(process.env.COLS ?? 128);
const dir = mkdtempSync(join(tmpdir(), 'rf-decode-'));
const mb = (M * N * 4) / 1e6;

async function drain(src: MeasuredSource): Promise<number> {
  let s = 0;
  await lastValueFrom(src.open(), { defaultValue: null }).then(() => undefined);
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    src.open().subscribe({
      next: (b: RowBlock) => { s += b.data[b.rows * b.cols - 1]; },
      error: reject, complete: resolve,
    });
  });
  if (Number.isNaN(s)) throw new Error('NaN sum');
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const syn = fromSynthetic({ rows: M, cols: N, seed: 1, dtype: 'float32' }, { blockRows: 8192 });
  const a = new Float32Array(M * N);
  await new Promise<void>((resolve) => syn.open().subscribe({ next: (b) => a.set(b.data, b.rowStart * N), complete: resolve }));
  const matrix = { rows: M, cols: N, data: a, offset: 0, stride: N };

  const p = (f: string): string => join(dir, f);
  await writeNpy(p('c.npy'), matrix);
  // Fortran order by hand (the sinks write C order).
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
  const fslTable = new Table(batches);
  writeFileSync(p('fsl.arrow'), tableToIPC(fslTable, 'file'));
  const cols: Record<string, Vector<Float32>> = {};
  for (let j = 0; j < N; j++) { const c = new Float32Array(M); for (let i = 0; i < M; i++) c[i] = a[i * N + j]; cols[`c${j}`] = makeVector(c); }
  const wide = new Table(cols);
  writeFileSync(p('wide.arrow'), tableToIPC(wide, 'file'));
  await writeParquetFactor(p('hyw-snappy.parquet'), matrix, { rowGroupSize: 16384 });
  const props = () => new WriterPropertiesBuilder().setCompression(Compression.ZSTD).setDictionaryEnabled(false).setMaxRowGroupSize(16384).build();
  writeFileSync(p('wasm-zstd.parquet'), writeParquet(WasmTable.fromIPCStream(tableToIPC(wide, 'stream')), props()));
  writeFileSync(p('wasm-list.parquet'), writeParquet(WasmTable.fromIPCStream(tableToIPC(fslTable, 'stream')), props()));

  const cases: [string, string | null, () => Promise<MeasuredSource>][] = [
    ['npy C order', 'c.npy', async () => fromNpy(p('c.npy'))],
    ['npy Fortran order (rows: gather)', 'f.npy', async () => fromNpy(p('f.npy'))],
    ['npy C order, columns orientation', 'c.npy', async () => fromNpy(p('c.npy'), { orientation: 'columns' })],
    ['Arrow IPC file, FixedSizeList', 'fsl.arrow', async () => fromArrowFile(p('fsl.arrow'))],
    ['Arrow IPC file, wide table', 'wide.arrow', async () => fromArrowFile(p('wide.arrow'))],
    ['Parquet wide, hyparquet-writer snappy', 'hyw-snappy.parquet', async () => fromParquet(p('hyw-snappy.parquet'))],
    ['Parquet wide, parquet-wasm zstd', 'wasm-zstd.parquet', async () => fromParquet(p('wasm-zstd.parquet'))],
    ['Parquet wide, columns orientation', 'wasm-zstd.parquet', async () => fromParquet(p('wasm-zstd.parquet'), { orientation: 'columns' })],
    ['Parquet LIST, parquet-wasm zstd', 'wasm-list.parquet', async () => fromParquet(p('wasm-list.parquet'))],
    ['synthetic (generation)', null, async () => fromSynthetic({ rows: M, cols: N, seed: 1, dtype: 'float32' }, { blockRows: 8192 })],
  ];
  const results: { case: string; ms: number; mbPerS: number; fileMB: number | null }[] = [];
  for (const [name, file, make] of cases) {
    const times: number[] = [];
    for (let rep = 0; rep < 3; rep++) times.push(await drain(await make()));
    times.sort((x, y) => x - y);
    const ms = times[1];
    results.push({ case: name, ms: Math.round(ms), mbPerS: Math.round(mb / (ms / 1000)), fileMB: file === null ? null : Math.round(statSync(p(file)).size / 1e5) / 10 });
    console.log(`${name.padEnd(42)} ${String(Math.round(ms)).padStart(7)} ms ${String(Math.round(mb / (ms / 1000))).padStart(6)} MB/s`);
  }
  // TCP: one-shot, so one timed pass (after a warm-up pass on another connection).
  for (let rep = 0; rep < 2; rep++) {
    const src = await listenTcp({ port: 0 });
    const socket = connect({ host: '127.0.0.1', port: src.port });
    const done = new Promise<void>((resolve) => socket.once('connect', () => { void produceArrowStream(socket, { rows: M, cols: N, seed: 1, batchRows: 8192, dtype: 'float32' }).then(resolve); }));
    let s = 0;
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => src.open().subscribe({ next: (b) => { s += b.data[0]; }, error: reject, complete: resolve }));
    const ms = performance.now() - t0;
    await done;
    if (rep === 1) {
      results.push({ case: 'Arrow IPC stream over TCP (producer in-process, generating)', ms: Math.round(ms), mbPerS: Math.round(mb / (ms / 1000)), fileMB: null });
      console.log(`${'Arrow IPC stream over TCP (incl. generation)'.padEnd(42)} ${String(Math.round(ms)).padStart(7)} ms ${String(Math.round(mb / (ms / 1000))).padStart(6)} MB/s`);
    }
    void s;
  }
  mkdirSync('bench/out', { recursive: true });
  writeFileSync('bench/out/decode-throughput.json', JSON.stringify({ rows: M, cols: N, dtype: 'float32', matrixMB: mb, node: process.version, results }, null, 2));
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e: unknown) => { rmSync(dir, { recursive: true, force: true }); console.error(e); process.exit(1); });
