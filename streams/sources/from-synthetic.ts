/**
 * A deterministic synthetic matrix for demos and tests: `A = L diag(w) R^T / sqrt(rank) + noise * G`
 * with L (m x rank), R (n x rank), G (m x n) i.i.d. standard Gaussian and weights `w_j = decay^j`.
 * Row i of L and G is generated from `(seed, purpose, i)` by the counter-based generator of
 * src/random (Philox4x32-10; docs/METHODS.md §0), so any block can be produced on its own: the source is replayable
 * and costs O(blockRows * n + n * rank) memory, never O(m). Its purposes ('synthetic:left/right/noise')
 * are in the data key domain (src/random/purposes.ts), which the sketch maps never use: the data cannot
 * correlate with the maps drawn from the same seed.
 *
 * Orientation 'columns' emits A^T by transposing blocks of A (one generation per block of columns).
 * (For the paper's LowRank / PolyDecay / ExpDecay families with controlled spectra, see src/.)
 */
import { ArgumentError } from '../../src/internals.js';
import type { RowBlock, SourceInfo } from '../types.js';
import { checkNotEmpty } from '../check-not-empty.js';
import { createBlockValidator } from '../validate-block.js';
import { defaultBlockRows } from './default-block-rows.js';
import { pullBlocks } from './pull-blocks.js';
import { emptyStats, type MeasuredSource, type SourceOptions } from './source-options.js';
import { rowOptionsFor, transposedSource } from './transposed-source.js';
import { syntheticRows } from './synthetic-rows.js';

export interface SyntheticSpec {
  rows: number;
  cols: number;
  /** Rank of the low-rank part (default 10, at most min(rows, cols)). */
  rank?: number;
  /** Ratio of consecutive weights of the low-rank part (default 0.8). */
  decay?: number;
  /** Standard deviation of the additive Gaussian noise (default 1e-3). */
  noise?: number;
  seed?: number;
  dtype?: 'float32' | 'float64';
}

/** The parameters with their defaults applied. */
export function syntheticDefaults(spec: SyntheticSpec): { rows: number; cols: number; rank: number; decay: number; noise: number; seed: number } {
  return {
    rows: spec.rows, cols: spec.cols, rank: Math.min(spec.rank ?? 10, spec.rows, spec.cols),
    decay: spec.decay ?? 0.8, noise: spec.noise ?? 1e-3, seed: spec.seed ?? 0,
  };
}

export function fromSynthetic(spec: SyntheticSpec, opts: SourceOptions = {}): MeasuredSource {
  const { rows: m, cols: n } = spec;
  if (!Number.isInteger(m) || m < 0 || !Number.isInteger(n) || n < 1) {
    throw new ArgumentError(`fromSynthetic: rows and cols must be integers (rows >= 0, cols >= 1), got ${m} x ${n}`);
  }
  const { rank, seed } = syntheticDefaults(spec);
  const dtype = opts.dtype ?? spec.dtype ?? 'float64';
  if ((opts.orientation ?? 'rows') === 'columns') {
    return transposedSource(fromSynthetic({ ...spec, dtype }, rowOptionsFor(opts)), opts);
  }
  const where = `synthetic:${m}x${n}:rank=${rank},seed=${seed}`;
  const stats = emptyStats();
  const info: SourceInfo = {
    rows: m, cols: n, dtype, layout: 'synthetic', orientation: 'rows', where,
    batches: Math.ceil(m / (opts.blockRows ?? defaultBlockRows(n, dtype === 'float32' ? 4 : 8))),
  };
  return {
    replayable: true,
    stats,
    info: async () => info,
    open: () => pullBlocks<RowBlock>(async (emit, signal) => {
      Object.assign(stats, emptyStats());
      const gen = syntheticRows(syntheticDefaults(spec));
      const b = Math.max(1, opts.blockRows ?? defaultBlockRows(n, dtype === 'float32' ? 4 : 8));
      const out = dtype === 'float32' ? new Float32Array(b * n) : new Float64Array(b * n);
      const validate = createBlockValidator({ cols: n, nonFinite: opts.nonFinite ?? 'error', where, stats });
      for (let r0 = 0; r0 < m && !signal.aborted; r0 += b) {
        const rows = Math.min(b, m - r0);
        gen.fill(r0, rows, out);
        const block = validate(r0, rows, out.subarray(0, rows * n));
        if (block !== null) emit(block);
        // Yield to the event loop between blocks so unsubscription and timers can run.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      checkNotEmpty(stats, where, opts, signal);
    }),
  };
}
