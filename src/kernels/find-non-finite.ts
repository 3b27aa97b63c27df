/**
 * The scan of input blocks: `maxMagnitude(data, offset, length)` is the largest |value|, NaN when
 * any value is NaN and Infinity when any is infinite (and none NaN), so one pass tells whether a
 * block is finite and whether its size is one the sketches can compute with (src/sketch/magnitude.ts).
 * `hasNonFinite` and `firstNonFinite` (the index of the first NaN or +-Infinity, -1 if none) are
 * built on it. The scan runs in WebAssembly SIMD (`absmax_f32` / `absmax_f64`, whose max propagates
 * NaN): a block outside the kernels' memory is copied in, in chunks of CHUNK values that stay in
 * cache (TypedArray.set is a memcpy), so one pass costs about a memory copy; values inside the
 * kernels' memory are scanned in place. Without the kernels, a TypeScript loop does the same. Only a
 * block that has a bad value pays for `firstNonFinite`'s search for its position (TypeScript, from
 * the first bad chunk).
 */
import { arenaAlloc, inArena } from './wasm-arena.js';
import { wasmRuntime } from './wasm-runtime.js';

/** Values copied in per call: 512 KiB of float64, 256 KiB of float32 (L2 resident; fewer calls). */
const CHUNK = 65536;

let scratch = -1;

function scratchPtr(): number {
  if (scratch < 0) scratch = arenaAlloc(CHUNK * 8);
  return scratch;
}

function maxAbsJs(data: Float32Array | Float64Array, offset: number, length: number): number {
  let m = 0;
  for (let t = 0; t < length; t++) {
    const a = Math.abs(data[offset + t]);
    if (!(a <= m)) { if (a !== a) return NaN; m = a; }
  }
  return m;
}

/**
 * Calls `visit(t, max)` for each chunk of CHUNK values (t its index from `offset`) until it returns
 * true; returns the largest |value| seen (NaN propagates).
 */
function scanChunks(data: Float32Array | Float64Array, offset: number, length: number, stop: (t: number, m: number) => boolean): number {
  const rt = wasmRuntime();
  let m = 0;
  const f32 = data instanceof Float32Array;
  if (rt === null) {
    for (let t = 0; t < length; t += CHUNK) {
      const c = maxAbsJs(data, offset + t, Math.min(CHUNK, length - t));
      m = Math.max(m, c);
      if (stop(t, c)) break;
    }
    return m;
  }
  const absmax = f32 ? rt.exports.absmax_f32 : rt.exports.absmax_f64;
  if (inArena(data)) {
    for (let t = 0; t < length; t += CHUNK) {
      const c = absmax(Math.min(CHUNK, length - t), data.byteOffset + (offset + t) * data.BYTES_PER_ELEMENT);
      m = Math.max(m, c);
      if (stop(t, c)) break;
    }
    return m;
  }
  const ptr = scratchPtr();
  const view = f32 ? new Float32Array(rt.memory.buffer, ptr, CHUNK) : new Float64Array(rt.memory.buffer, ptr, CHUNK);
  for (let t = 0; t < length; t += CHUNK) {
    const n = Math.min(CHUNK, length - t);
    view.set(data.subarray(offset + t, offset + t + n));
    const c = absmax(n, ptr);
    m = Math.max(m, c);
    if (stop(t, c)) break;
  }
  return m;
}

const NEVER = (): boolean => false;

/** Largest |value| of data[offset, offset + length): NaN if any is NaN, Infinity if any is infinite. */
export function maxMagnitude(data: Float32Array | Float64Array, offset = 0, length = data.length - offset): number {
  return scanChunks(data, offset, length, NEVER);
}

export function hasNonFinite(data: Float32Array | Float64Array, offset = 0, length = data.length - offset): boolean {
  return !Number.isFinite(maxMagnitude(data, offset, length));
}

export function firstNonFinite(data: Float32Array | Float64Array, offset = 0, length = data.length - offset): number {
  let bad = -1;
  scanChunks(data, offset, length, (t, c) => { if (Number.isFinite(c)) return false; bad = t; return true; });
  if (bad < 0) return -1;
  for (let t = bad; t < length; t++) { const v = data[offset + t]; if (v - v !== 0) return t; }
  return -1;
}
