/**
 * General linear update A <- theta A + eta H [TYUC19 §2.2, (2.3)]: every sketch maps the same way,
 * X <- theta X + eta Upsilon H, Y <- theta Y + eta H Omega^T, Z <- theta Z + eta Phi H Psi^T,
 * S <- theta S + eta Theta H. H is m x n dense (`Matrix`, rows [0, H.rows) of A) or low-rank
 * factors `{ left (m x p), right (n x p) }` with H = left right^T (cost O((m + n) p (k + s))).
 * theta scales the state in place (the spilled rows through `rangeScale`); theta = 0 is refused
 * (it would discard the spilled rows: create a new sketch instead). A dense H touching rows already
 * seen invalidates the TSQR factor (`rangeRValid`), as do low-rank factors.
 */
import type { Matrix } from '../matrix.js';
import type { SketchState } from './types.js';

export type LinearUpdate = Matrix | { left: Matrix; right: Matrix };

export function updateLinear(state: SketchState, theta: number, eta: number, h: LinearUpdate): void {
  void state; void theta; void eta; void h;
  throw new Error('updateLinear: not implemented yet');
}
