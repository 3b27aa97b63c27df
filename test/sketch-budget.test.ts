/**
 * Memory budget [docs/METHODS.md §2]: sizes come from the bytes given by the natural or the flat rule;
 * below the feasible minimum the engine refuses with an error that states the smallest budget that
 * works; the state's actual bytes stay within the budget; explicit sizes override it.
 */
import { describe, expect, it } from 'vitest';
import {
  createSketch, minimumSketchBudget, sizesForStorage, sketchBytes, stateBytes, threeSketchBoundFactor, updateRows,
  type RangeSpill,
} from '../src/internals.js';
import { lowRank } from './sketch-helpers.js';

const discard: RangeSpill = { write() { /* rows go nowhere: the budget excludes the spill */ } };

describe('memory budget', () => {
  it('refuses a budget below the minimum and states the smallest that works (which does work)', () => {
    const tryBudget = (memoryBudget: number, sizeRule: 'natural' | 'flat' = 'flat') =>
      createSketch({ cols: 256, rank: 50, memoryBudget, sizeRule, spill: discard });
    let message = '';
    try { tryBudget(256 * 1024); } catch (e) { message = (e as Error).message; expect((e as { code: string }).code).toBe('BUDGET'); }
    expect(message).toMatch(/^memory budget 256\.0 KiB is too small for rank 50 with 256 columns .*: the smallest that works is [\d.]+ (KiB|MiB) \((\d+) bytes\)$/);
    const smallest = Number(/\((\d+) bytes\)/.exec(message)![1]);
    // At the minimum the natural rule lands on k = r + 2, s = 2k + 1; the flat rule (the default) may
    // trade core for range (s >= k + 1) within the same bytes.
    const nat = tryBudget(smallest, 'natural');
    expect(nat.sizes.k).toBe(52);
    expect(stateBytes(nat)).toBeLessThanOrEqual(smallest);
    const flat = tryBudget(smallest);
    expect(flat.sizes.k).toBeGreaterThanOrEqual(52);
    expect(flat.sizes.s).toBeGreaterThanOrEqual(flat.sizes.k + 1);
    expect(stateBytes(flat)).toBeLessThanOrEqual(smallest);
    expect(() => tryBudget(smallest - 1)).toThrow(/smallest that works/);
    expect(() => tryBudget(smallest - 1, 'natural')).toThrow(/smallest that works/);
  });

  for (const method of ['three-sketch', 'two-sketch', 'fd'] as const) for (const testMatrix of ['gaussian', 'sparse-sign'] as const) {
    it(`${method}, ${testMatrix}: state bytes within the budget after a stream, natural and flat`, () => {
      const n = 64;
      const a = lowRank(500, n, 8, 1);
      for (const budget of [200_000, 600_000, 2_000_000]) for (const sizeRule of ['natural', 'flat'] as const) {
        const st = createSketch({ cols: n, rank: 4, method, testMatrix, memoryBudget: budget, sizeRule, spill: discard });
        updateRows(st, a, 0);
        const bytes = stateBytes(st);
        expect(bytes).toBeLessThanOrEqual(budget);
        if (method === 'three-sketch' && sizeRule === 'natural') expect(st.sizes.s).toBeGreaterThanOrEqual(2 * st.sizes.k + 1);
      }
    });
  }

  it('keeping the range rows in memory counts them: the budget then needs rows (m)', () => {
    expect(() => createSketch({ cols: 32, rank: 3, memoryBudget: 1e6 })).toThrow(/needs a spill .* or `rows`/);
    const a = lowRank(3000, 32, 4, 2);
    const st = createSketch({ cols: 32, rank: 3, memoryBudget: 1e6, rows: 3000 });
    updateRows(st, a, 0);
    expect(stateBytes(st)).toBeLessThanOrEqual(1e6);
    expect(stateBytes(st)).toBeGreaterThan(3000 * st.sizes.k * 8); // the rows are in it
  });

  it('the flat rule minimises the bound factor; explicit sizes override the budget', () => {
    const q = { method: 'three-sketch' as const, testMatrix: 'gaussian' as const, dtype: 'float64' as const, seed: 0, center: false, cols: 100, rank: 5, q: 10, chunk: 32, rowsInMemory: 0 };
    const budget = 4 * minimumSketchBudget(q);
    const nat = createSketch({ cols: 100, rank: 5, testMatrix: 'gaussian', memoryBudget: budget, sizeRule: 'natural', spill: discard });
    const flat = createSketch({ cols: 100, rank: 5, testMatrix: 'gaussian', memoryBudget: budget, sizeRule: 'flat', spill: discard });
    expect(threeSketchBoundFactor(flat.sizes.k, flat.sizes.s, 5)).toBeLessThanOrEqual(threeSketchBoundFactor(nat.sizes.k, nat.sizes.s, 5));
    expect(sketchBytes({ ...q, chunk: flat.sizes.chunk }, flat.sizes)).toBeLessThanOrEqual(budget);
    const ex = createSketch({ cols: 100, rank: 5, memoryBudget: 1, rangeDim: 9, coreDim: 30, spill: discard });
    expect([ex.sizes.k, ex.sizes.s, ex.sizes.rule]).toEqual([9, 30, 'explicit']);
    expect(() => createSketch({ cols: 100, rank: 5, rangeDim: 4 })).toThrow(/rangeDim k must be an integer >= rank 5/);
    expect(() => createSketch({ cols: 100, rank: 5, rangeDim: 9, coreDim: 8 })).toThrow(/coreDim s must be an integer >= rangeDim/);
  });

  it('the papers\' storage rules reproduce their formulas (m = n = 1000, r = 10)', () => {
    // T/(m+n) = 16: k = floor((sqrt(2004^2 + 16 (32000 - 1)) - 2004) / 8) = 15, s = floor(sqrt(32000 - 30000)) = 44.
    expect(sizesForStorage('three-sketch', 32000, 1000, 1000, 10, 'natural')).toEqual({ k: 15, s: 44, l: 0 });
    const flat = sizesForStorage('three-sketch', 92 * 2000, 1000, 1000, 10, 'flat');
    expect(flat.k * 2000 + flat.s ** 2).toBeLessThanOrEqual(92 * 2000);
    const two = sizesForStorage('two-sketch', 66000, 1000, 1000, 10, 'natural');
    expect(two.k * 1000 + two.l * 1000).toBeLessThanOrEqual(66000);
    expect(two.l).toBeGreaterThanOrEqual(2 * two.k + 1);
  });
});
