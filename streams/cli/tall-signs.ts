/**
 * The sign convention on the streamed factor [docs/METHODS.md "Signs"]: signs are decided on V of A
 * (the largest-magnitude entry of each column positive). For a row stream V is the small factor and
 * the library decides; for a column stream V of A is the tall factor formed from the spill, so the
 * CLI scans it once before writing it (one more read of the spill, not of the input) and flips the
 * flagged columns of both factors.
 */
import type { Matrix } from '../../src/internals.js';
import { SignScan } from '../../src/internals.js';

/** Visits the tall factor's row blocks in increasing row order. */
export type TallBlocks = (visit: (rowStart: number, block: Matrix) => void) => Promise<void>;

/** The columns to flip so that each column of the tall factor has its largest-magnitude entry positive. */
export async function tallFlips(blocks: TallBlocks, cols: number): Promise<boolean[]> {
  const scan = new SignScan(cols);
  await blocks((_r0, b) => scan.add(b));
  return scan.flips();
}

