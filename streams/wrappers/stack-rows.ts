/**
 * Several replayable sources stacked by rows, in the order given: the rows of the second follow
 * the last row the first emitted (global row numbers continue, also after rows dropped by
 * `--non-finite skip`). The inputs of one matrix must have the same row length and element type
 * (checked when the shape is first asked for, naming both files); the first one's layout and column
 * names describe the stack, and its `where` is the files joined by ` + `.
 *
 * Statistics are the sum of the sources' (a skipped row keeps its number in the stacked input: the
 * rows of the files before it are added), plus what the owner `report`s for rows streamed
 * elsewhere (the client of `approx --distributed` fills them from the shards).
 */
import { concat, concatMap, defer, map, Observable } from 'rxjs';
import { SourceError } from '../../src/internals.js';
import { emptyStats, type MeasuredSource, type RowBlock, type SourceInfo, type SourceStats } from '../types.js';

export interface StackedSource extends MeasuredSource {
  /** Adds counts of rows streamed elsewhere (their zeroed values, say) to `stats`. */
  report(extra: Partial<Pick<SourceStats, 'rowsZeroed' | 'valuesZeroed'>>): void;
}

export function stackRows(sources: readonly MeasuredSource[]): StackedSource {
  if (sources.length === 0) throw new SourceError('stackRows: no sources');
  let infos: Promise<SourceInfo[]> | undefined;
  let known: SourceInfo[] | undefined;
  const all = (): Promise<SourceInfo[]> => (infos ??= Promise.all(sources.map((s) => s.info())).then((list) => {
    for (const i of list) {
      if (i.rows === undefined) throw new SourceError(`${i.where}: its row count is not known from its header; inputs stacked by rows must be files whose rows are known`);
      if (i.cols !== list[0].cols) throw new SourceError(`${i.where} has ${i.cols} columns, ${list[0].where} has ${list[0].cols}: the inputs of one matrix must have the same columns`);
      if (i.dtype !== list[0].dtype) throw new SourceError(`${i.where} holds ${i.dtype}, ${list[0].where} holds ${list[0].dtype}: the inputs of one matrix must have the same element type`);
    }
    known = list;
    return list;
  }));
  const reported = { rowsZeroed: 0, valuesZeroed: 0 };
  return {
    replayable: sources.every((s) => s.replayable),
    get stats(): SourceStats {
      const out = emptyStats();
      let before = 0;
      sources.forEach((s, k) => {
        const st = s.stats;
        out.blocks += st.blocks; out.rowsRead += st.rowsRead; out.rowsEmitted += st.rowsEmitted; out.rowsSkipped += st.rowsSkipped;
        out.rowsZeroed += st.rowsZeroed; out.valuesZeroed += st.valuesZeroed;
        for (const r of st.skippedRows) out.skippedRows.push(r + before);
        before += known?.[k]?.rows ?? st.rowsRead;
      });
      out.rowsZeroed += reported.rowsZeroed;
      out.valuesZeroed += reported.valuesZeroed;
      return out;
    },
    report(extra) {
      reported.rowsZeroed += extra.rowsZeroed ?? 0;
      reported.valuesZeroed += extra.valuesZeroed ?? 0;
    },
    info: async () => {
      const list = await all();
      return { ...list[0], rows: list.reduce((t, i) => t + i.rows!, 0), where: list.map((i) => i.where).join(' + ') };
    },
    // Each source's rows are renumbered after the rows the sources before it emitted.
    open: () => defer(() => all()).pipe(concatMap(() => {
      let offset = 0;
      return concat(...sources.map((s) => defer(() => {
        const base = offset;
        return s.open().pipe(map((b): RowBlock => {
          offset = base + b.rowStart + b.rows;
          return base === 0 ? b : { ...b, rowStart: b.rowStart + base };
        }));
      })));
    })) as Observable<RowBlock>,
  };
}
