/**
 * Golub–Kahan bidiagonalisation of a packed row-major A (m x n, m >= n), in place:
 * A = Q_B B P^T with B upper bidiagonal (d on the diagonal, e above it) [GVL13 Alg. 5.4.2].
 * On return the left reflector j (v_j[0] = 1 implicit) is stored below the diagonal of column j,
 * the right reflector j (u_j[0] = 1 implicit) right of the superdiagonal of row j, with taus
 * tauL, tauR (LAPACK dgebrd layout).
 *
 * Blocked form [LAPACK dlabrd/dgebrd; Dongarra, Sorensen, Hammarling 1989]: a panel of NB steps
 * keeps the trailing matrix implicit as A - V Y^T - X U^T, so it costs two matrix-vector products
 * per step (Level 2) and its update two GEMMs (Level 3): half the 4 m n^2 - 4 n^3 / 3 flops move
 * to the GEMM kernels. The last columns (fewer than 2 NB) are reduced unblocked.
 */
import { gemm } from '../kernels/gemm.js';
import { applyHouseholder, makeHouseholder } from './householder.js';

const NB = 32;

export interface Bidiagonal {
  d: Float64Array;
  e: Float64Array;
  tauL: Float64Array;
  tauR: Float64Array;
}

export function bidiagonalize(w: Float64Array, m: number, n: number): Bidiagonal {
  const d = new Float64Array(n), e = new Float64Array(Math.max(n - 1, 0));
  const tauL = new Float64Array(n), tauR = new Float64Array(n);
  let p = 0;
  if (n > 2 * NB) {
    const x = new Float64Array(m * NB), y = new Float64Array(n * NB);
    const t1 = new Float64Array(NB + 1), t2 = new Float64Array(NB + 1), acc = new Float64Array(n);
    for (; n - p > 2 * NB; p += NB) {
      panel(w, m, n, p, d, e, tauL, tauR, x, y, t1, t2, acc);
      const m2 = m - p - NB, n2 = n - p - NB;
      // A22 -= V2 Y2^T + X2 U2 (V2: rows below the panel of its columns; U2: the panel rows right of it).
      gemm(false, true, m2, n2, NB, -1, w, (p + NB) * n + p, n, y, (p + NB) * NB, NB, 1, w, (p + NB) * n + p + NB, n);
      gemm(false, false, m2, n2, NB, -1, x, (p + NB) * NB, NB, w, p * n + p + NB, n, 1, w, (p + NB) * n + p + NB, n);
      for (let g = p; g < p + NB; g++) { w[g * n + g] = d[g]; w[g * n + g + 1] = e[g]; }
    }
  }
  unblocked(w, m, n, p, d, e, tauL, tauR);
  return { d, e, tauL, tauR };
}

/**
 * One dlabrd panel at (p, p): NB steps, X (m x NB) and Y (n x NB) row-major (row r at r * NB).
 * The unit entries of the reflectors are stored explicitly (w[g][g] = w[g][g+1] = 1) until the
 * caller's GEMM update is done, because the panel's products read them.
 */
