/**
 * Philox4x32-10 [SMDS11: Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3",
 * SC11], the counter-based generator behind every seeded test matrix (`test-matrix.ts`): a keyed
 * bijection of a 128-bit counter (four 32-bit words) under a 64-bit key (two words), ten rounds of
 *
 *   (c0, c1, c2, c3) <- (hi(M1 c2) ^ c1 ^ k0, lo(M1 c2), hi(M0 c0) ^ c3 ^ k1, lo(M0 c0)),
 *   (k0, k1) <- (k0 + W0, k1 + W1) between rounds,
 *
 * with M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85 and hi/lo the halves of
 * the exact 64-bit product. Random123's known-answer vectors are checked in test/random-philox.test.ts.
 *
 * Every operation is exact integer arithmetic, so the words are the same on every engine. JavaScript has
 * no 32 x 32 -> 64 multiply: the low half is Math.imul, and the high half is assembled from the four
 * 16 x 16-bit partial products, each formed exactly by Math.imul, in int32 arithmetic only (see
 * `mulhi`; an earlier version built it from two 16 x 32-bit products in doubles and ran 3-4x slower, the
 * float-to-int32 truncations being the cost). The WebAssembly twin (assembly/kernels.ts, `philox`) uses
 * i64.mul.
 */

export const PHILOX_M0 = 0xd2511f53;
export const PHILOX_M1 = 0xcd9e8d57;
export const PHILOX_W0 = 0x9e3779b9;
export const PHILOX_W1 = 0xbb67ae85;

const M0 = PHILOX_M0 | 0, M0H = PHILOX_M0 >>> 16, M0L = PHILOX_M0 & 0xffff;
const M1 = PHILOX_M1 | 0, M1H = PHILOX_M1 >>> 16, M1L = PHILOX_M1 & 0xffff;
const W0 = PHILOX_W0 | 0, W1 = PHILOX_W1 | 0;

/**
 * floor(a b / 2^32) for 32-bit unsigned a, b (given as any int32/uint32 bit pattern), exactly, as an
 * int32 bit pattern. With a = ah 2^16 + al and b = bh 2^16 + bl, every partial product is below 2^32, so
 * Math.imul (low 32 bits) holds it whole; then
 *   hi = ah bh + floor(ah bl / 2^16) + floor(al bh / 2^16)
 *        + floor(((ah bl mod 2^16) + (al bh mod 2^16) + floor(al bl / 2^16)) / 2^16),
 * summed modulo 2^32 (the exact result is below 2^32).
 */
export function mulhi(a: number, b: number): number {
  const ah = a >>> 16, al = a & 0xffff, bh = b >>> 16, bl = b & 0xffff;
  const ll = Math.imul(al, bl) >>> 16, hl = Math.imul(ah, bl), lh = Math.imul(al, bh);
  const carry = ((hl & 0xffff) + (lh & 0xffff) + ll) >>> 16;
  return (Math.imul(ah, bh) + (hl >>> 16) + (lh >>> 16) + carry) | 0;
}

/**
 * Philox4x32-10 of the counter (c0, c1, c2, c3) under the key (k0, k1), into out[0..4) (int32 bit
 * patterns when `out` is an Int32Array, unsigned in a Uint32Array). Inputs are taken modulo 2^32.
 * The multiplications are `mulhi` written out with the multiplier's halves as constants.
 */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Int32Array | Uint32Array): void {
  let x0 = c0 | 0, x1 = c1 | 0, x2 = c2 | 0, x3 = c3 | 0, a = k0 | 0, b = k1 | 0;
  for (let r = 0; r < 10; r++) {
    const h0 = x0 >>> 16, l0 = x0 & 0xffff;
    const ll0 = Math.imul(M0L, l0) >>> 16, hl0 = Math.imul(M0H, l0), lh0 = Math.imul(M0L, h0);
    const hi0 = (Math.imul(M0H, h0) + (hl0 >>> 16) + (lh0 >>> 16) + (((hl0 & 0xffff) + (lh0 & 0xffff) + ll0) >>> 16)) | 0;
    const lo0 = Math.imul(M0, x0);
    const h2 = x2 >>> 16, l2 = x2 & 0xffff;
    const ll2 = Math.imul(M1L, l2) >>> 16, hl2 = Math.imul(M1H, l2), lh2 = Math.imul(M1L, h2);
    const hi2 = (Math.imul(M1H, h2) + (hl2 >>> 16) + (lh2 >>> 16) + (((hl2 & 0xffff) + (lh2 & 0xffff) + ll2) >>> 16)) | 0;
    const lo2 = Math.imul(M1, x2);
    x0 = hi2 ^ x1 ^ a; x1 = lo2; x2 = hi0 ^ x3 ^ b; x3 = lo0;
    a = (a + W0) | 0; b = (b + W1) | 0;
  }
  out[0] = x0; out[1] = x1; out[2] = x2; out[3] = x3;
}
