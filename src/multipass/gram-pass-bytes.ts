/**
 * Peak bytes of the in-memory numeric state of a Gram-pass run (see `gramPass`), float64
 * throughout, for n = cols and block width l. Counted: X and H (2 n w), the transients of the
 * between-pass Householder QR of H (a transposed copy, Q^T and Q: 3 n l), the G chunk and the TSQR
 * workspace (2 CHUNK w), R, its SVD and the small products (4 w^2), and at the end B (w x n) with
 * the right singular vectors of its SVD (2 n w), X packed for the GEMM kernel (n w), and the
 * float64 copy of a chunk of float32 rows (min(8 CHUNK n, 16 MiB) bytes). Krylov adds the basis ((q + 1) l n; in the last
 * pass X is the basis, w = (q + 1) l). Not counted: the spill (on disk, or m w in memory if the
 * caller keeps it there), the input blocks (owned by the source), the output U, object headers.
 * No term depends on m.
 */
import { CHUNK, WIDEN_BYTES } from './gram-pass.js';

export function gramPassBytes(method: 'rsi' | 'block-krylov', cols: number, l: number, passes: number): number {
  const n = cols;
  const w = method === 'block-krylov' ? passes * l : l;
  const basis = method === 'block-krylov' ? n * w : 0;
  const xh = method === 'block-krylov' ? n * w : 2 * n * w; // Krylov: X aliases the basis in the last pass
  const widen = Math.min(8 * CHUNK * n, WIDEN_BYTES); // float32 sources only; counted always
  return 8 * (basis + xh + 3 * n * l + 2 * CHUNK * w + 4 * w * w + 2 * n * w) + 8 * n * w + widen;
}
