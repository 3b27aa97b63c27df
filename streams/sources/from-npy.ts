/**
 * `.npy` files (format versions 1-3) of float16/32/64 and integers, little- or big-endian
 * (read-npy-header.ts: the header is read as numpy reads it), C order or Fortran order, streamed
 * without loading the whole file: the header is parsed, then `blockRows` rows are read per block
 * with positioned reads into a reused buffer. `npyDecoder` only decodes (NaN passes through);
 * `fromNpy` composes the non-finite policy, the empty check and the read-ahead around it.
 *
 * - C order, orientation 'rows': the block read is the packed row-major block (the fast path).
 * - Fortran order, orientation 'columns': the same, since a Fortran-order A is a C-order A^T.
 * - C order with 'columns', Fortran with 'rows' (the slow path): the block is gathered from the
 *   lines of the file (rows of A, or columns for Fortran) and transposed in memory: one positioned
 *   read per line when a block takes at least 16 KiB of each line, else whole groups of lines are
 *   read (one scan of the file per block). Blocks default to 64 MiB here, so a file of up to 64 MiB
 *   costs one scan.
 *
 * A file shorter than its header promises is refused with a FormatError naming the file and the row
 * at which the data ends, before anything is emitted. Replayable: each `open()` reopens the file.
 *
 * Read-ahead (the fast path, `rotateBuffers`): two block buffers rotate, so a block stays valid one
 * emission longer; the read-ahead wrapper then returns from `next` at once, the read of block i + 1
 * (a libuv thread-pool job) overlaps the consumer's synchronous work on block i, and the bytes in
 * flight are 2 x block bytes (8 MiB with the default blocks). The gather paths read in-line.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { ArgumentError, FormatError } from '../../src/internals.js';
import type { Orientation, RowBlock, SourceInfo } from '../types.js';
import { composeSource } from '../wrappers/compose-source.js';
import { TRANSPOSE_BLOCK_BYTES } from '../wrappers/transposed.js';
import type { DecodedSource, FormatDecoder } from './decoder.js';
import { pullBlocks } from '../pull-blocks.js';
import { decodeNpyValues, readNpyHeader, type NpyHeader } from './read-npy-header.js';
import type { DecodeOptions, MeasuredSource, SourceOptions } from './source-options.js';
import { defaultBlockRows } from './default-block-rows.js';

/** Gather path: reads of at least this many bytes per line are worth a syscall each. */
const PARTIAL_READ_BYTES = 16 * 1024;
/** Gather path: size of a group of whole lines read at once. */
const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Default block rows: the 4 MiB rule, unless the block is gathered from short lines (each scan of
 * the file then yields a block), where blocks of up to 64 MiB keep the number of scans small.
 */
/**
 * Reads `len` bytes at `pos` into `into` (looping over short reads); a file that ends first is a
 * FormatError naming the row at which the data ends.
 */
async function readFully(
  fh: FileHandle, into: Uint8Array, len: number, pos: number, what: { path: string; r0: number; rowBytes: number; end: number },
): Promise<void> {
  let done = 0;
  while (done < len) {
    const { bytesRead } = await fh.read(into, done, len - done, pos + done);
    if (bytesRead === 0) {
      throw new FormatError(`${what.path} is truncated: row ${what.r0 + Math.floor(done / what.rowBytes)} ends at byte ${pos + done}, expected ${what.end} bytes`);
    }
    done += bytesRead;
  }
}

function gatherBlockRows(contiguous: boolean, m: number, n: number, isz: number): number {
  const b = defaultBlockRows(n, isz);
  if (contiguous || b * isz >= PARTIAL_READ_BYTES || m * isz > CHUNK_BYTES) return b;
  return Math.max(1, Math.floor(TRANSPOSE_BLOCK_BYTES / Math.max(1, n * isz)));
}

const TILE = 32;

/**
 * dst[i * ld + c0 + t] = src[s0 + t * ls + i] for t < lines, i < rows: `lines` lines of the file
 * (line stride ls, values from offset s0) become columns c0.. of a row-major block, tile by tile so
 * that reads and writes both stay in cache.
 */
