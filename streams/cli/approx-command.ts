/**
 * `rangefinder approx`: parse, open the input, route to a method, print the summary.
 *
 * Routing: auto + 1 pass -> three-sketch [TYUC19]; auto + P > 1 -> the pass planner (RSI by the
 * Gram pass, q = P - 1); three-sketch / two-sketch / fd -> one pass (fd: a second for U when the
 * input is replayable); rsi / krylov -> the Gram-pass driver; exact -> the dense truncated SVD.
 * A one-shot input (stdin, TCP) with --passes > 1 is refused before anything is read.
 */
import { FormatError, SourceError } from '../../src/errors.js';
import { emptyInputError } from '../wrappers/require-rows.js';
import { prepareOutputSet, type OutputSet } from './output-set.js';
import { startKernelThreads } from '../thread-pool.js';
import { parseApproxArgs, type ApproxOptions } from './approx-args.js';
import type { ApproxResult } from './approx-result.js';
import { DEMO_BUDGET, demoInput, printDemoSummary } from './demo.js';
import { APPROX_HELP } from './help-text.js';
import { openInput } from './open-input.js';
import { createProgressMeter } from './progress-meter.js';
import { runExact } from './run-exact.js';
import { runMultiPass } from './run-multi-pass.js';
import { runSinglePass } from './run-single-pass.js';
import type { RunContext } from './run-context.js';
import { UsageError } from './usage-error.js';
import { scaleExtremeValues } from '../wrappers/scale-extreme.js';

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
}

export async function approxCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const opts = parseApproxArgs(argv);
  if (opts.help) { io.stdout.write(APPROX_HELP); return 0; }
  if (opts.demo) {
    opts.input = demoInput();
    if (!opts.budgetGiven) opts.memoryBudget = DEMO_BUDGET;
  }
  const threads = opts.threads > 1 ? await startKernelThreads(opts.threads) : null;
  try {
    const result = await runApprox(opts, io);
    if (opts.json) io.stdout.write(`${JSON.stringify(result)}\n`);
    else if (opts.demo) await printDemoSummary(opts, result, io.stdout);
    else io.stdout.write(formatSummary(result));
    for (const note of result.notes) io.stderr.write(`rangefinder: note: ${note}\n`);
    return 0;
  } finally {
    await threads?.stop();
  }
}

export async function runApprox(opts: ApproxOptions, io: CommandIo): Promise<ApproxResult> {
  const t0 = performance.now();
  // The output is checked before a byte of the input is read (a stream read cannot be repeated).
  const output = opts.out !== undefined ? prepareOutputSet(opts.out, opts.format) : undefined;
  try {
    const result = await runApproxInto(opts, io, t0, output);
    if (output !== undefined) {
      if (opts.format !== 'npy' && result.rows * result.rank > 1 << 20) {
        result.notes.push(`the tall factor was collected in memory for --format ${opts.format} (only .npy output is streamed block by block)`);
      }
      result.output = await output.commit(result);
    }
    return result;
  } catch (e) {
    output?.abort();
    throw e;
  }
}

async function runApproxInto(opts: ApproxOptions, io: CommandIo, t0: number, output: OutputSet | undefined): Promise<ApproxResult> {
  const source = await openInput({
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    ...(opts.listen !== undefined ? { listen: opts.listen } : {}),
    onListening: (host, port) => io.stderr.write(`rangefinder: listening on ${host}:${port} for one producer\n`),
  }, {
    orientation: opts.orientation,
    nonFinite: opts.nonFinite,
    decodeWorker: opts.decodeWorker,
    ...(opts.columns !== undefined ? { columns: opts.columns } : {}),
    ...(opts.exclude !== undefined ? { exclude: opts.exclude } : {}),
    memoryBudget: opts.memoryBudget,
    ...(opts.maxMessageBytes !== undefined ? { maxMessageBytes: opts.maxMessageBytes } : {}),
    connectTimeoutMs: opts.connectTimeoutMs,
    idleTimeoutMs: opts.idleTimeoutMs,
  });
  const multi = opts.method === 'rsi' || opts.method === 'krylov' || (opts.method === 'auto' && opts.passes > 1);
  if (multi && opts.passes > 1 && !source.replayable) {
    const where = opts.input === '-' ? 'stdin' : opts.input ?? `tcp://${opts.listen?.host}:${opts.listen?.port}`;
    throw new SourceError(`${where} is a one-shot source and cannot be read ${opts.passes} times; use a file or --passes 1`);
  }
  const info = await source.info();
  // An empty input is said to be empty (before the rank is compared with its shape).
  if (info.rows === 0) throw emptyInputError(info.where, 0);
  if (info.cols === 0 && !/list/.test(info.layout)) throw new FormatError(`${info.where} has no columns: its rows have 0 values; expected at least one column`);
  if (info.rows !== undefined) {
    const limit = Math.min(info.rows, info.cols);
    if (opts.rank > limit) throw new UsageError(`--rank ${opts.rank} exceeds min(rows, cols) = ${limit} of ${info.where} (${info.rows} x ${info.cols})`);
  } else if (opts.rank > info.cols) {
    throw new UsageError(`--rank ${opts.rank} exceeds the ${info.cols} values per row of ${info.where}`);
  }
  const meter = createProgressMeter(opts.progress && io.stderr.isTTY === true, info.rows, io.stderr);
  const ctx: RunContext = { opts, source: scaleExtremeValues(source), info, meter, t0, notes: [], ...(output !== undefined ? { output } : {}) };
  let result: ApproxResult;
  try {
    switch (opts.method) {
      case 'exact': result = await runExact(ctx); break;
      case 'three-sketch': case 'two-sketch': case 'fd': result = await runSinglePass(ctx, opts.method); break;
      case 'rsi': case 'krylov': result = await runMultiPass(ctx, opts.method); break;
      default: result = opts.passes > 1 ? await runMultiPass(ctx, 'auto') : await runSinglePass(ctx, 'three-sketch');
    }
  } finally {
    meter.done();
  }
  // The counters are of the latest pass, which read the same rows as every other pass.
  const st = source.stats;
  if (st.rowsSkipped > 0) result.notes.push(`--non-finite skip: ${st.rowsSkipped} rows with NaN, Inf or null were dropped (later rows renumbered)`);
  if (st.rowsZeroed > 0) result.notes.push(`--non-finite zero: ${st.valuesZeroed} NaN, Inf or null values in ${st.rowsZeroed} rows were set to 0`);
  return result;
}

function formatSummary(r: ApproxResult): string {
  const sizes = Object.entries(r.sketch).map(([k, v]) => `${k} = ${v}`).join(', ');
  const sv = r.singularValues.slice(0, 10).map((x) => x.toPrecision(6)).join(' ');
  const lines = [
    `${r.input}: ${r.rows} x ${r.cols}`,
    `method ${r.method} (${r.passes} pass${r.passes === 1 ? '' : 'es'}), rank ${r.rank}${sizes ? `, ${sizes}` : ''}`,
    `state ${(r.stateBytes / 2 ** 20).toFixed(2)} MiB of budget ${(r.memoryBudget / 2 ** 20).toFixed(2)} MiB`,
    `singular values: ${sv}${r.singularValues.length > 10 ? ' ...' : ''}`,
    `error ||A - U S V^T||_F ${r.errorEstimate.kind === 'sketch' ? '~' : '='} ${r.errorEstimate.frobenius.toPrecision(4)} (relative ${r.errorEstimate.relative.toPrecision(3)})`,
    `time ${r.seconds.toFixed(2)} s, peak RSS ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
  ];
  if (r.output) lines.push(`wrote ${Object.values(r.output).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
