/** Creation-time check of an operator's optional `rank` (ArgumentError, thrown synchronously). */
import { ArgumentError } from '../../src/internals.js';

export function checkRank(rank: number | undefined, who: string): void {
  if (rank !== undefined && (!Number.isInteger(rank) || rank < 1)) {
    throw new ArgumentError(`${who}: rank must be a positive integer, found ${rank}`);
  }
}
