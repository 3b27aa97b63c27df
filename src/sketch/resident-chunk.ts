/**
 * The resident workspace of the float32 three-sketch chunk path (absorb-resident.ts): every buffer
 * a chunk of rows passes through, kept in the kernels' WebAssembly memory for the life of the
 * sketch so that no product copies its operands in or out (KERNELS.md: operands outside the arena
 * cost a memory pass per call), plus the kept sparse-sign maps Omega and Psi as CSR lists "for each
 * output c, the (j, value) pairs of row c of Omega (Psi)" [ALGORITHMS.md §3], built once.
 *
 * Notation as in types.ts; c = sizes.chunk, k1 = k + 1, all matrices row-major:
 *   a   (c x n) f32   the chunk of A (rows copied in once)
 *   xs  ((k + q + 1) x n) f32   per-chunk [X; S; 1^T A] increments
 *   z   (s x s) f32   per-chunk Z increment
 *   ys  (c x k1) f64  [Y 1] of the chunk (float64: it feeds the TSQR and the spill)
 *   y32 (c x k1) f32  [Y 1]; cr ((s + q) x k1) f32   per-chunk [Phi; Theta] [Y 1] increments
 *   acc f64: [X; S; 1^T A], Z and [Phi; Theta] [Y 1] increments summed over the
 *       chunks of one `updateRows` call, added to the sketch at its end (`flushResident`)
 *   r, tsqr work and panel (f64): the TSQR state (tsqr.ts), R copied in and out once per call
 * sparse-sign only:
 *   at  (n x c) f32   A^T; yt (k x c), tt (s x c) f32: Y^T = Omega A^T, T^T = Psi A^T; t (c x s) f32 = T
 *   omega / psi lists (kept); list1: Upsilon, Theta and ones lists over the chunk rows (k + q + 1
 *   outputs); list2: Phi lists (s outputs)
 * gaussian only:
 *   yt (c x (k + s)) f32  [Y | T] from the packed panel; gmap (c x (k + q + 1)) f32
 *   [Upsilon | Theta | 1] rows; phi (c x s) f32 Phi rows
 * sparse-sign scratch: the chunk's compressed Upsilon and Phi items, Theta rows, sort cursors
 * Allocated lazily by the first float32 block (float64 blocks never need it); under a memory
 * budget only when it fits beside the sketch (`createSketch`); freed by `disposeSketch` or when the
 * workspace is garbage collected. Byte layout: resident-layout.ts.
 */
import { arenaAlloc, arenaFree } from '../kernels/wasm-arena.js';
import { wasmRuntime } from '../kernels/wasm-runtime.js';
import type { TsqrState } from '../linalg/tsqr.js';
import { sparseSignZeta } from '../random/test-matrix.js';
import { residentLayout } from './resident-layout.js';
import { tsqrWorkspaceSizes } from './sketch-sizes.js';
import type { SketchState } from './types.js';

export interface CsrLists { ptr: number; idx: number; val: number; ptrV: Int32Array; idxV: Int32Array; valV: Float32Array }

export interface ResidentChunk {
  /** Byte address and size of the single arena block holding every buffer below. */
  readonly base: number;
  readonly bytes: number;
  /** Rows per chunk (sizes.chunk). */
  readonly chunk: number;
  freed: boolean;
  /** Byte addresses. */
  readonly a: number; readonly at: number; readonly yt: number; readonly tt: number; readonly t: number;
  readonly xs: number; readonly z: number; readonly ys: number; readonly cr: number; readonly y32: number;
  readonly gmap32: number; readonly phi32: number;
  readonly omega: CsrLists; readonly psi: CsrLists; readonly list1: CsrLists; readonly list2: CsrLists;
  /** The chunk height for which list1's dense lists (Theta, ones) hold their row indices (0: none yet). */
  listRows: number;
  /** Views. */
  readonly aV: Float32Array; readonly ytV: Float32Array; readonly xsV: Float32Array; readonly zV: Float32Array;
  readonly ysV: Float64Array; readonly crV: Float32Array; readonly y32V: Float32Array;
  /** Float64 accumulators [xs | z | cr] of the current call (address and view), zero between calls. */
  readonly acc: number; readonly accV: Float64Array;
  readonly gmap32V: Float32Array; readonly phi32V: Float32Array;
  /**
   * Sparse-sign scratch (views and byte addresses): the chunk's compressed Upsilon and Phi items,
   * Theta rows (c x q) in float64 and float32, counting-sort cursors.
   */
  readonly uIdx: Int32Array; readonly uVal: Float64Array; readonly pIdx: Int32Array; readonly pVal: Float64Array;
  readonly theta: Float64Array; readonly cursor: Int32Array;
  readonly items: { uIdx: number; uVal: number; pIdx: number; pVal: number; theta: number; theta32: number; cursor: number };
  /** TSQR state over resident copies of R and of its workspaces (the reflectors then run in WebAssembly). */
  readonly tsqr: TsqrState;
  /** The chunk's [Y 1] as a block for `tsqrUpdate` (rows set per chunk). */
  readonly yBlock: { rows: number; cols: number; data: Float64Array; offset: number; stride: number };
}

/** Frees a resident chunk once its workspace is garbage collected. */
const registry = new FinalizationRegistry<ResidentChunk>((rc) => freeResidentChunk(rc));

