/**
 * Seeded random test matrices whose vector for item `i` is a function of `(seed, purpose, i)` alone
 * [docs/METHODS.md §0]: memory does not grow with the streamed axis, items may arrive in any order or
 * shard, and sketches built with the same seed merge by addition.
 *
 * Layout: a "map" over an axis of length `items` with embedding dimension `dim` is generated item by
 * item; `fillItems` writes the vectors of items [i0, i0 + count) as the rows of a (count x dim)
 * row-major block. For a row stream of A (m x n), the range map Omega (n x k) is generated once and
 * kept; co-range/core/error maps (Psi, Phi, Upsilon, Theta: dim x m) are regenerated per row.
 *
 * Generator: seedrandom's xor128 (ten times faster than its default ARC4). Seeding costs about a
 * microsecond, so items are generated in aligned groups of GROUP: group g = floor(i / GROUP) is
 * seeded from `${seed}:${purpose}:${g}`, and every item consumes a fixed number of draws, so item i
 * is still determined by (seed, purpose, i) alone (its group is skipped into, never re-ordered).
 *
 * Families [TYUC19 §3.3; docs/METHODS.md §3]:
 * - gaussian: i.i.d. N(0, 1) by Box-Muller (ceil(dim/2) pairs per item) with our own ln, cos and sin
 *   (`box-muller.ts`: IEEE basic operations only, so the values are the same on every engine);
 * - rademacher: i.i.d. +-1;
 * - sparse-sign: zeta = min(dim, 8) entries +-sqrt(dim/zeta) in distinct positions (Floyd's sample,
 *   exactly zeta draws) and zeros elsewhere. The scale gives entries unit variance like the Gaussian.
 */
import seedrandom from 'seedrandom';
import type { Matrix64 } from '../matrix.js';
import { inArena } from '../kernels/wasm-arena.js';
import { wasmRuntime } from '../kernels/wasm-runtime.js';
import { boxMuller } from './box-muller.js';

export type TestMatrixFamily = 'gaussian' | 'rademacher' | 'sparse-sign';
export const TEST_MATRIX_FAMILIES: readonly TestMatrixFamily[] = ['gaussian', 'rademacher', 'sparse-sign'];

export const GROUP = 64;
const INV_2_32 = 1 / 4294967296;

type Prng = { int32(): number; (): number };

/** Nonzeros per item vector of a sparse-sign map of dimension `dim`. */
export function sparseSignZeta(dim: number): number {
  return Math.min(dim, 8);
}

function drawsPerItem(family: TestMatrixFamily, dim: number): number {
  switch (family) {
    case 'gaussian': return 2 * Math.ceil(dim / 2);
    case 'rademacher': return Math.ceil(dim / 32);
    case 'sparse-sign': return sparseSignZeta(dim) + 1;
  }
}

function groupRng(seed: number, purpose: string, group: number): Prng {
  return seedrandom.xor128(`${seed >>> 0}:${purpose}:${group}`) as unknown as Prng;
}

/**
 * Dense vectors of items [i0, i0 + count) as rows of `out` (row t at `off + t * ld`, `dim` values).
 * Sparse-sign vectors are written densely (zeros included); see `fillSparseSignItems` for the
 * compressed form used on hot paths.
 */
export function fillItems(
  family: TestMatrixFamily, seed: number, purpose: string, dim: number,
  i0: number, count: number, out: Float64Array | Float32Array, off = 0, ld = dim,
): void {
  if (family === 'gaussian') { fillGaussianItems(seed, purpose, dim, i0, count, out, off, ld); return; }
  if (family === 'sparse-sign') { fillSparseSignDense(seed, purpose, dim, i0, count, out, off, ld); return; }
  forEachItem(family, seed, purpose, dim, i0, count, (rng, t) => {
    const o = off + t * ld;
    for (let w = 0; w * 32 < dim; w++) {
      const bits = rng.int32();
      const end = Math.min(32, dim - w * 32);
      for (let b = 0; b < end; b++) out[o + w * 32 + b] = (bits >>> b) & 1 ? 1 : -1;
    }
  });
}

/** Scratch of `fillSparseSignDense`: the compressed vectors of up to GROUP items (zeta <= 8). */
const denseIdx = new Int32Array(GROUP * 8);
const denseVal = new Float64Array(GROUP * 8);

/**
 * The sparse-sign case of `fillItems`: the compressed vectors of `fillSparseSignItems` (the one
 * generator of the family), GROUP items at a time, scattered into zeroed dense rows.
 */
