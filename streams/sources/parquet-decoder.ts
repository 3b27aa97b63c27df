/**
 * Parquet files read one row group at a time with hyparquet (+ hyparquet-compressors: snappy, gzip,
 * brotli, zstd, lz4, lz4_raw), which decodes dictionary, DELTA_*, BYTE_STREAM_SPLIT and data page
 * v2 files.
 *
 * Layouts (see `parquetLayout`):
 * - 'parquet-wide': one numeric column (INT32, INT64, FLOAT, DOUBLE, and their logical integer
 *   types) per matrix column, chosen with `columns` / `exclude`; a non-numeric column is refused
 *   with `column "name" has type BYTE_ARRAY (STRING), expected a numeric type (exclude it with
 *   --exclude name)`. Nulls read as NaN and follow `nonFinite`.
 * - 'parquet-list': one LIST / repeated column of FLOAT or DOUBLE holding each row (what parquet-wasm
 *   and pyarrow write for an Arrow FixedSizeList); each row must have `cols` values
 *   (`row 17 has 255 values, expected 256`).
 *
 * Memory: one decoded row group, packed row-major into a buffer reused across row groups; with
 * `blockRows` smaller than a row group, the group is read in slices of `blockRows` rows, and where
 * the writer left an offset index (hyparquet-writer and parquet-wasm do) only the pages of each
 * slice are fetched and decoded, so memory follows the block, not the row group. Orientation 'columns' on a wide file is natural: each block of
 * `blockRows` columns is read across the whole file (only those column chunks), and each column is
 * one row of A^T; on a list file it is the slow path (`transposedSource`).
 *
 * Replayable. A file hyparquet cannot parse (bad magic, corrupt footer or pages, columns of unequal
 * length) is refused with a FormatError naming the file and, where known, the row group.
 * `decodeWorker: true` (orientation 'rows'): the same decoder runs on a worker thread, `decodeAhead`
 * blocks ahead of the consumer (from-decode-worker.ts).
 */
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { parquetMetadataAsync, parquetRead, type AsyncBuffer, type Compressors, type FileMetaData } from 'hyparquet';
import { FormatError, RangefinderError, ShapeError } from '../../src/internals.js';
import type { RowBlock, RowLabels, SourceInfo } from '../types.js';

const INT64_MAX = (1n << 63n) - 1n;
import { TRANSPOSE_BLOCK_BYTES } from '../wrappers/transposed.js';
import type { DecodedSource, FormatDecoder } from './decoder.js';
import { fileAsyncBuffer } from './file-async-buffer.js';
import { cappedCompressors } from './parquet-compressors.js';
import { checkRowGroupTypes, parquetLayout, type ParquetLayout } from './parquet-layout.js';
import { interleaveColumns } from './interleave-columns.js';
import { pullBlocks } from '../pull-blocks.js';
import { messageCap, type DecodeOptions } from './source-options.js';

interface OpenedParquet {
  fh: FileHandle;
  file: AsyncBuffer;
  metadata: FileMetaData;
  layout: ParquetLayout;
  groups: { start: number; rows: number }[];
  /** The decompressors, capped (a page may not declare more than the message cap). */
  compressors: Compressors;
}

function wrap(e: unknown, where: string, what: string): Error {
  if (e instanceof RangefinderError) return e;
  // A JavaScript TypeError / RangeError from inside the decoder says nothing about the file.
  const msg = e instanceof Error && !(e instanceof TypeError) && !(e instanceof RangeError) ? e.message : 'the data does not decode';
  return new FormatError(`${where}: cannot read ${what}: the file is corrupt or uses an unsupported feature (hyparquet: ${msg})`);
}

