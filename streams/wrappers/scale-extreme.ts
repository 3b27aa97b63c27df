/**
 * Input scaling for values at the ends of the float64 range: a matrix whose entries are near 1e300
 * (their squares overflow) or near 1e-300 and below (their squares underflow, subnormals lose
 * precision in every product) is streamed as 2^-e A, with the power of two 2^e chosen from the
 * largest |value| of the first non-zero block so that the scaled entries are near 1. Scaling by a
 * power of two is exact (a subnormal gains back its missing bits), and every method is homogeneous:
 * the singular values, norms and error estimates of A are 2^e times those of 2^-e A, and U and V are
 * the same. The consumer multiplies them back with `timesPowerOfTwo(x, exponent)`.
 *
 * Ordinary data (the first non-zero block's largest |value| within [2^-200, 2^200]) keeps e = 0 and
 * its blocks pass through untouched, so results are bit-for-bit those of the unwrapped source.
 * Float32 blocks are never scaled (their range is far inside float64's). The exponent is decided
 * once, in the first pass, and kept for every later pass (the passes must agree). A run resumed
 * from a checkpoint passes the exponent the checkpoint recorded (`decidedExponent`), since the rows
 * that decided it are not read again.
 */
import { Observable } from 'rxjs';
import { powerOfTwoExponent, scaleByPowerOfTwo } from '../../src/internals.js';
import type { MeasuredSource } from '../sources/source-options.js';
import type { RowBlock } from '../types.js';

const LOW = 2 ** -200;
const HIGH = 2 ** 200;

export interface ScaledSource extends MeasuredSource {
  /** e: the emitted blocks are 2^-e times the source's (0 until decided, and for ordinary data). */
  readonly exponent: number;
  /** Whether e has been decided (by a non-zero block, or given). */
  readonly decided: boolean;
}

export function scaleExtremeValues(source: MeasuredSource, decidedExponent: number | null = null): ScaledSource {
  let decided: number | null = decidedExponent;
  let scratch = new Float64Array(0);
  const decide = (b: RowBlock): void => {
    if (!(b.data instanceof Float64Array)) { decided = 0; return; }
    const n = b.rows * b.cols, d = b.data;
    let big = 0;
    for (let t = 0; t < n; t++) { const a = Math.abs(d[t]); if (a > big) big = a; }
    if (big === 0) return; // an all-zero block scales to itself: decide on a later one
    decided = big >= LOW && big <= HIGH ? 0 : powerOfTwoExponent(big);
  };
  return {
    get replayable() { return source.replayable; },
    get stats() { return source.stats; },
    get exponent() { return decided ?? 0; },
    get decided() { return decided !== null; },
    info: () => source.info(),
    open: () => new Observable<RowBlock>((sub) => source.open().subscribe({
      next: (b) => {
        if (decided === null) decide(b);
        if (decided === null || decided === 0 || !(b.data instanceof Float64Array)) { sub.next(b); return; }
        const n = b.rows * b.cols;
        if (scratch.length < n) scratch = new Float64Array(n);
        const out = scratch.subarray(0, n);
        out.set(b.data.subarray(0, n));
        scaleByPowerOfTwo(out, 0, n, -decided);
        sub.next({ rowStart: b.rowStart, rows: b.rows, cols: b.cols, data: out, ...(b.ids !== undefined ? { ids: b.ids } : {}) });
      },
      error: (e: unknown) => sub.error(e),
      complete: () => sub.complete(),
    })),
  };
}
