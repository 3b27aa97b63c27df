/**
 * GEMM on the WebAssembly SIMD kernels: C (m x n) <- alpha op(A) op(B) + beta C, row-major, same
 * arguments and semantics as `gemm` (stdlib dgemm's order). Returns false when it cannot take the
 * call (no wasm, or a dtype mix other than the ones below), so the caller falls back to TypeScript.
 *
 * Dtypes: all float64 -> float64 kernel; all float32 -> float32 kernel; A, B float32 with C float64
 * -> the float32 kernel into float32 scratch, then C <- beta C + alpha * scratch in float64: this is
 * how a stream accumulates float32 block products into float64 sketches (docs/KERNELS.md, "Precision").
 *
 * Operands inside the wasm arena (`allocF64`/`allocF32`) are used in place; others are copied in
 * with `set` (A, B, C) into reusable scratch, so no call allocates wasm memory once scratch has
 * grown to the largest shapes seen. An untransposed B is packed block by block inside the kernel
 * (KC x 128 panels in a per-thread workspace); a transposed B is packed into panels from JS; a B
 * packed once and reused (the test matrix Omega of a stream) goes through `gemmPacked`.
 *
 * Large products are split across the kernel threads in chunks: row blocks when m >= n, otherwise
 * column panels (the co-range shape X (k x n) += G^T A_blk, where m = k is small).
 */
import type { Float } from '../matrix.js';
import { arenaAlloc, arenaFree, inArena } from './wasm-arena.js';
import { JOB_WORDS, kernelThreadCount, nextChunk, publishJob, runWorkers } from './kernel-threads.js';
import { wasmRuntime, type WasmKernels, type WasmRuntime } from './wasm-runtime.js';

/** B as the kernel sees it: element (p, j) at ptr + (j / NR) * bps + p * brs + (j % NR) * es. */
export interface PanelLayout { ptr: number; brs: number; bps: number }

type Scratch = { ptr: number; bytes: number };
const scratchA: Scratch = { ptr: -1, bytes: 0 };
const scratchB: Scratch = { ptr: -1, bytes: 0 };
const scratchC: Scratch = { ptr: -1, bytes: 0 };

function reserve(s: Scratch, bytes: number): number {
  if (bytes <= s.bytes) return s.ptr;
  if (s.ptr >= 0) arenaFree(s.ptr);
  // Grow by at least 1/2 so alternating shapes do not reallocate every call.
  const want = Math.max(bytes, Math.floor(s.bytes * 1.5));
  s.ptr = -1; s.bytes = 0;
  let got = want;
  try {
    s.ptr = arenaAlloc(want);
  } catch (e) {
    if (!(e instanceof RangeError) || want === bytes) throw e;
    s.ptr = arenaAlloc(bytes); // the growth margin did not fit: take exactly what is needed
    got = bytes;
  }
  s.bytes = got;
  return s.ptr;
}

/**
 * Give back the scratch space that products with operands outside the arena have grown (it is
 * kept between calls so repeated shapes allocate nothing; a one-off 4096 x 25088 float64 product
 * leaves ~800 MB of it). The WebAssembly memory itself never shrinks, but the space is reused.
 */
export function releaseKernelScratch(): void {
  for (const s of [scratchA, scratchB, scratchC]) {
    if (s.ptr >= 0) arenaFree(s.ptr);
    s.ptr = -1; s.bytes = 0;
  }
}

/** Panel width in elements: two SIMD vectors. */
export function panelWidth(es: number): number {
  return 32 / es;
}