/** Allocate the resident workspace of `state` (three-sketch, WebAssembly kernels available). */
export function createResidentChunk(state: SketchState): ResidentChunk {
  const rt = wasmRuntime();
  if (rt === null) throw new Error('resident chunk: WebAssembly kernels unavailable');
  const { k, s, q, chunk: c } = state.sizes;
  const n = state.cols, k1 = k + 1, sparse = state.testMatrix === 'sparse-sign';
  const zk = sparseSignZeta(k), zs = sparseSignZeta(s);
  const tw = tsqrWorkspaceSizes(k1, c);
  const o = residentLayout(sparse, n, k, s, q, c, tw);
  const bytes = o.bytes;
  const base = arenaAlloc(bytes);
  const buf = rt.memory.buffer;
  const f32 = (at: number, len: number) => new Float32Array(buf, base + at, len);
  const f64 = (at: number, len: number) => new Float64Array(buf, base + at, len);
  const i32 = (at: number, len: number) => new Int32Array(buf, base + at, len);
  const lists = (x: number[], outs: number, len: number): CsrLists => ({
    ptr: base + x[0]!, idx: base + x[1]!, val: base + x[2]!,
    ptrV: sparse ? i32(x[0]!, outs + 1) : new Int32Array(0), idxV: sparse ? i32(x[1]!, len) : new Int32Array(0),
    valV: sparse ? f32(x[2]!, len) : new Float32Array(0),
  });
  const rc: ResidentChunk = {
    base, bytes, chunk: c, freed: false,
    a: base + o.a, at: base + o.at, yt: base + o.yt, tt: base + o.tt, t: base + o.t, xs: base + o.xs, z: base + o.z,
    ys: base + o.ys, cr: base + o.cr, gmap32: base + o.gmap32, phi32: base + o.phi32,
    omega: lists(o.omega, k, n * zk), psi: lists(o.psi, s, n * zs),
    list1: lists(o.list1, k + q + 1, c * (zk + q + 1)), list2: lists(o.list2, s, c * zs), listRows: 0,
    aV: f32(o.a, c * n), ytV: f32(o.yt, c * (sparse ? k : k + s)), xsV: f32(o.xs, (k + q + 1) * n), zV: f32(o.z, s * s),
    ysV: f64(o.ys, c * k1), acc: base + o.acc, accV: f64(o.acc, (k + q + 1) * n + s * s + (s + q) * k1), crV: f32(o.cr, (s + q) * k1), y32: base + o.y32, y32V: f32(o.y32, c * k1),
    gmap32V: sparse ? new Float32Array(0) : f32(o.gmap32, c * (k + q + 1)),
    phi32V: sparse ? new Float32Array(0) : f32(o.phi32, c * s),
    uIdx: i32(o.uIdx, sparse ? c * zk : 0), uVal: f64(o.uVal, sparse ? c * zk : 0),
    pIdx: i32(o.pIdx, sparse ? c * zs : 0), pVal: f64(o.pVal, sparse ? c * zs : 0),
    theta: f64(o.theta, sparse ? c * q : 0), cursor: i32(o.cursor, Math.max(k, s) + q + 2),
    items: {
      uIdx: base + o.uIdx, uVal: base + o.uVal, pIdx: base + o.pIdx, pVal: base + o.pVal,
      theta: base + o.theta, theta32: base + o.theta32, cursor: base + o.cursor,
    },
    yBlock: { rows: 0, cols: k1, data: f64(o.ys, c * k1), offset: 0, stride: k1 },
    tsqr: {
      k: k1, r: { rows: k1, cols: k1, data: f64(o.r, k1 * k1), offset: 0, stride: k1 }, rows: 0,
      work: f64(o.tw, tw.work), panel: f64(o.tp, tw.panel),
    },
  };
  rc.accV.fill(0); // arena memory may be reused
  // The ones column of [Y 1] and of [Upsilon | Theta | 1] never changes: written once.
  for (let t = 0; t < c; t++) rc.ysV[t * k1 + k] = 1;
  for (let t = 0; t < c; t++) rc.y32V[t * k1 + k] = 1;
  if (!sparse) for (let t = 0; t < c; t++) rc.gmap32V[t * (k + q + 1) + k + q] = 1;
  if (sparse) {
    kept(state.maps.omegaIdx, state.maps.omegaVal, n, zk, k, rc.omega, rc.cursor);
    kept(state.maps.psiIdx, state.maps.psiVal, n, zs, s, rc.psi, rc.cursor);
  }
  registry.register(state.work, rc, rc);
  return rc;
}

/**
 * CSR lists of a kept sparse map from its compressed columns (column j: z indices in [0, dim) and
 * values): list c holds (j, value) for every column j with a nonzero in row c, j increasing.
 */
function kept(idx: Int32Array, val: Float64Array, n: number, z: number, dim: number, out: CsrLists, cursor: Int32Array): void {
  const ptr = out.ptrV;
  ptr.fill(0);
  for (let p = 0; p < n * z; p++) ptr[idx[p]! + 1]++;
  for (let c = 0; c < dim; c++) { ptr[c + 1] += ptr[c]!; cursor[c] = ptr[c]!; }
  for (let j = 0; j < n; j++) {
    for (let p = 0; p < z; p++) {
      const at = cursor[idx[j * z + p]!]!++;
      out.idxV[at] = j; out.valV[at] = val[j * z + p]!;
    }
  }
}

/** Release the arena block (idempotent). */
export function freeResidentChunk(rc: ResidentChunk): void {
  if (rc.freed) return;
  rc.freed = true;
  registry.unregister(rc);
  arenaFree(rc.base);
}
