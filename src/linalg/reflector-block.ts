/**
 * Blocks of Householder reflectors in compact WY form, H_j ... H_{j+nb-1} = I - V T V^T
 * [Schreiber & Van Loan 1989; GVL13 §5.2.2], applied to the rows of a matrix with two GEMMs
 * (docs/KERNELS.md: the Level-3 kernels are where the speed is). Shared by the blocked QR and the
 * SVD's formation of the bidiagonalising factors.
 */
import { gemm } from '../kernels/gemm.js';

export interface ReflectorBlock {
  /** First coordinate the block acts on (columns j .. j + len of the rows it is applied to). */
  j: number;
  nb: number;
  /** V^T (nb x len), explicit unit lower trapezoidal V. */
  vt: Float64Array;
  /** T (nb x nb) upper triangular. */
  t: Float64Array;
}

/**
 * The block for reflectors whose V^T (nb x len) the caller has filled (unit lower trapezoidal,
 * explicit zeros and ones), with taus tau[tauOff .. tauOff + nb): T column by column,
 * T[0:i, i] = -tau_i T[0:i, 0:i] (V[:, 0:i]^T v_i) [LAPACK dlarft], the Gram by one GEMM.
 */
export function makeReflectorBlock(j: number, nb: number, vt: Float64Array, tau: Float64Array, tauOff: number): ReflectorBlock {
  const len = vt.length / nb;
  const j0 = tauOff;
  const s = new Float64Array(nb * nb);
  gemm(false, true, nb, nb, len, 1, vt, 0, len, vt, 0, len, 0, s, 0, nb);
  const t = new Float64Array(nb * nb);
  const w = new Float64Array(nb);
  for (let i = 0; i < nb; i++) {
    const ti = tau[j0 + i];
    t[i * nb + i] = ti;
    for (let r = 0; r < i; r++) {
      let acc = 0;
      for (let k = r; k < i; k++) acc += t[r * nb + k] * s[k * nb + i];
      w[r] = acc;
    }
    for (let r = 0; r < i; r++) t[r * nb + i] = -ti * w[r];
  }
  return { j, nb, vt, t };
}

/**
 * Rows x_c (c < count, row c at x[off + c * ld], columns j.. of length m - j) of X, for the
 * block's H = I - V T V^T: `byHT` gives X <- X H = X - (X V) T V^T (each row, read as a column
 * y, becomes H^T y: what Q^T A needs); otherwise X <- X H^T = X - (X V) T^T V^T (y <- H y: what
 * forming Q needs). Two GEMMs and a small triangular product.
 */
export function applyBlockToRows(block: ReflectorBlock, x: Float64Array, off: number, count: number, ld: number, byHT: boolean): void {
  const { j, nb, vt, t } = block;
  const len = vt.length / nb;
  const w = new Float64Array(count * nb);
  gemm(false, true, count, nb, len, 1, x, off + j, ld, vt, 0, len, 0, w, 0, nb);
  for (let r = 0; r < count; r++) {
    const o = r * nb;
    if (byHT) {
      // w <- w T (T upper): column c takes rows k <= c; descending c keeps inputs intact.
      for (let c = nb - 1; c >= 0; c--) {
        let acc = 0;
        for (let k = 0; k <= c; k++) acc += w[o + k] * t[k * nb + c];
        w[o + c] = acc;
      }
    } else {
      // w <- w T^T: entry c takes T[c, k], k >= c; ascending c keeps inputs intact.
      for (let c = 0; c < nb; c++) {
        let acc = 0;
        for (let k = c; k < nb; k++) acc += w[o + k] * t[c * nb + k];
        w[o + c] = acc;
      }
    }
  }
  gemm(false, false, count, len, nb, -1, w, 0, nb, vt, 0, len, 1, x, off + j, ld);
}
