/** Error-bound factor of the three-sketch [TYUC19 Thm. 5.1, real field]: E||A - A_hat||_F^2 <= factor * tau_{r+1}^2. */
export function threeSketchBoundFactor(k: number, s: number, r: number): number {
  if (k - r - 1 <= 0 || s - k - 1 <= 0) return Infinity;
  return ((s - 1) / (s - k - 1)) * ((k + r - 1) / (k - r - 1));
}

/** Error-bound factor of the two-sketch [TYUC17 Thm. 4.3, real field]: (1 + f(k, l))(1 + f(r, k)), f(a, b) = a/(b - a - 1). */
export function twoSketchBoundFactor(k: number, l: number, r: number): number {
  if (k - r - 1 <= 0 || l - k - 1 <= 0) return Infinity;
  return ((l - 1) / (l - k - 1)) * ((k - 1) / (k - r - 1));
}
