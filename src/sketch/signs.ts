/**
 * One sign convention for every method, entry point and orientation [docs/METHODS.md "Signs";
 * scikit-learn's `svd_flip(u, v, u_based_decision=False)`]: each right singular vector of A (a
 * column of V, n x r) has its largest-magnitude entry positive (the first such entry on ties), and
 * the matching column of U follows. The decision is made on V because U may still be on disk when
 * V is known (a row stream spills the rows of U's factor). For a column stream the sketch is of
 * A^T, so V of A is the sketch's streamed factor: the caller scans it as it is formed
 * (`SignScan`) and flips afterwards (`flipColumns`).
 */
import type { Matrix } from '../matrix.js';

/** Running "largest-magnitude entry per column" over row blocks visited in increasing row order. */
export class SignScan {
  private readonly best: Float64Array;
  private readonly value: Float64Array;
  constructor(readonly cols: number) {
    this.best = new Float64Array(cols);
    this.value = new Float64Array(cols);
  }
  /** Visit a block of rows (the rows must come in increasing order across calls for tie-breaking). */
  add(m: Matrix): void {
    const { rows, cols, data, offset, stride } = m;
    for (let i = 0; i < rows; i++) {
      const o = offset + i * stride;
      for (let j = 0; j < cols; j++) {
        const x = data[o + j], a = Math.abs(x);
        if (a > this.best[j]) { this.best[j] = a; this.value[j] = x; }
      }
    }
  }
  /** flip[j] = the column's largest-magnitude entry is negative. */
  flips(): boolean[] {
    return Array.from(this.value, (x) => x < 0);
  }
}

/** The columns to flip so that each column of `m` has its largest-magnitude entry positive. */
export function signFlips(m: Matrix): boolean[] {
  const scan = new SignScan(m.cols);
  scan.add(m);
  return scan.flips();
}

/** Negate the flagged columns of a matrix view in place. */
export function negateColumns(m: Matrix, flip: readonly boolean[]): void {
  for (let j = 0; j < m.cols; j++) {
    if (!flip[j]) continue;
    for (let i = 0; i < m.rows; i++) m.data[m.offset + i * m.stride + j] = -m.data[m.offset + i * m.stride + j];
  }
}

/** Negate the flagged entries of a vector in place. */
export function negateEntries(v: Float64Array, flip: readonly boolean[]): void {
  for (let j = 0; j < v.length; j++) if (flip[j]) v[j] = -v[j];
}
