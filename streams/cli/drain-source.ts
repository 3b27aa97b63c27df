/**
 * One pass of a source into a synchronous consumer: subscribes, calls `absorb` on every block inside
 * `next` (the sources pull, so nothing queues), resolves at completion and rejects on a source error
 * or on an error thrown by `absorb` (then unsubscribes, which closes the file or socket).
 *
 * This is the seam where the RxJS operators of streams/operators (sketchRows, ...) will plug in;
 * until they land the CLI drives `source.open()` directly through this one function.
 */
import type { BlockSource, RowBlock } from '../types.js';

export function drainSource(source: BlockSource, absorb: (block: RowBlock) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    const sub = source.open().subscribe({
      next: (b) => {
        if (failed) return;
        try { absorb(b); } catch (err) { failed = true; reject(err); queueMicrotask(() => sub.unsubscribe()); }
      },
      error: (err: unknown) => { if (!failed) { failed = true; reject(err); } },
      complete: () => { if (!failed) resolve(); },
    });
  });
}
