/**
 * The finiteness scan of input blocks: `hasNonFinite(data, offset, length)` is true when any of the
 * values is NaN or +-Infinity, and `firstNonFinite` gives the index of the first such value (-1 if
 * none). The scan runs in WebAssembly SIMD (`nonfinite_f32` / `nonfinite_f64`: x * 0 is 0 exactly
 * for every finite x, subnormals included, and NaN otherwise): a block outside the kernels' memory
 * is copied in, in chunks of CHUNK values that stay in cache (TypedArray.set is a memcpy), so one
 * pass costs about a memory copy; values inside the kernels' memory are scanned in place. Without
 * the kernels, a TypeScript loop does the same. Only a block that has a bad value pays for
 * `firstNonFinite`'s search for its position (TypeScript, from the first bad chunk).
 */
import { arenaAlloc, inArena } from './wasm-arena.js';
import { wasmRuntime } from './wasm-runtime.js';

/** Values copied in per call: 64 KiB of float64, 32 KiB... of float32 (L1/L2 resident). */
const CHUNK = 8192;

let scratch = -1;

function scratchPtr(): number {
  if (scratch < 0) scratch = arenaAlloc(CHUNK * 8);
  return scratch;
}

/** Index (from `offset`) of the first chunk of CHUNK values that holds a non-finite value, or -1. */
function firstBadChunk(data: Float32Array | Float64Array, offset: number, length: number): number {
  const rt = wasmRuntime();
  if (rt === null) {
    for (let t = 0; t < length; t++) { const v = data[offset + t]!; if (v - v !== 0) return Math.floor(t / CHUNK) * CHUNK; }
    return -1;
  }
  const f32 = data instanceof Float32Array;
  const check = f32 ? rt.exports.nonfinite_f32 : rt.exports.nonfinite_f64;
  if (inArena(data)) {
    // In place, chunk by chunk only to report where.
    for (let t = 0; t < length; t += CHUNK) {
      if (check(Math.min(CHUNK, length - t), data.byteOffset + (offset + t) * data.BYTES_PER_ELEMENT) !== 0) return t;
    }
    return -1;
  }
  const ptr = scratchPtr();
  const view = f32 ? new Float32Array(rt.memory.buffer, ptr, CHUNK) : new Float64Array(rt.memory.buffer, ptr, CHUNK);
  for (let t = 0; t < length; t += CHUNK) {
    const n = Math.min(CHUNK, length - t);
    view.set(data.subarray(offset + t, offset + t + n));
    if (check(n, ptr) !== 0) return t;
  }
  return -1;
}

export function hasNonFinite(data: Float32Array | Float64Array, offset = 0, length = data.length - offset): boolean {
  return firstBadChunk(data, offset, length) >= 0;
}

export function firstNonFinite(data: Float32Array | Float64Array, offset = 0, length = data.length - offset): number {
  const c = firstBadChunk(data, offset, length);
  if (c < 0) return -1;
  for (let t = c; t < length; t++) { const v = data[offset + t]!; if (v - v !== 0) return t; }
  return -1;
}
