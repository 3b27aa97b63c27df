/**
 * Memory independent of the number of rows [docs/METHODS.md §6]: the same budget gives the same state
 * bytes after 10^4 and 10^5 rows of width 256, within the budget, and the process's heap plus array
 * buffers differ by less than 10 MB. (The 10^6-row figures come from `npx tsx bench/sketch-memory.ts`,
 * kept out of the test suite for time.)
 */
import { describe, expect, it } from 'vitest';
import { measureSketchMemory } from '../bench/sketch-memory-run.js';

describe('memory independent of the number of rows', () => {
  it('10^4 and 10^5 rows x 256: equal state bytes within the budget, heap + arrayBuffers within 10 MB', () => {
    measureSketchMemory(2000); // warm-up: JIT and kernel scratch settle
    const small = measureSketchMemory(10_000);
    const large = measureSketchMemory(100_000);
    expect(large.spilledRows).toBe(100_000);
    expect(large.stateBytes).toBe(small.stateBytes);
    expect(large.stateBytes).toBeLessThanOrEqual(large.budget);
    expect(Math.abs(large.deltaBytes - small.deltaBytes)).toBeLessThan(10 * 1024 * 1024);
  });
});
