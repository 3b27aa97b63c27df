/**
 * Absorb a block of rows of A [TYUC19 Alg. 4.1 / §4.1 per-row updates; TYUC17 Alg. 4.1; GLPW16 Alg. 1].
 * Notation: see types.ts. For rows i in [rowStart, rowStart + b) with a_i (1 x n):
 * - range: y_i = a_i Omega^T (1 x k) goes to the spill; Phi [y_i 1], Theta [y_i 1] are accumulated
 *   and the TSQR factor becomes the R factor of [R; [y_i 1]] [ALGORITHMS.md §6];
 * - three-sketch: X += upsilon_i a_i, Z += phi_i (a_i Psi^T), S += theta_i a_i;
 * - two-sketch: W += psi_i a_i, S += theta_i a_i;
 * - FD: rows are inserted in the buffer, shrunk when it is full.
 * The block is b x n, float32 or float64, any stride; it is processed in chunks of `sizes.chunk`
 * rows so the workspace (part of the budget) is fixed. Synchronous and allocation-free apart from
 * the spill's own storage (and FD's shrink, which allocates its SVD).
 * Rows may come in any order and any block size; a row seen twice is added twice (A is the sum),
 * which keeps the sketches right but drops the TSQR factor (`rangeRValid`), and is refused with
 * `center` (the mean needs each row once).
 * Throws ShapeError (wrong width), NonFiniteError (NaN/Inf, naming row and column), ArgumentError
 * (bad rowStart) before changing anything.
 */
import { ArgumentError, NonFiniteError, ShapeError } from '../errors.js';
import { wasmRuntime } from '../kernels/wasm-runtime.js';
import type { Matrix, Matrix32 } from '../matrix.js';
import { absorbChunk } from './absorb-chunk.js';
import { absorbResident, flushResident, loadResident } from './absorb-resident.js';
import { fdAbsorb } from './frequent-directions.js';
import { createResidentChunk, type ResidentChunk } from './resident-chunk.js';
import type { SketchState } from './types.js';

export function updateRows(state: SketchState, block: Matrix, rowStart: number): void {
  const n = state.cols, b = block.rows;
  if (block.cols !== n) throw new ShapeError(`row block at row ${rowStart} has ${block.cols} columns, expected ${n}`);
  if (!Number.isSafeInteger(rowStart) || rowStart < 0) throw new ArgumentError(`rowStart must be a non-negative integer, found ${rowStart}`);
  if (b === 0) return;
  const rc = residentFor(state, block);
  // The resident path checks each chunk in WebAssembly as it copies it in (the first chunk last, so
  // that it is in place for the first absorb; a block larger than a chunk has its other chunks
  // copied again to be absorbed); the TypeScript check names the place.
  const firstInPlace = rc !== null && residentFinite(rc, block as Matrix32);
  if (!firstInPlace) checkFinite(block, rowStart);
  const overlaps = addInterval(state.covered, rowStart, rowStart + b, state.center);
  if (overlaps && state.center) {
    throw new ArgumentError(`rows [${rowStart}, ${rowStart + b}) overlap rows already seen: with center, each row must arrive exactly once`);
  }
  if (overlaps) state.rangeRValid = false;
  addInterval(state.covered, rowStart, rowStart + b, false);
  const c = state.sizes.chunk, a64 = state.work.a64;
  if (rc !== null) {
    // Float32 rows of a three-sketch: each chunk is copied into the resident buffer and absorbed
    // there (absorb-resident.ts).
    loadResident(state, rc);
    try {
      for (let t0 = 0; t0 < b; t0 += c) {
        const cb = Math.min(c, b - t0);
        // The first chunk is still there from the check (unless the check stopped early and the
        // TypeScript check then found nothing: the two agree on NaN/Inf, but do not rely on it).
        if (t0 > 0 || !firstInPlace) copyChunk(rc, block as Matrix32, t0, cb);
        absorbResident(state, rc, cb, rowStart + t0);
      }
    } finally {
      flushResident(state, rc); // also when a spill throws: the chunks absorbed so far count, as in absorbChunk
    }
    state.rowsSeen += b;
    state.rows = Math.max(state.rows, rowStart + b);
    return;
  }
  // Float64 rows, and float32 rows when the float32 panel exists, are used in place; otherwise
  // (no WebAssembly kernels, FD) float32 rows are widened chunk by chunk into the workspace.
  const direct = block.data instanceof Float64Array || (state.maps.panel32 !== null && state.method !== 'fd');
  for (let t0 = 0; t0 < b; t0 += c) {
    const cb = Math.min(c, b - t0);
    let data = block.data, off = block.offset + t0 * block.stride, ld = block.stride;
    if (!direct) {
      for (let t = 0; t < cb; t++) {
        const so = off + t * ld, d = t * n;
        for (let j = 0; j < n; j++) a64[d + j] = data[so + j]!;
      }
      data = a64; off = 0; ld = n;
    }
    if (state.method === 'fd') fdAbsorb(state, data, off, ld, cb, rowStart + t0);
    else absorbChunk(state, data, off, ld, cb, rowStart + t0);
  }
  state.rowsSeen += b;
  state.rows = Math.max(state.rows, rowStart + b);
}

