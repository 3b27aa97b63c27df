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
 * Two kinds of job: a one-pass sketch (`sketchArgs`: `rangefinder sketch --save`), and, with
 * `gram`, one pass of a multi-pass run (RSI, block Krylov: gram-shard.ts), which streams the rows
 * against the pass's right block X (a file the client wrote) and saves the shard's H, TSQR factor
 * and, in the last pass, its rows of G.
 *
 * `version` is checked by the worker: a job from a client of another protocol is refused (not
 * retried) with a message saying so, rather than misread.
 */
export const SHARD_JOB_VERSION = 2;

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
  /** The `rangefinder sketch` options that shape the sketch (rank, seed, method, sizes, ...), the same for every shard; empty for a `gram` job. */
  sketchArgs: string[];
  /** One pass of a multi-pass run instead of a one-pass sketch. */
  gram?: GramJob;
}

/** A shard's pass of a multi-pass run (gram-shard.ts). */
export interface GramJob {
  /** 0-based pass, and the options the run's Gram pass was created with (the same on every shard and pass). */
  pass: number;
  options: GramJobOptions;
  /** The pass's right block X: an `.rfsk` file of kind `gram-x` the client wrote, and its SHA-256. */
  x: string;
  xSha256: string;
  /** Keep this shard's rows of G (the last pass, for U). */
  keepG: boolean;
  /** Rows are streamed as 2^-e A: null in pass 1 (each shard decides; the client checks they agree), then the agreed e. */
  exponent: number | null;
  /** How the rows are read: the approx options that decide which values a row holds. */
  read: { columns?: string[]; exclude?: string[]; nonFinite: 'error' | 'zero'; memoryBudget: number };
}

export interface GramJobOptions {
  cols: number;
  rows: number;
  rank: number;
  oversamples: number;
  seed: number;
  testMatrix: string;
  method: 'rsi' | 'block-krylov';
  views?: number;
  powerIterations?: number;
  resultEveryPass: boolean;
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
export function shardLabel(d: Pick<ShardJobData, 'index' | 'count' | 'input' | 'rows'> & { gram?: { pass: number } }): string {
  return `shard ${d.index + 1} of ${d.count}${d.gram !== undefined ? `, pass ${d.gram.pass + 1}` : ''} (rows ${d.rows[0]}:${d.rows[1]} of ${d.input})`;
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
  if (j.gram !== undefined) checkGramJob(j.gram);
  return j as ShardJobData;
}

function checkGramJob(g: Partial<GramJob>): void {
  const int = (x: unknown, min = 0): boolean => Number.isSafeInteger(x) && (x as number) >= min;
  const o = g.options as Partial<GramJobOptions> | undefined;
  if (typeof g !== 'object' || g === null || !int(g.pass)) throw new Error('the job\'s gram pass is not valid');
  if (typeof o !== 'object' || o === null || !int(o.cols, 1) || !int(o.rows, 1) || !int(o.rank, 1) || !int(o.oversamples) || !Number.isSafeInteger(o.seed)
    || typeof o.testMatrix !== 'string' || (o.method !== 'rsi' && o.method !== 'block-krylov') || typeof o.resultEveryPass !== 'boolean'
    || (o.views !== undefined && !int(o.views, 2)) || (o.powerIterations !== undefined && !int(o.powerIterations))) {
    throw new Error('the job\'s gram options are not valid');
  }
  if (typeof g.x !== 'string' || !g.x.startsWith('/') || !g.x.endsWith('.rfsk') || typeof g.xSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(g.xSha256)) {
    throw new Error(`the job's right block ${String(g.x)} is not an absolute .rfsk path with a SHA-256`);
  }
  if (typeof g.keepG !== 'boolean' || (g.exponent !== null && !Number.isSafeInteger(g.exponent))) throw new Error('the job\'s gram keepG / exponent are not valid');
  const r = g.read as Partial<GramJob['read']> | undefined;
  const names = (x: unknown): boolean => x === undefined || (Array.isArray(x) && x.every((c) => typeof c === 'string'));
  if (typeof r !== 'object' || r === null || (r.nonFinite !== 'error' && r.nonFinite !== 'zero') || !int(r.memoryBudget, 1) || !names(r.columns) || !names(r.exclude)) {
    throw new Error('the job\'s read options are not valid');
  }
}
