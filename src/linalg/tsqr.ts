/**
 * Streaming R factor of a tall matrix Y whose rows arrive in blocks (TSQR, flat tree)
 * [Demmel, Grigori, Hoemmen, Langou 2012; GVL13 §5.2.4 structured Householder; docs/METHODS.md §6].
 *
 * State: R (k x k, upper triangular, float64, diag(R) >= 0) with R^T R = Y^T Y for all rows seen.
 * `tsqrUpdate(state, block)` replaces R by the R factor of [R; block] using Householder reflectors
 * that exploit the triangle (reflector j touches R[j, :] and the block's column j only), so one
 * block of b rows costs about 2 b k^2 flops. The block is copied, transposed, into a fixed
 * workspace in chunks of CHUNK rows (the R factor of [R; B1; B2] equals that of
 * [[R; B1]-factor; B2], so chunking changes nothing but rounding); nothing is allocated per block.
 * For k >= 32 and chunks of 64 rows or more, reflectors are applied in panels of 16 or 32 in
 * compact WY form, so most of the flops run in GEMM [GVL13 §5.2.3]; narrower or shorter inputs
 * (including row-at-a-time streams) take the Level-2 loop.
 * With the WebAssembly kernels available, chunks of 8 rows or more with k < 256 run in WebAssembly
 * SIMD (`tsqr_factor_f64`, the trailing columns taking 4 reflectors per pass), on the state in place
 * when it lives in the kernels' memory (`allocF64`), else on a shared scratch there: the path, and
 * so the bits of R, depend on (k, h) only. From k = 256 the blocked form above.
 * Because diag(R) >= 0 is restored after every chunk, R is unique for full-rank Y and the result
 * does not depend on the block split beyond rounding; merging shards is `tsqrMerge`.
 *
 * Rank-deficient Y gives an R with zero (or tiny) diagonal entries; do not invert it blindly,
 * see `rangeBasisFromR`.
 */
import type { Matrix, Matrix64 } from '../matrix.js';
import { zeros } from '../matrix.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { gemm } from '../kernels/gemm.js';
import { arenaAlloc, arenaFree, inArena } from '../kernels/wasm-arena.js';
import { wasmRuntime, type WasmRuntime } from '../kernels/wasm-runtime.js';
import { divideOrScale, scaledSquares } from './safe-scale.js';

/** Rows of a block processed per structured QR step (workspace is CHUNK x k float64). */
const CHUNK = 1024;
/** Below this chunk height, or for narrow k, the Level-2 loop beats GEMM's call overhead. */
const MIN_BLOCKED_ROWS = 64;

/**
 * On the WebAssembly kernels, `tsqr_factor_f64` (reflectors in panels of 4 applied to the
 * trailing columns in one pass each) beats the GEMM-blocked form at least up to k = 130 (chunks of
 * 256 rows: 81 us against 155 at k = 42, 530 against 1030 at k = 130; TypeScript: 430 and 2500;
 * the blocked form's trailing GEMMs pack a transposed operand in TypeScript on
 * every call); blocked from here on.
 */
const WASM_MIN_BLOCKED_K = 256;
/**
 * Chunks shorter than this stay on the TypeScript loop: a state outside the kernels' memory pays
 * a k^2 copy of R each way per chunk, as much as the arithmetic of a few rows. The choice depends
 * on (k, h) only, never on where the state lives, so neither do the bits of R.
 */
const WASM_MIN_ROWS = 8;

function panelWidth(k: number): number {
  return k <= 128 ? 16 : 32;
}

export interface TsqrState {
  /** Number of columns of Y. */
  readonly k: number;
  /** R factor so far (k x k, upper triangular, non-negative diagonal). */
  readonly r: Matrix64;
  /** Rows of Y absorbed so far. */
  rows: number;
  /** Workspace: one chunk of the block, transposed (k x CHUNK). */
  readonly work: Float64Array;
  /** Workspace of the blocked update: V^T C (nb x k), T and V^T V (nb x nb each), taus (k). */
  readonly panel: Float64Array;
}

/** A fresh TSQR state for Y with k columns (R = 0, no rows). */
export function createTsqr(k: number): TsqrState {
  if (!Number.isInteger(k) || k < 1) throw new ArgumentError(`createTsqr: k must be a positive integer, found ${k}`);
  const nb = panelWidth(k);
  return { k, r: zeros(k, k), rows: 0, work: new Float64Array(k * CHUNK), panel: new Float64Array(nb * k + 2 * nb * nb + k) };
}

