/**
 * Test harness for the command line: builds dist/ once when it is older than the sources (a lock
 * directory keeps two test files from building at once), runs `node bin/rangefinder.js` as a real
 * child process, and writes test matrices as .npy, Arrow IPC (file and stream bytes) and Parquet.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { List, RecordBatchFileWriter, RecordBatchStreamWriter, Field, Float64, Schema, makeData, RecordBatch, Struct } from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { Matrix64 } from '../../src/matrix.js';
import { matrixBatch } from '../../streams/sinks/matrix-batch.js';
import { writeNpyReference } from './npy-reference.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'rangefinder.js');
const ENTRY = join(ROOT, 'dist', 'streams', 'cli', 'main.js');

function newestSource(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newestSource(p));
    else if (e.name.endsWith('.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/** Builds dist/ if it is missing or older than src/, streams/ or bench/ (tsc errors of others are tolerated). */
export async function ensureBuilt(): Promise<void> {
  const lock = join(ROOT, 'dist.cli-test-lock');
  const deadline = Date.now() + 240_000;
  for (;;) {
    try { mkdirSync(lock); break; } catch {
      if (Date.now() > deadline) throw new Error('ensureBuilt: timed out waiting for another build');
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    const stale = !existsSync(ENTRY) ||
      statSync(ENTRY).mtimeMs < Math.max(...['src', 'streams', 'bench'].map((d) => newestSource(join(ROOT, d))));
    if (!stale) return;
    if (!existsSync(join(ROOT, 'src', 'kernels', 'wasm-bytes.generated.ts'))) {
      spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-wasm.mjs')], { cwd: ROOT, stdio: 'ignore' });
    }
    spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
    if (!existsSync(ENTRY)) throw new Error('ensureBuilt: the build did not produce dist/streams/cli/main.js');
  } finally {
    rmdirSync(lock);
  }
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Bytes or a readable to pipe into the child's stdin (default: stdin closed). */
  stdin?: Buffer | Readable;
  timeoutMs?: number;
  /** Called with the child once spawned (e.g. to read its stderr as it comes). */
  onSpawn?: (child: ChildProcess) => void;
}

export function runCli(args: readonly string[], opts: RunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, RANGEFINDER_DEBUG: '' } });
    let stdout = '', stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.stdin!.on('error', () => undefined); // the CLI may exit before reading all of stdin
    if (opts.stdin === undefined) child.stdin!.end();
    else if (Buffer.isBuffer(opts.stdin)) child.stdin!.end(opts.stdin);
    else opts.stdin.pipe(child.stdin!);
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`rangefinder ${args.join(' ')}: timed out\n${stderr}`)); }, opts.timeoutMs ?? 60_000);
    opts.onSpawn?.(child);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** Runs the Arrow producer tool (streams/tools/arrow-producer.ts, built into dist/ by ensureBuilt) as a child process. */
export function spawnProducer(args: readonly string[]): ChildProcess {
  const built = join(ROOT, 'dist', 'streams', 'tools', 'arrow-producer.js');
  const entry = existsSync(built) ? [built] : ['--import', 'tsx', join(ROOT, 'streams', 'tools', 'arrow-producer.ts')];
  return spawn(process.execPath, [...entry, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Waits for a line matching `re` on a child's stream and returns the match. */
export function waitForLine(stream: Readable, re: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms; saw: ${buf}`)), timeoutMs);
    const onData = (d: Buffer | string): void => {
      buf += d.toString();
      const m = re.exec(buf);
      if (m) { clearTimeout(timer); stream.off('data', onData); resolve(m); }
    };
    stream.on('data', onData);
  });
}

export function writeNpyMatrix(path: string, a: Matrix64, dtype: 'float32' | 'float64' = 'float64'): void {
  writeNpyReference(path, a.data, a.rows, a.cols, dtype, false);
}

/** Arrow IPC bytes (FixedSizeList<Float64>[n] rows) in batches of `batchRows`. */
export function arrowBytes(a: Matrix64, format: 'file' | 'stream', batchRows = 64): Buffer {
  const b = matrixBatch({ layout: 'fixed-size-list', cols: a.cols, dtype: 'float64' });
  const batches: RecordBatch[] = [];
  for (let r0 = 0; r0 < a.rows; r0 += batchRows) {
    const rows = Math.min(batchRows, a.rows - r0);
    batches.push(b.batch(r0, rows, a.data.slice(r0 * a.cols, (r0 + rows) * a.cols)));
  }
  const writer = format === 'file' ? new RecordBatchFileWriter() : new RecordBatchStreamWriter();
  writer.reset(undefined, b.schema);
  for (const batch of batches) writer.write(batch);
  writer.finish();
  return Buffer.from(writer.toUint8Array(true));
}

/** An Arrow IPC file with one List<Float64> column whose row `badRow` is one value short. */
export function raggedArrowFile(path: string, a: Matrix64, badRow: number): void {
  const n = a.cols;
  const offsets = new Int32Array(a.rows + 1);
  const values: number[] = [];
  for (let i = 0; i < a.rows; i++) {
    const len = i === badRow ? n - 1 : n;
    for (let j = 0; j < len; j++) values.push(a.data[i * n + j]!);
    offsets[i + 1] = values.length;
  }
  const listType = new List(new Field('item', new Float64(), false));
  const child = makeData({ type: new Float64(), length: values.length, data: Float64Array.from(values), nullCount: 0 });
  const list = makeData({ type: listType, length: a.rows, valueOffsets: offsets, child, nullCount: 0 });
  const fields = [new Field('row', listType, false)];
  const schema = new Schema(fields);
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: a.rows, children: [list], nullCount: 0 }));
  const writer = new RecordBatchFileWriter();
  writer.reset(undefined, schema);
  writer.write(batch);
  writer.finish();
  writeFileSync(path, writer.toUint8Array(true));
}

/** A wide Parquet table: DOUBLE columns c0..c{n-1}, plus optional extra columns (e.g. a STRING id). */
export function writeParquetMatrix(
  path: string, a: Matrix64, extra: { name: string; data: unknown[]; type: 'STRING' | 'DOUBLE' | 'INT32' | 'INT64' }[] = [], rowGroupSize = 128, names?: readonly string[],
): void {
  const cols = Array.from({ length: a.cols }, (_, j) => ({
    name: names?.[j] ?? `c${j}`, type: 'DOUBLE' as const,
    data: Array.from({ length: a.rows }, (_, i) => a.data[i * a.cols + j]!),
  }));
  const buf = parquetWriteBuffer({ columnData: [...extra, ...cols] as never, rowGroupSize });
  writeFileSync(path, Buffer.from(buf));
}

/** The one-line error contract: exit code 2, a single `rangefinder: ...` line, no stack trace. */
export function expectUsageFailure(run: CliRun): string {
  const lines = run.stderr.trim().split('\n');
  if (run.code !== 2) throw new Error(`expected exit code 2, got ${run.code}; stderr: ${run.stderr}`);
  if (lines.length !== 1) throw new Error(`expected one line on stderr, got ${lines.length}: ${run.stderr}`);
  if (!lines[0]!.startsWith('rangefinder: ') || lines[0]!.includes('internal error')) throw new Error(`unexpected message: ${lines[0]}`);
  if (/\n\s+at /.test(run.stderr)) throw new Error(`stack trace on stderr: ${run.stderr}`);
  return lines[0]!;
}
