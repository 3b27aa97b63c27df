/**
 * A named pipe (FIFO) or character device given as a path: an Arrow IPC stream read once, like
 * stdin. Opening a FIFO waits for a writer, so the open runs against `connectTimeoutMs`: with no
 * writer by then it is a SourceError naming the FIFO and the seconds waited (the pending open is
 * released by opening the FIFO for writing, non-blocking, and closing it again). The bytes are then
 * read sequentially (never at an offset: a pipe has none) through the stream session, which caps
 * each message and applies `idleTimeoutMs`; a .npy, Arrow IPC file or Parquet file written into a
 * FIFO is refused naming what it is (they need random access).
 */
import { closeSync, constants, openSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { SourceError } from '../../src/internals.js';
import { composeSource } from '../wrappers/compose-source.js';
import { arrowStreamSession } from './arrow-stream-session.js';
import type { FormatDecoder } from './decoder.js';
import { oneShotSource } from './one-shot-source.js';
import { decodeOptionsOf, type DecodeOptions, type MeasuredSource, type SourceOptions } from './source-options.js';

export function fifoDecoder(path: string, opts: DecodeOptions = {}): FormatDecoder {
  const limit = opts.connectTimeoutMs ?? 0;
  const open = async (): Promise<Readable> => {
    const opening = openFile(path, 'r');
    let timer: ReturnType<typeof setTimeout> | null = null;
    const timeout = new Promise<'timeout'>((resolve) => { if (limit > 0) timer = setTimeout(() => resolve('timeout'), limit); });
    const r = await Promise.race([opening, timeout]);
    if (timer !== null) clearTimeout(timer);
    if (r === 'timeout') {
      // Release the pending open (it holds a thread of the pool): be its writer for a moment.
      try { closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)); } catch { /* nothing pending */ }
      void opening.then((fh) => fh.close(), () => undefined);
      throw new SourceError(`${path}: no writer opened this FIFO within ${limit / 1000} s (0 rows received; --connect-timeout)`);
    }
    return r.createReadStream();
  };
  const source = oneShotSource(arrowStreamSession(open, opts, path, 'pipe'), path);
  return { where: path, replayable: false, rows: () => source };
}

export function fromFifo(path: string, opts: SourceOptions = {}): MeasuredSource {
  return composeSource(fifoDecoder(path, decodeOptionsOf(opts)), opts);
}
