/**
 * The `.rfsk` sketch file: one versioned container for a sketch that must outlive its process — a
 * shard's sketch saved by `rangefinder sketch --save` and merged by `rangefinder merge`, or a
 * checkpoint of a long stream. docs/FORMATS.md describes the layout; in short:
 *
 *   offset        bytes  field
 *   0             8      magic 89 52 46 53 4B 0D 0A 1A  ("\x89RFSK\r\n\x1a": a text-mode copy breaks it)
 *   8             4      u32 LE container version (SKETCH_FILE_VERSION)
 *   12            4      u32 LE flags (0)
 *   16            ...    sections, each at a multiple of 8 (zero padding between them)
 *   F             J      footer: UTF-8 JSON { version, header, sections: [{ name, offset, bytes, sha256, meta }] }
 *   size - 56     8      u64 LE F (footer offset)
 *   size - 48     4      u32 LE J (footer bytes)
 *   size - 44     4      u32 LE container version (again)
 *   size - 40     32     SHA-256 of the footer
 *   size - 8      8      magic (again)
 *
 * The footer is at the end so that a section can be streamed in (the range rows of a tall shard
 * are read back from the spill, never held whole) and hashed on the way. A reader checks, in this
 * order: the leading magic, the version (a newer one is refused as such, before anything else is
 * trusted), the trailing magic and lengths (a truncated file), the footer's SHA-256, the footer's
 * JSON, every section's bounds, and every section's SHA-256 (one streamed read): a file that fails
 * any check is refused with a FormatError naming the file and the check, so no result is ever
 * computed from a damaged file.
 *
 * The container knows nothing of sketches: the `header` is what the caller puts in the footer
 * (`SketchFileHeader` for a shard: the options that shape the sketch, its rows, the input's
 * identity), and sections are named byte ranges with free `meta`. The two sections of a shard are
 * `sketch` (serializeSketch's bytes, versioned themselves) and `range` (the range rows, as blocks of
 * [f64 rowStart, f64 rows, rows x k f64] in the order they were absorbed): `rangeSection` writes
 * them from a spill, `forEachRangeBlock` reads them back in bounded memory.
 *
 * Writing is atomic (durable.ts through `createAtomicFile`): a temporary name beside the final one,
 * removed on exit and on signals, fsynced, then renamed (or handed to an output set), and the
 * directory fsynced: a reader sees the old file or the new one, never a part.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  deserializeSketch, disposeSketch, FormatError, serializeSketch, SKETCH_FORMAT_VERSION, type Matrix, type RangeSpill, type SketchState,
} from '../src/internals.js';
import { createAtomicFile, type FileSet } from './sinks/atomic-file.js';
import { stallPoint } from './stall-point.js';

/** The container version this build writes and reads. Bump it for any change a reader of the old one would misread. */
export const SKETCH_FILE_VERSION = 1;
export const SKETCH_FILE_MAGIC: readonly number[] = [0x89, 0x52, 0x46, 0x53, 0x4b, 0x0d, 0x0a, 0x1a];
export const SKETCH_FILE_EXTENSION = '.rfsk';
const LEAD = 16;
const TAIL = 56;
/** A footer larger than this is not one we wrote (it holds a few options and a section table). */
const MAX_FOOTER = 64 << 20;
const IO_BYTES = 1 << 20;

// ---------------------------------------------------------------------------------------------
// What a shard's header says

/** The options that shape a sketch: two sketches merge only when all of these agree. */
export interface SketchShape {
  method: string;
  testMatrix: string;
  dtype: string;
  seed: number;
  cols: number;
  rank: number;
  sizes: { k: number; s: number; l: number; q: number; rule: string; chunk: number };
  center: boolean;
  /** serializeSketch's format version of the `sketch` section. */
  sketchFormat: number;
}

