/**
 * Plain TypeScript GEMM, the reference and fallback for the WebAssembly kernels:
 * C (m x n) <- alpha op(A) op(B) + beta C, all row-major with leading dimensions (stdlib dgemm's
 * argument order, row-major only). op(A) is (m x kk): A itself (m x kk, lda) or, when `transA`,
 * A stored as (kk x m). Same for B. Allocates nothing.
 */
import type { Float } from '../matrix.js';

export function gemmTs(
  transA: boolean, transB: boolean, m: number, n: number, kk: number, alpha: number,
  a: Float, offA: number, lda: number, b: Float, offB: number, ldb: number,
  beta: number, c: Float, offC: number, ldc: number,
): void {
  // Scale C first so the accumulation below is a pure += (beta = 0 must overwrite NaN garbage).
  for (let i = 0; i < m; i++) {
    const ci = offC + i * ldc;
    if (beta === 0) for (let j = 0; j < n; j++) c[ci + j] = 0;
    else if (beta !== 1) for (let j = 0; j < n; j++) c[ci + j] = beta * c[ci + j];
  }
  if (alpha === 0 || kk === 0) return;
  if (!transB) {
    // i-p-j order: the inner loop runs along contiguous rows of B and C.
    for (let i = 0; i < m; i++) {
      const ci = offC + i * ldc;
      for (let p = 0; p < kk; p++) {
        const aip = alpha * (transA ? a[offA + p * lda + i] : a[offA + i * lda + p]);
        if (aip === 0) continue;
        const bp = offB + p * ldb;
        for (let j = 0; j < n; j++) c[ci + j] = c[ci + j] + aip * b[bp + j];
      }
    }
  } else {
    // B stored (n x kk): C[i, j] = dot(row i of op(A), row j of B).
    for (let i = 0; i < m; i++) {
      const ci = offC + i * ldc;
      for (let j = 0; j < n; j++) {
        const bj = offB + j * ldb;
        let s = 0;
        if (transA) for (let p = 0; p < kk; p++) s += a[offA + p * lda + i] * b[bj + p];
        else {
          const ai = offA + i * lda;
          for (let p = 0; p < kk; p++) s += a[ai + p] * b[bj + p];
        }
        c[ci + j] = c[ci + j] + alpha * s;
      }
    }
  }
}
