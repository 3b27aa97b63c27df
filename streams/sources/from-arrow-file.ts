/**
 * An Arrow IPC file as a source: the format decoder (`arrowFileDecoder`, arrow-file-decoder.ts: it only
 * decodes, and is what a decode worker runs) with the standard composition around it
 * (compose-source.ts: orientation 'columns', `decodeWorker`, the non-finite policy, the empty check).
 */
import { composeSource } from '../wrappers/compose-source.js';
import { arrowFileDecoder } from './arrow-file-decoder.js';
import { decodeOptionsOf, type MeasuredSource, type SourceOptions } from './source-options.js';

export { arrowFileDecoder };

/** An Arrow IPC file: the decoder with the standard composition (compose-source.ts). */
export function fromArrowFile(path: string, opts: SourceOptions = {}): MeasuredSource {
  return composeSource(arrowFileDecoder(path, decodeOptionsOf(opts)), opts);
}
