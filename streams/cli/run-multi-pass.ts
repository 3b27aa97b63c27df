/**
 * `approx` with more than one pass: the pass-budget planner (`planPasses`) chooses RSI by the Gram
 * pass with q = P - 1 power iterations (or block Krylov when asked) [HMT11 Alg. 4.4; Yu17; MM15],
 * and `runPasses` drives it over the replayable source (a one-shot source is refused before
 * anything is read). `--method rsi --passes 1` is RSVD (q = 0: one pass gives both views).
 *
 * The error is the exact residual sqrt(||A||_F^2 - sum S^2), with ||A||_F measured on the last pass.
 * U comes from the spill of G in the last pass, streamed into the writer (--out only).
 */
import { lastValueFrom, tap } from 'rxjs';
import { ArgumentError, BudgetError } from '../../src/errors.js';
import { gramPassBytes } from '../../src/index.js';
import { planPasses, type PassPlan } from '../../src/index.js';
import { DEFAULT_MULTIPASS_TEST_MATRIX, DEFAULT_OVERSAMPLES } from '../../src/index.js';
import { formatBytes } from '../../src/sketch/sketch-sizes.js';
import { runPasses } from '../run-passes.js';
import { peakRssBytes, type ApproxResult } from './approx-result.js';
import { createFactorWriter, writeFactor } from './factor-writer.js';
import { measurePasses } from './measure-passes.js';
import { factorNames, lowRankNote, unscale, type RunContext } from './run-context.js';
import { residualNorm } from '../../src/index.js';
import { ZERO_MATRIX_NOTE } from './zero-matrix.js';
import { UsageError } from './usage-error.js';

export async function runMultiPass(ctx: RunContext, method: 'auto' | 'rsi' | 'krylov'): Promise<ApproxResult> {
  const { opts, source, info, meter, notes } = ctx;
  if (opts.center) throw new UsageError(`--center is supported by the single-pass sketches and --method exact, not by ${method === 'krylov' ? 'krylov' : 'rsi'}`);
  const width = opts.coRangeDim ?? opts.rangeDim;
  const oversamples = width !== undefined ? width - opts.rank : undefined;
  if (oversamples !== undefined && oversamples < 0) throw new UsageError(`--co-range-dim (block width l = ${width}) must be at least --rank ${opts.rank}`);
  let plan: PassPlan;
  if (method === 'rsi' && opts.passes === 1) {
    plan = rsvdPlan(opts.rank, info.cols, info.rows, opts.memoryBudget, oversamples);
  } else {
    if (method === 'krylov' && opts.passes < 2) throw new UsageError('--method krylov needs --passes 2 or more (depth q = passes - 1)');
    plan = planPasses({
      passes: opts.passes, memoryBudget: opts.memoryBudget, rank: opts.rank, cols: info.cols,
      ...(info.rows !== undefined ? { rows: info.rows } : {}),
      method: method === 'krylov' ? 'block-krylov' : method === 'rsi' ? 'rsi' : 'auto',
      ...(oversamples !== undefined ? { oversamples } : {}),
    });
  }
  const wantFactors = ctx.output !== undefined;
  const measured = measurePasses(source, meter, plan.passes);
  const res = await runPasses(measured, plan, {
    seed: opts.seed, testMatrix: opts.testMatrix,
    spill: wantFactors ? 'file' : 'none',
  });
  try {
    const r = res.s.length;
    const sValues = Float64Array.from(res.s, (x) => unscale(ctx, x));
    const names = factorNames(info);
    const output: Record<string, string> = {};
    if (wantFactors) {
      const set = ctx.output!;
      const writer = createFactorWriter(set, names.tall, res.rows, r);
      try {
        meter.phase(`writing ${names.tall}`);
        await lastValueFrom(res.readTallFactor().pipe(tap((b) => writer.write(b.rowStart, { rows: b.rows, cols: b.cols, data: b.data, offset: 0, stride: b.cols }))), { defaultValue: undefined });
        await writer.close();
      } catch (e) { writer.abort(); throw e; }
      output[names.tall] = writer.path;
      output.S = await writeFactor(set, 'S', sValues);
      const wide = names.wide === 'U' ? res.u! : res.v!;
      output[names.wide] = await writeFactor(set, names.wide, wide);
    }
    const normScaled = residualNorm(measured.frobenius2, []);
    const frobScaled = residualNorm(measured.frobenius2, res.s);
    if (res.zero) notes.push(ZERO_MATRIX_NOTE);
    else { const low = lowRankNote(opts.rank, res.s.length); if (low !== null) notes.push(low); }
    const columns = info.orientation === 'columns';
    const sketch: Record<string, number | string> = plan.method === 'block-krylov'
      ? { l: plan.rank + plan.oversamples, oversamples: plan.oversamples, krylovDepth: plan.krylovDepth ?? plan.passes - 1, width: plan.sizes.width ?? 0 }
      : { l: plan.rank + plan.oversamples, oversamples: plan.oversamples, powerIterations: plan.powerIterations ?? plan.passes - 1 };
    return {
      input: info.where,
      rows: columns ? info.cols : res.rows, cols: columns ? res.rows : info.cols, rank: r,
      passes: measured.passesOpened, method: plan.method === 'block-krylov' ? 'krylov' : 'rsi', testMatrix: opts.testMatrix ?? DEFAULT_MULTIPASS_TEST_MATRIX,
      sketch, stateBytes: plan.stateBytes, memoryBudget: opts.memoryBudget, singularValues: Array.from(sValues),
      errorEstimate: { frobenius: unscale(ctx, frobScaled), relative: normScaled > 0 ? frobScaled / normScaled : 0, normA: unscale(ctx, normScaled), kind: 'residual' },
      seconds: (performance.now() - ctx.t0) / 1000, peakRssBytes: peakRssBytes(),
      ...(wantFactors ? { output } : {}), notes,
    };
  } finally {
    res.dispose();
  }
}

/** RSVD as a one-pass Gram pass (q = 0: G = A Omega and H = A^T G in the same pass) [HMT11 Alg. 4.1; Yu17]. */
function rsvdPlan(rank: number, cols: number, rows: number | undefined, budget: number, oversamples?: number): PassPlan {
  const limit = rows === undefined ? cols : Math.min(rows, cols);
  if (rank > limit) throw new ArgumentError(`--rank ${rank} exceeds min(rows, cols) = ${limit}`);
  let p = Math.min(oversamples ?? DEFAULT_OVERSAMPLES, limit - rank);
  const bytes = (pp: number) => gramPassBytes('rsi', cols, rank + pp, 1);
  if (bytes(Math.min(p, 2)) > budget) {
    throw new BudgetError(`memory budget ${formatBytes(budget)} is too small for rsi with rank ${rank}, ${cols} columns and 1 pass: the smallest that works is ${formatBytes(bytes(Math.min(p, 2)))}`);
  }
  while (p > 2 && bytes(p) > budget) p--;
  return {
    method: 'rsi', passes: 1, rank, oversamples: p, powerIterations: 0, views: 2,
    sizes: { l: rank + p, width: rank + p }, stateBytes: bytes(p), reasons: ['--method rsi with --passes 1: RSVD (q = 0) by one Gram pass'],
  };
}

