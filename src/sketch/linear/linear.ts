/**
 * What the linear methods (three-sketch, two-sketch, rsvd) share: the record's allocation from its
 * layout (one float64 buffer of additive sums with named segments, the range side, the kept map
 * Omega and the engine workspace), the row update loop over chunks, the spill of [Y 1], and the
 * merge of the TSQR factors [docs/METHODS.md §6].
 */
import { ArgumentError, NonFiniteError } from '../../errors.js';
import { maxMagnitude } from '../../kernels/find-non-finite.js';
import { checkBlockMagnitude, magnitudeExponent } from '../magnitude.js';
import { copyRows, sumSquares, widen } from '../../kernels/ops.js';
import { createTsqr, tsqrMerge, type TsqrState } from '../../linalg/tsqr.js';
import type { Float, Matrix } from '../../matrix.js';
import { keptMap, keptMapBytes, type KeptMap } from '../../maps/kept-map.js';
import { absorbChunk, accOffsets, tsqrChunk } from '../engine/absorb.js';
import { createWorkspace, engineLayout, freeWorkspace, type EngineShape, type Workspace } from '../engine/workspace.js';
import { addInterval } from '../intervals.js';
import type { LayoutEntry, SketchParams } from '../method.js';
import type { LinearState, RangeSpill } from '../types.js';

/** Named segments of the sums buffer, in order. The first ones mirror the engine's accumulator. */
export type Segments = readonly (readonly [string, number])[];

/** The engine shape of a linear record. */
export function engineShape(p: SketchParams): EngineShape {
  const { k, s, l, q, chunk } = p.sizes, n = p.cols;
  const base = { dtype: p.dtype, family: p.testMatrix, n, chunk, k, q };
  switch (p.method) {
    case 'three-sketch': return { ...base, s, coDim: k, left: s, gram: false };
    case 'two-sketch': return { ...base, s: 0, coDim: l, left: l, gram: false };
    case 'rsvd': return { ...base, s: 0, coDim: 0, left: 0, gram: true };
    default: throw new ArgumentError(`engineShape: ${p.method} is not a linear method`);
  }
}

/**
 * The sums' segments: [X; S; 1^T A], Z, [L; Theta][Y 1], H, the sum of squares (the engine's
 * accumulator, in its order), then `extra`.
 */
export function linearSegments(p: SketchParams, extra: Segments = []): Segments {
  const sh = engineShape(p), n = p.cols, k1 = sh.k + 1;
  return [
    ['coRange', sh.coDim * n], ['errorSketch', sh.q * n], ['colSums', n], ['core', sh.s * sh.s],
    ['coreRange', sh.left * k1], ['errorRange', sh.q * k1], ['gram', sh.gram ? n * sh.k : 0], ['sumSquares', 4], ...extra,
  ];
}

/** Layout table of a linear record: sums, R, kept maps, engine workspace. */
export function linearLayout(p: SketchParams, segs: Segments, psiDim: number): LayoutEntry[] {
  const sh = engineShape(p), k1 = sh.k + 1;
  const entries: LayoutEntry[] = [
    { name: 'sums', bytes: 8 * segs.reduce((t, [, len]) => t + len, 0) },
    { name: 'rangeR', bytes: 8 * k1 * k1 },
    { name: 'omega', bytes: keptMapBytes(p.testMatrix, sh.k, p.cols) },
    { name: 'engine', bytes: engineLayout(sh).bytes },
  ];
  if (psiDim > 0) entries.push({ name: 'psi', bytes: keptMapBytes(p.testMatrix, psiDim, p.cols) });
  return entries;
}

/** Allocate the sums buffer and its named views. */
export function allocSums(segs: Segments): { sums: Float64Array; views: Record<string, Float64Array> } {
  const total = segs.reduce((t, [, len]) => t + len, 0);
  const sums = new Float64Array(total), views: Record<string, Float64Array> = {};
  let o = 0;
  for (const [name, len] of segs) { views[name] = sums.subarray(o, o + len); o += len; }
  return { sums, views };
}

