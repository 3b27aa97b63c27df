/**
 * Several passes over shards (issue 17), without a queue: the PassRunner of `approx --distributed
 * --passes P` (gram-runner.ts) with each pass's shard jobs run in this process (`runJobsHere`: what
 * a `rangefinder worker` runs for a job), against `runPasses` streaming the same stacked inputs in
 * one process. The queue's own part (BullMQ, Redis, worker processes) is e2e.test.ts's.
 *
 * - RSI (even and odd view counts, with the error after every pass) and block Krylov: S, U, V and
 *   ||A||_F agree with one process to 1e-12 (the sums are only taken in another order); a control
 *   run with another seed differs by far more, so the comparison can fail.
 * - The same sharding twice gives bit-identical factors (a job is a function of its data).
 * - A job whose options do not give its X's width (a hostile queue) is refused before allocating.
 * - A piece that is damaged, or is another shard's, or a shard whose values chose another power-of-two
 *   scaling, is refused with a message naming the shard; a zero matrix gives the zero result.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseApproxArgs } from '../../streams/cli/approx-args.js';
import { gramRunner, runJobsHere, type RunJobs } from '../../streams/cli/distributed/gram-runner.js';
import { prepareShards, type ShardSetup } from '../../streams/cli/run-distributed.js';
import type { CommandIo } from '../../streams/cli/run-approx.js';
import { runPasses, type RunPassesResult, type RunPlan } from '../../streams/run-passes.js';
import { stackRows } from '../../streams/wrappers/stack-rows.js';
import { writeNpyMatrix } from '../helpers/cli-harness.js';

const M1 = 700, M2 = 500, N = 30, RANK = 4;

function matrix(rows: number, cols: number, phase: number, scale = 1): Float64Array {
  const a = new Float64Array(rows * cols);
  // A slowly decaying spectrum: a few passes do not converge, so the seed shows in the factors.
  for (let j = 0; j < cols; j++) {
    const s = scale * 0.9 ** j;
    for (let i = 0; i < rows; i++) {
      const u = Math.sin(0.29 * (i + phase + 1) * (j + 1) + j);
      for (let c = 0; c < cols; c++) a[i * cols + c] += s * u * Math.cos(0.83 * (c + 1) * (j + 2) + 0.4 * j);
    }
  }
  for (let k = 0; k < a.length; k++) a[k] += scale * 1e-2 * Math.sin(7.31 * (k + phase * cols));
  return a;
}

const quiet: CommandIo = {
  stdout: new Writable({ write: (_c, _e, cb) => cb() }),
  stderr: Object.assign(new Writable({ write: (_c, _e, cb) => cb() }), { isTTY: false }) as unknown as NodeJS.WriteStream,
};

describe('multi-pass over shards (gram-runner) against one process', () => {
  let dir: string;
  const setups: ShardSetup[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rf-gram-shards-'));
    writeNpyMatrix(join(dir, 'a.npy'), { rows: M1, cols: N, data: matrix(M1, N, 0), offset: 0, stride: N });
    writeNpyMatrix(join(dir, 'b.npy'), { rows: M2, cols: N, data: matrix(M2, N, M1), offset: 0, stride: N });
    writeNpyMatrix(join(dir, 'zero.npy'), { rows: 50, cols: N, data: new Float64Array(50 * N), offset: 0, stride: N });
    writeNpyMatrix(join(dir, 'huge.npy'), { rows: 60, cols: N, data: matrix(60, N, 3, 2 ** 900), offset: 0, stride: N });
  });
  afterAll(() => {
    for (const s of setups) s.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function setup(files: string[], shards: number): Promise<{ s: ShardSetup; opts: ReturnType<typeof parseApproxArgs> }> {
    const opts = parseApproxArgs([...files.map((f) => join(dir, f)), '--distributed', 'redis://127.0.0.1:1', '--shards', String(shards),
      '--shard-dir', dir, '--rank', String(RANK), '--passes', '3', '--no-progress']);
    const s = await prepareShards(opts, quiet);
    setups.push(s);
    return { s, opts };
  }

  async function sharded(files: string[], shards: number, plan: RunPlan, seed: number, every: boolean, run: RunJobs = runJobsHere): Promise<RunPassesResult> {
    const { s, opts } = await setup(files, shards);
    const source = stackRows(s.sources);
    const runner = gramRunner(s, opts, quiet, source, true, run);
    return runPasses(source, plan, { seed, runner, spill: 'memory', ...(every ? { resultEveryPass: true } : {}) });
  }

  async function local(files: string[], plan: RunPlan, seed: number, every: boolean): Promise<RunPassesResult> {
    const { s } = await setup(files, 1);
    return runPasses(stackRows(s.sources), plan, { seed, spill: 'memory', ...(every ? { resultEveryPass: true } : {}) });
  }

  const maxDiff = (a: RunPassesResult, b: RunPassesResult): number => {
    let d = 0;
    for (const [x, y] of [[a.s, b.s], [a.u!.data, b.u!.data], [a.v!.data, b.v!.data]] as const) {
      expect(x.length).toBe(y.length);
      for (let k = 0; k < x.length; k++) d = Math.max(d, Math.abs(x[k] - y[k]));
    }
    return d;
  };

  const plans: [string, RunPlan, boolean][] = [
    ['RSI, 3 passes, the error after every pass', { method: 'rsi', passes: 3, rank: RANK, oversamples: 6 }, true],
    ['RSI, 3 views (the last pass forms G only)', { method: 'rsi', passes: 2, rank: RANK, oversamples: 6, views: 3 }, false],
    ['block Krylov, depth 2', { method: 'block-krylov', passes: 3, rank: RANK, oversamples: 2, krylovDepth: 2 }, false],
  ];
  for (const [name, plan, every] of plans) {
    it(`${name}: 7 shards of 2 files agree with one process to 1e-12`, async () => {
      const d = await sharded(['a.npy', 'b.npy'], 7, plan, 11, every);
      const l = await local(['a.npy', 'b.npy'], plan, 11, every);
      expect(d.u!.rows).toBe(M1 + M2);
      const diff = maxDiff(d, l);
      expect(diff).toBeLessThan(1e-12);
      expect(Math.abs(d.frobeniusNorm - l.frobeniusNorm)).toBeLessThan(1e-12 * l.frobeniusNorm);
      expect(d.passesRead).toBe(l.passesRead);
      expect(d.perPass.map((p) => p.relativeResidual)).toHaveLength(l.perPass.length);
      d.perPass.forEach((p, i) => expect(Math.abs(p.relativeResidual - l.perPass[i].relativeResidual)).toBeLessThan(1e-12));
      // Negative control: another seed is another approximation (its factors differ far beyond 1e-12).
      const other = await local(['a.npy', 'b.npy'], plan, 12, every);
      expect(maxDiff(d, other)).toBeGreaterThan(1e-9);
      d.dispose(); l.dispose(); other.dispose();
    }, 60_000);
  }

  it('the same sharding twice gives bit-identical factors', async () => {
    const plan: RunPlan = { method: 'rsi', passes: 2, rank: RANK, oversamples: 6 };
    const a = await sharded(['a.npy', 'b.npy'], 5, plan, 3, false);
    const b = await sharded(['a.npy', 'b.npy'], 5, plan, 3, false);
    expect(maxDiff(a, b)).toBe(0);
  }, 60_000);

  it('a damaged piece, or another shard\'s, is refused naming the shard', async () => {
    const plan: RunPlan = { method: 'rsi', passes: 2, rank: RANK, oversamples: 6 };
    // The worker's report says one thing, the file another: one byte of shard 2's piece changed after it was written.
    const damage: RunJobs = async (jobs) => {
      const res = await runJobsHere(jobs);
      const f = jobs[1].out, b = readFileSync(f);
      b[40] ^= 1;
      writeFileSync(f, b);
      return res;
    };
    await expect(sharded(['a.npy'], 3, plan, 1, false, damage)).rejects.toThrow(/^shard 2 of 3, pass 1 \(rows \d+:\d+ of .*a\.npy\): .* but worker here wrote/);
    // Shard 1's piece where shard 2's should be (and reported as such): whole, but not this shard's.
    const swap: RunJobs = async (jobs) => {
      const res = await runJobsHere(jobs);
      writeFileSync(jobs[1].out, readFileSync(jobs[0].out));
      res.set(1, { ...res.get(0)!, index: 1, path: jobs[1].out });
      return res;
    };
    await expect(sharded(['a.npy'], 3, plan, 1, false, swap)).rejects.toThrow(/shard 2 of 3, pass 1 .* is not this shard's piece of pass 1/);
    // A job (input from Redis) whose options ask for a far wider block than its X: refused before the state is allocated.
    const wide: RunJobs = (jobs) => runJobsHere(jobs.map((j, k) => (k === 0 ? { ...j, gram: { ...j.gram!, options: { ...j.gram!.options, oversamples: 1_000_000 } } } : j)));
    await expect(sharded(['a.npy'], 3, plan, 1, false, wide)).rejects.toThrow(/shard 1 of 3, pass 1 .*: the job's options give pass 1 a block of width 30, its right block .* has 10/);
  }, 60_000);

  it('shards whose values chose different power-of-two scalings are refused; a zero matrix gives the zero result', async () => {
    const plan: RunPlan = { method: 'rsi', passes: 2, rank: RANK, oversamples: 6 };
    await expect(sharded(['a.npy', 'huge.npy'], 2, plan, 1, false)).rejects.toThrow(/shard 2 of 2: its values needed the scaling 2\^-\d+, an earlier shard's 2\^0 .* run it without --distributed/);
    // All of one file is scaled alike: the same numbers as one process, scaled back.
    const h = await sharded(['huge.npy'], 3, plan, 1, false);
    const l = await local(['huge.npy'], plan, 1, false);
    for (let k = 0; k < h.s.length; k++) expect(Math.abs(h.s[k] - l.s[k])).toBeLessThan(1e-12 * l.s[0]);
    expect(h.s[0]).toBeGreaterThan(2 ** 899);
    const z = await sharded(['zero.npy'], 3, plan, 1, false);
    expect(z.zero).toBe(true);
    expect(Array.from(z.s)).toEqual(new Array(RANK).fill(0));
    // The pieces of finished passes are removed as they are merged; the shard directories at dispose.
    for (const s of setups.splice(0)) s.dispose();
    expect(readdirSync(dir).filter((f) => f.startsWith('rangefinder-shards'))).toEqual([]);
  }, 60_000);
});
