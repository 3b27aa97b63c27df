/**
 * Absorb sparse updates A[i_t, j_t] += v_t given as COO triples [TYUC19 §2.2: the sketches are
 * linear]. An entry adds v e_i e_j^T to A: y_i += v Omega[:, j]^T (written to the spill),
 * Phi [Y 1] += phi_i [v Omega[:, j]^T 0], X[:, j] += v upsilon_i, Z += v phi_i Psi[:, j]^T,
 * S[:, j] += v theta_i, and the same with Psi (l x m) for the two-sketch.
 * The TSQR factor cannot follow such updates, so it is dropped (`rangeRValid` = false) and
 * reconstruction then needs a spill that can be read back. Refused with `center` and for FD
 * (neither is defined for entry updates). Validates every triple before changing anything.
 * Cost per entry O(k + s^2) (three-sketch) or O(k + l) (two-sketch); use row blocks when rows are dense.
 */
import { ArgumentError, NonFiniteError } from '../errors.js';
import { fillItems, sparseSignZeta } from '../random/test-matrix.js';
import type { SketchState } from './types.js';

export function updateEntries(
  state: SketchState, i: ArrayLike<number>, j: ArrayLike<number>, v: ArrayLike<number>,
): void {
  if (state.method === 'fd') throw new ArgumentError('Frequent Directions accepts row updates only (it is not linear)');
  if (state.center) throw new ArgumentError('entry updates are not supported with center (the mean needs each row once)');
  const N = i.length, n = state.cols;
  if (j.length !== N || v.length !== N) throw new ArgumentError(`COO arrays differ in length: i ${N}, j ${j.length}, v ${v.length}`);
  for (let t = 0; t < N; t++) {
    const ii = i[t]!, jj = j[t]!, vv = v[t]!;
    if (!Number.isSafeInteger(ii) || ii < 0) throw new ArgumentError(`entry ${t}: row index ${ii} is not a non-negative integer`);
    if (!Number.isInteger(jj) || jj < 0 || jj >= n) throw new ArgumentError(`entry ${t}: column index ${jj} is outside [0, ${n})`);
    if (!Number.isFinite(vv)) throw new NonFiniteError(`row ${ii}: value at column ${jj} is ${vv}`);
  }
  const { k, s, l, q } = state.sizes, k1 = k + 1;
  const three = state.method === 'three-sketch';
  const co = three ? k : l, left = three ? s : l;
  const coVec = new Float64Array(co), phiVec = new Float64Array(three ? s : 0), thVec = new Float64Array(q);
  const psiCol = new Float64Array(three ? s : 0), y = new Float64Array(k);
  const sparse = state.testMatrix === 'sparse-sign', maps = state.maps;
  for (let t = 0; t < N; t++) {
    const ii = i[t]!, jj = j[t]!, vv = v[t]!;
    if (vv === 0) continue;
    fillItems(state.testMatrix, state.seed, three ? 'upsilon' : 'psi', co, ii, 1, coVec);
    if (three) fillItems(state.testMatrix, state.seed, 'phi', s, ii, 1, phiVec);
    if (q > 0) fillItems('gaussian', state.seed, 'theta', q, ii, 1, thVec);
    // y = v Omega[:, j]^T (1 x k).
    y.fill(0);
    if (sparse) {
      const z = sparseSignZeta(k);
      for (let p = 0; p < z; p++) y[maps.omegaIdx[jj * z + p]!] += vv * maps.omegaVal[jj * z + p]!;
    } else for (let c = 0; c < k; c++) y[c] = vv * maps.omegaT[jj * k + c]!;
    if (state.spill) {
      const sc = state.rangeScale, ys = sc === 1 ? y : y.map((x) => x / sc);
      state.spill.write(ii, { rows: 1, cols: k, data: ys, offset: 0, stride: k });
    }
    const lv = three ? phiVec : coVec;
    for (let a = 0; a < left; a++) {
      const w = lv[a]!;
      if (w !== 0) for (let c = 0; c < k; c++) state.coreRange[a * k1 + c] += w * y[c]!;
    }
    for (let a = 0; a < q; a++) for (let c = 0; c < k; c++) state.errorRange[a * k1 + c] += thVec[a]! * y[c]!;
    for (let a = 0; a < co; a++) state.coRange[a * n + jj] += vv * coVec[a]!;
    for (let a = 0; a < q; a++) state.errorSketch[a * n + jj] += vv * thVec[a]!;
    state.colSums[jj] += vv;
    if (three) {
      // Psi[:, j] (s).
      psiCol.fill(0);
      if (sparse) {
        const z = sparseSignZeta(s);
        for (let p = 0; p < z; p++) psiCol[maps.psiIdx[jj * z + p]!] += maps.psiVal[jj * z + p]!;
      } else for (let a = 0; a < s; a++) psiCol[a] = maps.psi[a * n + jj]!;
      for (let a = 0; a < s; a++) {
        const w = vv * phiVec[a]!;
        if (w !== 0) for (let c = 0; c < s; c++) state.core[a * s + c] += w * psiCol[c]!;
      }
    }
    state.rows = Math.max(state.rows, ii + 1);
  }
  if (N > 0) state.rangeRValid = false;
}
