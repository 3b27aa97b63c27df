/**
 * Malformed and hostile inputs for the hostile suite: bytes of .npy, Arrow IPC (file and stream)
 * and Parquet files, built in memory from small valid ones and then broken in one way each.
 */
import {
  Field, FixedSizeList, Float32, Float64, List, Message, RecordBatch, RecordBatchFileWriter, RecordBatchStreamWriter, Schema, Struct,
  Table, Utf8, makeData, tableToIPC, vectorFromArray,
} from 'apache-arrow';
import { ByteWriter, ParquetWriter, parquetWriteBuffer } from 'hyparquet-writer';

export const ROWS = 40, COLS = 6;

export function values(rows = ROWS, cols = COLS): Float64Array {
  return Float64Array.from({ length: rows * cols }, (_, t) => Math.sin(t * 0.37) + (t % 7) * 0.1);
}

/** A .npy file: `dict` is the header text (padded here), `data` follows it. */
export function npyBytes(dict: string, data: Uint8Array, version: [number, number] = [1, 0], declaredLength?: number): Buffer {
  const [major, minor] = version;
  const lenBytes = major === 1 ? 2 : 4;
  const pre = 8 + lenBytes;
  let text = dict;
  text += ' '.repeat((64 - ((pre + text.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(pre);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, minor]).copy(head);
  if (lenBytes === 2) head.writeUInt16LE(declaredLength ?? text.length, 8);
  else head.writeUInt32LE(declaredLength ?? text.length, 8);
  return Buffer.concat([head, Buffer.from(text, 'latin1'), data]);
}

export function f64Bytes(v: Float64Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

export const goodNpy = (): Buffer => npyBytes(`{'descr': '<f8', 'fortran_order': False, 'shape': (${ROWS}, ${COLS}), }`, f64Bytes(values()));

export function fslBatch(rows: number, width: number, base = 0): RecordBatch {
  const vals = Float32Array.from({ length: rows * width }, (_, i) => Math.cos(base + i * 0.1));
  const child = makeData({ type: new Float32(), length: rows * width, data: vals });
  const t = new FixedSizeList(width, new Field('item', new Float32(), false));
  const col = makeData({ type: t, length: rows, child });
  const schema = new Schema([new Field('x', t, false)]);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows, children: [col] }));
}

export function arrowStream(batches = [fslBatch(10, COLS, 0), fslBatch(10, COLS, 1)]): Buffer {
  return Buffer.from(RecordBatchStreamWriter.writeAll(batches).toUint8Array(true));
}

export function arrowFile(batches = [fslBatch(10, COLS, 0), fslBatch(10, COLS, 1)]): Buffer {
  return Buffer.from(RecordBatchFileWriter.writeAll(batches).toUint8Array(true));
}

/** Offsets of the messages of a stream: [start, metadata length, body length]. */
export function messages(stream: Buffer): [number, number, number][] {
  const out: [number, number, number][] = [];
  let off = 0;
  while (off + 8 <= stream.length) {
    const len = stream.readInt32LE(off + 4);
    if (len === 0) break;
    const m = Message.decode(stream.subarray(off + 8, off + 8 + len));
    out.push([off, len, Number(m.bodyLength)]);
    off += 8 + len + Number(m.bodyLength);
  }
  return out;
}

/** A stream whose record batch message declares a body of `body` bytes (and sends its real body). */
export function streamWithBody(body: number): Buffer {
  const s = arrowStream([fslBatch(4, COLS)]);
  const [, [off, len]] = messages(s) as [[number, number, number], [number, number, number]];
  const m = Message.decode(s.subarray(off + 8, off + 8 + len));
  const meta = Buffer.from(Message.encode(Message.from(m.header() as never, body)));
  const head = Buffer.alloc(8);
  head.writeUInt32LE(0xffffffff, 0);
  head.writeInt32LE(meta.length, 4);
  return Buffer.concat([s.subarray(0, off), head, meta, s.subarray(off + 8 + len)]);
}

/** A schema message followed by a header that declares `len` bytes of metadata. */
export function streamWithMetadataLength(len: number): Buffer {
  const s = arrowStream([fslBatch(4, COLS)]);
  const [, [off]] = messages(s) as [[number, number, number], [number, number, number]];
  const head = Buffer.alloc(8);
  head.writeUInt32LE(0xffffffff, 0);
  head.writeInt32LE(len, 4);
  return Buffer.concat([s.subarray(0, off), head, Buffer.alloc(64, 7)]);
}

/** The schema message only (no batch, no end-of-stream marker). */
export function schemaOnly(): Buffer {
  const s = arrowStream([fslBatch(4, COLS)]);
  return s.subarray(0, messages(s)[1][0]);
}

/** A record batch message first (no schema). */
export function batchFirst(): Buffer {
  const s = arrowStream([fslBatch(4, COLS)]);
  return s.subarray(messages(s)[1][0]);
}

