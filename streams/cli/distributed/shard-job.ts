/**
 * The contract between `approx --distributed` and `rangefinder worker` (issue 17): what a shard
 * job carries and what it returns. Results travel through Redis as JSON, so a sketch never does:
 * the worker writes it to the shard's file on shared storage (`rangefinder sketch --save`, the
 * `.rfsk` container of streams/sketch-file.ts) and returns its path, size and SHA-256.
 *
 * A job is a function of its data: the rows it reads are fixed (`rows` of `input`, numbered from
 * `rowOffset` in the merged matrix), every map on the streamed axis is a function of (seed,
 * purpose, global row) (docs/METHODS.md §0), and the sizes come from the whole matrix's shape
 * (`--total-rows`), so a shard re-run after a crash, on any worker, writes the identical file.
 *
 * `version` is checked by the worker: a job from a client of another protocol is refused (not
 * retried) with a message saying so, rather than misread.
 */
export const SHARD_JOB_VERSION = 1;

/** The `rangefinder sketch` options a job may carry (client: run-distributed.ts `shardSketchArgs`). */
const SKETCH_OPTIONS = new Set([
  '--rank', '--seed', '--memory-budget', '--total-rows', '--method', '--test-matrix', '--size-rule', '--range-dim', '--oversamples',
  '--core-dim', '--co-range-dim', '--center', '--columns', '--exclude', '--non-finite',
]);

export interface ShardJobData {
  version: number;
  /** The run (the client's id; the parent job lives in the queue `run-RUNID`). */
  runId: string;
  /** 0-based, and the order of the merge. */
  index: number;
  count: number;
  /** Absolute path of the input file (shared storage: the same path on every machine). */
  input: string;
  /** Rows [start, end) of `input` (its own numbering). */
  rows: [number, number];
  /** Global number of the shard's first row in the merged matrix. */
  rowOffset: number;
  /** Absolute path of the shard's sketch file. */
  out: string;
  /** The `rangefinder sketch` options that shape the sketch (rank, seed, method, sizes, ...), the same for every shard. */
  sketchArgs: string[];
}

export interface ShardResult {
  index: number;
  path: string;
  bytes: number;
  sha256: string;
  rows: number;
  /** `HOST:PID` of the worker that wrote it. */
  worker: string;
  seconds: number;
}

/** `shard 3 of 12 (rows 300:400 of /data/a.npy)`: how messages name a shard. */
export function shardLabel(d: Pick<ShardJobData, 'index' | 'count' | 'input' | 'rows'>): string {
  return `shard ${d.index + 1} of ${d.count} (rows ${d.rows[0]}:${d.rows[1]} of ${d.input})`;
}

/** Checks a job's data before anything is read (a job is input from Redis: it is validated like any input). */
export function checkShardJob(d: unknown): ShardJobData {
  const j = d as Partial<ShardJobData> | null;
  if (j === null || typeof j !== 'object') throw new Error('the job has no data object');
  if (j.version !== SHARD_JOB_VERSION) throw new Error(`the job's protocol version is ${String(j.version)}, this worker speaks ${SHARD_JOB_VERSION} (run the same rangefinder version on the client and the workers)`);
  const int = (x: unknown): boolean => Number.isSafeInteger(x) && (x as number) >= 0;
  if (typeof j.runId !== 'string' || !/^[\w.-]+$/.test(j.runId)) throw new Error('the job has no valid runId');
  if (!int(j.index) || !int(j.count) || j.index! >= j.count!) throw new Error(`the job's index ${String(j.index)} / count ${String(j.count)} are not valid`);
  if (typeof j.input !== 'string' || !j.input.startsWith('/')) throw new Error(`the job's input ${String(j.input)} is not an absolute path`);
  if (typeof j.out !== 'string' || !j.out.startsWith('/') || !j.out.endsWith('.rfsk')) throw new Error(`the job's output ${String(j.out)} is not an absolute .rfsk path`);
  if (!Array.isArray(j.rows) || j.rows.length !== 2 || !int(j.rows[0]) || !int(j.rows[1]) || j.rows[0] >= j.rows[1]) throw new Error(`the job's rows ${JSON.stringify(j.rows)} are not a range [start, end)`);
  if (!int(j.rowOffset)) throw new Error('the job has no valid rowOffset');
  if (!Array.isArray(j.sketchArgs) || !j.sketchArgs.every((a) => typeof a === 'string')) throw new Error('the job has no sketchArgs list');
  // Only options that shape the sketch: where it reads and writes is the job's own fields.
  const other = j.sketchArgs.find((a) => a.startsWith('-') && !SKETCH_OPTIONS.has(a));
  if (other !== undefined) throw new Error(`the job's sketch options hold ${other}, which does not shape a sketch`);
  return j as ShardJobData;
}
