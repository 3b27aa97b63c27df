/**
 * An in-memory range spill [docs/METHODS.md §6]: holds the rows of Y (m x k) as float64, growing in
 * 64-row pages, summing rows written more than once. For tests and inputs small enough to keep Y;
 * the streams layer provides a file-backed spill for everything else.
 */
import type { Matrix, Matrix64 } from '../matrix.js';
import { addInterval } from './intervals.js';
import type { RangeSpill } from './types.js';

/**
 * Rows per page, aligned at global row multiples of PAGE. `reconstruct` forms U page by page, and
 * the CLI forms U from its file spills in the same pages (run-single-pass.ts), so that U's bits do
 * not depend on how the rows were blocked, spilled or sharded.
 */
export const MEMORY_SPILL_PAGE = 64;
const PAGE = MEMORY_SPILL_PAGE;

export interface MemorySpill extends RangeSpill {
  readonly kind: 'memory';
  forEachBlock(visit: (rowStart: number, y: Matrix64) => void): void;
  bytes(): number;
  /** Rows held (max row index written + 1). */
  rows(): number;
  /** Width k (0 until the first write). */
  width(): number;
  /** Sum another memory spill into this one (merging shards). */
  absorb(other: MemorySpill): void;
  /** Row intervals written so far. */
  covered(): number[];
}

export function memorySpill(): MemorySpill {
  const pages: (Float64Array | undefined)[] = [];
  let k = 0;
  let extent = 0;
  const written: number[] = [];
  const page = (p: number): Float64Array => {
    let a = pages[p];
    if (!a) { a = new Float64Array(PAGE * k); pages[p] = a; }
    return a;
  };
  const self: MemorySpill = {
    kind: 'memory',
    write(rowStart: number, y: Matrix): void {
      if (k === 0) k = y.cols;
      else if (y.cols !== k) throw new RangeError(`memorySpill: rows of width ${y.cols}, expected ${k}`);
      const d = y.data, ld = y.stride, end = rowStart + y.rows;
      // Page by page rather than row by row (one lookup per 64 rows): rows at or past `extent`
      // were never written, so their page slots are copied (+ 0 keeps the sum's +0 for a -0 input,
      // bit for bit what adding into the zeroed page gives); rows below it are summed.
      for (let i = rowStart; i < end;) {
        const p = Math.floor(i / PAGE), pEnd = Math.min(end, (p + 1) * PAGE);
        const a = page(p);
        const fresh = Math.max(i, Math.min(pEnd, extent));
        let o = (i - p * PAGE) * k, src = y.offset + (i - rowStart) * ld;
        for (; i < fresh; i++, o += k, src += ld) for (let j = 0; j < k; j++) a[o + j] = a[o + j]! + d[src + j]!;
        for (; i < pEnd; i++, o += k, src += ld) for (let j = 0; j < k; j++) a[o + j] = d[src + j]! + 0;
      }
      extent = Math.max(extent, end);
      addInterval(written, rowStart, end, false);
    },
    forEachBlock(visit: (rowStart: number, y: Matrix64) => void): void {
      for (let p = 0; p * PAGE < extent; p++) {
        const rows = Math.min(PAGE, extent - p * PAGE);
        const data = pages[p] ?? new Float64Array(PAGE * k);
        visit(p * PAGE, { rows, cols: k, data, offset: 0, stride: k });
      }
    },
    bytes(): number {
      let b = 0;
      for (const a of pages) if (a) b += a.byteLength;
      return b;
    },
    rows: () => extent,
    width: () => k,
    absorb(other: MemorySpill): void {
      const iv = other.covered();
      other.forEachBlock((r0, y) => {
        // Only the rows the other spill holds (its pages may hold zero rows between intervals).
        for (let t = 0; t < iv.length; t += 2) {
          const a = Math.max(iv[t]!, r0), b = Math.min(iv[t + 1]!, r0 + y.rows);
          if (a < b) self.write(a, { ...y, rows: b - a, offset: y.offset + (a - r0) * y.stride });
        }
      });
    },
    covered: () => written.slice(),
  };
  return self;
}

export function isMemorySpill(s: RangeSpill | undefined): s is MemorySpill {
  return s !== undefined && (s as MemorySpill).kind === 'memory';
}
