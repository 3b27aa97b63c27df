/**
 * Merging shards of one pass [docs/METHODS.md §6 "Merging shards"]: workers that stream disjoint row
 * ranges of the same matrix with the same options (seed, sizes, pass) hold states whose H add and
 * whose TSQR factors merge by one more QR; the merged state is what one worker streaming all rows
 * would hold, up to rounding. Each worker's spill keeps its own rows of G (global row indices).
 * `into` is updated in place and returned; `other` is spent (its kernel panel is released and it
 * refuses further rows: fork a new worker for the next pass).
 *
 * `mergeGramPiece` adds a shard's pass that arrived as numbers (its H, its TSQR factor R and row
 * counts: a shard streamed by another process, `gramPassShard`); that the shard used this state's
 * X and options is the caller's contract (the distributed client checks the file it sent).
 */
import { IncompatibleMergeError } from '../errors.js';
import { ShapeError } from '../errors.js';
import { createTsqr, tsqrMerge } from '../linalg/tsqr.js';
import { freePanel } from '../kernels/packed-panel.js';
import type { GramPassState } from './gram-pass.js';

export function mergeGramPass(into: GramPassState, other: GramPassState): GramPassState {
  const same = into.method === other.method && into.cols === other.cols && into.rank === other.rank && into.l === other.l &&
    into.seed === other.seed && into.testMatrix === other.testMatrix && into.passes === other.passes && into.views === other.views;
  if (!same) throw new IncompatibleMergeError('mergeGramPass: the states differ in method, shape, sizes, seed, test matrix or pass count');
  if (into.pass !== other.pass || into.pass >= into.passes) {
    throw new IncompatibleMergeError(`mergeGramPass: states are in passes ${into.pass + 1} and ${other.pass + 1} (of ${into.passes}); merge within one unfinished pass`);
  }
  for (let i = 0; i < into.x.length; i++) {
    if (into.x[i] !== other.x[i]) throw new IncompatibleMergeError('mergeGramPass: the states hold different right blocks X (merge every pass before the next one starts)');
  }
  mergeGramPiece(into, { h: other.h, r: other.tsqr?.r.data ?? null, rows: other.rowsSeen, tsqrRows: other.tsqr?.rows ?? 0 });
  if (other.panel) { freePanel(other.panel); other.panel = null; }
  other.pass = other.passes;
  return into;
}

/** What a shard's pass leaves for the parent: H (n x w), the TSQR R factor (w x w) when the pass keeps one, and its rows. */
export interface GramPiece {
  h: Float64Array;
  r: Float64Array | null;
  /** Rows the shard streamed in this pass. */
  rows: number;
  /** Rows its TSQR factor absorbed (= rows when it has one). */
  tsqrRows: number;
}

export function mergeGramPiece(into: GramPassState, piece: GramPiece): GramPassState {
  if (into.pass >= into.passes) throw new IncompatibleMergeError(`mergeGramPiece: all ${into.passes} passes are finished`);
  const w = into.width;
  if (piece.h.length !== into.h.length) throw new ShapeError(`mergeGramPiece: the piece's H has ${piece.h.length} values, pass ${into.pass + 1} expects ${into.h.length} (${into.cols} x ${w})`);
  if ((piece.r !== null) !== (into.tsqr !== null) || (piece.r !== null && piece.r.length !== w * w)) {
    throw new ShapeError(`mergeGramPiece: pass ${into.pass + 1} ${into.tsqr ? `expects a ${w} x ${w} R factor` : 'keeps no R factor'}, the piece has ${piece.r === null ? 'none' : `${piece.r.length} values`}`);
  }
  for (let i = 0; i < into.h.length; i++) into.h[i] += piece.h[i];
  if (into.tsqr && piece.r !== null) {
    const other = createTsqr(w);
    other.r.data.set(piece.r);
    other.rows = piece.tsqrRows;
    into.tsqr = tsqrMerge(into.tsqr, other);
  }
  into.rowsSeen += piece.rows;
  return into;
}
