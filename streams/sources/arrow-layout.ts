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
import type { RowLabels } from '../types.js';
import { checkRowLengths } from '../check-row-lengths.js';
import { interleaveColumns } from './interleave-columns.js';
import { halfToNumber } from './read-npy-header.js';
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
   * when the layout allows, else into a scratch buffer that the next call overwrites. A batch whose
   * schema or body does not match the layout is a FormatError naming the row.
   */
  decode(batch: RecordBatch, inputRow: number): Float32Array | Float64Array;
  /** The id column (`idColumn`), not a matrix column. */
  readonly id?: { readonly name: string; readonly kind: 'int64' | 'string' };
  /** The ids of the rows of `batch` (present with `id`); a null id is a FormatError naming the row. */
  decodeIds?(batch: RecordBatch, inputRow: number): RowLabels;
}

/**
 * Ints, floats (Float16 included: its values are converted, as Parquet's FLOAT16 is), and
 * dictionary-encoded columns of those (a numeric column a writer chose to dictionary-encode).
 */
function isNumericType(t: DataType): boolean {
  if (DataType.isDictionary(t)) return isNumericType((t as unknown as { dictionary: DataType }).dictionary);
  return DataType.isInt(t) || DataType.isFloat(t);
}

function isHalf(t: DataType): boolean {
  return DataType.isFloat(t) && (t as unknown as { precision: Precision }).precision === Precision.HALF;
}

function floatListChild(t: DataType): 'float32' | 'float64' | null {
  if (!(DataType.isFixedSizeList(t) || DataType.isList(t) || t.typeId === Type.LargeList)) return null;
  const child = (t.children[0] as Field).type;
  if (!DataType.isFloat(child)) return null;
  const p = (child as unknown as { precision: Precision }).precision;
  // Float16 children are converted to float32 (exact).
  return p === Precision.DOUBLE ? 'float64' : 'float32';
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
  const layout = withIds(layoutOf(schema, opts, where), schema, opts, where);
  const decode = layout.decode.bind(layout);
  layout.decode = (batch, inputRow) => {
    if (batch.schema !== schema) checkSameSchema(schema, batch.schema, where, inputRow);
    return decode(batch, inputRow);
  };
  return layout;
}

/**
 * A record batch must have the schema the input started with: an IPC stream may carry a new schema
 * message mid-stream (Arrow's reader then switches to it), and decoding its batches with the old
 * layout would read a FixedSizeList of 30 as rows of 20, silently.
 */
function checkSameSchema(expected: Schema, found: Schema, where: string, inputRow: number): void {
  const text = (f: Field): string => `"${f.name}" ${String(f.type)}`;
  const n = Math.max(expected.fields.length, found.fields.length);
  for (let i = 0; i < n; i++) {
    const e = expected.fields[i], f = found.fields[i];
    if (e !== undefined && f !== undefined && e.name === f.name && String(e.type) === String(f.type)) continue;
    throw new FormatError(
      `${where}: the schema changes at row ${inputRow}: column ${i} is ${f !== undefined ? text(f) : 'missing'}, ` +
      `expected ${e !== undefined ? text(e) : 'no such column'} as in the first schema (an Arrow IPC input must keep one schema)`,
    );
  }
}

function layoutOf(schema: Schema, opts: SourceOptions, where: string): ArrowLayout {
  const all = schema.fields;
  const names = all.map((f) => f.name);
  for (const c of [...(opts.columns ?? []), ...(opts.exclude ?? []), ...(opts.listColumn !== undefined ? [opts.listColumn] : []), ...(opts.idColumn !== undefined ? [opts.idColumn] : [])]) {
    if (!names.includes(c)) {
      throw new ArgumentError(`column "${c}" not found in ${where}; its columns are: ${names.join(', ') || '(none)'}`);
    }
    const at = names.flatMap((x, i) => (x === c ? [i] : []));
    if (at.length > 1) {
      throw new ArgumentError(`column name "${c}" appears ${at.length} times in ${where} (columns ${at.join(', ')}): it cannot choose a column; rename the columns, or leave out --columns / --exclude to use every column in order`);
    }
  }
  const excluded = new Set(opts.exclude ?? []);
  if (opts.idColumn !== undefined) {
    if (opts.columns?.includes(opts.idColumn) === true || opts.listColumn === opts.idColumn) {
      throw new ArgumentError(`column "${opts.idColumn}" is the id column (--id-column) and cannot also be a matrix column (in ${where})`);
    }
    excluded.add(opts.idColumn);
  }
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
      const hint = isList(f.type)
        ? `(read each row from it with --list-column ${f.name}, or exclude it with --exclude ${f.name})`
        : `(exclude it with --exclude ${f.name})`;
      throw new FormatError(`column "${f.name}" has type ${String(f.type)}, expected a numeric type ${hint} (in ${where})`);
    }
  }
  return wideLayout(candidates, all, opts, where);
}

/** A column whose values buffer holds the numbers themselves (not Float16 bits, not dictionary indices). */
function plain(t: DataType): boolean {
  return !isHalf(t) && !DataType.isDictionary(t);
}

/**
 * The numbers of `rows` values of a wide column from its offset: the values buffer itself, or, for
 * Float16 (bits in a Uint16Array) and dictionary-encoded columns (indices into a dictionary), a
 * decoded copy starting at 0.
 */
