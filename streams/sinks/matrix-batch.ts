/**
 * Builds Arrow record batches from row-major blocks: one `FixedSizeList<Float>[cols]` column (the
 * layout `fromArrowFile` reads zero-copy) or one Float column per matrix column (wide). The batch
 * wraps `data` without a copy in the list layout; callers that reuse `data` must pass a copy.
 */
import {
  Field, FixedSizeList, Float32, Float64, makeData, RecordBatch, Schema, Struct, type DataType,
} from 'apache-arrow';

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
  metadata?: Readonly<Record<string, string>>;
}

export interface MatrixBatchBuilder {
  readonly schema: Schema;
  /** A batch of `rows` rows of `data` (packed row-major), rows numbered from `rowStart`. */
  batch(rowStart: number, rows: number, data: Float32Array | Float64Array): RecordBatch;
}

export function matrixBatch(spec: MatrixBatchSpec): MatrixBatchBuilder {
  const { cols, dtype } = spec;
  const floatType = (): DataType => (dtype === 'float32' ? new Float32() : new Float64());
  const fields: Field[] = [];
  if (spec.rowIndex === true) fields.push(new Field('row', new Float64(), false));
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
    batch(rowStart, rows, data) {
      const children: import('apache-arrow').Data[] = [];
      if (spec.rowIndex === true) {
        const idx = new Float64Array(rows);
        for (let i = 0; i < rows; i++) idx[i] = rowStart + i;
        children.push(makeData({ type: new Float64(), length: rows, data: idx, nullCount: 0 }));
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
