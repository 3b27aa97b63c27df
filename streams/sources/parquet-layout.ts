/**
 * How a Parquet schema holds a matrix (the Parquet twin of `arrowLayout`):
 * - 'parquet-wide': one numeric top-level column per matrix column (INT32, INT64, FLOAT, DOUBLE,
 *   with no date / time / timestamp / decimal / interval annotation, or a FLOAT16), chosen with
 *   `columns` / `exclude`;
 * - 'parquet-list': one LIST (or bare repeated) column of FLOAT or DOUBLE holding each row, used when
 *   `listColumn` names it or when it is the only column left after `exclude`.
 * Anything else used as a matrix column is refused with its type and how to exclude it.
 */
import type { FileMetaData, SchemaTree } from 'hyparquet';
import { parquetSchema } from 'hyparquet';
import { ArgumentError, FormatError } from '../../src/internals.js';
import type { SourceOptions } from './source-options.js';

export interface ParquetFieldInfo {
  readonly name: string;
  readonly type: string;
  readonly numeric: boolean;
  readonly used: boolean;
}

export interface ParquetLayout {
  readonly kind: 'parquet-wide' | 'parquet-list';
  /** Matrix columns (wide) or the one list column. */
  readonly columns: readonly string[];
  /** Row length (wide: number of columns; list: -1 until the first row group is read). */
  cols: number;
  readonly dtype: 'float32' | 'float64';
  readonly fields: readonly ParquetFieldInfo[];
  /** The id column (`idColumn`), not a matrix column: its name and how its ids travel. */
  readonly id?: { readonly name: string; readonly kind: 'int64' | 'string' };
}

const NON_NUMERIC_ANNOTATIONS = new Set([
  'DATE', 'TIME_MILLIS', 'TIME_MICROS', 'TIMESTAMP_MILLIS', 'TIMESTAMP_MICROS', 'DECIMAL', 'INTERVAL',
  'TIME', 'TIMESTAMP', 'UTF8', 'STRING', 'ENUM', 'JSON', 'BSON', 'UUID',
]);

function annotation(t: SchemaTree): string | undefined {
  const lt = t.element.logical_type as { type: string } | undefined;
  return lt?.type ?? t.element.converted_type;
}

function describeType(t: SchemaTree): string {
  const e = t.element;
  const ann = annotation(t);
  if (t.children.length > 0) {
    if (ann === 'LIST') {
      const leaf = listLeaf(t);
      return `LIST<${leaf !== undefined ? describeType(leaf) : '?'}>`;
    }
    return ann !== undefined ? `group (${ann})` : 'group (struct)';
  }
  const base = e.repetition_type === 'REPEATED' ? `repeated ${e.type}` : String(e.type);
  return ann !== undefined ? `${base} (${ann})` : base;
}

function isNumericLeaf(t: SchemaTree): boolean {
  const e = t.element;
  if (t.children.length > 0 || e.repetition_type === 'REPEATED') return false;
  const ann = annotation(t);
  // FLOAT16 is a 2-byte FIXED_LEN_BYTE_ARRAY that hyparquet decodes to numbers.
  if (e.type === 'FIXED_LEN_BYTE_ARRAY') return ann === 'FLOAT16';
  if (e.type !== 'INT32' && e.type !== 'INT64' && e.type !== 'FLOAT' && e.type !== 'DOUBLE') return false;
  return ann === undefined || !NON_NUMERIC_ANNOTATIONS.has(ann);
}

/** The element of a LIST group (3-level or 2-level encoding), or of a bare repeated primitive. */
function listLeaf(t: SchemaTree): SchemaTree | undefined {
  if (t.children.length === 0) return t.element.repetition_type === 'REPEATED' ? t : undefined;
  if (annotation(t) !== 'LIST' || t.children.length !== 1) return undefined;
  const rep = t.children[0]!;
  if (rep.children.length === 0) return rep; // 2-level: repeated primitive
  if (rep.children.length === 1 && rep.children[0]!.children.length === 0) return rep.children[0];
  return undefined;
}

function floatList(t: SchemaTree): 'float32' | 'float64' | null {
  const leaf = listLeaf(t);
  if (leaf === undefined || leaf.children.length > 0) return null;
  const ann = annotation(leaf);
  if (ann !== undefined && NON_NUMERIC_ANNOTATIONS.has(ann)) return null;
  return leaf.element.type === 'FLOAT' ? 'float32' : leaf.element.type === 'DOUBLE' ? 'float64' : null;
}

/** Every top-level column with its type and whether it could be a matrix column (never throws). */
export function parquetFields(metadata: FileMetaData): ParquetFieldInfo[] {
  return parquetSchema(metadata).children.map((t) => ({
    name: t.element.name, type: describeType(t), numeric: isNumericLeaf(t), used: false,
  }));
}

