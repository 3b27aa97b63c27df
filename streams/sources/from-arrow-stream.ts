/**
 * Arrow IPC *stream* format from a Node readable, `'stdin'`, or a path (`.arrows`).
 *
 * Layouts as in `fromArrowFile`. Batches are pulled through the readable's async iterator, so a
 * consumer that is slow to return from `next` slows the producer (pipe or TCP flow control) and
 * nothing unbounded is buffered. A stream that ends without the end-of-stream marker is an error
 * (SourceError `... ended after N rows ... without the Arrow end-of-stream marker`).
 *
 * A readable (or stdin) is one-shot: `info()` reads the schema message and `open()` may be called
 * once; a second `open()` errors with SourceError `... is a one-shot source and was already read;
 * it cannot be replayed for a second pass`. A path is replayable (reopened per pass).
 * Unsubscribing destroys the readable (closing the file or socket; stdin is paused).
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { RowBlock } from '../types.js';
import { arrowStreamSession } from './arrow-stream-session.js';
import { oneShotSource } from './one-shot-source.js';
import { pullBlocks } from './pull-blocks.js';
import { emptyStats, type MeasuredSource, type SourceOptions } from './source-options.js';
import { rowOptionsFor, transposedSource } from './transposed-source.js';

export interface ArrowStreamOptions extends SourceOptions {
  /** Name used in messages (default: 'stdin', the path, or 'stream'). */
  where?: string;
}

export function fromArrowStream(input: Readable | 'stdin' | string, opts: ArrowStreamOptions = {}): MeasuredSource {
  if (typeof input === 'string' && input !== 'stdin') {
    const path = input;
    const where = opts.where ?? path;
    if ((opts.orientation ?? 'rows') === 'columns') {
      return transposedSource(fromArrowStream(path, { ...rowOptionsFor(opts), where }), opts);
    }
    const stats = emptyStats();
    const session = () => arrowStreamSession(async () => createReadStream(path), opts, where, 'file');
    return {
      replayable: true,
      stats,
      info: () => {
        const s = session();
        return s.info().finally(() => s.destroy());
      },
      open: () => pullBlocks<RowBlock>((emit, signal) => {
        Object.assign(stats, emptyStats());
        return session().run(emit, signal, stats);
      }),
    };
  }
  const readable = input === 'stdin' ? process.stdin : input;
  const where = opts.where ?? (input === 'stdin' ? 'stdin' : 'stream');
  if ((opts.orientation ?? 'rows') === 'columns') transposedSource({ replayable: false } as MeasuredSource, opts);
  return oneShotSource(arrowStreamSession(async () => readable, opts, where, input === 'stdin' ? 'input on stdin' : 'stream'), where);
}
