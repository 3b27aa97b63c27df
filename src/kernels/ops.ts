/**
 * Small kernels on typed-array views (offsets and strides in elements), the building blocks of the
 * sketch engine besides the GEMM: sparse row combinations (CSR lists), transposition, widening and
 * narrowing copies, accumulation, finiteness checks and the counting sort that turns compressed
 * map items into CSR lists. Each runs the WebAssembly kernel when every operand lives in the
 * kernels' memory (`inArena`) and the same arithmetic in TypeScript otherwise, so callers need no
 * branch and the engine runs (slower) where the WebAssembly bytes were not built. The two agree to
 * rounding: the WebAssembly kernels use fused multiply-adds when relaxed SIMD is on.
 *
 * No allocation: every output is caller-provided.
 */
import type { Float } from '../matrix.js';
import { arenaAlloc } from './wasm-arena.js';
import { wasmRuntime, type WasmKernels, type WasmRuntime } from './wasm-runtime.js';

/** The WebAssembly kernels if every view lives in their memory, else null. */
function wasm(...views: ArrayBufferView[]): WasmKernels | null {
  const rt = wasmRuntime();
  if (rt === null) return null;
  for (const v of views) if (!rt.buffers.has(v.buffer)) return null;
  return rt.exports;
}

/** Byte address of element `off` of an arena view. */
const at = (v: Float | Int32Array, off: number): number => v.byteOffset + off * v.BYTES_PER_ELEMENT;

/**
 * out[c, 0:w] (+)= sum over p in [ptr[p0 + c], ptr[p0 + c + 1]) of val[p] * b[idx[p], 0:w], c < nOut
 * (CSR lists by output row; `overwrite` starts from zero). out, val and b share one element type.
 */
export function sparseRows(
  nOut: number, w: number, out: Float, outOff: number, ldo: number,
  ptr: Int32Array, p0: number, idx: Int32Array, val: Float,
  b: Float, bOff: number, ldb: number, overwrite: boolean,
): void {
  const x = wasm(out, ptr, idx, val, b);
  if (x !== null) {
    const f = out instanceof Float32Array ? x.sparse_rows_f32 : x.sparse_rows_f64;
    const es = out.BYTES_PER_ELEMENT;
    f(nOut, w, at(out, outOff), es * ldo, at(ptr, p0), idx.byteOffset, val.byteOffset, at(b, bOff), es * ldb, overwrite ? 1 : 0);
    return;
  }
  for (let c = 0; c < nOut; c++) {
    const o = outOff + c * ldo, e = ptr[p0 + c + 1];
    if (overwrite) out.fill(0, o, o + w);
    for (let p = ptr[p0 + c]; p < e; p++) {
      const v = val[p], bo = bOff + idx[p] * ldb;
      for (let j = 0; j < w; j++) out[o + j] += v * b[bo + j];
    }
  }
}

/** dst (cols x rows) = src (rows x cols)^T, same element type. */
export function transpose(rows: number, cols: number, src: Float, sOff: number, lds: number, dst: Float, dOff: number, ldd: number): void {
  const x = wasm(src, dst);
  if (x !== null) {
    const es = src.BYTES_PER_ELEMENT;
    (es === 4 ? x.transpose_f32 : x.transpose_f64)(rows, cols, at(src, sOff), es * lds, at(dst, dOff), es * ldd);
    return;
  }
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) dst[dOff + j * ldd + i] = src[sOff + i * lds + j];
}

/** dst[i, j] (float64, row stride ldd) = src[sOff + i rs + j cs] (float32 or float64): a widening, possibly transposing, copy. */
export function widen(rows: number, cols: number, src: Float, sOff: number, rs: number, cs: number, dst: Float64Array, dOff: number, ldd: number): void {
  const x = src instanceof Float32Array ? wasm(src, dst) : null;
  if (x !== null) { x.widen_f32(rows, cols, at(src, sOff), 4 * rs, 4 * cs, at(dst, dOff), 8 * ldd); return; }
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) dst[dOff + i * ldd + j] = src[sOff + i * rs + j * cs];
}

