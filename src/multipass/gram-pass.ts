/**
 * Multi-pass randomized SVD of a row stream: the Gram pass [Yu17 Alg. 2; docs/METHODS.md §5-6].
 * Plain data plus functions (create / update / finishPass), synchronous, with an in-memory state
 * that does not depend on the number of rows m.
 *
 * | symbol | shape  | here                                                                   |
 * |--------|--------|------------------------------------------------------------------------|
 * | A      | m x n  | the stream; row block A_blk arrives with its global `rowStart`         |
 * | X      | n x w  | `x`: the right block of this pass (w = l, or (q + 1) l for Krylov's last) |
 * | G      | m x w  | A X; rows g_i = a_i X are final on arrival: TSQR + spill, never held   |
 * | H      | n x w  | `h` = A^T G = sum_i a_i^T g_i                                          |
 * | R      | w x w  | TSQR R factor of G (last pass only)                                    |
 * | B      | w' x n | Q^T A with Q = G R^+: B = Sigma_R^{-1} V_R^T H^T (no extra pass)       |
 * | M      | w x r  | `leftMap`: U = G M, applied to the spilled rows of G                   |
 *
 * One pass computes two views, A X and A^T (A X). With X_0 = Omega and X_{j+1} = qr(H_j) between
 * passes, P passes are randomized subspace iteration with q = P - 1 [HMT11 Alg. 4.4]: in exact
 * arithmetic qr(A^T A X_j) spans the same space as HMT's qr(A^T Q_j), and Q^T A = R^{-T} H^T.
 * Odd view counts [Bja19]: v = 2P - 1 views end with a pass that computes G only; then
 * A ~ A X X^T = Q R X^T and the SVD of R gives the factors.
 * Block Krylov [MM15 Alg. 2]: passes 1..q each add the block orth(A^T A X_j) to a right Krylov
 * basis; the last pass streams A [X_0 ... X_q] (width (q + 1) l).
 *
 * Stabilisation [docs/METHODS.md §5: "stabilise the R^{-1}"]: X is orthonormalised between passes
 * (CholeskyQR2, falling back to Householder QR when H is too ill conditioned for it; so
 * cond(G) ~ sigma_1 / sigma_l of A, not its power), and R is inverted through
 * its SVD with the directions below `RANK_TOL * sigma_1(R)` dropped: an exactly low-rank input with
 * l > rank(A) (G rank deficient) then gives the same answer as a Householder QR of G instead of a
 * division by a rounding-level pivot. The loss of orthogonality of the implicit Q = G R^+ is about
 * eps sigma_1(R) / sigma_min kept, at most eps / RANK_TOL.
 *
 * State: X and H (2 n w), R (w^2), one chunk of G (CHUNK x w), Krylov basis ((q + 1) l n): no m.
 * Per row per pass: 4 n w flops (two GEMMs on a chunk), plus 2 w^2 for the TSQR in the last pass.
 * Rows may arrive in any order and any block size (H is a sum; R does not depend on the row order
 * beyond rounding); each row must be sent exactly once per pass. Shards: `forkGramPass` gives a
 * worker state for the current pass, `mergeGramPass` adds it back (H adds, TSQR factors merge).
 * `resultEveryPass` forms the factors after every pass (RSI with q = pass - 1), so one run shows
 * what each pass bought.
 * Krylov starts from X_0 = qr(Omega); RSI from Omega itself, as HMT11 Alg. 4.4 (same span).
 */
import type { Matrix, Matrix64 } from '../matrix.js';
import { zeros } from '../matrix.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { gemm } from '../kernels/gemm.js';
import type { PackedPanel } from '../kernels/packed-panel.js';
import { freePanel, gemmPacked, packPanel } from '../kernels/packed-panel.js';
import { householderQr } from '../linalg/householder-qr.js';
import { orthonormalize } from '../linalg/orthonormalize.js';
import { svd } from '../linalg/svd.js';
import { fixSigns } from '../linalg/sign-fix.js';
import type { TsqrState } from '../linalg/tsqr.js';
import { createTsqr, tsqrUpdate } from '../linalg/tsqr.js';
import { checkKrylovWidth } from './block-krylov.js';
import { extendKrylovBasis } from './extend-krylov-basis.js';
import type { MultipassOptions } from './multipass-options.js';
import { DEFAULT_POWER_ITERATIONS, resolveMultipassOptions } from './multipass-options.js';
import { multiply } from './multiply.js';
import { rangeTestMatrix } from './range-test-matrix.js';

