/**
 * One read of an Arrow IPC stream from a byte source (a file stream, stdin, a FIFO, a socket),
 * shared by the stream decoders (`fromArrowStream`, `fromTcp`, `listenTcp`).
 *
 * Bytes are pulled through the readable's async iterator, chunk by chunk, only when Arrow's reader
 * needs the next message, which it needs only when we ask for the next batch, which we do only after
 * `next` has returned: a slow consumer leaves bytes unread, and the pipe or TCP window throttles
 * the producer.
 *
 * Between the readable and Arrow's reader sits the framer (arrow-ipc-framer.ts): every message is
 * capped (metadata and body: `maxMessageBytes`, else max(16 MiB, the memory budget, 64 rows of the
 * schema's width)) and refused before it is buffered if larger; random bytes are "not an Arrow IPC
 * stream", a second schema or anything after the end-of-stream marker is refused. A producer that
 * stops without the marker (killed, dropped connection) is an error, not a short matrix.
 *
 * `idleTimeoutMs`: while we wait for bytes (never while the consumer works: the input is then not
 * read at all), a producer that sends nothing for that long is a SourceError naming the input, the
 * rows received and the seconds waited. After the end-of-stream marker the input must end (the
 * producer closes it) within `TAIL_GRACE_MS`, or the session stops listening without error; data
 * arriving there is refused as above.
 */
import type { Readable } from 'node:stream';
import { DataType, RecordBatchReader, type Message, type RecordBatch, type Schema } from 'apache-arrow';
import { FormatError, RangefinderError, SourceError } from '../../src/internals.js';
import type { RowBlock, SourceInfo } from '../types.js';
import { arrowLayout, type ArrowLayout } from './arrow-layout.js';
import { frameArrowIpc, type FramerState } from './arrow-ipc-framer.js';
import { emitSplit } from './emit-split.js';
import { messageCap, type DecodeOptions } from './source-options.js';

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

/** How long the end of the input may take to arrive after the end-of-stream marker. */
const TAIL_GRACE_MS = 1000;

