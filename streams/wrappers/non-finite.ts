/**
 * `withNonFinite(source, opts)`: the non-finite policy over any decoded source, the one place where
 * blocks are checked (validate-block.ts: one WebAssembly pass per block). 'error' fails on the first
 * NaN / Inf / null with its global row, column and place; 'skip' drops such rows and renumbers the
 * rest so `rowStart` stays contiguous; 'zero' zeroes the values. The wrapper owns the pass's
 * counters (`stats`: blocks, rows read and emitted, skipped, zeroed), reset when a pass starts.
 *
 * Messages word a block of a column stream as columns of A (`column 3: value at row 9 is NaN`) and
 * quote a wide table's column name when the source knows it (`columnNames`).
 */
import { Observable } from 'rxjs';
import type { Orientation, RowBlock } from '../types.js';
import type { DecodedSource } from '../sources/decoder.js';
import { emptyStats, type MeasuredSource, type NonFinitePolicy } from '../sources/source-options.js';
import { createBlockValidator, type BlockValidator } from '../validate-block.js';

export interface NonFiniteOptions {
  /** Default 'error'. */
  readonly policy?: NonFinitePolicy;
  /** Wording of messages: a row of A^T is a column of A (default 'rows'). */
  readonly orientation?: Orientation;
}

export type ValidatedSource = MeasuredSource & { readonly where: string; readonly columnNames?: readonly string[] | undefined };

export function withNonFinite(source: DecodedSource, opts: NonFiniteOptions = {}): ValidatedSource {
  const stats = emptyStats();
  const policy = opts.policy ?? 'error';
  const columns = opts.orientation === 'columns';
  return {
    get replayable() { return source.replayable; },
    get where() { return source.where; },
    get columnNames() { return source.columnNames; },
    stats,
    info: () => source.info(),
    open: () => new Observable<RowBlock>((sub) => {
      // The counters are reset when a pass starts, not by an open() that is refused at once (the
      // second open() of a one-shot source keeps the counts of the pass that was made).
      let started = false, subscribing = true;
      const start = (): void => { if (!started) { started = true; Object.assign(stats, emptyStats()); } };
      // One validator per pass (it numbers the emitted rows), made for the width of the first block.
      let validate: BlockValidator | null = null;
      const inner = source.open().subscribe({
        next: (b) => {
          start();
          validate ??= createBlockValidator({
            cols: b.cols, nonFinite: policy, where: source.where, stats,
            ...(opts.orientation !== undefined ? { orientation: opts.orientation } : {}),
            names: () => (columns ? undefined : source.columnNames),
          });
          let out: RowBlock | null;
          try { out = validate(b.rowStart, b.rows, b.data, b.ids); } catch (e) { sub.error(e); return; }
          if (out !== null) sub.next(out);
        },
        error: (e: unknown) => { if (!subscribing) start(); sub.error(e); },
        complete: () => { start(); sub.complete(); },
      });
      subscribing = false;
      return inner;
    }),
  };
}
