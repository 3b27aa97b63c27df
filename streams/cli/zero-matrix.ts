/**
 * A matrix whose every entry is 0 has every singular value 0 and any orthonormal U and V; numpy's
 * SVD returns the first canonical basis vectors (U = I_{m x r}, V = I_{n x r}), and so does
 * `approx` for every method, with the requested rank (capped by the shape) and a note saying the
 * matrix is zero: never a rank-0 result, never an error from a factor writer asked for 0 columns.
 * The sketches themselves have nothing to reconstruct from a zero matrix (their range is empty),
 * so the runners detect it from the exact sum of squares measured during the pass.
 */
import { zeros, type Matrix64 } from '../../src/internals.js';
import { createFactorWriter, writeFactor } from './factor-writer.js';
import type { OutputSet } from './output-set.js';

export const ZERO_MATRIX_NOTE = 'the matrix is zero: every singular value is 0, and U and V are the first canonical basis vectors (as numpy\'s SVD of a zero matrix gives)';

/** The first r columns of the n x n identity. */
export function canonicalBasis(n: number, r: number): Matrix64 {
  const out = zeros(n, r);
  for (let j = 0; j < Math.min(n, r); j++) out.data[j * r + j] = 1;
  return out;
}

/**
 * Writes the factors of a zero matrix: the tall one (`tallRows` rows, streamed in blocks), S and
 * the wide one (`wideRows` rows). Returns the paths by factor name.
 */
export async function writeZeroFactors(
  set: OutputSet, names: { tall: 'U' | 'V'; wide: 'U' | 'V' }, tallRows: number, wideRows: number, r: number,
): Promise<Record<string, string>> {
  const output: Record<string, string> = {};
  const writer = await createFactorWriter(set, names.tall, tallRows, r);
  try {
    const step = 4096;
    const block = zeros(step, r);
    for (let r0 = 0; r0 < tallRows; r0 += step) {
      const b = Math.min(step, tallRows - r0);
      block.data.fill(0);
      for (let i = 0; i < b; i++) if (r0 + i < r) block.data[i * r + r0 + i] = 1;
      writer.write(r0, { rows: b, cols: r, data: block.data, offset: 0, stride: r });
    }
    await writer.close();
  } catch (e) { writer.abort(); throw e; }
  output[names.tall] = writer.path;
  output.S = await writeFactor(set, 'S', new Float64Array(r));
  output[names.wide] = await writeFactor(set, names.wide, canonicalBasis(wideRows, r));
  return output;
}
