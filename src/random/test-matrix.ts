/**
 * Seeded random test matrices whose vector for item `i` is a function of `(seed, purpose, i)` alone
 * [docs/METHODS.md §0]: memory does not grow with the streamed axis, items may arrive in any order or
 * shard, and sketches built with the same seed merge by addition.
 *
 * Layout: a "map" over an axis of length `items` with embedding dimension `dim` is generated item by
 * item; `fillItems` writes the vectors of items [i0, i0 + count) as the rows of a (count x dim)
 * row-major block. For a row stream of A (m x n), the range map Omega (n x k) is generated once and
 * kept; co-range/core/error maps (Psi, Phi, Upsilon, Theta: dim x m) are regenerated per row.
 *
 * Generator: Philox4x32-10 [SMDS11], counter-based (`philox.ts`). The 32-bit words of item i are
 *
 *   word 4 b + l of item i = lane l of Philox4x32-10(counter (i mod 2^32, floor(i / 2^32), b, 0),
 *                                                     key (seed mod 2^32, purposeKey(purpose)))
 *
 * for blocks b = 0, 1, ...: no state runs from one item to the next, so any item is generated on its own
 * in O(1) (no group to seek into), and streams of distinct (seed, purpose) keys are independent as far
 * as Philox's mixing goes (test/random-streams.test.ts measures their cross-correlations). Purposes are
 * the registry of `purposes.ts` (maps in one key domain, data in the other).
 *
 * Speed: the loops run in WebAssembly whenever it is available (`philox_gaussian_f32/f64`,
 * `philox_sparse_sign` in assembly/kernels.ts, four Philox blocks at a time in SIMD, where i64x2.extmul
 * gives the exact 32 x 32 -> 64-bit products),
 * straight into outputs that live in the kernels' memory, through a 64 KiB scratch there for other
 * outputs. They are the TypeScript loops of `items-js.ts` (the definition, and the path without
 * WebAssembly) operation for operation: the same integer and IEEE double operations, the same values.
 *
 * Families and their word consumption [TYUC19 §3.3; docs/METHODS.md §3]:
 * - gaussian: i.i.d. N(0, 1) by Box-Muller (`box-muller.ts`: IEEE basic operations only, the same values
 *   on every engine); entries (2p, 2p + 1) are the pair of words (2p, 2p + 1), so each Philox block gives
 *   four normals; an odd dim drops the sine of the last pair;
 * - rademacher: entry j is +1 when bit (j mod 32) of word floor(j / 32) is set, else -1;
 * - sparse-sign: zeta = min(dim, 8) entries +-sqrt(dim/zeta) in distinct positions, zeros elsewhere.
 *   Words 0 .. zeta - 1 drive Floyd's sample (for j = dim - zeta + p, position floor(w 2^-32 (j + 1)),
 *   or j when that was already taken), word zeta gives the signs (bit p set: +scale). The scale gives
 *   entries unit variance like the Gaussian.
 */
import type { Matrix64 } from '../matrix.js';
import { ArgumentError } from '../errors.js';
import { arenaAlloc, inArena } from '../kernels/wasm-arena.js';
import { wasmRuntime, type WasmRuntime } from '../kernels/wasm-runtime.js';
import { LOG_TABLE, SIN_COS_TABLE } from './box-muller.js';
import { gaussianItemsJs, rademacherItemsJs, sparseSignItemsJs } from './items-js.js';
import { purposeKey, type Purpose } from './purposes.js';

export type { Purpose } from './purposes.js';
export type TestMatrixFamily = 'gaussian' | 'rademacher' | 'sparse-sign';
export const TEST_MATRIX_FAMILIES: readonly TestMatrixFamily[] = ['gaussian', 'rademacher', 'sparse-sign'];

/** Items per step of the dense sparse-sign path (its scratch); the values do not depend on it. */
const CHUNK = 64;
/** Bytes of the scratch in the kernels' memory for outputs elsewhere. */
const SCRATCH_BYTES = 1 << 16;

