import type { Matrix64 } from '../matrix.js';

/**
 * In-place upper Cholesky G = R^T R [GVL13 Alg. 4.2.1], zeroing the strict lower triangle.
 * Returns false on a non-positive or non-finite pivot (G numerically not positive definite).
 */
export function choleskyUpper(g: Matrix64): boolean {
  const n = g.rows, d = g.data, o = g.offset, s = g.stride;
  for (let j = 0; j < n; j++) {
    let piv = d[o + j * s + j];
    for (let k = 0; k < j; k++) { const v = d[o + k * s + j]; piv -= v * v; }
    if (!(piv > 0) || !Number.isFinite(piv)) return false;
    const rjj = Math.sqrt(piv);
    d[o + j * s + j] = rjj;
    const inv = 1 / rjj;
    for (let c = j + 1; c < n; c++) {
      let v = d[o + j * s + c];
      for (let k = 0; k < j; k++) v -= d[o + k * s + j] * d[o + k * s + c];
      d[o + j * s + c] = v * inv;
    }
    for (let i = j + 1; i < n; i++) d[o + i * s + j] = 0;
  }
  return true;
}
