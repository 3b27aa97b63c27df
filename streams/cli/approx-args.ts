/**
 * The command line of `rangefinder approx`, parsed with node:util `parseArgs` (strict) and checked
 * at the boundary: every problem is a UsageError (exit 2) naming the option.
 */
import { availableParallelism } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseByteSize } from './parse-byte-size.js';
import { UsageError } from './usage-error.js';

export type CliMethod = 'auto' | 'three-sketch' | 'two-sketch' | 'rsvd' | 'rsi' | 'krylov' | 'fd' | 'exact';
export type OutFormat = 'npy' | 'arrow' | 'parquet';

export interface ApproxOptions {
  /** The input spec (path, '-', tcp://...), or undefined with --demo / --listen. */
  input?: string;
  /** --listen HOST:PORT */
  listen?: { host: string; port: number };
  demo: boolean;
  /** The rank; with --rank auto, 1 (the least the sketch must hold) and `rankAuto` says what to meet. */
  rank: number;
  /**
   * --rank auto: the target the rank is chosen for after the pass (rank-auto.ts): the fraction of
   * ||A||_F^2 (of A - 1 mu^T with --center: scikit-learn's n_components=0.9) the factors must
   * explain, or the relative Frobenius error they must meet (explained 1 - E^2).
   */
  rankAuto?: { explainedVariance: number } | { relativeError: number };
  passes: number;
  memoryBudget: number;
  /** True when --memory-budget was given (the demo picks its own otherwise). */
  budgetGiven: boolean;
  method: CliMethod;
  /** --test-matrix; undefined: each method's library default (sparse sign for the single-pass sketches, Gaussian for RSI/Krylov). */
  testMatrix?: 'gaussian' | 'sparse-sign';
  /** --size-rule: how the single-view sketch sizes follow from the budget [TYUC19 §5.4]. */
  sizeRule: 'natural' | 'flat';
  rangeDim?: number;
  oversamples?: number;
  coreDim?: number;
  coRangeDim?: number;
  seed: number;
  /** 'auto' (default): by columns for a wide replayable input where that costs no extra reads (orientation.ts). */
  orientation: 'rows' | 'columns' | 'auto';
  columns?: string[];
  /** --exclude a,b: table columns to leave out (an id or label column). */
  exclude?: string[];
  /** --non-finite: what to do with NaN, +-Inf and nulls (default error; skip drops the row, zero zeroes the value). */
  nonFinite: 'error' | 'skip' | 'zero';
  center: boolean;
  out?: string;
  /** --report FILE.html: a self-contained page with the plots of the run (approx-report.ts). */
  report?: string;
  format: OutFormat;
  /** --dtype: element type of U and V in the outputs; undefined: the input's (S is always float64). */
  dtype?: 'float32' | 'float64';
  /** --id-column NAME: a column of an Arrow/Parquet input carried beside U (id-spill.ts), not a matrix column. */
  idColumn?: string;
  json: boolean;
  progress: boolean;
  /**
   * RSI with P >= 2 passes: the factors after every pass, for the error each pass bought (JSON
   * `perPass`); `--no-pass-errors` turns it off. Cost: a TSQR of G per pass, w / (2 n) of the pass.
   */
  passErrors: boolean;
  /** --threads; default DEFAULT_THREADS(). */
  threads: number;
  /**
   * Decode Arrow IPC files and Parquet on a worker thread, ahead of the sketch (`--no-decode-worker`
   * turns it off). Default: on when the machine has at least 2 cores (os.availableParallelism()):
   * decode and sketch then overlap and a pass costs about max(decode, sketch) instead of the sum; on
   * one core the worker could only take time from the sketch, so it stays off there.
   */
  decodeWorker: boolean;
  /** --connect-timeout: ms to wait for a TCP connection, a producer on --listen, or a writer on a FIFO (0: forever). */
  connectTimeoutMs: number;
  /** --idle-timeout: ms a stream input (stdin, TCP, FIFO) may send nothing while we wait for data (0: forever). */
  idleTimeoutMs: number;
  /** --max-message: cap on one Arrow IPC message (metadata or body); default from the budget and the row width. */
  maxMessageBytes?: number;
  /** --checkpoint DIR / --resume DIR (checkpoint.ts); `resume` when continuing the checkpoint in DIR. */
  checkpoint?: { dir: string; resume: boolean; everyRows?: number; everyMs?: number; producerResumes: boolean };
  /** --distributed redis://HOST:PORT: shards sketched by `rangefinder worker`s through BullMQ (run-distributed.ts). */
  distributed?: string;
  /** Every input with several files or --distributed (stacked by rows, in this order); `input` is the first. */
  inputs?: string[];
  /** --shards N (--distributed): how many shards (default one per input file). */
  shards?: number;
  /** --shard-dir DIR (--distributed): where the workers write the shard sketches (default: the --out directory). */
  shardDir?: string;
  help: boolean;
}

