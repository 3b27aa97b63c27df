/**
 * A thin operand packed once and reused for many products: the sketch hot path
 * Y_blk (b x k) = A_blk (b x n) * Omega (n x k), where Omega is fixed for the whole stream
 * (docs/KERNELS.md: "Pack Omega once into panels, k padded to a multiple of 8 (float32) or 4 (float64);
 * reuse it for every row block"). The panels live in the kernels' WebAssembly memory until
 * `freePanel`. Without wasm (bytes not built) the panel keeps a plain row-major copy and products
 * run on the TypeScript reference.
 */
import type { DType, Float } from '../matrix.js';
import { gemmTs } from './gemm-ts.js';
import {
  finishOutput, packedBytes, packPanels, prepareA, prepareOutput, reserveWorkspaces, runKernel, type PanelLayout,
} from './gemm-wasm.js';
import { arenaAlloc, arenaFree } from './wasm-arena.js';
import { wasmRuntime } from './wasm-runtime.js';

export interface PackedPanel {
  readonly dtype: DType;
  /** op(B) is (rows x cols): rows = contraction length, cols = output width. */
  readonly rows: number;
  readonly cols: number;
  /** @internal wasm layout, or null on the TypeScript fallback. */
  readonly layout: PanelLayout | null;
  /** @internal row-major copy (rows x cols) on the TypeScript fallback. */
  readonly copy: Float | null;
  freed: boolean;
}

/**
 * Pack op(B) (kk x n) (B stored n x kk when `transB`) in `dtype` (default: B's own) for repeated
 * `gemmPacked` calls. Cost: one pass over B.
 */
export function packPanel(
  transB: boolean, kk: number, n: number, b: Float, offB: number, ldb: number,
  dtype: DType = b instanceof Float32Array ? 'float32' : 'float64',
): PackedPanel {
  const rt = wasmRuntime();
  const es = dtype === 'float32' ? 4 : 8;
  if (rt === null) {
    const copy = es === 4 ? new Float32Array(kk * n) : new Float64Array(kk * n);
    for (let p = 0; p < kk; p++) for (let j = 0; j < n; j++) copy[p * n + j] = transB ? b[offB + j * ldb + p] : b[offB + p * ldb + j];
    return { dtype, rows: kk, cols: n, layout: null, copy, freed: false };
  }
  const ptr = arenaAlloc(Math.max(1, packedBytes(es, kk, n)));
  const layout: PanelLayout = { ptr: 0, brs: 0, bps: 0 };
  packPanels(rt, es, transB, kk, n, 1, b, offB, ldb, ptr, layout);
  return { dtype, rows: kk, cols: n, layout, copy: null, freed: false };
}

/** Release the panel's memory; using it afterwards throws. */
export function freePanel(panel: PackedPanel): void {
  if (panel.freed) return;
  panel.freed = true;
  if (panel.layout !== null) arenaFree(panel.layout.ptr);
}

const aDesc = new Float64Array(3);
const cDesc = new Float64Array(4);

/**
 * C (m x cols) <- alpha op(A) P + beta C with a packed P (rows x cols); op(A) is (m x rows), A
 * stored (rows x m) when `transA`. A must have the panel's dtype; C may be float64 for a float32
 * panel (float32 product accumulated into float64, the streaming case). Threads as `gemm`.
 */
export function gemmPacked(
  transA: boolean, m: number, alpha: number, a: Float, offA: number, lda: number,
  panel: PackedPanel, beta: number, c: Float, offC: number, ldc: number,
): void {
  if (panel.freed) throw new Error('gemmPacked: the panel was freed');
  const kk = panel.rows, n = panel.cols;
  const es = panel.dtype === 'float32' ? 4 : 8;
  if ((a instanceof Float32Array) !== (es === 4)) {
    throw new TypeError(`gemmPacked: A is ${a instanceof Float32Array ? 'float32' : 'float64'}, the panel ${panel.dtype}`);
  }
  const rt = wasmRuntime();
  if (panel.layout === null || rt === null) {
    gemmTs(transA, false, m, n, kk, alpha, a, offA, lda, panel.copy!, 0, n, beta, c, offC, ldc);
    return;
  }
  if (m === 0 || n === 0) return;
  const layout = panel.layout;
  reserveWorkspaces(rt);
  prepareA(rt, es, transA, m, kk, a, offA, lda, aDesc);
  prepareOutput(rt, es, m, n, alpha, beta, c, offC, ldc, cDesc);
  runKernel(rt, es, m, n, kk, cDesc[2], aDesc[0], aDesc[1], aDesc[2], layout, cDesc[0], cDesc[1], false);
  finishOutput(rt, es, m, n, alpha, beta, c, offC, ldc, cDesc);
}
