/**
 * `onDecodeWorker(recipe, inThread, ahead)`: a file decoder (Arrow IPC file, Parquet) run AHEAD on a
 * worker thread, as a wrapper: the worker rebuilds the decoder from its recipe (decode-worker.ts)
 * and posts each decoded block in a transferred ArrayBuffer; the main thread emits it, and once the
 * consumer's `next` has returned, transfers the buffer back (recycled: no allocation per block in
 * steady state). Decode and the consumer's work (the sketch) then overlap: a pass costs about
 * max(decode, sketch) instead of their sum, on a machine with a core to spare. Only decoding runs
 * on the worker; the non-finite policy and the empty-input check compose after this wrapper, on
 * the main thread, as for the in-thread decoder.
 *
 * Memory bound: `ahead` (N, default 2) buffers of one block each exist at most (N x block bytes in
 * flight: 2 x 8 MiB for 8192-row batches of 256 float32 values), plus the one batch the worker's
 * decoder holds, as in-thread, plus the worker itself (about 25-30 MB resident: its V8 heap and
 * decoder modules). While the consumer works on block i, the worker has posted at most blocks up
 * to i + N - 1 and decoded at most i + N: a slow consumer stalls the worker (credit-based flow
 * control), nothing buffers without bound. The pull contract holds for the consumer: blocks are
 * emitted one at a time from the worker's messages, and `data` is valid until `next` returns (the
 * buffer is then transferred back, so a kept reference sees a detached buffer).
 *
 * Errors of the decoder (corrupt file, non-numeric column) arrive as the same class, code and
 * message as the in-thread decoder gives (worker-error.ts). `info()` reads the metadata on the
 * calling thread (the in-thread decoder's).
 *
 * Life cycle: a worker serves one `open()` at a time. After a pass that ended (completed or failed)
 * it waits, unref'ed, as THE one idle worker for the next `open()` (the next pass of a multi-pass
 * method, or another file) and ends after `IDLE_MS` (30 s) unused: the first pass of a new worker
 * costs 0.2-0.25 s more from dist/ (start, loading the decoder, cold JIT; 0.8 s more under tsx),
 * later passes nothing. `info()` starts the worker and has it load its decoder, so that the start
 * overlaps what the caller does between `info()` and `open()`. Unsubscribing mid-pass stops the
 * worker (it unsubscribes its source, which closes the file) and lets it end; it is terminated
 * after a grace period if it does not end by itself. `stopDecodeWorkers()` ends the idle worker.
 *
 * The worker is `decode-worker.js` next to this module when running from dist/, or
 * `decode-worker.ts` loaded through tsx when this module runs from the TypeScript sources (vitest,
 * tsx): the same code works in tests, benchmarks and the installed CLI.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { Observable } from 'rxjs';
import { ArgumentError, SourceError } from '../../src/internals.js';
import type { RowBlock } from '../types.js';
import type { DecodedSource, DecoderRecipe } from './decoder.js';
import {
  CTL_BELL, CTL_POSTED, CTL_STOP, CTL_WORDS, DECODE_WORKER_TAG, type DecodeJob, type DecodeLoad, type DecodeStop, type DecodeWorkerMessage,
} from './decode-worker-protocol.js';
import type { MeasuredSource } from './source-options.js';
import { fromWorkerError } from './worker-error.js';

/** Default blocks decoded ahead: 2 keeps the worker busy across the jitter of one block. */
export const DEFAULT_DECODE_AHEAD = 2;
/** A worker that has not ended this long after an unsubscription is terminated. */
const STOP_GRACE_MS = 2000;
/**
 * An idle worker unused this long ends: long enough to carry a worker (and its warm JIT) across the
 * passes of a multi-pass method or a batch of files, short enough not to hold a thread for long.
 */
const IDLE_MS = 30_000;

/** The wrapper: a decoded source whose blocks come from the worker. */
export interface WorkerDecodedSource extends DecodedSource {
  /** Blocks posted by the worker of the latest `open()` (measures the read-ahead). */
  readonly blocksPosted: number;
}

/** A composed source (`fromArrowFile(path, { decodeWorker: true })`) that decodes on a worker. */
export interface DecodeWorkerSource extends MeasuredSource {
  /** Blocks posted by the worker of the latest `open()` (measures the read-ahead). */
  readonly blocksPosted: number;
}

/**
 * From dist/: the compiled decode-worker.js. From the TypeScript sources: a bootstrap that
 * registers tsx's loader inside the worker, then imports decode-worker.ts (on Node 20, loader hooks
 * given to a worker as `--import tsx` in execArgv do not reach its entry module). The bootstrap uses
 * dynamic imports only, so it runs whether eval'd as CommonJS or as a module.
 */