function panel(
  w: Float64Array, m: number, n: number, p: number, d: Float64Array, e: Float64Array, tauL: Float64Array, tauR: Float64Array,
  x: Float64Array, y: Float64Array, t1: Float64Array, t2: Float64Array, acc: Float64Array,
): void {
  for (let l = 0; l < NB; l++) {
    const g = p + l;
    // Column g of the implicit trailing matrix: A(g:m, g) -= A(g:m, p:g) Y(g, 0:l)^T + X(g:m, 0:l) A(p:g, g).
    for (let r = g; r < m; r++) {
      let s = 0;
      const ro = r * n + p, yo = g * NB, xo = r * NB;
      for (let t = 0; t < l; t++) s += w[ro + t] * y[yo + t] + x[xo + t] * w[(p + t) * n + g];
      w[r * n + g] -= s;
    }
    const tq = makeHouseholder(w, g * n + g, n, m - g);
    tauL[g] = tq;
    d[g] = w[g * n + g];
    w[g * n + g] = 1;
    // Y(g+1:n, l) = tq * (A(g:m, g+1:n)^T v - Y(g+1:n, 0:l) (A(g:m, p:g)^T v) - A(p:g, g+1:n)^T (X(g:m, 0:l)^T v))
    acc.fill(0, g + 1, n);
    for (let t = 0; t < l; t++) { t1[t] = 0; t2[t] = 0; }
    for (let r = g; r < m; r++) {
      const vr = w[r * n + g];
      if (vr === 0) continue;
      const ro = r * n;
      for (let c = g + 1; c < n; c++) acc[c] += vr * w[ro + c];
      for (let t = 0; t < l; t++) { t1[t] += w[ro + p + t] * vr; t2[t] += x[r * NB + t] * vr; }
    }
    for (let t = 0; t < l; t++) {
      const a1 = t1[t], a2 = t2[t], ro = (p + t) * n;
      for (let c = g + 1; c < n; c++) acc[c] -= y[c * NB + t] * a1 + w[ro + c] * a2;
    }
    for (let c = g + 1; c < n; c++) y[c * NB + l] = tq * acc[c];
    // Row g: A(g, g+1:n) -= Y(g+1:n, 0:l+1) A(g, p:g+1)^T + A(p:g, g+1:n)^T X(g, 0:l)^T.
    for (let c = g + 1; c < n; c++) {
      let s = 0;
      const yo = c * NB, ro = g * n + p;
      for (let t = 0; t <= l; t++) s += y[yo + t] * w[ro + t];
      for (let t = 0; t < l; t++) s += w[(p + t) * n + c] * x[g * NB + t];
      w[g * n + c] -= s;
    }
    const tp = makeHouseholder(w, g * n + g + 1, 1, n - g - 1);
    tauR[g] = tp;
    e[g] = w[g * n + g + 1];
    w[g * n + g + 1] = 1;
    // X(g+1:m, l) = tp * (A(g+1:m, g+1:n) u - A(g+1:m, p:g+1) (Y(g+1:n, 0:l+1)^T u) - X(g+1:m, 0:l) (A(p:g, g+1:n) u))
    const uo = g * n;
    for (let t = 0; t <= l; t++) {
      let s1 = 0, s2 = 0;
      for (let c = g + 1; c < n; c++) {
        const uc = w[uo + c];
        s1 += y[c * NB + t] * uc;
        if (t < l) s2 += w[(p + t) * n + c] * uc;
      }
      t1[t] = s1; t2[t] = s2;
    }
    for (let r = g + 1; r < m; r++) {
      const ro = r * n;
      let s = 0;
      for (let c = g + 1; c < n; c++) s += w[ro + c] * w[uo + c];
      for (let t = 0; t <= l; t++) s -= w[ro + p + t] * t1[t];
      for (let t = 0; t < l; t++) s -= x[r * NB + t] * t2[t];
      x[r * NB + l] = tp * s;
    }
  }
}

/** Unblocked reduction of columns p.. (Level 2, every inner loop along a row). */
function unblocked(w: Float64Array, m: number, n: number, p: number, d: Float64Array, e: Float64Array, tauL: Float64Array, tauR: Float64Array): void {
  const z = new Float64Array(n);
  for (let j = p; j < n; j++) {
    const tl = makeHouseholder(w, j * n + j, n, m - j);
    tauL[j] = tl;
    d[j] = w[j * n + j];
    if (tl !== 0 && j + 1 < n) {
      for (let c = j + 1; c < n; c++) z[c] = w[j * n + c];
      for (let i = j + 1; i < m; i++) {
        const vi = w[i * n + j];
        if (vi === 0) continue;
        const o = i * n;
        for (let c = j + 1; c < n; c++) z[c] += vi * w[o + c];
      }
      for (let c = j + 1; c < n; c++) { z[c] *= tl; w[j * n + c] -= z[c]; }
      for (let i = j + 1; i < m; i++) {
        const vi = w[i * n + j];
        if (vi === 0) continue;
        const o = i * n;
        for (let c = j + 1; c < n; c++) w[o + c] -= vi * z[c];
      }
    }
    if (j < n - 1) {
      const tr = makeHouseholder(w, j * n + j + 1, 1, n - j - 1);
      tauR[j] = tr;
      e[j] = w[j * n + j + 1];
      if (tr !== 0) for (let i = j + 1; i < m; i++) applyHouseholder(w, j * n + j + 1, tr, n - j - 1, w, i * n + j + 1);
    }
  }
}
