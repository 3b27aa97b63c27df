/**
 * One read of an Arrow IPC stream from a byte source (a file stream, stdin, a socket), shared by
 * `fromArrowStream`, `fromTcp` and `listenTcp`.
 *
 * Bytes are pulled through the readable's async iterator, chunk by chunk, only when Arrow's reader
 * needs the next message, which it needs only when we ask for the next batch, which we do only after
 * `next` has returned: a slow consumer leaves bytes unread, and the pipe or TCP window throttles
 * the producer. The last 8 bytes seen are kept to check for the end-of-stream marker: a producer
 * that stops without it (killed, dropped connection) is an error, not a short matrix.
 */
import type { Readable } from 'node:stream';
import { RecordBatchReader, type RecordBatch, type Schema } from 'apache-arrow';
import { FormatError, RangefinderError, SourceError } from '../../src/errors.js';
import type { RowBlock, SourceInfo } from '../types.js';
import { arrowLayout, type ArrowLayout } from './arrow-layout.js';
import { emitSplit } from './emit-split.js';
import type { DecodeOptions } from './source-options.js';

export interface ArrowStreamSession {
  /** Reads the schema (and, for a List layout, the first batch) and describes the stream. */
  info(): Promise<SourceInfo>;
  /** Reads every batch, emitting decoded blocks (input row numbers); resolves at the end-of-stream marker. */
  run(emit: (b: RowBlock) => void, signal: AbortSignal): Promise<void>;
  /** Names of a wide table's columns, once the schema is read. */
  readonly columnNames: readonly string[] | undefined;
  /** Destroys the underlying readable (closing the file or socket). Idempotent. */
  destroy(): void;
}

interface Tracker {
  bytes: number;
  tail: Uint8Array;
  ended: boolean;
}

async function* tracked(readable: Readable, t: Tracker): AsyncGenerator<Uint8Array> {
  for await (const chunk of readable as AsyncIterable<Buffer | string>) {
    const c = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    t.bytes += c.byteLength;
    if (c.byteLength >= 8) t.tail = c.subarray(c.byteLength - 8);
    else {
      const merged = new Uint8Array(8);
      const keep = Math.min(8 - c.byteLength, t.tail.length);
      merged.set(t.tail.subarray(t.tail.length - keep), 8 - c.byteLength - keep);
      merged.set(c, 8 - c.byteLength);
      t.tail = merged;
    }
    yield c;
  }
  t.ended = true;
}

function sawEndOfStream(t: Tracker): boolean {
  const b = t.tail;
  if (b.length < 4) return false;
  const last4 = b[b.length - 4]! | b[b.length - 3]! | b[b.length - 2]! | b[b.length - 1]!;
  return last4 === 0; // 0xFFFFFFFF 0x00000000 (current) or 0x00000000 (pre-0.15) both end in 4 zero bytes
}

export function arrowStreamSession(
  connect: () => Promise<Readable>, opts: DecodeOptions, where: string, kind: string,
): ArrowStreamSession {
  let readable: Readable | null = null;
  let destroyed = false;
  const t: Tracker = { bytes: 0, tail: new Uint8Array(0), ended: false };
  let iterator: AsyncIterator<RecordBatch> | null = null;
  let schemaPromise: Promise<{ schema: Schema; layout: ArrowLayout }> | null = null;
  let peeked: RecordBatch | null = null;
  let batchesRead = 0;
  let names: readonly string[] | undefined;

  const fail = (e: unknown, rows: number): Error => {
    if (e instanceof RangefinderError) return e;
    const msg = e instanceof Error ? e.message : String(e);
    const code = (e as { code?: string }).code;
    if (code !== undefined && /^E[A-Z]+/.test(code)) {
      return new SourceError(`${where} failed after ${rows} rows (${batchesRead} batches, ${t.bytes} bytes): ${msg}`);
    }
    if (t.ended && /expected to read|only read/i.test(msg)) {
      return new SourceError(`${where} ended after ${rows} rows (${batchesRead} batches, ${t.bytes} bytes) in the middle of a message, without the Arrow end-of-stream marker: the ${kind} was cut off mid-stream (${msg})`);
    }
    return new FormatError(`${where}: corrupt Arrow IPC stream after ${rows} rows (${batchesRead} batches, ${t.bytes} bytes): ${msg}`);
  };

  const start = (): Promise<{ schema: Schema; layout: ArrowLayout }> => {
    schemaPromise ??= (async () => {
      try {
        readable = await connect();
        if (destroyed) readable.destroy();
        const reader = await RecordBatchReader.from(tracked(readable, t));
        await reader.open();
        if (t.bytes === 0) throw new FormatError(`${where} is empty: expected an Arrow IPC stream (a schema message, record batches, an end-of-stream marker), got 0 bytes`);
        if (reader.schema == null) throw new FormatError(`${where}: expected an Arrow IPC stream starting with a schema message; ${t.bytes} bytes did not contain one`);
        if (reader.isFile()) throw new FormatError(`${where}: this is an Arrow IPC file, not a stream (name it .arrow)`);
        iterator = reader[Symbol.asyncIterator]();
        const layout = arrowLayout(reader.schema, opts, where);
        names = layout.names;
        return { schema: reader.schema, layout };
      } catch (e) {
        throw fail(e, 0);
      }
    })();
    return schemaPromise;
  };

  const nextBatch = async (rows: number): Promise<RecordBatch | null> => {
    if (peeked !== null) { const b = peeked; peeked = null; return b; }
    let r: IteratorResult<RecordBatch>;
    try { r = await iterator!.next(); } catch (e) { throw fail(e, rows); }
    if (r.done === true) {
      if (!destroyed && !sawEndOfStream(t)) {
        throw new SourceError(`${where} ended after ${rows} rows (${batchesRead} batches, ${t.bytes} bytes) without the Arrow end-of-stream marker: the ${kind} was cut off mid-stream`);
      }
      return null;
    }
    batchesRead++;
    return r.value;
  };

  return {
    get columnNames() { return names; },
    async info() {
      const { layout } = await start();
      if (layout.cols < 0) {
        // A List layout learns its row length from the first non-empty batch, kept for run().
        let b = await nextBatch(0);
        while (b !== null && b.numRows === 0) b = await nextBatch(0);
        if (b !== null) { layout.decode(b, 0); peeked = b; }
      }
      return {
        cols: Math.max(0, layout.cols), dtype: layout.dtype, layout: layout.kind,
        ...(layout.names !== undefined ? { columnNames: layout.names } : {}),
        orientation: 'rows', where,
      };
    },
    async run(emit, signal) {
      const onAbort = (): void => this.destroy();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const { layout } = await start();
        let row = 0;
        while (!signal.aborted) {
          const batch = await nextBatch(row);
          if (signal.aborted) break;
          if (batch === null) {
            if (destroyed && !sawEndOfStream(t)) {
              throw new SourceError(`${where} was closed after ${row} rows (${batchesRead} batches), before the end of the stream`);
            }
            break;
          }
          if (batch.numRows === 0) continue;
          const data = layout.decode(batch, row);
          emitSplit(row, batch.numRows, layout.cols, data, opts.blockRows, emit, signal);
          row += batch.numRows;
        }
      } finally {
        signal.removeEventListener('abort', onAbort);
        this.destroy();
      }
    },
    destroy() {
      destroyed = true;
      const r = readable as Readable | null;
      if (r !== null && !r.destroyed && r !== process.stdin) r.destroy();
      else if (r === process.stdin) r.pause();
    },
  };
}
