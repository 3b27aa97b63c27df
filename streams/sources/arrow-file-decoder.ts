/**
 * Arrow IPC *file* format (`.arrow`, `.feather` v2), read one record batch at a time with random
 * access through a file handle (the footer gives the batch offsets; nothing else is loaded).
 *
 * Layouts (detected from the schema; see `arrowLayout`):
 * - 'fixed-size-list': one `FixedSizeList<Float32|Float64>` column (or `listColumn`) holding each
 *   row: the child buffer IS the row-major block and is emitted without a copy (the fast path);
 * - 'list': one `List<Float32|Float64>` column: zero-copy when every row has `cols` values, else a
 *   ShapeError `row 17 has 255 values, expected 256`;
 * - 'wide-table': one numeric column per matrix column (ints, floats; choose with `columns` /
 *   `exclude`), interleaved into a reused row-major buffer per batch. A non-numeric column is
 *   refused: `column "name" has type Utf8, expected a numeric type (exclude it with --exclude name)`.
 *
 * `info()` reads the footer and the small metadata message of each batch (for the row count).
 * Replayable: each `open()` reopens the file. A truncated or corrupt file is refused with a
 * FormatError naming the file and the batch. `arrowFileDecoder` only decodes; `fromArrowFile`
 * composes the rest around it (compose-source.ts): orientation 'columns' by transposition (one scan
 * per block of columns), `decodeWorker` (the same decoder on a worker thread, from its recipe),
 * the non-finite policy and the empty check.
 */
import type { FileHandle } from 'node:fs/promises';
import { open as openFile } from 'node:fs/promises';
import { Message, MessageHeader, RecordBatchReader, type RecordBatch, type Schema } from 'apache-arrow';
import { FormatError, RangefinderError } from '../../src/internals.js';
import type { RowBlock, SourceInfo } from '../types.js';
import { arrowLayout, type ArrowLayout } from './arrow-layout.js';
import type { DecodedSource, FormatDecoder } from './decoder.js';
import { pullBlocks } from '../pull-blocks.js';
import { messageCap, type DecodeOptions } from './source-options.js';
import { emitSplit } from './emit-split.js';

interface OpenedFile {
  fh: FileHandle;
  reader: { numRecordBatches: number; readRecordBatch(i: number): Promise<RecordBatch | null>; cancel(): Promise<void> };
  layout: ArrowLayout;
  batchRows: number[];
}

const ARROW_MAGIC = 'ARROW1';

function wrap(e: unknown, where: string, what: string): Error {
  if (e instanceof RangefinderError) return e;
  // A JavaScript TypeError / RangeError from inside Arrow's reader says nothing about the file
  // ("Cannot read properties of undefined"): only Arrow's own messages are passed on.
  const own = e instanceof Error && !(e instanceof TypeError) && !(e instanceof RangeError) && e.message.length > 0;
  return new FormatError(`${where}: cannot read ${what} as Arrow IPC file: ${own ? (e as Error).message : 'it is corrupt (it does not decode as the Arrow IPC format describes)'}`);
}

/**
 * An Arrow IPC file may repeat its schema as its first message (at byte 8, after the magic; the
 * Arrow C++ and Java writers do, Arrow JS's does not) besides its footer. Batches are read with the
 * footer's schema; a footer schema that differs from the first message, or that has no column at
 * all, is a corrupt footer (a garbled footer can still decode, to an empty or another schema).
 */
async function checkFooterSchema(fh: FileHandle, size: number, footerSchema: Schema, path: string): Promise<void> {
  const head = Buffer.alloc(8);
  await fh.read(head, 0, 8, 8);
  const cont = head.readUInt32LE(0) === 0xffffffff;
  const len = cont ? head.readInt32LE(4) : head.readInt32LE(0);
  const start = cont ? 16 : 12;
  const describe = (s: Schema): string => s.fields.map((f) => `"${f.name}" ${String(f.type)}`).join(', ') || 'no columns';
  let first: Schema | null = null;
  if (len > 0 && start + len <= size && len <= 64 * 1024 * 1024) {
    const meta = Buffer.alloc(len);
    await fh.read(meta, 0, len, start);
    try {
      const m = Message.decode(meta);
      if (m.headerType === MessageHeader.Schema) first = m.header() as Schema;
    } catch { first = null; }
  }
  if (footerSchema.fields.length === 0) {
    throw new FormatError(`${path} is corrupt: its footer decodes to a schema with no columns; expected the schema of the matrix`);
  }
  if (first !== null && describe(first) !== describe(footerSchema)) {
    throw new FormatError(`${path} is corrupt: the schema in its footer (${describe(footerSchema)}) differs from the schema at its start (${describe(first)})`);
  }
}

