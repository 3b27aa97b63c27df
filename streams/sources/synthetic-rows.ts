/**
 * The rows of the synthetic matrix of `fromSynthetic`, block by block: `fill(r0, rows, out)` writes
 * rows [r0, r0 + rows) of `A = L diag(w) R^T / sqrt(rank) + noise * G` into `out` (packed). Any block
 * can be generated on its own (docs/METHODS.md §0), which makes the source replayable and lets the
 * producer tool and the source agree on the same matrix. The streams are of the data key domain
 * (src/random/purposes.ts), independent of the sketch maps for every seed.
 */
import { fillItems } from '../../src/internals.js';

export interface SyntheticParams {
  rows: number;
  cols: number;
  rank: number;
  decay: number;
  noise: number;
  seed: number;
}

export interface SyntheticRows {
  fill(r0: number, rows: number, out: Float32Array | Float64Array): void;
}

export function syntheticRows(p: SyntheticParams): SyntheticRows {
  const { cols: n, rank, decay, noise, seed } = p;
  const right = new Float64Array(n * rank);
  fillItems('gaussian', seed, 'synthetic:right', rank, 0, n, right);
  for (let j = 0; j < n; j++) for (let q = 0; q < rank; q++) right[j * rank + q] *= decay ** q / Math.sqrt(rank);
  let left = new Float64Array(0);
  return {
    fill(r0, rows, out) {
      if (left.length < rows * rank) left = new Float64Array(rows * rank);
      fillItems('gaussian', seed, 'synthetic:left', rank, r0, rows, left);
      fillItems('gaussian', seed, 'synthetic:noise', n, r0, rows, out);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let q = 0; q < rank; q++) s += left[i * rank + q] * right[j * rank + q];
          out[i * n + j] = s + noise * out[i * n + j];
        }
      }
    },
  };
}
