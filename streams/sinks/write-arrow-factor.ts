/**
 * Writes a factor as Arrow IPC, atomically (temp + rename).
 *
 * - layout 'fixed-size-list' (default): one `FixedSizeList<Float32|Float64>[cols]` column named
 *   `name` (default 'row'); a file that `fromArrowFile` reads back zero-copy;
 * - layout 'wide': one Float column per matrix column, named `names[j]` or `c0, c1, ...`.
 * Format 'file' (default, `.arrow`) or 'stream' (`.arrows`). Batches of `batchRows` rows (default
 * 65536). `metadata` goes into the schema (e.g. rank, seed, method).
 */
import type { Matrix } from '../../src/matrix.js';

export interface WriteArrowOptions {
  layout?: 'fixed-size-list' | 'wide';
  format?: 'file' | 'stream';
  name?: string;
  names?: readonly string[];
  dtype?: 'float32' | 'float64';
  batchRows?: number;
  metadata?: Readonly<Record<string, string>>;
}

export function writeArrowFactor(path: string, a: Matrix, opts: WriteArrowOptions = {}): Promise<void> {
  void path; void a; void opts;
  throw new Error('writeArrowFactor: not implemented yet');
}