async function openArrowFile(path: string, opts: DecodeOptions): Promise<OpenedFile> {
  const fh = await openFile(path, 'r');
  try {
    const { size } = await fh.stat();
    const magic = Buffer.alloc(6);
    await fh.read(magic, 0, 6, 0);
    const tail = Buffer.alloc(6);
    if (size >= 6) await fh.read(tail, 0, 6, size - 6);
    if (magic.toString('latin1') !== ARROW_MAGIC) {
      throw new FormatError(`${path} is not an Arrow IPC file: expected the magic bytes "ARROW1" at byte 0 (an IPC stream? name it .arrows)`);
    }
    if (size < 12 || tail.toString('latin1') !== ARROW_MAGIC) {
      throw new FormatError(`${path} is truncated or corrupt: an Arrow IPC file ends with "ARROW1" and its footer, found neither at byte ${size} (was it still being written?)`);
    }
    let reader: OpenedFile['reader'] & { schema: import('apache-arrow').Schema; footer: unknown; isFile(): boolean; open(): Promise<unknown> };
    try {
      reader = await RecordBatchReader.from(fh) as unknown as typeof reader;
      await reader.open();
    } catch (e) { throw wrap(e, path, 'the footer'); }
    if (!reader.isFile()) throw new FormatError(`${path}: expected an Arrow IPC file, found a stream`);
    await checkFooterSchema(fh, size, reader.schema, path);
    const layout = arrowLayout(reader.schema, opts, path);
    const footer = reader.footer as { getRecordBatch(i: number): { offset: number | bigint; metaDataLength: number } | null };
    const batchRows: number[] = [];
    const { cap, hint } = messageCap(opts, layout.kind === 'fixed-size-list' ? layout.cols * 8 : (layout.names?.length ?? 0) * 8);
    for (let i = 0; i < reader.numRecordBatches; i++) {
      const block = footer.getRecordBatch(i) as { offset: number | bigint; metaDataLength: number; bodyLength: number | bigint } | null;
      if (block === null) throw new FormatError(`${path} is corrupt: its footer has no entry for record batch ${i}`);
      const off = Number(block.offset), body = Number(block.bodyLength);
      if (!(off >= 0) || !(block.metaDataLength > 0) || off + block.metaDataLength > size) {
        throw new FormatError(`${path} is corrupt: record batch ${i} starts at byte ${off} with ${block.metaDataLength} bytes of metadata, past the end of the file (${size} bytes)`);
      }
      if (!(body >= 0) || off + block.metaDataLength + body > size) {
        throw new FormatError(`${path} is corrupt: record batch ${i} declares a body of ${body} bytes at byte ${off + block.metaDataLength}, past the end of the file (${size} bytes)`);
      }
      if (body > cap || block.metaDataLength > cap) {
        throw new FormatError(`${path}: record batch ${i} declares ${Math.max(body, block.metaDataLength)} bytes, more than the cap of ${cap} bytes (${hint})`);
      }
      const buf = new Uint8Array(block.metaDataLength);
      await fh.read(buf, 0, block.metaDataLength, off);
      try {
        const dv = new DataView(buf.buffer);
        const cont = dv.getInt32(0, true) === -1;
        const start = cont ? 8 : 4;
        const len = dv.getInt32(cont ? 4 : 0, true);
        const msg = Message.decode(buf.subarray(start, start + len));
        batchRows.push(Number((msg.header() as { length: number | bigint }).length));
      } catch (e) { throw wrap(e, path, `the metadata of record batch ${i}`); }
    }
    return { fh, reader, layout, batchRows };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** The Arrow IPC file decoder: rows of A (no column path: the composition transposes). */
export function arrowFileDecoder(path: string, opts: DecodeOptions = {}): FormatDecoder {
  return {
    where: path,
    replayable: true,
    rows: (naturalBlocks = false) => openArrowRows(path, naturalBlocks ? { ...opts, blockRows: undefined } : opts),
    recipe: { format: 'arrow-file', path, opts: { ...opts } },
  };
}


function openArrowRows(path: string, opts: DecodeOptions): DecodedSource {
  let names: readonly string[] | undefined;
  const infoOf = async (f: OpenedFile): Promise<SourceInfo> => {
    if (f.layout.cols < 0) {
      const first = f.batchRows.findIndex((r) => r > 0);
      if (first >= 0) f.layout.decode((await f.reader.readRecordBatch(first))!, 0);
    }
    return {
      rows: f.batchRows.reduce((a, b) => a + b, 0),
      cols: Math.max(0, f.layout.cols),
      dtype: f.layout.dtype,
      layout: f.layout.kind,
      batches: f.batchRows.length,
      ...(f.layout.names !== undefined ? { columnNames: f.layout.names } : {}),
      ...(f.layout.id !== undefined ? { idColumn: f.layout.id } : {}),
      orientation: 'rows',
      where: path,
    };
  };
  return {
    replayable: true,
    where: path,
    get columnNames() { return names; },
    info: async () => {
      const f = await openArrowFile(path, opts);
      try { return await infoOf(f); } finally { await f.fh.close(); }
    },
    open: () => pullBlocks<RowBlock>(async (emit, signal) => {
      const f = await openArrowFile(path, opts);
      names = f.layout.names;
      try {
        let row = 0;
        for (let i = 0; i < f.batchRows.length && !signal.aborted; i++) {
          let batch: RecordBatch | null;
          try { batch = await f.reader.readRecordBatch(i); } catch (e) { throw wrap(e, path, `record batch ${i} (row ${row})`); }
          if (batch === null) throw new FormatError(`${path}: record batch ${i} (row ${row}) is missing`);
          if (signal.aborted) break;
          if (batch.numRows === 0) continue;
          const data = f.layout.decode(batch, row);
          emitSplit(row, batch.numRows, f.layout.cols, data, opts.blockRows, emit, signal, f.layout.decodeIds?.(batch, row));
          row += batch.numRows;
        }
      } finally {
        await f.fh.close();
      }
    }),
  };
}
