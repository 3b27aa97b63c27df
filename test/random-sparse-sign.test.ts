/**
 * The compressed sparse-sign generator (`fillSparseSignItems`) follows its documented word consumption:
 * item i's words are Philox4x32-10 blocks (counter (i mod 2^32, floor(i / 2^32), b, 0), key (seed,
 * purposeKey)); words 0 .. zeta - 1 drive Floyd's sample of zeta positions (in draw order), word zeta
 * gives the signs; its items scattered densely equal `fillItems('sparse-sign', ...)`; and the
 * WebAssembly loop (outputs in the kernels' memory) gives the same items.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arenaAlloc, arenaFree } from '../src/kernels/wasm-arena.js';
import { wasmRuntime } from '../src/kernels/wasm-runtime.js';
import { philox4x32 } from '../src/random/philox.js';
import { purposeKey, type Purpose } from '../src/random/purposes.js';
import { fillItems, fillSparseSignItems, sparseSignZeta } from '../src/random/test-matrix.js';

/** The first `n` words of item i, block by block. */
function itemWords(seed: number, purpose: Purpose, i: number, n: number): number[] {
  const out: number[] = [], w = new Uint32Array(4);
  for (let b = 0; 4 * b < n; b++) {
    philox4x32(i % 2 ** 32, Math.floor(i / 2 ** 32), b, 0, seed, purposeKey(purpose), w);
    out.push(...w);
  }
  return out.slice(0, n);
}

/** The documented construction, written out plainly. */
function reference(seed: number, purpose: Purpose, dim: number, i0: number, count: number): { idx: number[]; val: number[] } {
  const zeta = sparseSignZeta(dim), scale = Math.sqrt(dim / zeta), idx: number[] = [], val: number[] = [];
  for (let t = 0; t < count; t++) {
    const w = itemWords(seed, purpose, i0 + t, zeta + 1);
    const pos: number[] = [];
    for (let p = 0; p < zeta; p++) {
      const j = dim - zeta + p;
      const r = Math.floor(w[p] / 2 ** 32 * (j + 1));
      pos.push(pos.includes(r) ? j : r);
    }
    for (let p = 0; p < zeta; p++) { idx.push(pos[p]); val.push((w[zeta] >>> p) & 1 ? scale : -scale); }
  }
  return { idx, val };
}

/** fillSparseSignItems equals `reference`; returns its output. */
function expectReference(seed: number, purpose: Purpose, dim: number, i0: number, count: number): { idx: Int32Array; val: Float64Array } {
  const zeta = sparseSignZeta(dim);
  const idx = new Int32Array(count * zeta), val = new Float64Array(count * zeta);
  fillSparseSignItems(seed, purpose, dim, i0, count, idx, val);
  const ref = reference(seed, purpose, dim, i0, count);
  expect(Array.from(idx)).toEqual(ref.idx);
  expect(Array.from(val)).toEqual(ref.val);
  return { idx, val };
}

const CASES: [number, Purpose, number, number, number][] = [
  [1, 'upsilon', 1, 0, 1], [2, 'phi', 3, 63, 2], [3, 'upsilon', 7, 65, 130], [4, 'psi', 8, 127, 300],
  [0, 'phi', 83, 1, 64], [4294967295, 'upsilon', 41, 100_000, 257], [7, 'omega', 259, 33, 70],
  [5, 'phi', 4, 2 ** 32 - 3, 9], [6, 'omega', 12, 2 ** 40 + 5, 20],
];

describe('fillSparseSignItems', () => {
  it('equals the documented Philox word consumption + Floyd item by item, and the dense fillItems', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 10 ** 7 }), fc.integer({ min: 1, max: 200 }),
      fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom<Purpose>('upsilon', 'phi', 'omega', 'psi', 'test-x'),
      (dim, i0, count, seed, purpose) => {
        const zeta = sparseSignZeta(dim);
        const { idx, val } = expectReference(seed, purpose, dim, i0, count);
        const dense = new Float64Array(count * dim), scattered = new Float64Array(count * dim);
        fillItems('sparse-sign', seed, purpose, dim, i0, count, dense);
        for (let p = 0; p < count * zeta; p++) scattered[Math.floor(p / zeta) * dim + idx[p]] = val[p];
        expect(scattered).toEqual(dense);
      },
    ), { numRuns: 60 });
  });

  it('covers dim < 8, zeta + 1 words across one to three blocks, and items past 2^32', () => {
    for (const [seed, purpose, dim, i0, count] of CASES) expectReference(seed, purpose, dim, i0, count);
  });

  it.runIf(wasmRuntime() !== null)('outputs in the kernels\' memory (the WebAssembly loop) give the same items', () => {
    const rt = wasmRuntime()!;
    for (const [seed, purpose, dim, i0, count] of [...CASES, [9, 'phi', 2000, 5, 200]] as [number, Purpose, number, number, number][]) {
      const zeta = sparseSignZeta(dim), len = count * zeta;
      const base = arenaAlloc(16 + 12 * len);
      try {
        const val = new Float64Array(rt.memory.buffer, base, len), idx = new Int32Array(rt.memory.buffer, base + 8 * len, len);
        fillSparseSignItems(seed, purpose, dim, i0, count, idx, val);
        const ref = reference(seed, purpose, dim, i0, count);
        expect(Array.from(idx)).toEqual(ref.idx);
        expect(Array.from(val)).toEqual(ref.val);
      } finally {
        arenaFree(base);
      }
    }
  });
});
