/**
 * Decode + sketch benchmark: what does sketching add to reading a matrix from a file?
 *
 * Question: for each input format, how fast is decode alone, and decode + `sketchRows` (three-sketch
 * [TYUC19], default sizes k = 4r + 1, s = 2k + 1, q = 10), in MB/s and rows/s? Issue target: the
 * sketch costs at most 2x the decode (decode + sketch time <= 2 x decode time).
 *
 * Data: A = 100 000 x 256 float32 (102.4 MB of values) from the synthetic source (rank-10 signal +
 * 1e-3 noise, seed 1), written to a temp dir as .npy (C order), .arrow (IPC file, FixedSizeList
 * <Float32>[256], batches of 8192 rows) and .parquet (wide: 256 FLOAT columns, snappy, row groups of
 * 16 384 rows, hyparquet-writer).
 *
 * Method: in one process and one run, per format: decode alone = open the source, iterate every
 * block and touch one value per 64-byte line (forces the data in, costs little); decode + sketch =
 * `source.open().pipe(sketchRows(...))` to completion with the default in-memory spill (what a user
 * gets without `spill`), for rank in {10, 32} x test matrix in {gaussian, sparse-sign}; and the
 * sketch alone, on zero-copy blocks of the matrix already in memory, as the reference. Each decode
 * and decode + sketch runs two ways: sequential (decode and sketch one after the other on the main
 * thread; .npy with `readAhead: false`) and overlapped (Arrow and Parquet: `decodeWorker: true`, the
 * decoder on a worker thread 2 blocks ahead; .npy: the default read-ahead of one block on the I/O
 * thread pool). The decode worker is reused (warm) between passes as in a multi-pass run; the first
 * pass of a cold worker is timed once per format at the end. A warm-up, then `--reps` (default 3)
 * repetitions, each running every case once in turn (interleaved, so load drift hits all cases
 * alike); the median per case is reported, with its ratio to the in-thread decode alone and to the
 * fastest decode alone. MB/s counts the float32 payload (rows x 256 x 4 bytes). Kernel threads:
 * `--threads N` (default 1); `--ranks 10` limits the configurations. The machine is a shared 2-vCPU
 * VM: the load average is recorded; overlap needs the second core, so read the ratios with it.
 *
 * Run: `npx tsx bench/decode-sketch.ts [--reps 3] [--threads 1]`. Writes bench/out/decode-sketch.json
 * (decode-sketch-t2.json with --threads 2) and prints a markdown table.
 *
 * Conclusion (run of 2026-11-23 23:08-23:16 UTC, `--reps 3`, one kernel thread, load average 1.7 to
 * 2.5 during the run, i.e. other jobs held part of the second core that the overlap needs; a run at
 * load 3-4 (23:05) gave the same picture with smaller gains): overlapping decode with the sketch
 * works (a pass costs about max(decode, sketch): Arrow r=10 Gaussian 0.52 s with the decode worker
 * against 0.54 s for the sketch alone on in-memory blocks, 0.70 s sequential), and the target
 * (decode + sketch <= 2x decode alone) is met where the sketch alone is within about 2x the decode:
 * Arrow r=10 sparse-sign 2.52x -> 1.83x, Parquet r=10 sparse-sign 2.04x -> 1.54x. It is NOT met
 * where the sketch alone is slower than 2x the decode, which no overlap can hide: Arrow r=10
 * Gaussian 4.59x -> 3.41x, Parquet r=10 Gaussian 2.99x -> 2.63x, rank 32 10-17x -> 9-15x (Gaussian)
 * and 3.5-4.8x -> 3.2-4.8x (sparse-sign), .npy 4-33x either way (its decode, 38-77 ms, is far
 * smaller than any sketch). Decode alone, in-thread / ahead: .npy 1.30M / 2.63M rows/s (read-ahead
 * halves the time), Arrow 656k / 800k (worker 0.82x), Parquet 379k / 302k (worker 1.25x here,
 * 0.83x in the 23:05 run: the hand-off is cheap, the machine noisy). Sketch alone: 186k rows/s
 * (r=10 Gaussian), 396k (r=10 sparse-sign), 47k / 159k (r=32). A cold decode worker's first pass
 * costs 0.3-0.6 s more under tsx (start, tsx, loading the decoder, cold JIT; 0.2-0.25 s from
 * dist/); later passes reuse it. Meeting 2x everywhere needs, with ideal overlap, a sketch at least
 * half as fast as the decode: about 330k rows/s (Arrow) or 190k (Parquet) at rank 10 Gaussian,
 * 1.8x / 1.0x today's. With `--threads 2 --ranks 10` (23:19 UTC, load 1.7-2.1) the decode worker
 * still pays although the kernels then use both cores: Arrow 3.13x -> 2.64x (Gaussian), 1.89x ->
 * 1.37x (sparse-sign); Parquet 3.19x -> 2.75x, 2.13x -> 1.46x. On an oversubscribed machine the
 * worker can lose: a run at load 3.3-5.3 (23:24 UTC, not kept) still gained at r=10 on Arrow (3.00x
 * -> 2.67x, 2.19x -> 1.74x) but measured the Parquet decode alone 2.3x slower through the worker and
 * Arrow r=32 Gaussian 8.7x -> 10.3x: `--no-decode-worker` is the way out on a busy box.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Observable, lastValueFrom, reduce } from 'rxjs';
import { sketchRows } from '../streams/operators/index.js';
import { writeArrowFactor } from '../streams/sinks/write-arrow-factor.js';
import { writeNpy } from '../streams/sinks/write-npy.js';
import { writeParquetFactor } from '../streams/sinks/write-parquet-factor.js';
import { fromArrowFile } from '../streams/sources/from-arrow-file.js';
import { stopDecodeWorkers } from '../streams/sources/from-decode-worker.js';
import { fromNpy } from '../streams/sources/from-npy.js';
import { fromParquet } from '../streams/sources/from-parquet.js';
import { fromSynthetic } from '../streams/sources/from-synthetic.js';
import type { MeasuredSource } from '../streams/sources/source-options.js';
import { startKernelThreads } from '../streams/thread-pool.js';
import type { RowBlock } from '../streams/types.js';

const ROWS = 100_000, COLS = 256;
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const reps = Number(args.get('reps') ?? 3);
const threads = Number(args.get('threads') ?? 1);
/** `--ranks 10` (comma-separated) limits the sketch configurations (default 10,32). */
const ranks = (args.get('ranks') ?? '10,32').split(',').map(Number);