export const DEFAULT_MEMORY_BUDGET = 64 * 1024 * 1024;
/** Default --connect-timeout: a producer that is not there in 30 s is not coming. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
/** Default --idle-timeout: two minutes without a byte while we wait for one is a stalled producer. */
export const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
/**
 * Kernel threads by default: both cores where the machine has two or more (the kernel pool splits
 * every large product; on this project's 2-core machine it measured 1.4-2.0x, and a product's bits
 * do not depend on the thread count). More than 2 only when asked (--threads N): not measured here.
 */
export const DEFAULT_THREADS = (): number => Math.min(2, availableParallelism());
export const DEMO_RANK = 10;

const METHODS: readonly CliMethod[] = ['auto', 'three-sketch', 'two-sketch', 'rsvd', 'rsi', 'krylov', 'fd', 'exact'];

/** How node:util parseArgs declares an option. */
export interface OptionSpec { type: 'string' | 'boolean'; short?: string }

/** The options of `approx`; `sketch` takes the same input and sketch options (sketch-args.ts). */
export const APPROX_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  'connect-timeout': { type: 'string' },
  'idle-timeout': { type: 'string' },
  'max-message': { type: 'string' },
  rank: { type: 'string' },
  'explained-variance': { type: 'string' },
  'relative-error': { type: 'string' },
  passes: { type: 'string' },
  'memory-budget': { type: 'string' },
  method: { type: 'string' },
  'test-matrix': { type: 'string' },
  'size-rule': { type: 'string' },
  'range-dim': { type: 'string' },
  oversamples: { type: 'string' },
  'core-dim': { type: 'string' },
  'co-range-dim': { type: 'string' },
  seed: { type: 'string' },
  orientation: { type: 'string' },
  columns: { type: 'string' },
  exclude: { type: 'string' },
  'non-finite': { type: 'string' },
  center: { type: 'boolean' },
  out: { type: 'string' },
  report: { type: 'string' },
  format: { type: 'string' },
  dtype: { type: 'string' },
  'id-column': { type: 'string' },
  json: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  'no-pass-errors': { type: 'boolean' },
  progress: { type: 'boolean' },
  listen: { type: 'string' },
  demo: { type: 'boolean' },
  threads: { type: 'string' },
  'no-decode-worker': { type: 'boolean' },
  distributed: { type: 'string' },
  shards: { type: 'string' },
  'shard-dir': { type: 'string' },
  checkpoint: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  resume: { type: 'string' },
  'producer-resumes': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export function parseApproxArgs(argv: readonly string[]): ApproxOptions {
  return parseRunArgs(argv, 'approx').opts;
}

/**
 * approx's parser, for approx and for the commands that take its input and sketch options
 * (`sketch`): `omit` removes options the command does not take (refused as unknown), `extra` adds
 * its own, whose raw values come back in `values` for the command to check.
 */
