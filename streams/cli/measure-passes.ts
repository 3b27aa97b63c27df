/**
 * A source wrapper that feeds the progress meter on every pass (block, bytes, pass number). The
 * norm a projection method's exact residual needs (||A - U S V^T||_F^2 = ||A||_F^2 - sum S^2,
 * [HMT11 §4]) is the Gram pass driver's own (run-passes.ts, accumulated in its first pass).
 */
import { Observable } from 'rxjs';
import type { MeasuredSource } from '../sources/source-options.js';
import type { RowBlock } from '../types.js';
import type { ProgressMeter } from './progress-meter.js';

export function measurePasses(source: MeasuredSource, meter: ProgressMeter, passes: number): MeasuredSource {
  let opened = 0;
  return {
    get replayable() { return source.replayable; },
    get stats() { return source.stats; },
    info: () => source.info(),
    open: () => new Observable<RowBlock>((sub) => {
      const pass = ++opened;
      return source.open().subscribe({
        next: (b) => {
          meter.block(b.rows, b.rows * b.cols * b.data.BYTES_PER_ELEMENT, pass, passes);
          sub.next(b);
        },
        error: (e: unknown) => sub.error(e),
        complete: () => sub.complete(),
      });
    }),
  };
}
