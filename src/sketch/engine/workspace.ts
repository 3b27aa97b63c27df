/**
 * The workspace of the linear sketch engine (absorb.ts): every buffer a chunk of rows passes
 * through, in ONE block laid out here, which both allocates it and counts its bytes (the layout
 * table the memory budget is checked against). The block lives in the kernels' WebAssembly memory
 * when the kernels are built, so no product copies its operands in or out (docs/KERNELS.md:
 * operands outside the arena cost a memory pass per call); otherwise in an ordinary ArrayBuffer,
 * where the same kernels run in TypeScript (src/kernels/ops.ts).
 *
 * The engine serves every linear method; a method is a shape [docs/METHODS.md §1, §2, §5]:
 *
 * | method       | kept maps (rows of A times) | streamed stack S1   | S2  | left accumulators | H = A^T Y |
 * |--------------|-----------------------------|---------------------|-----|-------------------|-----------|
 * | three-sketch | Omega (k), Psi (s)          | Upsilon (k), Theta  | Phi | [Phi; Theta][Y 1] | no        |
 * | two-sketch   | Omega (k)                   | Psi (l), Theta      | -   | [Psi; Theta][Y 1] | no        |
 * | rsvd         | Omega (k = l)               | Theta               | -   | Theta [Y 1]       | yes       |
 *
 * S1 always ends with a row of ones (so 1^T A, the column sums, comes out of the same product).
 * Element type T = the engine dtype (float32 products for float32 rows, float64 otherwise; all
 * sums are float64). Buffers (c = chunk rows, k1 = k + 1, cq1 = coDim + q + 1):
 *   a (c x n) T: the chunk;  ys (c x k1) f64: [Y 1];  y32 (c x k1) T: [Y 1] in T (float32 only)
 *   xs (cq1 x n), z (s x s), cr ((left + q) x k1) float32: the chunk's [X; S; 1^T A], Z and
 *     [L; Theta][Y 1] (float64 engines sum their products straight into acc)
 *   a64 (c x n) f64: the chunk widened, for H (float32 rsvd only)
 *   acc f64: the sums of one `updateRows` call, laid out as the record's sums (sums.ts)
 *   dense form: yt (c x (k + s)) T = A [Omega^T | Psi^T] from the packed panel;
 *     gmap (c x cq1) T: S1's rows; phi (c x s) T: Phi's rows
 *   sparse form: at (n x c) T = A^T; ytT (k x c), ttT (s x c) T; t (c x s) T;
 *     kept CSR lists of Omega and Psi; list1 (S1: coDim CSR lists, q dense lists, one list of
 *     ones) and list2 (Phi); thetaG (c x (q + 1)) T = [Theta^T 1], for the dense part of S1 by
 *     GEMM; the chunk's compressed items; sort cursors
 *   TSQR: R (k1 x k1) and its workspaces (src/linalg/tsqr.ts)
 */
import { packedBytes, packPanels, type PanelLayout } from '../../kernels/gemm-wasm.js';
import type { PackedPanel } from '../../kernels/packed-panel.js';
import { arenaAlloc, arenaFree } from '../../kernels/wasm-arena.js';
import { wasmRuntime } from '../../kernels/wasm-runtime.js';
import type { TsqrState } from '../../linalg/tsqr.js';
import type { Float } from '../../matrix.js';
import { keptCsrByRow, keptTransposedInto, type KeptMap } from '../../maps/kept-map.js';
import { testMatrixFamily, type TestMatrixName } from '../../maps/test-matrix.js';

export type EngineDType = 'float32' | 'float64';

/** What the engine computes; see the table above. */
export interface EngineShape {
  readonly dtype: EngineDType;
  readonly family: TestMatrixName;
  readonly n: number;
  readonly chunk: number;
  /** Range width (columns of Y). */
  readonly k: number;
  /** Core width s (three-sketch), else 0. */
  readonly s: number;
  /** Rows of S1's primary map (Upsilon k, Psi l), 0 for rsvd. */
  readonly coDim: number;
  /** Rows of the left map of the range accumulators before Theta: s (Phi), l (Psi) or 0. */
  readonly left: number;
  readonly q: number;
  /** rsvd: H += A^T Y. */
  readonly gram: boolean;
}