export function parseRunArgs(
  argv: readonly string[], command: string, spec: { omit?: readonly string[]; extra?: Readonly<Record<string, OptionSpec>> } = {},
): { opts: ApproxOptions; values: Record<string, string | boolean | undefined> } {
  const options: Record<string, OptionSpec> = { ...APPROX_OPTIONS, ...spec.extra };
  for (const o of spec.omit ?? []) delete options[o];
  const valueOptions = new Set(Object.entries(options).filter(([, o]) => o.type === 'string').map(([k]) => k));
  const parsed = parseCommandLine(argv, command, options, valueOptions);
  const values = parsed.values as ApproxValues;
  return { opts: approxOptionsOf(values, parsed.positionals, command), values };
}

/** parseArgs' values for APPROX_OPTIONS (and a command's extra options). */
interface ApproxValues {
  [option: string]: string | boolean | undefined;
  'connect-timeout'?: string; 'idle-timeout'?: string; 'max-message'?: string; rank?: string; passes?: string;
  'memory-budget'?: string; method?: string; 'test-matrix'?: string; 'size-rule'?: string; 'range-dim'?: string;
  oversamples?: string; 'core-dim'?: string; 'co-range-dim'?: string; seed?: string; orientation?: string;
  columns?: string; exclude?: string; 'non-finite'?: string; center?: boolean; out?: string; report?: string;
  format?: string; json?: boolean; 'no-progress'?: boolean; progress?: boolean; listen?: string; demo?: boolean;
  threads?: string; 'no-decode-worker'?: boolean; help?: boolean;
  'explained-variance'?: string; 'relative-error'?: string; dtype?: string; 'id-column'?: string; 'no-pass-errors'?: boolean;
  distributed?: string; shards?: string; 'shard-dir'?: string;
  checkpoint?: string; 'checkpoint-every'?: string; resume?: string; 'producer-resumes'?: boolean;
}

