/**
 * The block product that turns spilled range rows into U (or Q) [docs/METHODS.md §6]:
 * out (b x r) <- yBlock (b x k) * right (k x r) + 1 * shift (1 x r).
 * The streams layer calls it on each block it re-reads from the spill; FD uses it on input blocks
 * (U_blk = A_blk * V S^{-1}). Allocates nothing; checks shapes (a public boundary).
 */
import { ShapeError } from '../errors.js';
import { gemm } from '../kernels/gemm.js';
import type { Matrix } from '../matrix.js';

export function applyRight(yBlock: Matrix, right: Matrix, out: Matrix, shift?: Float64Array): Matrix {
  if (yBlock.cols !== right.rows) throw new ShapeError(`applyRight: block has ${yBlock.cols} columns, expected ${right.rows}`);
  if (out.rows !== yBlock.rows || out.cols !== right.cols) {
    throw new ShapeError(`applyRight: output is ${out.rows} x ${out.cols}, expected ${yBlock.rows} x ${right.cols}`);
  }
  gemm(false, false, yBlock.rows, right.cols, right.rows, 1, yBlock.data, yBlock.offset, yBlock.stride,
    right.data, right.offset, right.stride, 0, out.data, out.offset, out.stride);
  if (shift) {
    for (let i = 0; i < out.rows; i++) {
      const o = out.offset + i * out.stride;
      for (let j = 0; j < out.cols; j++) out.data[o + j] = out.data[o + j] + shift[j];
    }
  }
  return out;
}
