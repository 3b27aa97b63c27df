import { describe, expect, it } from 'vitest';
import { BudgetError, ArgumentError } from '../src/errors.js';
import { planPasses } from '../src/internals.js';
import { gramPassBytes } from '../src/multipass/gram-pass-bytes.js';

const MiB = 2 ** 20;

describe('planPasses', () => {
  it('one pass: the three-sketch with sizes from the budget, flat rule on a slow spectrum', () => {
    const p = planPasses({ passes: 1, memoryBudget: 64 * MiB, rank: 20, cols: 1000, spectrum: 'slow' });
    expect(p.method).toBe('three-sketch');
    expect(p.sizes.k).toBeGreaterThanOrEqual(22);
    expect(p.sizes.s).toBeGreaterThan(p.sizes.k!);
    expect(p.stateBytes).toBeLessThanOrEqual(64 * MiB);
    expect(p.reasons.join('\n')).toMatch(/three-sketch/);
    expect(p.reasons.join('\n')).toMatch(/'flat'/);
    const q = planPasses({ passes: 1, memoryBudget: 64 * MiB, rank: 20, cols: 1000, spectrum: 'fast' });
    expect(q.reasons.join('\n')).toMatch(/'natural'/);
  });

  it('P >= 2 passes: RSI with q = P - 1, 2P views; p = 10 when passes converge, more on few passes of a slow spectrum', () => {
    const p5 = planPasses({ passes: 5, memoryBudget: 64 * MiB, rank: 50, rows: 10000, cols: 2000, spectrum: 'slow' });
    expect(p5).toMatchObject({ method: 'rsi', powerIterations: 4, views: 10, oversamples: 10, sizes: { l: 60 } });
    const p2 = planPasses({ passes: 2, memoryBudget: 64 * MiB, rank: 50, rows: 10000, cols: 2000, spectrum: 'slow' });
    expect(p2).toMatchObject({ method: 'rsi', powerIterations: 1, oversamples: 25 });
    const f2 = planPasses({ passes: 2, memoryBudget: 64 * MiB, rank: 50, rows: 10000, cols: 2000, spectrum: 'fast' });
    expect(f2.oversamples).toBe(10);
    expect(p5.stateBytes).toBe(gramPassBytes('rsi', 2000, 60, 5));
    // the state does not depend on m
    const tall = planPasses({ passes: 5, memoryBudget: 64 * MiB, rank: 50, rows: 10 ** 9, cols: 2000, spectrum: 'slow' });
    expect(tall.stateBytes).toBe(p5.stateBytes);
  });

  it('caps the block width at min(m, n) and cuts p to the budget, saying so', () => {
    const capped = planPasses({ passes: 3, memoryBudget: 64 * MiB, rank: 60, rows: 64, cols: 2000 });
    expect(capped.sizes.l).toBe(64);
    expect(capped.reasons.join('\n')).toMatch(/p cut from 30 to 4/);
    const need = gramPassBytes('rsi', 5000, 40, 4);
    const cut = planPasses({ passes: 4, memoryBudget: need, rank: 30, cols: 5000 });
    expect(cut.oversamples).toBe(10);
    const tight = planPasses({ passes: 4, memoryBudget: gramPassBytes('rsi', 5000, 35, 4), rank: 30, cols: 5000 });
    expect(tight.oversamples).toBe(5);
    expect(tight.reasons.join('\n')).toMatch(/p cut from 10 to 5 by the memory budget/);
  });

  it('refuses an infeasible budget and states the smallest that works', () => {
    const min = gramPassBytes('rsi', 5000, 32, 3);
    expect(() => planPasses({ passes: 3, memoryBudget: min - 1, rank: 30, cols: 5000 })).toThrow(BudgetError);
    expect(() => planPasses({ passes: 3, memoryBudget: min - 1, rank: 30, cols: 5000 })).toThrow(`the smallest that works is`);
    expect(() => planPasses({ passes: 3, memoryBudget: min - 1, rank: 30, cols: 5000 })).toThrow(`(${min} bytes, oversamples 2)`);
    expect(planPasses({ passes: 3, memoryBudget: min, rank: 30, cols: 5000 }).oversamples).toBe(2);
    expect(() => planPasses({ passes: 1, memoryBudget: 1000, rank: 30, cols: 5000 })).toThrow(/smallest that works is .* bytes\)/);
  });

  it('block Krylov only when asked, with the Krylov width checked', () => {
    const k = planPasses({ passes: 3, memoryBudget: 64 * MiB, rank: 20, rows: 5000, cols: 800, method: 'block-krylov' });
    expect(k).toMatchObject({ method: 'block-krylov', krylovDepth: 2, sizes: { l: 30, width: 90 } });
    expect(k.stateBytes).toBe(gramPassBytes('block-krylov', 800, 30, 3));
    expect(() => planPasses({ passes: 5, memoryBudget: 64 * MiB, rank: 20, rows: 5000, cols: 90, method: 'block-krylov' })).toThrow(/Krylov space/);
    expect(() => planPasses({ passes: 1, memoryBudget: 64 * MiB, rank: 20, cols: 800, method: 'block-krylov' })).toThrow(/needs at least 2 passes/);
  });

  it("one pass with method 'rsi' plans the single-pass Gram RSVD (q = 0, two views) and says why", () => {
    const p = planPasses({ passes: 1, memoryBudget: 64 * MiB, rank: 20, cols: 800, method: 'rsi' });
    expect(p).toMatchObject({ method: 'rsi', passes: 1, powerIterations: 0, views: 2 });
    expect(p.reasons.join('\n')).toMatch(/Yu17/);
  });

  it('validates its arguments by name', () => {
    expect(() => planPasses({ passes: 0, memoryBudget: MiB, rank: 5, cols: 10 })).toThrow(ArgumentError);
    expect(() => planPasses({ passes: 2, memoryBudget: -1, rank: 5, cols: 10 })).toThrow(/memoryBudget/);
    expect(() => planPasses({ passes: 2, memoryBudget: MiB, rank: 11, cols: 10 })).toThrow(/rank 11 exceeds/);
  });
});