/** Pack op(B) (kk x n) into NR-wide zero-padded panels at byte address `dst`; describe them in `layout`. */
export function packPanels(
  rt: WasmRuntime, es: number, transB: boolean, kk: number, n: number, alpha: number,
  b: Float, offB: number, ldb: number, dst: number, layout: PanelLayout,
): void {
  const nr = panelWidth(es);
  const base = dst / es;
  // One copy of the loop per element-type pair: V8 compiles each for a single typed-array kind
  // (a shared loop over Float64Array | Float32Array ran ~5x slower, megamorphic element access).
  if (es === 8 && b instanceof Float64Array) pack64(rt.f64, base, transB, kk, n, alpha, b, offB, ldb);
  else if (es === 4 && b instanceof Float32Array) pack32(rt.f32, base, transB, kk, n, alpha, b, offB, ldb);
  else packMixed(es === 8 ? rt.f64 : rt.f32, base, nr, transB, kk, n, alpha, b, offB, ldb);
  layout.ptr = dst; layout.brs = nr * es; layout.bps = kk * nr * es;
}

// Panel jp holds columns [nr jp, nr jp + nr) of op(B) as kk rows of nr (zero-padded past n).
function pack64(h: Float64Array, base: number, transB: boolean, kk: number, n: number, alpha: number, b: Float64Array, offB: number, ldb: number): void {
  const nr = 4;
  // Blocks of PB rows of op(B): reads stay within a few pages and cache lines, writes within a
  // panel are sequential (panel order alone made every read a TLB miss on large B).
  const PB = 64, panelLen = kk * nr;
  const cs = transB ? ldb : 1, rs = transB ? 1 : ldb;
  for (let p0 = 0; p0 < kk; p0 += PB) {
    const p1 = Math.min(kk, p0 + PB);
    for (let j0 = 0, dp = base; j0 < n; j0 += nr, dp += panelLen) {
      const w = Math.min(nr, n - j0);
      for (let p = p0; p < p1; p++) {
        const s = offB + p * rs + j0 * cs, d = dp + p * nr;
        for (let jj = 0; jj < w; jj++) h[d + jj] = alpha * b[s + jj * cs];
        for (let jj = w; jj < nr; jj++) h[d + jj] = 0;
      }
    }
  }
}

function pack32(h: Float32Array, base: number, transB: boolean, kk: number, n: number, alpha: number, b: Float32Array, offB: number, ldb: number): void {
  const nr = 8;
  // Blocks of PB rows of op(B): reads stay within a few pages and cache lines, writes within a
  // panel are sequential (panel order alone made every read a TLB miss on large B).
  const PB = 64, panelLen = kk * nr;
  const cs = transB ? ldb : 1, rs = transB ? 1 : ldb;
  for (let p0 = 0; p0 < kk; p0 += PB) {
    const p1 = Math.min(kk, p0 + PB);
    for (let j0 = 0, dp = base; j0 < n; j0 += nr, dp += panelLen) {
      const w = Math.min(nr, n - j0);
      for (let p = p0; p < p1; p++) {
        const s = offB + p * rs + j0 * cs, d = dp + p * nr;
        for (let jj = 0; jj < w; jj++) h[d + jj] = alpha * b[s + jj * cs];
        for (let jj = w; jj < nr; jj++) h[d + jj] = 0;
      }
    }
  }
}

function packMixed(h: Float, base: number, nr: number, transB: boolean, kk: number, n: number, alpha: number, b: Float, offB: number, ldb: number): void {
  // Blocks of PB rows of op(B): reads stay within a few pages and cache lines, writes within a
  // panel are sequential (panel order alone made every read a TLB miss on large B).
  const PB = 64, panelLen = kk * nr;
  const cs = transB ? ldb : 1, rs = transB ? 1 : ldb;
  for (let p0 = 0; p0 < kk; p0 += PB) {
    const p1 = Math.min(kk, p0 + PB);
    for (let j0 = 0, dp = base; j0 < n; j0 += nr, dp += panelLen) {
      const w = Math.min(nr, n - j0);
      for (let p = p0; p < p1; p++) {
        const s = offB + p * rs + j0 * cs, d = dp + p * nr;
        for (let jj = 0; jj < w; jj++) h[d + jj] = alpha * b[s + jj * cs];
        for (let jj = w; jj < nr; jj++) h[d + jj] = 0;
      }
    }
  }
}

