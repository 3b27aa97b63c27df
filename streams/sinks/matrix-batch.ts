/**
 * Builds Arrow record batches from row-major blocks: one `FixedSizeList<Float>[cols]` column (the
 * layout `fromArrowFile` reads zero-copy) or one Float column per matrix column (wide), optionally
 * after a leading label column that names each row (`Int64` or `Utf8`: the input's row ids beside
 * U, the input's column names beside V). The batch wraps `data` without a copy in the list layout;
 * a caller may reuse `data` once the batch has been written (a synchronous sink: ipc-byte-sink.ts).
 */
import {
  Field, FixedSizeList, Float32, Float64, Int64, makeData, RecordBatch, Schema, Struct, Utf8, type DataType,
} from 'apache-arrow';
import { ArgumentError } from '../../src/internals.js';
import type { LabelColumn, RowLabels } from './row-labels.js';

export type MatrixBatchLayout = 'fixed-size-list' | 'wide';

export interface MatrixBatchSpec {
  layout: MatrixBatchLayout;
  cols: number;
  dtype: 'float32' | 'float64';
  /** List column name (default 'row') or wide column names (default c0, c1, ...). */
  name?: string;
  names?: readonly string[];
  /** Extra leading Float64 column with the global row index of each row (the spill's `row`). */
  rowIndex?: boolean;
  /** A leading column naming each row (after `row` when `rowIndex`); `batch` then takes the labels. */
  label?: LabelColumn;
  metadata?: Readonly<Record<string, string>>;
}

export interface MatrixBatchBuilder {
  readonly schema: Schema;
  /** A batch of `rows` rows of `data` (packed row-major), rows numbered from `rowStart`. */
  batch(rowStart: number, rows: number, data: Float32Array | Float64Array, labels?: RowLabels): RecordBatch;
}

export function matrixBatch(spec: MatrixBatchSpec): MatrixBatchBuilder {
  const { cols, dtype } = spec;
  const floatType = (): DataType => (dtype === 'float32' ? new Float32() : new Float64());
  const fields: Field[] = [];
  if (spec.rowIndex === true) fields.push(new Field('row', new Float64(), false));
  const label = spec.label;
  if (label !== undefined) fields.push(new Field(label.name, label.kind === 'int64' ? new Int64() : new Utf8(), false));
  const names = spec.layout === 'wide'
    ? Array.from({ length: cols }, (_, j) => spec.names?.[j] ?? `c${j}`)
    : [spec.name ?? 'row'];
  const listType = new FixedSizeList(cols, new Field('item', floatType(), false));
  if (spec.layout === 'wide') for (const nm of names) fields.push(new Field(nm, floatType(), false));
  else fields.push(new Field(names[0]!, listType, false));
  const schema = new Schema(fields, new Map(Object.entries(spec.metadata ?? {})));
  const struct = new Struct(fields);
  return {
    schema,
    batch(rowStart, rows, data, labels) {
      const children: import('apache-arrow').Data[] = [];
      if (spec.rowIndex === true) {
        const idx = new Float64Array(rows);
        for (let i = 0; i < rows; i++) idx[i] = rowStart + i;
        children.push(makeData({ type: new Float64(), length: rows, data: idx, nullCount: 0 }));
      }
      if (label !== undefined) {
        if (labels === undefined || labels.length < rows) throw new ArgumentError(`matrixBatch: column "${label.name}" needs ${rows} labels at row ${rowStart}, got ${labels?.length ?? 0}`);
        children.push(labelData(label, labels, rows));
      }
      const packed = data.length === rows * cols ? data : data.subarray(0, rows * cols);
      if (spec.layout === 'wide') {
        for (let j = 0; j < cols; j++) {
          const col = dtype === 'float32' ? new Float32Array(rows) : new Float64Array(rows);
          for (let i = 0; i < rows; i++) col[i] = packed[i * cols + j]!;
          children.push(makeData({ type: floatType() as Float64, length: rows, data: col as unknown as Float64Array, nullCount: 0 }));
        }
      } else {
        const values = (dtype === 'float32') === (packed instanceof Float32Array)
          ? packed
          : (dtype === 'float32' ? Float32Array.from(packed) : Float64Array.from(packed));
        const child = makeData({ type: floatType() as Float64, length: rows * cols, data: values as unknown as Float64Array, nullCount: 0 });
        children.push(makeData({ type: listType, length: rows, child, nullCount: 0 }));
      }
      return new RecordBatch(schema, makeData({ type: struct, length: rows, children, nullCount: 0 }));
    },
  };
}

/** The first `rows` labels as an Arrow Int64 or Utf8 column. */
function labelData(label: LabelColumn, labels: RowLabels, rows: number): import('apache-arrow').Data {
  if (label.kind === 'int64') {
    if (!(labels instanceof BigInt64Array)) throw new ArgumentError(`matrixBatch: column "${label.name}" holds int64 labels, got strings`);
    return makeData({ type: new Int64(), length: rows, data: labels.subarray(0, rows), nullCount: 0 });
  }
  if (labels instanceof BigInt64Array) throw new ArgumentError(`matrixBatch: column "${label.name}" holds string labels, got int64`);
  const enc = new TextEncoder();
  const parts = new Array<Uint8Array>(rows);
  const offsets = new Int32Array(rows + 1);
  for (let i = 0; i < rows; i++) { parts[i] = enc.encode(labels[i]!); offsets[i + 1] = offsets[i]! + parts[i]!.length; }
  const bytes = new Uint8Array(offsets[rows]!);
  for (let i = 0; i < rows; i++) bytes.set(parts[i]!, offsets[i]!);
  return makeData({ type: new Utf8(), length: rows, valueOffsets: offsets, data: bytes, nullCount: 0 });
}
