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
 * no 32 x 32 -> 64 multiply: the low half is Math.imul, and the high half is assembled from the two
 * 16 x 32-bit partial products (each below 2^48, so exact in a double); see `mulhi`. The WebAssembly
 * twin (assembly/kernels.ts, `philox`) uses i64.mul.
 */

export const PHILOX_M0 = 0xd2511f53;
export const PHILOX_M1 = 0xcd9e8d57;
export const PHILOX_W0 = 0x9e3779b9;
export const PHILOX_W1 = 0xbb67ae85;

const M0_HI = PHILOX_M0 >>> 16, M0_LO = PHILOX_M0 & 0xffff;
const M1_HI = PHILOX_M1 >>> 16, M1_LO = PHILOX_M1 & 0xffff;

/**
 * floor(a b / 2^32) for 32-bit unsigned a, b (given as any int32/uint32 bit pattern), exactly:
 * a = ah 2^16 + al, so a b / 2^32 = (ah b + al b / 2^16) / 2^16. al b and ah b are below 2^48 (exact
 * doubles), floor(al b / 2^16) is below 2^32 and the sum below 2^48, and `>>> 0` of a non-negative double
 * below 2^32 is its floor. The nested floor is exact because ah b is an integer.
 */
export function mulhi(a: number, b: number): number {
  a >>>= 0; b >>>= 0;
  const ah = a >>> 16, al = a & 0xffff;
  return ((ah * b + ((al * b) / 65536 >>> 0)) / 65536) >>> 0;
}

/**
 * Philox4x32-10 of the counter (c0, c1, c2, c3) under the key (k0, k1), into out[0..4) (int32 bit
 * patterns when `out` is an Int32Array, unsigned in a Uint32Array). Inputs are taken modulo 2^32.
 */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Int32Array | Uint32Array): void {
  let x0 = c0 >>> 0, x1 = c1 | 0, x2 = c2 >>> 0, x3 = c3 | 0, a = k0 | 0, b = k1 | 0;
  for (let r = 0; r < 10; r++) {
    // hi(M0 x0), lo(M0 x0), hi(M1 x2), lo(M1 x2); x0 and x2 unsigned.
    const h0 = ((M0_HI * x0 + ((M0_LO * x0) / 65536 >>> 0)) / 65536) >>> 0;
    const l0 = Math.imul(PHILOX_M0, x0);
    const h1 = ((M1_HI * x2 + ((M1_LO * x2) / 65536 >>> 0)) / 65536) >>> 0;
    const l1 = Math.imul(PHILOX_M1, x2);
    x0 = (h1 ^ x1 ^ a) >>> 0; x1 = l1; x2 = (h0 ^ x3 ^ b) >>> 0; x3 = l0;
    a = (a + PHILOX_W0) | 0; b = (b + PHILOX_W1) | 0;
  }
  out[0] = x0; out[1] = x1; out[2] = x2; out[3] = x3;
}
