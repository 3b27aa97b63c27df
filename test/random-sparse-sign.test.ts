/**
 * The compressed sparse-sign generator (`fillSparseSignItems`, xor128 inlined) is bit for bit the
 * generic path: seedrandom's xor128 seeded with `${seed}:${purpose}:${group}`, skipped into the
 * 64-item group, Floyd's sample of zeta positions (in draw order), then one draw of signs; and its
 * items scattered densely equal `fillItems('sparse-sign', ...)`.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { arenaAlloc, arenaFree } from '../src/kernels/wasm-arena.js';
import { wasmRuntime } from '../src/kernels/wasm-runtime.js';
import { fillItems, fillSparseSignItems, sparseSignZeta } from '../src/random/test-matrix.js';

/** The generic path, written out with seedrandom (as `forEachItem` + `floydSample` did). */
function reference(seed: number, purpose: string, dim: number, i0: number, count: number): { idx: number[]; val: number[] } {
  const zeta = sparseSignZeta(dim), scale = Math.sqrt(dim / zeta), idx: number[] = [], val: number[] = [];
  for (let t = 0; t < count; t++) {
    const i = i0 + t, g = Math.floor(i / 64);
    const rng = seedrandom.xor128(`${seed >>> 0}:${purpose}:${g}`);
    for (let d = 0; d < (i - 64 * g) * (zeta + 1); d++) rng.int32();
    const pos: number[] = [];
    for (let j = dim - zeta; j < dim; j++) {
      const r = Math.floor((rng.int32() >>> 0) * (1 / 4294967296) * (j + 1));
      pos.push(pos.includes(r) ? j : r);
    }
    const signs = rng.int32();
    for (let p = 0; p < zeta; p++) { idx.push(pos[p]!); val.push((signs >>> p) & 1 ? scale : -scale); }
  }
  return { idx, val };
}

/** fillSparseSignItems equals `reference`; returns its output. */
function expectReference(seed: number, purpose: string, dim: number, i0: number, count: number): { idx: Int32Array; val: Float64Array } {
  const zeta = sparseSignZeta(dim);
  const idx = new Int32Array(count * zeta), val = new Float64Array(count * zeta);
  fillSparseSignItems(seed, purpose, dim, i0, count, idx, val);
  const ref = reference(seed, purpose, dim, i0, count);
  expect(Array.from(idx)).toEqual(ref.idx);
  expect(Array.from(val)).toEqual(ref.val);
  return { idx, val };
}

describe('fillSparseSignItems', () => {
  it('equals seedrandom xor128 + Floyd item by item, and the dense fillItems', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 10 ** 7 }), fc.integer({ min: 1, max: 200 }),
      fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom('upsilon', 'phi', 'omega', 'psi', 'x'),
      (dim, i0, count, seed, purpose) => {
        const zeta = sparseSignZeta(dim);
        const { idx, val } = expectReference(seed, purpose, dim, i0, count);
        const dense = new Float64Array(count * dim), scattered = new Float64Array(count * dim);
        fillItems('sparse-sign', seed, purpose, dim, i0, count, dense);
        for (let p = 0; p < count * zeta; p++) scattered[Math.floor(p / zeta) * dim + idx[p]!] = val[p]!;
        expect(scattered).toEqual(dense);
      },
    ), { numRuns: 60 });
  });

  it('covers dim < 8, i0 off the 64-item groups and runs across several groups', () => {
    for (const [seed, purpose, dim, i0, count] of [
      [1, 'upsilon', 1, 0, 1], [2, 'phi', 3, 63, 2], [3, 'upsilon', 7, 65, 130], [4, 'psi', 8, 127, 300],
      [0, 'phi', 83, 1, 64], [4294967295, 'upsilon', 41, 100_000, 257], [7, 'omega', 259, 33, 70],
    ] as [number, string, number, number, number][]) {
      expectReference(seed, purpose, dim, i0, count);
    }
  });

  it.runIf(wasmRuntime() !== null)('outputs in the kernels\' memory (the WebAssembly loop) give the same items', () => {
    const rt = wasmRuntime()!;
    for (const [seed, purpose, dim, i0, count] of [
      [1, 'upsilon', 1, 0, 1], [2, 'phi', 3, 63, 2], [3, 'upsilon', 7, 65, 130], [4, 'psi', 8, 127, 300],
      [0, 'phi', 83, 1, 64], [4294967295, 'upsilon', 41, 100_000, 257], [7, 'omega', 259, 33, 70], [9, 'phi', 2000, 5, 200],
    ] as [number, string, number, number, number][]) {
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
