/**
 * `readAhead(source)`: lets the source read its next block while the consumer works on the current
 * one. The source's `next(block)` returns at once (so it issues its next read, a libuv thread-pool
 * job for a file), and the block reaches the consumer on the next turn of the event loop, or at
 * once when the source's next block arrives first. So at most one block waits, and the source reads
 * at most one block ahead of the consumer: the pull contract holds with a lag of one.
 *
 * It needs a block to stay valid one emission longer than the pull contract promises: a decoder
 * that rotates two buffers says so with `keepsBlocks >= 1` (.npy, the default composition). For
 * any other source the wrapper passes blocks through unchanged (copying would cost what it saves).
 * Unsubscribing drops the waiting block; an error or the end arrive after it.
 */
import { Observable } from 'rxjs';
import type { DecodedSource } from '../sources/decoder.js';
import type { RowBlock } from '../types.js';

export function readAhead<S extends DecodedSource>(source: S): S {
  const open = (): Observable<RowBlock> => new Observable<RowBlock>((sub) => {
    let waiting: RowBlock | null = null;
    let timer: ReturnType<typeof setImmediate> | null = null;
    const flush = (): void => {
      if (timer !== null) { clearImmediate(timer); timer = null; }
      const b = waiting;
      waiting = null;
      if (b !== null && !sub.closed) sub.next(b);
    };
    const inner = source.open().subscribe({
      next: (b) => {
        flush();
        if ((source.keepsBlocks ?? 0) < 1) { sub.next(b); return; }
        waiting = b;
        timer = setImmediate(flush);
      },
      error: (e: unknown) => { flush(); sub.error(e); },
      complete: () => { flush(); sub.complete(); },
    });
    return () => {
      if (timer !== null) clearImmediate(timer);
      waiting = null;
      inner.unsubscribe();
    };
  });
  return new Proxy(source, { get: (t, k, r) => (k === 'open' ? open : Reflect.get(t, k, r) as unknown) });
}