function fillSparseSignDense(
  seed: number, purpose: string, dim: number, i0: number, count: number,
  out: Float64Array | Float32Array, off: number, ld: number,
): void {
  const zeta = sparseSignZeta(dim);
  for (let t0 = 0; t0 < count; t0 += GROUP) {
    const c = Math.min(GROUP, count - t0);
    fillSparseSignItems(seed, purpose, dim, i0 + t0, c, denseIdx, denseVal);
    for (let t = 0; t < c; t++) {
      const o = off + (t0 + t) * ld;
      out.fill(0, o, o + dim);
      for (let p = 0; p < zeta; p++) out[o + denseIdx[t * zeta + p]!] = denseVal[t * zeta + p]!;
    }
  }
}

/**
 * The Gaussian case of `fillItems`, bit for bit the same values as seedrandom's xor128 driven
 * through `forEachItem` (same seeding string, same draws) into `boxMuller`, but with the generator
 * state in locals and the seeding string mixed in without building it. The per-call generator
 * objects and closure calls made the streamed maps (Upsilon, Phi, Theta: k + s + q normals per
 * row) 13% of `updateRows` at rank 10 and 15% at rank 32; this path allocates nothing. Math.log,
 * cos and sin were then about 25% of `updateRows` at rank 10; `boxMuller` is 3.2-3.9x faster than
 * them (bench/_gauss.ts).
 */
function fillGaussianItems(
  seed: number, purpose: string, dim: number, i0: number, count: number,
  out: Float64Array | Float32Array, off: number, ld: number,
): void {
  if (!Number.isInteger(i0) || i0 < 0) throw new RangeError(`item index must be a non-negative integer, found ${i0}`);
  const draws = 2 * Math.ceil(dim / 2);
  for (let t = 0; t < count;) {
    const st = xorState, end = seekItem(st, seed, purpose, i0, t, count, draws);
    let x = st[0]!, y = st[1]!, z = st[2]!, w = st[3]!;
    for (; t < end; t++) {
      const o = off + t * ld;
      for (let j = 0; j < dim; j += 2) {
        let u = x ^ (x << 11); x = y; y = z; z = w; w ^= (w >>> 19) ^ u ^ (u >>> 8);
        const w1 = w;
        u = x ^ (x << 11); x = y; y = z; z = w; w ^= (w >>> 19) ^ u ^ (u >>> 8);
        boxMuller(w1, w, out, o + j, j + 1 < dim);
      }
    }
  }
}

/**
 * xor128 state of the generator of item i0 + t (its group seeded, `draws` per earlier item of the
 * group skipped) into `st`; returns the end (exclusive, in t) of that item's group within count.
 */
function seekItem(st: Int32Array, seed: number, purpose: string, i0: number, t: number, count: number, draws: number): number {
  const i = i0 + t;
  const g = Math.floor(i / GROUP);
  seedXor128(st, seed >>> 0, purpose, g);
  let x = st[0]!, y = st[1]!, z = st[2]!, w = st[3]!;
  const skip = (i - g * GROUP) * draws;
  for (let d = 0; d < skip; d++) {
    const u = x ^ (x << 11); x = y; y = z; z = w; w ^= (w >>> 19) ^ u ^ (u >>> 8);
  }
  st[0] = x; st[1] = y; st[2] = z; st[3] = w;
  return Math.min(count, (g + 1) * GROUP - i0);
}

const xorState = new Int32Array(4);
/** Scratch for `seedXor128`: decimal digits of the seed and the group number. */
const digits = new Int32Array(24);

/**
 * xor128 state (x, y, z, w) after seedrandom's string seeding with `${seed}:${purpose}:${group}`
 * (the string of `groupRng`): x ^= charCode(k) then one step, for k < length + 64, charCode 0 past
 * the end.
 */
function seedXor128(st: Int32Array, seed: number, purpose: string, group: number): void {
  st[0] = 0; st[1] = 0; st[2] = 0; st[3] = 0;
  let nd = writeDigits(seed);
  for (let p = 0; p < nd; p++) mixStep(st, 48 + digits[p]!);
  mixStep(st, 58);
  for (let p = 0; p < purpose.length; p++) mixStep(st, purpose.charCodeAt(p));
  mixStep(st, 58);
  nd = writeDigits(group);
  for (let p = 0; p < nd; p++) mixStep(st, 48 + digits[p]!);
  for (let e = 0; e < 64; e++) mixStep(st, 0);
}

