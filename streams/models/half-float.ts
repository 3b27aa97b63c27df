/**
 * IEEE half precision (float16) and bfloat16 to and from float32, bit by bit: reading F16/BF16
 * weights, and writing factors back in the dtype the weights had. Rounding to nearest, ties to
 * even; NaN stays NaN, overflow becomes infinity (as numpy's astype does).
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float16 bits -> number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f === 0 ? s * Infinity : NaN;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** number -> float16 bits (round to nearest even, via float32 as numpy does). */
export function floatToHalf(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const e = (b >>> 23) & 0xff;
  let m = b & 0x7fffff;
  if (e === 0xff) return sign | 0x7c00 | (m !== 0 ? 0x200 : 0);
  const he = e - 127 + 15;
  if (he >= 31) return sign | 0x7c00;
  if (he <= 0) {
    if (he < -10) return sign;
    m |= 0x800000;
    const shift = 14 - he;
    const half = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let r = m >>> shift;
    if (rest > half || (rest === half && (r & 1) === 1)) r++;
    return sign | r;
  }
  let r = (he << 10) | (m >>> 13);
  const rest = m & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (r & 1) === 1)) r++;
  return sign | r;
}

/** bfloat16 bits -> number (the upper half of a float32). */
export function bf16ToFloat(h: number): number {
  u32[0] = h << 16;
  return f32[0];
}

/** number -> bfloat16 bits (round to nearest even on the float32 bits). */
export function floatToBf16(x: number): number {
  f32[0] = x;
  const b = u32[0];
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return ((b >>> 16) | 0x40) & 0xffff;
  const rounded = b + 0x7fff + ((b >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

/** Decodes `count` little-endian 16-bit values from bytes into out (float16 or bfloat16). */
export function decode16(bytes: Uint8Array, count: number, kind: 'float16' | 'bfloat16', out: Float32Array): void {
  const conv = kind === 'float16' ? halfToFloat : bf16ToFloat;
  for (let i = 0; i < count; i++) out[i] = conv(bytes[2 * i] | (bytes[2 * i + 1] << 8));
}

/** Encodes values as little-endian float16 or bfloat16 into a new byte array. */
export function encode16(values: ArrayLike<number>, kind: 'float16' | 'bfloat16'): Uint8Array {
  const conv = kind === 'float16' ? floatToHalf : floatToBf16;
  const out = new Uint8Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const h = conv(values[i]);
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = h >>> 8;
  }
  return out;
}