/** Rows per internal chunk: the G workspace is CHUNK x w float64. */
export const CHUNK = 256;
/** Float32 rows are widened to float64 chunks of at most this many bytes (the fast GEMM is f64 x f64). */
export const WIDEN_BYTES = 1 << 24;
/** Relative threshold below which singular values of R are treated as zero (see file comment). */
export const RANK_TOL = 1e-12;
/**
 * The same threshold when the pass's X is the test matrix itself (one pass, q = 0): B = R^{-T} H^T
 * then carries H's rounding times sigma_1(R) / sigma_j, and the cut that balances it against what a
 * dropped direction loses is sqrt(eps) (the one-pass rsvd record uses the same, src/sketch/rsvd).
 * Measured on exp(-(i/5)^2), 500 x 100 at rank 10: max |U S V^T - best| 1.4e-6 at p = 30 with
 * RANK_TOL, 5e-10 with this. Later passes start from an orthonormal X and keep RANK_TOL (3e-16 there).
 */
export const FIRST_PASS_RANK_TOL = Math.sqrt(2.220446049250313e-16);

export type GramPassMethod = 'rsi' | 'block-krylov';

/** The synchronous sink of the rows of G in the last pass (a RangeSpill: `write` must copy). */
export interface GramSpill {
  write(rowStart: number, g: Matrix): void;
}

export interface GramPassOptions extends MultipassOptions {
  /** n: length of each streamed row. */
  cols: number;
  /** m if known (caps l at min(m, n)); the state never depends on it. */
  rows?: number;
  /** 'rsi' (default) or 'block-krylov' (then `powerIterations` is the Krylov depth q). */
  method?: GramPassMethod;
  /**
   * RSI only: number of views v >= 2 (default 2 q + 2). Passes = ceil(v / 2); an odd v skips
   * A^T G in the last pass [Bja19]. Overrides `powerIterations`.
   */
  views?: number;
  /** Receiver of the rows of G in the last pass, for U = G M. Without one, only S and V come out. */
  spill?: GramSpill;
  /**
   * RSI with an even view count: also form the factors after every pass (the RSI result with
   * q = pass - 1, identical to a run with that many passes), at the cost of a TSQR of G in every
   * pass (2 w^2 flops per row, beside the pass's 4 n w: a fraction w / (2 n) more). The spill still
   * receives G of the last pass only (the earlier passes' U is never formed). Default false.
   */
  resultEveryPass?: boolean;
}

export interface GramPassState {
  readonly method: GramPassMethod;
  readonly cols: number;
  readonly rank: number;
  readonly l: number;
  readonly oversamples: number;
  readonly seed: number;
  readonly testMatrix: MultipassOptions['testMatrix'];
  /** P. */
  readonly passes: number;
  /** v (RSI: 2P or 2P - 1; Krylov: 2P). */
  readonly views: number;
  /** Current pass, 0-based. */
  pass: number;
  /** Width w of this pass. */
  width: number;
  /** X (n x w), row-major. */
  x: Float64Array;
  /** H (n x w) accumulator; empty in an odd last pass. */
  h: Float64Array;
  /** Krylov: the right basis [X_0 ... X_q] (n x (q + 1) l); empty for RSI. */
  basis: Float64Array;
  /** TSQR of G in the last pass; null before. */
  tsqr: TsqrState | null;
  /** Rows absorbed in this pass / in the first pass (every pass must see the same count). */
  rowsSeen: number;
  rowsFirstPass: number;
  /** Chunk workspace for G (CHUNK x w). */
  g: Float64Array;
  /** Float64 copy of a chunk of float32 rows (allocated at the first float32 block). */
  wide: Float64Array;
  /** X packed once per pass for the GEMM kernel (a cache in kernel memory, freed when the pass ends). */
  panel: PackedPanel | null;
  spill: GramSpill | undefined;
  readonly resultEveryPass: boolean;
}

export interface PassSummary {
  /** 1-based number of the pass just finished. */
  pass: number;
  passes: number;
  rows: number;
  /**
   * Ritz estimates of sigma_1..sigma_r after this pass (sqrt of the eigenvalues of X^T A^T A X,
   * X orthonormal); their change between passes shows what the pass bought. Empty for the
   * odd last pass and for pass 1 (Omega is not orthonormal).
   */
  ritz: Float64Array;
  /** With `resultEveryPass`: the factors after this pass (RSI with q = pass - 1). */
  result?: GramPassResult;
}

