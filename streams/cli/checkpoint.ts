/**
 * Checkpoint and resume of a one-pass `approx` (`--checkpoint DIR`, `--resume DIR`).
 *
 * What is saved (README "Long streams: checkpoint and resume"): the sketch record (every sum, the
 * TSQR factor, the error sketch, the norms and counters: `serializeSketch`), the position (the next
 * row R, on the row grid below), the input's identity, the options that shape the sketch, the
 * scaling exponent (scale-extreme.ts), hashes of the first and the latest absorbed cells, and the
 * position of the range-row spill, which for a checkpointed run lives in DIR (`range-rows.arrows`)
 * instead of the temp directory.
 *
 * Bit-identical resume. The record's float64 sums depend on where its chunks fall (each block is cut
 * into chunks from its start), so the sketch is fed on a fixed grid of global rows (`alignRows`,
 * G = the sketch's chunk height) whatever the source's batches, and a checkpoint is taken only
 * after a whole cell: the state saved at row R is bit for bit the state the uninterrupted run has
 * at row R, and the rows after R are absorbed in the same chunks. Serialization is exact (float64 bytes).
 *
 * Atomic. A checkpoint is one sketch file, DIR/checkpoint.rfsk (the `.rfsk` container of
 * docs/FORMATS.md, kind 'checkpoint': the `sketch` section, and this module's fields in its header).
 * The spill is fsynced first (its rows up to R are then on the device), then the file is written
 * under a temporary name, fsynced and renamed over the previous one, and the directory fsynced
 * (`writeSketchFileSync`). A kill at any instant leaves the previous or the next checkpoint whole;
 * the spill rows written after the checkpoint are cut off on resume.
 *
 * Resume. A file is re-opened and the rows before R are skipped (.npy: by byte offset, no read);
 * a one-shot source either replays from the start (the rows before R are read, checked against
 * the saved cell hashes, and dropped) or, with `--producer-resumes`, starts at row R (printed).
 * A different input or different options are refused naming what differs.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Observable } from 'rxjs';
import { FormatError, serializeSketch, SKETCH_FORMAT_VERSION, SourceError, type RangeSpill, type SketchState } from '../../src/internals.js';
import { sweepStale } from '../durable.js';
import type { FoldHooks } from '../operators/fold-blocks.js';
import {
  loadSketch, readSketchFile, sketchShapeOf, writeSketchFileSync, type InputIdentity, type SketchFileHeader,
} from '../sketch-file.js';
import { stallPoint } from '../stall-point.js';
import type { RowBlock, SourceInfo } from '../types.js';
import { alignRows } from '../wrappers/align-rows.js';
import type { ScaledSource } from '../wrappers/scale-extreme.js';
import { packageVersion } from './package-version.js';
import { createRangeSpill, type CliRangeSpill } from './range-spill.js';
import { UsageError } from './usage-error.js';

export const CHECKPOINT = 'checkpoint.rfsk';
export const SPILL = 'range-rows.arrows';
/** The version of the checkpoint's fields in the header (the container has its own). */
const VERSION = 1;
/** Bytes hashed at each end of a file for its identity. */
const ENDS = 1 << 20;

export interface CheckpointSettings {
  readonly dir: string;
  readonly resume: boolean;
  /** Checkpoint when this many rows were absorbed since the last one. */
  readonly everyRows?: number;
  /** Checkpoint when this many ms passed since the last one. */
  readonly everyMs?: number;
  /** A one-shot producer that resumes at the checkpoint's row (instead of replaying from row 0). */
  readonly producerResumes: boolean;
}

/** What identifies the input: a file by path, size, modification time and the hashes of its ends. */
export interface CheckpointInput {
  readonly kind: 'file' | 'stream' | 'synthetic';
  readonly identity: InputIdentity;
}

interface CellHash { readonly row: number; readonly rows: number; readonly sha256: string }

/** The checkpoint's own fields, `checkpoint` in the sketch file's header (docs/FORMATS.md). */
interface Manifest {
  readonly version: number;
  readonly written: string;
  /** R: rows [0, R) are absorbed. */
  readonly nextRow: number;
  /** The input ended at nextRow (the last checkpoint of the pass). */
  readonly complete: boolean;
  readonly inputKind: CheckpointInput['kind'];
  /** The options that shape the sketch, as `--option: value`. */
  readonly options: Record<string, string>;
  readonly grid: number;
  readonly exponent: number | null;
  readonly cells: { first?: CellHash; last?: CellHash };
  readonly spill?: { file: string; bytes: number; rows: number; cols: number };
}