/** dst (rows x cols) = src, same element type, row strides in elements. */
export function copyRows(rows: number, cols: number, src: Float, sOff: number, lds: number, dst: Float, dOff: number, ldd: number): void {
  const x = wasm(src, dst);
  if (x !== null) {
    const es = src.BYTES_PER_ELEMENT;
    x.copy_rows(rows, cols, es, at(src, sOff), es * lds, at(dst, dOff), es * ldd);
    return;
  }
  if (lds === cols && ldd === cols) { dst.set(src.subarray(sOff, sOff + rows * cols), dOff); return; }
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) dst[dOff + i * ldd + j] = src[sOff + i * lds + j];
}

/** dst[dOff + i] += src[sOff + i] for i < n (src float32 or float64, dst float64). */
export function addInto(n: number, src: Float, sOff: number, dst: Float64Array, dOff: number): void {
  const x = wasm(src, dst);
  if (x !== null) {
    (src instanceof Float32Array ? x.add_f32_f64 : x.add_f64_f64)(n, at(src, sOff), at(dst, dOff));
    return;
  }
  for (let i = 0; i < n; i++) dst[dOff + i] = dst[dOff + i] + src[sOff + i];
}

/**
 * Blue's scaled sum of squares [Blue 1978; LAPACK 3.10 dnrm2]: adds the squares of the n values at
 * src[off..] to the accumulators `acc` = [small, medium, big] (|x| < 2^-511 as (x 2^537)^2, |x| > 2^486
 * as (x 2^-538)^2, the rest as x^2), which neither overflow nor underflow for any finite input;
 * `sumSquaresNorm(acc)` is the 2-norm. Accumulators add across blocks and shards. A NaN or an
 * infinity makes them non-finite, so one call both measures ||A||_F and checks the block. Values
 * outside the kernels' memory are copied through a fixed scratch block (a memcpy per piece), which
 * is several times faster than a JavaScript loop over them.
 */
export function sumSquares(n: number, src: Float, off: number, acc: Float64Array): void {
  const rt = wasmRuntime();
  if (rt === null) { sumSquaresTs(n, src, off, acc); return; }
  const f32 = src instanceof Float32Array, k = f32 ? rt.exports.sumsq_f32 : rt.exports.sumsq_f64;
  const a = accScratch(rt);
  rt.f64.fill(0, a / 8, a / 8 + 3);
  if (rt.buffers.has(src.buffer)) k(n, at(src, off), a);
  else throughScratch(rt, n, src, off, (len, ptr) => k(len, ptr, a));
  const h = rt.f64, o = a / 8;
  acc[0] = acc[0] + h[o]; acc[1] = acc[1] + h[o + 1]; acc[2] = acc[2] + h[o + 2];
}

const TSML = 2 ** -511, TBIG = 2 ** 486, SSML = 2 ** 537, SBIG = 2 ** -538;

/** The TypeScript twin of `sumSquares` (what runs without the WebAssembly kernels; exported for tests). */
export function sumSquaresTs(n: number, src: Float, off: number, acc: Float64Array): void {
  if (src instanceof Float32Array) sumSquaresTs32(n, src, off, acc);
  else sumSquaresTs64(n, src as Float64Array, off, acc);
}

function sumSquaresTs32(n: number, src: Float32Array, off: number, acc: Float64Array): void {
  let s = 0;
  for (let i = 0; i < n; i++) { const x = src[off + i]; s += x * x; }
  acc[1] = acc[1] + s;
}

function sumSquaresTs64(n: number, src: Float64Array, off: number, acc: Float64Array): void {
  let s0 = 0, s1 = 0, s2 = 0;
  for (let i = 0; i < n; i++) {
    const x = src[off + i], ax = Math.abs(x);
    if (ax > TBIG) { const y = x * SBIG; s2 += y * y; } else if (ax < TSML) { const y = x * SSML; s0 += y * y; } else s1 += x * x;
  }
  acc[0] = acc[0] + s0; acc[1] = acc[1] + s1; acc[2] = acc[2] + s2;
}

/**
 * The 2-norm from Blue's accumulators (LAPACK 3.10 dnrm2's combination): the big and small parts
 * are brought to the medium scale only when they matter, so the result overflows only when the
 * norm itself does. NaN when any value was NaN, Infinity when one was infinite.
 */