/** Where the rows came from, so that a user (and a resumed run) can tell which input a file is of. */
export interface InputIdentity {
  /** The input as named on the command line (a path, `synthetic:...`). */
  where: string;
  /** Size and modification time of a file input. */
  bytes?: number;
  mtimeMs?: number;
  /** Rows and columns of the whole input, its element type and layout (inspect's words). */
  rows?: number;
  cols: number;
  dtype: string;
  layout: string;
  /** The rows of the input that were read, [start, end) in the input's own numbering (`--rows`). */
  select?: [number, number];
  /** SHA-256 of the first and of the last MiB of a file input (a checkpoint compares them on resume). */
  sha256Head?: string;
  sha256Tail?: string;
}

/** A sketch file's header without the sketch's shape (what a writer says; `saveSketch` adds the shape). */
export interface SketchFileInfo {
  /** 'shard' (`sketch --save`), or another kind a later writer defines (a checkpoint). */
  kind: string;
  /** `rangefinder VERSION` that wrote it. */
  writer: string;
  /** How the input was streamed: 'rows' (U is the range side) or 'columns' (V is). */
  orientation: 'rows' | 'columns';
  /** Column names of a table input, in matrix order, when known. */
  columnNames?: string[];
  /**
   * The global rows the sketch absorbed: `offset` of its first row in the merged matrix, `count`
   * rows, `covered` the half-open intervals [a0, b0, a1, b1, ...] (global numbering); `total` the
   * rows of the whole matrix when the user gave it (`--total-rows`).
   */
  rows: { offset: number; count: number; covered: number[]; total?: number };
  input?: InputIdentity;
  /** Anything else a writer records (a checkpoint's resume position, say); readers ignore what they do not know. */
  [extra: string]: unknown;
}

export interface SketchFileHeader extends SketchFileInfo {
  sketch: SketchShape;
}

export function sketchShapeOf(st: SketchState): SketchShape {
  const { k, s, l, q, rule, chunk } = st.sizes;
  return {
    method: st.method, testMatrix: st.testMatrix, dtype: st.dtype, seed: st.seed, cols: st.cols, rank: st.rank,
    sizes: { k, s, l, q, rule, chunk }, center: st.center, sketchFormat: SKETCH_FORMAT_VERSION,
  };
}

/**
 * The first field in which two shapes differ, as [name, a, b], or null when they agree. Names are
 * the command line's words (`seed`, `method`, `range size k`, ...) so a refusal can say which
 * option to make equal. The size rule and chunk height do not matter for a merge.
 */
export function shapeDifference(a: SketchShape, b: SketchShape): [string, string, string] | null {
  const fields: [string, unknown, unknown][] = [
    ['method', a.method, b.method], ['test matrix', a.testMatrix, b.testMatrix], ['dtype', a.dtype, b.dtype],
    ['seed', a.seed, b.seed], ['columns', a.cols, b.cols], ['rank', a.rank, b.rank],
    ['range size k', a.sizes.k, b.sizes.k], ['core size s', a.sizes.s, b.sizes.s], ['co-range size l', a.sizes.l, b.sizes.l],
    ['error sketch size q', a.sizes.q, b.sizes.q], ['center', a.center, b.center], ['sketch format', a.sketchFormat, b.sketchFormat],
  ];
  for (const [name, x, y] of fields) if (x !== y) return [name, String(x), String(y)];
  return null;
}

// ---------------------------------------------------------------------------------------------
// Writing

export interface SectionInput {
  readonly name: string;
  /** Stored in the section's entry of the footer (shapes, element types). */
  readonly meta?: Record<string, unknown>;
  /** The section's bytes, or `produce`, which emits them in pieces. */
  readonly bytes?: Uint8Array;
  readonly produce?: (emit: (chunk: Uint8Array) => void) => Promise<void> | void;
}

export interface SectionEntry {
  name: string;
  /** Byte offset in the file. */
  offset: number;
  bytes: number;
  /** SHA-256 of the section's bytes, hex. */
  sha256: string;
  meta?: Record<string, unknown>;
}

export interface SketchFileFooter<H = SketchFileHeader> {
  version: number;
  header: H;
  sections: SectionEntry[];
}

