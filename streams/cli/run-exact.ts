/**
 * `approx --method exact`: the exact truncated SVD baseline (`exactTruncatedSvd`, a dense
 * Golub-Kahan SVD). The whole matrix is loaded, so the memory budget is checked first against what
 * the SVD really holds at its peak, `exactBytes` = 8 (8 m n + 6 min(m, n)^2) bytes (9 m n when m < n) (A, its working
 * copies and factors, the kernels' packed copies: src/plan/plan-approx.ts). A known shape
 * that does not fit is refused before reading; an unknown one (stdin, TCP) as soon as it outgrows
 * the budget. --center subtracts the column mean first.
 */
import { BudgetError, exactBytes, exactTruncatedSvd, fixSigns, formatBytes, ShapeError, zeros, type Matrix64 } from '../../src/internals.js';
import { chooseFromProjection, type RankAutoReport } from './rank-auto.js';
import { peakRssBytes, type ApproxResult } from './approx-result.js';
import { drainSource } from '../drain-source.js';
import { writeFactor } from './factor-writer.js';
import { factorNames, unscale, type RunContext } from './run-context.js';
import { addSquares, createSumSquares, residualNorm } from '../../src/internals.js';
import { ZERO_MATRIX_NOTE } from './zero-matrix.js';
import { UsageError } from './usage-error.js';

export async function runExact(ctx: RunContext): Promise<ApproxResult> {
  const { opts, source, info, meter } = ctx;
  const n = info.cols;
  const refuse = (m: number, known: boolean): never => {
    throw new BudgetError(
      `memory budget ${formatBytes(opts.memoryBudget)} is too small for the exact SVD of ${info.where} ` +
      `(${known ? '' : 'at least '}${m} x ${n}): it needs about ${formatBytes(exactBytes(m, n))}; raise --memory-budget or use a sketch (--method auto)`,
    );
  };
  if (info.rows !== undefined && exactBytes(info.rows, n) > opts.memoryBudget) refuse(info.rows, true);
  let cap = Math.max(1, info.rows ?? 1024);
  let data = new Float64Array(cap * n);
  let m = 0;
  await drainSource(source, (b) => {
    const end = b.rowStart + b.rows;
    if (exactBytes(end, n) > opts.memoryBudget) refuse(end, info.rows !== undefined);
    if (end > cap) {
      while (cap < end) cap *= 2;
      const bigger = new Float64Array(cap * n);
      bigger.set(data.subarray(0, m * n));
      data = bigger;
    }
    data.set(b.data.subarray(0, b.rows * n), b.rowStart * n);
    m = Math.max(m, end);
    meter.block(b.rows, b.rows * n * b.data.BYTES_PER_ELEMENT);
  });
  if (m === 0) throw new ShapeError(`${info.where}: the input has no rows`);
  const a: Matrix64 = { rows: m, cols: n, data, offset: 0, stride: n };
  // A column stream arrives centered already (center-rows.ts).
  if (opts.center && info.orientation === 'rows') {
    const mu = new Float64Array(n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) mu[j] += data[i * n + j]! / m;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) data[i * n + j] -= mu[j]!;
    ctx.mean = Float64Array.from(mu, (x) => unscale(ctx, x));
  }
  const f2 = createSumSquares();
  addSquares(f2, data, 0, m * n);
  const limit = Math.min(m, n);
  if (opts.rank > limit) throw new UsageError(`--rank ${opts.rank} exceeds min(rows, cols) = ${limit} of ${info.where}`);
  meter.phase('exact SVD');
  // --rank auto: the whole spectrum is computed anyway; the rank is scikit-learn's (rank-auto.ts).
  let svd = exactTruncatedSvd(a, opts.rankAuto !== undefined ? limit : opts.rank);
  let rankAuto: RankAutoReport | undefined;
  if (opts.rankAuto !== undefined) {
    rankAuto = chooseFromProjection(opts.rankAuto, svd.s, residualNorm(f2, []), 'exact', 'the exact SVD');
    svd = { u: leadingColumns(svd.u, rankAuto.rank), s: svd.s.slice(0, rankAuto.rank), v: leadingColumns(svd.v, rankAuto.rank) };
  }
  // A column stream factored A^T: its U is V of A, where the sign convention decides (docs/METHODS.md "Signs").
  if (info.orientation === 'columns') fixSigns(svd.u, svd.v);
  const normScaled = residualNorm(f2, []);
  const frobScaled = residualNorm(f2, svd.s);
  if (normScaled === 0) ctx.notes.push(ZERO_MATRIX_NOTE);
  for (let j = 0; j < svd.s.length; j++) svd.s[j] = unscale(ctx, svd.s[j]!);
  const names = factorNames(info);
  const output: Record<string, string> = {};
  if (ctx.output !== undefined) {
    output[names.tall] = await writeFactor(ctx.output, names.tall, svd.u);
    output.S = await writeFactor(ctx.output, 'S', svd.s);
    output[names.wide] = await writeFactor(ctx.output, names.wide, svd.v);
  }
  const frob = unscale(ctx, frobScaled);
  const columns = info.orientation === 'columns';
  return {
    input: info.where, rows: columns ? n : m, cols: columns ? m : n, rank: svd.s.length, passes: 1,
    method: 'exact', testMatrix: 'none', sketch: {}, stateBytes: exactBytes(m, n), memoryBudget: opts.memoryBudget,
    singularValues: Array.from(svd.s),
    errorEstimate: { frobenius: frob, relative: normScaled > 0 ? frobScaled / normScaled : 0, normA: unscale(ctx, normScaled), kind: 'residual', reliable: true },
    seconds: (performance.now() - ctx.t0) / 1000, peakRssBytes: peakRssBytes(),
    ...(ctx.output !== undefined ? { output } : {}), ...(rankAuto ? { rankAuto } : {}), notes: ctx.notes,
  };
}

function leadingColumns(x: Matrix64, r: number): Matrix64 {
  const out = zeros(x.rows, r);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < r; j++) out.data[i * r + j] = x.data[x.offset + i * x.stride + j]!;
  return out;
}
