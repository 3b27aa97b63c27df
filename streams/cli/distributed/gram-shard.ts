/**
 * One pass of a multi-pass run on one shard (issue 17): `approx --distributed` with `--passes P`
 * (RSI) or `--method krylov` runs each pass as a BullMQ flow whose jobs stream their rows against
 * the pass's right block X and leave what the parent needs in a file on shared storage
 * [docs/METHODS.md §5-6; the container: docs/FORMATS.md]:
 *
 * - the client writes X (n x w float64) to `x-pass-P.rfsk` (kind `gram-x`, `writePassX`);
 * - a worker (`runGramShard`) checks that file against the SHA-256 the job carries, streams rows
 *   [a, b) of its input, numbered from the shard's global offset, into `gramPassShard`
 *   (src/multipass), and saves `pass-P-shard-K.rfsk` (kind `gram-piece`): H (section `h`, n x w),
 *   the TSQR factor R of its rows of G when the pass keeps one (`r`, w x w), its rows of G in the
 *   last pass (`range`, for U = G M), and in pass 1 the sum of squares of its values (for ||A||_F)
 *   and the power-of-two scaling its rows chose (scale-extreme.ts);
 * - the client (gram-runner.ts) reads the pieces in shard order (`readGramPiece`, which checks that
 *   each is the piece of this run, pass and shard) and adds them with `mergeGramPiece`.
 *
 * A job is a function of its data (the rows, X, the options), so a shard re-run after a crash, on
 * any worker, writes the identical file.
 */
import {
  addSquares, createSumSquares, DEFAULT_POWER_ITERATIONS, gramPassShard, releaseGramPass, SourceError, updateGramPass, FormatError,
  type GramPassState, type GramPiece, type SumSquares, type TestMatrixFamily,
} from '../../../src/internals.js';
import { drainSource } from '../../drain-source.js';
import { floatsOf, forEachRangeBlock, littleEndianBytes, rangeSection, readSketchFile, writeSketchFile, type SectionInput } from '../../sketch-file.js';
import { scaleExtremeValues } from '../../wrappers/scale-extreme.js';
import { selectRows } from '../../wrappers/select-rows.js';
import type { Matrix } from '../../../src/internals.js';
import { openInput } from '../open-input.js';
import { packageVersion } from '../package-version.js';
import { createRangeSpill } from '../range-spill.js';
import { blockMatrix } from '../run-context.js';
import { fileDigest } from './file-digest.js';
import { shardLabel, type GramJob, type ShardJobData } from './shard-job.js';

export interface GramXHeader {
  kind: 'gram-x';
  writer: string;
  runId: string;
  /** 0-based. */
  pass: number;
  cols: number;
  width: number;
}

export interface GramPieceHeader {
  kind: 'gram-piece';
  writer: string;
  runId: string;
  pass: number;
  /** The shard (0-based) and its rows in the whole matrix. */
  index: number;
  rows: { offset: number; count: number };
  cols: number;
  width: number;
  /** Rows the TSQR factor absorbed (0 without one). */
  tsqrRows: number;
  /** Pass 1: the sum of squares of the shard's values (as streamed, 2^-e A) and e (null: every value was 0). */
  sumSquares: SumSquares | null;
  exponent: number | null;
  /** --non-finite zero: what was set to 0 in this shard. */
  nonFinite: { rowsZeroed: number; valuesZeroed: number };
}

/** The pass's right block X of `st` as a `gram-x` file in `dir`; returns its path and SHA-256. */
export async function writePassX(dir: string, runId: string, st: GramPassState): Promise<{ path: string; sha256: string }> {
  const path = `${dir}/x-pass-${st.pass + 1}.rfsk`;
  const header: GramXHeader = { kind: 'gram-x', writer: `rangefinder ${packageVersion()}`, runId, pass: st.pass, cols: st.cols, width: st.width };
  await writeSketchFile(path, header, [{ name: 'x', bytes: littleEndianBytes(st.x), meta: { rows: st.cols, cols: st.width, dtype: 'float64' } }]);
  return { path, sha256: (await fileDigest(path)).sha256 };
}