/** Nonzeros per item vector of a sparse-sign map of dimension `dim`. */
export function sparseSignZeta(dim: number): number {
  return Math.min(dim, 8);
}

function checkItems(i0: number, count: number): void {
  if (!Number.isInteger(i0) || i0 < 0) throw new RangeError(`item index must be a non-negative integer, found ${i0}`);
  if (!Number.isInteger(count) || count < 0 || i0 + count > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`item count must be a non-negative integer with i0 + count <= 2^53 - 1, found ${count}`);
  }
}

/**
 * Dense vectors of items [i0, i0 + count) as rows of `out` (row t at `off + t * ld`, `dim` values).
 * Sparse-sign vectors are written densely (zeros included); see `fillSparseSignItems` for the
 * compressed form used on hot paths.
 */
export function fillItems(
  family: TestMatrixFamily, seed: number, purpose: Purpose, dim: number,
  i0: number, count: number, out: Float64Array | Float32Array, off = 0, ld = dim,
): void {
  checkItems(i0, count);
  const key = purposeKey(purpose);
  if (family === 'gaussian') fillGaussianItems(seed >>> 0, key, dim, i0, count, out, off, ld);
  else if (family === 'sparse-sign') fillSparseSignDense(seed, purpose, dim, i0, count, out, off, ld);
  else rademacherItemsJs(seed >>> 0, key, dim, i0, count, out, off, ld);
}

/** Scratch of `fillSparseSignDense`: the compressed vectors of up to CHUNK items (zeta <= 8). */
const denseIdx = new Int32Array(CHUNK * 8);
const denseVal = new Float64Array(CHUNK * 8);

/**
 * The sparse-sign case of `fillItems`: the compressed vectors of `fillSparseSignItems` (the one
 * generator of the family), CHUNK items at a time, scattered into zeroed dense rows.
 */
function fillSparseSignDense(
  seed: number, purpose: Purpose, dim: number, i0: number, count: number,
  out: Float64Array | Float32Array, off: number, ld: number,
): void {
  const zeta = sparseSignZeta(dim);
  for (let t0 = 0; t0 < count; t0 += CHUNK) {
    const c = Math.min(CHUNK, count - t0);
    fillSparseSignItems(seed, purpose, dim, i0 + t0, c, denseIdx, denseVal);
    for (let t = 0; t < c; t++) {
      const o = off + (t0 + t) * ld;
      out.fill(0, o, o + dim);
      for (let p = 0; p < zeta; p++) out[o + denseIdx[t * zeta + p]] = denseVal[t * zeta + p];
    }
  }
}

const TABLE_LEN = LOG_TABLE.length + SIN_COS_TABLE.length;
/** The Box-Muller tables (LOG_TABLE then SIN_COS_TABLE) and the scratch in the kernels' memory, set up once. */
interface WasmSide { rt: WasmRuntime; tables: number; scratch: number; f64: Float64Array; f32: Float32Array; i32: Int32Array }
let side: WasmSide | null | undefined;
function wasmSide(): WasmSide | null {
  if (side !== undefined) return side;
  const rt = wasmRuntime();
  if (rt === null) return (side = null);
  const nt = LOG_TABLE.length + SIN_COS_TABLE.length;
  const tables = arenaAlloc(8 * nt + 192); // + the 192 bytes of philox_sparse_sign's word scratch
  const view = new Float64Array(rt.memory.buffer, tables, nt);
  view.set(LOG_TABLE, 0);
  view.set(SIN_COS_TABLE, LOG_TABLE.length);
  const scratch = arenaAlloc(SCRATCH_BYTES);
  // The memory is shared and never detaches: views made once stay valid when it grows.
  return (side = {
    rt, tables, scratch,
    f64: new Float64Array(rt.memory.buffer, scratch, SCRATCH_BYTES / 8),
    f32: new Float32Array(rt.memory.buffer, scratch, SCRATCH_BYTES / 4),
    i32: new Int32Array(rt.memory.buffer, scratch, SCRATCH_BYTES / 4),
  });
}

