/**
 * How an Arrow schema holds a matrix, and how to turn one record batch into a packed row-major
 * block. Shared by the IPC file and stream sources and by the spill.
 *
 * - 'fixed-size-list': one `FixedSizeList<Float32|Float64>[n]` column: the child buffer is the
 *   row-major block, returned as a view (zero-copy; the fast path).
 * - 'list': one `List|LargeList<Float32|Float64>` column: a view too when every row has n values
 *   (checked from the offsets: `row 17 has 255 values, expected 256`).
 * - 'wide-table': one numeric column (Int8..Int64, Uint8..Uint64, Float32, Float64) per matrix
 *   column, interleaved into a scratch buffer that is reused from batch to batch.
 *
 * Rule: a list layout is used when `listColumn` names it, or when the table (after `exclude`) has
 * exactly one column and it is a list; anything else is a wide table, whose columns must all be
 * numeric. Nulls become NaN (then `nonFinite` decides).
 */
import {
  DataType, Precision, Type, type Data, type Field, type RecordBatch, type Schema,
} from 'apache-arrow';
import { ArgumentError, FormatError, ShapeError } from '../../src/internals.js';
import { checkRowLengths } from '../check-row-lengths.js';
import { interleaveColumns } from './interleave-columns.js';
import type { SourceOptions } from './source-options.js';

export type ArrowLayoutKind = 'fixed-size-list' | 'list' | 'wide-table';

export interface ArrowFieldInfo {
  readonly name: string;
  readonly type: string;
  readonly numeric: boolean;
  readonly used: boolean;
}

export interface ArrowLayout {
  readonly kind: ArrowLayoutKind;
  /** Row length; for 'list' it is -1 until the first batch has been decoded. */
  cols: number;
  readonly dtype: 'float32' | 'float64';
  /** Wide tables: the matrix columns in order. */
  readonly names?: readonly string[];
  readonly fields: readonly ArrowFieldInfo[];
  /**
   * Packs the rows of `batch` (global input rows from `inputRow`) row-major: a view into the batch
   * when the layout allows, else into a scratch buffer that the next call overwrites.
   */
  decode(batch: RecordBatch, inputRow: number): Float32Array | Float64Array;
}

function isNumericType(t: DataType): boolean {
  if (DataType.isInt(t)) return true;
  return DataType.isFloat(t) && (t as unknown as { precision: Precision }).precision !== Precision.HALF;
}

function floatListChild(t: DataType): 'float32' | 'float64' | null {
  if (!(DataType.isFixedSizeList(t) || DataType.isList(t) || t.typeId === Type.LargeList)) return null;
  const child = (t.children[0] as Field).type;
  if (!DataType.isFloat(child)) return null;
  const p = (child as unknown as { precision: Precision }).precision;
  return p === Precision.SINGLE ? 'float32' : p === Precision.DOUBLE ? 'float64' : null;
}

function isList(t: DataType): boolean {
  return DataType.isFixedSizeList(t) || DataType.isList(t) || t.typeId === Type.LargeList;
}