/** Float64 lengths of the TSQR workspaces for chunks of c rows (tsqr.ts's panel: nb <= 32). */
export function tsqrWorkspaceSizes(k1: number, c: number): { work: number; panel: number } {
  return { work: k1 * c, panel: 32 * k1 + 2 * 32 * 32 + k1 };
}

/** Length of the per-call float64 accumulator: [X; S; 1^T A], Z, [L; Theta][Y 1], H, the sum of squares (4). */
export function accLength(sh: EngineShape): number {
  const k1 = sh.k + 1;
  return (sh.coDim + sh.q + 1) * sh.n + sh.s * sh.s + (sh.left + sh.q) * k1 + (sh.gram ? sh.n * sh.k : 0) + 4;
}

export interface EngineLayout {
  /** Byte offsets inside the block (-1: not used by this shape). */
  readonly at: Record<string, number>;
  readonly bytes: number;
}

/** The layout of a shape: every buffer's offset (64-byte aligned) and the total bytes. */
export function engineLayout(sh: EngineShape): EngineLayout {
  const { n, chunk: c, k, s, coDim, left, q } = sh;
  const es = sh.dtype === 'float32' ? 4 : 8, k1 = k + 1, cq1 = coDim + q + 1;
  const fam = testMatrixFamily(sh.family), sparse = fam.form === 'sparse';
  const zk = fam.nnz(k), zs = fam.nnz(s), z1 = fam.nnz(coDim);
  const tw = tsqrWorkspaceSizes(k1, c);
  const at: Record<string, number> = {};
  let top = 0;
  const take = (name: string, bytes: number, used = true) => {
    if (!used) { at[name] = -1; return; }
    at[name] = top;
    top += Math.ceil(Math.max(bytes, 1) / 64) * 64;
  };
  take('a', es * c * n);
  take('ys', 8 * c * k1);
  take('y32', es * c * k1, es === 4);
  // float64 engines sum their products straight into acc.
  take('xs', es * cq1 * n, es === 4);
  take('z', es * s * s, s > 0 && es === 4);
  take('cr', es * (left + q) * k1, left + q > 0 && es === 4);
  take('a64', 8 * c * n, sh.gram && es === 4);
  take('acc', 8 * accLength(sh));
  // Kept side.
  take('panel', packedBytes(es, n, k + s), !sparse);
  take('yt', es * c * (k + s), !sparse);
  take('at', es * n * c, sparse);
  take('ytT', es * k * c, sparse);
  take('ttT', es * s * c, sparse && s > 0);
  take('t', es * c * s, sparse && s > 0);
  take('omegaPtr', 4 * (k + 1), sparse); take('omegaIdx', 4 * n * zk, sparse); take('omegaVal', es * n * zk, sparse);
  take('psiPtr', 4 * (s + 1), sparse && s > 0); take('psiIdx', 4 * n * zs, sparse && s > 0); take('psiVal', es * n * zs, sparse && s > 0);
  // Streamed side.
  take('gmap', es * c * cq1, !sparse);
  take('phi', es * c * s, !sparse && s > 0);
  take('l1Ptr', 4 * (cq1 + 1), sparse); take('l1Idx', 4 * c * (z1 + q + 1), sparse); take('l1Val', es * c * (z1 + q + 1), sparse);
  take('l2Ptr', 4 * (s + 1), sparse && s > 0); take('l2Idx', 4 * c * zs, sparse && s > 0); take('l2Val', es * c * zs, sparse && s > 0);
  take('uIdx', 4 * c * z1, sparse && coDim > 0); take('uVal', 8 * c * z1, sparse && coDim > 0);
  take('pIdx', 4 * c * zs, sparse && s > 0); take('pVal', 8 * c * zs, sparse && s > 0);
  take('thetaG', es * c * (q + 1), sparse);
  take('cursor', 4 * (Math.max(k, s, coDim) + q + 2));
  // TSQR of [Y 1].
  take('r', 8 * k1 * k1); take('tw', 8 * tw.work); take('tp', 8 * tw.panel);
  return { at, bytes: top };
}

