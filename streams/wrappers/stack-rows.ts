/**
 * Several replayable sources stacked by rows, in the order given: the rows of the second follow
 * the last row of the first (global row numbers continue). The inputs of one matrix must have the
 * same row length; the first one's element type, layout and column names describe the stack.
 * Statistics are the stack's own (`stats`: a caller that streams the rows elsewhere, such as the
 * client of `approx --distributed`, fills them from the shards' reports).
 */
import { concat, concatMap, defer, map } from 'rxjs';
import { SourceError } from '../../src/internals.js';
import { emptyStats, type MeasuredSource, type SourceInfo, type SourceStats } from '../types.js';

/** A source whose statistics its owner may fill (see the file comment). */
export interface StackedSource extends MeasuredSource {
  readonly stats: SourceStats;
}

export function stackRows(sources: readonly MeasuredSource[]): StackedSource {
  if (sources.length === 0) throw new SourceError('stackRows: no sources');
  const stats = emptyStats();
  let infos: Promise<SourceInfo[]> | undefined;
  const all = (): Promise<SourceInfo[]> => (infos ??= Promise.all(sources.map((s) => s.info())).then((list) => {
    for (const i of list) {
      if (i.rows === undefined) throw new SourceError(`${i.where}: its row count is not known from its header; stacked inputs need files whose rows are known`);
      if (i.cols !== list[0].cols) throw new SourceError(`${i.where} has ${i.cols} columns, ${list[0].where} has ${list[0].cols}: the inputs of one matrix must have the same columns`);
    }
    return list;
  }));
  return {
    replayable: sources.every((s) => s.replayable),
    stats,
    info: async () => {
      const list = await all();
      return { ...list[0], rows: list.reduce((t, i) => t + i.rows!, 0), where: list.map((i) => i.where).join(' + ') };
    },
    open: () => defer(() => all()).pipe(concatMap((list) => concat(...sources.map((s, k) => {
      const offset = list.slice(0, k).reduce((t, i) => t + i.rows!, 0);
      return s.open().pipe(map((b) => (offset === 0 ? b : { ...b, rowStart: b.rowStart + offset })));
    })))),
  };
}
