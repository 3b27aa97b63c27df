/**
 * GEMM on the WebAssembly SIMD kernels: C (m x n) <- alpha op(A) op(B) + beta C, row-major, same
 * arguments and semantics as `gemm` (stdlib dgemm's order). Returns false when it cannot take the
 * call (no wasm, or a dtype mix other than the ones below), so the caller falls back to TypeScript.
 *
 * Dtypes: all float64 -> float64 kernel; all float32 -> float32 kernel; A, B float32 with C float64
 * -> the float32 kernel into float32 scratch, then C <- beta C + alpha * scratch in float64: this is
 * how a stream accumulates float32 block products into float64 sketches (KERNELS.md, "Precision").
 *
 * Operands inside the wasm arena (`allocF64`/`allocF32`) are used in place; others are copied in
 * (A, C) or packed (B) into reusable scratch, so no call allocates wasm memory once scratch has
 * grown to the largest shapes seen. B is always packed into NR-wide panels when it is transposed
 * or outside the arena; a B already packed once and reused (the test matrix Omega of a stream) goes
 * through `gemmPacked` instead.
 *
 * Large products are split across the kernel threads: by row blocks of 4 when m >= n, otherwise by
 * column panels (the co-range shape X (k x n) += G^T A_blk, where m = k is small).
 */
import type { Float } from '../matrix.js';
import { arenaAlloc, arenaFree, inArena } from './wasm-arena.js';
import { kernelThreadCount, runWorkers, setWorkerJob } from './kernel-threads.js';
import { wasmRuntime, type WasmRuntime } from './wasm-runtime.js';

/** Products below this many multiply-adds run on one thread (waking workers costs ~20 to 50 us). */
const PARALLEL_MIN_FMA = 1 << 20;

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
  s.bytes = Math.max(bytes, Math.floor(s.bytes * 1.5));
  s.ptr = arenaAlloc(s.bytes);
  return s.ptr;
}

/** Panel width in elements: two SIMD vectors. */
export function panelWidth(es: number): number {
  return 32 / es;
}

/** Pack op(B) (kk x n) into NR-wide zero-padded panels at byte address `dst` of the heap views. */
export function packPanels(
  rt: WasmRuntime, es: number, transB: boolean, kk: number, n: number, alpha: number,
  b: Float, offB: number, ldb: number, dst: number,
): PanelLayout {
  const nr = panelWidth(es);
  const h = es === 8 ? rt.f64 : rt.f32;
  const base = dst / es;
  const panels = Math.ceil(n / nr);
  const panelLen = kk * nr;
  for (let jp = 0; jp < panels; jp++) {
    const j0 = jp * nr, w = Math.min(nr, n - j0);
    const pbase = base + jp * panelLen;
    for (let p = 0; p < kk; p++) {
      const d = pbase + p * nr;
      if (!transB) {
        const s = offB + p * ldb + j0;
        for (let jj = 0; jj < w; jj++) h[d + jj] = alpha * b[s + jj]!;
      } else {
        const s = offB + j0 * ldb + p;
        for (let jj = 0; jj < w; jj++) h[d + jj] = alpha * b[s + jj * ldb]!;
      }
      for (let jj = w; jj < nr; jj++) h[d + jj] = 0;
    }
  }
  return { ptr: dst, brs: nr * es, bps: panelLen * es };
}

/** Bytes `packPanels` writes for op(B) (kk x n). */
export function packedBytes(es: number, kk: number, n: number): number {
  const nr = panelWidth(es);
  return Math.ceil(n / nr) * kk * nr * es;
}

const jobArgs = new Float64Array(14);
/** Per-thread kernel workspaces (a packed block of B and an edge tile, ~512 KiB each), kept for good. */
const workspaces: number[] = [];

function workspace(rt: WasmRuntime, t: number): number {
  while (workspaces.length <= t) workspaces.push(arenaAlloc(rt.exports.workspace_bytes()));
  return workspaces[t]!;
}
/** Kernel flag: pack each KC x NC block of a plain B before use. */
const PACK_B = 1;

/**
 * Run the kernel on prepared operands (all byte addresses): C += alpha op(A) B, split across
 * threads. Exported for `gemmPacked`; callers have applied beta to C already.
 */
