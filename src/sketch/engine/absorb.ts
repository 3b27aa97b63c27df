/**
 * The linear sketch engine: absorb one chunk of b rows, already in the workspace's `a` buffer, into
 * the per-call float64 accumulator `acc` [TYUC19 Alg. 4.1 and §4.1 per-row updates; TYUC17 Alg.
 * 4.1; Yu17 Alg. 2 (the Gram pass); docs/METHODS.md §1, §2, §5]. Notation and buffers as in
 * workspace.ts; for rows i0 .. i0 + b - 1 (a_i 1 x n):
 *   [Y 1] = [A Omega^T 1] (the range; spilled and TSQR'd by `finishChunk`),
 *   T = A Psi^T (three-sketch), [X; S; 1^T A] += S1 A, Z += Phi T,
 *   [L; Theta] [Y 1] (L = Phi or Psi, the left map of the range accumulators), H += A^T Y (rsvd).
 * Maps on the streamed axis are regenerated from (seed, purpose, i) [docs/METHODS.md §0]; the
 * family decides the form: dense maps go through the GEMM kernels, sparse ones through CSR lists
 * (an input entry then costs nnz instead of dim multiply-adds) with one kernel, out[c] += sum of
 * v B[r] over a list. Products run in the engine dtype T (float32 rows: float32 products, summed
 * into float64 once per chunk; docs/KERNELS.md "Precision"); H always in float64 (its error would
 * be multiplied by cond(R) when B = R^-T H^T is formed). No allocation.
 */
import { gemm } from '../../kernels/gemm.js';
import { gemmPacked } from '../../kernels/packed-panel.js';
import { addInto, copyRows, csrFromItems, sparseRows, transpose, widen } from '../../kernels/ops.js';
import { tsqrUpdate } from '../../linalg/tsqr.js';
import { gaussian } from '../../maps/gaussian.js';
import { testMatrixFamily } from '../../maps/test-matrix.js';
import type { Workspace } from './workspace.js';

/** Offsets of the accumulator's parts: [X; S; 1^T A] at 0, then Z, [L; Theta][Y 1], H, the sum of squares (4). */
export function accOffsets(ws: Workspace): { z: number; cr: number; h: number; ss: number; end: number } {
  const { n, k, s, coDim, left, q, gram } = ws.shape;
  const z = (coDim + q + 1) * n, cr = z + s * s, h = cr + (left + q) * (k + 1), ss = h + (gram ? n * k : 0);
  return { z, cr, h, ss, end: ss + 4 };
}

/**
 * Absorb the chunk (b rows of `ws.a`, global rows i0 ..). `purpose` of S1's primary map
 * ('upsilon' or 'psi'); `ones` (three-sketch: Upsilon 1, k) is summed in place.
 */