/**
 * Copy a (rows x cols) block of `src` (leading dimension ld) into the heap at byte address dst as
 * a packed row-major block. One `set` when the rows are contiguous (memcpy speed), else one per row.
 */
function copyIn(rt: WasmRuntime, es: number, src: Float, off: number, ld: number, rows: number, cols: number, dst: number): void {
  const h = es === 8 ? rt.f64 : rt.f32;
  const d = dst / es;
  if (ld === cols || rows === 1) h.set(src.subarray(off, off + rows * cols), d);
  else for (let r = 0; r < rows; r++) h.set(src.subarray(off + r * ld, off + r * ld + cols), d + r * cols);
}

/** Bytes `packPanels` writes for op(B) (kk x n). */
export function packedBytes(es: number, kk: number, n: number): number {
  const nr = panelWidth(es);
  return Math.ceil(n / nr) * kk * nr * es;
}

/** Per-thread kernel workspaces (a packed block of B and an edge tile, ~512 KiB each), kept for good. */
const workspaces: number[] = [];

/**
 * Reserve every workspace a product may need before anything is written, so that running out of
 * WebAssembly memory (4 GiB) surfaces as a RangeError while C is still untouched.
 */
export function reserveWorkspaces(rt: WasmRuntime): void {
  workspace(rt, kernelThreadCount() - 1);
}

function workspace(rt: WasmRuntime, t: number): number {
  while (workspaces.length <= t) workspaces.push(arenaAlloc(rt.exports.workspace_bytes()));
  return workspaces[t];
}
/** Kernel flag: pack each KC x NC block of a plain B before use. */
const PACK_B = 1;
/** Aim for this many chunks per thread (dynamic balance on a shared machine)... */
const CHUNKS_PER_THREAD = 8;
/** ...but no chunk under this many multiply-adds (a kernel call and a B block pack cost ~µs). */
const MIN_CHUNK_FMA = 1 << 20;

const job = new Float64Array(JOB_WORDS);

/** Run chunk u of the job in `j` on this thread (the same mapping as the workers' copy). */
function runChunk(kernel: WasmKernels['gemm_f64'], j: Float64Array, u: number, wsp: number): void {
  const m = j[1], n = j[2], unit = j[15], es = j[17], nr = j[18];
  if (j[14] === 1) {
    const i0 = u * unit, i1 = Math.min(m, i0 + unit);
    kernel(i1 - i0, n, j[3], j[4], j[5] + i0 * j[6], j[6], j[7], j[8], j[9], j[10], j[11] + i0 * j[12], j[12], wsp, j[13]);
  } else {
    const p0 = u * unit, j0 = p0 * nr, j1 = Math.min(n, j0 + unit * nr);
    kernel(m, j1 - j0, j[3], j[4], j[5], j[6], j[7], j[8] + p0 * j[10], j[9], j[10], j[11] + j0 * es, j[12], wsp, j[13]);
  }
}

/**
 * Run the kernel on prepared operands (all byte addresses): C += alpha op(A) B, split in chunks
 * across the threads. Exported for `gemmPacked`; callers have applied beta to C already.
 */
