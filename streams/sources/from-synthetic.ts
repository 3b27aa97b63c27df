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
import { composeSource } from '../wrappers/compose-source.js';
import type { DecodedSource, FormatDecoder } from './decoder.js';
import { defaultBlockRows } from './default-block-rows.js';
import { pullBlocks } from '../pull-blocks.js';
import { decodeOptionsOf, type DecodeOptions, type MeasuredSource, type SourceOptions } from './source-options.js';
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

/** The synthetic decoder: generated rows of A (orientation 'columns' composes a transposition). */
export function syntheticDecoder(spec: SyntheticSpec, opts: DecodeOptions = {}): FormatDecoder {
  const { rows: m, cols: n } = spec;
  if (!Number.isInteger(m) || m < 0 || !Number.isInteger(n) || n < 1) {
    throw new ArgumentError(`fromSynthetic: rows and cols must be integers (rows >= 0, cols >= 1), got ${m} x ${n}`);
  }
  const { rank, seed } = syntheticDefaults(spec);
  const dtype = opts.dtype ?? spec.dtype ?? 'float64';
  const where = `synthetic:${m}x${n}:rank=${rank},seed=${seed}`;
  const rows = (naturalBlocks = false): DecodedSource => {
    const blockRows = naturalBlocks ? undefined : opts.blockRows;
    const info: SourceInfo = {
      rows: m, cols: n, dtype, layout: 'synthetic', orientation: 'rows', where,
      batches: Math.ceil(m / (blockRows ?? defaultBlockRows(n, dtype === 'float32' ? 4 : 8))),
    };
    return {
      replayable: true,
      where,
      info: async () => info,
      open: () => pullBlocks<RowBlock>(async (emit, signal) => {
        const gen = syntheticRows(syntheticDefaults(spec));
        const b = Math.max(1, blockRows ?? defaultBlockRows(n, dtype === 'float32' ? 4 : 8));
        const out = dtype === 'float32' ? new Float32Array(b * n) : new Float64Array(b * n);
        for (let r0 = 0; r0 < m && !signal.aborted; r0 += b) {
          const k = Math.min(b, m - r0);
          gen.fill(r0, k, out);
          emit({ rowStart: r0, rows: k, cols: n, data: out.subarray(0, k * n) });
          // Yield to the event loop between blocks so unsubscription and timers can run.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }),
    };
  };
  return { where, replayable: true, rows };
}

/** The synthetic matrix with the standard composition (compose-source.ts). */
export function fromSynthetic(spec: SyntheticSpec, opts: SourceOptions = {}): MeasuredSource {
  return composeSource(syntheticDecoder(spec, decodeOptionsOf(opts)), opts);
}
