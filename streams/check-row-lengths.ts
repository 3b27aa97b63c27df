/**
 * Row-length check for list layouts (Arrow List / LargeList, Parquet repeated columns), where each
 * row carries its own length: every row must have exactly `cols` values.
 */
import { ShapeError } from '../src/internals.js';

/**
 * Checks `offsets[i + 1] - offsets[i] === cols` for the `rows` rows of a list column whose first
 * row is global row `rowStart`; throws `row 17 has 255 values, expected 256 (in <where>)`.
 */
export function checkRowLengths(
  offsets: ArrayLike<number | bigint>, rows: number, cols: number, rowStart: number, where: string,
): void {
  for (let i = 0; i < rows; i++) {
    const len = Number(offsets[i + 1]) - Number(offsets[i]);
    if (len !== cols) {
      throw new ShapeError(`row ${rowStart + i} has ${len} values, expected ${cols} (in ${where})`);
    }
  }
}
