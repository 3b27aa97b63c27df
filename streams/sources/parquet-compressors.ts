/**
 * hyparquet-compressors' decompressors (snappy, gzip, brotli, zstd, lz4, lz4_raw), each guarded for
 * the empty page: a data page v2 may hold zero compressed bytes for zero values
 * (parquet-testing `datapage_v2_empty_datapage.snappy.parquet`), which the codecs reject as a
 * malformed header. An empty input with an expected output of 0 bytes decompresses to nothing.
 */
import type { Compressors } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { FormatError } from '../../src/internals.js';

const EMPTY = new Uint8Array(0);

export const parquetCompressors: Compressors = Object.fromEntries(
  Object.entries(compressors as Compressors).map(([codec, fn]) => [
    codec,
    (input: Uint8Array, outputLength: number): Uint8Array =>
      input.length === 0 && outputLength === 0 ? EMPTY : fn!(input, outputLength),
  ]),
) as Compressors;

/**
 * The decompressors with a cap on what a page may declare it decompresses to: a corrupt or hostile
 * page header that asks for gigabytes is refused before the codec allocates them.
 */
export function cappedCompressors(cap: number, where: string, hint: string): Compressors {
  return Object.fromEntries(
    Object.entries(parquetCompressors).map(([codec, fn]) => [
      codec,
      (input: Uint8Array, outputLength: number): Uint8Array => {
        if (!(outputLength >= 0) || outputLength > cap) {
          throw new FormatError(`${where}: a ${codec} page declares ${outputLength} bytes once decompressed, more than the cap of ${cap} bytes (${hint})`);
        }
        return fn!(input, outputLength);
      },
    ]),
  ) as Compressors;
}