export function sumSquaresNorm(acc: ArrayLike<number>): number {
  const asml = acc[0], amed = acc[1], abig = acc[2];
  if (Number.isNaN(asml + amed + abig)) return NaN;
  if (abig > 0) return Math.sqrt(abig + (amed * SBIG) * SBIG) / SBIG;
  if (asml > 0) {
    if (amed <= 0) return Math.sqrt(asml) / SSML;
    const ymed = Math.sqrt(amed), ysml = Math.sqrt(asml) / SSML;
    const [ymin, ymax] = ysml > ymed ? [ymed, ysml] : [ysml, ymed];
    return ymax * Math.sqrt(1 + (ymin / ymax) ** 2);
  }
  return Math.sqrt(amed);
}

/** Elements per piece when a non-arena view is copied through scratch (256 KiB of float32). */
const SCRATCH_ELEMS = 1 << 16;
let scratchPtr = -1, accPtr = -1;

function accScratch(rt: WasmRuntime): number {
  if (accPtr < 0) { accPtr = arenaAlloc(64); void rt; }
  return accPtr;
}

/** Visit the n values at src[off..] as pieces copied into a fixed arena block (byte address, length). */
function throughScratch(rt: WasmRuntime, n: number, src: Float, off: number, visit: (len: number, ptr: number) => void): void {
  if (scratchPtr < 0) scratchPtr = arenaAlloc(8 * SCRATCH_ELEMS);
  const f32 = src instanceof Float32Array;
  for (let i = 0; i < n; i += SCRATCH_ELEMS) {
    const len = Math.min(SCRATCH_ELEMS, n - i);
    // Views are refreshed after memory growth: read them per piece.
    if (f32) rt.f32.set(src.subarray(off + i, off + i + len), scratchPtr / 4);
    else rt.f64.set(src.subarray(off + i, off + i + len), scratchPtr / 8);
    visit(len, scratchPtr);
  }
}

/**
 * Counting sort of b compressed items (z entries each: indices in [0, dim) at idx[iOff..], float64
 * values at val[vOff..]) into CSR lists by index: list c = the (t, value) pairs of the items t with
 * an entry at c, t increasing; ptr (dim + 1) at ptr[pOff..], indexing entries from the start of
 * oIdx and oVal (values rounded to oVal's type); cursor: dim int32 of scratch.
 */
export function csrFromItems(
  b: number, z: number, dim: number, idx: Int32Array, iOff: number, val: Float64Array, vOff: number,
  ptr: Int32Array, pOff: number, oIdx: Int32Array, oVal: Float, cursor: Int32Array,
): void {
  const x = wasm(idx, val, ptr, oIdx, oVal, cursor);
  if (x !== null) {
    (oVal instanceof Float32Array ? x.csr_from_items : x.csr_from_items_f64)(
      b, z, dim, at(idx, iOff), at(val, vOff), at(ptr, pOff), oIdx.byteOffset, oVal.byteOffset, cursor.byteOffset);
    return;
  }
  ptr.fill(0, pOff, pOff + dim + 1);
  for (let p = 0; p < b * z; p++) ptr[pOff + idx[iOff + p] + 1]++;
  let run = 0;
  for (let c = 0; c < dim; c++) { cursor[c] = run; run += ptr[pOff + c + 1]; ptr[pOff + c + 1] = run; }
  for (let t = 0, p = 0; t < b; t++) {
    for (let q = 0; q < z; q++, p++) {
      const e = cursor[idx[iOff + p]]++;
      oIdx[e] = t; oVal[e] = val[vOff + p];
    }
  }
}

/** dst[dOff + i] (float32) = src[sOff + i] (float64) rounded, i < n. */
export function narrow(n: number, src: Float64Array, sOff: number, dst: Float32Array, dOff: number): void {
  const x = wasm(src, dst);
  if (x !== null) { x.narrow_f64(n, at(src, sOff), at(dst, dOff)); return; }
  for (let i = 0; i < n; i++) dst[dOff + i] = src[sOff + i];
}
