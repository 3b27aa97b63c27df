/**
 * The WebAssembly kernel runtime: one shared `WebAssembly.Memory` (grown on demand up to the
 * memory32 maximum of 4 GiB), one instance on the calling thread, and the compiled module that
 * worker threads instantiate against the same memory (docs/KERNELS.md, "Threads").
 *
 * Variant choice: the relaxed-SIMD build (fused multiply-add, +15 to 35% per docs/KERNELS.md) when
 * `WebAssembly.validate` accepts it, which on Node 20 needs the V8 flag
 * `--experimental-wasm-relaxed-simd` set before first use (streams/enable-relaxed-simd.ts, the CLI,
 * the bench and vitest.config.ts do it); otherwise the plain simd128 build.
 *
 * The bytes come from `wasm-bytes.generated.ts`, written by `npm run build`. If that file is
 * missing the runtime is `null`, `kernelBackend()` says why, and every product runs on the plain
 * TypeScript fallback (same results within rounding, about 5 to 10x slower).
 */
let bytes: { WASM_SIMD: string; WASM_RELAXED: string } | null = null;
let loadError = '';
try {
  bytes = await import('./wasm-bytes.generated.js');
} catch (e) {
  loadError = `src/kernels/wasm-bytes.generated.ts is missing (run \`npm run build\`): ${(e as Error).message}`;
}

/** Memory layout: [0, HEAP_BASE) AssemblyScript's own (it emits no data); the heap (arena, gemm
 * scratch, per-thread kernel workspaces) from HEAP_BASE. */
export const MAX_THREADS = 64;
export const HEAP_BASE = 65536;
const PAGE = 65536;
const MAX_PAGES = 65536;

export interface WasmKernels {
  gemm_f64(m: number, n: number, k: number, alpha: number, a: number, ars: number, acs: number,
    b: number, brs: number, bps: number, c: number, ldc: number, ws: number, flags: number): void;
  gemm_f32(m: number, n: number, k: number, alpha: number, a: number, ars: number, acs: number,
    b: number, brs: number, bps: number, c: number, ldc: number, ws: number, flags: number): void;
  /** Bytes of the per-thread workspace the kernels take as `ws`. */
  workspace_bytes(): number;
  /**
   * out[c, 0:w] (+)= sum over p in [ptr[c], ptr[c+1]) of val[p] B[idx[p], 0:w] for c < nOut (CSR
   * lists of int32 row indices and values; byte addresses, row strides in bytes; overwrite != 0
   * starts from zero). Single-threaded, so results do not depend on the thread count.
   */
  sparse_rows_f32(nOut: number, w: number, out: number, ldo: number, ptr: number, idx: number, val: number, b: number, ldb: number, overwrite: number): void;
  sparse_rows_f64(nOut: number, w: number, out: number, ldo: number, ptr: number, idx: number, val: number, b: number, ldb: number, overwrite: number): void;
  /** dst (cols x rows) = src (rows x cols)^T, float32, row strides in bytes. */
  transpose_f32(rows: number, cols: number, src: number, lds: number, dst: number, ldd: number): void;
  transpose_f64(rows: number, cols: number, src: number, lds: number, dst: number, ldd: number): void;
  /** max |x| of the n float32 values at src: NaN if any is NaN, Infinity if any is infinite. */
  absmax_f32(n: number, src: number): number;
  absmax_f64(n: number, src: number): number;
  /** acc[1] (float64 at acc) += sum of squares of n float32 values (float64 arithmetic). */
  sumsq_f32(n: number, src: number, acc: number): void;
  /** Blue's accumulators acc[0..3] (small, medium, big; float64 at acc) += the n float64 values' squares. */
  sumsq_f64(n: number, src: number, acc: number): void;
  /** dst[i, j] (float64, row stride ldd) = float32 at src + i rs + j cs (byte strides). */
  widen_f32(rows: number, cols: number, src: number, rs: number, cs: number, dst: number, ldd: number): void;
  /** dst[0:n] (float32) = src[0:n] (float64). */
  narrow_f64(n: number, src: number, dst: number): void;
  /** dst (rows x cols) = src, float32, row strides in bytes. */
  copy_f32(rows: number, cols: number, src: number, lds: number, dst: number, ldd: number): void;
  /** dst (rows x cols) = src, elements of `es` bytes, row strides in bytes. */
  copy_rows(rows: number, cols: number, es: number, src: number, lds: number, dst: number, ldd: number): void;
  /**
   * Counting sort of b items of z (int32 index, float64 value) entries into CSR lists by index
   * (dim + 1 pointers, (t, float32 value) entries, t increasing); cursor: dim int32 of scratch.
   */
  csr_from_items(b: number, z: number, dim: number, idx: number, val: number, ptr: number, oIdx: number, oVal: number, cursor: number): void;
  /** `csr_from_items` with float64 output values. */
  csr_from_items_f64(b: number, z: number, dim: number, idx: number, val: number, ptr: number, oIdx: number, oVal: number, cursor: number): void;
  /**
   * n Gaussian items (dim normals, rows ld elements apart) of the Philox stream key (k0, k1) from item
   * i0, float64 / float32; tab: the Box-Muller tables; the loop of `fillItems('gaussian', ...)`.
   */
  philox_gaussian_f64(k0: number, k1: number, i0: number, n: number, dim: number, out: number, ld: number, tab: number): void;
  philox_gaussian_f32(k0: number, k1: number, i0: number, n: number, dim: number, out: number, ld: number, tab: number): void;
  /**
   * n compressed sparse-sign items (zeta entries: int32 positions at idx, float64 +-scale at val) of the
   * Philox stream key (k0, k1) from item i0; the loop of `fillSparseSignItems`; tmp: 192 bytes of scratch.
   */
  philox_sparse_sign(k0: number, k1: number, i0: number, n: number, dim: number, zeta: number, scale: number, idx: number, val: number, tmp: number): void;
  /** dst[0:n] (float64) += src[0:n] (float32). */
  add_f32_f64(n: number, src: number, dst: number): void;
  /** dst[0:n] (float64) += src[0:n] (float64). */
  add_f64_f64(n: number, src: number, dst: number): void;
  /**
   * The TSQR step on R (k x k) at rd and the transposed block W^T (k x h) at w: structured
   * Householder reflectors on every column, in panels of 4; taus (k float64 of scratch) at taus.
   */
  tsqr_factor_f64(rd: number, w: number, k: number, h: number, taus: number): void;
}

