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
 * `arrowStreamDecoder` only decodes; `fromArrowStream` composes the rest (compose-source.ts).
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { RowBlock } from '../types.js';
import { composeSource } from '../wrappers/compose-source.js';
import { arrowStreamSession } from './arrow-stream-session.js';
import type { DecodedSource, FormatDecoder } from './decoder.js';
import { oneShotSource } from './one-shot-source.js';
import { pullBlocks } from '../pull-blocks.js';
import { decodeOptionsOf, type DecodeOptions, type MeasuredSource, type SourceOptions } from './source-options.js';

export interface ArrowStreamOptions extends SourceOptions {
  /** Name used in messages (default: 'stdin', the path, or 'stream'). */
  where?: string;
}

/** The decoder of an Arrow IPC stream: a file path (replayable) or a readable / stdin (one-shot). */
export function arrowStreamDecoder(input: Readable | 'stdin' | string, opts: DecodeOptions & { where?: string } = {}): FormatDecoder & { destroy?(): void } {
  if (typeof input === 'string' && input !== 'stdin') {
    const path = input;
    const where = opts.where ?? path;
    const rows = (naturalBlocks = false): DecodedSource => {
      const o = naturalBlocks ? { ...opts, blockRows: undefined } : opts;
      let names: readonly string[] | undefined;
      return {
        replayable: true,
        where,
        get columnNames() { return names; },
        info: () => {
          const s = arrowStreamSession(async () => createReadStream(path), o, where, 'file');
          return s.info().finally(() => s.destroy());
        },
        open: () => pullBlocks<RowBlock>((emit, signal) => {
          const s = arrowStreamSession(async () => createReadStream(path), o, where, 'file');
          return s.run((b) => { names = s.columnNames; emit(b); }, signal);
        }),
      };
    };
    return { where, replayable: true, rows };
  }
  const readable = input === 'stdin' ? process.stdin : input;
  const where = opts.where ?? (input === 'stdin' ? 'stdin' : 'stream');
  const source = oneShotSource(arrowStreamSession(async () => readable, opts, where, input === 'stdin' ? 'input on stdin' : 'stream'), where);
  return { where, replayable: false, rows: () => source, destroy: () => source.destroy() };
}

export function fromArrowStream(input: Readable | 'stdin' | string, opts: ArrowStreamOptions = {}): MeasuredSource {
  return composeSource(arrowStreamDecoder(input, { ...decodeOptionsOf(opts), ...(opts.where !== undefined ? { where: opts.where } : {}) }), opts);
}