export interface WriteSketchFileOptions {
  /** Hand the finished temporary to this set (renamed with the others) instead of renaming it alone. */
  set?: FileSet;
}

/** Writes a sketch file atomically (see the file comment); returns its size and section table. */
export async function writeSketchFile<H extends object>(
  path: string, header: H, sections: readonly SectionInput[], opts: WriteSketchFileOptions = {},
): Promise<{ bytes: number; sections: SectionEntry[] }> {
  const w = frameWriter(path, sections, opts);
  try {
    for (const s of sections) {
      const sec = w.section();
      if (s.bytes !== undefined) sec.emit(s.bytes);
      else if (s.produce !== undefined) await s.produce(sec.emit);
      sec.end(s);
    }
    return w.finish(header);
  } catch (e) {
    w.abort();
    throw e;
  }
}

/**
 * `writeSketchFile` for sections given as bytes, synchronously: for a writer that cannot yield (a
 * checkpoint taken inside the synchronous fold of the sketch, streams/cli/checkpoint.ts).
 */
export function writeSketchFileSync<H extends object>(
  path: string, header: H, sections: readonly (SectionInput & { bytes: Uint8Array })[], opts: WriteSketchFileOptions = {},
): { bytes: number; sections: SectionEntry[] } {
  const w = frameWriter(path, sections, opts);
  try {
    for (const s of sections) {
      const sec = w.section();
      sec.emit(s.bytes);
      sec.end(s);
    }
    return w.finish(header);
  } catch (e) {
    w.abort();
    throw e;
  }
}

/** The container around the sections: lead, hashed sections at multiples of 8, footer, tail, commit. */
function frameWriter(path: string, sections: readonly SectionInput[], opts: WriteSketchFileOptions) {
  const names = new Set<string>();
  for (const s of sections) {
    if (names.has(s.name)) throw new FormatError(`${path}: two sections named '${s.name}'`);
    names.add(s.name);
  }
  const file = createAtomicFile(path, opts.set);
  let pos = 0;
  const put = (b: Uint8Array): void => {
    let o = 0;
    while (o < b.length) o += writeSync(file.fd, b, o, b.length - o, pos + o);
    pos += b.length;
  };
  const table: SectionEntry[] = [];
  return {
    section() {
      if (pos === 0) {
        const lead = new Uint8Array(LEAD);
        lead.set(SKETCH_FILE_MAGIC, 0);
        new DataView(lead.buffer).setUint32(8, SKETCH_FILE_VERSION, true);
        put(lead);
      }
      const offset = pos, hash = createHash('sha256');
      return {
        emit: (chunk: Uint8Array): void => { hash.update(chunk); put(chunk); },
        end: (s: SectionInput): void => {
          table.push({ name: s.name, offset, bytes: pos - offset, sha256: hash.digest('hex'), ...(s.meta !== undefined ? { meta: s.meta } : {}) });
          if (pos % 8 !== 0) put(new Uint8Array(8 - (pos % 8)));
        },
      };
    },
    finish(header: object): { bytes: number; sections: SectionEntry[] } {
      if (pos === 0) this.section(); // no section: the lead still goes first
      const footer = new TextEncoder().encode(JSON.stringify({ version: SKETCH_FILE_VERSION, header, sections: table }));
      const footerOffset = pos;
      put(footer);
      put(encodeTail(footerOffset, footer));
      fsyncSync(file.fd);
      stallPoint('sketch-file'); // tests: a kill with the file complete under its temporary name
      file.commit();
      if (opts.set === undefined) fsyncDir(dirname(path));
      return { bytes: pos, sections: table };
    },
    abort: (): void => file.abort(),
  };
}

/** The fixed 56-byte tail: footer offset and length, the version, the footer's SHA-256, the magic. */
export function encodeTail(footerOffset: number, footer: Uint8Array): Uint8Array {
  const tail = new Uint8Array(TAIL);
  const dv = new DataView(tail.buffer);
  dv.setBigUint64(0, BigInt(footerOffset), true);
  dv.setUint32(8, footer.length, true);
  dv.setUint32(12, SKETCH_FILE_VERSION, true);
  tail.set(createHash('sha256').update(footer).digest(), 16);
  tail.set(SKETCH_FILE_MAGIC, 48);
  return tail;
}

