/**
 * What names the rows of a factor in the output set (output-set.ts `labels`): the input's row ids
 * beside U (`--id-column`, id-spill.ts), the input's column names beside V. Table formats write
 * them as the factor's first column; `.npy` has no such column, so they go to a side file of the
 * set: `PREFIX.<side>.npy` (int64) or `PREFIX.<side>.json` (a JSON array of strings).
 */
import type { LabelColumn, RowLabels } from '../sinks/row-labels.js';

export interface FactorLabels {
  readonly column: LabelColumn;
  /** The side file's name with .npy output: `ids`, `features`. */
  readonly side: string;
  /** The labels of rows `from` to `from + rows`; rows are asked for in order, each once. */
  take(from: number, rows: number): RowLabels;
}

/** V's label column: the input's column names. */
export const FEATURE_COLUMN: LabelColumn = { name: 'feature', kind: 'string' };

/** Labels known whole (column names). */
export function fixedLabels(column: LabelColumn, side: string, labels: readonly string[]): FactorLabels {
  return { column, side, take: (from, rows) => labels.slice(from, from + rows) };
}
