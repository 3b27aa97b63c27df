/**
 * A decoded source over a stream that can be read once (stdin, a socket): `info()` may be called any
 * number of times (it reads the schema once), `open()` once; a second `open()` errors with a
 * SourceError that says why and what to do instead.
 */
import { throwError } from 'rxjs';
import { SourceError } from '../../src/internals.js';
import type { RowBlock } from '../types.js';
import type { ArrowStreamSession } from './arrow-stream-session.js';
import type { DecodedSource } from './decoder.js';
import { pullBlocks } from '../pull-blocks.js';

export function oneShotSource(session: ArrowStreamSession, where: string): DecodedSource & { destroy(): void } {
  let opened = false;
  return {
    replayable: false,
    where,
    get columnNames() { return session.columnNames; },
    info: () => session.info(),
    open: () => {
      if (opened) {
        return throwError(() => new SourceError(
          `${where} is a one-shot source and was already read; it cannot be replayed for a second pass ` +
          `(write it to a file first, or use a single-pass method)`,
        ));
      }
      opened = true;
      return pullBlocks<RowBlock>((emit, signal) => session.run(emit, signal));
    },
    destroy: () => session.destroy(),
  };
}