/** R <- R factor of [R; block] for a block (b x k) of any height b >= 0. Allocation-free. */
export function tsqrUpdate(state: TsqrState, block: Matrix): void {
  const k = state.k;
  if (block.cols !== k) throw new ShapeError(`tsqrUpdate: block has ${block.cols} columns, expected ${k}`);
  for (let r0 = 0; r0 < block.rows; r0 += CHUNK) {
    const h = Math.min(CHUNK, block.rows - r0);
    absorbChunk(state, block, r0, h);
  }
  state.rows += block.rows;
}

function absorbChunk(state: TsqrState, block: Matrix, r0: number, h: number): void {
  const k = state.k, w = state.work, rd = state.r.data;
  const wasm = wasmRuntime();
  // The scalar loop below was 10 to 20% of `updateRows` at ranks 10 to 32 (k = 42 to 130).
  if (wasm !== null && h >= WASM_MIN_ROWS && k < WASM_MIN_BLOCKED_K) { absorbChunkWasm(wasm, state, block, r0, h); return; }
  const pw = state.panel;
  transposeInto(w, block, r0, h, k, null);
  const nb = panelWidth(k);
  const blocked = h >= MIN_BLOCKED_ROWS && k >= 2 * nb;
  const mOff = 0, tOff = nb * k, sOff = tOff + nb * nb, tauOff = sOff + nb * nb;
  for (let j0 = 0; j0 < k; j0 += blocked ? nb : k) {
    const jb = blocked ? Math.min(nb, k - j0) : k;
    // Panel: structured reflectors applied to the panel's own columns only.
    for (let j = j0; j < j0 + jb; j++) pw[tauOff + j] = reflect(rd, w, k, h, j, j0 + jb);
    const c0 = j0 + jb, nc = k - c0;
    if (!blocked || nc === 0) continue;
    // Trailing columns: C <- (I - V T^T V^T) C with V = [E; W_p], E selecting rows j0.. of R
    // [GVL13 §5.2.3 compact WY, structured as in Demmel et al. 2012 §3.4]; V^T V = I + W_p W_p^T.
    gemm(false, true, jb, jb, h, 1, w, j0 * h, h, w, j0 * h, h, 0, pw, sOff, jb);
    for (let i = 0; i < jb; i++) pw[sOff + i * jb + i] += 1;
    formT(pw, tOff, sOff, tauOff + j0, jb);
    // M = R[j0 : j0 + jb, c0 :] + W_p^T W_trail  (jb x nc)
    for (let i = 0; i < jb; i++) for (let c = 0; c < nc; c++) pw[mOff + i * nc + c] = rd[(j0 + i) * k + c0 + c];
    gemm(false, true, jb, nc, h, 1, w, j0 * h, h, w, c0 * h, h, 1, pw, mOff, nc);
    // M <- T^T M (T upper: row i takes rows l <= i; descending i keeps inputs intact).
    for (let i = jb - 1; i >= 0; i--) {
      for (let c = 0; c < nc; c++) {
        let acc = 0;
        for (let l = 0; l <= i; l++) acc += pw[tOff + l * jb + i] * pw[mOff + l * nc + c];
        pw[mOff + i * nc + c] = acc;
      }
    }
    for (let i = 0; i < jb; i++) for (let c = 0; c < nc; c++) rd[(j0 + i) * k + c0 + c] -= pw[mOff + i * nc + c];
    // W_trail^T (nc x h) -= M^T W_p^T
    gemm(true, false, nc, h, jb, -1, pw, mOff, nc, w, j0 * h, h, 1, w, c0 * h, h);
  }
  fixSigns(rd, k);
}

/** Unique representative: non-negative diagonal (flip whole rows; R^T R is unchanged). */
function fixSigns(rd: Float64Array, k: number): void {
  for (let j = 0; j < k; j++) {
    if (rd[j * k + j] < 0) for (let c = j; c < k; c++) rd[j * k + c] = -rd[j * k + c];
  }
}

/** Column j of the chunk (rows r0 .. r0 + h of the block) becomes the contiguous row j of w (stride h). */
function transposeInto(w: Float64Array, block: Matrix, r0: number, h: number, k: number, rt: WasmRuntime | null): void {
  const bd = block.data, bs = block.stride;
  if (rt !== null && bd instanceof Float64Array && inArena(bd) && inArena(w)) {
    rt.exports.transpose_f64(h, k, bd.byteOffset + 8 * (block.offset + r0 * bs), 8 * bs, w.byteOffset, 8 * h);
    return;
  }
  for (let i = 0; i < h; i++) {
    const o = block.offset + (r0 + i) * bs;
    for (let j = 0; j < k; j++) w[j * h + i] = bd[o + j];
  }
}

/**
 * The chunk on the WebAssembly kernels (`tsqr_factor_f64`, every reflector on every column, in
 * panels of 4). A state that lives in the kernels' memory is used in place; any other runs on a
 * shared scratch there (R copied in and out, k^2 values each way), so the arithmetic, and the bits
 * of R, do not depend on where the state lives.
 */
