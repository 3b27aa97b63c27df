/**
 * A deterministic synthetic matrix for demos and tests: `A = L diag(w) R^T + noise * G` with
 * L (m x rank), R (n x rank), G (m x n) i.i.d. Gaussian and weights `w_j = decay^j` (j < rank).
 * Row i of L and G is generated from `(seed, purpose, i)` by the counter-based generator of
 * src/random (ALGORITHMS.md §0), so any block can be produced on its own: the source is replayable
 * and costs O(blockRows * n + n * rank) memory, never O(m).
 *
 * (For the paper's LowRank / PolyDecay / ExpDecay families with controlled spectra, see src/.)
 */
import type { MeasuredSource, SourceOptions } from './source-options.js';

export interface SyntheticSpec {
  rows: number;
  cols: number;
  /** Rank of the low-rank part (default 10). */
  rank?: number;
  /** Ratio of consecutive weights of the low-rank part (default 0.8). */
  decay?: number;
  /** Standard deviation of the additive Gaussian noise (default 1e-3). */
  noise?: number;
  seed?: number;
  dtype?: 'float32' | 'float64';
}

export function fromSynthetic(spec: SyntheticSpec, opts: SourceOptions = {}): MeasuredSource {
  void spec; void opts;
  throw new Error('fromSynthetic: not implemented yet');
}
