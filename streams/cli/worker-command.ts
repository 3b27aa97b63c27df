/**
 * `rangefinder worker redis://HOST:PORT [--concurrency C] [--threads T] [--lock-duration 30s]`
 * (issue 17): serves the shard jobs of `approx --distributed` from BullMQ's queue `shards` until it
 * is stopped. A job sketches its rows of a file on shared storage to a `.rfsk` file there
 * (`rangefinder sketch --save`, run in this process), or runs one pass of a multi-pass run over them
 * (distributed/gram-shard.ts), and returns the file's path, bytes and SHA-256 (shard-job.ts); the
 * client merges the files in shard order.
 *
 * Failures. A job whose input is bad (missing file, corrupt, wrong shape: what `approx` refuses
 * with exit 2) fails at once with the sketch's one-line message, which reaches the client and the
 * user; any other error is retried (the client sets the attempts). A worker that dies mid-job stops
 * renewing the job's lock: after --lock-duration another worker's stalled check puts the job back
 * in the queue and it is run again (at-least-once), writing the identical file.
 *
 * The event loop keeps running while a shard is sketched (BullMQ renews the lock from a timer): the
 * input is read asynchronously block by block and each block's kernels take milliseconds, and the
 * large products run on the kernel threads (--threads).
 *
 * Stopping. SIGTERM: take no new job, finish the current ones, exit 0. SIGINT, or a second
 * SIGTERM: return the current jobs to the queue (another worker takes them), remove this process's
 * temporaries, exit 130 / 143.
 */
import { hostname } from 'node:os';
import type { Job } from 'bullmq';
import { Writable } from 'node:stream';
import { cleanupNow, takeOverSignals } from '../durable.js';
import { DEFAULT_THREADS, parseCommandLine, parseDuration, positiveInt } from './approx-args.js';
import type { CommandIo } from './run-approx.js';
import { WORKER_HELP } from './help-text.js';
import { loadQueueEngine, QUEUE_PREFIX, SHARD_QUEUE } from './distributed/queue-engine.js';
import { fileDigest } from './distributed/file-digest.js';
import { within } from './distributed/within.js';
import { parseRedisUrl, type RedisTarget } from './distributed/redis-url.js';
import { checkShardJob, shardLabel, type GramJob, type ShardJobData, type ShardResult } from './distributed/shard-job.js';
import { runGramShard } from './distributed/gram-shard.js';
import { exitCodeOf } from './report-error.js';
import { UsageError } from './usage-error.js';

export interface WorkerOptions {
  target: RedisTarget;
  concurrency: number;
  threads: number;
  lockDurationMs: number;
}

export function parseWorkerArgs(argv: readonly string[]): WorkerOptions | 'help' {
  const parsed = parseCommandLine(argv, 'worker', {
    concurrency: { type: 'string' }, threads: { type: 'string' }, 'lock-duration': { type: 'string' }, help: { type: 'boolean', short: 'h' },
  });
  const v = parsed.values;
  if (v.help === true) return 'help';
  if (parsed.positionals.length !== 1) {
    throw new UsageError(`worker takes one Redis URL (redis://HOST:PORT), found ${parsed.positionals.length === 0 ? 'none' : parsed.positionals.join(' ')} (see rangefinder worker --help)`);
  }
  const lockDurationMs = v['lock-duration'] !== undefined ? parseDuration(v['lock-duration'], '--lock-duration') : 30_000;
  if (lockDurationMs < 1000) throw new UsageError(`--lock-duration must be at least 1s, found '${v['lock-duration']}'`);
  return {
    target: parseRedisUrl(parsed.positionals[0], 'worker'),
    concurrency: v.concurrency !== undefined ? positiveInt(v.concurrency, '--concurrency', 64) : 1,
    threads: v.threads !== undefined ? positiveInt(v.threads, '--threads', 64) : DEFAULT_THREADS(),
    lockDurationMs,
  };
}

/** How a job runs the sketch: rangefinder's own command line, in this process (run-cli.ts passes its `runCli`). */
export type RunCommand = (argv: readonly string[], io: CommandIo) => Promise<number>;

