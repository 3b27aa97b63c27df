/**
 * Blue's scaled sum of squares (src/kernels/ops.ts `sumSquares`, assembly `sumsq_f32/f64`): the
 * exact ||A||_F the CLI reports, measured by a kernel. It neither overflows at 1e300 nor underflows
 * at 1e-300, flags NaN and infinities, and gives the same result in the kernels' memory, through
 * the copy-in scratch (views outside it) and in its TypeScript twin. Negative control: the plain
 * sum of squares overflows (and underflows) where it does not.
 */
import { describe, expect, it } from 'vitest';
import { allocF64, allocF32, firstNonFinite, hasNonFinite } from '../src/internals.js';
import { maxMagnitude } from '../src/kernels/find-non-finite.js';
import { sumSquares, sumSquaresNorm, sumSquaresTs } from '../src/kernels/ops.js';

const norm = (data: Float32Array | Float64Array, via: 'kernel' | 'ts' = 'kernel', off = 0, n = data.length - off) => {
  const acc = new Float64Array(3);
  if (via === 'ts') sumSquaresTs(n, data, off, acc); else sumSquares(n, data, off, acc);
  return sumSquaresNorm(acc);
};
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('sumSquares', () => {
  it('does not overflow at 1e300 nor underflow at 1e-300 (float64), where the plain sum does', () => {
    for (const x of [1e300, 1e-300, 1e305, 1e-310]) {
      const a = new Float64Array(1001).fill(x);
      const want = x * Math.sqrt(1001);
      for (const via of ['kernel', 'ts'] as const) expect(rel(norm(a, via), want), `${x} ${via}`).toBeLessThan(1e-14);
      let plain = 0;
      for (const v of a) plain += v * v;
      expect(Math.sqrt(plain) === want).toBe(false); // negative control: Infinity or 0
    }
    // Mixed magnitudes: the large part decides, the small ones do not vanish when they matter.
    expect(norm(Float64Array.from([3, 4, 1e-300, 1e-310]))).toBe(5);
    expect(rel(norm(Float64Array.from([3e-200, 4e-200, 1e-300])), 5e-200)).toBeLessThan(1e-15);
    expect(rel(norm(Float64Array.from([3e200, 4e200, 1]))!, 5e200)).toBeLessThan(1e-15);
  });

  it('agrees across the arena, the copy-in path (views outside the kernels\' memory) and the TypeScript twin, float32 and float64', () => {
    const n = 200_003; // more than one scratch piece (65 536), and not a multiple of the vector width
    let s = 7;
    const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32 - 0.5; };
    const x64 = Float64Array.from({ length: n }, () => rnd() * 10 ** (8 * rnd()));
    const x32 = Float32Array.from(x64);
    const a64 = allocF64(n), a32 = allocF32(n);
    a64.set(x64); a32.set(x32);
    let ref64 = 0, ref32 = 0;
    for (let i = 0; i < n; i++) { ref64 += x64[i] ** 2; ref32 += x32[i] ** 2; }
    for (const [data, ref] of [[x64, ref64], [a64, ref64], [x32, ref32], [a32, ref32]] as const) {
      expect(rel(norm(data), Math.sqrt(ref))).toBeLessThan(1e-12);
      expect(rel(norm(data, 'ts'), Math.sqrt(ref))).toBeLessThan(1e-12);
    }
    // An offset and a length: the same sub-vector through every path.
    let sub = 0;
    for (let i = 17; i < 17 + 70_000; i++) sub += x64[i] ** 2;
    expect(rel(norm(x64, 'kernel', 17, 70_000), Math.sqrt(sub))).toBeLessThan(1e-12);
    expect(rel(norm(a64, 'kernel', 17, 70_000), Math.sqrt(sub))).toBeLessThan(1e-12);
    // Accumulators add across calls (blocks, shards).
    const acc = new Float64Array(3);
    sumSquares(100_000, x64, 0, acc); sumSquares(n - 100_000, x64, 100_000, acc);
    expect(rel(sumSquaresNorm(acc), Math.sqrt(ref64))).toBeLessThan(1e-12);
  });

  it('NaN and infinities make it non-finite; hasNonFinite finds them past the first scratch piece', () => {
    for (const Arr of [Float32Array, Float64Array]) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const a = new Arr(150_000).fill(1);
        a[149_999] = bad;
        expect(Number.isFinite(norm(a)), `${Arr.name} ${bad}`).toBe(false);
        expect(Number.isFinite(norm(a, 'ts'))).toBe(false);
        expect(hasNonFinite(a, 0, a.length)).toBe(true);
        expect(hasNonFinite(a, 0, 149_999)).toBe(false);
      }
    }
  });

  it('maxMagnitude and firstNonFinite agree with a plain loop across the scan\'s pieces (65 536 values), in and out of the kernels\' memory', () => {
    const n = 200_011;
    for (const [Arr, alloc] of [[Float32Array, allocF32], [Float64Array, allocF64]] as const) {
      const plain = new Arr(n);
      for (let i = 0; i < n; i++) plain[i] = Math.sin(i) * (1 + (i % 7));
      const arena = alloc(n);
      arena.set(plain);
      let want = 0;
      for (let i = 0; i < n; i++) want = Math.max(want, Math.abs(plain[i]));
      for (const a of [plain, arena]) {
        expect(maxMagnitude(a)).toBe(want);
        expect(maxMagnitude(a, 65_530, 20)).toBe(Math.max(...Array.from(plain.subarray(65_530, 65_550), Math.abs)));
        for (const at of [0, 65_535, 65_536, 131_073, n - 1]) {
          const keep = a[at];
          a[at] = NaN;
          expect(firstNonFinite(a), `${Arr.name} ${at}`).toBe(at);
          expect(Number.isNaN(maxMagnitude(a))).toBe(true);
          a[at] = -Infinity;
          expect(maxMagnitude(a)).toBe(Infinity);
          a[at] = keep;
        }
        expect(firstNonFinite(a)).toBe(-1);
      }
    }
  });
});

