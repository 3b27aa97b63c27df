/**
 * One pass of a source into a synchronous consumer: subscribes, calls `absorb` on every block inside
 * `next` (the sources pull, so nothing queues), resolves at completion and rejects on a source error
 * or on an error thrown by `absorb` (then unsubscribes, which closes the file or socket).
 *
 * The single-pass sketch goes through the `sketchRows` operator; this drives the passes that are not
 * an operator: each pass of `runPasses`, the exact SVD's load and Frequent Directions' second pass for U.
 */
import type { BlockSource, RowBlock } from './types.js';

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
