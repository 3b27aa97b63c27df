/**
 * The body of a decode worker thread (started by `onDecodeWorker`): runs the format decoder of the
 * job's recipe (`arrowFileDecoder` or `parquetDecoder`, the same code and options as in-thread) and
 * posts each decoded block to the main thread in a transferred ArrayBuffer. Only decoding runs here:
 * the non-finite policy and the empty-input check compose on the main thread.
 *
 * Flow control is by credits: the worker starts with `ahead` credits, spends one per posted block and
 * gets one back with each buffer the main thread returns (after its consumer's `next` returned).
 * With no credit left the worker blocks INSIDE its own `next` (`Atomics.wait` on the control block,
 * then `receiveMessageOnPort` takes the returned buffers synchronously), so the in-thread source
 * keeps its pull contract here too: it reads no further batch until a buffer comes back. At most
 * `ahead` buffers exist; the decoder additionally holds the one batch it has decoded.
 *
 * Jobs: the thread runs one job (one pass over one file) at a time and waits for the next; the
 * main thread keeps one idle worker to reuse (from-decode-worker.ts). Stop: the main thread sets
 * CTL_STOP and rings (wakes a worker blocked in `next`) and posts a stop message (reaches a worker
 * waiting on I/O); either way the worker unsubscribes its source, whose pull loop then closes the
 * file; with `exit` the thread also stops listening and ends once nothing is pending.
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Subscription } from 'rxjs';
import type { RowBlock } from '../types.js';
import {
  CTL_BELL, CTL_POSTED, CTL_STOP, DECODE_WORKER_TAG, type DecodeJob, type DecodeLoad, type DecodeStop, type DecodeWorkerMessage,
} from './decode-worker-protocol.js';
import type { DecodedSource, DecoderRecipe, FormatDecoder } from './decoder.js';
import type { DecodeOptions } from './source-options.js';
import { toWorkerError } from './worker-error.js';

/** Load only the decoder a file needs (a faster start). */
async function decoderOf(format: DecoderRecipe['format']): Promise<(path: string, opts: DecodeOptions) => FormatDecoder> {
  return format === 'arrow-file' ? (await import('./arrow-file-decoder.js')).arrowFileDecoder : (await import('./parquet-decoder.js')).parquetDecoder;
}

async function sourceFor(job: DecodeJob): Promise<DecodedSource> {
  return (await decoderOf(job.recipe.format))(job.recipe.path, job.recipe.opts).rows();
}

/** Runs one job; returns its stop function. */
function runJob(port: MessagePort, job: DecodeJob, source: DecodedSource): () => void {
  const { ahead, control, returns } = job;
  const ctl = new Int32Array(control);
  const free: ArrayBuffer[] = [];
  let credits = ahead;
  let stopped = false;
  let sub: Subscription | null = null;
  let namesSent = false;
  const post = (msg: DecodeWorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);

  const takeReturned = (): boolean => {
    const m = receiveMessageOnPort(returns);
    if (m === undefined) return false;
    credits++;
    free.push(m.message as ArrayBuffer);
    return true;
  };
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    sub?.unsubscribe();
    returns.close();
  };

  const next = (b: RowBlock): void => {
    while (takeReturned());
    while (credits === 0 && !stopped) {
      const seen = Atomics.load(ctl, CTL_BELL);
      if (Atomics.load(ctl, CTL_STOP) !== 0) { stop(); break; }
      if (takeReturned()) break;
      // Out of credits: block the decoder here (it reads nothing more) until a buffer comes back.
      Atomics.wait(ctl, CTL_BELL, seen);
    }
    if (stopped) return;
    const n = b.rows * b.cols;
    const dtype = b.data instanceof Float32Array ? 'float32' : 'float64';
    const bytes = n * b.data.BYTES_PER_ELEMENT;
    let buffer = free.pop();
    if (buffer === undefined || buffer.byteLength < bytes) buffer = new ArrayBuffer(bytes);
    // The decoded view is not ours to transfer (a reused buffer, or a slice of a record batch): copy.
    (dtype === 'float32' ? new Float32Array(buffer, 0, n) : new Float64Array(buffer, 0, n)).set(b.data.subarray(0, n));
    credits--;
    Atomics.add(ctl, CTL_POSTED, 1);
    const names = !namesSent ? source.columnNames : undefined;
    namesSent = true;
    // Ids (idColumn) are cloned with the message: one per row, small next to the values.
    post({ type: 'block', job: job.job, rowStart: b.rowStart, rows: b.rows, cols: b.cols, dtype, buffer, ...(names !== undefined ? { names } : {}), ...(b.ids !== undefined ? { ids: b.ids } : {}) }, [buffer]);
  };

  sub = source.open().subscribe({
    next,
    error: (e: unknown) => {
      if (stopped) return;
      post({ type: 'error', job: job.job, error: toWorkerError(e) });
      stop();
    },
    complete: () => {
      if (stopped) return;
      post({ type: 'end', job: job.job });
      stop();
    },
  });
  if (stopped) sub.unsubscribe();
  return stop;
}

function serve(port: MessagePort): void {
  let current: { job: number; stop: (() => void) | null; stopped: boolean } | null = null;
  port.on('message', (m: DecodeJob | DecodeLoad | DecodeStop) => {
    if (m.type === 'load') {
      decoderOf(m.format).catch(() => undefined); // a failure shows again, as an error, at 'open'
    } else if (m.type === 'open') {
      const state = { job: m.job, stop: null as (() => void) | null, stopped: false };
      current = state;
      sourceFor(m).then(
        (source) => { if (!state.stopped) state.stop = runJob(port, m, source); },
        (e: unknown) => { port.postMessage({ type: 'error', job: m.job, error: toWorkerError(e) } satisfies DecodeWorkerMessage); },
      );
    } else if (current !== null && current.job === m.job) {
      current.stopped = true;
      current.stop?.();
    }
    // Not reused: stop listening, and the thread ends once the source has closed its file.
    if (m.type === 'stop' && m.exit) port.close();
  });
}

if (parentPort !== null && workerData === DECODE_WORKER_TAG) serve(parentPort);
