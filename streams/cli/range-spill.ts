/**
 * The range-row spill of a single-pass run that must write U [docs/METHODS.md §6]: created lazily on
 * the first row (its width k is known only once the sketch has chosen its sizes), a temporary Arrow
 * IPC file (`createSpill` in streams/sinks) so that memory does not grow with the number of rows,
 * then replayed block by block to form U = Y uRight + 1 uShift with `applyRight`.
 *
 * It deliberately has no `forEachBlock`: `reconstruct` then does not form U whole in memory.
 */
import { lastValueFrom, tap } from 'rxjs';
import type { Matrix } from '../../src/internals.js';
import type { RangeSpill } from '../../src/internals.js';
import { createSpill, type Spill } from '../sinks/create-spill.js';

export interface CliRangeSpill extends RangeSpill {
  /** Visits the spilled rows in write order. */
  replay(visit: (rowStart: number, y: Matrix) => void): Promise<void>;
  dispose(): void;
}

export function createRangeSpill(tmpDir?: string): CliRangeSpill {
  let file: Spill | undefined;
  return {
    write(rowStart: number, y: Matrix): void {
      file ??= createSpill({ cols: y.cols, dtype: 'float64', ...(tmpDir !== undefined ? { tmpDir } : {}) });
      file.write(rowStart, y);
    },
    async replay(visit) {
      if (file === undefined) return;
      file.finish();
      await lastValueFrom(file.readBlocks().pipe(tap((b) => visit(b.rowStart, { rows: b.rows, cols: b.cols, data: b.data, offset: 0,
        stride: b.cols }))), { defaultValue: undefined });
    },
    dispose() { file?.dispose(); },
  };
}