/** x ^= c, then one xor128 step (seedrandom's seeding loop body). */
function mixStep(st: Int32Array, c: number): void {
  const x = st[0]! ^ c, w = st[3]!;
  const u = x ^ (x << 11);
  st[0] = st[1]!; st[1] = st[2]!; st[2] = w;
  st[3] = w ^ (w >>> 19) ^ u ^ (u >>> 8);
}

function decimalLength(v: number): number {
  let n = 1;
  while (v >= 10) { v = Math.floor(v / 10); n++; }
  return n;
}

function writeDigits(v: number): number {
  const n = decimalLength(v);
  for (let p = n - 1; p >= 0; p--) { digits[p] = v % 10; v = Math.floor(v / 10); }
  return n;
}

/**
 * Compressed sparse-sign vectors of items [i0, i0 + count): item t's nonzeros are at
 * `idx[t * zeta + p]` with values `val[t * zeta + p]`, p < zeta = sparseSignZeta(dim).
 * Positions within an item are distinct (not sorted).
 * The draws are seedrandom's xor128 (seeded per group as in `forEachItem`) into Floyd's sample of
 * zeta distinct positions (exactly zeta draws), then one draw of signs, with the generator state in locals as in
 * `fillGaussianItems`: the per-call generator objects, closures and scratch made this 7% of the
 * sparse-sign `updateRows`; this path allocates nothing. Outputs that live in the kernels' memory
 * run the per-group loop in WebAssembly (`sparse_sign_items`, the same integer and float64
 * operations), 4x faster again.
 */
export function fillSparseSignItems(
  seed: number, purpose: string, dim: number, i0: number, count: number,
  idx: Int32Array, val: Float64Array,
): void {
  if (!Number.isInteger(i0) || i0 < 0) throw new RangeError(`item index must be a non-negative integer, found ${i0}`);
  const zeta = sparseSignZeta(dim);
  const scale = Math.sqrt(dim / zeta);
  const j0 = dim - zeta;
  // Outputs in the kernels' memory (the resident chunk's scratch) take the same loop in WebAssembly.
  const rt = inArena(idx) && inArena(val) ? wasmRuntime() : null;
  for (let t = 0; t < count;) {
    const st = xorState, end = seekItem(st, seed, purpose, i0, t, count, zeta + 1);
    if (rt !== null) {
      rt.exports.sparse_sign_items(st[0]!, st[1]!, st[2]!, st[3]!, end - t, dim, zeta, scale, idx.byteOffset + 4 * t * zeta, val.byteOffset + 8 * t * zeta);
      t = end;
      continue;
    }
    let x = st[0]!, y = st[1]!, z = st[2]!, w = st[3]!;
    for (; t < end; t++) {
      const o = t * zeta;
      // Floyd's sample straight into idx[o .. o + zeta).
      for (let j = j0, n = 0; j < dim; j++, n++) {
        const u = x ^ (x << 11); x = y; y = z; z = w; w ^= (w >>> 19) ^ u ^ (u >>> 8);
        const r = Math.floor((w >>> 0) * INV_2_32 * (j + 1));
        let seen = false;
        for (let p = 0; p < n; p++) if (idx[o + p] === r) { seen = true; break; }
        idx[o + n] = seen ? j : r;
      }
      const u = x ^ (x << 11); x = y; y = z; z = w; w ^= (w >>> 19) ^ u ^ (u >>> 8);
      const signs = w;
      for (let p = 0; p < zeta; p++) val[o + p] = (signs >>> p) & 1 ? scale : -scale;
    }
  }
}

/** The (items x dim) matrix whose row t is the vector of item t (a kept map such as Omega^T). */
export function testMatrix(family: TestMatrixFamily, seed: number, purpose: string, items: number, dim: number): Matrix64 {
  const data = new Float64Array(items * dim);
  fillItems(family, seed, purpose, dim, 0, items, data, 0, dim);
  return { rows: items, cols: dim, data, offset: 0, stride: dim };
}

function forEachItem(
  family: TestMatrixFamily, seed: number, purpose: string, dim: number, i0: number, count: number,
  body: (rng: Prng, t: number) => void,
): void {
  if (!Number.isInteger(i0) || i0 < 0) throw new RangeError(`item index must be a non-negative integer, found ${i0}`);
  const draws = drawsPerItem(family, dim);
  let t = 0;
  while (t < count) {
    const i = i0 + t;
    const g = Math.floor(i / GROUP);
    const rng = groupRng(seed, purpose, g);
    const skip = (i - g * GROUP) * draws;
    for (let d = 0; d < skip; d++) rng.int32();
    const end = Math.min(count, (g + 1) * GROUP - i0);
    for (; t < end; t++) body(rng, t);
  }
}