async function makeData(): Promise<Float32Array> {
  const a = new Float32Array(ROWS * COLS);
  await lastValueFrom(fromSynthetic({ rows: ROWS, cols: COLS, rank: 10, seed: 1, dtype: 'float32' }).open().pipe(
    reduce((_, b) => { a.set(b.data.subarray(0, b.rows * COLS), b.rowStart * COLS); return 0; }, 0)));
  return a;
}

/** Decode alone: every block, one value per 64-byte line touched. */
async function decodeOnly(src: MeasuredSource): Promise<number> {
  return lastValueFrom(src.open().pipe(reduce((acc, b) => {
    const d = b.data, n = b.rows * b.cols, step = d instanceof Float32Array ? 16 : 8;
    let s = 0;
    for (let i = 0; i < n; i += step) s += d[i]!;
    return acc + s;
  }, 0)));
}

function memorySource(a: Float32Array): MeasuredSource {
  const blockRows = 8192;
  return {
    replayable: true,
    stats: { blocks: 0, rowsRead: 0, rowsEmitted: 0, rowsSkipped: 0, rowsZeroed: 0, valuesZeroed: 0 },
    info: async () => ({ rows: ROWS, cols: COLS, dtype: 'float32', layout: 'memory', orientation: 'rows', where: 'memory' }),
    open: () => new Observable<RowBlock>((sub) => {
      for (let r0 = 0; r0 < ROWS && !sub.closed; r0 += blockRows) {
        const rows = Math.min(blockRows, ROWS - r0);
        sub.next({ rowStart: r0, rows, cols: COLS, data: a.subarray(r0 * COLS, (r0 + rows) * COLS) });
      }
      sub.complete();
    }),
  };
}

