/**
 * The range-row spill of a single-pass run that must write U [docs/METHODS.md §6]: created lazily on
 * the first row (its width k is known only once the sketch has chosen its sizes), a temporary Arrow
 * IPC file (`createSpill` in streams/sinks) so that memory does not grow with the number of rows,
 * then replayed block by block to form U = Y uRight + 1 uShift with `applyRight`.
 *
 * It deliberately has no `forEachBlock`: `reconstruct` then does not form U whole in memory.
 *
 * A checkpointed run (`--checkpoint DIR`) passes `durable`: the spill is then an Arrow IPC stream in
 * DIR that the checkpoint makes durable (`sync`) and a resumed run cuts back and appends to; it says
 * which rows it holds (`covered`), so U is refused if rows are missing from it.
 */
import { lastValueFrom, tap } from 'rxjs';
import type { Matrix } from '../../src/internals.js';
import type { RangeSpill } from '../../src/internals.js';
import { createSpill, type Spill } from '../sinks/create-spill.js';

export interface DurableSpillOptions {
  readonly path: string;
  /** The checkpoint's spill position: its rows [0, rows) fill `bytes` bytes of the file. */
  readonly resume?: { bytes: number; rows: number; cols: number };
}

export interface CliRangeSpill extends RangeSpill {
  /** Visits the spilled rows in write order. */
  replay(visit: (rowStart: number, y: Matrix) => void): Promise<void>;
  dispose(): void;
  /** Durable spills: fsync and the position (bytes and rows; 0 and 0 before the first row). */
  sync(): { bytes: number; rows: number };
  covered(): number[];
}

export function createRangeSpill(tmpDir?: string, durable?: DurableSpillOptions): CliRangeSpill {
  let file: Spill | undefined;
  const open = (cols: number): Spill => createSpill({
    cols, dtype: 'float64', ...(tmpDir !== undefined ? { tmpDir } : {}),
    ...(durable !== undefined ? { durable: { path: durable.path, ...(durable.resume !== undefined ? { resume: durable.resume } : {}) } } : {}),
  });
  // Resuming: the file is opened (and cut back) now, so that a foreign spill is refused before reading.
  if (durable?.resume !== undefined && durable.resume.rows > 0) file = open(durable.resume.cols);
  let covered: number[] = durable?.resume !== undefined && durable.resume.rows > 0 ? [0, durable.resume.rows] : [];
  return {
    write(rowStart: number, y: Matrix): void {
      file ??= open(y.cols);
      file.write(rowStart, y);
      const last = covered.length - 1;
      if (last > 0 && covered[last] === rowStart) covered[last] = rowStart + y.rows;
      else covered = [...covered, rowStart, rowStart + y.rows];
    },
    covered: () => covered.slice(),
    sync: () => (file?.sync !== undefined ? file.sync() : { bytes: 0, rows: 0 }),
    async replay(visit) {
      if (file === undefined) return;
      file.finish();
      await lastValueFrom(file.readBlocks().pipe(tap((b) => visit(b.rowStart, { rows: b.rows, cols: b.cols, data: b.data, offset: 0,
        stride: b.cols }))), { defaultValue: undefined });
    },
    dispose() { file?.dispose(); },
  };
}
