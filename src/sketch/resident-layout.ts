/**
 * Byte layout of the resident chunk workspace (resident-chunk.ts): offsets of every buffer inside
 * one arena block (64-byte aligned, KERNELS.md) and its total size, which `createSketch` checks
 * against what a memory budget leaves beside the sketch. Shapes and notation as in resident-chunk.ts.
 */
import { sparseSignZeta } from '../random/test-matrix.js';

/** Byte offsets (0 for buffers the family does not use); lists are [ptr, idx, val]. */
export interface ResidentLayout {
  a: number; xs: number; z: number; ys: number; at: number; yt: number; tt: number; t: number; cr: number; y32: number;
  gmap32: number; phi32: number;
  omega: number[]; psi: number[]; list1: number[]; list2: number[];
  uIdx: number; uVal: number; pIdx: number; pVal: number; theta: number; theta32: number; cursor: number;
  acc: number; r: number; tw: number; tp: number;
  /** Total bytes of the block. */
  bytes: number;
}

/** Layout for n columns, sizes k, s, q, chunk c, and the TSQR workspace sizes `tw` (float64 counts). */
export function residentLayout(
  sparse: boolean, n: number, k: number, s: number, q: number, c: number, tw: { work: number; panel: number },
): ResidentLayout {
  const k1 = k + 1, zk = sparseSignZeta(k), zs = sparseSignZeta(s);
  let top = 0;
  const take = (bytes: number) => { const at = top; top += Math.ceil(Math.max(bytes, 1) / 64) * 64; return at; };
  const o = {
    a: take(4 * c * n), xs: take(4 * (k + q + 1) * n), z: take(4 * s * s), ys: take(8 * c * k1),
    at: sparse ? take(4 * n * c) : 0, yt: take(4 * c * (sparse ? k : k + s)), tt: sparse ? take(4 * s * c) : 0,
    t: sparse ? take(4 * c * s) : 0, cr: take(4 * (s + q) * k1), y32: take(4 * c * k1),
    gmap32: sparse ? 0 : take(4 * c * (k + q + 1)), phi32: sparse ? 0 : take(4 * c * s),
    omega: sparse ? [take(4 * (k + 1)), take(4 * n * zk), take(4 * n * zk)] : [0, 0, 0],
    psi: sparse ? [take(4 * (s + 1)), take(4 * n * zs), take(4 * n * zs)] : [0, 0, 0],
    list1: sparse ? [take(4 * (k + q + 2)), take(4 * c * (zk + q + 1)), take(4 * c * (zk + q + 1))] : [0, 0, 0],
    list2: sparse ? [take(4 * (s + 1)), take(4 * c * zs), take(4 * c * zs)] : [0, 0, 0],
    uIdx: sparse ? take(4 * c * zk) : 0, uVal: sparse ? take(8 * c * zk) : 0,
    pIdx: sparse ? take(4 * c * zs) : 0, pVal: sparse ? take(8 * c * zs) : 0,
    theta: sparse ? take(8 * c * q) : 0, theta32: sparse ? take(4 * c * q) : 0, cursor: take(4 * (Math.max(k, s) + q + 2)),
    acc: take(8 * ((k + q + 1) * n + s * s + (s + q) * k1)),
    r: take(8 * k1 * k1), tw: take(8 * tw.work), tp: take(8 * tw.panel),
  };
  return { ...o, bytes: top };
}
