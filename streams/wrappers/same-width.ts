/**
 * `sameWidth(source)`: every block of a pass has the row length of the first, and holds the
 * values it claims (`data.length >= rows * cols`). A decoder guarantees it for its format (and
 * checks each row of a list layout against the list offsets, where raggedness is visible: see
 * check-row-lengths.ts); this guards a composed or hand-written source the same way, so that a
 * consumer never reads a block with the wrong stride. `row 17 has 255 values, expected 256 (in x)`.
 */
import { Observable } from 'rxjs';
import { ShapeError } from '../../src/internals.js';
import type { DecodedSource } from '../sources/decoder.js';
import type { RowBlock } from '../types.js';

export function sameWidth<S extends DecodedSource>(source: S): S {
  const open = (): Observable<RowBlock> => new Observable<RowBlock>((sub) => {
    let cols = -1;
    return source.open().subscribe({
      next: (b) => {
        if (cols < 0) cols = b.cols;
        if (b.cols !== cols) { sub.error(new ShapeError(`row ${b.rowStart} has ${b.cols} values, expected ${cols} (in ${source.where})`)); return; }
        if (b.data.length < b.rows * b.cols) {
          sub.error(new ShapeError(`the block at row ${b.rowStart} holds ${b.data.length} values for ${b.rows} rows of ${b.cols} (in ${source.where})`));
          return;
        }
        sub.next(b);
      },
      error: (e: unknown) => sub.error(e),
      complete: () => sub.complete(),
    });
  });
  return new Proxy(source, { get: (t, k, r) => (k === 'open' ? open : Reflect.get(t, k, r) as unknown) });
}