export function parquetLayout(metadata: FileMetaData, opts: SourceOptions, where: string): ParquetLayout {
  const top = parquetSchema(metadata).children;
  const names = top.map((c) => c.element.name);
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
  let id: ParquetLayout['id'];
  if (opts.idColumn !== undefined) {
    const name = opts.idColumn;
    if (opts.columns?.includes(name) === true || opts.listColumn === name) {
      throw new ArgumentError(`column "${name}" is the id column (--id-column) and cannot also be a matrix column (in ${where})`);
    }
    excluded.add(name);
    const t = top.find((c) => c.element.name === name)!;
    const kind = idKind(t);
    if (kind === null) throw new FormatError(`--id-column "${name}" has type ${describeType(t)}, expected an integer or string column (in ${where})`);
    id = { name, kind };
  }
  const withId = <T extends object>(x: T): T => (id !== undefined ? { ...x, id } : x);
  const candidates = opts.columns !== undefined
    ? opts.columns.map((c) => top.find((t) => t.element.name === c)!)
    : top.filter((t) => !excluded.has(t.element.name));
  const fields = (used: readonly SchemaTree[]): ParquetFieldInfo[] => top.map((t) => ({
    name: t.element.name, type: describeType(t), numeric: isNumericLeaf(t), used: used.includes(t),
  }));

  let list: SchemaTree | undefined;
  if (opts.listColumn !== undefined) list = top.find((t) => t.element.name === opts.listColumn);
  else if (candidates.length === 1 && listLeaf(candidates[0]!) !== undefined) list = candidates[0];
  if (list !== undefined) {
    const childType = floatList(list);
    if (childType === null) {
      throw new FormatError(`column "${list.element.name}" has type ${describeType(list)}, expected a numeric type or a LIST of FLOAT or DOUBLE (exclude it with --exclude ${list.element.name}) (in ${where})`);
    }
    return withId({ kind: 'parquet-list', columns: [list.element.name], cols: -1, dtype: opts.dtype ?? childType, fields: fields([list]) });
  }
  if (candidates.length === 0) {
    throw new FormatError(`${where} has no columns to read${excluded.size > 0 ? ' after --exclude' : ''}`);
  }
  for (const t of candidates) {
    if (!isNumericLeaf(t)) {
      const name = t.element.name;
      const hint = floatList(t) !== null
        ? `(read each row from it with --list-column ${name}, or exclude it with --exclude ${name})`
        : `(exclude it with --exclude ${name})`;
      throw new FormatError(`column "${name}" has type ${describeType(t)}, expected a numeric type ${hint} (in ${where})`);
    }
  }
  const allFloat = candidates.every((t) => t.element.type === 'FLOAT' || annotation(t) === 'FLOAT16');
  return withId({
    kind: 'parquet-wide',
    columns: candidates.map((t) => t.element.name),
    cols: candidates.length,
    dtype: opts.dtype ?? (allFloat ? 'float32' : 'float64'),
    fields: fields(candidates),
  });
}

/** Ids a column can hold: integers (INT32, INT64, with no date / time / decimal annotation) or UTF8 text. */
function idKind(t: SchemaTree): 'int64' | 'string' | null {
  const e = t.element;
  if (t.children.length > 0 || e.repetition_type === 'REPEATED') return null;
  const ann = annotation(t);
  if (e.type === 'INT32' || e.type === 'INT64') return ann === undefined || !NON_NUMERIC_ANNOTATIONS.has(ann) ? 'int64' : null;
  if (e.type === 'BYTE_ARRAY' && (ann === 'UTF8' || ann === 'STRING')) return 'string';
  return null;
}

/**
 * Every row group must store each matrix column with the physical type the schema declares:
 * hyparquet decodes a column chunk by the type in ITS metadata, so a row group whose chunk says
 * DOUBLE (or INT64) under a FLOAT (INT32) schema would be read as values of another type than the
 * other row groups, silently. Refused naming the row group, the column and both types.
 */
export function checkRowGroupTypes(metadata: FileMetaData, layout: ParquetLayout, where: string): void {
  const tree = parquetSchema(metadata);
  const leafType = (path: readonly string[]): string | undefined => {
    let t: SchemaTree | undefined = tree;
    for (const name of path) t = t?.children.find((c) => c.element.name === name);
    return t !== undefined && t.children.length === 0 ? String(t.element.type) : undefined;
  };
  const used = new Set(layout.columns);
  metadata.row_groups.forEach((g, gi) => {
    for (const chunk of g.columns) {
      const meta = chunk.meta_data;
      if (meta === undefined || !used.has(meta.path_in_schema[0]!)) continue;
      const want = leafType(meta.path_in_schema);
      if (want === undefined) {
        throw new FormatError(`${where}: row group ${gi} has a column chunk at "${meta.path_in_schema.join('.')}", which is not a leaf of the schema: the footer is inconsistent`);
      }
      if (String(meta.type) !== want) {
        throw new FormatError(`${where}: row group ${gi} stores column "${meta.path_in_schema.join('.')}" as ${String(meta.type)}, expected ${want} as the schema declares: the row groups disagree on the column's type`);
      }
    }
  });
}
