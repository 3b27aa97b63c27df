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
import { isMultiPass, type ApproxOptions } from './approx-args.js';
import type { ApproxResult } from './approx-result.js';
import { writeFactor } from './factor-writer.js';
import { openInput, type InputSpec } from './open-input.js';
import { prepareOutputSet, type OutputSet } from './output-set.js';
import { createIdSpill, type IdSpill } from './id-spill.js';
import { FEATURE_COLUMN, fixedLabels } from './factor-labels.js';
import { autoOrientation } from './orientation.js';
import type { SourceOptions } from '../sources/source-options.js';
import { selectRows, type RowSelection } from '../wrappers/select-rows.js';
import { stackRows } from '../wrappers/stack-rows.js';
import type { MeasuredSource, SourceInfo } from '../types.js';
import type { Orientation } from '../types.js';
import { createProgressMeter } from './progress-meter.js';
import type { ReportRecorder } from './report-recorder.js';
import type { RunContext } from './run-context.js';
import type { PassRunner } from '../run-passes.js';
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
    if (output !== undefined) result.output = await output.commit(result);
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
  // --distributed with several passes: the inputs stacked, their passes run by shards on workers.
  const distributed = opts.distributed !== undefined ? await (await import('./distributed/gram-runner.js')).openDistributed(opts, io) : undefined;
  try {
    const result = await runOpened(distributed ?? await openApproxInput(opts, io), opts, io, t0, output, report, held);
    if (distributed !== undefined) result.distributed = distributed.passRunner.summary();
    return result;
  } finally {
    distributed?.dispose();
  }
}

