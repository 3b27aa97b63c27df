/**
 * `rangefinder approx` without its printing: open the input (composed with row centering for PCA of
 * a column stream), ask the planner (src/plan `planApprox`) what runs, run it, and return the
 * summary (approx-result.ts). Used by the command and by the demo's extra passes.
 */
import { explainedVariance, FormatError, planApprox, SourceError, type ApproxPlan } from '../../src/internals.js';
import { identityOf, openCheckpoint, type Checkpointer } from './checkpoint.js';
import { centerRows, type CenteredSource } from '../center-rows.js';
import { emptyInputError } from '../wrappers/require-rows.js';
import { scaleExtremeValues } from '../wrappers/scale-extreme.js';
import type { ApproxOptions } from './approx-args.js';
import type { ApproxResult } from './approx-result.js';
import { writeFactor } from './factor-writer.js';
import { openInput, type InputSpec } from './open-input.js';
import { prepareOutputSet, type OutputSet } from './output-set.js';
import { autoOrientation } from './orientation.js';
import type { MeasuredSource, SourceOptions } from '../sources/source-options.js';
import type { SourceInfo } from '../types.js';
import type { Orientation } from '../types.js';
import { createProgressMeter } from './progress-meter.js';
import type { ReportRecorder } from './report-recorder.js';
import type { RunContext } from './run-context.js';
import { UsageError } from './usage-error.js';

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
}

export async function runApprox(opts: ApproxOptions, io: CommandIo, report?: ReportRecorder): Promise<ApproxResult> {
  const t0 = performance.now();
  // The output is checked before a byte of the input is read (a stream read cannot be repeated).
  const output = opts.out !== undefined ? prepareOutputSet(opts.out, opts.format) : undefined;
  const held: { checkpoint?: Checkpointer } = {};
  try {
    const result = await runApproxInto(opts, io, t0, output, report, held);
    if (output !== undefined) {
      if (opts.format !== 'npy' && result.rows * result.rank > 1 << 20) {
        result.notes.push(`the tall factor was collected in memory for --format ${opts.format} (only .npy output is streamed block by block)`);
      }
      result.output = await output.commit(result);
    }
    // The outputs are committed: the checkpoint has served (README "Long streams").
    held.checkpoint?.finished();
    return result;
  } catch (e) {
    output?.abort();
    throw e;
  }
}

