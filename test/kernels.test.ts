import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Float } from '../src/matrix.js';
import { gemm } from '../src/kernels/gemm.js';
import { gemmTs } from '../src/kernels/gemm-ts.js';
import { gemmWasm, releaseKernelScratch } from '../src/kernels/gemm-wasm.js';
import { kernelBackend } from '../src/kernels/wasm-runtime.js';
import { allocF32, allocF64, arenaFree, freeArena, inArena } from '../src/kernels/wasm-arena.js';
import { freePanel, gemmPacked, packPanel } from '../src/kernels/packed-panel.js';

type Ctor = Float64ArrayConstructor | Float32ArrayConstructor;
type Gemm = typeof gemmTs;

/** Seeded uniform(-1, 1) values (no Math.random in this repo). */
function lcg(seed: number): () => number {
  let s = (seed >>> 0) || 1;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 31 - 1; };
}

function filled(T: Ctor, len: number, rnd: () => number): Float {
  const x = new T(len);
  for (let i = 0; i < len; i++) x[i] = rnd();
  return x;
}

interface Case {
  ta: boolean; tb: boolean; m: number; n: number; k: number; alpha: number; beta: number;
  offA: number; offB: number; offC: number; padA: number; padB: number; padC: number; seed: number;
}

/**
 * Run `impl` on a case and compare with a float64 naive triple loop. The tolerance is the standard
 * forward bound for a dot product, |err| <= gamma_k (|alpha| |A||B| + |beta C|), gamma_k ~ k eps,
 * with eps of the arithmetic used (float32 inputs: 2^-24).
 */
function check(impl: Gemm, cs: Case, TA: Ctor, TB: Ctor, TC: Ctor): void {
  const { ta, tb, m, n, k, alpha, beta, offA, offB, offC, padA, padB, padC, seed } = cs;
  const rnd = lcg(seed);
  const lda = (ta ? m : k) + padA, ldb = (tb ? k : n) + padB, ldc = n + padC;
  const a = filled(TA, offA + (ta ? k : m) * lda, rnd);
  const b = filled(TB, offB + (tb ? n : k) * ldb, rnd);
  const c = filled(TC, offC + m * ldc, rnd);
  const c0 = Float64Array.from(c);
  impl(ta, tb, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
  const eps = TA === Float32Array || TB === Float32Array || TC === Float32Array ? 2 ** -24 : 2 ** -53;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0, sa = 0;
      for (let p = 0; p < k; p++) {
        const x = ta ? a[offA + p * lda + i] : a[offA + i * lda + p];
        const y = tb ? b[offB + j * ldb + p] : b[offB + p * ldb + j];
        s += x * y; sa += Math.abs(x * y);
      }
      const ref = alpha * s + beta * c0[offC + i * ldc + j];
      const tol = 4 * (k + 2) * eps * (Math.abs(alpha) * sa + Math.abs(beta * c0[offC + i * ldc + j])) + 1e-300;
      const got = c[offC + i * ldc + j];
      if (!(Math.abs(got - ref) <= tol)) {
        throw new Error(`C[${i},${j}] = ${got}, expected ${ref} (tol ${tol}) in ${JSON.stringify(cs)}`);
      }
    }
  }
  // Padding between rows of C must be untouched.
  for (let i = 0; i < m; i++) for (let j = n; j < ldc && offC + i * ldc + j < c.length; j++) {
    expect(c[offC + i * ldc + j]).toBe(TC === Float32Array ? Math.fround(c0[offC + i * ldc + j]) : c0[offC + i * ldc + j]);
  }
}

function wasmOnly(...args: Parameters<Gemm>): void {
  if (!gemmWasm(...args)) throw new Error('gemmWasm declined a supported call');
}

const edgeShapes: [number, number, number][] = [
  [1, 1, 1], [1, 37, 5], [37, 1, 5], [1, 1, 700], [3, 5, 2], [4, 4, 4], [5, 9, 3], [7, 13, 257],
  [9, 8, 513], [33, 17, 1], [64, 64, 64], [17, 130, 300], [130, 17, 1030],
];
const transCombos: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];
const paths: [string, Gemm][] = [['wasm', wasmOnly], ['typescript', gemmTs], ['gemm dispatcher', gemm]];

