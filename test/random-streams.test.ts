/**
 * Independent random streams (src/random): the generators are counter-based, so
 * - the WebAssembly loops give the TypeScript values bit for bit;
 * - an item generated alone equals the same item inside any block, and shards generated in any order
 *   assemble the whole map;
 * - streams of distinct keys (purposes, seeds, the map and data domains) and adjacent items of one
 *   stream are uncorrelated within sampling noise, while the previous construction (seedrandom's xor128
 *   seeded per 64-item group from `${seed}:${purpose}:${group}`, GF(2)-linear in the seeding string)
 *   fails the same test.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { allocF32, allocF64, arenaAlloc, arenaFree, freeArena } from '../src/kernels/wasm-arena.js';
import { wasmRuntime } from '../src/kernels/wasm-runtime.js';
import { boxMuller } from '../src/random/box-muller.js';
import { gaussianItemsJs, sparseSignItemsJs } from '../src/random/items-js.js';
import { DATA_PURPOSES, purposeKey, type Purpose } from '../src/random/purposes.js';
import { fillItems, fillSparseSignItems, sparseSignZeta, TEST_MATRIX_FAMILIES, testMatrix } from '../src/random/test-matrix.js';

const hasWasm = wasmRuntime() !== null;

describe('WebAssembly and TypeScript generators', () => {
  it.runIf(hasWasm)('give bit-identical Gaussian items (float64 and float32, arena and plain outputs, offsets and strides, items past 2^32)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 70 }), fc.constantFrom(0, 5, 2 ** 32 - 7, 2 ** 45 + 3), fc.integer({ min: 1, max: 1200 }),
      fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom<Purpose>('upsilon', 'phi', 'theta', 'synthetic:noise'),
      fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 4 }), fc.boolean(),
      (dim, i0, count, seed, purpose, off, pad, f32) => {
        const ld = dim + pad, len = off + count * ld;
        const make = () => (f32 ? new Float32Array(len) : new Float64Array(len)).fill(7);
        const js = make(), plain = make(), wa = (f32 ? allocF32(len) : allocF64(len)).fill(7);
        try {
          gaussianItemsJs(seed, purposeKey(purpose), dim, i0, count, js, off, ld); // the TypeScript loop
          fillItems('gaussian', seed, purpose, dim, i0, count, plain, off, ld); // WebAssembly through the scratch
          fillItems('gaussian', seed, purpose, dim, i0, count, wa, off, ld); // WebAssembly in place
          for (let x = 0; x < len; x++) {
            if (!Object.is(js[x], wa[x]) || !Object.is(js[x], plain[x])) expect([x, wa[x], plain[x]]).toEqual([x, js[x], js[x]]);
          }
          if (off > 0) expect(js[0]).toBe(7); // padding untouched
        } finally {
          freeArena(wa);
        }
      }), { numRuns: 100 });
  });

  it.runIf(hasWasm)('give bit-identical sparse-sign items on a large sample (10^5 items, dims 1 to 300, arena and plain outputs)', () => {
    const rt = wasmRuntime()!;
    let items = 0;
    for (const dim of [1, 2, 3, 4, 7, 8, 9, 64, 300]) {
      const n = 12000, zeta = sparseSignZeta(dim), base = arenaAlloc(12 * n * zeta + 16);
      try {
        const wv = new Float64Array(rt.memory.buffer, base, n * zeta), wi = new Int32Array(rt.memory.buffer, base + 8 * n * zeta, n * zeta);
        const ji = new Int32Array(n * zeta), jv = new Float64Array(n * zeta), pi = new Int32Array(n * zeta), pv = new Float64Array(n * zeta);
        sparseSignItemsJs(dim, purposeKey('phi'), dim, zeta, Math.sqrt(dim / zeta), 3 * dim, n, ji, jv);
        fillSparseSignItems(dim, 'phi', dim, 3 * dim, n, wi, wv);
        fillSparseSignItems(dim, 'phi', dim, 3 * dim, n, pi, pv);
        expect(wi).toEqual(ji);
        expect(wv).toEqual(jv);
        expect(pi).toEqual(ji);
        expect(pv).toEqual(jv);
        items += n;
      } finally {
        arenaFree(base);
      }
    }
    expect(items).toBeGreaterThanOrEqual(1e5);
  });
});

describe('random access', () => {
  it('item i generated alone equals item i inside any block, for every family', () => {
    fc.assert(fc.property(
      fc.constantFrom(...TEST_MATRIX_FAMILIES), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 2 ** 33 }),
      fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      (family, dim, i0, count, seed) => {
        const block = new Float64Array(count * dim), one = new Float64Array(dim);
        fillItems(family, seed, 'psi', dim, i0, count, block);
        for (const t of [0, count - 1, count >> 1]) {
          fillItems(family, seed, 'psi', dim, i0 + t, 1, one);
          expect(one).toEqual(block.subarray(t * dim, (t + 1) * dim));
        }
      }), { numRuns: 100 });
  });

  it('shards generated in any order (JS or WebAssembly outputs) assemble the whole map', () => {
    fc.assert(fc.property(
      fc.constantFrom(...TEST_MATRIX_FAMILIES), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 300 }),
      fc.array(fc.integer({ min: 1, max: 299 }), { maxLength: 6 }), fc.integer({ min: 0, max: 1000 }), fc.boolean(),
      (family, dim, items, cuts, seed, arena) => {
        const whole = testMatrix(family, seed, 'upsilon', items, dim).data;
        const bounds = [...new Set([0, items, ...cuts.filter((c) => c < items)])].sort((a, b) => a - b);
        const shards = bounds.slice(1).map((end, s) => [bounds[s], end] as const).reverse(); // last shard first
        const got = new Float64Array(items * dim);
        for (const [a, b] of shards) {
          const part = arena && hasWasm ? allocF64((b - a) * dim) : new Float64Array((b - a) * dim);
          fillItems(family, seed, 'upsilon', dim, a, b - a, part);
          got.set(part, a * dim);
          if (arena && hasWasm) freeArena(part);
        }
        expect(got).toEqual(whole);
      }), { numRuns: 60 });
  });
});

/** Pearson correlation of column ja of a and column jb of b (n x d row-major), b shifted by `lag` items. */
function corr(a: Float64Array, ja: number, b: Float64Array, jb: number, d: number, n: number, lag: number): number {
  let sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
  const m = n - lag;
  for (let i = 0; i < m; i++) {
    const x = a[i * d + ja], y = b[(i + lag) * d + jb];
    sa += x; sb += y; sab += x * y; saa += x * x; sbb += y * y;
  }
  const ma = sa / m, mb = sb / m;
  return (sab / m - ma * mb) / Math.sqrt((saa / m - ma * ma) * (sbb / m - mb * mb));
}