async function runOpened(opened: OpenedInput & { passRunner?: PassRunner }, opts: ApproxOptions, io: CommandIo, t0: number, output: OutputSet | undefined,
  report: ReportRecorder | undefined, held: { checkpoint?: Checkpointer }): Promise<ApproxResult> {
  const { source, info, orientation, orientationReason } = opened;
  checkRank(opts.rank, info);
  const plan = planFor(opts, info, orientation, info.rows);
  if (opened.passRunner !== undefined && plan.kind !== 'passes') throw new UsageError(`approx --distributed: the plan is ${plan.kind}, not passes over shards`);
  if (output !== undefined) describeOutputs(output, opts, info);
  // --id-column: the ids arrive with the rows and are kept on disk until U is written (id-spill.ts).
  const ids = opts.idColumn !== undefined && output !== undefined ? idSpill(source, output, opts, info) : undefined;

  const shown = createProgressMeter(opts.progress && io.stderr.isTTY === true, info.rows, io.stderr);
  const meter = report ? report.wrap(shown) : shown;
  let checkpoint: Checkpointer | undefined;
  const sketched: MeasuredSource = source;
  if (opts.checkpoint !== undefined) {
    checkpoint = openRunCheckpoint(opts, plan, info, orientation, output !== undefined, (line) => io.stderr.write(`${line}\n`));
    held.checkpoint = checkpoint;
    // The rows before the checkpoint's are read again and dropped (checkpoint.ts); no input seeks
    // there yet (a .npy could, with `firstRow`, which keeps the rows' numbers).
  }
  const ctx: RunContext = {
    opts, source: scaleExtremeValues(ids?.source ?? sketched, checkpoint?.exponent ?? null), info, meter, t0,
    startup: process.uptime() - (performance.now() - t0) / 1000, notes: [],
    ...(output !== undefined ? { output } : {}), ...(report ? { report } : {}), ...(checkpoint !== undefined ? { checkpoint } : {}),
    ...(opened.passRunner !== undefined ? { passRunner: opened.passRunner } : {}),
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
    ids?.dispose();
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
 * `--id-column` over an input whose rows carry ids: refused where they cannot be written (a format
 * without such a column, string ids in .npy, a name the factor's own columns take), else recorded.
 */
function idSpill(source: MeasuredSource, output: OutputSet, opts: ApproxOptions, info: SourceInfo): IdSpill {
  const name = opts.idColumn!;
  const id = info.idColumn;
  if (id === undefined) {
    throw new UsageError(`--id-column ${name}: ${info.where} is not an Arrow or Parquet table (${info.layout}), so it has no column to take row ids from`);
  }
  if (output.format === 'npy' && id.kind === 'string') {
    throw new UsageError(`--id-column ${name} holds strings, which .npy output cannot hold (PREFIX.ids.npy is int64): use --format arrow or parquet, where the ids are U's first column`);
  }
  const taken = output.format === 'arrow' ? name === 'row' : output.format === 'parquet' && /^c(0|[1-9]\d*)$/.test(name) && Number(name.slice(1)) < opts.rank;
  if (taken) {
    throw new UsageError(`--id-column ${name}: U's ${output.format === 'arrow' ? 'row list column' : 'value columns c0, c1, ...'} already use that name in --format ${output.format}; rename the id column`);
  }
  const spill = createIdSpill(source, id, info.where);
  output.labels.set('U', spill.labels);
  return spill;
}

/**
 * How the factors are written, once the input is known: U and V in --dtype (default the input's
 * element type), V's rows named after the input's columns when it has names (a wide table).
 */
function describeOutputs(output: OutputSet, opts: ApproxOptions, info: SourceInfo): void {
  output.dtype = opts.dtype ?? info.dtype;
  const features = info.orientation === 'columns' ? info.rows : info.cols;
  const names = info.columnNames;
  if (names !== undefined && names.length === features) {
    output.labels.set('V', fixedLabels(FEATURE_COLUMN, 'features', names));
    // The column mean of --center has one value per feature too (in .npy it shares PREFIX.features.json).
    if (output.format !== 'npy') output.labels.set('mean', fixedLabels(FEATURE_COLUMN, 'features', names));
  }
}

/** The opened input of a run, and how it is streamed. */
export interface OpenedInput {
  source: MeasuredSource;
  info: SourceInfo;
  orientation: Orientation;
  orientationReason: string;
  /** Rows of the whole input (before a selection), when known. */
  inputRows?: number;
}

/**
 * Opens approx's input: the source with its options, the orientation (--orientation auto looks at
 * the input by rows, then streams it by columns if the rule says so), row centering for PCA of a
 * column stream, and `select` (a shard's rows, `sketch --rows`: select-rows.ts). An empty input is
 * refused as such.
 */
export async function openApproxInput(opts: ApproxOptions, io: CommandIo, select?: RowSelection): Promise<OpenedInput> {
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
    ...(opts.idColumn !== undefined ? { idColumn: opts.idColumn } : {}),
    // A resumed run may read no new row (its checkpoint was taken at the end; a resuming producer
    // that has nothing left to send): checkpoint.ts checks the rows against the checkpoint instead.
    ...(opts.checkpoint?.resume === true ? { allowEmpty: true } : {}),
  };
  let inputRows: number | undefined;
  const several = opts.inputs !== undefined && opts.inputs.length > 1 ? refuseStacked(opts, opts.inputs) : undefined;
  const open = async (orientation: Orientation): Promise<MeasuredSource> => {
    // Several files: one matrix, their rows stacked in the order given (stack-rows.ts).
    if (several !== undefined) return stackRows(await Promise.all(several.map((p) => openInput({ input: p }, { ...sourceOpts, orientation: 'rows' }))));
    const s = await openInput(input, { ...sourceOpts, orientation, ...(select !== undefined ? { firstRow: select.start } : {}) });
    if (select === undefined) return s;
    // A shard's rows (`sketch --rows START:END`) must be rows the input has.
    inputRows = s.replayable ? (await s.info()).rows : undefined;
    const end = select.end ?? select.start + 1;
    if (inputRows !== undefined && end > inputRows) {
      throw new UsageError(`--rows ${select.start}:${select.end ?? ''}: ${(await s.info()).where} has ${inputRows} rows (0..${inputRows - 1})`);
    }
    return selectRows(s, select);
  };
  let opened = await open(opts.orientation === 'columns' ? 'columns' : 'rows');
  let orientation: Orientation = opts.orientation === 'columns' ? 'columns' : 'rows';
  let orientationReason = `--orientation ${opts.orientation}`;
  // An empty input is said to be empty, before the orientation or the rank is decided from its shape.
  if (opened.replayable) refuseEmpty(await opened.info());
  // A checkpointed run streams rows (a column stream's scans would need positions of their own).
  if (opts.orientation === 'auto' && several !== undefined) {
    orientationReason = `${several.length} files stacked by rows`;
  } else if (opts.orientation === 'auto' && opts.checkpoint !== undefined) {
    orientationReason = '--checkpoint reads the input by rows';
  } else if (opts.orientation === 'auto' && opts.idColumn !== undefined) {
    orientationReason = '--id-column: streamed by rows (the ids name the rows of A, written beside U)';
  } else if (opts.orientation === 'auto') {
    const auto = autoOrientation(opened.replayable ? await opened.info() : undefined, opened.replayable);
    ({ orientation, reason: orientationReason } = auto);
    if (orientation === 'columns') opened = await open(orientation);
  }
  // PCA of a column stream: each streamed row (a column of A) loses its own mean before any method
  // sees it (center-rows.ts); a row stream is centered by the methods, exactly after the fact.
  const source = opts.center && orientation === 'columns' ? centerRows(opened) : opened;
  const multi = isMultiPass(opts);
  if (multi && opts.passes > 1 && !source.replayable) {
    const where = opts.input === '-' ? 'stdin' : opts.input ?? `tcp://${opts.listen?.host}:${opts.listen?.port}`;
    throw new SourceError(`${where} is a one-shot source and cannot be read ${opts.passes} times; use a file or --passes 1`);
  }
  if (opts.rankAuto !== undefined && (multi || opts.method === 'fd')) {
    throw new UsageError(`--rank auto chooses the rank from a one-pass sketch (rsvd, three-sketch, two-sketch) or the exact SVD, not from ${opts.method === 'fd' ? 'Frequent Directions' : 'several passes'}: ` +
      'run it with one pass, then give that --rank to the multi-pass run');
  }
  const info = await source.info();
  refuseEmpty(info);
  return { source, info, orientation, orientationReason, ...(select === undefined ? { inputRows: info.rows } : inputRows !== undefined ? { inputRows } : {}) };
}

/** Several inputs are files stacked by rows: what cannot be stacked is refused before anything is read. */
function refuseStacked(opts: ApproxOptions, inputs: readonly string[]): readonly string[] {
  const stream = inputs.find((p) => p === '-' || /^(tcp|listen):\/\//.test(p));
  if (stream !== undefined) throw new UsageError(`${stream}: several inputs are files stacked by rows; a stream (stdin, TCP) is one input alone`);
  if (opts.orientation === 'columns') throw new UsageError(`--orientation columns: ${inputs.length} inputs are stacked by rows (give one file to stream it by columns)`);
  if (opts.checkpoint !== undefined) throw new UsageError(`--checkpoint takes one input, found ${inputs.length}`);
  return inputs;
}

/** The rank must fit the shape (min(rows, cols), or the row length when the rows are not known). */
export function checkRank(rank: number, info: SourceInfo, rows = info.rows): void {
  if (rows !== undefined) {
    const limit = Math.min(rows, info.cols);
    if (rank > limit) throw new UsageError(`--rank ${rank} exceeds min(rows, cols) = ${limit} of ${info.where} (${rows} x ${info.cols})`);
  } else if (rank > info.cols) {
    throw new UsageError(`--rank ${rank} exceeds the ${info.cols} values per row of ${info.where}`);
  }
}

/**
 * The planner's answer for approx's options on this input (src/plan `planApprox`). `rows` is the m
 * the sizes may depend on: the input's (approx), or none / the declared total (a shard: `sketch`
 * plans every shard alike, whatever its own rows).
 */
export function planFor(opts: ApproxOptions, info: SourceInfo, orientation: Orientation, rows: number | undefined): ApproxPlan {
  return planApprox({
    method: opts.method, passes: opts.passes, memoryBudget: opts.memoryBudget, rank: opts.rank, cols: info.cols, dtype: info.dtype,
    seed: opts.seed, center: opts.center && orientation === 'rows', sizeRule: opts.sizeRule, where: info.where,
    ...(opts.rankAuto !== undefined ? { rankAuto: true } : {}),
    ...(rows !== undefined ? { rows } : {}),
    ...(opts.testMatrix !== undefined ? { testMatrix: opts.testMatrix } : {}),
    ...(opts.rangeDim !== undefined ? { rangeDim: opts.rangeDim } : {}),
    ...(opts.oversamples !== undefined ? { oversamples: opts.oversamples } : {}),
    ...(opts.coreDim !== undefined ? { coreDim: opts.coreDim } : {}),
    ...(opts.coRangeDim !== undefined ? { coRangeDim: opts.coRangeDim } : {}),
  });
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
  if (opts.idColumn !== undefined) throw new UsageError(`${flag} does not keep row ids yet: drop --id-column`);
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
