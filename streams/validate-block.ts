/**
 * Validation at the boundary (docs/STYLE.md: check at the boundary, trust inside): the one place where
 * decoded blocks are checked for NaN, +-Inf and nulls (decoded as NaN), once per block, before
 * anything downstream sees them (the `withNonFinite` wrapper runs it over any source).
 *
 * The scan is one pass in WebAssembly SIMD (`hasNonFinite`, src/kernels/find-non-finite.ts: about
 * a memory copy, 3 to 10 GB/s) with no per-value TypeScript work; only a block that has a bad value
 * takes the slow path that finds its row and column. 'skip' compacts the block in place and 'zero'
 * overwrites in place: the block's buffer must be the source's own to change (decoded Arrow and
 * Parquet buffers are, and so are .npy's and the decode worker's).
 */
import { hasNonFinite } from '../src/internals.js';
import { NonFiniteError } from '../src/internals.js';
import { MAX_SKIPPED_RECORDED, type Orientation, type RowBlock, type RowLabels } from './types.js';
import type { NonFinitePolicy, SourceStats } from './sources/source-options.js';

export interface BlockValidatorOptions {
  readonly cols: number;
  readonly nonFinite: NonFinitePolicy;
  /** Place for messages: a path, `stdin`, `tcp://host:port`. */
  readonly where: string;
  /** Counters to update (rowsRead, rowsEmitted, rowsSkipped and skippedRows, rowsZeroed, valuesZeroed, blocks). */
  readonly stats: SourceStats;
  /** Wording of messages: a row of A^T is a column of A. Default 'rows'. */
  readonly orientation?: Orientation;
  /** Names of the positions within a row (wide tables), quoted in messages; read when a message is written. */
  readonly names?: readonly string[] | (() => readonly string[] | undefined);
}

/**
 * Validates one decoded block whose first row is input row `inputRow` (global, counted before any
 * skipping) and returns the block to emit, numbered in emitted rows, or `null` when every row was
 * skipped. Throws NonFiniteError under the 'error' policy.
 */
export type BlockValidator = (inputRow: number, rows: number, data: Float32Array | Float64Array, ids?: RowLabels) => RowBlock | null;

export function createBlockValidator(opts: BlockValidatorOptions): BlockValidator {
  const { cols, nonFinite, where, stats } = opts;
  const columns = opts.orientation === 'columns';
  // Emitted rows are numbered from the first block's row (0, or where a seeking decoder started:
  // `firstRow`), then contiguously (skipped rows renumber the rest).
  let emitted: number | null = null;

  const describe = (row: number, col: number, v: number): string => {
    const what = Number.isNaN(v) ? 'NaN (or null)' : v > 0 ? 'Infinity' : '-Infinity';
    const names = typeof opts.names === 'function' ? opts.names() : opts.names;
    const name = names?.[col] !== undefined ? ` ("${names[col]}")` : '';
    return columns
      ? `column ${row}: value at row ${col}${name} is ${what} (in ${where})`
      : `row ${row}: value at column ${col}${name} is ${what} (in ${where})`;
  };

  return (inputRow, rows, data, ids) => {
    let keptIds = ids;
    emitted ??= inputRow;
    const n = rows * cols;
    stats.rowsRead += rows;
    const bad = hasNonFinite(data, 0, n);
    let kept = rows;
    if (bad) {
      if (nonFinite === 'error') {
        for (let t = 0; t < n; t++) {
          const v = data[t]!;
          if (v - v !== 0) {
            const r = Math.floor(t / cols);
            throw new NonFiniteError(describe(inputRow + r, t - r * cols, v));
          }
        }
      } else if (nonFinite === 'zero') {
        for (let r = 0; r < rows; r++) {
          let hit = 0;
          const o = r * cols;
          for (let j = 0; j < cols; j++) {
            const v = data[o + j]!;
            if (v - v !== 0) { data[o + j] = 0; hit++; }
          }
          if (hit > 0) { stats.rowsZeroed++; stats.valuesZeroed += hit; }
        }
      } else {
        kept = 0;
        // The ids of the kept rows, in order (a skipped row takes its id with it).
        const idsOut: bigint[] | string[] | undefined = ids === undefined ? undefined : [];
        for (let r = 0; r < rows; r++) {
          const o = r * cols;
          let ok = true;
          for (let j = 0; j < cols; j++) {
            const v = data[o + j]!;
            if (v - v !== 0) { ok = false; break; }
          }
          if (!ok) {
            if (stats.skippedRows.length < MAX_SKIPPED_RECORDED) stats.skippedRows.push(inputRow + r);
            continue;
          }
          if (kept !== r) data.copyWithin(kept * cols, o, o + cols);
          if (idsOut !== undefined) (idsOut as unknown[]).push(ids![r]);
          kept++;
        }
        if (idsOut !== undefined) keptIds = ids instanceof BigInt64Array ? BigInt64Array.from(idsOut as bigint[]) : idsOut as string[];
        stats.rowsSkipped += rows - kept;
      }
    }
    if (kept === 0) return null;
    const block: RowBlock = {
      rowStart: emitted,
      rows: kept,
      cols,
      data: kept * cols === data.length ? data : data.subarray(0, kept * cols),
      ...(keptIds !== undefined ? { ids: keptIds } : {}),
    };
    emitted += kept;
    stats.rowsEmitted += kept;
    stats.blocks++;
    return block;
  };
}