/** Streams the job's rows through one pass and saves the shard's piece to `d.out`. Input faults are RangefinderErrors (not retried). */
export async function runGramShard(d: ShardJobData, gram: GramJob): Promise<{ rows: number }> {
  const label = shardLabel(d);
  const o = gram.options;
  await checkPassX(gram, label);
  const x = readPassX(gram, d.runId, label);
  const opened = await openInput({ input: d.input }, {
    nonFinite: gram.read.nonFinite, memoryBudget: gram.read.memoryBudget, orientation: 'rows', firstRow: d.rows[0],
    ...(gram.read.columns !== undefined ? { columns: gram.read.columns } : {}), ...(gram.read.exclude !== undefined ? { exclude: gram.read.exclude } : {}),
  });
  const source = selectRows(opened, { start: d.rows[0], end: d.rows[1], offset: d.rowOffset });
  const info = await source.info();
  const want = d.rows[1] - d.rows[0];
  if (info.cols !== o.cols) throw new SourceError(`${label}: ${d.input} has ${info.cols} columns, the run has ${o.cols} (did the file change?)`);
  if (info.rows !== undefined && info.rows !== want) throw new SourceError(`${label}: ${d.input} has ${info.rows + d.rows[0]} rows, the run needs ${d.rows[1]} (did the file change?)`);
  const scaled = scaleExtremeValues(source, gram.exponent);
  const spill = gram.keepG ? createRangeSpill() : undefined;
  let st: GramPassState | undefined;
  try {
    st = gramPassShard({ ...o, testMatrix: o.testMatrix as TestMatrixFamily }, gram.pass, x, spill);
    const shard = st;
    const norm = createSumSquares();
    await drainSource(scaled, (b) => {
      updateGramPass(shard, blockMatrix(b), b.rowStart);
      if (gram.pass === 0) addSquares(norm, b.data, 0, b.rows * b.cols);
    });
    if (shard.rowsSeen !== want) throw new SourceError(`${label}: ${d.input} gave ${shard.rowsSeen} rows, the shard is ${want} (did the file change?)`);
    releaseGramPass(shard);
    const header: GramPieceHeader = {
      kind: 'gram-piece', writer: `rangefinder ${packageVersion()}`, runId: d.runId, pass: gram.pass, index: d.index,
      rows: { offset: d.rowOffset, count: want }, cols: o.cols, width: shard.width, tsqrRows: shard.tsqr?.rows ?? 0,
      sumSquares: gram.pass === 0 ? { ...norm } : null, exponent: scaled.decided ? scaled.exponent : null,
      nonFinite: { rowsZeroed: opened.stats.rowsZeroed, valuesZeroed: opened.stats.valuesZeroed },
    };
    const sections: SectionInput[] = [];
    if (shard.h.length > 0) sections.push({ name: 'h', bytes: littleEndianBytes(shard.h), meta: { rows: o.cols, cols: shard.width, dtype: 'float64' } });
    if (shard.tsqr) sections.push({ name: 'r', bytes: littleEndianBytes(shard.tsqr.r.data), meta: { rows: shard.width, cols: shard.width, dtype: 'float64' } });
    if (spill !== undefined) sections.push(rangeSection(shard.width, (visit) => spill.replay(visit)));
    await writeSketchFile(d.out, header, sections);
    return { rows: want };
  } finally {
    if (st !== undefined) releaseGramPass(st);
    spill?.dispose();
  }
}

/** X of the job's pass: the client's file, checked against the job's SHA-256 and header. */
function readPassX(gram: GramJob, runId: string, label: string): Float64Array {
  const file = readSketchFile<Partial<GramXHeader>>(gram.x);
  const h = file.header;
  if (h.kind !== 'gram-x' || h.runId !== runId || h.pass !== gram.pass || h.cols !== gram.options.cols || !Number.isSafeInteger(h.width)) {
    throw new FormatError(`${label}: ${gram.x} is not pass ${gram.pass + 1}'s right block of run ${runId}`);
  }
  // The job's options must give X's width, before anything of that size is allocated: a job is
  // input from Redis, and its options could otherwise ask for a state far beyond what the client planned.
  const o = gram.options;
  const l = Math.min(o.rank + o.oversamples, o.rows, o.cols);
  const q = o.powerIterations ?? DEFAULT_POWER_ITERATIONS;
  const passes = o.method === 'rsi' ? Math.ceil((o.views ?? 2 * q + 2) / 2) : q + 1;
  const width = o.method === 'block-krylov' && gram.pass === passes - 1 ? passes * l : l;
  if (h.width !== width) throw new FormatError(`${label}: the job's options give pass ${gram.pass + 1} a block of width ${width}, its right block ${gram.x} has ${h.width}`);
  const bytes = file.readSection('x');
  if (bytes.length !== 8 * h.cols! * h.width!) throw new FormatError(`${label}: ${gram.x} holds ${bytes.length / 8} values, expected ${h.cols} x ${h.width}`);
  return floatsOf(bytes);
}

/** The X file the job names is the one the client wrote (its SHA-256 is the job's), not a stale or foreign one. */
async function checkPassX(gram: GramJob, label: string): Promise<void> {
  const got = await fileDigest(gram.x).catch((e: unknown) => { throw new SourceError(`${label}: cannot read the pass's right block ${gram.x} (${(e as { code?: string }).code ?? String(e)}): is its directory on storage shared with the client?`); });
  if (got.sha256 !== gram.xSha256) throw new SourceError(`${label}: ${gram.x} is not the right block the client wrote (SHA-256 ${got.sha256.slice(0, 16)}…, expected ${gram.xSha256.slice(0, 16)}…)`);
}

/**
 * A shard's piece as the parent merges it, checked to be the piece of this run, pass and shard,
 * shaped for `st`. The caller has checked the whole file's SHA-256 against its worker's report.
 */
export function readGramPiece(path: string, job: ShardJobData, st: GramPassState): { piece: GramPiece; header: GramPieceHeader } {
  const file = readSketchFile<Partial<GramPieceHeader>>(path, { digestChecked: true });
  const h = file.header;
  const label = shardLabel(job);
  const count = job.rows[1] - job.rows[0];
  if (h.kind !== 'gram-piece' || h.runId !== job.runId || h.pass !== st.pass || h.index !== job.index || h.rows?.offset !== job.rowOffset
    || h.rows.count !== count || h.cols !== st.cols || h.width !== st.width) {
    throw new FormatError(`${label}: ${path} is not this shard's piece of pass ${st.pass + 1} (run ${job.runId})`);
  }
  const floats = (name: string, n: number): Float64Array => {
    const b = file.readSection(name);
    if (b.length !== 8 * n) throw new FormatError(`${label}: ${path} section '${name}' holds ${b.length / 8} values, expected ${n}`);
    return floatsOf(b);
  };
  const piece: GramPiece = {
    h: st.h.length > 0 ? floats('h', st.h.length) : new Float64Array(0),
    r: st.tsqr ? floats('r', st.width * st.width) : null,
    rows: count, tsqrRows: h.tsqrRows ?? 0,
  };
  return { piece, header: h as GramPieceHeader };
}

/** The rows of G a last-pass piece holds, by global row (its whole-file SHA-256 checked by the caller). */
export function forEachGRow(path: string, visit: (rowStart: number, g: Matrix) => void): void {
  forEachRangeBlock(readSketchFile<unknown>(path, { digestChecked: true }), visit);
}