export interface GramPassResult {
  s: Float64Array;
  /** Right singular vectors (n x r). */
  v: Matrix64;
  /** M (w x r): the left factor is U = G M, row by row from the spill (see `leftFactorRows`). */
  leftMap: Matrix64;
  /** Numerical rank kept when inverting R (< w for a rank-deficient G). */
  kept: number;
  rows: number;
}

/** A fresh state for pass 1. Throws ArgumentError on bad options. */
export function createGramPass(opts: GramPassOptions): GramPassState {
  const method = opts.method ?? 'rsi';
  if (method !== 'rsi' && method !== 'block-krylov') throw new ArgumentError(`gramPass: method must be 'rsi' or 'block-krylov', found ${String(method)}`);
  const n = opts.cols;
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`gramPass: cols must be a positive integer, found ${n}`);
  const o = resolveMultipassOptions('gramPass', opts, n, opts.rows, DEFAULT_POWER_ITERATIONS);
  let views = 2 * o.powerIterations + 2;
  if (opts.views !== undefined) {
    if (method !== 'rsi') throw new ArgumentError(`gramPass: views applies to method 'rsi' only`);
    if (!Number.isInteger(opts.views) || opts.views < 2) {
      throw new ArgumentError(`gramPass: views must be an integer >= 2 over a row stream, found ${opts.views} (one view is the single-pass sketch)`);
    }
    views = opts.views;
  }
  const passes = Math.ceil(views / 2);
  const resultEveryPass = opts.resultEveryPass ?? false;
  if (resultEveryPass && (method !== 'rsi' || views % 2 === 1)) {
    throw new ArgumentError(`gramPass: resultEveryPass needs method 'rsi' with an even number of views`);
  }
  if (method === 'block-krylov') checkKrylovWidth('gramPass', passes - 1, o.l, n, opts.rows);
  const omega = rangeTestMatrix(o.testMatrix, o.seed, n, o.l);
  const x = method === 'block-krylov' ? householderQr(omega).q.data : omega.data;
  const basis = method === 'block-krylov' ? new Float64Array(n * passes * o.l) : new Float64Array(0);
  if (method === 'block-krylov') for (let i = 0; i < n; i++) for (let j = 0; j < o.l; j++) basis[i * passes * o.l + j] = x[i * o.l + j];
  const state: GramPassState = {
    method, cols: n, rank: o.rank, l: o.l, oversamples: o.oversamples, seed: o.seed, testMatrix: o.testMatrix,
    passes, views, pass: 0, width: o.l, x, h: new Float64Array(0), basis, tsqr: null,
    rowsSeen: 0, rowsFirstPass: 0, g: new Float64Array(0), wide: new Float64Array(0), panel: null, spill: opts.spill, resultEveryPass,
  };
  startPass(state);
  return state;
}

function isLastPass(st: GramPassState): boolean {
  return st.pass === st.passes - 1;
}

/** Allocates the per-pass arrays (between passes only; `update` allocates nothing). */
function startPass(st: GramPassState): void {
  const last = isLastPass(st);
  if (last && st.method === 'block-krylov') { st.x = st.basis; st.width = st.passes * st.l; }
  startPassKeepingX(st);
}

/**
 * A worker's copy of `st` for the current pass of a sharded run: same options, pass, X (and Krylov
 * basis), with empty accumulators and its own workspaces and spill. Stream a shard of rows into
 * it, then `mergeGramPass(st, worker)` before `finishGramPass(st)`.
 */
export function forkGramPass(st: GramPassState, spill?: GramSpill): GramPassState {
  if (st.pass >= st.passes) throw new ArgumentError(`gramPass: all ${st.passes} passes are finished`);
  const w: GramPassState = {
    ...st, x: st.x, basis: st.basis.slice(), g: new Float64Array(0), wide: new Float64Array(0), panel: null, spill,
    rowsSeen: 0, h: new Float64Array(0), tsqr: null,
  };
  if (st.method === 'block-krylov' && isLastPass(st)) w.x = w.basis;
  else w.x = st.x.slice();
  startPassKeepingX(w);
  return w;
}

