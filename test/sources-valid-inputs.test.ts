/**
 * Issue 10, class 6, in the sources: valid inputs that were refused with a false reason. Each
 * failed on main:
 * - Arrow Float16 columns (wide, and FixedSizeList<Float16>) were refused ("Float16 is not
 *   supported") although Parquet's FLOAT16 was read: now converted, exactly;
 * - an Arrow dictionary-encoded numeric column was refused as "not numeric": now decoded;
 * - `tcp://[::1]:PORT` (an IPv6 address) was "cannot tell the format";
 * - big-endian, float16 and integer .npy files in every read path (C and Fortran order, by rows
 *   and by columns: the gather paths convert too).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Dictionary, Field, FixedSizeList, Float16, Float64, Int32, RecordBatch, RecordBatchFileWriter, Schema, Struct, makeData, vectorFromArray,
} from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { fromArrowFile } from '../streams/sources/from-arrow-file.js';
import { fromNpy } from '../streams/sources/from-npy.js';
import { parseSourceSpec } from '../streams/sources/parse-source-spec.js';
import { collectRows } from './helpers/collect-rows.js';

const dir = mkdtempSync(join(tmpdir(), 'rf-valid-src-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** float16 bits of 1, -2, 0.5, 65504, 2^-24, 0. */
const HALF_BITS = [0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x0000];
const HALF_VALUES = [1, -2, 0.5, 65504, 2 ** -24, 0];

function writeBatchFile(path: string, fields: Field[], children: import('apache-arrow').Data[], rows: number): void {
  const schema = new Schema(fields);
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: rows, children }));
  writeFileSync(path, RecordBatchFileWriter.writeAll([batch]).toUint8Array(true));
}

describe('Arrow columns that are numbers', () => {
  it('reads a wide table with a Float16 and a dictionary-encoded Float64 column', async () => {
    const path = join(dir, 'half-dict.arrow');
    const h = makeData({ type: new Float16(), length: 6, data: Uint16Array.from(HALF_BITS) });
    const d = vectorFromArray([1.5, 2.5, 1.5, 7.25, 2.5, 1.5], new Dictionary(new Float64(), new Int32())).data[0];
    writeBatchFile(path, [new Field('h', new Float16(), false), new Field('d', d.type, false)], [h, d], 6);
    const got = await collectRows(fromArrowFile(path).open());
    expect([got.rows, got.cols]).toEqual([6, 2]);
    expect(Array.from(got.data)).toEqual([1, 1.5, -2, 2.5, 0.5, 1.5, 65504, 7.25, 2 ** -24, 2.5, 0, 1.5]);
  });

  it('reads FixedSizeList<Float16> rows as float32', async () => {
    const path = join(dir, 'half-list.arrow');
    const t = new FixedSizeList(3, new Field('item', new Float16(), false));
    const child = makeData({ type: new Float16(), length: 6, data: Uint16Array.from(HALF_BITS) });
    writeBatchFile(path, [new Field('x', t, false)], [makeData({ type: t, length: 2, child })], 2);
    const src = fromArrowFile(path);
    expect(await src.info()).toMatchObject({ rows: 2, cols: 3, dtype: 'float32' });
    const got = await collectRows(src.open());
    expect(Array.from(got.data)).toEqual(HALF_VALUES);
  });
});

describe('source specs', () => {
  it('accepts a bracketed IPv6 host for tcp:// and listen://, and refuses ports out of range', () => {
    expect(parseSourceSpec('tcp://[::1]:9000')).toEqual({ kind: 'tcp', host: '::1', port: 9000 });
    expect(parseSourceSpec('listen://[::1]:0')).toEqual({ kind: 'listen', host: '::1', port: 0 });
    expect(parseSourceSpec('tcp://127.0.0.1:9000')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 9000 });
    expect(() => parseSourceSpec('tcp://127.0.0.1:70000')).toThrow(/port 70000 is out of range/);
  });
});

describe('.npy files numpy reads, in every read path', () => {
  const m = 5, n = 3;
  const vals = Array.from({ length: m * n }, (_, i) => (i % 2 === 0 ? i : -i) * 1.5);
  const write = (name: string, descr: string, fortran: boolean, put: (b: Buffer, i: number, v: number) => void, size: number): string => {
    const dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${m}, ${n}), }`;
    const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
    const head = Buffer.alloc(total, 0x20);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
    head.writeUInt16LE(total - 10, 8);
    head.write(dict, 10, 'latin1');
    head[total - 1] = 0x0a;
    const data = Buffer.alloc(m * n * size);
    // The file order: C order = A row-major, Fortran = A column-major.
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) put(data, fortran ? j * m + i : i * n + j, vals[i * n + j]);
    const path = join(dir, `${name}-${fortran ? 'F' : 'C'}.npy`);
    writeFileSync(path, Buffer.concat([head, data]));
    return path;
  };
  const kinds: [string, string, (b: Buffer, i: number, v: number) => void, number, (v: number) => number][] = [
    ['f8be', '>f8', (b, i, v) => b.writeDoubleBE(v, 8 * i), 8, (v) => v],
    ['f4be', '>f4', (b, i, v) => b.writeFloatBE(v, 4 * i), 4, (v) => Math.fround(v)],
    ['i2le', '<i2', (b, i, v) => b.writeInt16LE(Math.trunc(v), 2 * i), 2, (v) => Math.trunc(v)],
    ['i8be', '>i8', (b, i, v) => b.writeBigInt64BE(BigInt(Math.trunc(v)), 8 * i), 8, (v) => Math.trunc(v)],
  ];
  for (const [name, descr, put, size, expected] of kinds) {
    for (const fortran of [false, true]) {
      for (const orientation of ['rows', 'columns'] as const) {
        it(`${descr}, ${fortran ? 'Fortran' : 'C'} order, by ${orientation}`, async () => {
          const path = write(name, descr, fortran, put, size);
          const got = await collectRows(fromNpy(path, { orientation, blockRows: 2 }).open());
          const want = orientation === 'rows'
            ? vals.map(expected)
            : Array.from({ length: m * n }, (_, t) => expected(vals[(t % m) * n + Math.floor(t / m)]));
          expect(Array.from(got.data)).toEqual(want);
        });
      }
    }
  }
});
