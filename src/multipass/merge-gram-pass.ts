/**
 * Merging shards of one pass [docs/METHODS.md §6 "Merging shards"]: workers that stream disjoint row
 * ranges of the same matrix with the same options (seed, sizes, pass) hold states whose H add and
 * whose TSQR factors merge by one more QR; the merged state is what one worker streaming all rows
 * would hold, up to rounding. Each worker's spill keeps its own rows of G (global row indices).
 * `into` is updated in place and returned; `other` is spent (its kernel panel is released and it
 * refuses further rows: fork a new worker for the next pass).
 */
import { IncompatibleMergeError } from '../errors.js';
import { tsqrMerge } from '../linalg/tsqr.js';
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
  for (let i = 0; i < into.h.length; i++) into.h[i] += other.h[i];
  if (into.tsqr && other.tsqr) into.tsqr = tsqrMerge(into.tsqr, other.tsqr);
  into.rowsSeen += other.rowsSeen;
  if (other.panel) { freePanel(other.panel); other.panel = null; }
  other.pass = other.passes;
  return into;
}