/**
 * The state of one shard for pass `pass` (0-based) of a run whose parent lives in another process
 * (`approx --distributed`): what `forkGramPass` gives, built from the run's options and the pass's
 * right block X (n x w, as the parent holds it after `finishGramPass`; for block Krylov's last pass
 * the whole basis). Stream the shard's rows into it; its H, TSQR factor and rows then travel to the
 * parent, which adds them with `mergeGramPass` into its own state in a fixed shard order.
 */
export function gramPassShard(opts: GramPassOptions, pass: number, x: Float64Array, spill?: GramSpill): GramPassState {
  const st = createGramPass({ ...opts, spill });
  if (st.panel) { freePanel(st.panel); st.panel = null; }
  if (!Number.isInteger(pass) || pass < 0 || pass >= st.passes) throw new ArgumentError(`gramPass: pass ${pass} is not one of the run's ${st.passes} passes (0-based)`);
  st.pass = pass;
  const krylovLast = st.method === 'block-krylov' && isLastPass(st);
  st.width = krylovLast ? st.passes * st.l : st.l;
  if (x.length !== st.cols * st.width) throw new ShapeError(`gramPass: pass ${pass + 1}'s X has ${x.length} values, expected ${st.cols} x ${st.width}`);
  st.x = x;
  if (krylovLast) st.basis = x;
  startPassKeepingX(st);
  return st;
}

/** Releases a state's kernel memory (X packed for the GEMM) without finishing its pass: a shard whose numbers have been saved. */
export function releaseGramPass(st: GramPassState): void {
  if (st.panel) { freePanel(st.panel); st.panel = null; }
}

function startPassKeepingX(st: GramPassState): void {
  const last = isLastPass(st);
  const w = st.width, n = st.cols;
  st.h = !(last && st.views % 2 === 1) ? new Float64Array(n * w) : new Float64Array(0);
  st.tsqr = last || st.resultEveryPass ? createTsqr(w) : null;
  st.g = new Float64Array(CHUNK * w);
  st.rowsSeen = 0;
  st.panel = packPanel(false, n, w, st.x, 0, w, 'float64');
}

/**
 * Absorbs a block of rows (rows x n, any float type, any stride) starting at global row `rowStart`:
 * G_blk = A_blk X, H += A_blk^T G_blk, and in the last pass TSQR(G_blk) and spill.write.
 */
export function updateGramPass(st: GramPassState, block: Matrix, rowStart: number): void {
  const n = st.cols, w = st.width;
  if (st.pass >= st.passes) throw new ArgumentError(`gramPass: all ${st.passes} passes are finished`);
  if (block.cols !== n) throw new ShapeError(`gramPass: rows ${rowStart}..${rowStart + block.rows - 1} have ${block.cols} values, expected ${n}`);
  if (!Number.isInteger(rowStart) || rowStart < 0) throw new ArgumentError(`gramPass: rowStart must be a non-negative integer, found ${rowStart}`);
  const g = st.g, h = st.h, spill = isLastPass(st) ? st.spill : undefined;
  // float32 rows: widen a chunk at a time so that both products run on the f64 kernel (docs/KERNELS.md:
  // accumulators and Gram-type products stay in float64).
  const widen = !(block.data instanceof Float64Array);
  const step = widen ? Math.max(1, Math.min(CHUNK, Math.floor(WIDEN_BYTES / (8 * n)))) : CHUNK;
  if (widen && st.wide.length < step * n) st.wide = new Float64Array(step * n);
  for (let r0 = 0; r0 < block.rows; r0 += step) {
    const c = Math.min(step, block.rows - r0);
    let ad = block.data, off = block.offset + r0 * block.stride, lda = block.stride;
    if (widen) {
      const wd = st.wide;
      for (let i = 0; i < c; i++) {
        const src = off + i * lda, dst = i * n;
        for (let j = 0; j < n; j++) wd[dst + j] = ad[src + j];
      }
      ad = wd; off = 0; lda = n;
    }
    gemmPacked(false, c, 1, ad, off, lda, st.panel!, 0, g, 0, w);
    if (h.length > 0) gemm(true, false, n, w, c, 1, ad, off, lda, g, 0, w, 1, h, 0, w);
    if (st.tsqr) {
      const gv: Matrix64 = { rows: c, cols: w, data: g, offset: 0, stride: w };
      tsqrUpdate(st.tsqr, gv);
      spill?.write(rowStart + r0, gv);
    }
  }
  st.rowsSeen += block.rows;
}