function approxOptionsOf(v: ApproxValues, positionals: readonly string[], command: string): ApproxOptions {
  const help = v.help === true;
  const demo = v.demo === true;
  const see = `(see rangefinder ${command} --help)`;
  if (positionals.length > 1 && command !== 'approx') {
    throw new UsageError(`${command} takes one input, found ${positionals.length}: ${positionals.join(' ')} (several files are stacked by rows by approx) ${see}`);
  }
  const input = positionals[0];
  const listen = v.listen !== undefined ? parseHostPort(v.listen, '--listen') : undefined;
  if (!help) {
    const given = [input !== undefined, listen !== undefined, demo].filter(Boolean).length;
    const ways = ['a file', '- for stdin', 'tcp://HOST:PORT', '--listen HOST:PORT', ...(command === 'approx' ? ['--demo'] : [])];
    if (given === 0) throw new UsageError(`${command} needs an input: ${ways.slice(0, -1).join(', ')} or ${ways.at(-1)!} ${see}`);
    if (given > 1) throw new UsageError(`${command} takes exactly one of <input>, --listen${command === 'approx' ? ' and --demo' : ''}`);
    if (v.rank === undefined && !demo) throw new UsageError(`${command} needs --rank R ${see}`);
  }
  const method = (v.method ?? 'auto') as CliMethod;
  if (!METHODS.includes(method)) throw new UsageError(`--method must be one of ${METHODS.join(', ')}, found '${v.method}'`);
  const testMatrix = v['test-matrix'];
  if (testMatrix !== undefined && testMatrix !== 'gaussian' && testMatrix !== 'sparse-sign') throw new UsageError(`--test-matrix must be gaussian or sparse-sign, found '${testMatrix}'`);
  const sizeRule = v['size-rule'] ?? 'flat';
  if (sizeRule !== 'natural' && sizeRule !== 'flat') throw new UsageError(`--size-rule must be natural or flat, found '${sizeRule}'`);
  const orientation = v.orientation ?? 'auto';
  if (orientation !== 'rows' && orientation !== 'columns' && orientation !== 'auto') throw new UsageError(`--orientation must be auto, rows or columns, found '${orientation}'`);
  const format = v.format ?? 'npy';
  if (format !== 'npy' && format !== 'arrow' && format !== 'parquet') throw new UsageError(`--format must be npy, arrow or parquet, found '${format}'`);
  if (v.format !== undefined && v.out === undefined) throw new UsageError('--format needs --out PREFIX');
  const dtype = v.dtype;
  if (dtype !== undefined && dtype !== 'float32' && dtype !== 'float64') throw new UsageError(`--dtype must be float32 or float64, found '${dtype}'`);
  if (dtype !== undefined && v.out === undefined) throw new UsageError('--dtype needs --out PREFIX (it is the element type of the written U and V)');
  const idColumn = v['id-column'];
  if (idColumn !== undefined && idColumn.trim().length === 0) throw new UsageError('--id-column expects a column name');
  if (idColumn !== undefined && v.out === undefined) throw new UsageError('--id-column needs --out PREFIX (the ids are written beside U)');
  if (idColumn !== undefined && v.orientation === 'columns') {
    throw new UsageError('--id-column does not apply to --orientation columns: a column stream\'s rows are the input\'s columns (named in V), not its rows; stream by rows to carry the ids beside U');
  }
  const nonFinite = v['non-finite'] ?? 'error';
  if (nonFinite !== 'error' && nonFinite !== 'skip' && nonFinite !== 'zero') throw new UsageError(`--non-finite must be error, skip or zero, found '${nonFinite}'`);
  const columns = nameList(v.columns, '--columns');
  const exclude = nameList(v.exclude, '--exclude');
  const opts: ApproxOptions = {
    demo, help,
    rank: v.rank !== undefined && v.rank !== 'auto' ? positiveInt(v.rank, '--rank') : v.rank === 'auto' ? 1 : DEMO_RANK,
    passes: v.passes !== undefined ? positiveInt(v.passes, '--passes') : 1,
    memoryBudget: v['memory-budget'] !== undefined ? parseByteSize(v['memory-budget'], '--memory-budget') : DEFAULT_MEMORY_BUDGET,
    budgetGiven: v['memory-budget'] !== undefined,
    method, testMatrix, sizeRule, orientation, format, nonFinite,
    seed: v.seed !== undefined ? nonNegativeInt(v.seed, '--seed', 0xffffffff) : 0,
    center: v.center === true,
    json: v.json === true,
    progress: v['no-progress'] !== true,
    passErrors: v['no-pass-errors'] !== true,
    threads: v.threads !== undefined ? positiveInt(v.threads, '--threads', 64) : DEFAULT_THREADS(),
    decodeWorker: v['no-decode-worker'] !== true && availableParallelism() >= 2,
    connectTimeoutMs: v['connect-timeout'] !== undefined ? parseDuration(v['connect-timeout'], '--connect-timeout') : DEFAULT_CONNECT_TIMEOUT_MS,
    idleTimeoutMs: v['idle-timeout'] !== undefined ? parseDuration(v['idle-timeout'], '--idle-timeout') : DEFAULT_IDLE_TIMEOUT_MS,
  };
  const ev = v['explained-variance'], re = v['relative-error'];
  if (v.rank === 'auto') {
    if ((ev === undefined) === (re === undefined)) throw new UsageError('--rank auto needs one target: --explained-variance F (0 < F < 1, scikit-learn\'s n_components=F) or --relative-error E (0 < E < 1)');
    opts.rankAuto = ev !== undefined ? { explainedVariance: fraction(ev, '--explained-variance') } : { relativeError: fraction(re!, '--relative-error') };
  } else if (ev !== undefined || re !== undefined) {
    throw new UsageError(`${ev !== undefined ? '--explained-variance' : '--relative-error'} is the target of --rank auto: give --rank auto with it (or a fixed --rank R without it)`);
  }
  if (v['max-message'] !== undefined) opts.maxMessageBytes = parseByteSize(v['max-message'], '--max-message');
  if (input !== undefined) opts.input = input;
  if (listen !== undefined) opts.listen = listen;
  if (columns !== undefined) opts.columns = columns;
  if (exclude !== undefined) opts.exclude = exclude;
  if (dtype !== undefined) opts.dtype = dtype;
  if (idColumn !== undefined) opts.idColumn = idColumn.trim();
  if (v.out !== undefined) {
    if (v.out.length === 0) throw new UsageError('--out expects a file prefix');
    opts.out = v.out;
  }
  if (v.report !== undefined) {
    if (v.report.length === 0) throw new UsageError('--report expects a file name (FILE.html)');
    opts.report = v.report;
  }
  const ck = checkpointOptions(v.checkpoint, v.resume, v['checkpoint-every'], v['producer-resumes'] === true);
  if (ck !== undefined) opts.checkpoint = ck;
  if (v['range-dim'] !== undefined) opts.rangeDim = positiveInt(v['range-dim'], '--range-dim');
  if (v.oversamples !== undefined) opts.oversamples = nonNegativeInt(v.oversamples, '--oversamples', 100_000);
  if (v['core-dim'] !== undefined) opts.coreDim = positiveInt(v['core-dim'], '--core-dim');
  if (v['co-range-dim'] !== undefined) opts.coRangeDim = positiveInt(v['co-range-dim'], '--co-range-dim');
  if (positionals.length > 1 || v.distributed !== undefined) opts.inputs = [...positionals];
  if (v.distributed !== undefined) {
    opts.distributed = v.distributed;
  } else {
    for (const o of ['shards', 'shard-dir'] as const) if (v[o] !== undefined) throw new UsageError(`--${o} needs --distributed redis://HOST:PORT`);
  }
  if (v.shards !== undefined) opts.shards = positiveInt(v.shards, '--shards', 100_000);
  if (v['shard-dir'] !== undefined) {
    if (v['shard-dir'].length === 0) throw new UsageError('--shard-dir expects a directory');
    opts.shardDir = v['shard-dir'];
  }
  return opts;
}

