/**
 * The public GEMM entry point every numeric module calls:
 * C (m x n) <- alpha op(A) op(B) + beta C, row-major with leading dimensions and offsets.
 * It validates nothing (callers in src/ are trusted); `matmul` below is the checked Matrix form.
 *
 * Backend: the WebAssembly SIMD kernels (gemm-wasm.ts) for all-float64, all-float32, and float32
 * A, B into float64 C; the plain TypeScript reference (gemm-ts.ts) for tiny products, other dtype
 * mixes, or when the wasm bytes were not built (`kernelBackend()` tells which).
 */
import type { Float, Matrix } from '../matrix.js';
import { gemmTs } from './gemm-ts.js';
import { gemmWasm } from './gemm-wasm.js';

/** Below this many multiply-adds the TypeScript loop beats the copy-and-call overhead. */
const WASM_MIN_FMA = 2048;

export function gemm(
  transA: boolean, transB: boolean, m: number, n: number, kk: number, alpha: number,
  a: Float, offA: number, lda: number, b: Float, offB: number, ldb: number,
  beta: number, c: Float, offC: number, ldc: number,
): void {
  if (m * n * kk >= WASM_MIN_FMA) {
    try {
      if (gemmWasm(transA, transB, m, n, kk, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc)) return;
    } catch (e) {
      // Operands that do not fit the 4 GiB WebAssembly memory: scratch is reserved before C is
      // touched, so the TypeScript path can still compute the product (slowly, but correctly).
      if (!(e instanceof RangeError)) throw e;
    }
  }
  gemmTs(transA, transB, m, n, kk, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
}

/** C <- alpha op(A) op(B) + beta C on matrix views, with shape checks. */
export function matmul(
  a: Matrix, b: Matrix, c: Matrix, opts: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number } = {},
): Matrix {
  const ta = opts.transA ?? false, tb = opts.transB ?? false;
  const m = ta ? a.cols : a.rows, kk = ta ? a.rows : a.cols;
  const kb = tb ? b.cols : b.rows, n = tb ? b.rows : b.cols;
  if (kk !== kb) throw new RangeError(`matmul: inner dimensions differ (${kk} vs ${kb})`);
  if (c.rows !== m || c.cols !== n) throw new RangeError(`matmul: output is ${c.rows} x ${c.cols}, expected ${m} x ${n}`);
  gemm(ta, tb, m, n, kk, opts.alpha ?? 1, a.data, a.offset, a.stride, b.data, b.offset, b.stride, opts.beta ?? 0, c.data, c.offset, c.stride);
  return c;
}