describe('GEMM kernels agree with a naive float64 reference', () => {
  it('the WebAssembly backend is built and loaded', () => {
    expect(kernelBackend().backend).toBe('wasm');
  });

  for (const [name, impl] of paths) {
    for (const T of [Float64Array, Float32Array] as Ctor[]) {
      it(`${name}, ${T.name}: edge sizes (1 x n, n x 1, not multiples of the tile), all transposes, offsets and strides`, () => {
        let seed = 1;
        for (const [ta, tb] of transCombos) {
          for (const [m, n, k] of edgeShapes) {
            check(impl, { ta, tb, m, n, k, alpha: 1, beta: 0, offA: 0, offB: 0, offC: 0, padA: 0, padB: 0, padC: 0, seed: seed++ }, T, T, T);
            check(impl, { ta, tb, m, n, k, alpha: -0.75, beta: 0.5, offA: 3, offB: 5, offC: 7, padA: 2, padB: 3, padC: 1, seed: seed++ }, T, T, T);
          }
        }
      });
    }
  }

  it('float32 A and B accumulate into float64 C (the streaming case) on the wasm path', () => {
    let seed = 100;
    for (const [ta, tb] of transCombos) {
      for (const [m, n, k] of edgeShapes) {
        check(wasmOnly, { ta, tb, m, n, k, alpha: 1.5, beta: 1, offA: 1, offB: 2, offC: 3, padA: 1, padB: 0, padC: 2, seed: seed++ }, Float32Array, Float32Array, Float64Array);
      }
    }
  });

  it('other dtype mixes go to the TypeScript fallback and stay correct', () => {
    expect(gemmWasm(false, false, 2, 2, 2, 1, new Float64Array(4), 0, 2, new Float32Array(4), 0, 2, 0, new Float64Array(4), 0, 2)).toBe(false);
    check(gemm, { ta: false, tb: true, m: 20, n: 30, k: 40, alpha: 1, beta: 0, offA: 0, offB: 0, offC: 0, padA: 0, padB: 0, padC: 0, seed: 7 },
      Float64Array, Float32Array, Float64Array);
  });

  it('beta = 0 overwrites NaN in C; alpha = 0 or k = 0 only scales C', () => {
    const c = new Float64Array(64 * 8).fill(NaN);
    const a = new Float64Array(64 * 16).fill(1), b = new Float64Array(16 * 8).fill(2);
    wasmOnly(false, false, 64, 8, 16, 1, a, 0, 16, b, 0, 8, 0, c, 0, 8);
    expect(c.every((v) => v === 32)).toBe(true);
    wasmOnly(false, false, 64, 8, 16, 0, a, 0, 16, b, 0, 8, 0.5, c, 0, 8);
    expect(c.every((v) => v === 16)).toBe(true);
    wasmOnly(false, false, 64, 8, 0, 1, a, 0, 16, b, 0, 8, 2, c, 0, 8);
    expect(c.every((v) => v === 32)).toBe(true);
  });

  it('operands in the wasm arena are used in place and give the same results', () => {
    for (const [alloc, T] of [[allocF64, Float64Array], [allocF32, Float32Array]] as const) {
      const [m, n, k] = [67, 21, 300];
      const rnd = lcg(9);
      const a = alloc(m * k), b = alloc(k * n), c = alloc(m * n);
      for (const x of [a, b]) for (let i = 0; i < x.length; i++) x[i] = rnd();
      expect(inArena(a) && inArena(c)).toBe(true);
      const aj = T.from(a), bj = T.from(b), cj = new T(m * n);
      gemmTs(false, false, m, n, k, 1, aj, 0, k, bj, 0, n, 0, cj, 0, n);
      wasmOnly(false, false, m, n, k, 1, a, 0, k, b, 0, n, 0, c, 0, n);
      for (let i = 0; i < m * n; i++) expect(Math.abs(c[i] - cj[i])).toBeLessThan(T === Float32Array ? 1e-4 : 1e-12);
      // The co-range shape X (n x k) += G^T (n x m) B-free form: op(A) transposed, B in the arena.
      const x = alloc(n * k), xj = new T(n * k);
      wasmOnly(true, false, n, k, m, 1, c, 0, n, a, 0, k, 1, x, 0, k);
      gemmTs(true, false, n, k, m, 1, cj, 0, n, aj, 0, k, 1, xj, 0, k);
      for (let i = 0; i < n * k; i++) expect(Math.abs(x[i] - xj[i])).toBeLessThan(T === Float32Array ? 1e-3 : 1e-11);
      for (const v of [a, b, c, x]) freeArena(v);
    }
  });

  it('float32 blocks accumulated into float64 stay accurate over a million rows; float32 accumulation does not', () => {
    // Co-range accumulation X (k x n) += G_blk^T (k x b) A_blk (b x n) over 2^20 rows in blocks.
    // Reference: the same float32 inputs, all in float64. Expected error of the float32 -> float64
    // path: per-block float32 sums, ~ eps32 sqrt(b) relative to each block's size, independent of
    // the number of blocks. Negative control: the same stream accumulated in a float32 X.
    const [k, n, b, blocks] = [4, 8, 4096, 256];
    const rnd = lcg(77);
    const g = new Float32Array(b * k), a = new Float32Array(b * n);
    const x64 = new Float64Array(k * n), x32 = new Float32Array(k * n), ref = new Float64Array(k * n);
    const g64 = new Float64Array(b * k), a64 = new Float64Array(b * n);
    for (let blk = 0; blk < blocks; blk++) {
      // Positive data: sums grow like the row count, the hard case for a float32 accumulator.
      for (let i = 0; i < g.length; i++) { g[i] = 1 + 0.5 * rnd(); g64[i] = g[i]; }
      for (let i = 0; i < a.length; i++) { a[i] = 1 + 0.5 * rnd(); a64[i] = a[i]; }
      wasmOnly(true, false, k, n, b, 1, g, 0, k, a, 0, n, 1, x64, 0, n);
      wasmOnly(true, false, k, n, b, 1, g, 0, k, a, 0, n, 1, x32, 0, n);
      gemmTs(true, false, k, n, b, 1, g64, 0, k, a64, 0, n, 1, ref, 0, n);
    }
    let scale = 0, e64 = 0, e32 = 0;
    for (let i = 0; i < k * n; i++) {
      scale = Math.max(scale, Math.abs(ref[i]));
      e64 = Math.max(e64, Math.abs(x64[i] - ref[i]));
      e32 = Math.max(e32, Math.abs(x32[i] - ref[i]));
    }
    // Worst-case float32 dot-product bound per block, b eps32 * (b * 1.5 * 1.5), summed over blocks,
    // is ~ 6e-3 relative; rounding errors of random sign make it far smaller in practice.
    expect(e64 / scale).toBeLessThan(1e-6);
    expect(e32).toBeGreaterThan(8 * e64);
  });

  it('the arena aligns, never overlaps, coalesces freed neighbours, and rejects unknown addresses', () => {
    const sizes = [1000, 10, 2000, 7];
    const first = sizes.map((n, i) => (i % 2 ? allocF32(n) : allocF64(n)));
    const ranges = first.map((v) => [v.byteOffset, v.byteOffset + v.byteLength] as const).sort((p, q) => p[0] - q[0]);
    for (const [s0] of ranges) expect(s0 % 64).toBe(0);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i][0]).toBeGreaterThanOrEqual(ranges[i - 1][1]);
    for (const v of first) freeArena(v);
    // Same sizes again land at the same places (first fit over the restored free list).
    const again = sizes.map((n, i) => (i % 2 ? allocF32(n) : allocF64(n)));
    expect(again.map((v) => v.byteOffset)).toEqual(first.map((v) => v.byteOffset));
    for (const v of again) freeArena(v);
    // Two large neighbours from the top, freed, coalesce into one range that holds both.
    const x = allocF64(1_000_000), y = allocF64(1_000_000);
    expect(y.byteOffset).toBe(x.byteOffset + 8_000_000);
    freeArena(x); freeArena(y);
    const z = allocF64(2_000_000);
    expect(z.byteOffset).toBe(x.byteOffset);
    expect(z.every((v) => v === 0)).toBe(true);
    freeArena(z);
    expect(() => arenaFree(12345)).toThrow(/not an allocated address/);
    // Scratch given back is reused, and products grow it again on demand.
    releaseKernelScratch();
    check(wasmOnly, { ta: true, tb: true, m: 9, n: 11, k: 70, alpha: 1, beta: 0.5, offA: 0, offB: 0, offC: 0, padA: 0, padB: 0, padC: 0, seed: 3 },
      Float64Array, Float64Array, Float64Array);
    expect(() => freeArena(new Float64Array(4))).not.toThrow();
  });

  it('property: a packed panel reused over several row blocks gives the reference product', () => {
    fc.assert(fc.property(
      fc.record({
        ta: fc.boolean(), tb: fc.boolean(), blocks: fc.integer({ min: 1, max: 3 }),
        m: fc.integer({ min: 1, max: 30 }), n: fc.integer({ min: 1, max: 40 }), k: fc.integer({ min: 1, max: 300 }),
        alpha: fc.constantFrom(1, -2), beta: fc.constantFrom(0, 1, 0.5), seed: fc.nat(),
      }),
      fc.constantFrom<[Ctor, Ctor]>([Float64Array, Float64Array], [Float32Array, Float32Array], [Float32Array, Float64Array]),
      (cs, [TI, TC]) => {
        const rnd = lcg(cs.seed);
        const ldb = cs.tb ? cs.k : cs.n;
        const b = filled(TI, cs.k * cs.n, rnd);
        const panel = packPanel(cs.tb, cs.k, cs.n, b, 0, ldb);
        try {
          for (let blk = 0; blk < cs.blocks; blk++) {
            const lda = cs.ta ? cs.m : cs.k;
            const a = filled(TI, cs.m * cs.k, rnd), c = filled(TC, cs.m * cs.n, rnd);
            const ref = Float64Array.from(c);
            gemmPacked(cs.ta, cs.m, cs.alpha, a, 0, lda, panel, cs.beta, c, 0, cs.n);
            gemmTs(cs.ta, cs.tb, cs.m, cs.n, cs.k, cs.alpha, Float64Array.from(a), 0, lda, Float64Array.from(b), 0, ldb, cs.beta, ref, 0, cs.n);
            const tol = (TI === Float32Array ? 2 ** -24 : 2 ** -53) * 4 * (cs.k + 2) * (Math.abs(cs.alpha) * cs.k + 1);
            for (let i = 0; i < ref.length; i++) expect(Math.abs(c[i] - ref[i])).toBeLessThanOrEqual(tol + (TC === Float32Array ? 2 ** -24 * Math.abs(ref[i]) : 0));
          }
        } finally {
          freePanel(panel);
        }
      }), { numRuns: 80 });
  });

  it('property: wasm and TypeScript paths agree with the reference on random shapes', () => {
    fc.assert(fc.property(
      fc.record({
        ta: fc.boolean(), tb: fc.boolean(),
        m: fc.integer({ min: 1, max: 40 }), n: fc.integer({ min: 1, max: 40 }), k: fc.integer({ min: 1, max: 600 }),
        alpha: fc.constantFrom(1, -1, 0.5, 3), beta: fc.constantFrom(0, 1, -0.25),
        offA: fc.nat(5), offB: fc.nat(5), offC: fc.nat(5), padA: fc.nat(4), padB: fc.nat(4), padC: fc.nat(4),
        seed: fc.nat(),
      }),
      fc.constantFrom<Ctor>(Float64Array, Float32Array),
      (cs, T) => {
        check(wasmOnly, cs, T, T, T);
        check(gemmTs, cs, T, T, T);
      }), { numRuns: 150 });
  });
});