/** Whether the options ask for the multi-pass driver (RSI or block Krylov by the Gram pass) rather than one pass or the exact SVD. */
export function isMultiPass(opts: Pick<ApproxOptions, 'method' | 'passes'>): boolean {
  return opts.method === 'rsi' || opts.method === 'krylov' || (opts.method === 'auto' && opts.passes > 1);
}

/** Default --checkpoint-every: a minute of work is the most a crash can cost. */
export const DEFAULT_CHECKPOINT_EVERY_MS = 60_000;

/** --checkpoint DIR | --resume DIR, --checkpoint-every ROWS|DURATION, --producer-resumes. */
function checkpointOptions(checkpoint: string | undefined, resume: string | undefined, every: string | undefined, producerResumes: boolean): ApproxOptions['checkpoint'] {
  if (checkpoint !== undefined && resume !== undefined && checkpoint !== resume) {
    throw new UsageError(`--checkpoint ${checkpoint} and --resume ${resume} name different directories (--resume DIR goes on checkpointing into DIR)`);
  }
  const dir = resume ?? checkpoint;
  if (dir === undefined) {
    if (every !== undefined) throw new UsageError('--checkpoint-every needs --checkpoint DIR');
    if (producerResumes) throw new UsageError('--producer-resumes needs --resume DIR');
    return undefined;
  }
  if (dir.length === 0) throw new UsageError(`${resume !== undefined ? '--resume' : '--checkpoint'} expects a directory`);
  if (producerResumes && resume === undefined) throw new UsageError('--producer-resumes needs --resume DIR');
  const out: NonNullable<ApproxOptions['checkpoint']> = { dir, resume: resume !== undefined, producerResumes };
  if (every === undefined) return { ...out, everyMs: DEFAULT_CHECKPOINT_EVERY_MS };
  if (/^\s*\d+\s*$/.test(every)) return { ...out, everyRows: positiveInt(every, '--checkpoint-every') };
  const ms = parseDuration(every, '--checkpoint-every');
  if (ms === 0) throw new UsageError(`--checkpoint-every expects a row count (1000000) or a duration (30s, 5m) above 0, found '${every}'`);
  return { ...out, everyMs: ms };
}

