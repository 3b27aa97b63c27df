/**
 * `approx --passes P` reports the error each pass bought (issue 18, item 6): JSON `perPass` and a
 * summary line for RSI with P >= 2, in every run, not only the demo. Each entry is the error of the
 * rank-r approximation after that pass, the same number a run with that many passes reports
 * (RSI with q = pass - 1, identical factors), and the last is the run's own error, which numpy
 * recomputes from the written factors. `--no-pass-errors` turns it off; block Krylov says why it has none.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from './helpers/cli-harness.js';
import { hasNumpy, runNumpy } from './helpers/numpy.js';

const INPUT = 'data/sklearn_digits.npy';
const dir = mkdtempSync(join(tmpdir(), 'rf-pass-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result { passes: number; errorEstimate: { frobenius: number; relative: number }; perPass?: { pass: number; relativeError: number; frobenius: number }[]; notes: string[] }

async function approx(args: string[]): Promise<Result> {
  const r = await runCli(['approx', INPUT, '--rank', '10', '--memory-budget', '320KiB', '--json', '--no-progress', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Result;
}

describe('approx --passes P: the error after every pass', () => {
  beforeAll(ensureBuilt, 300_000);

  it('perPass[j] is the error of a run with j passes; the last is the run\'s own, as numpy measures it from the files', async () => {
    const prefix = join(dir, 'rsi4');
    const run = await approx(['--passes', '4', '--out', prefix]);
    expect(run.perPass?.map((p) => p.pass)).toEqual([1, 2, 3, 4]);
    for (const j of [1, 2, 3]) {
      const alone = await approx(['--passes', String(j), '--method', 'rsi']);
      expect(Math.abs(run.perPass![j - 1]!.relativeError - alone.errorEstimate.relative), `pass ${j}`).toBeLessThan(1e-12);
    }
    const last = run.perPass![3]!;
    expect(Math.abs(last.frobenius - run.errorEstimate.frobenius) / last.frobenius).toBeLessThan(1e-12);
    if (hasNumpy()) {
      const [err] = runNumpy(`x = np.load(sys.argv[1]).astype(np.float64); p = sys.argv[2]
out = [np.linalg.norm(x - (np.load(p + '.U.npy') * np.load(p + '.S.npy')) @ np.load(p + '.V.npy').T)]`, [INPUT, prefix]);
      expect(Math.abs(err! - last.frobenius) / err!).toBeLessThan(1e-9);
    }
    // What the passes bought: the first pass is visibly worse than the last (a control on the data).
    expect(run.perPass![0]!.relativeError).toBeGreaterThan(1.05 * last.relativeError);
    const text = await runCli(['approx', INPUT, '--rank', '10', '--memory-budget', '320KiB', '--passes', '3', '--no-progress']);
    expect(text.stdout).toMatch(/error after each pass \(relative, exact\): 1: 0\.\d+ {2}2: 0\.\d+ {2}3: 0\.\d+/);
  }, 300_000);

  it('--no-pass-errors leaves it out (same factors); krylov says why it has none', async () => {
    const off = await approx(['--passes', '3', '--no-pass-errors']);
    const on = await approx(['--passes', '3']);
    expect(off.perPass).toBeUndefined();
    expect(on.perPass).toHaveLength(3);
    expect(off.errorEstimate).toEqual(on.errorEstimate);
    const krylov = await approx(['--passes', '3', '--method', 'krylov', '--memory-budget', '1MiB']);
    expect(krylov.perPass).toBeUndefined();
    expect(krylov.notes.join('\n')).toMatch(/no error per pass: block Krylov/);
  }, 300_000);
});
