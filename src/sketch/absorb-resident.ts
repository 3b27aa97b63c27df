/**
 * Internal kernel of `updateRows` for float32 rows, three-sketch, WebAssembly kernels: absorb the
 * chunk of b rows already copied into the resident buffer `rc.a` (b x n) [TYUC19 Alg. 4.1, per-row
 * updates of §4.1]. Same sketch as `absorbChunk` to float32 rounding; notation as in types.ts,
 * buffers as in resident-chunk.ts. Every operand stays in WebAssembly memory; nothing is allocated
 * apart from the seeded generators' small per-call scratch (src/random).
 *
 * Sparse-sign maps are applied sparsely (ALGORITHMS.md §3: zeta = min(dim, 8) nonzeros per column
 * cost zeta instead of dim per input entry) by one kernel, out[c] += sum of v B[r] over a CSR list
 * (`sparse_rows_*`):
 * - Y^T = Omega A^T and T^T = Psi A^T from A^T with the kept lists of Omega, Psi (n zeta entries each);
 * - [X; S; 1^T A] = [Upsilon; Theta; 1^T] A from A with lists built per chunk (Upsilon's b zeta
 *   entries counting-sorted by output, Theta dense);
 * - Z += Phi T (T = A Psi^T) and [Phi; Theta] [Y 1] from the same Phi and Theta lists.
 * Products run in float32 (the float32 rows times float32 maps, [Y 1] as computed in float32) into
 * per-chunk increments that are added to the float64 sketches (KERNELS.md "Precision": float32
 * products, float64 accumulators); [Y 1] is widened to float64 for the TSQR and the spill.
 * Gaussian maps go through the GEMM kernels with the same resident operands (no copies in or out).
 */
import { gemm } from '../kernels/gemm.js';
import { gemmPacked } from '../kernels/packed-panel.js';
import { wasmRuntime } from '../kernels/wasm-runtime.js';
import { fillItems, fillSparseSignItems, sparseSignZeta } from '../random/test-matrix.js';
import { tsqrUpdate } from '../linalg/tsqr.js';
import { spillRows } from './absorb-chunk.js';
import type { ResidentChunk } from './resident-chunk.js';
import type { SketchState } from './types.js';

export function absorbResident(state: SketchState, rc: ResidentChunk, b: number, i0: number): void {
  const x = wasmRuntime()!.exports;
  const { k, s, q } = state.sizes;
  const n = state.cols, k1 = k + 1, seed = state.seed;
  if (state.testMatrix === 'sparse-sign') {
    x.transpose_f32(b, n, rc.a, 4 * n, rc.at, 4 * b);
    x.sparse_rows_f32(k, b, rc.yt, 4 * b, rc.omega.ptr, rc.omega.idx, rc.omega.val, rc.at, 4 * b, 1);
    x.sparse_rows_f32(s, b, rc.tt, 4 * b, rc.psi.ptr, rc.psi.idx, rc.psi.val, rc.at, 4 * b, 1);
    x.widen_f32(b, k, rc.yt, 4, 4 * b, rc.ys, 8 * k1);
    x.transpose_f32(k, b, rc.yt, 4 * b, rc.y32, 4 * k1);
    x.transpose_f32(s, b, rc.tt, 4 * b, rc.t, 4 * s);
    buildLists(state, rc, b, i0);
    const l1 = rc.list1, l2 = rc.list2;
    x.sparse_rows_f32(k + q + 1, n, rc.xs, 4 * n, l1.ptr, l1.idx, l1.val, rc.a, 4 * n, 1);
    x.sparse_rows_f32(s, s, rc.z, 4 * s, l2.ptr, l2.idx, l2.val, rc.t, 4 * s, 1);
    // [Phi; Theta] [Y 1]: the Phi lists, then list1's Theta lists (outputs k .. k + q - 1).
    x.sparse_rows_f32(s, k1, rc.cr, 4 * k1, l2.ptr, l2.idx, l2.val, rc.y32, 4 * k1, 1);
    x.sparse_rows_f32(q, k1, rc.cr + 4 * s * k1, 4 * k1, l1.ptr + 4 * k, l1.idx, l1.val, rc.y32, 4 * k1, 1);
  } else {
    // The maps are generated straight into float32 (the same values as rounding the float64 ones).
    const cq1 = k + q + 1, ks = k + s, g32 = rc.gmap32V;
    fillItems('gaussian', seed, 'upsilon', k, i0, b, g32, 0, cq1);
    if (q > 0) fillItems('gaussian', seed, 'theta', q, i0, b, g32, k, cq1);
    fillItems('gaussian', seed, 'phi', s, i0, b, rc.phi32V, 0, s);
    const ones = state.coRangeOnes;
    for (let t = 0; t < b; t++) for (let c = 0; c < k; c++) ones[c] += g32[t * cq1 + c]!;
    // [Y | T] (b x (k + s)) from the packed [Omega^T | Psi^T] panel, in place in the arena.
    gemmPacked(false, b, 1, rc.aV, 0, n, state.maps.panel32!, 0, rc.ytV, 0, ks);
    x.widen_f32(b, k, rc.yt, 4 * ks, 4, rc.ys, 8 * k1);
    gemm(true, false, cq1, n, b, 1, rc.gmap32V, 0, cq1, rc.aV, 0, n, 0, rc.xsV, 0, n);
    gemm(true, false, s, s, b, 1, rc.phi32V, 0, s, rc.ytV, k, ks, 0, rc.zV, 0, s);
    x.copy_f32(b, k, rc.yt, 4 * ks, rc.y32, 4 * k1);
    gemm(true, false, s, k1, b, 1, rc.phi32V, 0, s, rc.y32V, 0, k1, 0, rc.crV, 0, k1);
    if (q > 0) gemm(true, false, q, k1, b, 1, rc.gmap32V, k, cq1, rc.y32V, 0, k1, 0, rc.crV, s * k1, k1);
  }
  x.add_f32_f64((k + q + 1) * n, rc.xs, rc.acc);
  x.add_f32_f64(s * s, rc.z, rc.acc + 8 * (k + q + 1) * n);
  x.add_f32_f64((s + q) * k1, rc.cr, rc.acc + 8 * ((k + q + 1) * n + s * s));
  spillRows(state, i0, b, rc.ysV, 0);
  // TSQR step [ALGORITHMS.md §6] on the resident copy of R (see `loadResident`), so that its
  // reflectors run in WebAssembly (tsqr.ts).
  rc.yBlock.rows = b;
  tsqrUpdate(rc.tsqr, rc.yBlock);
}