/**
 * The resident chunk workspace when this block can use it (float32 rows, three-sketch, WebAssembly
 * kernels, not disposed, allowed by the budget), allocated on first use.
 */
function residentFor(state: SketchState, block: Matrix): ResidentChunk | null {
  // The panel check also covers a state whose maps were disposed through a state it was merged with.
  if (!(block.data instanceof Float32Array) || state.method !== 'three-sketch' || !state.maps.panel32?.layout) return null;
  const w = state.work;
  return w.resident ?? (w.residentAllowed ? (w.resident = createResidentChunk(state)) : null);
}

/** Rows [t0, t0 + cb) of the block into the resident chunk buffer (packed, n wide). */
function copyChunk(rc: ResidentChunk, block: Matrix32, t0: number, cb: number): void {
  const { data, offset, stride, cols: n } = block;
  const so = offset + t0 * stride;
  if (stride === n) rc.aV.set(data.subarray(so, so + cb * n));
  else for (let t = 0; t < cb; t++) rc.aV.set(data.subarray(so + t * stride, so + t * stride + n), t * n);
}

/**
 * Copy the block chunk by chunk into the resident buffer, the first chunk last (it is left there);
 * false at the first chunk found with a NaN or infinity.
 */
function residentFinite(rc: ResidentChunk, block: Matrix32): boolean {
  const x = wasmRuntime()!.exports, c = rc.chunk, n = block.cols, b = block.rows;
  for (let u = c; u < b + c; u += c) {
    const t0 = u < b ? u : 0, cb = Math.min(c, b - t0);
    copyChunk(rc, block, t0, cb);
    if (x.nonfinite_f32(cb * n, rc.a) !== 0) return false;
  }
  return true;
}

function checkFinite(block: Matrix, rowStart: number): void {
  const { data, offset, stride, cols } = block;
  for (let t = 0; t < block.rows; t++) {
    const o = offset + t * stride;
    let s = 0;
    for (let j = 0; j < cols; j++) s += data[o + j]! * 0;
    if (s === 0) continue; // x * 0 is 0 for every finite x, NaN otherwise
    for (let j = 0; j < cols; j++) {
      const x = data[o + j]!;
      if (!Number.isFinite(x)) throw new NonFiniteError(`row ${rowStart + t}: value at column ${j} is ${x}`);
    }
  }
}

/**
 * Add [a, b) to the sorted disjoint interval list (coalescing neighbours) unless `dryRun`;
 * return whether it overlapped rows already covered.
 */
export function addInterval(iv: number[], a: number, b: number, dryRun: boolean): boolean {
  // First interval whose end is >= a (could touch or overlap).
  let lo = 0, hi = iv.length / 2;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (iv[2 * mid + 1]! < a) lo = mid + 1; else hi = mid; }
  let overlap = false, end = lo;
  let na = a, nb = b;
  while (end < iv.length / 2 && iv[2 * end]! <= b) {
    const ia = iv[2 * end]!, ib = iv[2 * end + 1]!;
    if (ia < b && ib > a) overlap = true;
    na = Math.min(na, ia); nb = Math.max(nb, ib);
    end++;
  }
  if (!dryRun) iv.splice(2 * lo, 2 * (end - lo), na, nb);
  return overlap;
}
