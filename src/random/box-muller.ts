/**
 * Box-Muller from two raw 32-bit draws, bit-reproducible on every engine.
 *
 * The draws w1, w2 (32-bit words of Philox4x32-10, `philox.ts`, as int32 or uint32) stand for the uniforms u_i = ((w_i >>> 0) + 1) 2^-32
 * in (0, 1], and the pair is sqrt(-2 ln u1) (cos 2 pi u2, sin 2 pi u2) [docs/METHODS.md §3]. JavaScript
 * leaves Math.log/cos/sin implementation-defined (engines and versions may differ in the last bits), and
 * they were most of the cost of a Gaussian test matrix, so ln, cos and sin are computed here from IEEE
 * basic operations only (+ - * /, Math.sqrt, integer and bit operations), whose results the language
 * fixes, and two small tables built the same way when the module loads:
 *
 * - ln u1: u1 = m 2^k with m in [sqrt(1/2), sqrt(2)) taken exactly from the integer (Math.clz32 and a
 *   shift); m is rounded to the grid c = j / 512, and ln u1 = k ln 2 + ln c + ln(1 + r) with
 *   r = (m - c) / c (m - c exact, |r| < 2^-9.5) and a degree-5 Taylor polynomial for ln(1 + r). Near
 *   u1 = 1, k = 0 and c = 1, so ln u1 is never a difference of large logarithms: relative error a few
 *   units in the last place for every u1 < 1.
 * - cos/sin 2 pi u2: the angle is an integer number of 2^-32 turns, so the nearest of 512 grid angles and
 *   the rest d (|d| <= pi/512) come exactly from the bits (no pi reduction error); then
 *   cos(a + d) = cos a + (cos a (cos d - 1) - sin a sin d) and likewise sin, with degree-5 and degree-4
 *   Taylor polynomials in d. The grid holds exact 0 and +-1 at multiples of pi/2, so values near a zero
 *   of cos or sin keep their relative accuracy.
 * - The tables: ln c by fdlibm's e_log.c kernel (minimax in s = f / (2 + f), error below 2^-58.45);
 *   cos/sin of the grid angles by fdlibm's k_sin.c / k_cos.c (error below 2^-58) after an exact octant
 *   reduction of the integer angle.
 *
 * Measured against Math-based Box-Muller in test/random.test.ts (errors and the definition of the
 * reference there). Constants: fdlibm 5.3 (Sun Microsystems, freely distributable), e_log.c, k_sin.c,
 * k_cos.c.
 */

const LN2 = 0.6931471805599453; // fl(ln 2); k * LN2 for |k| <= 32 errs by < 2^-53 |k ln 2|
const LG1 = 6.666666666666735130e-01, LG2 = 3.999999999940941908e-01, LG3 = 2.857142874366239149e-01;
const LG4 = 2.222219843214978396e-01, LG5 = 1.818357216161805012e-01, LG6 = 1.531383769920937332e-01;
const LG7 = 1.479819860511658591e-01;
const S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03, S3 = -1.98412698298579493134e-04;
const S4 = 2.75573137070700676789e-06, S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
const C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03, C3 = 2.48015872894767294178e-05;
const C4 = -2.75573143513906633035e-07, C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
/** 2^-31: maps a normalized 32-bit integer [2^31, 2^32) exactly onto [1, 2). */
const INV_2_31 = 1 / 2147483648;
/** Normalized integers at or above this have mantissa m >= sqrt(2) (sqrt(2) 2^31 = 3037000499.98). */
const SQRT2_N = 3037000500 - 4294967296; // as int32
/** One 2^-32 turn in radians: fl(pi) 2^-31, exact scaling of Math.PI. */
const TURN_2_32 = Math.PI * INV_2_31;

/** ln u for u = ((w >>> 0) + 1) 2^-32 in (0, 1]. */
export function logUniform(w: number): number {
  const a = w >>> 0;
  if (a === 4294967295) return 0; // u = 1 (the integer a + 1 = 2^32 does not fit the bit tricks below)
  const lz = Math.clz32(a + 1);
  const n = (a + 1) << lz; // int32 with the top bit set: (n >>> 0) in [2^31, 2^32) holds the mantissa
  const hi = (SQRT2_N - 1 - n) >>> 31; // 1 when the mantissa is >= sqrt(2): halve it, k + 1
  const m = (n >>> 0) * INV_2_31 * (1 - 0.5 * hi); // exact; u = m 2^k, m in [sqrt(1/2), sqrt(2))
  const j = ((n >>> hi) + 2097152) >>> 22; // round(512 m), in [J0, J1]
  const t = 2 * (j - J0);
  const r = (m - j * STEP) * LOG_TABLE[t + 1]; // m / c - 1, c = j / 512; m - c is exact, |r| < 2^-9.5
  const p = r + r * r * (-0.5 + r * (1 / 3 + r * (-0.25 + r * 0.2))); // ln(1 + r), truncation < r^6 / 6
  return ((hi - 1 - lz) * LN2 + LOG_TABLE[t]) + p;
}