function absorbChunkWasm(rt: WasmRuntime, state: TsqrState, block: Matrix, r0: number, h: number): void {
  const k = state.k, rd = state.r.data, kk = k * k;
  const own = inArena(state.work) && inArena(rd) && inArena(state.panel);
  const sc = own ? null : scratch(rt, kk + k * h + k);
  const r = sc === null ? rd : sc.subarray(0, kk);
  const w = sc === null ? state.work : sc.subarray(kk, kk + k * h);
  const taus = sc === null ? state.panel.byteOffset : sc.byteOffset + 8 * (kk + k * h);
  if (sc !== null) for (let x = 0; x < kk; x++) r[x] = rd[x];
  transposeInto(w, block, r0, h, k, rt);
  rt.exports.tsqr_factor_f64(r.byteOffset, w.byteOffset, k, h, taus);
  if (sc !== null) for (let x = 0; x < kk; x++) rd[x] = r[x];
  fixSigns(rd, k);
}

let scratchPtr = -1;
let scratchView: Float64Array<ArrayBufferLike> = new Float64Array(0);

/** A float64 scratch of at least `len` values in the kernels' memory, kept and grown as needed. */
function scratch(rt: WasmRuntime, len: number): Float64Array<ArrayBufferLike> {
  if (len > scratchView.length) {
    if (scratchPtr >= 0) arenaFree(scratchPtr);
    scratchPtr = -1;
    const want = Math.max(len, Math.ceil(1.5 * scratchView.length));
    scratchPtr = arenaAlloc(8 * want);
    scratchView = new Float64Array(rt.memory.buffer, scratchPtr, want);
  }
  return scratchView;
}

/**
 * Structured reflector j on x = [R[j, j]; w[j, :]] (the entries of R below the diagonal are zero),
 * applied to columns j+1 .. cEnd-1 (R[j, c] and w[c, :]); returns tau (0: nothing to do).
 */
function reflect(rd: Float64Array, w: Float64Array, k: number, h: number, j: number, cEnd: number): number {
  const wj = j * h;
  let scale = 0;
  for (let i = 0; i < h; i++) { const a = Math.abs(w[wj + i]); if (a > scale) scale = a; }
  if (scale === 0) return 0;
  // Subnormal columns (cancellation leaves them in rank-deficient or tiny inputs) must not form
  // 1 / scale or 1 / (alpha - beta), which overflow: safe-scale.ts.
  const ss = scaledSquares(w, wj, 1, h, scale);
  const alpha = rd[j * k + j];
  const norm = Math.hypot(alpha, scale * Math.sqrt(ss));
  const beta = alpha >= 0 ? -norm : norm;
  const tau = (beta - alpha) / beta;
  divideOrScale(w, wj, 1, h, alpha - beta);
  rd[j * k + j] = beta;
  for (let c = j + 1; c < cEnd; c++) {
    const wc = c * h;
    let dot = rd[j * k + c];
    for (let i = 0; i < h; i++) dot += w[wj + i] * w[wc + i];
    const g = tau * dot;
    rd[j * k + c] -= g;
    for (let i = 0; i < h; i++) w[wc + i] -= g * w[wj + i];
  }
  return tau;
}

/** T (jb x jb, at tOff) of the compact WY form from S = V^T V (at sOff) and the taus [dlarft]. */
function formT(pw: Float64Array, tOff: number, sOff: number, tauAt: number, jb: number): void {
  for (let i = 0; i < jb; i++) {
    const ti = pw[tauAt + i];
    for (let r = 0; r < jb; r++) if (r > i) pw[tOff + r * jb + i] = 0;
    pw[tOff + i * jb + i] = ti;
    // T[0:i, i] = -tau_i T[0:i, 0:i] S[0:i, i], computed top-down (row r needs T[r, r..i-1] only).
    for (let r = 0; r < i; r++) {
      let acc = 0;
      for (let l = r; l < i; l++) acc += pw[tOff + r * jb + l] * pw[sOff + l * jb + i];
      pw[tOff + r * jb + i] = -ti * acc;
    }
  }
}

/** R factor of the stacked rows of two shards: a new state with rows = a.rows + b.rows. */
export function tsqrMerge(a: TsqrState, b: TsqrState): TsqrState {
  if (a.k !== b.k) throw new ShapeError(`tsqrMerge: states have k = ${a.k} and k = ${b.k}`);
  const out = createTsqr(a.k);
  out.r.data.set(a.r.data);
  tsqrUpdate(out, b.r);
  out.rows = a.rows + b.rows;
  return out;
}
