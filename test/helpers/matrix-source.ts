/**
 * Small in-memory BlockSources for driver tests: `matrixSource(a, blockRows)` is replayable (every
 * open() re-emits the blocks; optional orientation 'columns' emits rows of A^T), and
 * `oneShot(src, where)` wraps a source so that a second open() errors like stdin or a socket.
 */
import { Observable, throwError } from 'rxjs';
import type { Matrix } from '../../src/matrix.js';
import { transpose } from '../../src/matrix.js';
import { SourceError } from '../../src/errors.js';
import type { BlockSource, Orientation, RowBlock, SourceInfo } from '../../streams/types.js';

export interface CountingSource extends BlockSource {
  opens: number;
}

export function matrixSource(a: Matrix, blockRows = 37, orientation: Orientation = 'rows', dtype: 'float64' | 'float32' = 'float64'): CountingSource {
  const s = orientation === 'columns' ? transpose(a) : a;
  const packed = dtype === 'float32' ? new Float32Array(s.rows * s.cols) : new Float64Array(s.rows * s.cols);
  for (let i = 0; i < s.rows; i++) for (let j = 0; j < s.cols; j++) packed[i * s.cols + j] = s.data[s.offset + i * s.stride + j];
  const info: SourceInfo = { rows: s.rows, cols: s.cols, dtype, layout: 'synthetic', orientation, where: 'memory:test' };
  const src: CountingSource = {
    replayable: true,
    opens: 0,
    info: async () => info,
    open: () => new Observable<RowBlock>((sub) => {
      src.opens++;
      for (let r0 = 0; r0 < s.rows && !sub.closed; r0 += blockRows) {
        const rows = Math.min(blockRows, s.rows - r0);
        // a fresh copy per block: consumers must not rely on data outliving next()
        sub.next({ rowStart: r0, rows, cols: s.cols, data: packed.slice(r0 * s.cols, (r0 + rows) * s.cols) });
      }
      sub.complete();
    }),
  };
  return src;
}

export function oneShot(src: BlockSource, where: string): BlockSource {
  let opened = false;
  return {
    replayable: false,
    info: async () => ({ ...(await src.info()), where }),
    open: () => {
      if (opened) return throwError(() => new SourceError(`${where} is a one-shot source and was already read`));
      opened = true;
      return src.open();
    },
  };
}
