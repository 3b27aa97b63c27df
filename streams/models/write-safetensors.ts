/**
 * Writes a safetensors file whose tensors are produced one at a time: the header (names, dtypes,
 * shapes and offsets) is known before any data, since every output size follows from the shapes and
 * ranks; then each tensor's `write` puts its bytes at offsets relative to its own start, in any order
 * and any number of pieces (a streamed factor arrives in row blocks). The file is written under a
 * temporary name and renamed by `commit()`; `abort()` removes it.
 *
 * The header is padded with spaces to a multiple of 8 bytes, as the reference implementation does,
 * so every tensor starts 8-byte aligned.
 */
import { writeSync } from 'node:fs';
import { createAtomicFile, type AtomicFile } from '../sinks/atomic-file.js';
import { encode16 } from './half-float.js';

export interface OutTensor {
  readonly name: string;
  /** safetensors dtype: F32, F16, BF16, F64, or any other when copied as bytes. */
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly byteLength: number;
  /** Produces the bytes: calls `put(bytes, offsetInTensor)` as often as needed. */
  write(put: (bytes: Uint8Array, offset: number) => void): Promise<void>;
}

export interface PendingSafetensors {
  readonly path: string;
  /** Writes every tensor in order. */
  fill(): Promise<void>;
  commit(): void;
  abort(): void;
}

export function beginSafetensors(path: string, tensors: readonly OutTensor[], metadata: Record<string, string>): PendingSafetensors {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let at = 0;
  const starts: number[] = [];
  for (const t of tensors) {
    starts.push(at);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + t.byteLength] };
    at += t.byteLength;
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let hb = enc.encode(json);
  if (hb.length % 8 !== 0) { json += ' '.repeat(8 - (hb.length % 8)); hb = enc.encode(json); }
  const file: AtomicFile = createAtomicFile(path);
  const dataStart = 8 + hb.length;
  return {
    path,
    async fill() {
      const head = new Uint8Array(8);
      new DataView(head.buffer).setBigUint64(0, BigInt(hb.length), true);
      writeAll(file.fd, head, 0);
      writeAll(file.fd, hb, 8);
      for (let i = 0; i < tensors.length; i++) {
        const t = tensors[i];
        const base = dataStart + starts[i];
        let written = 0;
        await t.write((bytes, offset) => {
          if (offset + bytes.length > t.byteLength) throw new RangeError(`writeSafetensors: tensor '${t.name}' got bytes up to ${offset + bytes.length}, expected ${t.byteLength}`);
          writeAll(file.fd, bytes, base + offset);
          written += bytes.length;
        });
        if (written !== t.byteLength) throw new RangeError(`writeSafetensors: tensor '${t.name}' wrote ${written} bytes, expected ${t.byteLength}`);
      }
    },
    commit: () => file.commit(),
    abort: () => file.abort(),
  };
}

function writeAll(fd: number, bytes: Uint8Array, pos: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, pos + done);
}

/** Bytes per element of the dtypes rangefinder writes factors in. */
export function itemSize(dtype: string): number {
  return dtype === 'F64' ? 8 : dtype === 'F32' ? 4 : 2;
}

/** Values as little-endian bytes of a float dtype (F64, F32, F16, BF16). */
export function encodeValues(values: Float32Array | Float64Array, dtype: string): Uint8Array {
  if (dtype === 'F32') {
    const f = values instanceof Float32Array ? values : Float32Array.from(values);
    return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
  }
  if (dtype === 'F64') {
    const f = values instanceof Float64Array ? values : Float64Array.from(values);
    return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
  }
  return encode16(values, dtype === 'F16' ? 'float16' : 'bfloat16');
}