async function decodeSketch(src: MeasuredSource, rank: number, testMatrix: 'gaussian' | 'sparse-sign'): Promise<number> {
  const st = await lastValueFrom(src.open().pipe(sketchRows({ cols: COLS, rank, testMatrix, seed: 1 })));
  if (st.rowsSeen !== ROWS) throw new Error(`sketched ${st.rowsSeen} rows, expected ${ROWS}`);
  return st.rowsSeen;
}

interface Case { format: string; name: string; run: () => Promise<unknown>; times: number[] }

async function main(): Promise<void> {
  const pool = await startKernelThreads(threads);
  const dir = mkdtempSync(join(tmpdir(), 'rf-bench-ds-'));
  try {
    const a = await makeData();
    const m = { rows: ROWS, cols: COLS, data: a, offset: 0, stride: COLS };
    const files = {
      npy: join(dir, 'a.npy'), arrow: join(dir, 'a.arrow'), parquet: join(dir, 'a.parquet'),
    };
    await writeNpy(files.npy, m);
    await writeArrowFactor(files.arrow, m, { batchRows: 8192 });
    await writeParquetFactor(files.parquet, m, { rowGroupSize: 16384 });
    // Per format: the sequential path (decode, then sketch, on one thread; .npy without read-ahead)
    // and the overlapped one (Arrow / Parquet: decode worker, 2 blocks ahead; .npy: read-ahead).
    const sources: Record<string, { seq: () => MeasuredSource; overlap?: () => MeasuredSource; how?: string }> = {
      npy: { seq: () => fromNpy(files.npy, { readAhead: false }), overlap: () => fromNpy(files.npy), how: 'read-ahead' },
      arrow: { seq: () => fromArrowFile(files.arrow), overlap: () => fromArrowFile(files.arrow, { decodeWorker: true }), how: 'decode worker' },
      parquet: { seq: () => fromParquet(files.parquet), overlap: () => fromParquet(files.parquet, { decodeWorker: true }), how: 'decode worker' },
      // The sketch alone: zero-copy views of the data already in memory, 8192 rows per block.
      memory: { seq: () => memorySource(a) },
    };
    const configs = ranks.flatMap((rank) => [{ rank, testMatrix: 'gaussian' as const }, { rank, testMatrix: 'sparse-sign' as const }]);
    // Ordered by configuration, then format: uses of the decode worker are at most a few cases
    // apart, so the one idle worker is reused (warm) as in a multi-pass run; its cold first pass
    // is measured once, at the end.
    const cases: Case[] = [];
    for (const [format, { seq, overlap, how }] of Object.entries(sources)) {
      if (format === 'memory') continue;
      cases.push({ format, name: 'decode only', run: () => decodeOnly(seq()), times: [] });
      cases.push({ format, name: `decode only, ${how}`, run: () => decodeOnly(overlap!()), times: [] });
    }
    for (const c of configs) {
      for (const [format, { seq, overlap, how }] of Object.entries(sources)) {
        if (format === 'memory') {
          cases.push({ format, name: `sketch only r=${c.rank} ${c.testMatrix}`, run: () => decodeSketch(seq(), c.rank, c.testMatrix), times: [] });
          continue;
        }
        cases.push({ format, name: `decode + sketch r=${c.rank} ${c.testMatrix}, sequential`, run: () => decodeSketch(seq(), c.rank, c.testMatrix), times: [] });
        cases.push({ format, name: `decode + sketch r=${c.rank} ${c.testMatrix}, ${how}`, run: () => decodeSketch(overlap!(), c.rank, c.testMatrix), times: [] });
      }
    }
    const loadAtStart = loadavg();
    // Warm-up: every decode once, one sketch per config (JIT, wasm instantiation, page cache, the
    // decode worker: its first start loads the decoders, later passes reuse the idle worker).
    for (const c of cases) if (c.name.startsWith('decode only') || c.format === 'memory') await c.run();
    // Interleaved repetitions: load drift on the shared machine hits every case alike.
    for (let r = 0; r < reps; r++) {
      for (const c of cases) {
        const t = performance.now();
        await c.run();
        c.times.push((performance.now() - t) / 1000);
      }
      process.stderr.write(`rep ${r + 1}/${reps} done, load ${loadavg()[0]!.toFixed(2)}\n`);
    }
    // The first pass of a cold decode worker (start, loading the decoder, cold JIT), once per format.
    for (const format of ['arrow', 'parquet']) {
      await stopDecodeWorkers();
      const t = performance.now();
      await decodeOnly(sources[format]!.overlap!());
      cases.push({ format, name: 'decode only, decode worker, cold start (once)', run: async () => undefined, times: [(performance.now() - t) / 1000] });
    }
    const payloadMB = (ROWS * COLS * 4) / 1e6;
    const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    const results: Record<string, unknown>[] = [];
    const lines = [
      '| input | file MB | case | median s | MB/s | rows/s | time / decode time | time / fastest decode time |',
      '|---|---:|---|---:|---:|---:|---:|---:|',
    ];
    const order = ['npy', 'arrow', 'parquet', 'memory'];
    for (const c of [...cases].sort((x, y) => order.indexOf(x.format) - order.indexOf(y.format))) {
      const t = median(c.times);
      const decode = cases.find((d) => d.format === c.format && d.name === 'decode only');
      const ratio = decode ? t / median(decode.times) : undefined;
      // The stricter reference: the faster of the two ways to decode alone (in-thread, or ahead).
      const decodes = cases.filter((d) => d.format === c.format && d.name.startsWith('decode only') && !d.name.includes('cold'));
      const ratioFastest = decodes.length > 0 ? t / Math.min(...decodes.map((d) => median(d.times))) : undefined;
      const fileMB = c.format === 'memory' ? undefined : statSync(files[c.format as keyof typeof files]).size / 1e6;
      results.push({ input: c.format, fileMB, case: c.name, seconds: t, times: c.times, mbPerS: payloadMB / t, rowsPerS: ROWS / t, ratioToDecode: ratio, ratioToFastestDecode: ratioFastest });
      lines.push(`| ${c.format} | ${fileMB?.toFixed(1) ?? '-'} | ${c.name} | ${t.toFixed(3)} | ${(payloadMB / t).toFixed(0)} | ${Math.round(ROWS / t)} | ${ratio?.toFixed(2) ?? '-'} | ${ratioFastest?.toFixed(2) ?? '-'} |`);
    }
    const out = {
      question: 'decode + sketchRows throughput vs decode alone (target: ratio <= 2)',
      data: { rows: ROWS, cols: COLS, dtype: 'float32', payloadMB },
      method: { reps, ranks, overlap: 'Arrow/Parquet: decodeWorker (decodeAhead 2); .npy: readAhead (sequential = readAhead false)', statistic: 'median of interleaved repetitions after a warm-up', threads: pool?.threads ?? 1, spill: 'memorySpill (default)', sizes: 'default k = 4r + 1, s = 2k + 1, q = 10' },
      machine: { loadavgAtStart: loadAtStart, loadavgAtEnd: loadavg(), node: process.version },
      date: new Date().toISOString(),
      results,
    };
    mkdirSync(join(import.meta.dirname, 'out'), { recursive: true });
    writeFileSync(join(import.meta.dirname, 'out', `decode-sketch${threads > 1 ? `-t${threads}` : ''}.json`), `${JSON.stringify(out, null, 2)}\n`);
    console.log(lines.join('\n'));
    console.log(`threads ${pool?.threads ?? 1}, reps ${reps}, load average at the start ${loadAtStart.map((x) => x.toFixed(2)).join(' ')}, at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await stopDecodeWorkers();
    await pool?.stop();
  }
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
