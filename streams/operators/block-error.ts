/**
 * The error notification for a block the sketch refused, naming where it is in the streamed matrix
 * (docs/STYLE.md: "bad data arrives as an error notification that names the place"). src/ messages that
 * already name a global row (`row 17: value at column 9 is NaN`) pass unchanged for row streams; any
 * other message is prefixed with the block's rows, keeping the error class (and its code) and the
 * original as `cause`. For column streams the block holds columns of A (rows of A^T), so the prefix
 * names both.
 */
import { RangefinderError } from '../../src/internals.js';
import type { RowBlock } from '../types.js';

export function blockError(err: unknown, block: RowBlock, orientation: 'rows' | 'columns' = 'rows'): Error {
  const msg = err instanceof Error ? err.message : String(err);
  if (orientation === 'rows' && err instanceof Error && /\brows? \[?\d/.test(msg)) return err;
  const a = block.rowStart, b = block.rowStart + block.rows;
  const where = orientation === 'rows' ? `rows [${a}, ${b})` : `columns [${a}, ${b}) of A (rows of the streamed A^T)`;
  const text = `${where}: ${msg}`;
  const out = err instanceof RangefinderError
    ? new (err.constructor as new (m: string) => RangefinderError)(text)
    : new Error(text);
  (out as Error & { cause?: unknown }).cause = err;
  return out;
}
