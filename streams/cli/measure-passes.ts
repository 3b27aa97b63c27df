/**
 * A source wrapper that feeds the progress meter and measures ||A||_F on every pass (reset when a
 * pass starts; a kernel: Blue's scaled sum of squares, src/kernels/ops.ts), so that a projection method can report its exact residual
 * ||A - U S V^T||_F^2 = ||A||_F^2 - sum S^2 without another pass (U S V^T = Q [Q^T A]_r with Q
 * orthonormal: Pythagoras [HMT11 §4]).
 */
import { Observable } from 'rxjs';
import { sumSquares, sumSquaresNorm } from '../../src/internals.js';
import type { MeasuredSource } from '../sources/source-options.js';
import type { RowBlock } from '../types.js';
import type { ProgressMeter } from './progress-meter.js';

export interface MeasuredPasses extends MeasuredSource {
  /** ||A||_F of the latest (complete) pass. */
  readonly frobenius: number;
  readonly passesOpened: number;
}

export function measurePasses(source: MeasuredSource, meter: ProgressMeter, passes: number): MeasuredPasses {
  const ssq = new Float64Array(3);
  let opened = 0;
  return {
    get replayable() { return source.replayable; },
    get stats() { return source.stats; },
    get frobenius() { return sumSquaresNorm(ssq); },
    get passesOpened() { return opened; },
    info: () => source.info(),
    open: () => new Observable<RowBlock>((sub) => {
      opened++;
      const pass = opened;
      ssq.fill(0);
      return source.open().subscribe({
        next: (b) => {
          const n = b.rows * b.cols;
          sumSquares(n, b.data, 0, ssq);
          meter.block(b.rows, n * b.data.BYTES_PER_ELEMENT, pass, passes);
          sub.next(b);
        },
        error: (e: unknown) => sub.error(e),
        complete: () => sub.complete(),
      });
    }),
  };
}