/** The Gaussian items of the previous construction: xor128 seeded per 64-item group from `${seed}:${purpose}:${group}`. */
function xor128Items(seed: number, purpose: string, dim: number, n: number): Float64Array {
  const out = new Float64Array(n * dim), draws = 2 * Math.ceil(dim / 2);
  for (let g = 0; 64 * g < n; g++) {
    const rng = seedrandom.xor128(`${seed}:${purpose}:${g}`) as unknown as { int32(): number };
    for (let t = 64 * g; t < Math.min(n, 64 * g + 64); t++) {
      for (let j = 0; j < draws; j += 2) { const w1 = rng.int32(), w2 = rng.int32(); boxMuller(w1, w2, out, t * dim + j, j + 1 < dim); }
    }
  }
  return out;
}

const MAPS: Purpose[] = ['omega', 'psi', 'upsilon', 'phi', 'theta', 'multipass-omega', 'multipass-psi', 'spectral-norm'];
const DATA: Purpose[] = ['synthetic:left', 'synthetic:right', 'synthetic:noise'];
const SEEDS = [0, 1, 2];
const N = 10_000, D = 4;

interface Stream { name: string; x: Float64Array }
interface Verdict { tests: number; worst: number; worstAt: string; over: string[]; meanZ2: number }

/**
 * Every pair of the 33 streams (8 map purposes and the 3 synthetic-source purposes, x 3 seeds: other
 * purposes, adjacent seeds, the data domain against the maps), and every stream against itself one item
 * later: all D x D coordinate pairs. z = rho sqrt(N) is N(0, 1) under independence.
 */