export function runKernel(
  rt: WasmRuntime, es: number, m: number, n: number, kk: number, alpha: number,
  pa: number, ars: number, acs: number, bl: PanelLayout, pc: number, ldcB: number, packB: boolean,
): void {
  const kernel = es === 8 ? rt.exports.gemm_f64 : rt.exports.gemm_f32;
  const nr = panelWidth(es);
  const threads = kernelThreadCount();
  const flags = packB ? PACK_B : 0;
  if (threads === 1 || m * n * kk < 2 * MIN_CHUNK_FMA) {
    kernel(m, n, kk, alpha, pa, ars, acs, bl.ptr, bl.brs, bl.bps, pc, ldcB, workspace(rt, 0), flags);
    return;
  }
  workspace(rt, threads - 1);
  // Split the larger output dimension: rows in multiples of 4, or column panels of nr.
  const byRows = m >= n;
  const units = byRows ? Math.ceil(m / 4) : Math.ceil(n / nr);
  const fmaPerUnit = (byRows ? 4 * n : nr * m) * kk;
  const perChunk = Math.max(1, Math.ceil(units / (threads * CHUNKS_PER_THREAD)), Math.ceil(MIN_CHUNK_FMA / fmaPerUnit));
  const chunks = Math.ceil(units / perChunk);
  job[0] = es === 8 ? 0 : 1; job[1] = m; job[2] = n; job[3] = kk; job[4] = alpha;
  job[5] = pa; job[6] = ars; job[7] = acs; job[8] = bl.ptr; job[9] = bl.brs; job[10] = bl.bps;
  job[11] = pc; job[12] = ldcB; job[13] = flags; job[14] = byRows ? 1 : 0;
  job[15] = byRows ? perChunk * 4 : perChunk; job[16] = chunks; job[17] = es; job[18] = nr;
  publishJob(job, workspaces);
  jobKernel = kernel;
  runWorkers(ownShare);
}

let jobKernel: WasmKernels['gemm_f64'] | null = null;

/** The calling thread's part of a published job: claim chunks until none are left. */
function ownShare(): void {
  const chunks = job[16];
  for (let u = nextChunk(); u < chunks; u = nextChunk()) runChunk(jobKernel!, job, u, workspaces[0]);
}

function scaleInPlace(c: Float, offC: number, ldc: number, m: number, n: number, beta: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const o = offC + i * ldc;
    if (beta === 0) c.fill(0, o, o + n);
    else for (let j = 0; j < n; j++) c[o + j] = beta * c[o + j];
  }
}

/** Compute dtype size for (a, b, c), 0 when the mix is not supported here. */
function elementSize(a: Float, b: Float, c: Float): number {
  const a32 = a instanceof Float32Array, b32 = b instanceof Float32Array, c32 = c instanceof Float32Array;
  if (!a32 && !b32 && !c32) return 8;
  if (a32 && b32) return 4;
  return 0;
}

/**
 * A prepared op(A): byte address and strides, copying A into scratch when it is outside the arena.
 * Writes into `out` = [ptr, ars, acs].
 */
export function prepareA(
  rt: WasmRuntime, es: number, transA: boolean, m: number, kk: number,
  a: Float, offA: number, lda: number, out: Float64Array,
): void {
  if (inArena(a)) {
    out[0] = a.byteOffset + offA * es;
    out[1] = (transA ? 1 : lda) * es; out[2] = (transA ? lda : 1) * es;
    return;
  }
  const rows = transA ? kk : m, cols = transA ? m : kk;
  const ptr = reserve(scratchA, rows * cols * es);
  copyIn(rt, es, a, offA, lda, rows, cols, ptr);
  out[0] = ptr;
  out[1] = (transA ? 1 : cols) * es; out[2] = (transA ? cols : 1) * es;
}

/**
 * Where the kernel should accumulate C: in place when C is in the arena with the compute dtype
 * (beta applied here), else in scratch (beta C copied in, or zeros for the float32 -> float64 case).
 * Writes `out` = [pc, ldc in bytes, alpha for the kernel, mode] (mode 0 in place, 1 copy back,
 * 2 float32 into float64); `finishOutput` completes modes 1 and 2.
 */
