/**
 * Labels of the rows of a factor: the input's row ids beside U (`--id-column`), the input's column
 * names beside V. Integer ids travel as int64 (every Arrow and Parquet integer type fits, except
 * uint64 values above 2^63 - 1, which the sources refuse), text ids and names as strings.
 */
import type { RowLabels } from '../types.js';

export type { RowLabels };

export interface LabelColumn {
  /** The column's name in the output (the input's id column name, or `feature`). */
  readonly name: string;
  readonly kind: 'int64' | 'string';
}

/** Labels `from` to `from + rows` of `labels`, as a view where possible. */
export function sliceLabels(labels: RowLabels, from: number, rows: number): RowLabels {
  return labels instanceof BigInt64Array ? labels.subarray(from, from + rows) : labels.slice(from, from + rows);
}