/**
 * `--opt -5` would read '-5' as another option ("takes no value", parseArgs): a token after an
 * option that takes a value, which starts with '-' followed by a digit or '.', is joined to it
 * (`--opt=-5`), so that the option's own check says what is wrong with the value.
 */
function attachNegativeValues(argv: readonly string[], valueOptions: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1];
    const m = /^--([a-z-]+)$/.exec(a);
    if (m !== null && valueOptions.has(m[1]) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** `2s`, `500ms`, `1.5m`, `0` (none), or plain seconds; a UsageError naming the option otherwise. */
export function parseDuration(text: string, option: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (m === null) throw new UsageError(`${option} expects a duration such as 30s, 500ms or 2m (0 for none), found '${text}'`);
  const f = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's').toLowerCase() as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * f);
}

/** A number strictly between 0 and 1 (a fraction), or a UsageError naming the option. */
function fraction(text: string, option: string): number {
  const x = Number(text.trim());
  if (text.trim() === '' || !(x > 0 && x < 1)) throw new UsageError(`${option} expects a fraction strictly between 0 and 1 (e.g. 0.9), found '${text}'`);
  return x;
}

function nameList(text: string | undefined, option: string): string[] | undefined {
  if (text === undefined) return undefined;
  const names = text.split(',').map((c) => c.trim()).filter((c) => c.length > 0);
  if (names.length === 0) throw new UsageError(`${option} expects a comma-separated list of column names`);
  return names;
}

export function positiveInt(text: string, option: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || Number(text) > max) {
    throw new UsageError(`${option} expects a positive integer${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ''}, found '${text}'`);
  }
  return Number(text);
}

function nonNegativeInt(text: string, option: string, max: number): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) > max) throw new UsageError(`${option} expects an integer from 0 to ${max}, found '${text}'`);
  return Number(text);
}

/** `HOST:PORT`, `:PORT` or `PORT`; the host defaults to loopback. */
export function parseHostPort(text: string, option: string): { host: string; port: number } {
  const m = /^(?:(.*):)?(\d+)$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new UsageError(`${option} expects HOST:PORT (e.g. 127.0.0.1:9000), found '${text}'`);
  const host = m[1] === undefined || m[1] === '' ? '127.0.0.1' : m[1].replace(/^\[(.*)\]$/, '$1');
  return { host, port };
}

/**
 * A command's command line through node:util parseArgs (positionals allowed, unknown options
 * refused), its errors reworded by `fromParseArgsError`; `negativeValues`: string options whose
 * value may begin with '-' (`attachNegativeValues`).
 */
export function parseCommandLine<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[], command: string, options: O, negativeValues?: ReadonlySet<string>,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>> {
  const args = negativeValues !== undefined ? attachNegativeValues(argv, negativeValues) : [...argv];
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw fromParseArgsError(e, command);
  }
}

/** node:util parseArgs errors, reworded to name the option and the help to read. */
function fromParseArgsError(e: unknown, command: string): Error {
  const err = e as { code?: string; message?: string };
  const msg = err.message ?? String(e);
  const opt = /'(-{1,2}[^' ]+)/.exec(msg)?.[1];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError(`unknown option ${opt ?? msg} (see rangefinder ${command} --help)`);
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return new UsageError(`option ${opt ?? ''} ${/argument missing/.test(msg) ? 'needs a value' : 'takes no value'} (see rangefinder ${command} --help)`.replace('  ', ' '));
  }
  if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new UsageError(`unexpected argument: ${msg} (see rangefinder ${command} --help)`);
  return e instanceof Error ? e : new Error(msg);
}