function transposeTiles(
  src: Float32Array | Float64Array, s0: number, ls: number,
  dst: Float32Array | Float64Array, c0: number, ld: number, lines: number, rows: number,
): void {
  for (let t0 = 0; t0 < lines; t0 += TILE) {
    const t1 = Math.min(lines, t0 + TILE);
    for (let i0 = 0; i0 < rows; i0 += TILE) {
      const i1 = Math.min(rows, i0 + TILE);
      for (let t = t0; t < t1; t++) {
        const so = s0 + t * ls;
        for (let i = i0; i < i1; i++) dst[i * ld + c0 + t] = src[so + i]!;
      }
    }
  }
}

export interface NpyDecodeOptions extends DecodeOptions {
  /**
   * Rotate two block buffers on the contiguous path (C order by rows, Fortran order by columns), so
   * that a block stays valid one emission longer (`keepsBlocks` 1): what the read-ahead wrapper
   * needs to let the next read overlap the consumer's work. Default false (one buffer).
   */
  rotateBuffers?: boolean;
}

/** The .npy decoder: rows of A, and rows of A^T (Fortran order natively, C order gathered). */
export function npyDecoder(path: string, opts: NpyDecodeOptions = {}): FormatDecoder {
  if (opts.columns !== undefined || opts.exclude !== undefined) {
    throw new ArgumentError(`fromNpy(${path}): 'columns' and 'exclude' choose columns of a table by name; a .npy file has no column names`);
  }
  return {
    where: path,
    replayable: true,
    rows: (naturalBlocks = false) => openNpy(path, 'rows', naturalBlocks ? { ...opts, blockRows: undefined } : opts),
    columns: async () => openNpy(path, 'columns', opts),
  };
}

/** A .npy file: the decoder with the standard composition (non-finite policy, empty check, read-ahead). */
export function fromNpy(path: string, opts: SourceOptions = {}): MeasuredSource {
  return composeSource(npyDecoder(path, { ...opts, rotateBuffers: opts.readAhead !== false }), opts);
}

