/**
 * Thin singular value decomposition of a dense matrix: A (m x n) = U (m x p) diag(s) V (n x p)^T,
 * p = min(m, n), s descending and non-negative, U^T U = V^T V = I, deterministic signs (`fixSigns`).
 *
 * Method (the Golub–Reinsch / LAPACK dgesvd route, chosen over Jacobi because it is O(n^3) with a
 * small constant, and over the Gram/eigen shortcut because that squares the condition number):
 * 1. Wide input (m < n): factor A^T and swap U and V.
 * 2. Tall input (m >= 1.6 n, LAPACK's crossover): Householder QR A = Q R first, then the SVD of
 *    the n x n R, and U = Q U_R by applying the reflectors [GVL13 §8.6.3 "R-SVD"].
 * 3. Golub–Kahan bidiagonalisation A = Q_B B P^T by alternating Householder reflectors
 *    [GVL13 Alg. 5.4.2], blocked as LAPACK dlabrd (half the flops in GEMM), with Q_B^T and P^T
 *    formed from compact-WY blocks of the reflectors (GEMM).
 * 4. Implicit-shift bidiagonal QR (Golub–Kahan SVD step with a Wilkinson shift from the trailing
 *    2 x 2 of B^T B) [GVL13 Alg. 8.6.1, 8.6.2; Demmel–Kahan 1990 for the deflation criterion
 *    |e_i| <= eps (|d_i| + |d_{i+1}|)]; a diagonal entry below eps ||B|| is set to zero and its row
 *    (or last column) is chased out with rotations, which is what makes exactly rank-deficient
 *    inputs converge. Rotations are applied to the rows of U^T and V^T (contiguous memory).
 *
 * Accuracy: backward stable; every singular value is within a small multiple of eps * sigma_1 of
 * the exact one (absolute, not relative, accuracy for the tiny ones: the same guarantee as
 * numpy's np.linalg.svd); measured against numpy on five real matrices to 1e-14 relative to
 * sigma_1 (test/linalg-numpy.test.ts).
 *
 * Cost: the QR reduction, the formation of the factors and half of the bidiagonalisation run in
 * GEMM; the other half of the bidiagonalisation (matrix-vector products) and the rotations of the
 * bidiagonal QR (about 12 n^3 flops with vectors, applied a sweep at a time) run in plain
 * TypeScript and dominate: roughly 10 to 20x LAPACK's divide-and-conquer gesdd at n ~ 1000 on one
 * thread, seconds at n ~ 1000, minutes at n ~ 3000. Values only (vectors: false) skips the
 * rotations' vector work and the factor formation.
 */
import type { Matrix, Matrix64 } from '../matrix.js';
import { clone, transpose, zeros } from '../matrix.js';
import { NonFiniteError, NumericError } from '../errors.js';
import { bidiagonalize } from './bidiagonalize.js';
import { applyBlockToRows, makeReflectorBlock } from './reflector-block.js';
import { applyQToRows, householderFactor } from './householder-qr.js';
import { fixSigns } from './sign-fix.js';
import { matrixMaxAbs, powerOfTwoExponent, scaleByPowerOfTwo, timesPowerOfTwo } from './safe-scale.js';

export interface SvdResult {
  /** Left singular vectors (m x p); (m x 0) when vectors were not asked for. */
  u: Matrix64;
  /** Singular values, descending (length p = min(m, n)). */
  s: Float64Array;
  /** Right singular vectors (n x p); (n x 0) when vectors were not asked for. */
  v: Matrix64;
}

export interface SvdOptions {
  /** Compute U and V (default true). Without them the cost drops to about 4 m n^2 flops. */
  vectors?: boolean;
}

const EPS = 2.220446049250313e-16;
/** LAPACK dgesvd's "mnthr" ratio: above it a QR reduction first is cheaper. */
const QR_FIRST_RATIO = 1.6;

