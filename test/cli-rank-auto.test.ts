/**
 * `approx --rank auto` (issue 18, item 3): scikit-learn's n_components=0.9 on the command line. The
 * sketch is sized for the largest rank the budget allows, then the smallest rank whose certified
 * fraction meets the target is chosen. Checked against the exact spectrum (numpy's SVD of the same
 * matrix, centered with --center) on the shared real matrices (a clean skip when absent) and on the
 * committed digits matrix:
 * - the returned factors explain exactly what the JSON says (numpy's ||A - U S V^T||_F from the files);
 * - that is at least the target, and the factors of one rank less do not meet it (negative control);
 * - the rank scikit-learn would choose (from the exact spectrum) lies in [rankAtLeast, rank];
 * - what they explain is at most what the best rank-r approximation explains.
 * A target the sketch cannot certify is refused (exit 2) with the most it can.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, expectUsageFailure, runCli } from './helpers/cli-harness.js';
import { hasNumpy, runNumpy } from './helpers/numpy.js';
import { hasSharedData, realMatrix, sharedPath } from './helpers/shared-data.js';

const dir = mkdtempSync(join(tmpdir(), 'rf-rank-auto-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface RankAuto { rank: number; explained: number; relativeError: number; certified: boolean; basis: string; width: number; ceiling: number; rankAtLeast: number }
interface Result { rank: number; singularValues: number[]; errorEstimate: { normA: number }; rankAuto: RankAuto }

/**
 * [rank scikit-learn would choose for `target` from the exact spectrum, the exact fraction at the
 * chosen rank, at rankAtLeast - 1, the fraction the written factors explain, the same without their
 * last triplet].
 */
const ORACLE = `
x = np.load(sys.argv[1]).astype(np.float64); prefix = sys.argv[2]; target = float(sys.argv[3]); r = int(sys.argv[4]); lo = int(sys.argv[5]); center = sys.argv[6] == '1'
if center: x = x - np.load(prefix + '.mean.npy')
sig = np.linalg.svd(x, compute_uv=False); e = np.cumsum(sig ** 2) / np.sum(sig ** 2)
star = int(np.argmax(e >= target)) + 1
u = np.load(prefix + '.U.npy'); s = np.load(prefix + '.S.npy'); v = np.load(prefix + '.V.npy')
tot = np.sum(x ** 2)
got = 1 - np.sum((x - (u * s) @ v.T) ** 2) / tot
less = 1 - np.sum((x - (u[:, :-1] * s[:-1]) @ v[:, :-1].T) ** 2) / tot
out = [star, e[r - 1], e[lo - 2] if lo >= 2 else 0.0, got, less]
`;

interface Case { name: string; path: () => string | undefined; budget?: string; center?: boolean }

const SHARED = ['etopo20', 'hm_faceres_deep_feats', 'sklearn_digits', 'ppocr_rec_conv180', 'navy_winds_u'];
const CASES: Case[] = [
  ...SHARED.map((name) => ({ name, path: () => sharedPath('matrices', `${name}.npy`) })),
  // a sketch narrower than the matrix: the bracket [rankAtLeast, rank] is not a single rank
  { name: 'etopo20', path: () => sharedPath('matrices', 'etopo20.npy'), budget: '1MiB' },
  { name: 'ppocr_rec_conv180', path: () => sharedPath('matrices', 'ppocr_rec_conv180.npy'), center: true },
];
const sharedThere = SHARED.every((n) => hasSharedData('matrices', `${n}.npy`));

