/**
 * `approx` with more than one pass: the pass-budget planner (`planPasses`) chooses RSI by the Gram
 * pass with q = P - 1 power iterations (or block Krylov when asked) [HMT11 Alg. 4.4; Yu17; MM15],
 * and `runPasses` drives it over the replayable source (a one-shot source is refused before
 * anything is read). `--method rsi --passes 1` is RSVD (q = 0: one pass gives both views).
 *
 * The error is the exact residual sqrt(||A||_F^2 - sum S^2), with ||A||_F measured in the first pass.
 * U comes from the spill of G in the last pass, streamed into the writer (--out only).
 * `approx --distributed` runs the same passes with their rows streamed by shards on workers
 * (`ctx.passRunner`, streams/cli/distributed/gram-runner.ts): everything else here is the same.
 */
import { lastValueFrom, tap } from 'rxjs';
import type { PassPlan } from '../../src/internals.js';
import { DEFAULT_MULTIPASS_TEST_MATRIX } from '../../src/internals.js';
import { runPasses } from '../run-passes.js';
import { peakRssBytes, type ApproxResult } from './approx-result.js';
import { createFactorWriter, writeFactor } from './factor-writer.js';
import { measurePasses } from './measure-passes.js';
import { factorNames, lowRankNote, unscale, type RunContext } from './run-context.js';
import type { TallBlocks } from './tall-signs.js';
import { ZERO_MATRIX_NOTE } from './zero-matrix.js';
import { UsageError } from './usage-error.js';

export async function runMultiPass(ctx: RunContext, plan: PassPlan): Promise<ApproxResult> {
  const { opts, source, info, meter, notes } = ctx;
  const columns = info.orientation === 'columns';
  // A column stream arrives centered (center-rows.ts); a row stream would need the mean first.
  if (opts.center && !columns) {
    throw new UsageError(`--center with more than one pass is supported for --orientation columns, not yet over rows with ${plan.method === 'block-krylov' ? 'krylov' : 'rsi'} (use one pass, or --method exact)`);
  }
  const wantFactors = ctx.output !== undefined;
  const everyPass = (opts.passErrors || ctx.report !== undefined) && plan.passes > 1 && plan.method === 'rsi' && (plan.views ?? 2) % 2 === 0;
  const measured = measurePasses(source, meter, plan.passes);
  const res = await runPasses(measured, plan, {
    seed: opts.seed, testMatrix: opts.testMatrix,
    spill: wantFactors ? 'file' : 'none',
    ...(ctx.passRunner !== undefined ? { runner: ctx.passRunner } : {}),
    // The result after every pass (RSI with an even view count): the error each pass bought, for
    // the JSON, the summary and the report's plot (unless --no-pass-errors).
    ...(everyPass ? { resultEveryPass: true } : {}),
  });
  if (ctx.report) ctx.report.perPass = res.perPass.map((p) => ({ pass: p.pass, relativeResidual: p.relativeResidual, singularValues: Array.from(p.s) }));
  if (plan.passes > 1 && !everyPass && opts.passErrors) {
    notes.push(`no error per pass: ${plan.method === 'block-krylov' ? 'block Krylov has no approximation before its last pass (its basis is complete only then)' : 'an odd number of views ends with a pass that forms G only'}`);
  }
  try {
    const r = res.s.length;
    const sValues = Float64Array.from(res.s, (x) => unscale(ctx, x));
    const names = factorNames(info);
    const output: Record<string, string> = {};
    if (wantFactors) {
      const set = ctx.output!;
      const tall: TallBlocks = async (visit) => {
        await lastValueFrom(res.readTallFactor().pipe(tap((b) => visit(b.rowStart, { rows: b.rows, cols: b.cols, data: b.data, offset: 0,
          stride: b.cols }))), { defaultValue: undefined });
      };
      // runPasses decided the signs on V of A (the tall factor of a column stream) already.
      const wide = names.wide === 'U' ? res.u! : res.v!;
      const writer = await createFactorWriter(set, names.tall, res.rows, r);
      try {
        meter.phase(`writing ${names.tall}`);
        await tall((r0, b) => writer.write(r0, b));
        await writer.close();
      } catch (e) { writer.abort(); throw e; }
      output[names.tall] = writer.path;
      output.S = await writeFactor(set, 'S', sValues);
      output[names.wide] = await writeFactor(set, names.wide, wide);
    }
    const normA = unscale(ctx, res.frobeniusNorm);
    if (res.zero) notes.push(ZERO_MATRIX_NOTE);
    else if (res.kept < r) notes.push(`numerical rank ${res.kept} below the block width`);
    else { const low = lowRankNote(opts.rank, r); if (low !== null) notes.push(low); }
    const sketch: Record<string, number | string> = plan.method === 'block-krylov'
      ? { l: plan.rank + plan.oversamples, oversamples: plan.oversamples, krylovDepth: plan.krylovDepth ?? plan.passes - 1, width: plan.sizes.width ?? 0 }
      : { l: plan.rank + plan.oversamples, oversamples: plan.oversamples, powerIterations: plan.powerIterations ?? plan.passes - 1 };
    return {
      input: info.where,
      rows: columns ? info.cols : res.rows, cols: columns ? res.rows : info.cols, rank: r,
      passes: res.passesRead, method: plan.method === 'block-krylov' ? 'krylov' : 'rsi', testMatrix: opts.testMatrix ?? DEFAULT_MULTIPASS_TEST_MATRIX,
      sketch, stateBytes: plan.stateBytes, memoryBudget: opts.memoryBudget, singularValues: Array.from(sValues),
      errorEstimate: { frobenius: res.relativeResidual * normA, relative: res.relativeResidual, normA, kind: 'residual', reliable: true },
      seconds: (performance.now() - ctx.t0) / 1000, peakRssBytes: peakRssBytes(),
      ...(res.perPass.length > 1 ? { perPass: res.perPass.map((p) => ({ pass: p.pass, relativeError: p.relativeResidual,
        frobenius: p.relativeResidual * normA })) } : {}),
      ...(wantFactors ? { output } : {}), notes,
    };
  } finally {
    res.dispose();
  }
}
