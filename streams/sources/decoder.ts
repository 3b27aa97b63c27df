/**
 * What a format decoder is: the part of a source that knows its format and nothing else. It turns
 * bytes into row blocks, numbered in input rows (`rowStart` counts every row the input holds), and
 * refuses what its format does not allow (a truncated file, a corrupt footer, a text column, a
 * ragged list row) with a FormatError / ShapeError naming the place. It does not look at the values
 * (NaN and Inf pass through), does not check that there are rows, does not transpose a row-major
 * format, and does not run on a worker: those compose around it (compose-source.ts, the wrappers
 * in streams/wrappers/), as RxJS operators compose around an Observable.
 */
import type { BlockSource } from '../types.js';
import type { DecodeOptions } from './source-options.js';

/** A decoded block stream, with what its wrappers may ask of it. */
export interface DecodedSource extends BlockSource {
  /** Place for messages (as `SourceInfo.where`), known without reading anything. */
  readonly where: string;
  /**
   * Names of the positions of a row (the columns of a wide table), quoted in messages; known once
   * the source has emitted its first block of a pass (undefined otherwise, or for list layouts).
   */
  readonly columnNames?: readonly string[] | undefined;
  /**
   * How many further emissions a block's data stays valid after its own `next` returned: 0 (the
   * default) when the buffer is reused at once, 1 when two buffers rotate (.npy with
   * `rotateBuffers`). The read-ahead wrapper defers a block only when this is at least 1.
   */
  readonly keepsBlocks?: number;
}

/** A serialisable recipe a decode worker rebuilds the decoder from (files only). */
export interface DecoderRecipe {
  readonly format: 'arrow-file' | 'parquet';
  readonly path: string;
  readonly opts: DecodeOptions;
}

export interface FormatDecoder {
  /** Place for messages: a path, `stdin`, `tcp://host:port`. */
  readonly where: string;
  /** A file can be read again (each `open()` of its sources reopens it); stdin and sockets cannot. */
  readonly replayable: boolean;
  /**
   * Row blocks of A. `naturalBlocks`: ignore `blockRows` and emit the format's own batches (or
   * about 4 MiB blocks), for a transposition that scans the rows whatever the column block size.
   */
  rows(naturalBlocks?: boolean): DecodedSource;
  /**
   * Row blocks of A^T read natively (Fortran and C order .npy; wide Parquet, one column chunk per
   * row of A^T), or null when the format has no such path (then the rows are transposed).
   */
  columns?(): Promise<DecodedSource | null>;
  /** Present when the rows can be decoded on a worker thread (Arrow IPC files, Parquet). */
  readonly recipe?: DecoderRecipe;
}