function fsyncDir(dir: string): void {
  let fd = -1;
  try { fd = openSync(dir, 'r'); fsyncSync(fd); } catch { /* not supported everywhere */ } finally { if (fd >= 0) closeSync(fd); }
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface SketchFile<H = SketchFileHeader> {
  readonly path: string;
  /** Bytes of the file. */
  readonly bytes: number;
  readonly version: number;
  readonly header: H;
  readonly sections: readonly SectionEntry[];
  section(name: string): SectionEntry | undefined;
  /** A whole section's bytes (for small sections: the serialized sketch). */
  readSection(name: string): Uint8Array;
  /** A section's bytes in pieces of at most `pieceBytes`, in order. */
  streamSection(name: string, visit: (piece: Uint8Array, at: number) => void, pieceBytes?: number): void;
}

/**
 * Opens and checks a sketch file: everything in the file comment, including the SHA-256 of every
 * section (one read of the file, in bounded memory). Throws a FormatError naming the file.
 * `digestChecked`: the caller has just checked the whole file against a SHA-256 it trusts (the
 * digest a distributed worker reported for the file it wrote): the frame and footer are checked,
 * the sections' own digests are not recomputed (that would be another read of the whole file).
 */
export function readSketchFile<H = SketchFileHeader>(path: string, opts: { digestChecked?: boolean } = {}): SketchFile<H> {
  let fd: number;
  try { fd = openSync(path, 'r'); } catch (e) {
    const code = (e as { code?: string }).code;
    throw new FormatError(`${path}: cannot open the sketch file (${code === 'ENOENT' ? 'no such file' : code ?? String(e)})`);
  }
  try {
    const size = fstatSync(fd).size;
    const at = (offset: number, n: number): Uint8Array => readAt(path, fd, offset, n);
    const footer = checkFrame(path, size, at(0, Math.min(size, LEAD)), size >= LEAD + TAIL ? at(size - TAIL, TAIL) : null,
      (offset, n) => at(offset, n));
    const parsed = parseFooter<H>(path, size, footer.json);
    if (opts.digestChecked !== true) for (const s of parsed.sections) verifySection(path, fd, s);
    const byName = new Map(parsed.sections.map((s) => [s.name, s]));
    const need = (name: string): SectionEntry => {
      const s = byName.get(name);
      if (s === undefined) throw new FormatError(`${path}: the file has no '${name}' section (it has ${parsed.sections.map((x) => x.name).join(', ') || 'none'})`);
      return s;
    };
    return {
      path, bytes: size, version: footer.version, header: parsed.header, sections: parsed.sections,
      section: (name) => byName.get(name),
      readSection(name) {
        const s = need(name);
        return withFd(path, (f) => readAt(path, f, s.offset, s.bytes));
      },
      streamSection(name, visit, pieceBytes = IO_BYTES) {
        const s = need(name);
        withFd(path, (f) => {
          for (let o = 0; o < s.bytes; o += pieceBytes) visit(readAt(path, f, s.offset + o, Math.min(pieceBytes, s.bytes - o)), o);
        });
      },
    };
  } finally {
    closeSync(fd);
  }
}

/**
 * The frame checks that need no section: magic, version, tail, lengths and the footer's SHA-256.
 * Pure (reads through `at`); returns the footer's text and the version.
 */
export function checkFrame(
  path: string, size: number, lead: Uint8Array, tail: Uint8Array | null, at: (offset: number, n: number) => Uint8Array,
): { json: string; version: number } {
  if (lead.length < 8 || SKETCH_FILE_MAGIC.some((b, i) => lead[i] !== b)) {
    throw new FormatError(`${path}: not a rangefinder sketch file (it does not start with the .rfsk magic bytes 89 52 46 53 4B 0D 0A 1A)`);
  }
  if (lead.length < LEAD) throw new FormatError(`${path}: the sketch file is truncated: ${size} bytes, not even its ${LEAD}-byte header`);
  const version = new DataView(lead.buffer, lead.byteOffset).getUint32(8, true);
  if (version > SKETCH_FILE_VERSION) {
    throw new FormatError(`${path}: sketch file format version ${version} was written by a newer rangefinder; this build reads version ${SKETCH_FILE_VERSION} (upgrade rangefinder to read it)`);
  }
  if (version < 1) throw new FormatError(`${path}: sketch file format version ${version} is not a version rangefinder ever wrote`);
  if (tail === null || SKETCH_FILE_MAGIC.some((b, i) => tail[48 + i] !== b)) {
    throw new FormatError(`${path}: the sketch file is truncated or damaged: ${size} bytes and no end marker (an interrupted copy?)`);
  }
  const dv = new DataView(tail.buffer, tail.byteOffset);
  const footerOffset = Number(dv.getBigUint64(0, true)), footerBytes = dv.getUint32(8, true), tailVersion = dv.getUint32(12, true);
  if (tailVersion !== version) throw new FormatError(`${path}: the sketch file is damaged: version ${version} at the start, ${tailVersion} at the end`);
  if (footerBytes > MAX_FOOTER || footerOffset < LEAD || footerOffset + footerBytes + TAIL !== size) {
    throw new FormatError(`${path}: the sketch file is damaged: its footer (${footerBytes} bytes at ${footerOffset}) does not end where the file does (${size} bytes)`);
  }
  const footer = at(footerOffset, footerBytes);
  const want = Buffer.from(tail.subarray(16, 48)).toString('hex');
  if (createHash('sha256').update(footer).digest('hex') !== want) throw new FormatError(`${path}: the sketch file is damaged: checksum mismatch in its footer`);
  return { json: new TextDecoder().decode(footer), version };
}

function parseFooter<H>(path: string, size: number, json: string): SketchFileFooter<H> {
  let f: SketchFileFooter<H>;
  try { f = JSON.parse(json) as SketchFileFooter<H>; } catch {
    throw new FormatError(`${path}: the sketch file is damaged: its footer is not JSON`);
  }
  if (typeof f !== 'object' || f === null || typeof f.header !== 'object' || !Array.isArray(f.sections)) {
    throw new FormatError(`${path}: the sketch file is damaged: its footer lacks the header or the section table`);
  }
  let end = LEAD;
  for (const s of f.sections) {
    if (typeof s?.name !== 'string' || !Number.isSafeInteger(s.offset) || !Number.isSafeInteger(s.bytes) || s.bytes < 0 || typeof s.sha256 !== 'string') {
      throw new FormatError(`${path}: the sketch file is damaged: a malformed section entry`);
    }
    if (s.offset < end || s.offset + s.bytes > size - TAIL) {
      throw new FormatError(`${path}: the sketch file is damaged: section '${s.name}' (${s.bytes} bytes at ${s.offset}) overlaps another or the footer`);
    }
    end = s.offset + s.bytes;
  }
  return f;
}

function verifySection(path: string, fd: number, s: SectionEntry): void {
  const hash: Hash = createHash('sha256');
  const buf = new Uint8Array(Math.min(IO_BYTES, Math.max(1, s.bytes)));
  for (let o = 0; o < s.bytes;) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, s.bytes - o), s.offset + o);
    if (n === 0) throw new FormatError(`${path}: the sketch file is truncated inside section '${s.name}'`);
    hash.update(buf.subarray(0, n));
    o += n;
  }
  if (hash.digest('hex') !== s.sha256) throw new FormatError(`${path}: the sketch file is damaged: checksum mismatch in section '${s.name}'`);
}