function startWorker(): Worker {
  const here = import.meta.url;
  let worker: Worker;
  if (!here.endsWith('.ts')) {
    worker = new Worker(new URL('./decode-worker.js', here), { workerData: DECODE_WORKER_TAG });
  } else {
    const api = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
    const entry = new URL('./decode-worker.ts', here).href;
    const bootstrap = `import(${JSON.stringify(api)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
    worker = new Worker(bootstrap, { eval: true, workerData: DECODE_WORKER_TAG });
  }
  // While idle, nobody else listens: an error must not crash the process (the worker then exits).
  worker.on('error', () => undefined);
  worker.once('exit', () => { if (idle?.worker === worker) { clearTimeout(idle.timer); idle = null; } });
  return worker;
}

let idle: { worker: Worker; timer: ReturnType<typeof setTimeout> } | null = null;
let jobs = 0;

function takeWorker(): Worker {
  if (idle === null) return startWorker();
  const { worker, timer } = idle;
  clearTimeout(timer);
  idle = null;
  worker.ref();
  return worker;
}

/** A worker whose pass ended: kept as the idle worker (one at most), or ended. */
function release(worker: Worker): void {
  if (idle !== null) { void worker.terminate(); return; }
  worker.unref();
  const timer = setTimeout(() => { void stopDecodeWorkers(); }, IDLE_MS);
  timer.unref();
  idle = { worker, timer };
}

/** Starts the idle worker if there is none, and has it load the decoder of `format`. */
function prewarm(format: DecoderRecipe['format']): void {
  if (idle === null) release(startWorker());
  idle!.worker.postMessage({ type: 'load', format } satisfies DecodeLoad);
}

/** Ends the idle decode worker, if any (workers in use end with their pass). */
export async function stopDecodeWorkers(): Promise<void> {
  if (idle === null) return;
  const { worker, timer } = idle;
  clearTimeout(timer);
  idle = null;
  await worker.terminate();
}

/** Checks `decodeAhead` where the composition is built (an ArgumentError at creation). */
export function checkDecodeAhead(ahead: number): void {
  if (!Number.isInteger(ahead) || ahead < 1) throw new ArgumentError(`decodeAhead must be a positive integer, got ${ahead}`);
}

export function onDecodeWorker(recipe: DecoderRecipe, inThread: DecodedSource, ahead = DEFAULT_DECODE_AHEAD): WorkerDecodedSource {
  checkDecodeAhead(ahead);
  const { format, path } = recipe;
  let ctl: Int32Array | null = null;
  let names: readonly string[] | undefined;

  return {
    replayable: true,
    where: inThread.where,
    get columnNames() { return names; },
    get blocksPosted() { return ctl === null ? 0 : Atomics.load(ctl, CTL_POSTED); },
    info: () => { prewarm(format); return inThread.info(); },
    open: () => new Observable<RowBlock>((subscriber) => {
      const control = new SharedArrayBuffer(CTL_WORDS * 4);
      const c = new Int32Array(control);
      ctl = c;
      const { port1: returns, port2 } = new MessageChannel();
      const job = ++jobs;
      const worker = takeWorker();
      let finished = false;

      const detach = (): void => {
        finished = true;
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (msg: DecodeWorkerMessage): void => {
        if (msg.job !== job || subscriber.closed) return;
        if (msg.type === 'block') {
          if (msg.names !== undefined) names = msg.names;
          const n = msg.rows * msg.cols;
          const values = msg.dtype === 'float32' ? new Float32Array(msg.buffer, 0, n) : new Float64Array(msg.buffer, 0, n);
          subscriber.next({ rowStart: msg.rowStart, rows: msg.rows, cols: msg.cols, data: values, ...(msg.ids !== undefined ? { ids: msg.ids } : {}) });
          if (subscriber.closed) return;
          // The consumer is done with the block: one credit (and the buffer) back to the worker.
          returns.postMessage(msg.buffer, [msg.buffer]);
          Atomics.add(c, CTL_BELL, 1);
          Atomics.notify(c, CTL_BELL);
          return;
        }
        detach();
        release(worker);
        if (msg.type === 'end') subscriber.complete();
        else subscriber.error(fromWorkerError(msg.error));
      };
      // Not the decoder's errors (those come as messages): a worker that failed to start or crashed.
      const onError = (e: Error): void => {
        detach();
        subscriber.error(new SourceError(`${path}: the decode worker failed: ${e.message}`));
      };
      const onExit = (code: number): void => {
        detach();
        subscriber.error(new SourceError(`${path}: the decode worker exited (code ${code}) before the end of the file`));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      const open: DecodeJob = { type: 'open', job, recipe, ahead, control, returns: port2 };
      worker.postMessage(open, [port2]);

      return () => {
        returns.close();
        if (finished) return;
        detach();
        // Wake a worker blocked for credit, and tell one that waits on I/O; then let it end.
        Atomics.store(c, CTL_STOP, 1);
        Atomics.add(c, CTL_BELL, 1);
        Atomics.notify(c, CTL_BELL);
        worker.postMessage({ type: 'stop', job, exit: true } satisfies DecodeStop);
        worker.unref();
        const timer = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
        timer.unref();
        worker.once('exit', () => clearTimeout(timer));
      };
    }),
  };
}