/** CSR lists as views (entries indexed from the start of idx and val). */
export interface Csr { ptr: Int32Array; idx: Int32Array; val: Float }

export interface Workspace {
  readonly shape: EngineShape;
  readonly bytes: number;
  /** Arena address of the block, or -1 for an ordinary ArrayBuffer. */
  readonly base: number;
  freed: boolean;
  readonly a: Float; readonly ys: Float64Array; readonly y: Float; readonly xs: Float; readonly z: Float; readonly cr: Float;
  readonly a64: Float64Array; readonly acc: Float64Array;
  readonly panel: PackedPanel | null; readonly yt: Float;
  readonly at: Float; readonly ytT: Float; readonly ttT: Float; readonly t: Float;
  readonly omega: Csr; readonly psi: Csr; readonly list1: Csr; readonly list2: Csr;
  readonly gmap: Float; readonly phi: Float;
  readonly uIdx: Int32Array; readonly uVal: Float64Array; readonly pIdx: Int32Array; readonly pVal: Float64Array;
  /** Sparse form: the chunk's rows of [Theta^T 1] (c x (q + 1), T) for the GEMM S, 1^T A += [Theta; 1^T] A. */
  readonly thetaG: Float; readonly cursor: Int32Array;
  readonly tsqr: TsqrState;
  /** The chunk's [Y 1] as a block for `tsqrUpdate` (rows set per chunk). */
  readonly yBlock: { rows: number; cols: number; data: Float64Array; offset: number; stride: number };
  /** The chunk height for which list1's dense lists hold their row indices (0: none yet). */
  listRows: number;
  /** Blue's accumulators of one chunk and of one call's chunks (linear.ts, loadAllChunks). */
  readonly ssChunk: Float64Array;
  readonly ssCall: Float64Array;
}

const registry = new FinalizationRegistry<number>((base) => arenaFree(base));

/**
 * Allocate the workspace of a shape and build its kept side from the kept maps (Omega and, for the
 * three-sketch, Psi): the packed panel [Omega^T | Psi^T] (dense form) or their CSR lists by output
 * row (sparse form). `owner` is the object whose collection frees the block (the record).
 */