export function textColumnArrow(): Buffer {
  return Buffer.from(tableToIPC(new Table({ x: vectorFromArray([1, 2, 3], new Float64()), name: vectorFromArray(['a', 'b', 'c'], new Utf8()) }), 'file'));
}

export function duplicateNamesArrow(): Buffer {
  const f = [new Field('a', new Float64(), false), new Field('b', new Float64(), false), new Field('a', new Float64(), false)];
  const cols = [0, 1, 2].map((k) => makeData({ type: new Float64(), length: 3, data: Float64Array.from([k, k + 1, k + 2]) }));
  const schema = new Schema(f);
  return Buffer.from(RecordBatchFileWriter.writeAll([new RecordBatch(schema, makeData({ type: new Struct(f), length: 3, children: cols }))]).toUint8Array(true));
}

export function raggedArrow(): Buffer {
  const n = COLS, rows = 8;
  const offsets = new Int32Array(rows + 1);
  const vals: number[] = [];
  for (let i = 0; i < rows; i++) { const len = i === 3 ? n - 1 : n; for (let j = 0; j < len; j++) vals.push(i + j); offsets[i + 1] = vals.length; }
  const lt = new List(new Field('item', new Float64(), false));
  const child = makeData({ type: new Float64(), length: vals.length, data: Float64Array.from(vals) });
  const col = makeData({ type: lt, length: rows, valueOffsets: offsets, child });
  const f = [new Field('row', lt, false)];
  return Buffer.from(RecordBatchFileWriter.writeAll([new RecordBatch(new Schema(f), makeData({ type: new Struct(f), length: rows, children: [col] }))]).toUint8Array(true));
}

/** An Arrow file whose second batch has another list width than its schema. */
export function wideBatchArrow(): Buffer {
  const w = new RecordBatchFileWriter();
  const first = fslBatch(10, 20);
  w.reset(undefined, first.schema);
  w.write(first);
  (w as unknown as { _writeRecordBatch(b: RecordBatch): void })._writeRecordBatch(fslBatch(10, 30, 1));
  w.finish();
  return Buffer.from(w.toUint8Array(true));
}

/** An Arrow file with a schema and no record batch. */
export function noBatchArrow(): Buffer {
  const w = new RecordBatchFileWriter();
  w.reset(undefined, fslBatch(1, COLS).schema);
  w.finish();
  return Buffer.from(w.toUint8Array(true));
}

export function parquetBytes(extra: { name: string; data: unknown[]; type: 'STRING' | 'DOUBLE' }[] = [], rows = ROWS): Buffer {
  const v = values(rows);
  const cols = Array.from({ length: COLS }, (_, j) => ({ name: `c${j}`, type: 'DOUBLE' as const, data: Array.from({ length: rows }, (_, i) => v[i * COLS + j]) }));
  return Buffer.from(parquetWriteBuffer({ columnData: [...extra, ...cols] as never, rowGroupSize: 16 }));
}

/** A Parquet file written by a ParquetWriter whose state `mutate` changes between two row groups. */
export function parquetBy(mutate: (schema: { type?: string }[], writer: { num_rows: bigint }) => void, second = true): Buffer {
  const schema: { name: string; type?: string; repetition_type?: string; num_children?: number }[] = [
    { name: 'root', num_children: 2 },
    { name: 'a', type: 'DOUBLE', repetition_type: 'REQUIRED' },
    { name: 'b', type: 'DOUBLE', repetition_type: 'REQUIRED' },
  ];
  const w = new ByteWriter();
  const pw = new ParquetWriter({ writer: w, schema, codec: 'UNCOMPRESSED' } as never) as unknown as { write(o: unknown): void; finish(): void; num_rows: bigint };
  pw.write({ columnData: [{ name: 'a', data: new Float64Array([1, 2, 3]) }, { name: 'b', data: new Float64Array([4, 5, 6]) }] });
  mutate(schema, pw);
  if (second) pw.write({ columnData: [{ name: 'a', data: new Float32Array([1, 2, 3]) }, { name: 'b', data: new Float32Array([4, 5, 6]) }] });
  schema[1].type = 'DOUBLE'; schema[2].type = 'DOUBLE';
  pw.finish();
  return Buffer.from(w.getBuffer());
}

/** A Parquet file with a schema and no row group. */
export function noRowGroupParquet(): Buffer {
  const schema = [{ name: 'root', num_children: 1 }, { name: 'a', type: 'DOUBLE', repetition_type: 'REQUIRED' }];
  const w = new ByteWriter();
  const pw = new ParquetWriter({ writer: w, schema } as never) as unknown as { finish(): void };
  pw.finish();
  return Buffer.from(w.getBuffer());
}

/** Deterministic junk. */
export function junk(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = (x >>> 16) & 0xff; }
  if (b.readUInt32LE(0) === 0xffffffff) b[0] = 0;
  return b;
}