async function runApproxInto(opts: ApproxOptions, io: CommandIo, t0: number, output: OutputSet | undefined, report: ReportRecorder | undefined,
  held: { checkpoint?: Checkpointer }): Promise<ApproxResult> {
  const input: InputSpec = {
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    ...(opts.listen !== undefined ? { listen: opts.listen } : {}),
    onListening: (host, port) => io.stderr.write(`rangefinder: listening on ${host}:${port} for one producer\n`),
  };
  const sourceOpts: SourceOptions = {
    nonFinite: opts.nonFinite,
    decodeWorker: opts.decodeWorker,
    ...(opts.columns !== undefined ? { columns: opts.columns } : {}),
    ...(opts.exclude !== undefined ? { exclude: opts.exclude } : {}),
    memoryBudget: opts.memoryBudget,
    ...(opts.maxMessageBytes !== undefined ? { maxMessageBytes: opts.maxMessageBytes } : {}),
    connectTimeoutMs: opts.connectTimeoutMs,
    idleTimeoutMs: opts.idleTimeoutMs,
  };
  // --orientation auto: look at the input by rows, then stream it by columns if the rule says so.
  let opened = await openInput(input, { ...sourceOpts, orientation: opts.orientation === 'columns' ? 'columns' : 'rows' });
  let orientation: Orientation = opts.orientation === 'columns' ? 'columns' : 'rows';
  let orientationReason = `--orientation ${opts.orientation}`;
  // An empty input is said to be empty, before the orientation or the rank is decided from its shape.
  if (opened.replayable) refuseEmpty(await opened.info());
  // A checkpointed run streams rows (a column stream's scans would need positions of their own).
  if (opts.orientation === 'auto' && opts.checkpoint !== undefined) orientationReason = '--checkpoint reads the input by rows';
  else if (opts.orientation === 'auto') {
    const auto = autoOrientation(opened.replayable ? await opened.info() : undefined, opened.replayable);
    ({ orientation, reason: orientationReason } = auto);
    if (orientation === 'columns') opened = await openInput(input, { ...sourceOpts, orientation });
  }
  // PCA of a column stream: each streamed row (a column of A) loses its own mean before any method
  // sees it (center-rows.ts); a row stream is centered by the methods, exactly after the fact.
  const source = opts.center && orientation === 'columns' ? centerRows(opened) : opened;
  const multi = opts.method === 'rsi' || opts.method === 'krylov' || (opts.method === 'auto' && opts.passes > 1);
  if (multi && opts.passes > 1 && !source.replayable) {
    const where = opts.input === '-' ? 'stdin' : opts.input ?? `tcp://${opts.listen?.host}:${opts.listen?.port}`;
    throw new SourceError(`${where} is a one-shot source and cannot be read ${opts.passes} times; use a file or --passes 1`);
  }
  const info = await source.info();
  refuseEmpty(info);
  if (info.rows !== undefined) {
    const limit = Math.min(info.rows, info.cols);
    if (opts.rank > limit) throw new UsageError(`--rank ${opts.rank} exceeds min(rows, cols) = ${limit} of ${info.where} (${info.rows} x ${info.cols})`);
  } else if (opts.rank > info.cols) {
    throw new UsageError(`--rank ${opts.rank} exceeds the ${info.cols} values per row of ${info.where}`);
  }
  const plan = planApprox({
    method: opts.method, passes: opts.passes, memoryBudget: opts.memoryBudget, rank: opts.rank, cols: info.cols, dtype: info.dtype,
    seed: opts.seed, center: opts.center && orientation === 'rows', sizeRule: opts.sizeRule, where: info.where,
    ...(info.rows !== undefined ? { rows: info.rows } : {}),
    ...(opts.testMatrix !== undefined ? { testMatrix: opts.testMatrix } : {}),
    ...(opts.rangeDim !== undefined ? { rangeDim: opts.rangeDim } : {}),
    ...(opts.oversamples !== undefined ? { oversamples: opts.oversamples } : {}),
    ...(opts.coreDim !== undefined ? { coreDim: opts.coreDim } : {}),
    ...(opts.coRangeDim !== undefined ? { coRangeDim: opts.coRangeDim } : {}),
  });
  const shown = createProgressMeter(opts.progress && io.stderr.isTTY === true, info.rows, io.stderr);
  const meter = report ? report.wrap(shown) : shown;
  let checkpoint: Checkpointer | undefined;
  let sketched: MeasuredSource = source;
  if (opts.checkpoint !== undefined) {
    checkpoint = openRunCheckpoint(opts, plan, info, orientation, output !== undefined, (line) => io.stderr.write(`${line}\n`));
    held.checkpoint = checkpoint;
    // A file that can seek starts at the checkpoint's row (.npy: by byte offset).
    if (checkpoint.nextRow > 0 && source.replayable) sketched = await openInput(input, { ...sourceOpts, orientation, startRow: checkpoint.nextRow });
  }
  const ctx: RunContext = {
    opts, source: scaleExtremeValues(sketched, checkpoint?.exponent ?? null), info, meter, t0, startup: process.uptime() - (performance.now() - t0) / 1000, notes: [],
    ...(output !== undefined ? { output } : {}), ...(report ? { report } : {}), ...(checkpoint !== undefined ? { checkpoint } : {}),
  };
  let result: ApproxResult;
  try {
    switch (plan.kind) {
      // Each runner is loaded only when it runs (start-up: the multi-pass driver brings the Arrow spill).
      case 'exact': result = await (await import('./run-exact.js')).runExact(ctx); break;
      case 'passes': result = await (await import('./run-multi-pass.js')).runMultiPass(ctx, plan.plan); break;
      case 'sketch': result = await (await import('./run-single-pass.js')).runSinglePass(ctx, plan); break;
    }
  } finally {
    meter.done();
  }
  result.orientation = orientation;
  result.orientationReason = orientationReason;
  result.reasons = plan.reasons;
  // The counters are of the latest pass, which read the same rows as every other pass.
  const st = sketched.stats;
  const axis = orientation === 'columns' ? 'columns' : 'rows';
  if (st.rowsSkipped > 0) {
    const shown = st.skippedRows.slice(0, 10).join(', ') + (st.rowsSkipped > 10 ? ', ...' : '');
    result.notes.push(`--non-finite skip: ${st.rowsSkipped} ${axis} with NaN, Inf or null were dropped (${axis} ${shown}; all in the JSON's nonFinite.skipped${axis === 'rows' ? 'Rows' : 'Columns'}); later ${axis} renumbered`);
  }
  if (st.rowsZeroed > 0) result.notes.push(`--non-finite zero: ${st.valuesZeroed} NaN, Inf or null values in ${st.rowsZeroed} ${axis} were set to 0`);
  if (opts.nonFinite !== 'error') {
    result.nonFinite = {
      policy: opts.nonFinite, skipped: st.rowsSkipped,
      ...(opts.nonFinite === 'skip' ? { [axis === 'rows' ? 'skippedRows' : 'skippedColumns']: st.skippedRows.slice() } : {}),
      zeroedRows: st.rowsZeroed, zeroedValues: st.valuesZeroed,
    };
    if (st.rowsSkipped > st.skippedRows.length) result.notes.push(`--non-finite skip: only the first ${st.skippedRows.length} of the ${st.rowsSkipped} skipped ${axis} are listed`);
  }
  if (opts.center) {
    Object.assign(result, pcaFields(result));
    // mu: a column stream was centered upstream (center-rows.ts), a row stream by the runner.
    const mean = orientation === 'columns' ? (source as CenteredSource).means() : ctx.mean;
    if (output !== undefined && mean !== undefined) result.output = { ...result.output, mean: await writeFactor(output, 'mean', Float64Array.from(mean)) };
  }
  return result;
}