function withFd<T>(path: string, f: (fd: number) => T): T {
  let fd: number;
  try { fd = openSync(path, 'r'); } catch (e) {
    throw new FormatError(`${path}: cannot reopen the sketch file (${(e as { code?: string }).code ?? String(e)})`);
  }
  try { return f(fd); } finally { closeSync(fd); }
}

function readAt(path: string, fd: number, offset: number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let o = 0; o < n;) {
    const got = readSync(fd, b, o, n - o, offset + o);
    if (got === 0) throw new FormatError(`${path}: the file ended at byte ${offset + o}, expected ${offset + n} (was it replaced while being read?)`);
    o += got;
  }
  return b;
}

// ---------------------------------------------------------------------------------------------
// The range section: blocks of [f64 rowStart, f64 rows, rows x k f64], little-endian

/** Meta of a `range` section: the row width k, the element type, rows and blocks stored. */
export type RangeMeta = {
  cols: number;
  dtype: 'float64';
  rows: number;
  blocks: number;
};

/** Rows at most per stored block (a block is split when it is larger), about 1 MiB at k = 128. */
const RANGE_BLOCK_ROWS = 1024;

/**
 * A `range` section written from the blocks `replay` visits (a spill's rows, in its order). `k` is
 * the row width; the meta is filled as the rows go by.
 */
