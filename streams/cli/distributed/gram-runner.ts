/**
 * `approx INPUTS... --distributed URL` with more than one pass (RSI with `--passes P`, or `--method
 * rsi | krylov`; issue 17): one BullMQ flow per pass. The client runs `approx`'s own multi-pass path
 * (run-multi-pass.ts, run-passes.ts) with a PassRunner whose every pass is
 *
 *   1. X of the pass (the client's Gram pass state) written to the shard directory (gram-shard.ts);
 *   2. one job per shard in a flow (run-distributed.ts `runFlow`): each worker streams its rows
 *      against X and saves its H, TSQR factor and, in the last pass, its rows of G;
 *   3. the pieces checked (the worker's SHA-256, and that each is this run's, pass's and shard's)
 *      and added into the client's state in shard order (`mergeGramPiece`), whatever order the
 *      workers finished in; then the client's `finishGramPass` forms the next X, or the factors.
 *
 * So the passes are those of one process streaming the stacked inputs, up to the rounding of the
 * sums' order (H adds, R factors merge by one more QR): the factors agree with `approx` on one
 * machine to about 1e-12 relative, and two runs with the same sharding are identical whatever
 * workers run them. U = G M is formed here from the shards' rows of G, in shard order.
 *
 * Pass 1 also gathers ||A||_F (each shard's scaled sum of squares), the power-of-two scaling of
 * values at the ends of the float64 range (every shard must choose the same, else the run is
 * refused: the pieces would not add), and the `--non-finite zero` counts.
 */
import { Observable } from 'rxjs';
import { combineSumSquares, DEFAULT_MULTIPASS_TEST_MATRIX, mergeGramPiece, SourceError, type GramPassState, type SumSquares } from '../../../src/internals.js';
import { rmSync } from 'node:fs';
import type { PassRunner } from '../../run-passes.js';
import type { RowBlock } from '../../types.js';
import { stackRows, type StackedSource } from '../../wrappers/stack-rows.js';
import type { ApproxOptions } from '../approx-args.js';
import type { CommandIo, OpenedInput } from '../run-approx.js';
import { checkShardFile, prepareShards, refuseUndistributable, runFlow, type ShardSetup } from '../run-distributed.js';
import { UsageError } from '../usage-error.js';
import { fileDigest } from './file-digest.js';
import { forEachGRow, readGramPiece, runGramShard, writePassX } from './gram-shard.js';
import { SHARD_JOB_VERSION, type GramJob, type ShardJobData, type ShardResult } from './shard-job.js';
import type { DistributedSummary } from '../approx-result.js';

export interface DistributedInput extends OpenedInput {
  passRunner: DistributedPassRunner;
  /** Removes the run's shard directory (also removed at exit and on signals). */
  dispose(): void;
}

/** Opens the inputs (headers only) as one stacked source and prepares the shards and their runner. */
export async function openDistributed(opts: ApproxOptions, io: CommandIo): Promise<DistributedInput> {
  refuseUndistributable(opts);
  const setup = await prepareShards(opts, io);
  try {
    const source = stackRows(setup.sources);
    const info = await source.info();
    return {
      source, info, orientation: 'rows', orientationReason: '--distributed: streamed by rows, in shards',
      passRunner: gramRunner(setup, opts, io, source, opts.out !== undefined, (jobs) => runFlow(setup.target, jobs[0].runId, jobs, opts, io)),
      dispose: () => setup.dispose(),
    };
  } catch (e) {
    setup.dispose();
    throw e;
  }
}

/** How a pass's jobs are run: a BullMQ flow (the CLI), or in this process (tests: the same sharding without a queue). */
export type RunJobs = (jobs: readonly ShardJobData[]) => Promise<Map<number, ShardResult>>;

export interface DistributedPassRunner extends PassRunner {
  /** The shards, workers and times of the passes run so far (the JSON's `distributed`). */
  summary(): DistributedSummary;
}

/** The jobs run in this process, one after the other: what the workers do, without Redis (tests compare the two). */
export const runJobsHere: RunJobs = async (jobs) => {
  const out = new Map<number, ShardResult>();
  for (const j of jobs) {
    const t0 = performance.now();
    const { rows } = await runGramShard(j, j.gram!);
    out.set(j.index, { index: j.index, path: j.out, ...(await fileDigest(j.out)), rows, worker: 'here', seconds: (performance.now() - t0) / 1000 });
  }
  return out;
};

/**
 * The PassRunner of a distributed run: `source` is the stacked inputs (its statistics are filled
 * from the shards), `wantG` keeps the last pass's rows of G for U, `runJobs` runs a pass's jobs.
 */
