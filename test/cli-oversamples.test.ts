/**
 * `--oversamples P` (scikit-learn's n_oversamples, issue 14's mapping): the width becomes rank + P
 * for every method instead of the budget rule, and it is refused together with explicit sizes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, expectUsageFailure, runCli } from './helpers/cli-harness.js';

const INPUT = 'data/sklearn_digits.npy';

async function sketchOf(args: string[]): Promise<Record<string, number | string>> {
  const r = await runCli(['approx', INPUT, '--rank', '10', '--json', '--no-progress', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { sketch: Record<string, number | string> }).sketch;
}

describe('approx --oversamples', () => {
  beforeAll(ensureBuilt, 300_000);

  it('sets the width rank + P for rsvd, RSI, the three-sketch and FD', async () => {
    // Control: without it the budget rule chooses another width for the default (rsvd).
    expect((await sketchOf([])).l).not.toBe(17);
    expect(await sketchOf(['--oversamples', '7'])).toMatchObject({ l: 17, oversamples: 7 });
    expect(await sketchOf(['--oversamples', '7', '--passes', '3'])).toMatchObject({ l: 17, oversamples: 7, powerIterations: 2 });
    expect(await sketchOf(['--oversamples', '7', '--method', 'three-sketch'])).toMatchObject({ k: 17 });
    expect(await sketchOf(['--oversamples', '7', '--method', 'fd'])).toMatchObject({ l: 17 });
  }, 120_000);

  it('is refused with explicit sizes and below 0', async () => {
    expect(expectUsageFailure(await runCli(['approx', INPUT, '--rank', '10', '--oversamples', '5', '--range-dim', '20']))).toMatch(/oversamples.*not both/);
    expect(expectUsageFailure(await runCli(['approx', INPUT, '--rank', '10', '--oversamples', '-1']))).toMatch(/--oversamples expects an integer/);
  }, 60_000);
});