/** The header and range side of a fresh linear record (the method adds its own views). */
export function createLinear(p: SketchParams, spill: RangeSpill | undefined, segs: Segments, owner: object, psi: KeptMap | null) {
  const sh = engineShape(p), k1 = sh.k + 1;
  const { sums, views } = allocSums(segs);
  const omega = keptMap(p.testMatrix, p.seed, 'omega', sh.k, p.cols);
  return {
    ...p, rows: 0, rowsSeen: 0, covered: [] as number[], sums, views,
    errorSketch: views.errorSketch!, colSums: views.colSums!, errorRange: views.errorRange!, sumSquares: views.sumSquares!,
    rangeR: new Float64Array(k1 * k1), rangeScale: 1, rangeRValid: true,
    spill, spillCovered: [] as number[], omega,
    engine: createWorkspace(sh, omega, psi, owner) as Workspace | null,
  };
}

/** The engine of a record, or an error if it was disposed. */
function engineOf(st: LinearState): Workspace {
  if (st.engine === null || st.engine.freed) {
    throw new ArgumentError('this sketch was disposed (disposeSketch): it can be read, merged and reconstructed, not updated');
  }
  return st.engine;
}

/**
 * Absorb a validated block (b x n, float32 or float64, any stride) chunk by chunk: each chunk is
 * copied (or converted) into the workspace and checked for NaN/Inf there, all before any state
 * changes (the first chunk last, so that it is in place for the first absorb); then every chunk is
 * absorbed, its [Y 1] spilled and folded into the TSQR factor, and the call's sums added once.
 */
export function updateLinearRows(st: LinearState, block: Matrix, rowStart: number, overlaps: boolean): void {
  const ws = engineOf(st), c = ws.shape.chunk, b = block.rows;
  const firstInPlace = loadAllChunks(st, ws, block, rowStart);
  if (overlaps) st.rangeRValid = false;
  const ones = st.method === 'three-sketch' ? st.coRangeOnes : null;
  const purpose = st.method === 'two-sketch' ? 'psi' : 'upsilon';
  ws.tsqr.r.data.set(st.rangeR);
  try {
    for (let t0 = 0; t0 < b; t0 += c) {
      const cb = Math.min(c, b - t0);
      if (t0 > 0 || !firstInPlace) loadChunk(ws, block, t0, cb);
      absorbChunk(ws, st.seed, purpose, cb, rowStart + t0, ones);
      spillRows(st, rowStart + t0, cb, ws.ys, 0);
      tsqrChunk(ws, cb);
    }
  } finally {
    // Also when a spill throws: the chunks absorbed so far count.
    flush(st, ws);
  }
}

/** Add the call's accumulated sums into the record, clear them, and copy R back. */
function flush(st: LinearState, ws: Workspace): void {
  st.rangeR.set(ws.tsqr.r.data);
  const end = accOffsets(ws).end, acc = ws.acc, sums = st.sums;
  for (let x = 0; x < end; x++) sums[x] += acc[x];
  acc.fill(0, 0, end);
}

/** Rows [t0, t0 + cb) of the block into the workspace's chunk buffer `a` (converted to its dtype). */
function loadChunk(ws: Workspace, block: Matrix, t0: number, cb: number): void {
  const { data, offset, stride, cols: n } = block;
  const so = offset + t0 * stride;
  if ((data instanceof Float32Array) === (ws.a instanceof Float32Array)) copyRows(cb, n, data, so, stride, ws.a, 0, n);
  else if (ws.a instanceof Float64Array) widen(cb, n, data, so, stride, 1, ws.a, 0, n);
  else for (let t = 0; t < cb; t++) for (let j = 0; j < n; j++) ws.a[t * n + j] = data[so + t * stride + j];
}

/**
 * Load every chunk (the first last, left in place) and check it; on a NaN or infinity, name it
 * from the block itself. The check is the sum of squares of the chunk's values (finite exactly
 * when they all are), so ||A||_F comes with it: added to the call's accumulator once every chunk
 * passed. A block whose squares reach the method's ceiling is scanned for its largest |value| and
 * refused above it (magnitude.ts). Returns whether the first chunk is in place.
 */
