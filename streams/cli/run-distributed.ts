/**
 * `rangefinder approx INPUTS... --distributed redis://HOST:PORT [--shards N]` (issue 17): shard ->
 * sketch -> merge on BullMQ. Linear sketches with shared seeds merge by addition
 * (docs/METHODS.md §0, §6), so the inputs (stacked by rows) are cut into row ranges
 * (shard-plan.ts), each range is one job of a BullMQ flow that `rangefinder worker`s run
 * (`rangefinder sketch --rows A:B --row-offset N --save SHARD.rfsk`, shard-job.ts), and this
 * process merges the shard files in shard order (`rangefinder merge`), whatever order the workers
 * finished in, and writes U, S, V as `approx` does.
 *
 * The flow: a parent job `merge` in the run's own queue `run-RUNID` (only this process serves it)
 * with one child per shard in the shared queue `shards`. BullMQ hands the parent its children's
 * results (path, bytes, SHA-256: JSON through Redis; the sketches themselves are files on shared
 * storage) once every child is done. A child that fails for good (bad input at once; anything else
 * after its attempts; a job whose workers keep dying after its stalled count) fails the parent
 * (failParentOnFailure), and the run stops with the shard's own error, naming the shard.
 *
 * Storage: the shard files go to a fresh directory `rangefinder-shards@HOST-PID-START-XXXXXX` under
 * --shard-dir (default: the --out directory), which every worker must be able to write under the
 * same path; it is removed at the end, on error and on signals (durable.ts). Inputs are given to
 * the workers as absolute paths.
 *
 * Redis lost: if the connection is down for --connect-timeout (default 30 s), the run stops with
 * one line naming Redis and nothing is written under the output names; its jobs left in Redis fail
 * on the workers (their shard directory is gone).
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import type { Job } from 'bullmq';
import { SourceError } from '../../src/internals.js';
import { rmSync } from 'node:fs';
import { createSharedTempDir, sweepStale, untrack } from '../durable.js';
import type { MeasuredSource } from '../types.js';
import type { ApproxOptions } from './approx-args.js';
import { distributedLine, type DistributedSummary } from './approx-result.js';
import type { CommandIo } from './run-approx.js';
import type { RunCommand } from './worker-command.js';
import { formatDuration } from './progress-meter.js';
import { openInput } from './open-input.js';
import { outputDir } from './output-set.js';
import { loadQueueEngine, QUEUE_PREFIX, SHARD_QUEUE } from './distributed/queue-engine.js';
import { fileDigest } from './distributed/file-digest.js';
import { within } from './distributed/within.js';
import { parseRedisUrl, type RedisTarget } from './distributed/redis-url.js';
import { planShards, type ShardInput, type ShardSpec } from './distributed/shard-plan.js';
import { SHARD_JOB_VERSION, shardLabel, type ShardJobData, type ShardResult } from './distributed/shard-job.js';
import { UsageError } from './usage-error.js';

/** Attempts of a shard job (a bad input fails at once: it is refused as unrecoverable). */
const SHARD_ATTEMPTS = 3;

/** What a distributed run is cut into and where its files go: the same for one pass and for several. */
export interface ShardSetup {
  target: RedisTarget;
  /** The inputs as opened here (headers only, by rows), in stacking order. */
  sources: MeasuredSource[];
  plan: ShardSpec[];
  totalRows: number;
  cols: number;
  /** The run's directory on shared storage (registered for removal at exit and on signals), and its parent. */
  shardDir: string;
  shardParent: string;
  runId: string;
  /** Removes the shard directory now. */
  dispose(): void;
}