function openNpy(path: string, orientation: Orientation, opts: NpyDecodeOptions): DecodedSource {
  let keeps = 0;
  const headerOf = (): NpyHeader => {
    const fd = openSync(path, 'r');
    try { return readNpyHeader(fd, path); } finally { closeSync(fd); }
  };

  const infoOf = (h: NpyHeader): SourceInfo => {
    const rows = orientation === 'rows' ? h.rows : h.cols;
    const cols = orientation === 'rows' ? h.cols : h.rows;
    const contiguous = (orientation === 'rows') !== h.fortranOrder;
    const blockRows = opts.blockRows ?? gatherBlockRows(contiguous, rows, cols, h.itemSize);
    return {
      rows, cols, dtype: opts.dtype ?? h.dtype, layout: h.fortranOrder ? 'npy-fortran' : 'npy-c',
      batches: Math.ceil(rows / blockRows), orientation, where: path,
    };
  };

  return {
    replayable: true,
    where: path,
    get keepsBlocks() { return keeps; },
    info: async () => infoOf(headerOf()),
    open: () => pullBlocks<RowBlock>(async (emit, signal) => {
      const fh = await openFile(path, 'r');
      try {
        const h = readNpyHeader(fh.fd, path);
        const info = infoOf(h);
        const m = info.rows!;
        const n = info.cols;
        // The streamed matrix S (m x n) is row-major in the file, or column-major (then gather, in
        // blocks of up to 64 MiB so that a file costs few scans).
        const contiguous = (orientation === 'rows') !== h.fortranOrder;
        const byDefault = gatherBlockRows(contiguous, m, n, h.itemSize);
        const b = Math.max(1, Math.min(opts.blockRows ?? byDefault, Math.max(1, m)));
        const isz = h.itemSize;
        // The values of a buffer of file bytes: a view of them (little-endian float32 / float64), or a
        // decoded copy (float16, integers, big-endian: `decodeNpyValues` after each read).
        const alloc = (len: number): Float32Array | Float64Array => (h.dtype === 'float32' ? new Float32Array(len) : new Float64Array(len));
        const typed = (raw: ArrayBuffer): Float32Array | Float64Array => (!h.native ? alloc(raw.byteLength / isz)
          : h.dtype === 'float32' ? new Float32Array(raw) : new Float64Array(raw));
        const decode = (bytes: Uint8Array, values: Float32Array | Float64Array, count: number): void => {
          if (!h.native) decodeNpyValues(bytes, count, h.storage, values);
        };
        const raw = new ArrayBuffer(b * n * isz);
        const fileView = typed(raw);
        // Fast path: two buffers rotate when asked (a block stays valid one emission longer, for
        // the read-ahead wrapper), one when a block is the file.
        const buffers = [{ bytes: new Uint8Array(raw), view: fileView }];
        if (contiguous && m > b && opts.rotateBuffers === true) {
          const raw2 = new ArrayBuffer(b * n * isz);
          buffers.push({ bytes: new Uint8Array(raw2), view: typed(raw2) });
        }
        keeps = buffers.length - 1;
        const rowBytes = n * isz;
        const end = h.dataOffset + m * rowBytes;
        // `firstRow` (a shard's first row, by rows only): start there; rows keep their numbers.
        const first = orientation === 'rows' ? Math.min(m, Math.max(0, Math.floor(opts.firstRow ?? 0))) : 0;
        const bufferOf = (r0: number) => buffers[((r0 - first) / b) % buffers.length]!;
        const readBlock = (r0: number): Promise<void> => {
          const rows = Math.min(b, m - r0);
          return readFully(fh, bufferOf(r0).bytes, rows * rowBytes, h.dataOffset + r0 * rowBytes, { path, r0, rowBytes, end });
        };
        const out = opts.dtype !== undefined && opts.dtype !== h.dtype
          ? (opts.dtype === 'float32' ? new Float32Array(b * n) : new Float64Array(b * n))
          : null;
        const lineBuf = contiguous ? null : new Uint8Array(b * n * isz);
        const chunkBuf = contiguous || m * isz > CHUNK_BYTES ? null : new Uint8Array(Math.max(1, Math.floor(CHUNK_BYTES / (m * isz))) * m * isz);
        const chunkVals = chunkBuf === null ? null : typed(chunkBuf.buffer);
        const lineVals = lineBuf === null ? null : typed(lineBuf.buffer);

        for (let r0 = first; r0 < m && !signal.aborted; r0 += b) {
          const rows = Math.min(b, m - r0);
          let view = fileView;
          if (contiguous) {
            await readBlock(r0);
            const buf = bufferOf(r0);
            decode(buf.bytes, buf.view, rows * n);
            view = buf.view;
          } else if (rows * isz >= PARTIAL_READ_BYTES || m * isz > CHUNK_BYTES) {
            // Line t of the file holds column t of S (m values): read only values [r0, r0 + rows)
            // of every line into a column-major buffer, then transpose it in cache-sized tiles.
            for (let t = 0; t < n; t++) {
              const len = rows * isz;
              const pos = h.dataOffset + (t * m + r0) * isz;
              const got = readSync(fh.fd, lineBuf!, t * len, len, pos);
              if (got !== len) {
                throw new FormatError(`${path} is truncated: ${h.fortranOrder ? 'column' : 'row'} ${t} ends at byte ${pos + got}`);
              }
            }
            decode(lineBuf!, lineVals!, rows * n);
            transposeTiles(lineVals!, 0, rows, fileView, 0, n, n, rows);
          } else {
            // Short lines: read whole groups of lines (one scan of the file per block) rather than
            // one tiny read per line.
            const per = Math.max(1, Math.floor(CHUNK_BYTES / (m * isz)));
            for (let t0 = 0; t0 < n && !signal.aborted; t0 += per) {
              const lines = Math.min(per, n - t0);
              const len = lines * m * isz;
              const pos = h.dataOffset + t0 * m * isz;
              const got = readSync(fh.fd, chunkBuf!, 0, len, pos);
              if (got !== len) {
                throw new FormatError(`${path} is truncated: ${h.fortranOrder ? 'column' : 'row'} ${t0 + Math.floor(got / (m * isz))} ends at byte ${pos + got}`);
              }
              decode(chunkBuf!, chunkVals!, lines * m);
              transposeTiles(chunkVals!, r0, m, fileView, t0, n, lines, rows);
              // Let unsubscription and other I/O in between scans of a large file.
              await new Promise<void>((resolve) => setImmediate(resolve));
            }
          }
          if (signal.aborted) break;
          let data: Float32Array | Float64Array = view.subarray(0, rows * n);
          if (out !== null) {
            // A converted block lives in `out`, reused at once: no rotation then.
            keeps = 0;
            out.set(data);
            data = out.subarray(0, rows * n);
          }
          emit({ rowStart: r0, rows, cols: n, data });
        }
      } finally {
        await fh.close();
      }
    }),
  };
}