export function prepareOutput(
  rt: WasmRuntime, es: number, m: number, n: number, alpha: number, beta: number,
  c: Float, offC: number, ldc: number, out: Float64Array,
): void {
  const sameType = (es === 8) === (c instanceof Float64Array);
  if (sameType && inArena(c)) {
    scaleInPlace(c, offC, ldc, m, n, beta);
    out[0] = c.byteOffset + offC * es; out[1] = ldc * es; out[2] = alpha; out[3] = 0;
    return;
  }
  const ptr = reserve(scratchC, m * n * es);
  const h = es === 8 ? rt.f64 : rt.f32;
  const d = ptr / es;
  out[0] = ptr; out[1] = n * es;
  if (sameType) {
    for (let i = 0; i < m; i++) {
      const s = offC + i * ldc, t = d + i * n;
      if (beta === 0) h.fill(0, t, t + n);
      else for (let j = 0; j < n; j++) h[t + j] = beta * c[s + j];
    }
    out[2] = alpha; out[3] = 1;
  } else {
    h.fill(0, d, d + m * n);
    out[2] = 1; out[3] = 2;
  }
}

/** Copy a scratch C back (mode 1) or C <- beta C + alpha scratch in float64 (mode 2). */
export function finishOutput(
  rt: WasmRuntime, es: number, m: number, n: number, alpha: number, beta: number,
  c: Float, offC: number, ldc: number, desc: Float64Array,
): void {
  const mode = desc[3];
  if (mode === 0) return;
  const h = es === 8 ? rt.f64 : rt.f32;
  const d = desc[0] / es;
  if (mode === 1) {
    for (let i = 0; i < m; i++) c.set(h.subarray(d + i * n, d + (i + 1) * n), offC + i * ldc);
    return;
  }
  for (let i = 0; i < m; i++) {
    const o = offC + i * ldc, t = d + i * n;
    if (beta === 0) for (let j = 0; j < n; j++) c[o + j] = alpha * h[t + j];
    else for (let j = 0; j < n; j++) c[o + j] = beta * c[o + j] + alpha * h[t + j];
  }
}

const aDesc = new Float64Array(3);
const cDesc = new Float64Array(4);
const bLayout: PanelLayout = { ptr: 0, brs: 0, bps: 0 };

export function gemmWasm(
  transA: boolean, transB: boolean, m: number, n: number, kk: number, alpha: number,
  a: Float, offA: number, lda: number, b: Float, offB: number, ldb: number,
  beta: number, c: Float, offC: number, ldc: number,
): boolean {
  const rt = wasmRuntime();
  if (rt === null) return false;
  const es = elementSize(a, b, c);
  if (es === 0) return false;
  if (m === 0 || n === 0) return true;
  if (kk === 0 || alpha === 0) { scaleInPlace(c, offC, ldc, m, n, beta); return true; }
  reserveWorkspaces(rt);
  prepareA(rt, es, transA, m, kk, a, offA, lda, aDesc);
  // A plain (untransposed) B is used row-major, in place in the arena or copied in with `set` (a
  // memcpy; packing it from JS instead cost ~25 ns per element), and the kernel packs it block by
  // block when several row strips reuse a block. A transposed B is packed into panels from JS.
  const plainB = !transB;
  if (plainB && inArena(b)) {
    bLayout.ptr = b.byteOffset + offB * es; bLayout.brs = ldb * es; bLayout.bps = panelWidth(es) * es;
  } else if (plainB) {
    const ptr = reserve(scratchB, kk * n * es);
    copyIn(rt, es, b, offB, ldb, kk, n, ptr);
    bLayout.ptr = ptr; bLayout.brs = n * es; bLayout.bps = panelWidth(es) * es;
  } else packPanels(rt, es, transB, kk, n, 1, b, offB, ldb, reserve(scratchB, packedBytes(es, kk, n)), bLayout);
  prepareOutput(rt, es, m, n, alpha, beta, c, offC, ldc, cDesc);
  runKernel(rt, es, m, n, kk, cDesc[2], aDesc[0], aDesc[1], aDesc[2], bLayout, cDesc[0], cDesc[1], plainB && m > 4);
  finishOutput(rt, es, m, n, alpha, beta, c, offC, ldc, cDesc);
  return true;
}
