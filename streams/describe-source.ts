/**
 * What the CLI's `inspect` prints about an input: format, shape, layout, dtype, batches / row
 * groups, every column with its type (and whether it is used), and, when the source would refuse
 * the input as asked, the message it would give (instead of throwing). Reads headers and metadata
 * only, except that stdin / tcp read the schema message (which consumes nothing else).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { open as openFile } from 'node:fs/promises';
import { RecordBatchReader, type Schema } from 'apache-arrow';
import { parquetMetadataAsync } from 'hyparquet';
import { RangefinderError } from '../src/internals.js';
import { arrowFields, arrowLayout } from './sources/arrow-layout.js';
import { fileAsyncBuffer } from './sources/file-async-buffer.js';
import { parquetFields, parquetLayout } from './sources/parquet-layout.js';
import { openSource, resolveSourceSpec } from './sources/open-source.js';
import type { SourceOptions } from './sources/source-options.js';
import type { SourceInfo } from './types.js';

export interface FieldDescription {
  readonly name: string;
  readonly type: string;
  /** Could be a matrix column (integer or float). */
  readonly numeric: boolean;
  /** Is a matrix column with these options. */
  readonly used: boolean;
}

export interface SourceDescription {
  readonly format: 'npy' | 'arrow-file' | 'arrow-stream' | 'parquet' | 'synthetic';
  readonly where: string;
  readonly replayable: boolean;
  /** Shape, layout, dtype, batches, column names; absent when the source refuses the input. */
  readonly info?: SourceInfo;
  /** The error the source gives for this input and these options (code and message). */
  readonly refusal?: { code: string; message: string };
  /** Every column of a table with its type, and whether it is part of the matrix. */
  readonly fields?: readonly FieldDescription[];
  /** Bytes on disk, for files. */
  readonly bytes?: number;
}

async function tableFields(format: string, path: string, opts: SourceOptions): Promise<FieldDescription[] | undefined> {
  try {
    if (format === 'parquet') {
      const fh = await openFile(path, 'r');
      try {
        const md = await parquetMetadataAsync(fileAsyncBuffer(fh, (await fh.stat()).size, path));
        const all = parquetFields(md);
        try {
          const used = new Set(parquetLayout(md, opts, path).columns);
          return all.map((f) => ({ ...f, used: used.has(f.name) }));
        } catch { return all; }
      } finally { await fh.close(); }
    }
    if (format === 'arrow-file' || format === 'arrow-stream') {
      const fh = await openFile(path, 'r');
      try {
        const reader = format === 'arrow-file'
          ? await RecordBatchReader.from(fh)
          : await RecordBatchReader.from(createReadStream(path, { fd: fh.fd, autoClose: false }));
        await reader.open();
        const schema = reader.schema as Schema;
        const all = arrowFields(schema);
        try {
          const layout = arrowLayout(schema, opts, path);
          return layout.fields.map((f) => ({ ...f }));
        } catch { return all; }
      } finally { await fh.close(); }
    }
  } catch { /* the refusal says why */ }
  return undefined;
}

export async function describeSource(spec: string, opts: SourceOptions = {}): Promise<SourceDescription> {
  const p = resolveSourceSpec(spec);
  const format = p.kind === 'stdin' || p.kind === 'tcp' || p.kind === 'listen' || p.kind === 'fifo' ? 'arrow-stream' : p.kind === 'empty' ? 'npy' : p.kind;
  const source = await openSource(spec, opts);
  const where = 'path' in p ? p.path : p.kind === 'synthetic' ? spec : p.kind === 'stdin' ? 'stdin' : spec;
  let info: SourceInfo | undefined;
  let refusal: { code: string; message: string } | undefined;
  try {
    info = await source.info();
  } catch (e) {
    if (!(e instanceof RangefinderError)) throw e;
    refusal = { code: e.code, message: e.message };
  }
  // A FIFO is read once (by info()): only regular files are looked at again for their columns.
  const file = p.kind === 'npy' || p.kind === 'arrow-file' || p.kind === 'arrow-stream' || p.kind === 'parquet' ? p.path : undefined;
  const bytes = file !== undefined ? (await stat(file).catch(() => null))?.size : undefined;
  const fields = file !== undefined ? await tableFields(format, file, opts) : undefined;
  return {
    format, where: info?.where ?? where, replayable: source.replayable,
    ...(info !== undefined ? { info } : {}),
    ...(refusal !== undefined ? { refusal } : {}),
    ...(fields !== undefined ? { fields } : {}),
    ...(bytes !== undefined ? { bytes } : {}),
  };
}
