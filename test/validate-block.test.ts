import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NonFiniteError, ShapeError } from '../src/errors.js';
import { checkRowLengths } from '../streams/check-row-lengths.js';
import { emptyStats } from '../streams/sources/source-options.js';
import { createBlockValidator } from '../streams/validate-block.js';

const value = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity) },
);

describe('createBlockValidator', () => {
  it('skip keeps exactly the finite rows, in order, renumbered across blocks', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 6 }), fc.array(fc.array(value, { minLength: 0, maxLength: 40 }), { minLength: 1, maxLength: 5 }),
      (cols, raw) => {
        const stats = emptyStats();
        const v = createBlockValidator({ cols, nonFinite: 'skip', where: 'w', stats });
        const kept: number[][] = [];
        const expected: number[][] = [];
        let input = 0;
        let next = 0;
        for (const vals of raw) {
          const rows = Math.floor(vals.length / cols);
          const data = Float64Array.from(vals.slice(0, rows * cols));
          for (let i = 0; i < rows; i++) {
            const row = Array.from(data.subarray(i * cols, (i + 1) * cols));
            if (row.every(Number.isFinite)) expected.push(row);
          }
          const b = v(input, rows, data);
          input += rows;
          if (b === null) continue;
          expect(b.rowStart).toBe(next);
          next += b.rows;
          for (let i = 0; i < b.rows; i++) kept.push(Array.from(b.data.subarray(i * cols, (i + 1) * cols)));
        }
        expect(kept).toEqual(expected);
        expect(stats.rowsRead).toBe(input);
        expect(stats.rowsEmitted + stats.rowsSkipped).toBe(input);
      },
    ));
  });

  it('zero replaces exactly the non-finite values and counts them; error names the first one', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.array(value, { minLength: 1, maxLength: 60 }), (cols, vals) => {
      const rows = Math.floor(vals.length / cols);
      fc.pre(rows > 0);
      const orig = Float64Array.from(vals.slice(0, rows * cols));
      const bad = Array.from(orig).map((x, t) => [x, t] as const).filter(([x]) => !Number.isFinite(x));
      const stats = emptyStats();
      const b = createBlockValidator({ cols, nonFinite: 'zero', where: 'w', stats })(100, rows, orig.slice());
      expect(Array.from(b!.data)).toEqual(Array.from(orig).map((x) => (Number.isFinite(x) ? x : 0)));
      expect(stats.valuesZeroed).toBe(bad.length);
      expect(stats.rowsZeroed).toBe(new Set(bad.map(([, t]) => Math.floor(t / cols))).size);
      const run = (): unknown => createBlockValidator({ cols, nonFinite: 'error', where: 'w', stats: emptyStats() })(100, rows, orig.slice());
      if (bad.length === 0) expect(run()).not.toBeNull();
      else {
        const [x, t] = bad[0];
        const what = Number.isNaN(x) ? 'NaN (or null)' : x > 0 ? 'Infinity' : '-Infinity';
        expect(run).toThrow(new NonFiniteError(`row ${100 + Math.floor(t / cols)}: value at column ${t % cols} is ${what} (in w)`));
      }
    }));
  });

  it('columns orientation words the message as a column of A', () => {
    const v = createBlockValidator({ cols: 3, nonFinite: 'error', where: 'f.npy', stats: emptyStats(), orientation: 'columns' });
    expect(() => v(7, 1, Float64Array.from([1, NaN, 2]))).toThrow('column 7: value at row 1 is NaN (or null) (in f.npy)');
  });
});

describe('checkRowLengths', () => {
  it('names the first row of the wrong length with its global index', () => {
    expect(() => checkRowLengths(Int32Array.from([0, 4, 8, 11, 15]), 4, 4, 15, 'x.arrow')).toThrow(new ShapeError('row 17 has 3 values, expected 4 (in x.arrow)'));
    expect(() => checkRowLengths(BigInt64Array.from([0n, 2n, 4n]), 2, 2, 0, 'y')).not.toThrow();
  });
});
