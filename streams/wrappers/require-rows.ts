/**
 * `requireRows(source)`: empty input is bad input. A pass that completes without emitting a row
 * errors with the place and what was expected; when the rows were all dropped by the non-finite
 * policy 'skip' (the source's `stats` say so), the message says that instead. Leave it out of the
 * composition (`allowEmpty`) to accept a zero-row matrix.
 */
import { Observable } from 'rxjs';
import { FormatError } from '../../src/internals.js';
import type { MeasuredSource } from '../sources/source-options.js';
import type { RowBlock } from '../types.js';

export function emptyInputError(where: string, rowsSkipped: number): FormatError {
  if (rowsSkipped > 0) {
    return new FormatError(`${where}: all ${rowsSkipped} rows had NaN, Inf or null values and were skipped; expected at least one row`);
  }
  return new FormatError(`${where} has no rows: expected at least one row (pass allowEmpty to accept an empty matrix)`);
}

export function requireRows<S extends MeasuredSource & { readonly where: string }>(source: S): S {
  const open = (): Observable<RowBlock> => new Observable<RowBlock>((sub) => {
    let rows = 0;
    return source.open().subscribe({
      next: (b) => { rows += b.rows; sub.next(b); },
      error: (e: unknown) => sub.error(e),
      complete: () => {
        if (rows > 0) sub.complete();
        else sub.error(emptyInputError(source.where, source.stats.rowsSkipped));
      },
    });
  });
  return new Proxy(source, { get: (t, k, r) => (k === 'open' ? open : Reflect.get(t, k, r) as unknown) });
}