export async function prepareShards(opts: ApproxOptions, io: CommandIo): Promise<ShardSetup> {
  const target = parseRedisUrl(opts.distributed!, '--distributed');
  const inputs = (opts.inputs ?? []).map((p) => checkedInput(p));
  if (inputs.length === 0) throw new UsageError('approx --distributed needs input files (see rangefinder approx --help)');
  if (opts.out === undefined && opts.shardDir === undefined) {
    throw new UsageError('approx --distributed needs --out PREFIX or --shard-dir DIR: a directory on storage every worker can write, for the shard sketches');
  }
  // The inputs' shapes (headers only): the shard plan and the total rows the sketch sizes follow.
  const files: ShardInput[] = [];
  const sources: MeasuredSource[] = [];
  let cols: number | undefined;
  for (const path of inputs) {
    const src = await openInput({ input: path }, { nonFinite: opts.nonFinite, ...(opts.columns ? { columns: opts.columns } : {}), ...(opts.exclude ? { exclude: opts.exclude } : {}), orientation: 'rows' });
    const info = await src.info();
    if (info.rows === undefined) throw new UsageError(`${path}: its row count is not known from its header; --distributed needs files whose rows are known (.npy, Arrow IPC file, Parquet)`);
    if (cols !== undefined && info.cols !== cols) throw new UsageError(`${path} has ${info.cols} columns, ${inputs[0]} has ${cols}: the inputs of one matrix must have the same columns`);
    cols = info.cols;
    files.push({ path, rows: info.rows, boundaries: await pieceBoundaries(path) });
    sources.push(src);
  }
  const totalRows = files.reduce((t, f) => t + f.rows, 0);
  if (totalRows === 0) throw new UsageError(`${inputs.join(', ')}: no rows`);
  const plan = planShards(files, opts.shards ?? inputs.length);
  if (opts.shards !== undefined && plan.length < opts.shards) io.stderr.write(`rangefinder: note: ${plan.length} shards (the inputs cannot be cut into ${opts.shards})\n`);

  // The shard directory, on shared storage: registered for removal at exit and on signals; the
  // directories of runs killed on this host are swept first (durable.ts `sweepStale`).
  const shardParent = resolve(opts.shardDir ?? outputDir(opts.out!));
  sweepStale(shardParent);
  let shardDir: string;
  try { shardDir = createSharedTempDir('rangefinder-shards', shardParent); } catch (e) {
    throw new UsageError(`--shard-dir ${shardParent}: cannot create the shard directory (${(e as { code?: string }).code ?? (e as Error).message})`);
  }
  const runId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  return {
    target, sources, plan, totalRows, cols: cols!, shardDir, shardParent, runId,
    dispose: () => { try { rmSync(shardDir, { recursive: true, force: true }); } catch { /* removed at exit */ } untrack(shardDir); },
  };
}

export async function runDistributed(opts: ApproxOptions, io: CommandIo, runCli: RunCommand): Promise<number> {
  refuseUnsupported(opts);
  const t0 = performance.now();
  const setup = await prepareShards(opts, io);
  try {
    return await runOnePass(setup, opts, io, runCli, t0);
  } finally {
    setup.dispose();
  }
}

async function runOnePass(setup: ShardSetup, opts: ApproxOptions, io: CommandIo, runCli: RunCommand, t0: number): Promise<number> {
  const { target, plan, totalRows, shardDir, shardParent, runId } = setup;
  const sketchArgs = shardSketchArgs(opts, totalRows);
  const jobs: ShardJobData[] = plan.map((s: ShardSpec) => ({
    version: SHARD_JOB_VERSION, runId, index: s.index, count: plan.length, input: s.input, rows: s.rows, rowOffset: s.rowOffset,
    out: `${shardDir}/shard-${String(s.index).padStart(5, '0')}.rfsk`, sketchArgs,
  }));

  const results = await runFlow(target, runId, jobs, opts, io);
  const tShards = performance.now();
  // Fixed order: shard 0, 1, 2, ... whatever order they finished in; each file checked against its SHA-256.
  const paths: string[] = [];
  for (const job of jobs) {
    await checkShardFile(job, results.get(job.index)!, shardParent);
    paths.push(job.out);
  }
  const workers = new Set([...results.values()].map((r) => r.worker));
  if (opts.progress && io.stderr.isTTY === true) {
    io.stderr.write(`rangefinder: ${jobs.length} shards on ${workers.size} worker${workers.size === 1 ? '' : 's'} in ${formatDuration((tShards - t0) / 1000)}; merging\n`);
  }
  // The merge writes the outputs and prints approx's summary; the JSON gains what the run was
  // distributed over, and `seconds` becomes the whole run's.
  const stdout = opts.json ? captureText() : io.stdout;
  const code = await mergeShards(paths, opts, { stdout, stderr: io.stderr }, runCli);
  const distributed: DistributedSummary = {
    redis: target.display, shards: jobs.length, workers: [...workers].sort(),
    shardSeconds: Math.round(Math.max(...[...results.values()].map((r) => r.seconds)) * 1000) / 1000,
    waitSeconds: Math.round(tShards - t0) / 1000, mergeSeconds: Math.round(performance.now() - tShards) / 1000,
  };
  if (opts.json) {
    const text = (stdout as ReturnType<typeof captureText>).text();
    if (code !== 0 || text.trim() === '') io.stdout.write(text);
    else io.stdout.write(`${JSON.stringify({ ...JSON.parse(text) as object, seconds: (performance.now() - t0) / 1000, distributed })}\n`);
  } else if (code === 0) {
    io.stdout.write(`${distributedLine(distributed, 1)}\n`);
  }
  return code;
}

