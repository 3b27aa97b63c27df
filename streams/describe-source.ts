/**
 * What the CLI's `inspect` prints about an input: shape, layout, dtype, batches / row groups,
 * column names (and the columns that would be refused, with their types), without reading data
 * (except for stdin/tcp, where the schema message is read).
 */
import type { SourceOptions } from './sources/source-options.js';
import type { SourceInfo } from './types.js';

export interface SourceDescription extends SourceInfo {
  readonly format: 'npy' | 'arrow-file' | 'arrow-stream' | 'parquet' | 'synthetic';
  readonly replayable: boolean;
  /** Every column of a table with its type, and whether it is part of the matrix. */
  readonly fields?: readonly { name: string; type: string; numeric: boolean; used: boolean }[];
  /** Bytes on disk, for files. */
  readonly bytes?: number;
}

export function describeSource(spec: string, opts: SourceOptions = {}): Promise<SourceDescription> {
  void spec; void opts;
  throw new Error('describeSource: not implemented yet');
}
