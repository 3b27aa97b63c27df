/**
 * The range of magnitudes a sketch computes in [docs/METHODS.md "Extreme values"]. The linear
 * sketches form sums of products of the input with O(1) test-matrix entries; the rsvd sketch also
 * forms H = A^T (A Omega), quadratic in A; Frequent Directions squares singular values. Near the
 * ends of the floating-point range those sums overflow to Infinity or underflow into subnormals
 * and zero, and the answer that comes out is NaN, a refusal that names the wrong cause, or (worse)
 * finite and wrong (rsvd at 1e-200 returned singular values 0). So:
 *
 * - every block is scanned once anyway (finiteness: maxMagnitude), and a block whose largest
 *   |value| is above the method's ceiling is refused before anything is absorbed;
 * - a state whose largest |entry| is below the floor (everything absorbed was tiny: the sums have
 *   lost their digits already) or above the ceiling (linear updates, merges) is refused when it is
 *   reconstructed, with the same advice.
 *
 * The window leaves 2^64 of headroom for sums of up to 2^64 terms: for float64 work (dtype
 * 'float64') the linear sketches take |values| up to 2^958 and states down to 2^-958; the
 * quadratic rsvd half of that exponent (2^479). For dtype 'float32' the chunk products are float32:
 * 2^62 and 2^31. The streams layer (and the CLI) scales extreme inputs by a power of two first
 * (streams/wrappers/scale-extreme.ts), which is exact, so these refusals are for library callers.
 * A state of exact zeros is the zero matrix: reconstruct says so in a note.
 */
import { NumericError } from '../errors.js';
import type { SketchMethod, SketchDType } from './types.js';

/** log2 of the largest magnitude the method computes with: values (and states) stay below 2^this. */
export function magnitudeExponent(method: SketchMethod, dtype: SketchDType): number {
  const e = dtype === 'float32' ? 126 - 64 : 1022 - 64;
  return method === 'rsvd' ? Math.floor(e / 2) : e;
}

function advice(method: SketchMethod, dtype: SketchDType): string {
  return `multiply the input by a power of two first (exact: scaleByPowerOfTwo), then the singular values by its inverse` +
    `${dtype === 'float32' ? ', or use dtype \'float64\'' : ''}${method === 'rsvd' ? ', or a linear sketch (three-sketch), which takes the square of this range' : ''}`;
}

/** Refuses a block whose largest |value| `big` (finite) exceeds the method's ceiling. */
export function checkBlockMagnitude(method: SketchMethod, dtype: SketchDType, big: number, where: string): void {
  const e = magnitudeExponent(method, dtype);
  if (big > 2 ** e) {
    throw new NumericError(`${where}: largest |value| ${big.toExponential(3)} is above 2^${e}, where the ${method} sketch's sums ` +
      `(dtype ${dtype}) would overflow; ${advice(method, dtype)}`);
  }
}

/**
 * Refuses a state whose largest |entry| `big` is outside [2^-e, 2^e] (0 is the zero matrix, allowed).
 */
export function checkStateMagnitude(method: SketchMethod, dtype: SketchDType, big: number): void {
  const e = magnitudeExponent(method, dtype);
  if (big === 0 || (big >= 2 ** -e && big <= 2 ** e)) return;
  const side = big < 1 ? `below 2^-${e}: the input's values are so small that its sums have underflowed (digits lost)` : `above 2^${e}: its sums are about to overflow`;
  throw new NumericError(`the ${method} sketch's largest entry ${big.toExponential(3)} is ${side}; ${advice(method, dtype)}`);
}