function plainValues(d: Data, rows: number, where: string, inputRow: number, name: string): ArrayLike<unknown> {
  if (plain(d.type)) return d.values as ArrayLike<unknown>;
  const out = new Float64Array(rows);
  if (isHalf(d.type)) {
    const bits = d.values as Uint16Array;
    for (let i = 0; i < rows; i++) out[i] = halfToNumber(bits[d.offset + i]!);
    return out;
  }
  const dict = (d.dictionary as unknown as { length: number; get(i: number): unknown } | undefined);
  if (dict === undefined) throw new FormatError(`${where}: the record batch at row ${inputRow} has no dictionary for column "${name}"`);
  const lookup = new Float64Array(dict.length);
  for (let k = 0; k < dict.length; k++) { const v = dict.get(k); lookup[k] = v === null || v === undefined ? NaN : Number(v as number | bigint); }
  const idx = d.values as ArrayLike<number | bigint>;
  for (let i = 0; i < rows; i++) {
    const k = Number(idx[d.offset + i]!);
    if (!(k >= 0 && k < lookup.length)) throw new FormatError(`${where}: row ${inputRow + i} of column "${name}" points to dictionary entry ${k}, but the dictionary has ${lookup.length}`);
    out[i] = lookup[k]!;
  }
  return out;
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
      const halfChild = isHalf(child.type);
      const values = child.values as Float32Array | Float64Array;
      // The batch's own field nodes say how many values its list column holds: exactly rows x n for a
      // FixedSizeList, else the body does not match the schema (a writer that changed the width, or
      // a corrupt message) and reading n per row would silently take the wrong values.
      if (fixed && child.length !== rows * n) {
        throw new FormatError(`${where}: the record batch at row ${inputRow} holds ${child.length} values in column "${field.name}" for ${rows} rows, expected ${rows * n} (${n} per row, as the schema says)`);
      }
      let out: Float32Array | Float64Array = values.subarray(start, start + rows * n);
      if (out.length < rows * n) {
        throw new FormatError(`${where}: the record batch at row ${inputRow} has ${out.length} values for ${rows} rows of ${n}`);
      }
      const nullRows = d.nullCount > 0;
      const nullValues = child.nullCount > 0;
      if (childType !== dtype || nullRows || nullValues || halfChild) {
        // Converting or marking nulls: work on our own copy, never on the batch (it may be shared).
        if (scratch.length < rows * n) scratch = alloc(dtype, rows * n);
        const s = scratch.subarray(0, rows * n);
        if (halfChild) for (let t = 0; t < rows * n; t++) s[t] = halfToNumber(out[t]!);
        else s.set(out);
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
  const allFloat32 = used.every((f) => DataType.isFloat(f.type) && (f.type as unknown as { precision: Precision }).precision !== Precision.DOUBLE);
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
    decode(batch, inputRow) {
      const rows = batch.numRows;
      if (scratch.length < rows * n) scratch = alloc(dtype, rows * n);
      const out = scratch.subarray(0, rows * n);
      const cols = indices.map((c, j) => {
        const d = batch.data.children[c] as Data;
        // A column shorter than the batch (a corrupt or inconsistent body) would read past its
        // values as NaN, and be blamed on the data: refuse it as what it is.
        if (d.length !== rows || (d.values as ArrayLike<unknown>).length < d.offset + rows) {
          throw new FormatError(`${where}: the record batch at row ${inputRow} has ${Math.min(d.length, (d.values as ArrayLike<unknown>).length - d.offset)} values in column "${used[j]!.name}" for ${rows} rows`);
        }
        return { values: plainValues(d, rows, where, inputRow, used[j]!.name), start: plain(d.type) ? d.offset : 0 };
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

/** The kind of ids a column holds: integers (any width, signed or not), text, or neither. */
function idKind(t: DataType): 'int64' | 'string' | null {
  if (DataType.isDictionary(t)) return idKind((t as unknown as { dictionary: DataType }).dictionary);
  if (DataType.isInt(t)) return 'int64';
  if (DataType.isUtf8(t) || t.typeId === Type.LargeUtf8) return 'string';
  return null;
}

const INT64_MAX = (1n << 63n) - 1n;

/** `idColumn`: the layout with the id column's kind and a decoder of each batch's ids. */
function withIds(layout: ArrowLayout, schema: Schema, opts: SourceOptions, where: string): ArrowLayout {
  const name = opts.idColumn;
  if (name === undefined) return layout;
  const index = schema.fields.findIndex((f) => f.name === name);
  const field = schema.fields[index]!;
  const kind = idKind(field.type);
  if (kind === null) {
    throw new FormatError(`--id-column "${name}" has type ${String(field.type)}, expected an integer or string column (in ${where})`);
  }
  return Object.assign(layout, {
    id: { name, kind },
    decodeIds(batch: RecordBatch, inputRow: number): RowLabels {
      const col = batch.getChildAt(index)!;
      const rows = batch.numRows;
      if (col.nullCount > 0) {
        for (let i = 0; i < rows; i++) {
          if (!col.isValid(i)) throw new FormatError(`${where}: row ${inputRow + i}: the id in column "${name}" is null; expected an id for every row`);
        }
      }
      if (kind === 'string') return Array.from({ length: rows }, (_, i) => col.get(i) as string);
      const out = new BigInt64Array(rows);
      for (let i = 0; i < rows; i++) {
        const v = col.get(i) as number | bigint;
        const b = typeof v === 'bigint' ? v : BigInt(v);
        if (b > INT64_MAX) throw new FormatError(`${where}: row ${inputRow + i}: the id ${b} in column "${name}" is larger than int64 holds (2^63 - 1); expected ids that fit int64`);
        out[i] = b;
      }
      return out;
    },
  });
}
