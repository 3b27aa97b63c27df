/**
 * `rangefinder approx`: parse, open the input, route to a method, print the summary.
 *
 * Routing (src/plan planApprox): auto + 1 pass -> the single-pass Gram RSVD (rsvd) [Yu17]; auto +
 * P > 1 -> the pass planner (RSI by the Gram pass, q = P - 1); three-sketch / two-sketch / rsvd / fd
 * -> one pass (fd: a second for U when the input is replayable); rsi / krylov -> the Gram-pass
 * driver; exact -> the dense truncated SVD. Kernel threads: DEFAULT_THREADS (approx-args.ts).
 * A one-shot input (stdin, TCP) with --passes > 1 is refused before anything is read.
 */
import { isMultiPass, parseApproxArgs } from './approx-args.js';
import { distributedLine, errorPhrase, type ApproxResult } from './approx-result.js';
import { APPROX_HELP } from './help-text.js';
import { createReportRecorder } from './report-recorder.js';
import type { CommandIo } from './run-approx.js';
import type { RunCommand } from './worker-command.js';

export type { CommandIo } from './run-approx.js';

export async function approxCommand(argv: readonly string[], io: CommandIo, runCli?: RunCommand): Promise<number> {
  const opts = parseApproxArgs(argv);
  if (opts.help) { io.stdout.write(APPROX_HELP); return 0; }
  // Shards on `rangefinder worker`s through BullMQ: loaded only here (bullmq and ioredis are optional peers).
  // One pass: shards sketched and merged (run-distributed.ts); several: approx's own passes, each a
  // flow of shard jobs (distributed/gram-runner.ts), below.
  if (opts.distributed !== undefined && !isMultiPass(opts)) return (await import('./run-distributed.js')).runDistributed(opts, io, runCli!);
  // Loaded only for a run (start-up: --help and usage errors need none of it).
  const [{ runApprox }, { startKernelThreads }, demo] = await Promise.all([
    import('./run-approx.js'), import('../thread-pool.js'), opts.demo ? import('./demo.js') : null,
  ]);
  if (demo) {
    opts.input = demo.demoInput();
    if (!opts.budgetGiven) opts.memoryBudget = demo.DEMO_BUDGET;
  }
  // The kernel threads start while the input is opened and the first blocks are read: products run
  // on the calling thread until the workers are ready (the bits do not depend on the thread count).
  let threadError: unknown;
  const threads = opts.threads > 1 ? startKernelThreads(opts.threads).catch((e: unknown) => { threadError = e; return null; }) : null;
  try {
    const recorder = opts.report !== undefined ? createReportRecorder(performance.now()) : undefined;
    const result = await runApprox(opts, io, recorder);
    if (threadError !== undefined) result.notes.push(`the kernel threads did not start (${String(threadError)}): the run used one thread`);
    if (recorder !== undefined) {
      recorder.finish();
      // vega and vega-lite are loaded only here: a run without --report does not pay for them
      const { writeReport } = await import('./approx-report.js');
      await writeReport(opts.report!, { result, opts, recorder, argv });
      result.output = { ...result.output, report: opts.report! };
    }
    if (opts.json) io.stdout.write(`${JSON.stringify(result)}\n`);
    else if (demo) await demo.printDemoSummary(opts, result, io.stdout);
    else io.stdout.write(formatSummary(result));
    for (const note of result.notes) io.stderr.write(`rangefinder: note: ${note}\n`);
    return 0;
  } finally {
    await (await threads)?.stop();
  }
}

/** The text summary of approx (and merge) without --json. */
export function formatSummary(r: ApproxResult): string {
  const sizes = Object.entries(r.sketch).map(([k, v]) => `${k} = ${v}`).join(', ');
  const sv = r.singularValues.slice(0, 10).map((x) => x.toPrecision(6)).join(' ');
  const lines = [
    `${r.input}: ${r.rows} x ${r.cols}`,
    `method ${r.method} (${r.passes} pass${r.passes === 1 ? '' : 'es'}), rank ${r.rank}${sizes ? `, ${sizes}` : ''}`,
    `state ${(r.stateBytes / 2 ** 20).toFixed(2)} MiB of budget ${(r.memoryBudget / 2 ** 20).toFixed(2)} MiB`,
    `singular values: ${sv}${r.singularValues.length > 10 ? ' ...' : ''}`,
    `error ||A - U S V^T||_F ${errorPhrase(r.errorEstimate)}`,
    `time ${r.seconds.toFixed(2)} s, peak RSS ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
  ];
  if (r.explainedVarianceRatio !== undefined) {
    const ratio = r.explainedVarianceRatio;
    const total = ratio.reduce((a, b) => a + b, 0);
    lines.splice(4, 0, `explained variance ratio: ${ratio.slice(0, 10).map((x) => x.toPrecision(4)).join(' ')}${ratio.length > 10 ? ' ...' : ''} (sum ${total.toPrecision(4)})`);
  }
  if (r.perPass !== undefined) {
    lines.splice(lines.length - 1, 0, `error after each pass (relative, exact): ${r.perPass.map((p) => `${p.pass}: ${p.relativeError.toPrecision(4)}`).join('  ')}`);
  }
  if (r.rankAuto !== undefined) {
    const a = r.rankAuto;
    const target = 'explainedVariance' in a.target ? `explained ${a.target.explainedVariance}` : `relative error ${a.target.relativeError}`;
    const range = a.rankAtLeast !== undefined && a.basis === 'projection' ? `; the best rank-r approximation meets it at a rank in [${a.rankAtLeast}, ${a.rank}]` : '';
    lines.splice(2, 0, `rank auto (target ${target}): rank ${a.rank} (of at most ${a.width}) explains ${a.explained.toPrecision(4)} (relative error ${a.relativeError.toPrecision(4)}), ` +
      `${a.certified ? (a.basis === 'exact' ? 'exact' : 'certified: exact for these factors') : 'an a-posteriori estimate'}${range}`);
  }
  if (r.distributed !== undefined) lines.push(distributedLine(r.distributed, r.passes));
  if (r.output) lines.push(`wrote ${Object.values(r.output).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