export function runKernel(
  rt: WasmRuntime, es: number, m: number, n: number, kk: number, alpha: number,
  pa: number, ars: number, acs: number, bl: PanelLayout, pc: number, ldcB: number, packB: boolean,
): void {
  const kernel = es === 8 ? rt.exports.gemm_f64 : rt.exports.gemm_f32;
  const op = es === 8 ? 0 : 1;
  const nr = panelWidth(es);
  const threads = kernelThreadCount();
  if (threads === 1 || m * n * kk < PARALLEL_MIN_FMA) {
    kernel(m, n, kk, alpha, pa, ars, acs, bl.ptr, bl.brs, bl.bps, pc, ldcB, workspace(rt, 0), packB ? PACK_B : 0);
    return;
  }
  workspace(rt, threads - 1);
  // Partition: part t of `threads` gets rows (or panels) [start(t), start(t + 1)).
  const byRows = m >= n;
  const units = byRows ? Math.ceil(m / 4) : Math.ceil(n / nr);
  const parts = Math.min(threads, units);
  const start = (t: number) => Math.floor((units * t) / parts);
  const job = (t: number) => {
    const u0 = start(t), u1 = start(t + 1);
    if (byRows) {
      const i0 = u0 * 4, i1 = Math.min(m, u1 * 4);
      jobArgs[0] = i1 - i0; jobArgs[1] = n; jobArgs[4] = pa + i0 * ars;
      jobArgs[7] = bl.ptr; jobArgs[10] = pc + i0 * ldcB;
    } else {
      const j0 = u0 * nr, j1 = Math.min(n, u1 * nr);
      jobArgs[0] = m; jobArgs[1] = j1 - j0; jobArgs[4] = pa;
      jobArgs[7] = bl.ptr + u0 * bl.bps; jobArgs[10] = pc + j0 * es;
    }
    jobArgs[2] = kk; jobArgs[3] = alpha; jobArgs[5] = ars; jobArgs[6] = acs;
    jobArgs[8] = bl.brs; jobArgs[9] = bl.bps; jobArgs[11] = ldcB; jobArgs[12] = workspaces[t]!;
    jobArgs[13] = packB ? PACK_B : 0;
  };
  for (let w = 0; w < threads - 1; w++) {
    const t = w + 1;
    if (t < parts) { job(t); setWorkerJob(w, op, jobArgs, 14); } else setWorkerJob(w, -1, jobArgs, 0);
  }
  job(0);
  runWorkers(() => kernel(jobArgs[0]!, jobArgs[1]!, jobArgs[2]!, jobArgs[3]!, jobArgs[4]!, jobArgs[5]!,
    jobArgs[6]!, jobArgs[7]!, jobArgs[8]!, jobArgs[9]!, jobArgs[10]!, jobArgs[11]!, jobArgs[12]!, jobArgs[13]!));
}

function scaleInPlace(c: Float, offC: number, ldc: number, m: number, n: number, beta: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const o = offC + i * ldc;
    if (beta === 0) c.fill(0, o, o + n);
    else for (let j = 0; j < n; j++) c[o + j] = beta * c[o + j]!;
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
  const h = es === 8 ? rt.f64 : rt.f32;
  const d = ptr / es;
  if (lda === cols) h.set(a.subarray(offA, offA + rows * cols), d);
  else for (let r = 0; r < rows; r++) h.set(a.subarray(offA + r * lda, offA + r * lda + cols), d + r * cols);
  out[0] = ptr;
  out[1] = (transA ? 1 : cols) * es; out[2] = (transA ? cols : 1) * es;
}

/** C <- beta C + alpha op(A) T where T is produced by `compute(pc, ldcBytes)` (+= into a zeroed or
 * pre-scaled buffer): handles C in the arena, outside it, and the float32 -> float64 case. */
export function withOutput(
  rt: WasmRuntime, es: number, m: number, n: number, alpha: number, beta: number,
  c: Float, offC: number, ldc: number, compute: (pc: number, ldcBytes: number, alpha: number) => void,
): void {
  const sameType = (es === 8) === (c instanceof Float64Array);
  if (sameType && inArena(c)) {
    scaleInPlace(c, offC, ldc, m, n, beta);
    compute(c.byteOffset + offC * es, ldc * es, alpha);
    return;
  }
  const ptr = reserve(scratchC, m * n * es);
  const h = es === 8 ? rt.f64 : rt.f32;
  const d = ptr / es;
  if (sameType) {
    for (let i = 0; i < m; i++) {
      const s = offC + i * ldc, t = d + i * n;
      if (beta === 0) h.fill(0, t, t + n);
      else for (let j = 0; j < n; j++) h[t + j] = beta * c[s + j]!;
    }
    compute(ptr, n * es, alpha);
    for (let i = 0; i < m; i++) c.set(h.subarray(d + i * n, d + (i + 1) * n), offC + i * ldc);
  } else {
    // float32 product accumulated into float64 C.
    h.fill(0, d, d + m * n);
    compute(ptr, n * es, 1);
    for (let i = 0; i < m; i++) {
      const o = offC + i * ldc, t = d + i * n;
      if (beta === 0) for (let j = 0; j < n; j++) c[o + j] = alpha * h[t + j]!;
      else for (let j = 0; j < n; j++) c[o + j] = beta * c[o + j]! + alpha * h[t + j]!;
    }
  }
}

const aDesc = new Float64Array(3);

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
  prepareA(rt, es, transA, m, kk, a, offA, lda, aDesc);
  let bl: PanelLayout;
  // A plain B in the arena is packed block by block inside the kernel when several row strips reuse it.
  const plainB = !transB && inArena(b);
  if (plainB) bl = { ptr: b.byteOffset + offB * es, brs: ldb * es, bps: panelWidth(es) * es };
  else bl = packPanels(rt, es, transB, kk, n, 1, b, offB, ldb, reserve(scratchB, packedBytes(es, kk, n)));
  // Reserving scratch may grow memory: re-read A's scratch address only after all reservations.
  const pa = aDesc[0]!, ars = aDesc[1]!, acs = aDesc[2]!;
  withOutput(rt, es, m, n, alpha, beta, c, offC, ldc, (pc, ldcB, al) => runKernel(rt, es, m, n, kk, al, pa, ars, acs, bl, pc, ldcB, plainB && m > 4));
  return true;
}