export function createWorkspace(sh: EngineShape, omega: KeptMap, psi: KeptMap | null, owner: object): Workspace {
  const lay = engineLayout(sh), o = lay.at;
  const rt = wasmRuntime();
  const base = rt !== null ? arenaAlloc(lay.bytes) : -1;
  const buf: ArrayBufferLike = rt !== null ? rt.memory.buffer : new ArrayBuffer(lay.bytes);
  const off = base < 0 ? 0 : base;
  const f32 = sh.dtype === 'float32';
  const view = (name: string, len: number): Float => {
    if (o[name] < 0) return f32 ? new Float32Array(0) : new Float64Array(0);
    return f32 ? new Float32Array(buf, off + o[name], len) : new Float64Array(buf, off + o[name], len);
  };
  const v64 = (name: string, len: number) => (o[name] < 0 ? new Float64Array(0) : new Float64Array(buf, off + o[name], len));
  const i32 = (name: string, len: number) => (o[name] < 0 ? new Int32Array(0) : new Int32Array(buf, off + o[name], len));
  const { n, chunk: c, k, s, coDim, left, q } = sh;
  const k1 = k + 1, cq1 = coDim + q + 1;
  const fam = testMatrixFamily(sh.family);
  const zk = fam.nnz(k), zs = fam.nnz(s), z1 = fam.nnz(coDim);
  const tw = tsqrWorkspaceSizes(k1, c);
  const ys = v64('ys', c * k1);
  const ws: Workspace = {
    shape: sh, bytes: lay.bytes, base, freed: false,
    a: view('a', c * n), ys, y: f32 ? view('y32', c * k1) : ys, xs: view('xs', cq1 * n), z: view('z', s * s),
    cr: view('cr', (left + q) * k1), a64: v64('a64', c * n), acc: v64('acc', accLength(sh)),
    panel: null, yt: view('yt', c * (k + s)),
    at: view('at', n * c), ytT: view('ytT', k * c), ttT: view('ttT', s * c), t: view('t', c * s),
    omega: { ptr: i32('omegaPtr', k + 1), idx: i32('omegaIdx', n * zk), val: view('omegaVal', n * zk) },
    psi: { ptr: i32('psiPtr', s + 1), idx: i32('psiIdx', n * zs), val: view('psiVal', n * zs) },
    list1: { ptr: i32('l1Ptr', cq1 + 1), idx: i32('l1Idx', c * (z1 + q + 1)), val: view('l1Val', c * (z1 + q + 1)) },
    list2: { ptr: i32('l2Ptr', s + 1), idx: i32('l2Idx', c * zs), val: view('l2Val', c * zs) },
    gmap: view('gmap', c * cq1), phi: view('phi', c * s),
    uIdx: i32('uIdx', c * z1), uVal: v64('uVal', c * z1), pIdx: i32('pIdx', c * zs), pVal: v64('pVal', c * zs),
    thetaG: view('thetaG', c * (q + 1)), cursor: i32('cursor', Math.max(k, s, coDim) + q + 2),
    tsqr: { k: k1, r: { rows: k1, cols: k1, data: v64('r', k1 * k1), offset: 0, stride: k1 }, rows: 0, work: v64('tw', tw.work), panel: v64('tp', tw.panel) },
    yBlock: { rows: 0, cols: k1, data: ys, offset: 0, stride: k1 },
    listRows: 0,
    ssChunk: new Float64Array(3), ssCall: new Float64Array(3),
  };
  // Arena memory may be reused: clear what is summed into, and write the constant columns of ones.
  ws.acc.fill(0);
  for (let t = 0; t < c; t++) ys[t * k1 + k] = 1;
  if (f32) for (let t = 0; t < c; t++) ws.y[t * k1 + k] = 1;
  if (fam.form === 'dense') for (let t = 0; t < c; t++) ws.gmap[t * cq1 + cq1 - 1] = 1;
  else for (let t = 0; t < c; t++) ws.thetaG[t * (q + 1) + q] = 1;
  // Kept side.
  if (fam.form === 'dense') {
    const w = k + s, both = new Float64Array(n * w);
    keptTransposedInto(omega, both, w, 0);
    if (psi) keptTransposedInto(psi, both, w, k);
    (ws as { panel: PackedPanel }).panel = packInto(rt !== null ? off + o.panel! : -1, f32 ? 4 : 8, n, w, both);
  } else {
    keptCsrByRow(omega, ws.omega.ptr, ws.omega.idx, ws.omega.val, ws.cursor);
    if (psi) keptCsrByRow(psi, ws.psi.ptr, ws.psi.idx, ws.psi.val, ws.cursor);
  }
  if (base >= 0) registry.register(owner, base, ws);
  return ws;
}

/** Pack [Omega^T | Psi^T] (n x w, float64) as a panel of element size es at byte address `ptr` (-1: no kernels). */
function packInto(ptr: number, es: number, n: number, w: number, both: Float64Array): PackedPanel {
  const dtype = es === 4 ? 'float32' : 'float64';
  const rt = wasmRuntime();
  if (ptr < 0 || rt === null) {
    const copy = es === 4 ? Float32Array.from(both) : both;
    return { dtype, rows: n, cols: w, layout: null, copy, freed: false };
  }
  const layout: PanelLayout = { ptr: 0, brs: 0, bps: 0 };
  packPanels(rt, es, false, n, w, 1, es === 4 ? Float32Array.from(both) : both, 0, w, ptr, layout);
  return { dtype, rows: n, cols: w, layout, copy: null, freed: false };
}

/** Release the block now rather than at garbage collection (idempotent). */
export function freeWorkspace(ws: Workspace): void {
  if (ws.freed) return;
  ws.freed = true;
  if (ws.panel) ws.panel.freed = true;
  if (ws.base >= 0) { registry.unregister(ws); arenaFree(ws.base); }
}
