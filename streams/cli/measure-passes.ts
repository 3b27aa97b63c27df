/**
 * A source wrapper that feeds the progress meter and measures ||A||_F on every pass (reset when a
 * pass starts; a kernel: Blue's scaled sum of squares, src/kernels/ops.ts), so that a projection method can report its exact residual
 * ||A - U S V^T||_F^2 = ||A||_F^2 - sum S^2 without another pass (U S V^T = Q [Q^T A]_r with Q
 * orthonormal: Pythagoras [HMT11 §4]).
 */
import { Observable } from 'rxjs';
import { addSquares, createSumSquares, type SumSquares } from '../../src/internals.js';
import type { MeasuredSource } from '../sources/source-options.js';
import type { RowBlock } from '../types.js';
import type { ProgressMeter } from './progress-meter.js';

export interface MeasuredPasses extends MeasuredSource {
  /** ||A||_F^2 of the latest (complete) pass, kept scaled (no overflow or underflow: sum-squares.ts). */
  readonly frobenius2: SumSquares;
  readonly passesOpened: number;
}

export function measurePasses(source: MeasuredSource, meter: ProgressMeter, passes: number): MeasuredPasses {
  let f2 = createSumSquares();
  let opened = 0;
  return {
    get replayable() { return source.replayable; },
    get stats() { return source.stats; },
    get frobenius2() { return f2; },
    get passesOpened() { return opened; },
    info: () => source.info(),
    open: () => new Observable<RowBlock>((sub) => {
      opened++;
      const pass = opened;
      f2 = createSumSquares();
      return source.open().subscribe({
        next: (b) => {
          const n = b.rows * b.cols, d = b.data;
          addSquares(f2, d, 0, n);
          meter.block(b.rows, n * d.BYTES_PER_ELEMENT, pass, passes);
          sub.next(b);
        },
        error: (e: unknown) => sub.error(e),
        complete: () => sub.complete(),
      });
    }),
  };
}
