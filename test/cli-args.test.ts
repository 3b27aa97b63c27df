/**
 * The CLI's small pure pieces, in process: byte sizes, HOST:PORT, the approx option checks and the
 * mapping of errors to exit codes (2 for RangefinderErrors and the OS's complaints about the input,
 * 1 with "internal error" for anything else, the stack only with RANGEFINDER_DEBUG=1).
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { BudgetError, FormatError, NonFiniteError } from '../src/errors.js';
import { parseApproxArgs, parseHostPort } from '../streams/cli/approx-args.js';
import { parseByteSize } from '../streams/cli/parse-byte-size.js';
import { exitCodeOf, reportError } from '../streams/cli/report-error.js';
import { UsageError } from '../streams/cli/usage-error.js';

function capture(): { text: string; write(s: string): boolean } {
  return { text: '', write(s: string) { this.text += s; return true; } };
}

describe('cli arguments', () => {
  it('byte sizes: IEC, SI, plain bytes, fractions; garbage names the option', () => {
    expect(parseByteSize('64MiB', '--memory-budget')).toBe(64 * 2 ** 20);
    expect(parseByteSize('1GB', '--memory-budget')).toBe(1e9);
    expect(parseByteSize('500k', '--memory-budget')).toBe(500_000);
    expect(parseByteSize('1.5KiB', '--memory-budget')).toBe(1536);
    expect(parseByteSize('1048576', '--memory-budget')).toBe(1048576);
    expect(parseByteSize('16 kib', '--memory-budget')).toBe(16384);
    for (const bad of ['', 'lots', '64XB', '-5MiB', '0']) expect(() => parseByteSize(bad, '--memory-budget')).toThrow(/--memory-budget/);
  });

  it('HOST:PORT defaults to loopback', () => {
    expect(parseHostPort('9000', '--listen')).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(parseHostPort(':0', '--listen')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseHostPort('0.0.0.0:7000', '--listen')).toEqual({ host: '0.0.0.0', port: 7000 });
    expect(() => parseHostPort('host:99999', '--listen')).toThrow(/--listen expects HOST:PORT/);
  });

  it('approx defaults and checks', () => {
    const o = parseApproxArgs(['a.npy', '--rank', '7']);
    expect(o).toMatchObject({ input: 'a.npy', rank: 7, passes: 1, method: 'auto', memoryBudget: 64 * 2 ** 20, format: 'npy', progress: true, threads: Math.min(2, availableParallelism()), seed: 0 });
    expect(o.testMatrix).toBeUndefined(); // each method's library default (sparse sign one-pass, Gaussian RSI)
    expect(parseApproxArgs(['a.npy', '--rank', '2', '--test-matrix', 'gaussian']).testMatrix).toBe('gaussian');
    expect(parseApproxArgs(['-', '--rank', '2', '--no-progress']).progress).toBe(false);
    expect(parseApproxArgs(['a.npy', '--rank', '2']).sizeRule).toBe('flat');
    expect(parseApproxArgs(['a.npy', '--rank', '2', '--size-rule', 'natural']).sizeRule).toBe('natural');
    expect(() => parseApproxArgs(['a.npy', '--rank', '2', '--size-rule', 'steep'])).toThrow(/--size-rule must be natural or flat/);
    expect(parseApproxArgs(['--demo']).rank).toBe(10);
    expect(() => parseApproxArgs(['a.npy', '--rank', '3', '--bogus'])).toThrow('unknown option --bogus (see rangefinder approx --help)');
    expect(() => parseApproxArgs(['a.npy', '--rank'])).toThrow(/option --rank needs a value/);
    // Several files are one matrix stacked by rows (test/cli-stacked-inputs.test.ts); the first is `input`.
    expect(parseApproxArgs(['a.npy', 'b.npy', '--rank', '3'])).toMatchObject({ input: 'a.npy', inputs: ['a.npy', 'b.npy'] });
    expect(() => parseApproxArgs(['a.npy', '--rank', '3', '--format', 'arrow'])).toThrow(/--format needs --out/);
    expect(() => parseApproxArgs(['a.npy', '--rank', '0'])).toThrow(/--rank expects a positive integer/);
    expect(() => parseApproxArgs(['a.npy', '--rank', '3', '--demo'])).toThrow(/exactly one of/);
    expect(parseApproxArgs(['a.npy', '--rank', '3', '--out', 'p'])).not.toHaveProperty('dtype');
    expect(parseApproxArgs(['a.npy', '--rank', '3', '--out', 'p', '--dtype', 'float32', '--id-column', ' id '])).toMatchObject({ dtype: 'float32', idColumn: 'id' });
    expect(() => parseApproxArgs(['a.npy', '--rank', '3', '--out', 'p', '--dtype', 'f16'])).toThrow(/--dtype must be float32 or float64, found 'f16'/);
    expect(() => parseApproxArgs(['a.npy', '--rank', '3', '--dtype', 'float32'])).toThrow(/--dtype needs --out/);
    expect(() => parseApproxArgs(['a.npy', '--rank', '3', '--id-column', 'id'])).toThrow(/--id-column needs --out/);
    expect(() => parseApproxArgs(['a.npy', '--rank', '3', '--out', 'p', '--id-column', 'id', '--orientation', 'columns'])).toThrow(/--id-column does not apply to --orientation columns/);
  });

  it('exit codes: 2 for bad input and usage, 1 for internal errors; stack only when debugging', () => {
    for (const e of [new UsageError('x'), new BudgetError('x'), new FormatError('x'), new NonFiniteError('x'), Object.assign(new Error('gone'), { code: 'ENOENT' })]) {
      expect(exitCodeOf(e)).toBe(2);
    }
    expect(exitCodeOf(new TypeError('boom'))).toBe(1);
    const out = capture();
    expect(reportError(new FormatError('a.npy: truncated at row 4\nmore'), out as never, false)).toBe(2);
    expect(out.text).toBe('rangefinder: a.npy: truncated at row 4\n');
    const internal = capture();
    expect(reportError(new TypeError('boom'), internal as never, false)).toBe(1);
    expect(internal.text).toBe('rangefinder: internal error: boom\n');
    const debug = capture();
    reportError(new TypeError('boom'), debug as never, true);
    expect(debug.text).toMatch(/internal error: boom\nTypeError: boom\n\s+at /);
  });
});