/** The shard's file as its worker reported it (bytes, SHA-256): the same storage on both sides, and a whole file. */
export async function checkShardFile(job: ShardJobData, r: ShardResult, shardParent: string): Promise<void> {
  const got = await fileDigest(job.out).catch((e: unknown) => { throw new SourceError(`${shardLabel(job)}: its file ${job.out} cannot be read here (${(e as { code?: string }).code ?? String(e)}): is ${shardParent} on storage shared with the workers?`); });
  if (got.sha256 !== r.sha256 || got.bytes !== r.bytes) {
    throw new SourceError(`${shardLabel(job)}: ${job.out} has ${got.bytes} bytes, SHA-256 ${got.sha256.slice(0, 16)}…, but worker ${r.worker} wrote ${r.bytes} bytes, ${r.sha256.slice(0, 16)}… (is ${shardParent} the same storage on every machine?)`);
  }
}

/** A stdout that keeps what is written (the merge's JSON, to be extended). */
function captureText(): NodeJS.WritableStream & { text(): string } {
  let buf = '';
  const w = new Writable({ write(chunk: Buffer | string, _enc, cb) { buf += chunk.toString(); cb(); } }) as Writable & { text(): string };
  w.text = () => buf;
  return w;
}

/** The merge, in this process: `rangefinder merge` on the shard files in shard order, writing what `approx --out` writes. */
async function mergeShards(paths: readonly string[], opts: ApproxOptions, io: CommandIo, runCli: RunCommand): Promise<number> {
  return runCli([
    'merge', ...paths, '--rank', String(opts.rank),
    ...(opts.out !== undefined ? ['--out', opts.out] : []), ...(opts.format !== 'npy' ? ['--format', opts.format] : []),
    ...(opts.json ? ['--json'] : []), ...(opts.progress ? [] : ['--no-progress']),
  ], io);
}

/** The options of `rangefinder sketch` that shape every shard's sketch identically. */
function shardSketchArgs(opts: ApproxOptions, totalRows: number): string[] {
  const a: string[] = ['--rank', String(opts.rank), '--seed', String(opts.seed), '--memory-budget', String(opts.memoryBudget), '--total-rows', String(totalRows)];
  if (opts.method !== 'auto') a.push('--method', opts.method);
  if (opts.testMatrix !== undefined) a.push('--test-matrix', opts.testMatrix);
  if (opts.sizeRule !== 'flat') a.push('--size-rule', opts.sizeRule);
  if (opts.rangeDim !== undefined) a.push('--range-dim', String(opts.rangeDim));
  if (opts.oversamples !== undefined) a.push('--oversamples', String(opts.oversamples));
  if (opts.coreDim !== undefined) a.push('--core-dim', String(opts.coreDim));
  if (opts.coRangeDim !== undefined) a.push('--co-range-dim', String(opts.coRangeDim));
  if (opts.center) a.push('--center');
  if (opts.columns !== undefined) a.push('--columns', opts.columns.join(','));
  if (opts.exclude !== undefined) a.push('--exclude', opts.exclude.join(','));
  if (opts.nonFinite !== 'error') a.push('--non-finite', opts.nonFinite);
  return a;
}

function checkedInput(p: string): string {
  if (p === '-' || /^(tcp|listen):\/\//.test(p) || p.startsWith('synthetic:')) {
    throw new UsageError(`approx --distributed reads files on shared storage; ${p} is not a file`);
  }
  return resolve(p);
}

/** What neither kind of distributed run does (the multi-pass one: gram-runner.ts adds its own). */
export function refuseUndistributable(opts: ApproxOptions): void {
  if (opts.listen !== undefined || opts.demo) throw new UsageError('approx --distributed reads files (not --listen or --demo)');
  if (opts.method === 'exact' || opts.method === 'fd') {
    throw new UsageError(`approx --distributed runs rsvd, three-sketch, two-sketch (one pass) or rsi, krylov (several); --method ${opts.method} is not distributed`);
  }
  if (opts.orientation === 'columns') throw new UsageError('approx --distributed streams the inputs by rows (--orientation columns is not distributed)');
  if (opts.checkpoint !== undefined) throw new UsageError('approx --distributed does not checkpoint (a shard that fails is re-run by the queue)');
  if (opts.idColumn !== undefined) throw new UsageError('approx --distributed does not carry --id-column (the shards stream only values)');
  if (opts.nonFinite === 'skip') {
    throw new UsageError('approx --distributed refuses --non-finite skip: it renumbers the rows after a dropped one, and a shard\'s rows must keep their global numbers (use zero or error)');
  }
}