export function svd(a: Matrix, opts: SvdOptions = {}): SvdResult {
  const vectors = opts.vectors ?? true;
  checkFinite(a);
  // LAPACK dgesvd's prescaling: a matrix whose largest entry is far from 1 (subnormal, or near the
  // overflow limit) is scaled by a power of two (exact) so that no square or reflector norm
  // overflows or underflows; s is scaled back at the end, U and V do not change.
  const big = matrixMaxAbs(a);
  const e = big > 0 && (big < SAFE_MIN || big > SAFE_MAX) ? -powerOfTwoExponent(big) : 0;
  const work = e === 0 ? a : scaledCopy(a, e);
  const m = a.rows, n = a.cols;
  let out: SvdResult;
  if (m < n) {
    const t = svdTall(transpose(work), vectors);
    out = { u: t.v, s: t.s, v: t.u };
  } else {
    out = svdTall(work, vectors);
  }
  if (e !== 0) for (let i = 0; i < out.s.length; i++) out.s[i] = timesPowerOfTwo(out.s[i], -e);
  if (vectors) fixSigns(out.v, out.u);
  return out;
}

/** Largest entries outside [SAFE_MIN, SAFE_MAX] trigger the prescaling of `svd`. */
const SAFE_MIN = 2 ** -300;
const SAFE_MAX = 2 ** 300;

function scaledCopy(a: Matrix, e: number): Matrix64 {
  const c = clone(a);
  scaleByPowerOfTwo(c.data, 0, c.rows * c.cols, e);
  return c;
}

function checkFinite(a: Matrix): void {
  for (let i = 0; i < a.rows; i++) {
    const o = a.offset + i * a.stride;
    for (let j = 0; j < a.cols; j++) {
      if (!Number.isFinite(a.data[o + j])) throw new NonFiniteError(`svd: row ${i}: value at column ${j} is ${a.data[o + j]}`);
    }
  }
}

/** m >= n. */
function svdTall(a: Matrix, vectors: boolean): SvdResult {
  const m = a.rows, n = a.cols;
  if (n === 0) return { u: zeros(m, 0), s: new Float64Array(0), v: zeros(0, 0) };
  if (m >= QR_FIRST_RATIO * n && n > 1) {
    const { f, r } = householderFactor(a);
    const core = bidiagonalSvd(r.data, n, n, vectors);
    if (!vectors) return { u: zeros(m, 0), s: core.s, v: zeros(n, 0) };
    // U^T row c = (Q [u_R,c; 0])^T, Q applied by blocks of reflectors (GEMM).
    const ut = new Float64Array(n * m);
    const qt = core.qt!;
    for (let c = 0; c < n; c++) for (let i = 0; i < n; i++) ut[c * m + i] = qt[c * n + i];
    applyQToRows(f, ut, n, false);
    return { u: transposeRows(ut, n, m), s: core.s, v: transposeRows(core.pt!, n, n) };
  }
  const w = clone(a).data;
  const core = bidiagonalSvd(w, m, n, vectors);
  if (!vectors) return { u: zeros(m, 0), s: core.s, v: zeros(n, 0) };
  return { u: transposeRows(core.qt!, n, m), s: core.s, v: transposeRows(core.pt!, n, n) };
}

/** (p x len) rows -> (len x p) packed matrix. */
function transposeRows(rows: Float64Array, p: number, len: number): Matrix64 {
  const out = zeros(len, p);
  const d = out.data;
  for (let c = 0; c < p; c++) {
    const o = c * len;
    for (let i = 0; i < len; i++) d[i * p + c] = rows[o + i];
  }
  return out;
}

interface CoreSvd {
  /** U^T (n x m): row c is the c-th left singular vector. */
  qt: Float64Array | null;
  s: Float64Array;
  /** V^T (n x n). */
  pt: Float64Array | null;
}

/** SVD of the packed m x n (m >= n) matrix in w (destroyed): steps 3 and 4 of the header. */
function bidiagonalSvd(w: Float64Array, m: number, n: number, vectors: boolean): CoreSvd {
  const { d, e, tauL, tauR } = bidiagonalize(w, m, n);
  let qt: Float64Array | null = null, pt: Float64Array | null = null;
  if (vectors) {
    qt = formLeftFactor(w, m, n, tauL);
    pt = formRightFactor(w, n, tauR);
  }
  bidiagonalQr(d, e, qt, m, pt, n);
  return { qt, s: d, pt };
}

