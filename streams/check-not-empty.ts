/**
 * Empty input is bad input: a source that reaches its end without emitting a row errors with the
 * place and what was expected, unless `allowEmpty` says a zero-row matrix is fine. A pass whose
 * rows were all dropped by `nonFinite: 'skip'` says so.
 */
import { FormatError } from '../src/internals.js';
import type { SourceOptions, SourceStats } from './sources/source-options.js';

export function checkNotEmpty(stats: SourceStats, where: string, opts: SourceOptions, signal?: AbortSignal): void {
  if (opts.allowEmpty === true || stats.rowsEmitted > 0 || signal?.aborted === true) return;
  if (stats.rowsSkipped > 0) {
    throw new FormatError(`${where}: all ${stats.rowsSkipped} rows had NaN, Inf or null values and were skipped; expected at least one row`);
  }
  throw new FormatError(`${where} has no rows: expected at least one row (pass allowEmpty to accept an empty matrix)`);
}
