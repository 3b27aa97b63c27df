/**
 * A Parquet file as a source: the format decoder (`parquetDecoder`, parquet-decoder.ts: it only
 * decodes, and is what a decode worker runs) with the standard composition around it
 * (compose-source.ts: orientation 'columns', `decodeWorker`, the non-finite policy, the empty check).
 */
import { composeSource } from '../wrappers/compose-source.js';
import { parquetDecoder } from './parquet-decoder.js';
import { decodeOptionsOf, type MeasuredSource, type SourceOptions } from './source-options.js';

export { parquetDecoder };

/** A Parquet file: the decoder with the standard composition (compose-source.ts). */
export function fromParquet(path: string, opts: SourceOptions = {}): MeasuredSource {
  return composeSource(parquetDecoder(path, decodeOptionsOf(opts)), opts);
}