/** scikit-learn's PCA figures from the result's singular values and the measured ||A_c||_F. */
function pcaFields(r: ApproxResult): Partial<ApproxResult> {
  if (r.rows < 2) return {};
  const ev = explainedVariance(r.singularValues, r.errorEstimate.normA, r.rows);
  return { explainedVariance: ev.variance, explainedVarianceRatio: ev.ratio, totalVariance: ev.total };
}


/**
 * `--checkpoint DIR` / `--resume DIR` (checkpoint.ts): one-pass sketches of a row stream, each row
 * absorbed once; the options that shape the sketch are recorded, and compared on resume.
 */
function openRunCheckpoint(opts: ApproxOptions, plan: ApproxPlan, info: SourceInfo, orientation: Orientation, wantFactors: boolean,
  log: (line: string) => void): Checkpointer {
  const ck = opts.checkpoint!;
  const flag = ck.resume ? '--resume' : '--checkpoint';
  if (plan.kind !== 'sketch') {
    throw new UsageError(`${flag} works with the one-pass sketches (--passes 1 and --method auto, rsvd, three-sketch, two-sketch or fd); this run plans ${plan.kind === 'exact' ? 'the exact SVD' : 'several passes'}`);
  }
  if (orientation === 'columns') throw new UsageError(`${flag} reads the input by rows: drop --orientation columns`);
  if (opts.nonFinite === 'skip') throw new UsageError(`${flag} needs the input's row numbers: --non-finite skip renumbers rows (use error or zero)`);
  const { k, s, l, q, chunk, rule } = plan.sizes;
  const options: Record<string, string> = {
    '--method': plan.method, '--rank': String(opts.rank), '--seed': String(opts.seed), '--test-matrix': plan.testMatrix,
    '--center': String(opts.center), '--non-finite': opts.nonFinite, '--memory-budget': String(opts.memoryBudget), '--size-rule': opts.sizeRule,
    '--oversamples': String(opts.oversamples ?? ''), '--range-dim': String(opts.rangeDim ?? ''), '--core-dim': String(opts.coreDim ?? ''),
    '--co-range-dim': String(opts.coRangeDim ?? ''), '--columns': (opts.columns ?? []).join(','), '--exclude': (opts.exclude ?? []).join(','),
    '--out': wantFactors ? 'given (U is spilled)' : 'not given', 'sketch sizes': `k=${k} s=${s} l=${l} q=${q} chunk=${chunk} ${rule}`,
  };
  const settings = {
    dir: ck.dir, resume: ck.resume, producerResumes: ck.producerResumes,
    ...(ck.everyRows !== undefined ? { everyRows: ck.everyRows } : {}), ...(ck.everyMs !== undefined ? { everyMs: ck.everyMs } : {}),
  };
  return openCheckpoint(settings, { input: identityOf(opts.input, info), options, grid: chunk }, log);
}

/** An input with no rows or no columns is refused as such (not as a rank larger than its shape). */
function refuseEmpty(info: SourceInfo): void {
  const rows = info.orientation === 'columns' ? info.cols : info.rows;
  const cols = info.orientation === 'columns' ? info.rows : info.cols;
  if (rows === 0) throw emptyInputError(info.where, 0);
  if (cols === 0 && !/list/.test(info.layout)) throw new FormatError(`${info.where} has no columns: its rows have 0 values; expected at least one column`);
}