/** Reflector blocks of the bidiagonalisation: 32 reflectors per GEMM-applied block. */
const NB = 32;

/**
 * Q_B^T (n x m): row c is column c of Q_B = H_0 ... H_{n-1} (left reflectors, stored below the
 * diagonal of the columns of w), formed from [I_n 0] block by block from the last, as GEMMs.
 */
function formLeftFactor(w: Float64Array, m: number, n: number, tau: Float64Array): Float64Array {
  const qt = new Float64Array(n * m);
  for (let c = 0; c < n; c++) qt[c * m + c] = 1;
  const first = Math.floor((n - 1) / NB) * NB;
  for (let j0 = first; j0 >= 0; j0 -= NB) {
    const nb = Math.min(NB, n - j0), len = m - j0;
    const vt = new Float64Array(nb * len);
    for (let i = 0; i < nb; i++) {
      vt[i * len + i] = 1;
      for (let c = i + 1; c < len; c++) vt[i * len + c] = w[(j0 + c) * n + j0 + i];
    }
    // Rows c < j0 are still unit vectors outside the block's support: skip them.
    applyBlockToRows(makeReflectorBlock(j0, nb, vt, tau, j0), qt, j0 * m, n - j0, m, false);
  }
  return qt;
}

/** P^T (n x n) for P = G_0 ... G_{n-2} (right reflectors, stored right of the superdiagonal). */
function formRightFactor(w: Float64Array, n: number, tau: Float64Array): Float64Array {
  const pt = new Float64Array(n * n);
  for (let c = 0; c < n; c++) pt[c * n + c] = 1;
  const count = n - 1;
  if (count <= 0) return pt;
  const first = Math.floor((count - 1) / NB) * NB;
  for (let j0 = first; j0 >= 0; j0 -= NB) {
    const nb = Math.min(NB, count - j0), len = n - j0 - 1;
    const vt = new Float64Array(nb * len);
    for (let i = 0; i < nb; i++) {
      vt[i * len + i] = 1;
      for (let c = i + 1; c < len; c++) vt[i * len + c] = w[(j0 + i) * n + j0 + 1 + c];
    }
    applyBlockToRows(makeReflectorBlock(j0 + 1, nb, vt, tau, j0), pt, (j0 + 1) * n, n - j0 - 1, n, false);
  }
  return pt;
}

/** Rows i, k of x (length len): x_i <- c x_i + s x_k, x_k <- -s x_i + c x_k. */
function rotateRows(x: Float64Array, len: number, i: number, k: number, c: number, s: number): void {
  const oi = i * len, ok = k * len;
  for (let t = 0; t < len; t++) {
    const a = x[oi + t], b = x[ok + t];
    x[oi + t] = c * a + s * b;
    x[ok + t] = c * b - s * a;
  }
}

function swapRows(x: Float64Array, len: number, i: number, k: number): void {
  const oi = i * len, ok = k * len;
  for (let t = 0; t < len; t++) { const a = x[oi + t]; x[oi + t] = x[ok + t]; x[ok + t] = a; }
}

/**
 * SVD of the upper bidiagonal B = bidiag(d, e) (n x n) in place: on return d holds the singular
 * values (descending, >= 0); left rotations are applied to the rows of qt (n x m), right rotations
 * to the rows of pt (n x n), so that they become U^T and V^T.
 */