/** Bytes of one row for a schema (FixedSizeList and primitive columns; lists count 0). */
function rowBytesOf(schema: Schema): number {
  let total = 0;
  for (const f of schema.fields) {
    const t = f.type;
    if (DataType.isFixedSizeList(t)) {
      const child = (t.children[0]!).type as unknown as { bitWidth?: number; precision?: number };
      total += t.listSize * Math.max(1, (child.bitWidth ?? 64) / 8);
    } else {
      total += Math.max(1, ((t as unknown as { bitWidth?: number }).bitWidth ?? 64) / 8);
    }
  }
  return total;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}` : (ms / 1000).toFixed(1);
}

export function arrowStreamSession(
  connect: () => Promise<Readable>, opts: DecodeOptions, where: string, kind: string,
): ArrowStreamSession {
  let readable: Readable | null = null;
  let source: AsyncIterator<Buffer | string> | null = null;
  let destroyed = false;
  let inputEnded = false;
  const framing: FramerState = { bytes: 0, messages: 0, ended: false, schema: undefined };
  let iterator: AsyncIterator<RecordBatch> | null = null;
  let schemaPromise: Promise<{ schema: Schema; layout: ArrowLayout }> | null = null;
  let peeked: RecordBatch | null = null;
  let batchesRead = 0;
  let rowsSoFar = 0;
  let names: readonly string[] | undefined;
  let rowBytes = 0;
  const idleMs = opts.idleTimeoutMs ?? 0;
  const { cap: baseCap, hint } = messageCap(opts);
  const capOf = (): number => messageCap(opts, rowBytes).cap;

  /** One chunk from the readable, or null at its end; the idle timeout applies while we wait. */
  const read = async (waitMs: number, onTimeout: () => Error | null): Promise<Uint8Array | null> => {
    const it = source!;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const timeout = new Promise<'timeout'>((resolve) => { if (waitMs > 0) timer = setTimeout(() => resolve('timeout'), waitMs); });
    try {
      const r = await Promise.race([it.next(), timeout]);
      if (r === 'timeout') {
        const e = onTimeout();
        if (e !== null) throw e;
        return null;
      }
      if (r.done === true) { inputEnded = true; return null; }
      return typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    } finally {
      if (timer !== null) clearTimeout(timer);
    }
  };

  const stalled = (): Error => {
    const s = formatSeconds(idleMs);
    const e = new SourceError(`${where} sent no data for ${s} s after ${rowsSoFar} rows (${framing.bytes} bytes): the producer stalled; waited ${s} s (--idle-timeout)`);
    destroyReadable();
    return e;
  };

  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const c = await read(idleMs, stalled);
      if (c === null) return;
      yield c;
    }
  }

  const fail = (e: unknown, rows: number): Error => {
    if (e instanceof RangefinderError) return e;
    const msg = e instanceof Error ? e.message : String(e);
    const code = (e as { code?: string }).code;
    if (code !== undefined && /^E[A-Z]+/.test(code)) {
      return new SourceError(`${where} failed after ${rows} rows (${batchesRead} batches, ${framing.bytes} bytes): ${msg}`);
    }
    if (inputEnded && /expected to read|only read/i.test(msg)) {
      return new SourceError(`${where} ended after ${rows} rows (${batchesRead} batches, ${framing.bytes} bytes) in the middle of a message, without the Arrow end-of-stream marker: the ${kind} was cut off mid-stream`);
    }
    return new FormatError(`${where}: corrupt Arrow IPC stream after ${rows} rows (${batchesRead} batches, ${framing.bytes} bytes): ${msg}`);
  };

  const onSchema = (m: Message): void => {
    try { rowBytes = rowBytesOf(m.header() as Schema); } catch { rowBytes = 0; }
  };

  const start = (): Promise<{ schema: Schema; layout: ArrowLayout }> => {
    schemaPromise ??= (async () => {
      try {
        readable = await connect();
        if (destroyed) readable.destroy();
        source = (readable as unknown as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
        const framed = frameArrowIpc(chunks(), where, { maxMetadata: baseCap, maxBody: capOf, hint }, framing, onSchema);
        const reader = await RecordBatchReader.from(framed);
        await reader.open();
        if (framing.bytes === 0) throw new FormatError(`${where} is empty: expected an Arrow IPC stream (a schema message, record batches, an end-of-stream marker), got 0 bytes`);
        if (reader.schema == null) {
          if (framing.ended) throw new FormatError(`${where} has no schema: the stream ends (end-of-stream marker at byte ${framing.bytes - 8}) before a schema message; expected a schema, record batches, then the marker`);
          throw new FormatError(`${where}: expected an Arrow IPC stream starting with a schema message; ${framing.bytes} bytes did not contain one`);
        }
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

  /**
   * After the end-of-stream marker: the input must end; bytes there (a second stream) are refused
   * by the framer's rule. A producer that keeps the input open is waited for only briefly.
   */
  const checkTail = async (): Promise<void> => {
    if (inputEnded || source === null) return;
    for (;;) {
      const c = await read(Math.min(TAIL_GRACE_MS, idleMs > 0 ? idleMs : TAIL_GRACE_MS), () => null);
      if (c === null) return;
      if (c.byteLength > 0) {
        throw new FormatError(`${where}: ${c.byteLength} more bytes follow the end-of-stream marker (at byte ${framing.bytes}): a second stream, or data after the end, would be dropped; expected the input to end there`);
      }
    }
  };

  const nextBatch = async (rows: number): Promise<RecordBatch | null> => {
    if (peeked !== null) { const b = peeked; peeked = null; return b; }
    let r: IteratorResult<RecordBatch>;
    try { r = await iterator!.next(); } catch (e) { throw fail(e, rows); }
    if (r.done === true) {
      if (!destroyed && !framing.ended) {
        throw new SourceError(`${where} ended after ${rows} rows (${batchesRead} batches, ${framing.bytes} bytes) without the Arrow end-of-stream marker: the ${kind} was cut off mid-stream`);
      }
      if (!destroyed) await checkTail();
      return null;
    }
    batchesRead++;
    return r.value;
  };

  function destroyReadable(): void {
    const r = readable as Readable | null;
    if (r !== null && !r.destroyed && r !== process.stdin) r.destroy();
    else if (r === process.stdin) r.pause();
  }

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
        ...(layout.id !== undefined ? { idColumn: layout.id } : {}),
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
            if (destroyed && !framing.ended) {
              throw new SourceError(`${where} was closed after ${row} rows (${batchesRead} batches), before the end of the stream`);
            }
            break;
          }
          if (batch.numRows === 0) continue;
          const data = layout.decode(batch, row);
          emitSplit(row, batch.numRows, layout.cols, data, opts.blockRows, emit, signal, layout.decodeIds?.(batch, row));
          row += batch.numRows;
          rowsSoFar = row;
        }
      } finally {
        signal.removeEventListener('abort', onAbort);
        this.destroy();
      }
    },
    destroy() {
      destroyed = true;
      destroyReadable();
    },
  };
}
