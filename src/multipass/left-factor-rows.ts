/**
 * Rows of the left factor from spilled rows of G [docs/METHODS.md §6]: U_blk = G_blk M (b x r), with
 * M = `leftMap` of a finished Gram pass. One pass over the spill (w columns), never over A.
 * Writes into `out` when given (b x r), else allocates.
 */
import type { Matrix, Matrix64 } from '../matrix.js';
import { zeros } from '../matrix.js';
import { ShapeError } from '../errors.js';
import { gemm } from '../kernels/gemm.js';

export function leftFactorRows(leftMap: Matrix64, g: Matrix, out?: Matrix64): Matrix64 {
  const w = leftMap.rows, r = leftMap.cols;
  if (g.cols !== w) throw new ShapeError(`leftFactorRows: spilled rows have ${g.cols} values, expected ${w}`);
  const u = out ?? zeros(g.rows, r);
  if (u.rows !== g.rows || u.cols !== r) throw new ShapeError(`leftFactorRows: output is ${u.rows} x ${u.cols}, expected ${g.rows} x ${r}`);
  gemm(false, false, g.rows, r, w, 1, g.data, g.offset, g.stride, leftMap.data, leftMap.offset, leftMap.stride, 0, u.data, u.offset, u.stride);
  return u;
}