export async function workerCommand(argv: readonly string[], io: CommandIo, runCli: RunCommand): Promise<number> {
  const opts = parseWorkerArgs(argv);
  if (opts === 'help') { io.stdout.write(WORKER_HELP); return 0; }
  const engine = await loadQueueEngine('rangefinder worker');
  const { Worker, UnrecoverableError } = engine.bullmq;
  const log = (text: string): void => { io.stderr.write(`rangefinder worker: ${text}\n`); };
  const self = `${hostname()}:${process.pid}`;
  let redisDown = false, quitting = false;
  const connection = engine.connect(opts.target, 'worker', {
    down: (reason) => { if (!redisDown && !quitting) log(`lost Redis at ${opts.target.display} (${reason}); reconnecting`); redisDown = true; },
    up: () => { redisDown = false; log(`reconnected to Redis at ${opts.target.display}`); },
  });

  // This process's jobs in progress with their lock tokens: a forced stop returns them to the queue.
  const active = new Set<{ job: Job; token: string | undefined }>();
  const processor = async (job: Job, token?: string): Promise<ShardResult> => {
    const entry = { job, token };
    active.add(entry);
    try { return await runShard(job); } finally { active.delete(entry); }
  };
  const runShard = async (job: Job): Promise<ShardResult> => {
    let d: ShardJobData;
    try { d = checkShardJob(job.data); } catch (e) {
      throw new UnrecoverableError(`job ${job.id}: ${(e as Error).message}`);
    }
    const label = shardLabel(d);
    const t0 = performance.now();
    log(`${label}: started (run ${d.runId}, attempt ${job.attemptsMade + 1})`);
    if (d.gram !== undefined) await runGramJob(d, d.gram, label, UnrecoverableError);
    else await runSketchJob(d, label, UnrecoverableError);
    const { bytes, sha256 } = await fileDigest(d.out);
    const seconds = (performance.now() - t0) / 1000;
    log(`${label}: done in ${seconds.toFixed(2)} s (${bytes} bytes)`);
    return { index: d.index, path: d.out, bytes, sha256, rows: d.rows[1] - d.rows[0], worker: self, seconds };
  };
  // A one-pass shard: `rangefinder sketch --save`, in this process; exit 2 (bad input) is not retried.
  const runSketchJob = async (d: ShardJobData, label: string, Unrecoverable: new (m: string) => Error): Promise<void> => {
    const stderr = collect();
    const code = await runCli([
      'sketch', d.input, '--save', d.out, '--rows', `${d.rows[0]}:${d.rows[1]}`, '--row-offset', String(d.rowOffset),
      // --threads 1: the sketch uses this process's kernel pool (started once, below); a pool per
      // job would be stopped by the next job's (the pool is one per process).
      ...d.sketchArgs, '--threads', '1', '--no-progress',
    ], { stdout: collect(), stderr });
    const message = stderr.text().split('\n').find((l) => l.startsWith('rangefinder: ') && !l.startsWith('rangefinder: note:'))?.replace(/^rangefinder: /, '')
      ?? `exit ${code}`;
    if (code === 2) throw new Unrecoverable(`${label}: ${message}`);
    if (code !== 0) throw new Error(`${label}: ${message}`);
  };

  const worker = new Worker(SHARD_QUEUE, processor, {
    connection, prefix: QUEUE_PREFIX, concurrency: opts.concurrency,
    lockDuration: opts.lockDurationMs, stalledInterval: opts.lockDurationMs, maxStalledCount: 2,
    // Finished jobs are kept a day (their results already sit in the parent job); failures a week.
    removeOnComplete: { age: 86_400 }, removeOnFail: { age: 7 * 86_400 },
  });
  worker.on('error', (e) => log(`BullMQ: ${e.message}`));
  worker.on('failed', (job, e) => { if (job) log(`${e.message} (attempt ${job.attemptsMade})`); });

  // From here the worker handles the signals itself (durable.ts `takeOverSignals`: the same signal
  // handles, so a signal that arrives while they change hands is not lost).
  let stopping = false;
  const stopped = new Promise<number>((resolve) => {
    const force = async (signal: string, code: number): Promise<void> => {
      stopping = true;
      log(`${signal}: returning the current jobs to the queue`);
      // Every active job of this worker goes back to waiting, its lock released: another worker takes it now.
      await within(Promise.all([...active].map(({ job, token }) => job.moveToWait(token).catch(() => 0))), 5000);
      cleanupNow();
      await worker.close(true).catch(() => undefined);
      resolve(code);
    };
    const onSignal = (signal: string, code: number) => (): void => {
      if (signal === 'SIGTERM' && !stopping) {
        stopping = true;
        log('SIGTERM: finishing the current jobs, taking no new ones (SIGINT or another SIGTERM to return them to the queue)');
        void worker.close().then(() => resolve(0));
        return;
      }
      void force(signal, code);
    };
    // The CLI's handlers (durable.ts) exit at once; a worker first finishes or returns its jobs.
    const codes: Record<string, number> = { SIGTERM: 143, SIGINT: 130, SIGHUP: 129 };
    takeOverSignals((sig) => onSignal(sig, codes[sig] ?? 143)());
  });
  await worker.waitUntilReady();
  // The kernel threads: started once, for every job of this process.
  const threads = opts.threads > 1 ? await (await import('../thread-pool.js')).startKernelThreads(opts.threads).catch(() => null) : null;
  // (A signal during the start-up has already begun the stop: nothing is served then.)
  if (!stopping) log(`serving ${QUEUE_PREFIX}:${SHARD_QUEUE} at ${opts.target.display} as ${self} (concurrency ${opts.concurrency}, threads ${opts.threads}); SIGTERM finishes the current job and stops, SIGINT returns it to the queue`);
  const code = await stopped;
  await threads?.stop();
  quitting = true;
  await connection.quit().catch(() => connection.disconnect());
  log(`stopped (${code === 0 ? 'current jobs finished' : 'current jobs returned to the queue'})`);
  return code;
}

/** A pass of a multi-pass run (gram-shard.ts); a bad input (what approx exits 2 for) is not retried. */
async function runGramJob(d: ShardJobData, gram: GramJob, label: string, Unrecoverable: new (m: string) => Error): Promise<void> {
  try { await runGramShard(d, gram); } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    const text = message.startsWith('shard ') ? message : `${label}: ${message}`;
    throw exitCodeOf(e) === 2 ? new Unrecoverable(text) : new Error(text);
  }
}

function collect(): NodeJS.WriteStream & { text(): string } {
  let buf = '';
  const w = new Writable({ write(chunk: Buffer | string, _enc, cb) { buf += chunk.toString(); cb(); } }) as unknown as NodeJS.WriteStream & { text(): string };
  (w as { isTTY?: boolean }).isTTY = false;
  w.text = () => buf;
  return w;
}