export function rangeSection(k: number, replay: (visit: (rowStart: number, y: Matrix) => void) => Promise<void> | void): SectionInput {
  const meta: RangeMeta = { cols: k, dtype: 'float64', rows: 0, blocks: 0 };
  return {
    name: 'range', meta,
    async produce(emit) {
      await replay((r0, y) => {
        if (y.cols !== k) throw new FormatError(`range rows of width ${y.cols}, expected ${k}`);
        for (let i0 = 0; i0 < y.rows; i0 += RANGE_BLOCK_ROWS) {
          const b = Math.min(RANGE_BLOCK_ROWS, y.rows - i0);
          const out = new Float64Array(2 + b * k);
          out[0] = r0 + i0; out[1] = b;
          for (let i = 0; i < b; i++) {
            const src = y.offset + (i0 + i) * y.stride;
            for (let j = 0; j < k; j++) out[2 + i * k + j] = y.data[src + j];
          }
          emit(littleEndianBytes(out));
          meta.rows += b; meta.blocks++;
        }
      });
    },
  };
}

/** Visits the blocks of a file's `range` section in stored order, as (global rowStart, rows x k). */
export function forEachRangeBlock(file: SketchFile<unknown>, visit: (rowStart: number, y: Matrix) => void): void {
  const s = file.section('range');
  if (s === undefined) throw new FormatError(`${file.path}: the file has no range rows (section 'range'), so U cannot be formed from it`);
  const meta = s.meta as Partial<RangeMeta> | undefined;
  const k = meta?.cols;
  if (meta?.dtype !== 'float64' || !Number.isInteger(k) || k! < 1) throw new FormatError(`${file.path}: section 'range' has an unknown element type or width`);
  let pending = new Uint8Array(0);
  let rows = 0;
  file.streamSection('range', (piece) => {
    let buf = pending.length > 0 ? concat(pending, piece) : piece;
    for (;;) {
      if (buf.length < 16) break;
      const head = floatsOf(buf.subarray(0, 16));
      const r0 = head[0], b = head[1];
      if (!Number.isSafeInteger(r0) || r0 < 0 || !Number.isSafeInteger(b) || b < 1) throw new FormatError(`${file.path}: section 'range' holds a malformed block at row ${rows}`);
      const need = 16 + 8 * b * k!;
      if (buf.length < need) break;
      visit(r0, { rows: b, cols: k!, data: floatsOf(buf.subarray(16, need)), offset: 0, stride: k! });
      rows += b;
      buf = buf.subarray(need);
    }
    pending = buf.slice();
  });
  if (pending.length > 0) throw new FormatError(`${file.path}: section 'range' ends inside a block`);
  if (meta.rows !== undefined && rows !== meta.rows) throw new FormatError(`${file.path}: section 'range' holds ${rows} rows, its table says ${meta.rows}`);
}