type CheckpointHeader = SketchFileHeader & { checkpoint: Manifest };
interface Saved { readonly header: CheckpointHeader; readonly m: Manifest }

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const cellHash = (b: RowBlock): CellHash => ({
  row: b.rowStart, rows: b.rows,
  sha256: sha256(new Uint8Array(b.data.buffer, b.data.byteOffset, b.rows * b.cols * b.data.BYTES_PER_ELEMENT)),
});

/** The identity of `input` (the CLI's spec) as opened (`info`). */
export function identityOf(input: string | undefined, info: SourceInfo): CheckpointInput {
  const base: InputIdentity = { where: info.where, cols: info.cols, dtype: info.dtype, layout: info.layout, ...(info.rows !== undefined ? { rows: info.rows } : {}) };
  if (input === undefined || input === '-' || input === 'stdin' || /^(tcp|listen):\/\//.test(input)) return { kind: 'stream', identity: base };
  if (input.startsWith('synthetic:')) return { kind: 'synthetic', identity: base };
  const st = statSync(input);
  if (!st.isFile()) return { kind: 'stream', identity: base }; // a FIFO
  const fd = openSync(input, 'r');
  try {
    const read = (pos: number, len: number): Uint8Array => {
      const b = new Uint8Array(len);
      let got = 0;
      while (got < len) { const n = readSync(fd, b, got, len - got, pos + got); if (n === 0) break; got += n; }
      return b.subarray(0, got);
    };
    const len = Math.min(ENDS, st.size);
    return {
      kind: 'file',
      identity: { ...base, bytes: st.size, mtimeMs: st.mtimeMs, sha256Head: sha256(read(0, len)), sha256Tail: sha256(read(st.size - len, len)) },
    };
  } finally {
    closeSync(fd);
  }
}

const IDENTITY_NAMES: Partial<Record<keyof InputIdentity, string>> = {
  where: 'the input', cols: 'the row length', dtype: 'the element type', layout: 'the layout', rows: 'the rows', bytes: 'the file size (bytes)',
  mtimeMs: 'the modification time (ms)', sha256Head: `the SHA-256 of the first ${ENDS >> 20} MiB`, sha256Tail: `the SHA-256 of the last ${ENDS >> 20} MiB`,
};

/** A one-pass run's checkpoints (created by `openCheckpoint`). */
export interface Checkpointer {
  readonly dir: string;
  /** R: the rows before it are in the restored state (0 for a fresh run). */
  readonly nextRow: number;
  /** The restored checkpoint was taken at the end of the input. */
  readonly complete: boolean;
  /** The scaling exponent the checkpoint recorded (null: fresh, or not decided yet). */
  readonly exponent: number | null;
  /** The durable range-row spill in DIR (U is written from it). */
  rangeSpill(): CliRangeSpill;
  /** The source as the sketch must see it: on the row grid, the rows before R skipped. */
  source(src: ScaledSource): ScaledSource;
  /** The fold's hooks: restore the state, checkpoint after cells and at the end. */
  hooks(spill: RangeSpill, exponent: () => number | null): FoldHooks;
  /** The run's outputs are committed: remove the checkpoint's files. */
  finished(): void;
}

export interface CheckpointRun {
  readonly input: CheckpointInput;
  readonly options: Record<string, string>;
  /** G, the row grid (the sketch's chunk height). */
  readonly grid: number;
}

/**
 * Opens DIR for a run: for `--checkpoint`, refuses a DIR that already holds a checkpoint; for
 * `--resume`, reads the checkpoint (after finishing a commit a killed run had begun), checks it
 * and refuses a different input or options, naming each difference.
 */
export function openCheckpoint(settings: CheckpointSettings, run: CheckpointRun, log: (line: string) => void): Checkpointer {
  const dir = settings.dir;
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--checkpoint ${dir}: is a file, expected a directory`);
  mkdirSync(dir, { recursive: true });
  sweepStale(dir); // finishes a set commit a killed run had begun, removes its temporaries
  const path = join(dir, CHECKPOINT);
  const found = existsSync(path) ? readCheckpoint(path) : undefined;
  const saved = found?.m;
  const where = run.input.identity.where;
  if (!settings.resume && saved !== undefined) {
    throw new UsageError(`--checkpoint ${dir}: it holds a checkpoint of ${found!.header.input?.where ?? '?'} at row ${saved.nextRow}; continue it with --resume ${dir}, or remove it`);
  }
  if (settings.resume && saved === undefined) throw new UsageError(`--resume ${dir}: no checkpoint there (${CHECKPOINT} is missing)`);
  if (found !== undefined) refuseDifferent(dir, found, run);
  const nextRow = saved?.nextRow ?? 0;
  if (saved !== undefined) {
    const oneShot = run.input.kind === 'stream';
    log(`rangefinder: resuming ${where} from ${dir} at row ${nextRow}${saved.complete ? ' (the whole input was absorbed)' : ''}` +
      (oneShot ? (settings.producerResumes ? `: the producer must start at row ${nextRow}`
        : `: rows 0..${nextRow - 1} of the replayed input are checked and skipped (a producer that starts at row ${nextRow} needs --producer-resumes)`) : ''));
  }
  let spill: CliRangeSpill | undefined;
  let cells: { first?: CellHash; last?: CellHash } = { ...(saved?.cells ?? {}) };
  let lastRow = nextRow, lastTime = Date.now();

  const write = (state: SketchState, complete: boolean, exponent: number | null): void => {
    // The spill's rows first: durable before a checkpoint names them.
    const pos = spill?.sync();
    stallPoint('checkpoint');
    const m: Manifest = {
      version: VERSION, written: new Date().toISOString(), nextRow: state.rows, complete, inputKind: run.input.kind,
      options: run.options, grid: run.grid, exponent, cells,
      ...(pos !== undefined && pos.rows > 0 ? { spill: { file: SPILL, bytes: pos.bytes, rows: pos.rows, cols: state.sizes.k } } : {}),
    };
    const header: CheckpointHeader = {
      kind: 'checkpoint', writer: `rangefinder ${packageVersion()}`, orientation: 'rows',
      rows: { offset: 0, count: state.rowsSeen, covered: [...state.covered] }, input: run.input.identity,
      sketch: sketchShapeOf(state), checkpoint: m,
    };
    writeSketchFileSync(path, header, [{ name: 'sketch', bytes: serializeSketch(state), meta: { format: SKETCH_FORMAT_VERSION } }]);
    lastRow = state.rows;
    lastTime = Date.now();
  };

  return {
    dir, nextRow, complete: saved?.complete ?? false, exponent: saved?.exponent ?? null,
    rangeSpill() {
      spill ??= createRangeSpill(undefined, {
        path: join(dir, SPILL),
        ...(saved?.spill !== undefined ? { resume: { bytes: saved.spill.bytes, rows: saved.spill.rows, cols: saved.spill.cols } } : {}),
      });
      return spill;
    },
    source(src) {
      if (saved === undefined) return alignRows(src, { grid: run.grid });
      if (settings.producerResumes && run.input.kind === 'stream') return alignRows(src, { grid: run.grid, base: nextRow });
      return skipAbsorbed(alignRows(src, { grid: run.grid }), saved, where);
    },
    hooks(spillOfState, exponent) {
      return {
        ...(saved !== undefined ? { initial: () => restoreState(path, saved, spillOfState) } : {}),
        absorbed: (state, b) => {
          if (b.rowStart === 0) cells = { ...cells, first: cellHash(b) };
          const due = (settings.everyRows !== undefined && state.rows - lastRow >= settings.everyRows)
            || (settings.everyMs !== undefined && Date.now() - lastTime >= settings.everyMs);
          if (!due) return;
          cells = { ...cells, last: cellHash(b) };
          write(state, false, exponent());
        },
        completed: (state) => {
          if (saved?.complete === true && state.rows === saved.nextRow) return; // nothing new
          write(state, true, exponent());
        },
      };
    },
    finished() {
      for (const f of [CHECKPOINT, SPILL]) rmSync(join(dir, f), { force: true });
    },
  };
}

/** Reads and checks DIR/checkpoint.rfsk (every checksum of the container, then its kind and version). */
function readCheckpoint(path: string): Saved {
  const header = readSketchFile<CheckpointHeader>(path).header;
  if (header.kind !== 'checkpoint' || typeof header.checkpoint !== 'object' || header.checkpoint === null) {
    throw new FormatError(`${path}: a sketch file of kind '${String(header.kind)}', not a checkpoint`);
  }
  const m = header.checkpoint;
  if (m.version !== VERSION) throw new FormatError(`${path}: checkpoint fields of version ${m.version}, this build reads version ${VERSION}`);
  return { header, m };
}

function refuseDifferent(dir: string, saved: Saved, run: CheckpointRun): void {
  const diffs: string[] = [];
  if (saved.m.inputKind !== run.input.kind) diffs.push(`the input is a ${run.input.kind}, the checkpoint's a ${saved.m.inputKind}`);
  const a0 = saved.header.input ?? ({} as Partial<InputIdentity>), b0 = run.input.identity;
  for (const key of Object.keys(IDENTITY_NAMES) as (keyof InputIdentity)[]) {
    const a = a0[key], b = b0[key];
    if (a !== b) diffs.push(`${IDENTITY_NAMES[key]} is ${String(b)}, the checkpoint's ${String(a)}`);
  }
  const keys = new Set([...Object.keys(saved.m.options), ...Object.keys(run.options)]);
  for (const key of keys) {
    const a = saved.m.options[key], b = run.options[key];
    if (a !== b) diffs.push(`${key} is ${b ?? '(not given)'}, the checkpoint's ${a ?? '(not given)'}`);
  }
  if (saved.m.grid !== run.grid) diffs.push(`the row grid is ${run.grid}, the checkpoint's ${saved.m.grid}`);
  if (diffs.length > 0) {
    throw new SourceError(`--resume ${dir}: the checkpoint was made with another input or other options, so it cannot be continued: ${diffs.join('; ')}`);
  }
}

/** The record of the checkpoint (container and sketch checks: loadSketch), with the run's spill. */
function restoreState(path: string, saved: Manifest, spill: RangeSpill): SketchState {
  const st = loadSketch(path, spill).state;
  if (st.rows !== saved.nextRow) throw new FormatError(`${path}: the sketch holds ${st.rows} rows, its header says ${saved.nextRow}: the checkpoint is damaged`);
  return st;
}

/**
 * The rows before the checkpoint's row R, replayed by a one-shot producer or re-read from a file,
 * are dropped; the cells whose hashes the checkpoint holds are compared on the way (a producer
 * that replays other rows is refused), and an input that ends before R, or goes on after a
 * checkpoint taken at its end, is refused.
 */
function skipAbsorbed(src: ScaledSource, saved: Manifest, where: string): ScaledSource {
  const r = saved.nextRow;
  const open = (): Observable<RowBlock> => new Observable<RowBlock>((sub) => { let end = 0; return src.open().subscribe({
    next: (b) => {
      if (sub.closed) return;
      end = b.rowStart + b.rows;
      if (b.rowStart < r) {
        for (const c of [saved.cells.first, saved.cells.last]) {
          if (c !== undefined && c.row === b.rowStart && (c.rows !== b.rows || cellHash(b).sha256 !== c.sha256)) {
            sub.error(new SourceError(`${where}: rows ${b.rowStart}..${b.rowStart + b.rows - 1} differ from those the checkpoint absorbed (SHA-256 of the rows): not the same input`));
            return;
          }
        }
        return;
      }
      if (saved.complete) {
        sub.error(new SourceError(`${where}: row ${b.rowStart} arrived, but the checkpoint was taken at the end of an input of ${r} rows: not the same input`));
        return;
      }
      sub.next(b);
    },
    error: (e: unknown) => sub.error(e),
    complete: () => {
      if (end < r) sub.error(new SourceError(`${where} ended after ${end} rows, before row ${r} where the checkpoint stands: not the same input`));
      else sub.complete();
    },
  }); });
  return new Proxy(src, { get: (t, k, rcv) => (k === 'open' ? open : Reflect.get(t, k, rcv) as unknown) });
}