describe.skipIf(!hasNumpy())('approx --rank auto --explained-variance 0.9', () => {
  beforeAll(ensureBuilt, 300_000);

  const check = async (c: Case, target = 0.9): Promise<RankAuto> => {
    const prefix = join(dir, `${c.name}-${c.budget ?? 'default'}-${c.center ? 'c' : 'u'}`);
    const args = ['approx', c.path()!, '--rank', 'auto', '--explained-variance', String(target), '--out', prefix, '--json', '--no-progress',
      ...(c.budget ? ['--memory-budget', c.budget] : []), ...(c.center ? ['--center'] : [])];
    const run = await runCli(args, { timeoutMs: 240_000 });
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as Result;
    const a = json.rankAuto;
    expect(a).toMatchObject({ certified: true, basis: 'projection', rank: json.rank });
    const [star, best, belowLo, got, less] = runNumpy(ORACLE, [c.path()!, prefix, String(target), String(a.rank), String(a.rankAtLeast), c.center ? '1' : '0']);
    const tag = `${c.name} ${c.budget ?? ''} ${c.center ? 'centered' : ''}`;
    // The fraction the JSON reports is the one the written factors explain (certified, exact).
    expect(Math.abs(got! - a.explained), `${tag}: explained ${a.explained} vs the files' ${got}`).toBeLessThan(1e-9);
    expect(a.explained, tag).toBeGreaterThanOrEqual(target);
    expect(less!, `${tag}: one rank less must miss the target`).toBeLessThan(target);
    // The rank scikit-learn would choose is within the reported bracket, and no better than the optimum.
    expect(star!, `${tag}: exact rank ${star} in [${a.rankAtLeast}, ${a.rank}]`).toBeGreaterThanOrEqual(a.rankAtLeast);
    expect(star!, tag).toBeLessThanOrEqual(a.rank);
    expect(a.explained, tag).toBeLessThanOrEqual(best! + 1e-12);
    expect(belowLo!, `${tag}: the optimum below rankAtLeast misses the target`).toBeLessThan(target);
    // The minimality from the JSON alone: the first rank - 1 values explain less than the target.
    const n2 = json.errorEstimate.normA ** 2;
    expect(json.singularValues.slice(0, -1).reduce((t, s) => t + s * s, 0) / n2, tag).toBeLessThan(target);
    return a;
  };

  it('digits (committed): rank 9 uncentered, scikit-learn\'s 21 centered, the exact SVD agrees', async () => {
    const digits = realMatrix('sklearn_digits.npy')!;
    expect((await check({ name: 'digits', path: () => digits })).rank).toBe(9);
    expect((await check({ name: 'digits', path: () => digits, center: true })).rank).toBe(21);
    const exact = await runCli(['approx', digits, '--rank', 'auto', '--explained-variance', '0.9', '--center', '--method', 'exact', '--json']);
    expect(exact.code, exact.stderr).toBe(0);
    expect((JSON.parse(exact.stdout) as Result).rankAuto).toMatchObject({ rank: 21, basis: 'exact', certified: true, rankAtLeast: 21 });
  }, 300_000);

  for (const c of CASES) {
    it.skipIf(!sharedThere)(`shared ${c.name}${c.budget ? ` at ${c.budget}` : ''}${c.center ? ' --center' : ''}: a rank within the bound it reports`, async () => {
      const a = await check(c);
      if (c.budget === '1MiB') expect(a.width, 'the narrow sketch is narrower than the matrix').toBeLessThan(540);
    }, 300_000);
  }

  it('--relative-error E is explained 1 - E^2; an unreachable target is refused with what the sketch certifies', async () => {
    const digits = realMatrix('sklearn_digits.npy')!;
    const run = await runCli(['approx', digits, '--rank', 'auto', '--relative-error', '0.3', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const a = (JSON.parse(run.stdout) as Result).rankAuto;
    expect(a.relativeError).toBeLessThanOrEqual(0.3);
    expect(a.explained).toBeGreaterThanOrEqual(1 - 0.09);
    const msg = expectUsageFailure(await runCli(['approx', digits, '--rank', 'auto', '--relative-error', '0.01', '--memory-budget', '200KiB']));
    expect(msg).toMatch(/--rank auto --relative-error 0.01 is not met: this rsvd sketch \(width \d+\) reaches at best a relative error of 0\.\d+ \(at rank \d+\)/);
    expect(expectUsageFailure(await runCli(['approx', digits, '--rank', 'auto']))).toMatch(/--rank auto needs one target/);
    expect(expectUsageFailure(await runCli(['approx', digits, '--rank', '5', '--explained-variance', '0.9']))).toMatch(/target of --rank auto/);
    expect(expectUsageFailure(await runCli(['approx', digits, '--rank', 'auto', '--explained-variance', '1.5']))).toMatch(/strictly between 0 and 1/);
    expect(expectUsageFailure(await runCli(['approx', digits, '--rank', 'auto', '--explained-variance', '0.9', '--passes', '3']))).toMatch(/one-pass sketch/);
  }, 120_000);
});