const LITTLE = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** A Float64Array's bytes, little-endian (a view when the machine is). */
export function littleEndianBytes(a: Float64Array): Uint8Array {
  if (LITTLE) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.byteLength), dv = new DataView(out.buffer);
  a.forEach((x, i) => dv.setFloat64(8 * i, x, true));
  return out;
}

/** Little-endian bytes as a Float64Array (a view when aligned and the machine is little-endian). */
export function floatsOf(b: Uint8Array): Float64Array {
  const n = b.length / 8;
  if (LITTLE && b.byteOffset % 8 === 0) return new Float64Array(b.buffer, b.byteOffset, n);
  const out = new Float64Array(n), dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < n; i++) out[i] = dv.getFloat64(8 * i, true);
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a); out.set(b, a.length);
  return out;
}

// ---------------------------------------------------------------------------------------------
// A sketch with its header and range rows

/**
 * Saves a record as a sketch file: the header (with the record's shape), the `sketch` section
 * (serializeSketch) and, when `range` is given, the `range` section from the blocks it replays
 * (the record's spilled rows; k = the record's range size).
 */
export async function saveSketch(
  path: string, state: SketchState, info: SketchFileInfo,
  range?: (visit: (rowStart: number, y: Matrix) => void) => Promise<void> | void, opts: WriteSketchFileOptions = {},
): Promise<{ bytes: number; sections: SectionEntry[] }> {
  const header: SketchFileHeader = { ...info, sketch: sketchShapeOf(state) };
  const sections: SectionInput[] = [{ name: 'sketch', bytes: serializeSketch(state), meta: { format: SKETCH_FORMAT_VERSION } }];
  if (range !== undefined) sections.push(rangeSection(state.sizes.k, range));
  return writeSketchFile(path, header, sections, opts);
}

/**
 * Reads and checks a sketch file and rebuilds its record (without a spill: its range rows stay in
 * the file, `forEachRangeBlock`; a checkpoint passes the spill that holds them). The header must
 * describe the sketch bytes it holds. The caller disposes the record (`disposeSketch`).
 */
export function loadSketch(path: string, spill?: RangeSpill): { file: SketchFile; state: SketchState } {
  const file = readSketchFile(path);
  return { file, state: sketchOf(file, spill) };
}

/** The header of a sketch file, checked to hold a sketch's shape and its rows (else a FormatError naming the file). */
export function checkHeader(file: SketchFile): SketchFileHeader {
  const h = file.header as Partial<SketchFileHeader>;
  if (typeof h.sketch !== 'object' || h.sketch === null || typeof h.sketch.sizes !== 'object' || h.sketch.sizes === null || typeof h.rows !== 'object'
    || h.rows === null || !Array.isArray(h.rows.covered) || !Number.isSafeInteger(h.rows.count)) {
    throw new FormatError(`${file.path}: the sketch file's header lacks the sketch's shape or its rows`);
  }
  return h as SketchFileHeader;
}

/**
 * The record of a checked sketch file. Its header must describe the sketch bytes it holds (shape,
 * rows absorbed and their intervals), else the file is refused as inconsistent.
 */
export function sketchOf(file: SketchFile, spill?: RangeSpill): SketchState {
  const path = file.path;
  const h = checkHeader(file);
  let state: SketchState;
  try { state = deserializeSketch(file.readSection('sketch'), spill); } catch (e) {
    throw e instanceof FormatError ? new FormatError(`${path}: ${e.message}`) : e;
  }
  const diff = shapeDifference(h.sketch, sketchShapeOf(state)) ?? (h.rows.count !== state.rowsSeen ? ['rows', String(h.rows.count), String(state.rowsSeen)]
    : JSON.stringify(h.rows.covered) !== JSON.stringify(state.covered) ? ['row intervals', JSON.stringify(h.rows.covered), JSON.stringify(state.covered)] : null);
  if (diff !== null) {
    disposeSketch(state);
    throw new FormatError(`${path}: the sketch file is inconsistent: its header says ${diff[0]} ${diff[1]}, its sketch ${diff[2]}`);
  }
  return state;
}
