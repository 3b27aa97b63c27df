/**
 * TensorFlow.js weights: a `model.json` (its `weightsManifest`) or a bare weights manifest (a JSON
 * array of groups, as face-api ships them). Each group's weights are packed back to back across
 * its shard files (`paths`, in order; a weight may straddle two shards), each as many bytes as its
 * stored dtype takes: float32/int32 4, bool 1, and quantized weights 1 (uint8), 2 (uint16) or 2
 * (float16). Quantized weights are dequantized when read: `q * scale + min` for uint8/uint16,
 * the half-float value for float16. Shards are read lazily at the weight's offset.
 *
 * Layers: 2-D float kernels (in x out, dense layers) and 1 x 1 convolution kernels
 * (1, 1, in, out) read as (in x out); depthwise kernels (a name containing "depthwise") are not
 * matrices of a layer and are skipped.
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FormatError } from '../../src/internals.js';
import { halfToFloat } from './half-float.js';
import type { ModelLayer, StoredDType, WeightMatrix } from './model-types.js';
import { readExactly } from './read-safetensors.js';

export interface TfjsQuantization { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number; original_dtype?: string }

export interface TfjsWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly quantization?: TfjsQuantization;
  /** Group index, byte offset within the group's concatenated shards, byte length. */
  readonly group: number;
  readonly offset: number;
  readonly byteLength: number;
  /** The manifest entry as read (kept verbatim for weights that are copied). */
  readonly entry: Record<string, unknown>;
}

export interface TfjsModel {
  readonly format: 'tfjs';
  readonly path: string;
  /** The JSON as read: a model.json object or a manifest array. */
  readonly json: unknown;
  readonly groups: readonly { paths: string[]; sizes: number[] }[];
  readonly weights: readonly TfjsWeight[];
  readonly layers: readonly ModelLayer[];
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

/** Reads `len` bytes at `offset` of a group's concatenated shards. */
export function readGroupBytes(model: Pick<TfjsModel, 'groups'>, group: number, offset: number, len: number, where: string): Uint8Array {
  const g = model.groups[group];
  const out = new Uint8Array(len);
  let start = 0, done = 0;
  for (let i = 0; i < g.paths.length && done < len; i++) {
    const size = g.sizes[i];
    const lo = Math.max(offset + done, start), hi = Math.min(offset + len, start + size);
    if (lo < hi) {
      const fd = openSync(g.paths[i], 'r');
      try { readExactly(fd, out, lo - offset, hi - lo, lo - start, g.paths[i]); } finally { closeSync(fd); }
      done = hi - offset;
    }
    start += size;
  }
  if (done < len) throw new FormatError(`${where}: the shards of weight group ${group} end at byte ${start}, expected at least ${offset + len}`);
  return out;
}

/** Dequantized float32 values of `count` elements from a weight's stored bytes. */
export function dequantize(w: TfjsWeight, bytes: Uint8Array, count: number, out: Float32Array): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const q = w.quantization;
  if (!q) {
    if (w.dtype === 'float32') for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, true);
    else if (w.dtype === 'int32') for (let i = 0; i < count; i++) out[i] = dv.getInt32(4 * i, true);
    else throw new FormatError(`weight '${w.name}' is ${w.dtype}: expected float32`);
    return;
  }
  const scale = q.scale ?? 1, min = q.min ?? 0;
  if (q.dtype === 'uint8') for (let i = 0; i < count; i++) out[i] = bytes[i] * scale + min;
  else if (q.dtype === 'uint16') for (let i = 0; i < count; i++) out[i] = dv.getUint16(2 * i, true) * scale + min;
  else for (let i = 0; i < count; i++) out[i] = halfToFloat(dv.getUint16(2 * i, true));
}

function storedDtype(w: TfjsWeight): StoredDType {
  const q = w.quantization?.dtype;
  return q === 'uint8' ? 'uint8-quantized' : q === 'uint16' ? 'uint16-quantized' : q === 'float16' ? 'float16-quantized' : 'float32';
}