/** Names of the exports workers may be asked to run, indexed by op code. */
export const KERNEL_OPS = ['gemm_f64', 'gemm_f32'] as const;

export interface WasmRuntime {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly exports: WasmKernels;
  readonly variant: 'relaxed-simd' | 'simd128';
  /** Whole-memory views, replaced after every growth (use `refreshViews` results, never cache). */
  f64: Float64Array;
  f32: Float32Array;
  /** Every SharedArrayBuffer object the memory has exposed (one per growth): a typed array lives
   * in wasm memory iff its `.buffer` is one of these. */
  readonly buffers: Set<ArrayBufferLike>;
}

let runtime: WasmRuntime | null | undefined;

function decode(b64: string): Uint8Array {
  // atob is global in Node >= 16 and browsers; src/ may not import node:buffer.
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The runtime, created on first use; `null` when the generated bytes are missing or SIMD is unsupported. */
export function wasmRuntime(): WasmRuntime | null {
  if (runtime !== undefined) return runtime;
  if (bytes === null) return (runtime = null);
  const relaxed = decode(bytes.WASM_RELAXED);
  const simd = decode(bytes.WASM_SIMD);
  const useRelaxed = WebAssembly.validate(relaxed);
  if (!useRelaxed && !WebAssembly.validate(simd)) {
    loadError = 'this engine does not validate WebAssembly simd128 with shared memory';
    return (runtime = null);
  }
  const module = new WebAssembly.Module(useRelaxed ? relaxed : simd);
  const memory = new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: true });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const buf = memory.buffer;
  runtime = {
    module, memory, exports: instance.exports as unknown as WasmKernels,
    variant: useRelaxed ? 'relaxed-simd' : 'simd128',
    f64: new Float64Array(buf), f32: new Float32Array(buf), buffers: new Set([buf]),
  };
  return runtime;
}

/** Grow the memory so that byte `end` is addressable; refreshes the whole-memory views. */
export function ensureMemory(rt: WasmRuntime, end: number): void {
  const have = rt.memory.buffer.byteLength;
  if (end <= have) return;
  const pages = Math.ceil((end - have) / PAGE);
  const current = have / PAGE;
  if (current + pages > MAX_PAGES) {
    throw new RangeError(`wasm kernels: ${end} bytes of WebAssembly memory needed, the maximum is 4 GiB`);
  }
  // Grow in steps of at least 1/4 of the current size to keep the number of growths small.
  rt.memory.grow(Math.min(MAX_PAGES - current, Math.max(pages, Math.ceil(current / 4))));
  const buf = rt.memory.buffer;
  rt.buffers.add(buf);
  rt.f64 = new Float64Array(buf);
  rt.f32 = new Float32Array(buf);
}

/** Which backend the products use, and why (a one-line diagnostic for the CLI and benchmarks). */
export function kernelBackend(): { backend: 'wasm' | 'ts'; variant: string; reason: string } {
  const rt = wasmRuntime();
  if (rt === null) return { backend: 'ts', variant: 'typescript', reason: loadError };
  return { backend: 'wasm', variant: rt.variant, reason: rt.variant === 'simd128'
    ? 'relaxed SIMD not enabled (set --experimental-wasm-relaxed-simd before first use)' : '' };
}
