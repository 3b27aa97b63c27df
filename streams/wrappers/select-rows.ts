/**
 * `selectRows(source, { start, end, offset })`: rows [start, end) of a source (its own numbering),
 * renumbered so that row `start` is global row `offset` — one shard of a matrix split across
 * processes (`rangefinder sketch --rows START:END --row-offset N`), whose sketches merge only when
 * every row carries its global number (the row-indexed maps are drawn from it: docs/METHODS.md §6).
 *
 * Blocks are cut by zero-copy views; once a block reaches `end` the pass completes and the upstream
 * is unsubscribed, which closes the file (the rows after `end` are never read). Rows before `start`
 * are read and dropped, unless the source was opened with `firstRow: start` and can seek (.npy).
 * `info()` reports the selected rows.
 */
import { Observable } from 'rxjs';
import type { MeasuredSource } from '../sources/source-options.js';
import type { RowBlock, SourceInfo } from '../types.js';

export interface RowSelection {
  /** First row of the source to keep (its own numbering). */
  start: number;
  /** One past the last row to keep (default: the end of the source). */
  end?: number;
  /** Global number of row `start` (default `start`). */
  offset?: number;
}

export function selectRows(source: MeasuredSource, sel: RowSelection): MeasuredSource {
  const { start } = sel, end = sel.end ?? Infinity, shift = (sel.offset ?? start) - start;
  return {
    get replayable() { return source.replayable; },
    get stats() { return source.stats; },
    info: async (): Promise<SourceInfo> => {
      const info = await source.info();
      if (info.rows === undefined) return info;
      return { ...info, rows: Math.max(0, Math.min(end, info.rows) - start) };
    },
    open: () => new Observable<RowBlock>((sub) => source.open().subscribe({
      next: (b) => {
        const lo = Math.max(start, b.rowStart), hi = Math.min(end, b.rowStart + b.rows);
        if (lo < hi) {
          const n = b.cols, at = lo - b.rowStart;
          sub.next({ rowStart: lo + shift, rows: hi - lo, cols: n, data: b.data.subarray(at * n, (at + hi - lo) * n) });
        }
        if (b.rowStart + b.rows >= end) sub.complete();
      },
      error: (e: unknown) => sub.error(e),
      complete: () => sub.complete(),
    })),
  };
}