/** Before the chunks of one `updateRows` call: the TSQR factor R into its resident copy. */
export function loadResident(state: SketchState, rc: ResidentChunk): void {
  rc.tsqr.r.data.set(state.rangeR);
}

/**
 * After the chunks of one `updateRows` call: add the increments accumulated over them to the
 * sketch (float64) and clear them, and copy R back: once per call rather than per chunk.
 */
export function flushResident(state: SketchState, rc: ResidentChunk): void {
  const { k, s, q } = state.sizes, n = state.cols, k1 = k + 1, acc = rc.accV;
  state.rangeR.set(rc.tsqr.r.data);
  let o = 0;
  o = addInto(state.coRangeAndError, acc, o, (k + q) * n);
  o = addInto(state.colSums, acc, o, n);
  o = addInto(state.core, acc, o, s * s);
  o = addInto(state.coreRange, acc, o, s * k1);
  addInto(state.errorRange, acc, o, q * k1);
  acc.fill(0);
}

/** dst[0:len] += src[off : off + len]; returns off + len. */
function addInto(dst: Float64Array, src: Float64Array, off: number, len: number): number {
  for (let x = 0; x < len; x++) dst[x] += src[off + x]!;
  return off + len;
}

/**
 * The chunk's streamed-axis maps, regenerated from (seed, purpose, i) [ALGORITHMS.md §0], as CSR
 * lists over the chunk rows t: list1 = Upsilon rows (k lists, counting-sorted from the compressed
 * items in WebAssembly, `csr_from_items`), Theta rows (q dense lists) and one list of ones (column sums); list2 = Phi rows (s
 * lists). Every row has exactly zeta Upsilon entries, so the dense lists start at b zeta and their
 * row indices depend on b only: they are rewritten when b changes. Also Upsilon 1 for centering.
 */
function buildLists(state: SketchState, rc: ResidentChunk, b: number, i0: number): void {
  const x = wasmRuntime()!.exports;
  const { k, s, q } = state.sizes, seed = state.seed;
  const zk = sparseSignZeta(k), zs = sparseSignZeta(s);
  fillSparseSignItems(seed, 'upsilon', k, i0, b, rc.uIdx, rc.uVal);
  fillSparseSignItems(seed, 'phi', s, i0, b, rc.pIdx, rc.pVal);
  if (q > 0) fillItems('gaussian', seed, 'theta', q, i0, b, rc.theta, 0, q);
  const l1 = rc.list1, l2 = rc.list2, it = rc.items, d0 = b * zk;
  if (rc.listRows !== b) {
    rc.listRows = b;
    const ptr = l1.ptrV, idx = l1.idxV, val = l1.valV;
    for (let c = 0; c <= q; c++) {
      ptr[k + c + 1] = d0 + (c + 1) * b;
      for (let t = 0; t < b; t++) idx[d0 + c * b + t] = t;
    }
    val.fill(1, d0 + q * b, d0 + (q + 1) * b);
  }
  x.csr_from_items(b, zk, k, it.uIdx, it.uVal, l1.ptr, l1.idx, l1.val, it.cursor);
  x.csr_from_items(b, zs, s, it.pIdx, it.pVal, l2.ptr, l2.idx, l2.val, it.cursor);
  if (q > 0) {
    // Theta's dense lists: the (b x q) rows transposed to q lists of b values, in float32.
    x.narrow_f64(b * q, it.theta, it.theta32);
    x.transpose_f32(b, q, it.theta32, 4 * q, l1.val + 4 * d0, 4 * b);
  }
  const ones = state.coRangeOnes, uv = rc.uVal, ui = rc.uIdx;
  for (let p = 0; p < d0; p++) ones[ui[p]!] += uv[p]!;
}
