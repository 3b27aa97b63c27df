/**
 * safetensors files, read lazily: the 8-byte little-endian header length, the JSON header (dtype,
 * shape and data offsets of every tensor), and then one tensor, or a block of its rows, at a time
 * by positioned reads at its offset. Nothing else is read, so a checkpoint larger than memory can
 * be walked tensor by tensor. Sharded checkpoints: `model.safetensors.index.json` (its
 * `weight_map` names the shard of every tensor) opens each shard the same way.
 *
 * Format (huggingface/safetensors): `u64 N`, `N` bytes of UTF-8 JSON
 * `{"__metadata__": {str: str}?, name: {"dtype", "shape", "data_offsets": [begin, end]}}`, then the
 * data; offsets are relative to the first byte after the header, row-major, little-endian.
 *
 * Every malformed file is a FormatError naming the file, the tensor and what was expected: a file
 * shorter than 8 bytes, a header length beyond the file, a header that is not JSON, an unknown
 * dtype, a shape whose size does not match its offsets, offsets beyond the file.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FormatError } from '../../src/internals.js';
import { decode16 } from './half-float.js';
import type { ModelLayer, StoredDType, WeightMatrix } from './model-types.js';

/** Bytes per element of every dtype the format defines (the ones rangefinder can factor are F64/F32/F16/BF16). */
export const SAFETENSORS_DTYPES: Readonly<Record<string, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1,
  BOOL: 1, F8_E4M3: 1, F8_E5M2: 1, F8_E8M0: 1, F4: 1, F6_E2M3: 1, F6_E3M2: 1, C64: 8,
};
const FLOAT_DTYPES: Readonly<Record<string, StoredDType>> = { F64: 'float64', F32: 'float32', F16: 'float16', BF16: 'bfloat16' };

export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Absolute byte offset of the data in the file, and its length. */
  readonly offset: number;
  readonly byteLength: number;
  readonly path: string;
}

export interface SafetensorsShard {
  readonly path: string;
  readonly metadata: Record<string, string>;
  /** In the order of their data offsets. */
  readonly tensors: readonly SafetensorsTensor[];
  readonly fileBytes: number;
}

export interface SafetensorsModel {
  readonly format: 'safetensors';
  /** The file given: a .safetensors file or the index. */
  readonly path: string;
  /** The index JSON as read (sharded checkpoints), to be rewritten beside the output shards. */
  readonly index?: { metadata?: Record<string, unknown>; weight_map: Record<string, string> };
  readonly shards: readonly SafetensorsShard[];
  /** Every 2-D float tensor and every (out, in, 1, 1) float tensor, in file order. */
  readonly layers: readonly ModelLayer[];
}

function fail(path: string, what: string): never {
  throw new FormatError(`${path}: ${what}`);
}

/** Reads exactly `len` bytes at `pos` of fd into `into` (from offset `at`), or fails naming the place. */
export function readExactly(fd: number, into: Uint8Array, at: number, len: number, pos: number, where: string): void {
  let done = 0;
  while (done < len) {
    const got = readSync(fd, into, at + done, len - done, pos + done);
    if (got === 0) fail(where, `is truncated: expected ${len} bytes at byte ${pos}, the file ends after ${done}`);
    done += got;
  }
}

export function readSafetensorsShard(path: string): SafetensorsShard {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < 8) fail(path, `is truncated: a safetensors file starts with an 8-byte header length, the file has ${size} bytes`);
    const head = new Uint8Array(8);
    readExactly(fd, head, 0, 8, 0, path);
    const n = Number(new DataView(head.buffer).getBigUint64(0, true));
    if (n > size - 8) fail(path, `header length ${n} is beyond the file (${size} bytes): not a safetensors file, or truncated`);
    if (n > 100 * 2 ** 20) fail(path, `header length ${n} exceeds the format's 100 MB limit`);
    const hb = new Uint8Array(n);
    readExactly(fd, hb, 0, n, 8, path);
    let header: unknown;
    try { header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(hb)); } catch (e) {
      fail(path, `header is not JSON (${(e as Error).message.split('\n')[0]})`);
    }
    if (header === null || typeof header !== 'object' || Array.isArray(header)) fail(path, 'header is not a JSON object');
    const dataStart = 8 + n;
    const dataBytes = size - dataStart;
    let metadata: Record<string, string> = {};
    const tensors: SafetensorsTensor[] = [];
    for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
      if (name === '__metadata__') { metadata = (raw ?? {}) as Record<string, string>; continue; }
      const t = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
      const where = `${path}: tensor '${name}'`;
      if (t === null || typeof t !== 'object') fail(path, `tensor '${name}': expected an object with dtype, shape and data_offsets`);
      const dtype = t.dtype;
      if (typeof dtype !== 'string' || !(dtype in SAFETENSORS_DTYPES)) {
        throw new FormatError(`${where} has unknown dtype ${JSON.stringify(dtype)}: expected one of ${Object.keys(SAFETENSORS_DTYPES).join(', ')}`);
      }
      const shape = t.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
        throw new FormatError(`${where} has shape ${JSON.stringify(shape)}: expected a list of non-negative integers`);
      }
      const off = t.data_offsets;
      if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0) || off[1] < off[0]) {
        throw new FormatError(`${where} has data_offsets ${JSON.stringify(off)}: expected [begin, end] with 0 <= begin <= end`);
      }
      const [b, e] = off as [number, number];
      if (e > dataBytes) {
        throw new FormatError(`${where} has data_offsets [${b}, ${e}] beyond the data (${dataBytes} bytes after the header): offsets out of range or the file is truncated`);
      }
      const count = (shape as number[]).reduce((x, y) => x * y, 1);
      const isz = SAFETENSORS_DTYPES[dtype];
      const expected = dtype === 'F4' ? Math.ceil(count / 2) : dtype.startsWith('F6') ? Math.ceil((count * 6) / 8) : count * isz;
      if (e - b !== expected) {
        throw new FormatError(`${where}: shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${expected} bytes, its data_offsets span ${e - b}`);
      }
      tensors.push({ name, dtype, shape: shape as number[], offset: dataStart + b, byteLength: e - b, path });
    }
    tensors.sort((x, y) => x.offset - y.offset);
    return { path, metadata, tensors, fileBytes: size };
  } finally {
    closeSync(fd);
  }
}