function loadAllChunks(st: LinearState, ws: Workspace, block: Matrix, rowStart: number): boolean {
  const c = ws.shape.chunk, n = block.cols, b = block.rows;
  const one = ws.ssChunk, all = ws.ssCall;
  all.fill(0);
  for (let u = c; u < b + c; u += c) {
    const t0 = u < b ? u : 0, cb = Math.min(c, b - t0);
    loadChunk(ws, block, t0, cb);
    one.fill(0);
    sumSquares(cb * n, ws.a, 0, one);
    if (!Number.isFinite(one[0] + one[1] + one[2])) throw nonFiniteError(block, rowStart, t0, cb, ws.a);
    all[0] += one[0]; all[1] += one[1]; all[2] += one[2];
  }
  // Any |value| above 2^e puts its square above 2^2e in the medium sum, or in the big one (Blue's
  // split is at 2^486); only then is the block scanned for the exact largest value.
  const e = magnitudeExponent(st.method, st.dtype);
  if (all[2] > 0 || all[1] >= 2 ** (2 * e)) {
    let big = 0;
    for (let t = 0; t < b; t++) big = Math.max(big, maxMagnitude(block.data, block.offset + t * block.stride, n));
    checkBlockMagnitude(st.method, st.dtype, big, `rows ${rowStart}..${rowStart + b - 1}`);
  }
  const o = accOffsets(ws).ss, acc = ws.acc;
  acc[o] += all[0]; acc[o + 1] += all[1]; acc[o + 2] += all[2];
  return true;
}

/** The error for a chunk whose converted values are not all finite: the first bad input value. */
function nonFiniteError(block: Matrix, rowStart: number, t0: number, cb: number, a: Float): Error {
  const { data, offset, stride, cols: n } = block;
  for (let t = t0; t < t0 + cb; t++) {
    for (let j = 0; j < n; j++) {
      const x = data[offset + t * stride + j];
      if (!Number.isFinite(x)) return new NonFiniteError(`row ${rowStart + t}: value at column ${j} is ${x}`);
      if (!Number.isFinite(a[(t - t0) * n + j])) {
        return new ArgumentError(`row ${rowStart + t}: value at column ${j} is ${x}, outside the float32 range of this sketch (dtype 'float32'); use dtype 'float64'`);
      }
    }
  }
  return new NonFiniteError(`rows ${rowStart + t0}..${rowStart + t0 + cb - 1}: a value is not finite`);
}

/** Send b rows of [Y 1] (stride k + 1, at y0 in `ys`) to the spill, scaled so that Y = rangeScale * sum of the written rows. */
export function spillRows(st: LinearState, i0: number, b: number, ys: Float64Array, y0: number): void {
  if (!st.spill) return;
  const k = st.sizes.k, k1 = k + 1, sc = st.rangeScale;
  if (sc !== 1) for (let t = 0; t < b; t++) for (let c = 0; c < k; c++) ys[y0 + t * k1 + c] /= sc;
  st.spill.write(i0, { rows: b, cols: k, data: ys, offset: y0, stride: k1 });
  if (sc !== 1) for (let t = 0; t < b; t++) for (let c = 0; c < k; c++) ys[y0 + t * k1 + c] *= sc;
  addInterval(st.spillCovered, i0, i0 + b, false);
}

/** TSQR factor of the stacked rows of two shards (diag(R) >= 0 kept). */
export function mergeR(out: LinearState, a: LinearState, b: LinearState): void {
  const k1 = a.sizes.k + 1;
  const ta: TsqrState = createTsqr(k1), tb: TsqrState = createTsqr(k1);
  ta.r.data.set(a.rangeR); tb.r.data.set(b.rangeR);
  out.rangeR.set(tsqrMerge(ta, tb).r.data);
}

export function disposeLinear(st: LinearState): void {
  if (st.engine) freeWorkspace(st.engine);
  st.engine = null;
}