function refuseUnsupported(opts: ApproxOptions): void {
  refuseUndistributable(opts);
  if (opts.report !== undefined) throw new UsageError('approx --distributed with one pass does not write --report');
}

/** Row groups of a Parquet file (so a shard reads whole ones); other formats can be cut anywhere. */
async function pieceBoundaries(path: string): Promise<number[]> {
  const { sniffFormat } = await import('../sources/sniff-format.js');
  if (sniffFormat(path) !== 'parquet') return [];
  const [{ parquetMetadataAsync }, { fileAsyncBuffer }, { open }] = await Promise.all([
    import('hyparquet'), import('../sources/file-async-buffer.js'), import('node:fs/promises'),
  ]);
  const fh = await open(path, 'r');
  try {
    const md = await parquetMetadataAsync(fileAsyncBuffer(fh, (await fh.stat()).size, path));
    const starts: number[] = [];
    let row = 0;
    for (const g of md.row_groups) { starts.push(row); row += Number(g.num_rows); }
    return starts;
  } finally { await fh.close(); }
}

/**
 * Enqueues the flow and waits for every shard: resolves with the results by shard index, or
 * rejects with the first shard that failed for good, or when Redis is gone for --connect-timeout.
 */
export async function runFlow(target: RedisTarget, runId: string, jobs: readonly ShardJobData[], opts: ApproxOptions,
  io: CommandIo): Promise<Map<number, ShardResult>> {
  const engine = await loadQueueEngine('approx --distributed');
  const { FlowProducer, Queue, QueueEvents, Worker } = engine.bullmq;
  const runQueueName = `run-${runId}`;
  const limitS = (opts.connectTimeoutMs / 1000).toFixed(0);
  let fail: (e: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => { fail = reject; });
  failed.catch(() => undefined);
  // Redis lost for --connect-timeout: the run stops (a timer per outage, cleared when it is back).
  let outage: NodeJS.Timeout | undefined;
  let everReady = false;
  let lastReason = 'no answer';
  let finished = false;
  const watch = {
    down(reason: string) {
      lastReason = reason;
      if (finished || outage !== undefined || opts.connectTimeoutMs === 0) return;
      outage = setTimeout(() => fail(new SourceError(everReady
        ? `lost the connection to Redis at ${target.display} (${lastReason}) for ${limitS} s: the distributed run stopped, nothing was written under the output names`
        : `cannot reach Redis at ${target.display} (${lastReason}) in ${limitS} s: start redis-server, or check the URL (--distributed) and --connect-timeout`)), opts.connectTimeoutMs);
    },
    up() { if (outage !== undefined) { clearTimeout(outage); outage = undefined; } },
  };
  const connection = engine.connect(target, 'client', watch);
  connection.on('ready', () => { everReady = true; watch.up(); });
  if (opts.connectTimeoutMs > 0) watch.down('no answer');
  const closers: (() => Promise<unknown>)[] = [];
  let cleanup: (() => Promise<void>) | undefined;
  const tStart = performance.now();
  const progress = progressLine(opts.progress && io.stderr.isTTY === true, io, jobs, tStart);
  try {
    await Promise.race([new Promise<void>((r) => { if (connection.status === 'ready') r(); else connection.once('ready', () => r()); }), failed]);
    const shardQueue = new Queue(SHARD_QUEUE, { connection, prefix: QUEUE_PREFIX });
    const runQueue = new Queue(runQueueName, { connection, prefix: QUEUE_PREFIX });
    // Done with Redis, or failed: the run's queue (the parent) and its shard jobs are removed, so no
    // worker runs a shard of a run that is over (a job a worker holds is left to fail or finish).
    cleanup = async () => {
      await runQueue.obliterate({ force: true }).catch(() => undefined);
      await Promise.all(jobs.map((j) => shardQueue.remove(`${runId}-s${j.index}`).catch(() => 0)));
    };
    // QueueEvents blocks on its connection (XREAD): its own, closed below with the others.
    const eventsConnection = connection.duplicate();
    eventsConnection.on('error', () => undefined); // reported by the main connection's watch
    closers.push(async () => eventsConnection.disconnect());
    const events = new QueueEvents(SHARD_QUEUE, { connection: eventsConnection, prefix: QUEUE_PREFIX });
    const flow = new FlowProducer({ connection, prefix: QUEUE_PREFIX });
    closers.push(() => flow.close(), () => events.close(), () => shardQueue.close(), () => runQueue.close());
    for (const c of [shardQueue, runQueue, events, flow] as { on(e: 'error', f: (e: Error) => void): unknown }[]) c.on('error', () => undefined);
    await Promise.race([events.waitUntilReady(), failed]);
    const ours = new Map(jobs.map((j) => [`${runId}-s${j.index}`, j]));
    events.on('completed', ({ jobId, returnvalue }) => {
      const job = ours.get(jobId);
      if (job === undefined) return;
      const r = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as ShardResult;
      progress.completed(job, r);
    });
    events.on('failed', ({ jobId, failedReason }) => {
      const job = ours.get(jobId);
      if (job === undefined) return;
      // Final, or to be retried? The job's state says (a retried job is waiting or delayed again).
      void shardQueue.getJobState(jobId).then((state) => {
        if (state === 'failed') fail(new SourceError(failedReason.startsWith('shard ') ? failedReason : `${shardLabel(job)}: ${failedReason}`));
        else progress.retry(job, failedReason);
      }).catch(() => undefined);
    });
    // The parent: served by this process only, once every child is done; its children's results are the shard files.
    const children = new Promise<Record<string, ShardResult>>((resolveChildren) => {
      const parentWorker = new Worker(runQueueName, async (job: Job) => {
        resolveChildren(await job.getChildrenValues<ShardResult>());
        return 'merged';
      }, { connection, prefix: QUEUE_PREFIX, concurrency: 1 });
      parentWorker.on('error', () => undefined);
      closers.unshift(() => parentWorker.close(true));
    });
    await Promise.race([flow.add({
      name: 'merge', queueName: runQueueName, data: { runId, shards: jobs.length },
      opts: { jobId: `${runId}-merge` },
      children: jobs.map((j) => ({
        name: 'sketch', queueName: SHARD_QUEUE, data: j,
        opts: {
          jobId: `${runId}-s${j.index}`, attempts: SHARD_ATTEMPTS, backoff: { type: 'exponential', delay: 1000 },
          failParentOnFailure: true, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 7 * 86_400 },
        },
      })),
    }), failed]);
    const values = await Promise.race([children, failed]);
    const results = new Map<number, ShardResult>();
    for (const r of Object.values(values)) results.set(r.index, r);
    const missing = jobs.filter((j) => !results.has(j.index));
    if (missing.length > 0) throw new SourceError(`${shardLabel(missing[0])}: no result came back (${missing.length} shards missing)`);
    return results;
  } finally {
    finished = true;
    progress.done();
    if (outage !== undefined) clearTimeout(outage);
    if (cleanup !== undefined && connection.status === 'ready') await within(cleanup(), 3000);
    // With Redis gone, closing would wait for it: give up on the connections after a short grace.
    await within(Promise.all(closers.map((c) => c().catch(() => undefined))), 1000);
    connection.disconnect();
  }
}