/** A safetensors tensor as a lazily read matrix: rows = shape[0], cols = the product of the rest. */
export function safetensorsMatrix(t: SafetensorsTensor): WeightMatrix {
  const dtype = FLOAT_DTYPES[t.dtype];
  if (dtype === undefined) throw new FormatError(`${t.path}: tensor '${t.name}' is ${t.dtype}: expected F32, F16, BF16 or F64 to factor it`);
  if (t.shape.length < 2) throw new FormatError(`${t.path}: tensor '${t.name}' has shape [${t.shape.join(', ')}]: expected a 2-D tensor (or out x in x 1 x 1)`);
  const rows = t.shape[0];
  const cols = t.shape.slice(1).reduce((x, y) => x * y, 1);
  const isz = SAFETENSORS_DTYPES[t.dtype];
  return {
    name: t.name, where: t.path, rows, cols, shape: t.shape, dtype,
    readRows(r0, count, into) {
      const len = count * cols;
      const out = into !== undefined && into.length >= len ? into.subarray(0, len) : new Float32Array(len);
      const fd = openSync(t.path, 'r');
      try {
        const pos = t.offset + r0 * cols * isz;
        if (dtype === 'float32') {
          readExactly(fd, new Uint8Array(out.buffer, out.byteOffset, len * 4), 0, len * 4, pos, t.path);
        } else {
          const raw = new Uint8Array(len * isz);
          readExactly(fd, raw, 0, raw.length, pos, t.path);
          if (dtype === 'float64') {
            const f64 = new Float64Array(raw.buffer);
            for (let i = 0; i < len; i++) out[i] = f64[i];
          } else {
            decode16(raw, len, dtype === 'float16' ? 'float16' : 'bfloat16', out);
          }
        }
      } finally {
        closeSync(fd);
      }
      return out;
    },
  };
}

/** Can this tensor be read as a weight matrix (2-D, or out x in x 1 x 1, of a float dtype)? */
export function isFactorableTensor(t: SafetensorsTensor): boolean {
  if (!(t.dtype in FLOAT_DTYPES)) return false;
  if (t.shape.length === 2) return t.shape[0] > 1 && t.shape[1] > 1;
  return t.shape.length === 4 && t.shape[2] === 1 && t.shape[3] === 1 && t.shape[0] > 1 && t.shape[1] > 1;
}

/**
 * Opens a `.safetensors` file, or a sharded checkpoint by its `*.safetensors.index.json` (or a
 * directory holding `model.safetensors.index.json` or `model.safetensors`).
 */
export function readSafetensors(path: string): SafetensorsModel {
  let index: SafetensorsModel['index'];
  let shardPaths: string[];
  if (path.endsWith('.json')) {
    let parsed: unknown;
    try { parsed = JSON.parse(readFileSync(path, 'utf8')); } catch (e) {
      if ((e as { code?: string }).code) throw e;
      fail(path, `is not JSON (${(e as Error).message.split('\n')[0]}): expected a safetensors index with a weight_map`);
    }
    const wm = (parsed as { weight_map?: unknown } | null)?.weight_map;
    if (wm === null || typeof wm !== 'object' || Array.isArray(wm)) fail(path, 'has no weight_map object: expected a safetensors index (model.safetensors.index.json)');
    index = parsed as NonNullable<SafetensorsModel['index']>;
    shardPaths = [...new Set(Object.values(index.weight_map))].map((f) => {
      if (typeof f !== 'string' || f.includes('/') || f.includes('\\')) fail(path, `weight_map names shard ${JSON.stringify(f)}: expected a file name beside the index`);
      return join(dirname(path), f);
    });
  } else {
    shardPaths = [path];
  }
  const shards = shardPaths.map(readSafetensorsShard);
  if (index) {
    for (const [name, file] of Object.entries(index.weight_map)) {
      const shard = shards.find((s) => basename(s.path) === file)!;
      if (!shard.tensors.some((t) => t.name === name)) fail(path, `weight_map puts tensor '${name}' in ${file}, which has no such tensor`);
    }
  }
  const layers: ModelLayer[] = [];
  for (const s of shards) {
    for (const t of s.tensors) {
      if (isFactorableTensor(t)) layers.push({ name: t.name, kind: 'tensor', weight: safetensorsMatrix(t) });
    }
  }
  return { format: 'safetensors', path, ...(index ? { index } : {}), shards, layers };
}