function bidiagonalQr(d: Float64Array, e: Float64Array, qt: Float64Array | null, m: number, pt: Float64Array | null, n: number): void {
  let anorm = 0;
  for (let i = 0; i < n; i++) anorm = Math.max(anorm, Math.abs(d[i]) + (i < n - 1 ? Math.abs(e[i]) : 0));
  if (anorm === 0) return;
  // Work on B / ||B|| so that squares in the shift neither overflow nor underflow (a division:
  // 1 / anorm overflows for a subnormal anorm).
  for (let i = 0; i < n; i++) d[i] /= anorm;
  for (let i = 0; i < n - 1; i++) e[i] /= anorm;
  const dtol = EPS;
  const maxSweeps = 100 * n;
  // Rotation records of one sweep (left and right), reused by every sweep.
  const cl = new Float64Array(n), sl = new Float64Array(n), cr = new Float64Array(n), sr = new Float64Array(n);
  let sweeps = 0;
  let hi = n - 1;
  while (hi > 0) {
    if (Math.abs(e[hi - 1]) <= EPS * (Math.abs(d[hi - 1]) + Math.abs(d[hi]))) { e[hi - 1] = 0; hi--; continue; }
    let lo = hi - 1;
    while (lo > 0) {
      if (Math.abs(e[lo - 1]) <= EPS * (Math.abs(d[lo - 1]) + Math.abs(d[lo]))) { e[lo - 1] = 0; break; }
      lo--;
    }
    // Block lo..hi is unreduced. A negligible diagonal entry is set to zero and chased out.
    let zi = -1;
    for (let i = lo; i <= hi; i++) if (Math.abs(d[i]) <= dtol) { d[i] = 0; if (zi < 0) zi = i; }
    if (zi >= 0 && zi < hi) {
      // Row zi of B is (0 ... 0, e_zi, ...): left rotations with rows zi+1..hi push it off the end.
      let f = e[zi];
      e[zi] = 0;
      for (let k = zi + 1; k <= hi && f !== 0; k++) {
        const r = Math.hypot(d[k], f);
        const c = d[k] / r, s = f / r;
        d[k] = r;
        if (k < hi) { f = -s * e[k]; e[k] = c * e[k]; } else f = 0;
        if (qt) rotateRows(qt, m, k, zi, c, s);
      }
      continue;
    }
    if (zi === hi) {
      // Last column of the block is (…, e_{hi-1}, 0)^T: right rotations push it up and out.
      let f = e[hi - 1];
      e[hi - 1] = 0;
      for (let k = hi - 1; k >= lo && f !== 0; k--) {
        const r = Math.hypot(d[k], f);
        const c = d[k] / r, s = f / r;
        d[k] = r;
        if (k > lo) { f = -s * e[k - 1]; e[k - 1] = c * e[k - 1]; } else f = 0;
        if (pt) rotateRows(pt, n, k, hi, c, s);
      }
      continue;
    }
    if (++sweeps > maxSweeps) throw new NumericError(`svd: bidiagonal QR did not converge in ${maxSweeps} sweeps (n = ${n})`);
    golubKahanStep(d, e, lo, hi, qt, m, pt, n, cl, sl, cr, sr);
  }
  for (let i = 0; i < n; i++) {
    if (d[i] < 0) {
      d[i] = -d[i];
      if (pt) for (let t = 0; t < n; t++) pt[i * n + t] = -pt[i * n + t];
    }
  }
  // Selection sort, descending: n swaps at most, each moving whole vectors once.
  for (let i = 0; i < n - 1; i++) {
    let best = i;
    for (let k = i + 1; k < n; k++) if (d[k] > d[best]) best = k;
    if (best === i) continue;
    const t = d[i]; d[i] = d[best]; d[best] = t;
    if (qt) swapRows(qt, m, i, best);
    if (pt) swapRows(pt, n, i, best);
  }
  for (let i = 0; i < n; i++) d[i] *= anorm;
}