/** The Gaussian case of `fillItems` (values: `gaussianItemsJs`). */
function fillGaussianItems(
  k0: number, key: number, dim: number, i0: number, count: number,
  out: Float64Array | Float32Array, off: number, ld: number,
): void {
  if (count === 0 || dim === 0) return;
  const w = wasmSide();
  const f32 = out instanceof Float32Array, es = f32 ? 4 : 8;
  if (w === null || dim * es > SCRATCH_BYTES) { gaussianItemsJs(k0, key, dim, i0, count, out, off, ld); return; }
  const x = w.rt.exports;
  if (inArena(out)) {
    const at = out.byteOffset + off * es;
    if (f32) x.philox_gaussian_f32(k0, key, i0, count, dim, at, ld, w.tables);
    else x.philox_gaussian_f64(k0, key, i0, count, dim, at, ld, w.tables);
    return;
  }
  const per = Math.floor(SCRATCH_BYTES / (dim * es)), buf = f32 ? w.f32 : w.f64;
  for (let t0 = 0; t0 < count; t0 += per) {
    const c = Math.min(per, count - t0);
    if (f32) x.philox_gaussian_f32(k0, key, i0 + t0, c, dim, w.scratch, dim, w.tables);
    else x.philox_gaussian_f64(k0, key, i0 + t0, c, dim, w.scratch, dim, w.tables);
    if (ld === dim) out.set(buf.subarray(0, c * dim), off + t0 * dim); // one copy of the whole chunk
    else for (let t = 0; t < c; t++) out.set(buf.subarray(t * dim, (t + 1) * dim), off + (t0 + t) * ld);
  }
}

/**
 * Compressed sparse-sign vectors of items [i0, i0 + count): item t's nonzeros are at
 * `idx[t * zeta + p]` with values `val[t * zeta + p]`, p < zeta = sparseSignZeta(dim).
 * Positions within an item are distinct (not sorted), in Floyd's draw order (header: word consumption).
 */
export function fillSparseSignItems(
  seed: number, purpose: Purpose, dim: number, i0: number, count: number,
  idx: Int32Array, val: Float64Array,
): void {
  checkItems(i0, count);
  if (!Number.isInteger(dim) || dim < 0) throw new ArgumentError(`sparse-sign dimension must be a non-negative integer, found ${dim}`);
  const key = purposeKey(purpose), k0 = seed >>> 0;
  const zeta = sparseSignZeta(dim);
  const scale = Math.sqrt(dim / zeta);
  const w = count > 0 && zeta > 0 ? wasmSide() : null;
  if (w === null) { sparseSignItemsJs(k0, key, dim, zeta, scale, i0, count, idx, val); return; }
  const x = w.rt.exports;
  if (inArena(idx) && inArena(val)) {
    x.philox_sparse_sign(k0, key, i0, count, dim, zeta, scale, idx.byteOffset, val.byteOffset, w.tables + 8 * TABLE_LEN);
    return;
  }
  // Scratch: values (float64) first, then positions (int32).
  const per = Math.floor(SCRATCH_BYTES / (12 * zeta)), iOff = per * zeta * 2;
  for (let t0 = 0; t0 < count; t0 += per) {
    const c = Math.min(per, count - t0), len = c * zeta;
    x.philox_sparse_sign(k0, key, i0 + t0, c, dim, zeta, scale, w.scratch + 4 * iOff, w.scratch, w.tables + 8 * TABLE_LEN);
    idx.set(w.i32.subarray(iOff, iOff + len), t0 * zeta);
    val.set(w.f64.subarray(0, len), t0 * zeta);
  }
}

/** The (items x dim) matrix whose row t is the vector of item t (a kept map such as Omega^T). */
export function testMatrix(family: TestMatrixFamily, seed: number, purpose: Purpose, items: number, dim: number): Matrix64 {
  const data = new Float64Array(items * dim);
  fillItems(family, seed, purpose, dim, 0, items, data, 0, dim);
  return { rows: items, cols: dim, data, offset: 0, stride: dim };
}
