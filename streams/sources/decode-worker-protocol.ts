/**
 * The messages and the shared control block between `fromDecodeWorker` (main thread) and
 * `decode-worker.ts` (the worker thread); see decode-worker.ts for the protocol.
 */
import type { MessagePort } from 'node:worker_threads';
import type { DecoderRecipe } from './decoder.js';
import type { WorkerErrorData } from './worker-error.js';

/** Int32 slots of the control block shared with the main thread. */
export const CTL_BELL = 0;
export const CTL_STOP = 1;
/** Blocks posted so far (read by tests and benchmarks to measure the read-ahead). */
export const CTL_POSTED = 2;
export const CTL_WORDS = 4;

/** workerData of a decode worker (any other worker that loads decode-worker.ts does nothing). */
export const DECODE_WORKER_TAG = 'rangefinder-decode-worker';

/** One pass over one file, posted to an idle worker with `returns` in the transfer list. */
export interface DecodeJob {
  readonly type: 'open';
  readonly job: number;
  /** The decoder to run (its rows, in input numbering; no validation: that composes on the main thread). */
  readonly recipe: DecoderRecipe;
  readonly ahead: number;
  readonly control: SharedArrayBuffer;
  /** Where the main thread returns the buffers (one credit each). */
  readonly returns: MessagePort;
}

/** Load the decoder of a format now (the main thread is reading metadata; a pass will follow). */
export interface DecodeLoad { readonly type: 'load'; readonly format: DecoderRecipe['format'] }

/** Stop the current job; `exit`: then let the thread end (it is not reused). */
export interface DecodeStop { readonly type: 'stop'; readonly job: number; readonly exit: boolean }

export type DecodeWorkerMessage =
  | { type: 'block'; job: number; rowStart: number; rows: number; cols: number; dtype: 'float32' | 'float64'; buffer: ArrayBuffer; names?: readonly string[]; ids?: BigInt64Array | readonly string[] }
  | { type: 'end'; job: number }
  | { type: 'error'; job: number; error: WorkerErrorData };
