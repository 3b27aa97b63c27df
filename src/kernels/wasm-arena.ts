/**
 * An arena inside the kernels' WebAssembly memory. Operands placed here are used by the kernels in
 * place (no copy) and are visible to the worker threads; operands elsewhere are copied into
 * scratch space on every call (about one memory-bandwidth pass, ~10 GB/s: a 4096 x 3072 float64
 * block costs ~10 ms against ~50 to 100 ms of arithmetic at k = 64). Hot streaming callers should
 * allocate their block buffers, sketches and test matrices here.
 *
 * First-fit allocator over 64-byte aligned ranges (docs/KERNELS.md: align to 64 bytes), coalescing on
 * free. Views stay valid when the memory grows (it is shared and never detaches).
 */
import { ensureMemory, HEAP_BASE, wasmRuntime, type WasmRuntime } from './wasm-runtime.js';

const ALIGN = 64;
/** Bytes kept readable past the top allocation: kernels may read up to one tile past a row end. */
const SLACK = 256;

const free: { start: number; end: number }[] = [];
const used = new Map<number, number>();
let top = HEAP_BASE;

function runtimeOrThrow(): WasmRuntime {
  const rt = wasmRuntime();
  if (rt === null) throw new Error('wasm arena: WebAssembly kernels unavailable (see kernelBackend().reason)');
  return rt;
}

/** Reserve `bytes` bytes; returns the byte address. */
export function arenaAlloc(bytes: number): number {
  const rt = runtimeOrThrow();
  const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  for (let i = 0; i < free.length; i++) {
    const r = free[i];
    if (r.end - r.start >= size) {
      const ptr = r.start;
      r.start += size;
      if (r.start === r.end) free.splice(i, 1);
      used.set(ptr, size);
      return ptr;
    }
  }
  const ptr = top;
  ensureMemory(rt, ptr + size + SLACK);
  top = ptr + size;
  used.set(ptr, size);
  return ptr;
}

/** Release an address returned by `arenaAlloc`. */
export function arenaFree(ptr: number): void {
  const size = used.get(ptr);
  if (size === undefined) throw new RangeError(`wasm arena: ${ptr} is not an allocated address`);
  used.delete(ptr);
  let start = ptr, end = ptr + size;
  // Coalesce with neighbours (the list is kept sorted by start).
  let i = 0;
  while (i < free.length && free[i].start < start) i++;
  const prev = free[i - 1], next = free[i];
  if (next !== undefined && next.start === end) { end = next.end; free.splice(i, 1); }
  if (prev !== undefined && prev.end === start) { start = prev.start; free.splice(i - 1, 1); i--; }
  if (end === top) { top = start; return; }
  free.splice(i, 0, { start, end });
}

/**
 * A float64 array of length n inside wasm memory (zero-filled). Free it with `freeArena`. Without
 * the wasm kernels (see `kernelBackend()`) it is an ordinary Float64Array, so callers need no branch.
 */
export function allocF64(n: number): Float64Array {
  const rt = wasmRuntime();
  if (rt === null) return new Float64Array(n);
  const ptr = arenaAlloc(n * 8);
  const v = new Float64Array(rt.memory.buffer, ptr, n);
  v.fill(0);
  return v;
}

/** A float32 array of length n inside wasm memory (zero-filled), or an ordinary one without wasm. */
export function allocF32(n: number): Float32Array {
  const rt = wasmRuntime();
  if (rt === null) return new Float32Array(n);
  const ptr = arenaAlloc(n * 4);
  const v = new Float32Array(rt.memory.buffer, ptr, n);
  v.fill(0);
  return v;
}

/** Release an array from `allocF64` / `allocF32` (arrays outside the arena are left to the GC). */
export function freeArena(v: Float64Array | Float32Array): void {
  if (inArena(v)) arenaFree(v.byteOffset);
}

/** Whether a typed array lives in the kernels' memory (then kernels use it without copying). */
export function inArena(v: ArrayBufferView): boolean {
  const rt = wasmRuntime();
  return rt !== null && rt.buffers.has(v.buffer);
}