/**
 * Ends the current pass. Returns `{ done: false, summary }` and prepares the next pass (new X), or
 * `{ done: true, summary, result }` after the last one. Throws ShapeError when a pass saw a
 * different number of rows than the first (the source changed between passes).
 */
export function finishGramPass(st: GramPassState):
  { done: false; summary: PassSummary } | { done: true; summary: PassSummary; result: GramPassResult } {
  if (st.pass >= st.passes) throw new ArgumentError(`gramPass: all ${st.passes} passes are finished`);
  if (st.panel) { freePanel(st.panel); st.panel = null; }
  if (st.pass === 0) st.rowsFirstPass = st.rowsSeen;
  else if (st.rowsSeen !== st.rowsFirstPass) {
    throw new ShapeError(`gramPass: pass ${st.pass + 1} saw ${st.rowsSeen} rows, pass 1 saw ${st.rowsFirstPass}: the source changed between passes`);
  }
  const n = st.cols, w = st.width;
  const hm: Matrix64 = { rows: n, cols: w, data: st.h, offset: 0, stride: w };
  const xm: Matrix64 = { rows: n, cols: w, data: st.x, offset: 0, stride: w };
  const ritz = st.pass > 0 && st.h.length > 0 ? ritzValues(xm, hm, st.rank) : new Float64Array(0);
  const summary: PassSummary = { pass: st.pass + 1, passes: st.passes, rows: st.rowsSeen, ritz };
  if (isLastPass(st)) {
    const result = finalFactors(st, xm, hm);
    st.pass = st.passes;
    return { done: true, summary, result };
  }
  if (st.resultEveryPass) summary.result = finalFactors(st, xm, hm);
  if (st.method === 'block-krylov') {
    const basis: Matrix64 = { rows: n, cols: st.passes * st.l, data: st.basis, offset: 0, stride: st.passes * st.l };
    st.x = extendKrylovBasis(basis, (st.pass + 1) * st.l, hm).data;
  } else {
    st.x = orthonormalize(hm).data;
  }
  st.pass++;
  startPass(st);
  return { done: false, summary };
}

/** sqrt of the eigenvalues of X^T H = X^T A^T A X (w x w, symmetric PSD): the leading r. */
function ritzValues(x: Matrix64, h: Matrix64, r: number): Float64Array {
  const s = svd(multiply(x, h, true), { vectors: false }).s;
  const out = new Float64Array(Math.min(r, s.length));
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(s[i]);
  return out;
}

function finalFactors(st: GramPassState, x: Matrix64, h: Matrix64): GramPassResult {
  const w = st.width, r = st.rank;
  const fr = svd(st.tsqr!.r);
  let kept = 0;
  const tol = (st.pass === 0 && st.method === 'rsi' ? FIRST_PASS_RANK_TOL : RANK_TOL) * (fr.s[0] ?? 0);
  while (kept < fr.s.length && fr.s[kept] > tol) kept++;
  // P = V_R Sigma_R^{-1} (w x kept): Q = G P has orthonormal columns spanning range(G).
  const p = zeros(w, kept);
  for (let i = 0; i < w; i++) for (let j = 0; j < kept; j++) p.data[i * kept + j] = fr.v.data[i * fr.v.stride + j] / fr.s[j];
  let s: Float64Array, v: Matrix64, leftMap: Matrix64;
  const rr = Math.min(r, kept);
  if (h.data.length === 0) {
    // Odd views: A ~ Q R X^T, R = U_R S V_R^T: U = G V_R S^{-1}, V = X V_R.
    s = fr.s.slice(0, rr);
    leftMap = leadingColumns(p, rr);
    v = multiply(x, leadingColumns(fr.v, rr));
  } else {
    // B = Q^T A = P^T H^T (kept x n); B = U_B S V_B^T; U = G P U_B.
    const b = multiply(p, h, true, true);
    const fb = svd(b);
    s = fb.s.slice(0, rr);
    v = leadingColumns(fb.v, rr);
    leftMap = multiply(p, leadingColumns(fb.u, rr));
  }
  fixSigns(v, leftMap);
  return { s, v, leftMap, kept, rows: st.rowsSeen };
}

function leadingColumns(a: Matrix64, r: number): Matrix64 {
  const out = zeros(a.rows, r);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < r; j++) out.data[i * r + j] = a.data[a.offset + i * a.stride + j];
  return out;
}