function crossCorrelations(streams: Map<string, Stream>): Verdict {
  const maps = MAPS.flatMap((p) => SEEDS.map((s) => streams.get(`${p}/${s}`)!));
  const data = DATA.flatMap((p) => SEEDS.map((s) => streams.get(`${p}/${s}`)!));
  const pairs: [Stream, Stream, number][] = [];
  const all = [...maps, ...data];
  for (let a = 0; a < all.length; a++) for (let b = a + 1; b < all.length; b++) pairs.push([all[a], all[b], 0]);
  for (const s of all) pairs.push([s, s, 1]);
  let tests = 0, worst = 0, worstAt = '', z2 = 0;
  const over: string[] = [];
  for (const [a, b, lag] of pairs) {
    for (let ja = 0; ja < D; ja++) {
      for (let jb = 0; jb < D; jb++) {
        const z = corr(a.x, ja, b.x, jb, D, N, lag) * Math.sqrt(N - lag);
        tests++; z2 += z * z;
        const at = `${a.name}[${ja}] ~ ${b.name}[${jb}]${lag ? ' (next item)' : ''}`;
        if (Math.abs(z) > worst) { worst = Math.abs(z); worstAt = at; }
        if (Math.abs(z) > 4) over.push(`${at}: z = ${z.toFixed(1)}`);
      }
    }
  }
  return { tests, worst, worstAt, over, meanZ2: z2 / tests };
}

function streamsOf(gen: (seed: number, purpose: Purpose) => Float64Array): Map<string, Stream> {
  const out = new Map<string, Stream>();
  for (const p of [...MAPS, ...DATA]) for (const s of SEEDS) out.set(`${p}/${s}`, { name: `${p}/${s}`, x: gen(s, p) });
  return out;
}

describe('independent streams', () => {
  it('8 purposes x 3 seeds x 10^4 items: cross-correlations (pairs, data domain, adjacent seeds and items) within 4/sqrt(N); the xor128 construction fails', () => {
    expect(DATA.every((p) => DATA_PURPOSES.includes(p))).toBe(true);
    const philox = crossCorrelations(streamsOf((seed, purpose) => testMatrix('gaussian', seed, purpose, N, D).data));
    // 8976 correlations. Measured: worst |z| 3.84 (omega/2 coordinates 1 and 2 of adjacent items), mean z^2 1.017.
    // Under independence the largest of ~9000 |z| exceeds 4 with probability ~0.4; these seeds and ids
    // happen to stay below it, and the mean of z^2 (1 +- 0.015 for independent z; 0.06 allows for the
    // overlap of the tests) is the check that does not rely on the maximum.
    expect(philox.tests).toBe(8976);
    expect(philox.over).toEqual([]);
    expect(philox.worst).toBeLessThanOrEqual(4);
    expect(Math.abs(philox.meanZ2 - 1)).toBeLessThan(0.06);

    // Negative control: the same test on the previous construction.
    const old = streamsOf((seed, purpose) => xor128Items(seed, purpose, D, N));
    const xor = crossCorrelations(old);
    expect(xor.over.length).toBeGreaterThan(500); // measured 1005 of 8976
    expect(xor.meanZ2).toBeGreaterThan(5); // measured 8.2 (worst |z| 19.2)
    // The pairs behind the issue: the error map Theta against the synthetic source's streams (same seed, rows
    // = items), and one purpose at adjacent seeds.
    const z = (a: string, b: string, j: number) => corr(old.get(a)!.x, j, old.get(b)!.x, j, D, N, 0) * Math.sqrt(N);
    expect(Math.abs(z('theta/0', 'synthetic:noise/0', 0))).toBeGreaterThan(8); // measured -10.8
    expect(Math.abs(z('theta/0', 'synthetic:left/0', 1))).toBeGreaterThan(4); // measured -5.9
    expect(Math.abs(z('theta/0', 'theta/1', 0))).toBeGreaterThan(4); // measured -8.9
  }, 60_000);
});