interface FlowProgress {
  completed(job: ShardJobData, r: ShardResult): void;
  retry(job: ShardJobData, reason: string): void;
  done(): void;
}

/** The progress line (stderr, a terminal only): shards done, rows, throughput, workers seen. */
function progressLine(enabled: boolean, io: CommandIo, jobs: readonly ShardJobData[], t0: number): FlowProgress {
  const total = jobs.reduce((t, j) => t + j.rows[1] - j.rows[0], 0);
  const done = new Set<number>();
  const workers = new Set<string>();
  let rows = 0, shown = false;
  const draw = (): void => {
    if (!enabled) return;
    const secs = (performance.now() - t0) / 1000;
    io.stderr.write(`\rrangefinder: shards ${done.size}/${jobs.length}  rows ${rows}/${total}  ${secs > 0 ? (rows / secs).toFixed(0) : 0} rows/s  workers ${workers.size}  ${formatDuration(secs)}   `);
    shown = true;
  };
  const timer = enabled ? setInterval(draw, 1000) : undefined;
  timer?.unref();
  return {
    completed(job, r) {
      if (done.has(job.index)) return;
      done.add(job.index);
      workers.add(r.worker);
      rows += r.rows;
      draw();
    },
    retry(job, reason) {
      if (enabled) io.stderr.write(`\rrangefinder: ${shardLabel(job)}: ${reason}; retrying\n`);
    },
    done() {
      if (timer !== undefined) clearInterval(timer);
      if (shown) io.stderr.write('\n');
    },
  };
}