function alloc(dtype: 'float32' | 'float64', n: number): Float32Array | Float64Array {
  return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

/** Every column with its type and whether it could be a matrix column (never throws). */
export function arrowFields(schema: Schema): ArrowFieldInfo[] {
  return fieldInfos(schema.fields, []);
}

export function arrowLayout(schema: Schema, opts: SourceOptions, where: string): ArrowLayout {
  const all = schema.fields;
  const names = all.map((f) => f.name);
  for (const c of [...(opts.columns ?? []), ...(opts.exclude ?? []), ...(opts.listColumn !== undefined ? [opts.listColumn] : [])]) {
    if (!names.includes(c)) {
      throw new ArgumentError(`column "${c}" not found in ${where}; its columns are: ${names.join(', ') || '(none)'}`);
    }
  }
  const excluded = new Set(opts.exclude ?? []);
  const candidates = opts.columns !== undefined
    ? opts.columns.map((c) => all.find((f) => f.name === c)!)
    : all.filter((f) => !excluded.has(f.name));

  let listField: Field | undefined;
  if (opts.listColumn !== undefined) listField = all.find((f) => f.name === opts.listColumn);
  else if (candidates.length === 1 && isList(candidates[0]!.type)) listField = candidates[0];

  if (listField !== undefined) {
    const childType = floatListChild(listField.type);
    if (childType === null) {
      throw new FormatError(`column "${listField.name}" has type ${String(listField.type)}, expected FixedSizeList<Float32|Float64> or List<Float32|Float64> (in ${where})`);
    }
    return listLayout(listField, all, childType, opts, where);
  }

  if (candidates.length === 0) {
    throw new FormatError(`${where} has no columns to read${excluded.size > 0 ? ' after --exclude' : ''}`);
  }
  for (const f of candidates) {
    if (!isNumericType(f.type)) {
      const half = DataType.isFloat(f.type) && (f.type as unknown as { precision: Precision }).precision === Precision.HALF;
      const hint = isList(f.type)
        ? `(read each row from it with --list-column ${f.name}, or exclude it with --exclude ${f.name})`
        : half ? `(Float16 is not supported: cast it to Float32, or exclude it with --exclude ${f.name})`
          : `(exclude it with --exclude ${f.name})`;
      throw new FormatError(`column "${f.name}" has type ${String(f.type)}, expected a numeric type ${hint} (in ${where})`);
    }
  }
  return wideLayout(candidates, all, opts, where);
}

function fieldInfos(all: readonly Field[], used: readonly Field[]): ArrowFieldInfo[] {
  return all.map((f) => ({ name: f.name, type: String(f.type), numeric: isNumericType(f.type), used: used.includes(f) }));
}

function listLayout(
  field: Field, all: readonly Field[], childType: 'float32' | 'float64', opts: SourceOptions, where: string,
): ArrowLayout {
  const fixed = DataType.isFixedSizeList(field.type);
  const dtype = opts.dtype ?? childType;
  const index = all.indexOf(field);
  let scratch: Float32Array | Float64Array = alloc(dtype, 0);
  const layout: ArrowLayout = {
    kind: fixed ? 'fixed-size-list' : 'list',
    cols: fixed ? (field.type as unknown as { listSize: number }).listSize : -1,
    dtype,
    fields: fieldInfos(all, [field]),
    decode(batch, inputRow) {
      const d = batch.data.children[index] as Data;
      const rows = d.length;
      const child = d.children[0] as Data;
      let start: number;
      if (fixed) {
        start = child.offset + d.offset * layout.cols;
      } else {
        const offsets = d.valueOffsets as Int32Array | BigInt64Array;
        const o = offsets.subarray(d.offset, d.offset + rows + 1);
        if (layout.cols < 0) {
          if (rows === 0) return alloc(dtype, 0);
          layout.cols = Number(o[1]!) - Number(o[0]!);
          if (layout.cols === 0) throw new ShapeError(`row ${inputRow} has 0 values, expected at least 1 (in ${where})`);
        }
        checkRowLengths(o, rows, layout.cols, inputRow, where);
        start = child.offset + Number(o[0]!);
      }
      const n = layout.cols;
      const values = child.values as Float32Array | Float64Array;
      let out: Float32Array | Float64Array = values.subarray(start, start + rows * n);
      if (out.length < rows * n) {
        throw new FormatError(`${where}: a record batch at row ${inputRow} has ${out.length} values for ${rows} rows of ${n}`);
      }
      const nullRows = d.nullCount > 0;
      const nullValues = child.nullCount > 0;
      if (childType !== dtype || nullRows || nullValues) {
        // Converting or marking nulls: work on our own copy, never on the batch (it may be shared).
        if (scratch.length < rows * n) scratch = alloc(dtype, rows * n);
        const s = scratch.subarray(0, rows * n);
        s.set(out);
        if (nullRows) for (let i = 0; i < rows; i++) if (!d.getValid(i)) s.fill(NaN, i * n, (i + 1) * n);
        if (nullValues) for (let t = 0; t < rows * n; t++) if (!child.getValid(start - child.offset + t)) s[t] = NaN;
        out = s;
      }
      return out;
    },
  };
  return layout;
}

function wideLayout(used: readonly Field[], all: readonly Field[], opts: SourceOptions, where: string): ArrowLayout {
  void where;
  const allFloat32 = used.every((f) => DataType.isFloat(f.type) && (f.type as unknown as { precision: Precision }).precision === Precision.SINGLE);
  const dtype = opts.dtype ?? (allFloat32 ? 'float32' : 'float64');
  const indices = used.map((f) => all.indexOf(f));
  const n = used.length;
  let scratch: Float32Array | Float64Array = alloc(dtype, 0);
  return {
    kind: 'wide-table',
    cols: n,
    dtype,
    names: used.map((f) => f.name),
    fields: fieldInfos(all, used),
    decode(batch) {
      const rows = batch.numRows;
      if (scratch.length < rows * n) scratch = alloc(dtype, rows * n);
      const out = scratch.subarray(0, rows * n);
      const cols = indices.map((c) => {
        const d = batch.data.children[c] as Data;
        return { values: d.values as ArrayLike<unknown>, start: d.offset };
      });
      interleaveColumns(cols, rows, out);
      for (let j = 0; j < n; j++) {
        const d = batch.data.children[indices[j]!] as Data;
        if (d.nullCount > 0) for (let i = 0; i < rows; i++) if (!d.getValid(i)) out[i * n + j] = NaN;
      }
      return out;
    },
  };
}