/** out[0] = cos 2 pi u, out[1] = sin 2 pi u for u = ((w >>> 0) + 1) 2^-32 (u = 1 gives the angle 0). */
export function cosSinTurn(w: number, out: Float64Array): void {
  scaledCosSin(w, 1, out, 0, true);
}

/**
 * The Box-Muller pair of the draws (w1, w2), sqrt(-2 ln u1) (cos 2 pi u2, sin 2 pi u2), into out[o] and,
 * when `both`, out[o + 1]. Values are r * cosSinTurn(w2) exactly (the doubles, before any float32 store).
 */
export function boxMuller(w1: number, w2: number, out: Float64Array | Float32Array, o: number, both: boolean): void {
  scaledCosSin(w2, Math.sqrt(-2 * logUniform(w1)), out, o, both);
}

/** r cos 2 pi u into out[o] and, when `both`, r sin 2 pi u into out[o + 1]; u as in `cosSinTurn`. */
function scaledCosSin(w: number, r: number, out: Float64Array | Float32Array, o: number, both: boolean): void {
  const c = ((w + 1) >>> 0) + 4194304; // turns in units of 2^-32, plus half a grid step
  const j = (c >>> 23) & 511; // nearest of the 512 grid angles 2 pi j / 512
  const d = ((c & 8388607) - 4194304) * TURN_2_32; // the rest, |d| <= pi / 512
  const z = d * d;
  const sinD = d + d * z * (-1 / 6 + z * (1 / 120)); // truncation < |d|^7 / 5040 < 1e-18 |d|
  const cosD1 = z * (-0.5 + z * (1 / 24)); // cos d - 1, truncation < d^6 / 720 < 1e-16 |cos d - 1|
  const cj = SIN_COS_TABLE[2 * j], sj = SIN_COS_TABLE[2 * j + 1];
  out[o] = r * (cj + (cj * cosD1 - sj * sinD));
  if (both) out[o + 1] = r * (sj + (sj * cosD1 + cj * sinD));
}

/** ln m for m in [sqrt(1/2), sqrt(2)]: fdlibm e_log.c with k = 0 (f = m - 1 is exact). */
function logNear1(m: number): number {
  const f = m - 1;
  const hfsq = 0.5 * f * f;
  const s = f / (2 + f);
  const z = s * s, zz = z * z;
  const r = z * (LG1 + zz * (LG3 + zz * (LG5 + zz * LG7))) + zz * (LG2 + zz * (LG4 + zz * LG6));
  return f - (hfsq - s * (hfsq + r));
}

/**
 * cos and sin of the angle 2 pi c 2^-32 (c an integer in [0, 2^32)) into out[0], out[1]: the octant and
 * the reduced angle phi in [0, pi/4] come exactly from the bits of c, then fdlibm k_sin.c / k_cos.c.
 * Multiples of pi/2 give exact 0 and +-1.
 */
function cosSinOctant(c: number, out: Float64Array): void {
  const q = c >>> 30; // quadrant: angle = q pi/2 + alpha
  const h = (c >>> 29) & 1; // upper half of the quadrant: alpha = pi/2 - phi
  const low = c & 0x1fffffff;
  const phi = (h ? 536870912 - low : low) * TURN_2_32;
  const z = phi * phi, zz = z * z;
  const sr = S2 + z * (S3 + z * S4) + z * zz * (S5 + z * S6);
  const sinPhi = phi + z * phi * (S1 + z * sr);
  const cr = z * (C1 + z * (C2 + z * C3)) + zz * zz * (C4 + z * (C5 + z * C6));
  const hz = 0.5 * z, one = 1 - hz;
  const cosPhi = one + (((1 - one) - hz) + z * cr);
  const swap = ((q & 1) ^ h) === 1; // cos(angle) is +-sin(phi)
  const cosMag = swap ? sinPhi : cosPhi, sinMag = swap ? cosPhi : sinPhi;
  out[0] = q === 1 || q === 2 ? -cosMag : cosMag;
  out[1] = q >= 2 ? -sinMag : sinMag;
}

/** Grid of the logarithm: c_j = j / 512 for j in [J0, J1] covers [sqrt(1/2), sqrt(2)] by rounding. */
const J0 = 362, J1 = 724, STEP = 1 / 512;
/** (ln c_j, 1 / c_j) for j in [J0, J1], interleaved. ln 1 = 0 and 1 / 1 = 1 exactly. */
export const LOG_TABLE = new Float64Array(2 * (J1 - J0 + 1));
for (let j = J0; j <= J1; j++) {
  LOG_TABLE[2 * (j - J0)] = logNear1(j * STEP);
  LOG_TABLE[2 * (j - J0) + 1] = 512 / j;
}
/** (cos, sin) of 2 pi j / 512 for j < 512, interleaved; exact 0 and +-1 at multiples of pi/2. */
export const SIN_COS_TABLE = new Float64Array(1024);
{
  const cs = new Float64Array(2);
  for (let j = 0; j < 512; j++) {
    cosSinOctant(j * 8388608, cs);
    SIN_COS_TABLE[2 * j] = cs[0];
    SIN_COS_TABLE[2 * j + 1] = cs[1];
  }
}
