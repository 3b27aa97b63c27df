/**
 * The item generators of `test-matrix.ts` in TypeScript: the definition of the values (the header of
 * test-matrix.ts gives the word consumption) and the path taken when WebAssembly is unavailable. The
 * WebAssembly loops (assembly/kernels.ts: `philox_gaussian_f32/f64`, `philox_sparse_sign`) give the
 * same values bit for bit (test/random-streams.test.ts).
 *
 * k0 = seed mod 2^32 and key = purposeKey(purpose) are the two Philox key words; items are
 * [i0, i0 + count), i0 + count <= 2^53.
 */
import { boxMuller } from './box-muller.js';
import { philox4x32 } from './philox.js';

const INV_2_32 = 1 / 4294967296;
/** One Philox block of words. */
const words = new Int32Array(4);

/** Gaussian items as rows of `out` (row t at off + t ld, dim values): Box-Muller on word pairs (2p, 2p + 1). */
export function gaussianItemsJs(
  k0: number, key: number, dim: number, i0: number, count: number,
  out: Float64Array | Float32Array, off: number, ld: number,
): void {
  const w = words;
  for (let t = 0; t < count; t++) {
    const i = i0 + t, hi = Math.floor(i * INV_2_32), o = off + t * ld;
    for (let j = 0, b = 0; j < dim; j += 4, b++) {
      philox4x32(i, hi, b, 0, k0, key, w);
      boxMuller(w[0], w[1], out, o + j, j + 1 < dim);
      if (j + 2 < dim) boxMuller(w[2], w[3], out, o + j + 2, j + 3 < dim);
    }
  }
}

/** Rademacher items: entry j is +1 when bit j mod 32 of word floor(j / 32) is set, else -1. */
export function rademacherItemsJs(
  k0: number, key: number, dim: number, i0: number, count: number,
  out: Float64Array | Float32Array, off: number, ld: number,
): void {
  const w = words;
  for (let t = 0; t < count; t++) {
    const i = i0 + t, hi = Math.floor(i * INV_2_32), o = off + t * ld;
    for (let c = 0; c * 32 < dim; c++) {
      if ((c & 3) === 0) philox4x32(i, hi, c >>> 2, 0, k0, key, w);
      const bits = w[c & 3];
      const end = Math.min(32, dim - c * 32);
      for (let b = 0; b < end; b++) out[o + c * 32 + b] = (bits >>> b) & 1 ? 1 : -1;
    }
  }
}

/**
 * Compressed sparse-sign items (zeta entries each, at idx/val[t zeta + p]): Floyd's sample of zeta
 * distinct positions from words 0 .. zeta - 1, the signs from word zeta.
 */
export function sparseSignItemsJs(
  k0: number, key: number, dim: number, zeta: number, scale: number, i0: number, count: number,
  idx: Int32Array, val: Float64Array,
): void {
  const w = words, j0 = dim - zeta;
  for (let t = 0; t < count; t++) {
    const i = i0 + t, hi = Math.floor(i * INV_2_32), o = t * zeta;
    for (let n = 0; n < zeta; n++) {
      if ((n & 3) === 0) philox4x32(i, hi, n >>> 2, 0, k0, key, w);
      const j = j0 + n;
      const r = Math.floor((w[n & 3] >>> 0) * INV_2_32 * (j + 1));
      let seen = false;
      for (let p = 0; p < n; p++) if (idx[o + p] === r) { seen = true; break; }
      idx[o + n] = seen ? j : r;
    }
    if ((zeta & 3) === 0) philox4x32(i, hi, zeta >>> 2, 0, k0, key, w);
    const signs = w[zeta & 3];
    for (let p = 0; p < zeta; p++) val[o + p] = (signs >>> p) & 1 ? scale : -scale;
  }
}