export function gramRunner(setup: ShardSetup, opts: ApproxOptions, io: CommandIo, source: StackedSource, wantG: boolean, runJobs: RunJobs): DistributedPassRunner {
  let exponent: number | null = null;
  let lastPieces: string[] = [];
  const workers = new Set<string>();
  const times = { shard: 0, wait: 0, merge: 0 };
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    summary: () => ({
      redis: setup.target.display, shards: setup.plan.length, workers: [...workers].sort(),
      shardSeconds: round(times.shard), waitSeconds: round(times.wait), mergeSeconds: round(times.merge),
    }),
    get exponent() { return exponent ?? 0; },
    async run(state: GramPassState, normA2: SumSquares): Promise<void> {
      const pass = state.pass;
      const last = pass === state.passes - 1;
      const runId = `${setup.runId}-p${pass + 1}`;
      const x = await writePassX(setup.shardDir, runId, state);
      const gram: GramJob = {
        pass, x: x.path, xSha256: x.sha256, keepG: last && wantG, exponent: pass === 0 ? null : exponent ?? 0,
        options: {
          cols: state.cols, rows: setup.totalRows, rank: state.rank, oversamples: state.oversamples, seed: state.seed,
          testMatrix: state.testMatrix ?? DEFAULT_MULTIPASS_TEST_MATRIX, method: state.method, resultEveryPass: state.resultEveryPass,
          ...(state.method === 'rsi' ? { views: state.views } : { powerIterations: state.passes - 1 }),
        },
        read: {
          nonFinite: opts.nonFinite === 'zero' ? 'zero' : 'error', memoryBudget: opts.memoryBudget,
          ...(opts.columns !== undefined ? { columns: opts.columns } : {}), ...(opts.exclude !== undefined ? { exclude: opts.exclude } : {}),
        },
      };
      const jobs: ShardJobData[] = setup.plan.map((s) => ({
        version: SHARD_JOB_VERSION, runId, index: s.index, count: setup.plan.length, input: s.input, rows: s.rows, rowOffset: s.rowOffset,
        out: `${setup.shardDir}/pass-${pass + 1}-shard-${String(s.index).padStart(5, '0')}.rfsk`, sketchArgs: [], gram,
      }));
      if (opts.progress && io.stderr.isTTY === true) io.stderr.write(`rangefinder: pass ${pass + 1} of ${state.passes}: ${jobs.length} shards\n`);
      const tWait = performance.now();
      const results = await runJobs(jobs);
      const tMerge = performance.now();
      times.wait += (tMerge - tWait) / 1000;
      times.shard += Math.max(...[...results.values()].map((r) => r.seconds));
      for (const r of results.values()) workers.add(r.worker);
      const zeroed = { rows: 0, values: 0 };
      // Shard order, whatever order they finished in.
      for (const job of jobs) {
        const r = results.get(job.index);
        if (r === undefined) throw new SourceError(`shard ${job.index + 1} of ${jobs.length}, pass ${pass + 1}: no result came back`);
        await checkShardFile(job, r, setup.shardParent);
        const { piece, header } = readGramPiece(job.out, job, state);
        if (pass === 0) {
          if (header.exponent !== null) {
            if (exponent !== null && header.exponent !== exponent) {
              throw new SourceError(`shard ${job.index + 1} of ${jobs.length}: its values needed the scaling 2^${-header.exponent}, an earlier shard's 2^${-exponent} ` +
                '(values near the ends of the float64 range, differently in different shards): the shards cannot be added; run it without --distributed');
            }
            exponent = header.exponent;
          }
          const ss = header.sumSquares;
          if (ss === null || typeof ss.scale !== 'number' || typeof ss.ssq !== 'number') throw new SourceError(`${job.out}: pass 1's piece has no sum of squares`);
          combineSumSquares(normA2, ss.scale, ss.ssq);
          zeroed.rows += header.nonFinite.rowsZeroed;
          zeroed.values += header.nonFinite.valuesZeroed;
        }
        mergeGramPiece(state, piece);
        if (!gram.keepG) rmSync(job.out, { force: true });
      }
      rmSync(x.path, { force: true });
      if (pass === 0) source.report({ rowsZeroed: zeroed.rows, valuesZeroed: zeroed.values });
      if (gram.keepG) lastPieces = jobs.map((j) => j.out);
      times.merge += (performance.now() - tMerge) / 1000;
    },
    readG(): Observable<RowBlock> {
      if (lastPieces.length === 0) return new Observable((sub) => sub.error(new UsageError('the last pass kept no rows of G (no --out)')));
      return new Observable<RowBlock>((sub) => {
        for (const path of lastPieces) {
          // The block is consumed inside next (U = G M), so the file's packed view is passed as it is.
          forEachGRow(path, (rowStart, g) => { if (!sub.closed) sub.next({ rowStart, rows: g.rows, cols: g.cols, data: g.data }); });
        }
        sub.complete();
      });
    },
  };
}
