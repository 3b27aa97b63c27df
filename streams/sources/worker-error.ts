/**
 * Errors across a worker_thread boundary. Structured clone keeps an Error's message but not its
 * class or `code`, so a decode worker sends `{ name, message, stack }` and the main thread revives
 * the same class of the rangefinder family (src/errors.ts): a consumer sees exactly the error, code
 * and message that the in-thread decoder would have thrown. Other errors come back as a plain Error
 * (or TypeError / RangeError) with the same name and message.
 */
import {
  ArgumentError, BudgetError, FormatError, IncompatibleMergeError, NonFiniteError, NumericError, ShapeError, SourceError,
} from '../../src/internals.js';

export interface WorkerErrorData {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

const FAMILY: Record<string, new (message: string) => Error> = {
  ArgumentError, ShapeError, NonFiniteError, IncompatibleMergeError, BudgetError, FormatError, SourceError, NumericError,
  TypeError, RangeError,
};

export function toWorkerError(e: unknown): WorkerErrorData {
  if (e instanceof Error) return { name: e.name, message: e.message, ...(e.stack !== undefined ? { stack: e.stack } : {}) };
  return { name: 'Error', message: String(e) };
}

export function fromWorkerError(d: WorkerErrorData): Error {
  const Class = Object.hasOwn(FAMILY, d.name) ? FAMILY[d.name] : Error;
  const err = new Class(d.message);
  if (err.name !== d.name) err.name = d.name;
  // Keep the worker's frames: that is where the decoder failed.
  if (d.stack !== undefined) err.stack = `${d.stack}\n    (in the decode worker thread)`;
  return err;
}
