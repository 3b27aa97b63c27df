/**
 * `composeSource(decoder, opts)`: a format decoder (it only decodes: decoder.ts) with the concerns
 * every input shares composed around it, in this order:
 *
 *   rows:     decoder.rows() -> [onDecodeWorker] -> [readAhead] -> sameWidth -> withNonFinite -> [requireRows]
 *   columns:  decoder.columns() ?? transposed(decoder.rows()) -> sameWidth -> withNonFinite -> [requireRows]
 *
 * - orientation 'columns' uses the format's own column path when it has one (.npy, wide Parquet)
 *   and otherwise transposes its rows (one scan per block of columns); one-shot inputs refuse it;
 * - `decodeWorker` (files whose decoder has a recipe) decodes on a worker, `decodeAhead` blocks
 *   ahead; `readAhead` (default true) lets a decoder that rotates buffers read one block ahead;
 * - the non-finite policy (`nonFinite`) checks each block once, in one place, and owns `stats`;
 * - `requireRows` refuses an input with no rows unless `allowEmpty`.
 * `fromNpy`, `fromArrowFile`, ..., `openSource` and the CLI are this composition; a library user
 * can compose the wrappers differently (they take and give any block source).
 */
import type { DecodedSource, FormatDecoder } from '../sources/decoder.js';
import { checkDecodeAhead, DEFAULT_DECODE_AHEAD, onDecodeWorker, type WorkerDecodedSource } from '../sources/from-decode-worker.js';
import type { ComposeOptions, MeasuredSource } from '../sources/source-options.js';
import type { RowBlock, SourceInfo } from '../types.js';
import { withNonFinite, type ValidatedSource } from './non-finite.js';
import { readAhead } from './read-ahead.js';
import { requireRows } from './require-rows.js';
import { sameWidth } from './same-width.js';
import { oneShotColumnsError, transposed } from './transposed.js';
import { Observable } from 'rxjs';

export type ComposedSource = ValidatedSource & { readonly blocksPosted?: number };

export function composeSource(decoder: FormatDecoder, opts: ComposeOptions & { blockRows?: number } = {}): ComposedSource {
  const orientation = opts.orientation ?? 'rows';
  let base: DecodedSource;
  let worker: WorkerDecodedSource | null = null;
  if (orientation === 'rows') {
    base = decoder.rows();
    if (opts.decodeWorker === true && decoder.recipe !== undefined) {
      const ahead = opts.decodeAhead ?? DEFAULT_DECODE_AHEAD;
      checkDecodeAhead(ahead);
      base = worker = onDecodeWorker(decoder.recipe, base, ahead);
    }
    if (opts.readAhead !== false) base = readAhead(base);
  } else {
    if (!decoder.replayable) throw oneShotColumnsError();
    base = columnsOf(decoder, opts.blockRows);
  }
  const validated = withNonFinite(sameWidth(base), { policy: opts.nonFinite ?? 'error', orientation });
  const out: ComposedSource = opts.allowEmpty === true ? validated : requireRows(validated);
  if (worker === null) return out;
  const w = worker;
  return new Proxy(out, {
    get: (t, k, r) => (k === 'blocksPosted' ? w.blocksPosted : Reflect.get(t, k, r) as unknown),
    has: (t, k) => k === 'blocksPosted' || Reflect.has(t, k),
  });
}

/**
 * Rows of A^T: the decoder's own column path when it has one for this input (decided once, from
 * the first `info()` or `open()`), else its rows transposed.
 */
function columnsOf(decoder: FormatDecoder, blockRows: number | undefined): DecodedSource {
  let chosen: Promise<DecodedSource> | null = null;
  const choose = (): Promise<DecodedSource> => (chosen ??= (async () => {
    const native = decoder.columns === undefined ? null : await decoder.columns();
    return native ?? transposed(decoder.rows(true), blockRows);
  })());
  let current: DecodedSource | null = null;
  return {
    replayable: true,
    where: decoder.where,
    get columnNames() { return current?.columnNames; },
    get keepsBlocks() { return current?.keepsBlocks ?? 0; },
    info: async (): Promise<SourceInfo> => (current = await choose()).info(),
    open: () => new Observable<RowBlock>((sub) => {
      let inner: { unsubscribe(): void } | null = null;
      let closed = false;
      choose().then((s) => {
        current = s;
        if (!closed) inner = s.open().subscribe(sub);
      }, (e: unknown) => sub.error(e));
      return () => { closed = true; inner?.unsubscribe(); };
    }),
  };
}

export type { MeasuredSource };
