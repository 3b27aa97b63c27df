/**
 * The range-row spill of a single-pass run that must write U [ALGORITHMS.md §6]: created lazily on
 * the first row (its width k is known only once the sketch has chosen its sizes), a temporary Arrow
 * IPC file (`createSpill` in streams/sinks) so that memory does not grow with the number of rows,
 * then replayed block by block to form U = Y uRight + 1 uShift with `applyRight`.
 *
 * It deliberately has no `forEachBlock`: `reconstruct` then does not form U whole in memory.
 *
 * WORKAROUND (marked): while `createSpill` is still a stub ('not implemented yet'), rows are kept in
 * a `memorySpill` instead (memory then grows with m; the JSON notes say so).
 */
import { lastValueFrom, tap } from 'rxjs';
import type { Matrix, Matrix64 } from '../../src/matrix.js';
import { memorySpill, type MemorySpill } from '../../src/sketch/memory-spill.js';
import type { RangeSpill } from '../../src/sketch/types.js';
import { createSpill, type Spill } from '../sinks/create-spill.js';

export interface CliRangeSpill extends RangeSpill {
  /** Visits the spilled rows in write order. */
  replay(visit: (rowStart: number, y: Matrix) => void): Promise<void>;
  /** True when the rows went to memory (the stub fallback). */
  readonly inMemory: boolean;
  dispose(): void;
}

export function createRangeSpill(tmpDir?: string): CliRangeSpill {
  let file: Spill | undefined;
  let mem: MemorySpill | undefined;
  const self: CliRangeSpill = {
    get inMemory() { return mem !== undefined; },
    write(rowStart: number, y: Matrix): void {
      if (file === undefined && mem === undefined) {
        try {
          file = createSpill({ cols: y.cols, dtype: 'float64', ...(tmpDir !== undefined ? { tmpDir } : {}) });
        } catch (e) {
          if (!(e instanceof Error && /not implemented/.test(e.message))) throw e;
          mem = memorySpill(); // WORKAROUND: see the file comment
        }
      }
      if (file !== undefined) file.write(rowStart, y);
      else mem!.write(rowStart, y);
    },
    async replay(visit) {
      if (mem !== undefined) {
        mem.forEachBlock((r0, y: Matrix64) => visit(r0, y));
        return;
      }
      if (file === undefined) return;
      file.finish();
      await lastValueFrom(file.readBlocks().pipe(tap((b) => visit(b.rowStart, { rows: b.rows, cols: b.cols, data: b.data, offset: 0, stride: b.cols }))), { defaultValue: undefined });
    },
    dispose() { file?.dispose(); },
  };
  return self;
}
