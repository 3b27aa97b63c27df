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
 * gets without `spill`), for rank in {10, 32} x test matrix in {gaussian, sparse-sign}. Each case:
 * one warm-up, then the median of `--reps` (default 3) timed runs. MB/s counts the float32 payload
 * (rows x 256 x 4 bytes). Kernel threads: `--threads N` (default 1). The machine is a shared 2-vCPU
 * VM: the load average is recorded; read the ratios, which are measured side by side.
 *
 * Run: `npx tsx bench/decode-sketch.ts [--reps 3] [--threads 1]`. Writes bench/out/decode-sketch.json
 * and prints a markdown table.
 *
 * Conclusion (last run, recorded in the JSON): see the printed table; decode alone is hundreds of
 * MB/s, and the sketch meets the 2x target only where its flops per row (about 2 n (2k + s) + 2 s^2
 * for the Gaussian three-sketch) are small next to the per-row decode cost, i.e. with sparse-sign
 * maps; Gaussian maps at rank 10-32 cost several times the decode on one thread.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, reduce } from 'rxjs';
import { sketchRows } from '../streams/operators/index.js';
import { writeArrowFactor } from '../streams/sinks/write-arrow-factor.js';
import { writeNpy } from '../streams/sinks/write-npy.js';
import { writeParquetFactor } from '../streams/sinks/write-parquet-factor.js';
import { fromArrowFile } from '../streams/sources/from-arrow-file.js';
import { fromNpy } from '../streams/sources/from-npy.js';
import { fromParquet } from '../streams/sources/from-parquet.js';
import { fromSynthetic } from '../streams/sources/from-synthetic.js';
import type { MeasuredSource } from '../streams/sources/source-options.js';
import { startKernelThreads } from '../streams/thread-pool.js';

const ROWS = 100_000, COLS = 256;
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const reps = Number(args.get('reps') ?? 3);
const threads = Number(args.get('threads') ?? 1);

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

async function decodeSketch(src: MeasuredSource, rank: number, testMatrix: 'gaussian' | 'sparse-sign'): Promise<number> {
  const st = await lastValueFrom(src.open().pipe(sketchRows({ cols: COLS, rank, testMatrix, seed: 1 })));
  if (st.rowsSeen !== ROWS) throw new Error(`sketched ${st.rowsSeen} rows, expected ${ROWS}`);
  return st.rowsSeen;
}

async function timeIt(f: () => Promise<unknown>): Promise<number> {
  await f(); // warm-up
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    await f();
    ts.push((performance.now() - t) / 1000);
  }
  ts.sort((x, y) => x - y);
  return ts[Math.floor(ts.length / 2)]!;
}

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
    const sources: Record<keyof typeof files, () => MeasuredSource> = {
      npy: () => fromNpy(files.npy),
      arrow: () => fromArrowFile(files.arrow),
      parquet: () => fromParquet(files.parquet),
    };
    const payloadMB = (ROWS * COLS * 4) / 1e6;
    const cases = [
      { rank: 10, testMatrix: 'gaussian' as const }, { rank: 10, testMatrix: 'sparse-sign' as const },
      { rank: 32, testMatrix: 'gaussian' as const }, { rank: 32, testMatrix: 'sparse-sign' as const },
    ];
    const results: Record<string, unknown>[] = [];
    const lines = [
      '| format | file MB | case | seconds | MB/s | rows/s | (decode + sketch) / decode |',
      '|---|---:|---|---:|---:|---:|---:|',
    ];
    for (const [fmt, open] of Object.entries(sources) as [keyof typeof files, () => MeasuredSource][]) {
      const fileMB = statSync(files[fmt]).size / 1e6;
      const tDecode = await timeIt(() => decodeOnly(open()));
      const row = (kase: string, t: number): void => {
        const ratio = t / tDecode;
        results.push({ format: fmt, fileMB, case: kase, seconds: t, mbPerS: payloadMB / t, rowsPerS: ROWS / t, ratioToDecode: ratio });
        lines.push(`| ${fmt} | ${fileMB.toFixed(1)} | ${kase} | ${t.toFixed(3)} | ${(payloadMB / t).toFixed(0)} | ${Math.round(ROWS / t)} | ${ratio.toFixed(2)} |`);
        process.stderr.write(`${lines[lines.length - 1]}\n`);
      };
      row('decode only', tDecode);
      for (const c of cases) row(`decode + sketch r=${c.rank} ${c.testMatrix}`, await timeIt(() => decodeSketch(open(), c.rank, c.testMatrix)));
    }
    const out = {
      question: 'decode + sketchRows throughput vs decode alone (target: ratio <= 2)',
      data: { rows: ROWS, cols: COLS, dtype: 'float32', payloadMB },
      method: { reps, statistic: 'median after one warm-up', threads: pool?.threads ?? 1, spill: 'memorySpill (default)', sizes: 'default k = 4r + 1, s = 2k + 1, q = 10' },
      machine: { loadavg: loadavg(), node: process.version },
      date: new Date().toISOString(),
      results,
    };
    mkdirSync(join(import.meta.dirname, 'out'), { recursive: true });
    writeFileSync(join(import.meta.dirname, 'out', 'decode-sketch.json'), `${JSON.stringify(out, null, 2)}\n`);
    console.log(lines.join('\n'));
    console.log(`threads ${pool?.threads ?? 1}, reps ${reps}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await pool?.stop();
  }
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