/** One implicit-shift QR sweep on the unreduced block lo..hi [GVL13 Alg. 8.6.1]. */
function golubKahanStep(
  d: Float64Array, e: Float64Array, lo: number, hi: number, qt: Float64Array | null, m: number, pt: Float64Array | null, n: number,
  cl: Float64Array, sl: Float64Array, cr: Float64Array, sr: Float64Array,
): void {
  // Wilkinson shift: the eigenvalue of the trailing 2 x 2 of B^T B closer to its last entry.
  const dm = d[hi - 1], dn = d[hi], em = e[hi - 1], el = hi - 1 > lo ? e[hi - 2] : 0;
  const t11 = dm * dm + el * el, t12 = dm * em, t22 = dn * dn + em * em;
  const delta = (t11 - t22) / 2;
  let mu = t22;
  if (t12 !== 0) {
    const den = delta + (delta >= 0 ? 1 : -1) * Math.hypot(delta, t12);
    mu = t22 - (t12 * t12) / den;
  }
  let y = d[lo] * d[lo] - mu, z = d[lo] * e[lo];
  for (let k = lo; k < hi; k++) {
    // Right rotation on columns k, k+1 annihilating z (the bulge above the superdiagonal).
    let r = Math.hypot(y, z);
    let c = r === 0 ? 1 : y / r, s = r === 0 ? 0 : z / r;
    if (k > lo) e[k - 1] = r;
    const dk = d[k], ek = e[k], dk1 = d[k + 1];
    const a11 = c * dk + s * ek, a12 = c * ek - s * dk, a21 = s * dk1, a22 = c * dk1;
    cr[k] = c; sr[k] = s;
    // Left rotation on rows k, k+1 annihilating a21 (the bulge below the diagonal).
    r = Math.hypot(a11, a21);
    c = r === 0 ? 1 : a11 / r; s = r === 0 ? 0 : a21 / r;
    d[k] = r;
    e[k] = c * a12 + s * a22;
    d[k + 1] = c * a22 - s * a12;
    if (k + 1 < hi) { const e1 = e[k + 1]; z = s * e1; e[k + 1] = c * e1; y = e[k]; }
    cl[k] = c; sl[k] = s;
  }
  // The vectors take the whole sweep at once (fused rotations: fewer loads and stores).
  if (pt) applySweep(pt, n, lo, hi, cr, sr);
  if (qt) applySweep(qt, m, lo, hi, cl, sl);
}

/**
 * Rotations (k, k+1) with (c_k, s_k) for k = lo .. hi-1 in that order, to rows of x (length len):
 * four (then two) consecutive rotations per pass over the columns, the rows they share kept in
 * registers, so each row is loaded and stored once per pass instead of twice per rotation.
 */
function applySweep(x: Float64Array, len: number, lo: number, hi: number, cs: Float64Array, sn: Float64Array): void {
  let k = lo;
  for (; k + 3 < hi; k += 4) {
    const c1 = cs[k], s1 = sn[k], c2 = cs[k + 1], s2 = sn[k + 1];
    const c3 = cs[k + 2], s3 = sn[k + 2], c4 = cs[k + 3], s4 = sn[k + 3];
    const o0 = k * len, o1 = o0 + len, o2 = o1 + len, o3 = o2 + len, o4 = o3 + len;
    for (let t = 0; t < len; t++) {
      const a = x[o0 + t];
      let b = x[o1 + t];
      x[o0 + t] = c1 * a + s1 * b;
      b = c1 * b - s1 * a;
      let d = x[o2 + t];
      x[o1 + t] = c2 * b + s2 * d;
      d = c2 * d - s2 * b;
      let f = x[o3 + t];
      x[o2 + t] = c3 * d + s3 * f;
      f = c3 * f - s3 * d;
      const g = x[o4 + t];
      x[o3 + t] = c4 * f + s4 * g;
      x[o4 + t] = c4 * g - s4 * f;
    }
  }
  for (; k + 1 < hi; k += 2) {
    const c1 = cs[k], s1 = sn[k], c2 = cs[k + 1], s2 = sn[k + 1];
    const o0 = k * len, o1 = o0 + len, o2 = o1 + len;
    for (let t = 0; t < len; t++) {
      const a = x[o0 + t], b = x[o1 + t], d = x[o2 + t];
      x[o0 + t] = c1 * a + s1 * b;
      const b1 = c1 * b - s1 * a;
      x[o1 + t] = c2 * b1 + s2 * d;
      x[o2 + t] = c2 * d - s2 * b1;
    }
  }
  if (k < hi) rotateRows(x, len, k, k + 1, cs[k], sn[k]);
}