async function openParquet(path: string, opts: DecodeOptions): Promise<OpenedParquet> {
  const fh = await openFile(path, 'r');
  try {
    const { size } = await fh.stat();
    if (size < 12) throw new FormatError(`${path} is not a Parquet file: ${size} bytes, expected at least 12 (magic "PAR1", footer, "PAR1")`);
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    await fh.read(tail, 0, 4, size - 4);
    if (head.toString('latin1') !== 'PAR1') {
      throw new FormatError(`${path} is not a Parquet file: expected the magic bytes "PAR1" at byte 0${tail.toString('latin1') === 'PARE' ? ' (this file is encrypted, which is not supported)' : ''}`);
    }
    if (tail.toString('latin1') !== 'PAR1') {
      throw new FormatError(`${path} is truncated or corrupt: a Parquet file ends with its footer and "PAR1"${tail.toString('latin1') === 'PARE' ? ' (this file has an encrypted footer, which is not supported)' : ''}`);
    }
    const file = fileAsyncBuffer(fh, size, path);
    let metadata: FileMetaData;
    try { metadata = await parquetMetadataAsync(file); } catch (e) { throw wrap(e, path, 'the Parquet footer'); }
    const layout = parquetLayout(metadata, opts, path);
    checkRowGroupTypes(metadata, layout, path);
    const groups: { start: number; rows: number }[] = [];
    let start = 0;
    for (const g of metadata.row_groups) {
      const rows = Number(g.num_rows);
      if (!(rows >= 0)) throw new FormatError(`${path}: row group ${groups.length} has ${rows} rows`);
      groups.push({ start, rows });
      start += rows;
    }
    // The footer's row count and its row groups' must agree (one of them is wrong, and reading either
    // would be a guess), except that some old writers leave num_rows at 0: the row groups count then.
    if (start !== Number(metadata.num_rows)) {
      if (Number(metadata.num_rows) !== 0) {
        throw new FormatError(`${path}: the footer says ${metadata.num_rows} rows, its ${groups.length} row groups hold ${start}: the footer is inconsistent`);
      }
      metadata = { ...metadata, num_rows: BigInt(start) };
    }
    const rowBytes = layout.kind === 'parquet-wide' ? layout.cols * 8 : 0;
    const { cap, hint } = messageCap(opts, rowBytes);
    return { fh, file, metadata, layout, groups, compressors: cappedCompressors(cap, path, hint) };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** Copies decoded values of column `j` (rows [from, to) of the file) into `out`. */
function scatter(
  values: ArrayLike<unknown>, chunkStart: number, from: number, to: number,
  out: Float32Array | Float64Array, base: number, step: number,
): void {
  if (values instanceof Float64Array || values instanceof Float32Array || values instanceof Int32Array) {
    for (let r = from; r < to; r++) out[base + (r - from) * step] = values[r - chunkStart]!;
    return;
  }
  for (let r = from; r < to; r++) {
    const v = values[r - chunkStart];
    out[base + (r - from) * step] = v === null || v === undefined ? NaN : typeof v === 'number' ? v : Number(v);
  }
}

/**
 * Reads rows [start, start + rows) of row group g (all of it, or a slice when `blockRows` is
 * smaller than the group: then the offset index, where the writer left one, lets hyparquet fetch
 * and decode only the pages of the slice, which bounds memory by the block, not the group).
 */
async function readGroup(
path: string, f: OpenedParquet, g: number, out: { buf: Float32Array | Float64Array; ids?: RowLabels }, slice?: { start: number; rows: number },
): Promise<Float32Array | Float64Array> {
  const { start, rows } = slice ?? f.groups[g]!;
  const { layout } = f;
  const end = start + rows;
  const filled = new Array<number>(layout.columns.length).fill(0);
  const pieces = layout.columns.map((): { values: ArrayLike<unknown>; chunkStart: number; from: number; to: number }[] => []);
  const what = `row group ${g} (rows ${start} to ${end - 1})`;
  const id = layout.id;
  const ids = id === undefined ? undefined : id.kind === 'int64' ? new BigInt64Array(rows) : new Array<string>(rows);
  let idsFilled = 0;
  const ensure = (n: number): Float32Array | Float64Array => {
    if (out.buf.length < n) out.buf = layout.dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
    return out.buf;
  };
  // Errors found in onChunk are kept and thrown after parquetRead: thrown inside hyparquet's
  // callback they would surface as its own (or an unhandled) error.
  let failure: Error | null = null;
  try {
    await parquetRead({
      file: f.file, metadata: f.metadata, columns: [...layout.columns, ...(id !== undefined ? [id.name] : [])], rowStart: start, rowEnd: end, compressors: f.compressors,
      useOffsetIndex: slice !== undefined,
      onChunk: (chunk) => {
        if (failure !== null) return;
        try { onChunk(chunk); } catch (e) { failure = e as Error; }
      },
    });
  } catch (e) { throw wrap(failure ?? e, path, what); }
  if (failure !== null) throw failure;
  function onChunk(chunk: { columnName: string; columnData: ArrayLike<unknown>; rowStart: number; rowEnd: number }): void {
    if (id !== undefined && chunk.columnName === id.name) { takeIds(chunk); return; }
    const j = layout.columns.indexOf(chunk.columnName);
    if (j < 0) return;
    const from = Math.max(start, chunk.rowStart);
    const to = Math.min(end, chunk.rowEnd, chunk.rowStart + chunk.columnData.length);
    if (to <= from) return;
    if (layout.kind === 'parquet-wide') {
      // Kept and packed after the read, in cache-friendly tiles (interleaveColumns).
      pieces[j]!.push({ values: chunk.columnData, chunkStart: chunk.rowStart, from, to });
    } else {
      const lists = chunk.columnData as ArrayLike<ArrayLike<unknown> | null>;
      if (layout.cols < 0) {
        const first = lists[from - chunk.rowStart];
        layout.cols = first?.length ?? 0;
        if (layout.cols === 0) throw new ShapeError(`row ${from} has 0 values, expected at least 1 (in ${path})`);
      }
      const n = layout.cols;
      const buf = ensure(rows * n);
      for (let r = from; r < to; r++) {
        const row = lists[r - chunk.rowStart];
        const o = (r - start) * n;
        if (row === null || row === undefined) { buf.fill(NaN, o, o + n); continue; }
        if (row.length !== n) throw new ShapeError(`row ${r} has ${row.length} values, expected ${n} (in ${path})`);
        scatter(row, 0, 0, n, buf, o, 1);
      }
    }
    filled[j]! += to - from;
  }
  function takeIds(chunk: { columnData: ArrayLike<unknown>; rowStart: number; rowEnd: number }): void {
    const from = Math.max(start, chunk.rowStart);
    const to = Math.min(end, chunk.rowEnd, chunk.rowStart + chunk.columnData.length);
    for (let r = from; r < to; r++) {
      const v = chunk.columnData[r - chunk.rowStart];
      if (v === null || v === undefined) throw new FormatError(`${path}: row ${r}: the id in column "${id!.name}" is null; expected an id for every row`);
      if (ids instanceof BigInt64Array) {
        const b = typeof v === 'bigint' ? v : BigInt(v as number);
        if (b > INT64_MAX) throw new FormatError(`${path}: row ${r}: the id ${b} in column "${id!.name}" is larger than int64 holds (2^63 - 1); expected ids that fit int64`);
        ids[r - start] = b;
      } else (ids!)[r - start] = String(v);
    }
    idsFilled += Math.max(0, to - from);
  }
  if (id !== undefined && idsFilled !== rows) throw new FormatError(`${path}: ${what}: column "${id.name}" decoded ${idsFilled} ids, expected ${rows}`);
  if (ids !== undefined) out.ids = ids;
  for (let j = 0; j < filled.length; j++) {
    if (filled[j] !== rows) {
      throw new FormatError(`${path}: ${what}: column "${layout.columns[j]}" decoded ${filled[j]} values, expected ${rows}`);
    }
  }
  if (layout.kind === 'parquet-wide') {
    const buf = ensure(rows * layout.cols);
    if (pieces.every((p) => p.length === 1 && p[0]!.from === start && p[0]!.to === end)) {
      interleaveColumns(pieces.map((p) => ({ values: p[0]!.values, start: start - p[0]!.chunkStart })), rows, buf);
    } else {
      for (let j = 0; j < pieces.length; j++) {
        for (const p of pieces[j]!) scatter(p.values, p.chunkStart, p.from, p.to, buf, (p.from - start) * layout.cols + j, layout.cols);
      }
    }
  }
  return out.buf.subarray(0, rows * layout.cols);
}

async function rowsInfo(path: string, f: OpenedParquet): Promise<SourceInfo> {
  if (f.layout.cols < 0) {
    const g = f.groups.findIndex((x) => x.rows > 0);
    if (g >= 0) await readGroup(path, f, g, { buf: new Float64Array(0) });
  }
  return {
    rows: Number(f.metadata.num_rows), cols: Math.max(0, f.layout.cols), dtype: f.layout.dtype, layout: f.layout.kind,
    batches: f.groups.length, orientation: 'rows', where: path,
    ...(f.layout.kind === 'parquet-wide' ? { columnNames: f.layout.columns } : {}),
    ...(f.layout.id !== undefined ? { idColumn: f.layout.id } : {}),
  };
}

async function withFile<T>(path: string, opts: DecodeOptions, fn: (f: OpenedParquet) => Promise<T>): Promise<T> {
  const f = await openParquet(path, opts);
  try { return await fn(f); } finally { await f.fh.close(); }
}

/** The Parquet decoder: rows of A, and rows of A^T read column by column for wide tables. */
export function parquetDecoder(path: string, opts: DecodeOptions = {}): FormatDecoder {
  return {
    where: path,
    replayable: true,
    rows: (naturalBlocks = false) => openParquetRows(path, naturalBlocks ? { ...opts, blockRows: undefined } : opts),
    columns: () => withFile(path, opts, async (f) => (f.layout.kind === 'parquet-wide' ? openParquetColumns(path, opts) : null)),
    recipe: { format: 'parquet', path, opts: { ...opts } },
  };
}


/** Row groups, or slices of `blockRows` rows of them, packed row-major. */
function openParquetRows(path: string, opts: DecodeOptions): DecodedSource {
  let names: readonly string[] | undefined;
  return {
    replayable: true,
    where: path,
    get columnNames() { return names; },
    info: () => withFile(path, opts, (f) => rowsInfo(path, f)),
    open: () => pullBlocks<RowBlock>(async (emit, signal) => {
      const f = await openParquet(path, opts);
      names = f.layout.kind === 'parquet-wide' ? f.layout.columns : undefined;
      try {
        const out: { buf: Float32Array | Float64Array; ids?: RowLabels } = { buf: f.layout.dtype === 'float32' ? new Float32Array(0) : new Float64Array(0) };
        for (let g = 0; g < f.groups.length && !signal.aborted; g++) {
          const { start, rows } = f.groups[g]!;
          if (rows === 0) continue;
          const step = opts.blockRows !== undefined && opts.blockRows > 0 && opts.blockRows < rows ? opts.blockRows : rows;
          for (let s0 = start; s0 < start + rows && !signal.aborted; s0 += step) {
            const k = Math.min(step, start + rows - s0);
            const data = await readGroup(path, f, g, out, step < rows ? { start: s0, rows: k } : undefined);
            if (signal.aborted) break;
            emit({ rowStart: s0, rows: k, cols: f.layout.cols, data: data.subarray(0, k * f.layout.cols), ...(out.ids !== undefined ? { ids: out.ids } : {}) });
          }
        }
      } finally {
        await f.fh.close();
      }
    }),
  };
}

/** A wide table by columns: each block of `blockRows` columns read across the file (one chunk each). */
function openParquetColumns(path: string, opts: DecodeOptions): DecodedSource {
  const columnBlocks = (f: OpenedParquet): number => {
    const m = Number(f.metadata.num_rows);
    const isz = f.layout.dtype === 'float32' ? 4 : 8;
    return Math.max(1, Math.min(f.layout.cols, opts.blockRows ?? Math.floor(TRANSPOSE_BLOCK_BYTES / Math.max(1, m * isz))));
  };
  return {
    replayable: true,
    where: path,
    info: () => withFile(path, opts, async (f) => {
      const info = await rowsInfo(path, f);
      return { ...info, rows: info.cols, cols: info.rows!, orientation: 'columns' as const, batches: Math.ceil(info.cols / columnBlocks(f)) };
    }),
    open: () => pullBlocks<RowBlock>(async (emit, signal) => {
      const f = await openParquet(path, opts);
      try {
        const m = Number(f.metadata.num_rows);
        const n = f.layout.cols;
        const b = columnBlocks(f);
        const buf = f.layout.dtype === 'float32' ? new Float32Array(b * m) : new Float64Array(b * m);
        for (let c0 = 0; c0 < n && !signal.aborted; c0 += b) {
          const names = f.layout.columns.slice(c0, c0 + b);
          const filled = new Array<number>(names.length).fill(0);
          try {
            await parquetRead({
              file: f.file, metadata: f.metadata, columns: names, rowStart: 0, rowEnd: m, compressors: f.compressors,
              onChunk: (chunk) => {
                const j = names.indexOf(chunk.columnName);
                if (j < 0) return;
                const from = Math.max(0, chunk.rowStart);
                const to = Math.min(m, chunk.rowEnd, chunk.rowStart + chunk.columnData.length);
                if (to <= from) return;
                scatter(chunk.columnData, chunk.rowStart, from, to, buf, j * m + from, 1);
                filled[j]! += to - from;
              },
            });
          } catch (e) { throw wrap(e, path, `columns ${names.join(', ')}`); }
          const short = filled.findIndex((x) => x !== m);
          if (short >= 0) throw new FormatError(`${path}: column "${names[short]}" decoded ${filled[short]} values, expected ${m}`);
          if (signal.aborted) break;
          if (m > 0) emit({ rowStart: c0, rows: names.length, cols: m, data: buf.subarray(0, names.length * m) });
        }
      } finally {
        await f.fh.close();
      }
    }),
  };
}