export function absorbChunk(ws: Workspace, seed: number, purpose: 'upsilon' | 'psi', b: number, i0: number, ones: Float64Array | null): void {
  const sh = ws.shape, { n, k, s, coDim, left, q } = sh;
  const k1 = k + 1, cq1 = coDim + q + 1, f32 = sh.dtype === 'float32';
  const fam = testMatrixFamily(sh.family);
  const ao = accOffsets(ws), acc = ws.acc;
  // float32: products overwrite the chunk buffers, then add into acc; float64: straight into acc.
  const xs = f32 ? ws.xs : acc, xo = 0;
  const z = f32 ? ws.z : acc, zo = f32 ? 0 : ao.z;
  const cr = f32 ? ws.cr : acc, co = f32 ? 0 : ao.cr;
  const beta = f32 ? 0 : 1;
  if (fam.form === 'sparse') {
    // Kept side, transposed: Y^T = Omega A^T (k x b), T^T = Psi A^T (s x b).
    transpose(b, n, ws.a, 0, n, ws.at, 0, b);
    sparseRows(k, b, ws.ytT, 0, b, ws.omega.ptr, 0, ws.omega.idx, ws.omega.val, ws.at, 0, b, true);
    if (s > 0) sparseRows(s, b, ws.ttT, 0, b, ws.psi.ptr, 0, ws.psi.idx, ws.psi.val, ws.at, 0, b, true);
    if (f32) {
      widen(b, k, ws.ytT, 0, 1, b, ws.ys, 0, k1);
      transpose(k, b, ws.ytT, 0, b, ws.y, 0, k1);
    } else {
      transpose(k, b, ws.ytT, 0, b, ws.ys, 0, k1);
    }
    if (s > 0) transpose(s, b, ws.ttT, 0, b, ws.t, 0, s);
    buildLists(ws, seed, purpose, b, i0, ones);
    const l1 = ws.list1, l2 = ws.list2;
    // S1 A: the sparse primary rows through the lists, the dense rows [Theta; 1^T] by GEMM (a dense
    // list costs the sparse kernel 1.5-2x what the register-tiled GEMM takes for the same product).
    if (coDim > 0) sparseRows(coDim, n, xs, xo, n, l1.ptr, 0, l1.idx, l1.val, ws.a, 0, n, f32);
    gemm(true, false, q + 1, n, b, 1, ws.thetaG, 0, q + 1, ws.a, 0, n, beta, xs, xo + coDim * n, n);
    if (s > 0) sparseRows(s, s, z, zo, s, l2.ptr, 0, l2.idx, l2.val, ws.t, 0, s, f32);
    // [L; Theta] [Y 1]: L's lists (Phi: list2; Psi: list1's first l), then list1's Theta lists.
    if (s > 0) {
      sparseRows(s, k1, cr, co, k1, l2.ptr, 0, l2.idx, l2.val, ws.y, 0, k1, f32);
      if (q > 0) sparseRows(q, k1, cr, co + s * k1, k1, l1.ptr, coDim, l1.idx, l1.val, ws.y, 0, k1, f32);
    } else if (left + q > 0) {
      sparseRows(left + q, k1, cr, co, k1, l1.ptr, 0, l1.idx, l1.val, ws.y, 0, k1, f32);
    }
  } else {
    const g = ws.gmap, ks = k + s;
    if (coDim > 0) fam.fillDense(seed, purpose, coDim, i0, b, g, 0, cq1);
    if (q > 0) gaussian.fillDense(seed, 'theta', q, i0, b, g, coDim, cq1);
    if (s > 0) fam.fillDense(seed, 'phi', s, i0, b, ws.phi, 0, s);
    if (ones) for (let t = 0; t < b; t++) for (let c = 0; c < k; c++) ones[c] += g[t * cq1 + c];
    // [Y | T] (b x (k + s)) from the packed [Omega^T | Psi^T] panel.
    gemmPacked(false, b, 1, ws.a, 0, n, ws.panel!, 0, ws.yt, 0, ks);
    if (f32) widen(b, k, ws.yt, 0, ks, 1, ws.ys, 0, k1);
    else copyRows(b, k, ws.yt, 0, ks, ws.ys, 0, k1);
    gemm(true, false, cq1, n, b, 1, g, 0, cq1, ws.a, 0, n, beta, xs, xo, n);
    if (s > 0) gemm(true, false, s, s, b, 1, ws.phi, 0, s, ws.yt, k, ks, beta, z, zo, s);
    if (f32) copyRows(b, k, ws.yt, 0, ks, ws.y, 0, k1);
    if (s > 0) {
      gemm(true, false, s, k1, b, 1, ws.phi, 0, s, ws.y, 0, k1, beta, cr, co, k1);
      if (q > 0) gemm(true, false, q, k1, b, 1, g, k, cq1, ws.y, 0, k1, beta, cr, co + s * k1, k1);
    } else if (left + q > 0) {
      gemm(true, false, left + q, k1, b, 1, g, 0, cq1, ws.y, 0, k1, beta, cr, co, k1);
    }
  }
  if (f32) {
    addInto(cq1 * n, ws.xs, 0, acc, 0);
    if (s > 0) addInto(s * s, ws.z, 0, acc, ao.z);
    if (left + q > 0) addInto((left + q) * k1, ws.cr, 0, acc, ao.cr);
  }
  if (sh.gram) {
    // H += A^T Y in float64 (a float32 chunk widened first).
    let a: Float64Array = ws.a as Float64Array;
    if (f32) { widen(b, n, ws.a, 0, n, 1, ws.a64, 0, n); a = ws.a64; }
    gemm(true, false, n, k, b, 1, a, 0, n, ws.ys, 0, k1, 1, acc, ao.h, k);
  }
}

/** The TSQR step on the chunk's [Y 1] (R lives in the workspace; `loadR` / `storeR` move it). */
export function tsqrChunk(ws: Workspace, b: number): void {
  ws.yBlock.rows = b;
  tsqrUpdate(ws.tsqr, ws.yBlock);
}

/**
 * The chunk's streamed maps as CSR lists over the chunk rows t: list1 = S1's primary (coDim lists,
 * counting-sorted from the compressed items), Theta (q dense lists) and one list of ones (column
 * sums); list2 = Phi (s lists). Each row has exactly nnz primary entries, so the dense lists start
 * at b nnz and their row indices depend on b only: they are rewritten when b changes. Also
 * Upsilon 1 (`ones`) for centering.
 */
function buildLists(ws: Workspace, seed: number, purpose: 'upsilon' | 'psi', b: number, i0: number, ones: Float64Array | null): void {
  const { s, coDim, q } = ws.shape;
  const fam = testMatrixFamily(ws.shape.family);
  const z1 = fam.nnz(coDim), zs = fam.nnz(s), d0 = b * z1;
  const l1 = ws.list1, l2 = ws.list2;
  if (coDim > 0) fam.fillSparse(seed, purpose, coDim, i0, b, ws.uIdx, ws.uVal);
  if (s > 0) fam.fillSparse(seed, 'phi', s, i0, b, ws.pIdx, ws.pVal);
  if (q > 0) gaussian.fillDense(seed, 'theta', q, i0, b, ws.thetaG, 0, q + 1);
  if (ws.listRows !== b) {
    ws.listRows = b;
    const ptr = l1.ptr, idx = l1.idx;
    ptr[0] = 0;
    for (let c = 0; c <= q; c++) {
      ptr[coDim + c + 1] = d0 + (c + 1) * b;
      for (let t = 0; t < b; t++) idx[d0 + c * b + t] = t;
    }
    l1.val.fill(1, d0 + q * b, d0 + (q + 1) * b);
  }
  if (coDim > 0) csrFromItems(b, z1, coDim, ws.uIdx, 0, ws.uVal, 0, l1.ptr, 0, l1.idx, l1.val, ws.cursor);
  if (s > 0) csrFromItems(b, zs, s, ws.pIdx, 0, ws.pVal, 0, l2.ptr, 0, l2.idx, l2.val, ws.cursor);
  // Theta's dense lists (for the small products [L; Theta][Y 1]): the (b x q) rows transposed.
  if (q > 0) transpose(b, q, ws.thetaG, 0, q + 1, l1.val, d0, b);
  if (ones) { const uv = ws.uVal, ui = ws.uIdx; for (let p = 0; p < d0; p++) ones[ui[p]] += uv[p]; }
}
