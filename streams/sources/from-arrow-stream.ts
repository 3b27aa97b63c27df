/**
 * Arrow IPC *stream* format from a Node readable, `'stdin'`, or a path (`.arrows`).
 *
 * Layouts as in `fromArrowFile`. Batches are pulled through the readable's async iterator, so a
 * consumer that is slow to return from `next` slows the producer (pipe or TCP flow control) and
 * nothing unbounded is buffered.
 *
 * A readable (or stdin) is one-shot: `info()` reads the schema message and `open()` may be called
 * once; a second `open()` errors with SourceError `... is a one-shot source (stdin); it cannot be
 * replayed for a second pass: write it to a file first`. A path is replayable (reopened per pass).
 * Unsubscribing destroys the readable (closing the file or socket).
 */
import type { Readable } from 'node:stream';
import type { MeasuredSource, SourceOptions } from './source-options.js';

export interface ArrowStreamOptions extends SourceOptions {
  /** Name used in messages (default: 'stdin', the path, or 'stream'). */
  where?: string;
}

export function fromArrowStream(input: Readable | 'stdin' | string, opts: ArrowStreamOptions = {}): MeasuredSource {
  void input; void opts;
  throw new Error('fromArrowStream: not implemented yet');
}
