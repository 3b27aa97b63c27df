/**
 * The leading r triplets of a thin SVD, as packed copies: U (m x r'), s (r'), V (n x r') with
 * r' = min(r, p). Signs are left as they are.
 */
import type { Matrix64 } from '../matrix.js';
import { zeros } from '../matrix.js';
import type { LowRankSvd } from './low-rank-svd.js';

export function truncateSvd(f: { u: Matrix64; s: Float64Array; v: Matrix64 }, rank: number): LowRankSvd {
  const r = Math.min(rank, f.s.length);
  return { u: leading(f.u, r), s: f.s.slice(0, r), v: leading(f.v, r) };
}

function leading(a: Matrix64, r: number): Matrix64 {
  const out = zeros(a.rows, r);
  for (let i = 0; i < a.rows; i++) {
    const o = a.offset + i * a.stride;
    for (let j = 0; j < r; j++) out.data[i * r + j] = a.data[o + j];
  }
  return out;
}