export function tfjsMatrix(model: Pick<TfjsModel, 'groups'>, w: TfjsWeight, where: string): WeightMatrix {
  const conv = w.shape.length === 4;
  const rows = conv ? w.shape[2] : w.shape[0];
  const cols = conv ? w.shape[3] : w.shape[1];
  const isz = w.byteLength / Math.max(1, rows * cols);
  return {
    name: w.name, where, rows, cols, shape: w.shape, dtype: storedDtype(w),
    readRows(r0, count, into) {
      const len = count * cols;
      const out = into !== undefined && into.length >= len ? into.subarray(0, len) : new Float32Array(len);
      const bytes = readGroupBytes(model, w.group, w.offset + r0 * cols * isz, len * isz, where);
      dequantize(w, bytes, len, out);
      return out;
    },
  };
}

export function readTfjs(path: string): TfjsModel {
  let json: unknown;
  try { json = JSON.parse(readFileSync(path, 'utf8')); } catch (e) {
    if ((e as { code?: string }).code) throw e;
    throw new FormatError(`${path} is not JSON (${(e as Error).message.split('\n')[0]}): expected a TensorFlow.js model.json or weights manifest`);
  }
  const manifest = Array.isArray(json) ? json : (json as { weightsManifest?: unknown } | null)?.weightsManifest;
  if (!Array.isArray(manifest)) throw new FormatError(`${path}: expected a TensorFlow.js model.json with a weightsManifest, or a weights manifest (a list of {paths, weights})`);
  const dir = dirname(path);
  const groups: { paths: string[]; sizes: number[] }[] = [];
  const weights: TfjsWeight[] = [];
  manifest.forEach((g: unknown, gi: number) => {
    const grp = g as { paths?: unknown; weights?: unknown };
    if (!Array.isArray(grp?.paths) || !Array.isArray(grp.weights)) throw new FormatError(`${path}: weights manifest group ${gi} needs 'paths' and 'weights' lists`);
    const paths = (grp.paths as string[]).map((p) => join(dir, p));
    const sizes = paths.map((p) => { const fd = openSync(p, 'r'); try { return fstatSync(fd).size; } finally { closeSync(fd); } });
    const total = sizes.reduce((a, b) => a + b, 0);
    groups.push({ paths, sizes });
    let offset = 0;
    for (const raw of grp.weights as Record<string, unknown>[]) {
      const name = String(raw.name);
      const shape = raw.shape as number[];
      const dtype = String(raw.dtype);
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new FormatError(`${path}: weight '${name}' has shape ${JSON.stringify(shape)}: expected a list of non-negative integers`);
      const q = raw.quantization as TfjsQuantization | undefined;
      const isz = q ? BYTES[q.dtype] : BYTES[dtype];
      if (isz === undefined) throw new FormatError(`${path}: weight '${name}' has dtype ${q ? `quantization ${q.dtype}` : dtype}: expected float32, int32, bool, or uint8/uint16/float16 quantization`);
      const count = shape.reduce((a, b) => a * b, 1);
      const byteLength = count * isz;
      if (offset + byteLength > total) throw new FormatError(`${path}: weight '${name}' ends at byte ${offset + byteLength} of group ${gi}, whose shards hold ${total} bytes`);
      weights.push({ name, shape, dtype, ...(q ? { quantization: q } : {}), group: gi, offset, byteLength, entry: raw });
      offset += byteLength;
    }
  });
  const model = { groups };
  const layers: ModelLayer[] = [];
  for (const w of weights) {
    const float = w.dtype === 'float32';
    const dense = w.shape.length === 2 && w.shape[0] > 1 && w.shape[1] > 1;
    const conv = w.shape.length === 4 && w.shape[0] === 1 && w.shape[1] === 1 && w.shape[2] > 1 && w.shape[3] > 1 && !/depthwise/i.test(w.name);
    if (float && (dense || conv)) layers.push({ name: w.name, kind: dense ? 'dense' : 'tfjs-conv1x1', weight: tfjsMatrix(model, w, path) });
  }
  return { format: 'tfjs', path, json, groups, weights, layers };
}
