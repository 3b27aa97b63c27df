import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm/node';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError } from '../src/errors.js';
import type { Matrix } from '../src/matrix.js';
import type { RangeSpill } from '../src/sketch/types.js';
import { createNpyWriter } from '../streams/sinks/create-npy-writer.js';
import { createSpill } from '../streams/sinks/create-spill.js';
import { writeArrowFactor } from '../streams/sinks/write-arrow-factor.js';
import { writeNpy } from '../streams/sinks/write-npy.js';
import { writeParquetFactor } from '../streams/sinks/write-parquet-factor.js';
import { fromArrowFile } from '../streams/sources/from-arrow-file.js';
import { fromArrowStream } from '../streams/sources/from-arrow-stream.js';
import { fromNpy } from '../streams/sources/from-npy.js';
import { fromParquet } from '../streams/sources/from-parquet.js';
import { collectRows, testValues } from './helpers/collect-rows.js';
import { readNpyReference } from './helpers/npy-reference.js';

const dir = mkdtempSync(join(tmpdir(), 'rf-sinks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const m = 45, n = 6;
const a = testValues(m, n, 3);
/** A strided view: rows 5..44 and columns 1..4 of a (45 x 6) matrix. */
const view: Matrix<Float64Array> = { rows: 40, cols: 4, data: a, offset: 5 * n + 1, stride: n };
const packedView = (): Float64Array => {
  const out = new Float64Array(40 * 4);
  for (let i = 0; i < 40; i++) for (let j = 0; j < 4; j++) out[i * 4 + j] = a[(5 + i) * n + 1 + j];
  return out;
};
const noTemps = (): string[] => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe('writeNpy / createNpyWriter', () => {
  it('writes a strided Matrix view and a vector, read back by a second reader and by fromNpy', async () => {
    const p = join(dir, 'u.npy');
    await writeNpy(p, view);
    const ref = readNpyReference(p);
    expect([ref.rows, ref.cols, ref.dtype, ref.fortran]).toEqual([40, 4, '<f8', false]);
    expect(ref.data).toEqual(packedView());
    expect((await collectRows(fromNpy(p).open())).data).toEqual(packedView());

    const s = join(dir, 's.npy');
    await writeNpy(s, Float32Array.from([3, 2, 1]));
    expect(readFileSync(s).toString('latin1')).toContain("'shape': (3,)");
    expect(Array.from(readNpyReference(s).data)).toEqual([3, 2, 1]);
    const h = readFileSync(s);
    expect((10 + h.readUInt16LE(8)) % 64).toBe(0);
    await writeNpy(join(dir, 'v32.npy'), view, undefined, { dtype: 'float32' });
    expect(readNpyReference(join(dir, 'v32.npy')).dtype).toBe('<f4');
    expect(noTemps()).toEqual([]);
  });

  it('streams a tall factor block by block; nothing appears under the final name until close()', async () => {
    const p = join(dir, 'tall.npy');
    const w = createNpyWriter(p, { rows: 40, cols: 4 });
    w.write(0, { ...view, rows: 15 });
    w.write(15, { ...view, rows: 25, offset: view.offset + 15 * n });
    expect(existsSync(p)).toBe(false);
    await w.close();
    expect(readNpyReference(p).data).toEqual(packedView());
    expect(noTemps()).toEqual([]);
  });

  it('refuses out-of-order blocks and short files, leaving no file and no temp file', async () => {
    const p = join(dir, 'bad.npy');
    const w = createNpyWriter(p, { rows: 40, cols: 4 });
    w.write(0, { ...view, rows: 10 });
    expect(() => w.write(20, { ...view, rows: 10 })).toThrow(ArgumentError);
    expect(existsSync(p)).toBe(false);
    expect(noTemps()).toEqual([]);
    const short = createNpyWriter(p, { rows: 40, cols: 4 });
    short.write(0, { ...view, rows: 10 });
    await expect(short.close()).rejects.toThrow(new ShapeError(`${p}: 10 rows were written, the header promises 40; the file was not created`));
    expect(existsSync(p)).toBe(false);
    expect(noTemps()).toEqual([]);
    const wrong = createNpyWriter(p, { rows: 40, cols: 3 });
    expect(() => wrong.write(0, view)).toThrow(/rows of 4 values, expected 3/);
    expect(noTemps()).toEqual([]);
  });
});

describe('writeArrowFactor', () => {
  it('FixedSizeList IPC file: read back by fromArrowFile, schema metadata kept', async () => {
    const p = join(dir, 'v.arrow');
    await writeArrowFactor(p, view, { batchRows: 16, metadata: { rank: '4', method: 'test' } });
    const src = fromArrowFile(p);
    expect(await src.info()).toMatchObject({ rows: 40, cols: 4, layout: 'fixed-size-list', batches: 3 });
    expect((await collectRows(src.open())).data).toEqual(packedView());
    const t = tableFromIPC(readFileSync(p));
    expect(t.schema.metadata.get('rank')).toBe('4');
    expect(noTemps()).toEqual([]);
  });

  it('wide float32 IPC stream with names', async () => {
    const p = join(dir, 'v.arrows');
    await writeArrowFactor(p, view, { layout: 'wide', format: 'stream', names: ['a', 'b', 'c', 'd'], dtype: 'float32' });
    const got = await collectRows(fromArrowStream(p).open());
    expect(got.dtypes).toEqual(new Set(['Float32Array']));
    expect(Array.from(got.data)).toEqual(Array.from(Float32Array.from(packedView())));
    expect((await fromArrowStream(p).info()).columnNames).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a failed write leaves nothing behind', async () => {
    await expect(writeArrowFactor(join(dir, 'no-such-dir', 'x.arrow'), view)).rejects.toThrow(/ENOENT/);
    expect(noTemps()).toEqual([]);
  });
});

describe('writeParquetFactor', () => {
  it('wide Parquet read back by fromParquet and by parquet-wasm', async () => {
    const p = join(dir, 'u.parquet');
    await writeParquetFactor(p, view, { rowGroupSize: 16, metadata: { rank: '4' } });
    const src = fromParquet(p);
    expect(await src.info()).toMatchObject({ rows: 40, cols: 4, batches: 3, columnNames: ['c0', 'c1', 'c2', 'c3'] });
    expect((await collectRows(src.open())).data).toEqual(packedView());
    const t = tableFromIPC(readParquet(readFileSync(p)).intoIPCStream());
    expect(t.numRows).toBe(40);
    expect(t.getChild('c2')!.get(7)).toBe(packedView()[7 * 4 + 2]);
    await writeParquetFactor(join(dir, 'u32.parquet'), view, { dtype: 'float32', compressed: false, names: ['w', 'x', 'y', 'z'] });
    const f32 = await collectRows(fromParquet(join(dir, 'u32.parquet')).open());
    expect(Array.from(f32.data)).toEqual(Array.from(Float32Array.from(packedView())));
    expect(noTemps()).toEqual([]);
  });
});

describe('createSpill', () => {
  it('appends blocks synchronously and replays them with their global rows, then removes its directory', async () => {
    const spill = createSpill({ cols: 4 });
    expect(existsSync(spill.dir)).toBe(true);
    spill.write(0, { ...view, rows: 10 });
    spill.write(30, { ...view, rows: 10, offset: view.offset + 30 * n }); // shards may arrive out of order
    spill.append(10, 20, 4, packedView().slice(10 * 4, 30 * 4));
    expect(spill.rows).toBe(40);
    expect(spill.bytesWritten).toBeGreaterThan(40 * 4 * 8);
    expect(spill.bytes()).toBe(0);
    const asRangeSpill: RangeSpill = spill; // the numeric side's sink interface
    expect(typeof asRangeSpill.write).toBe('function');
    const blocks = await lastValueFrom(spill.readBlocks().pipe(toArray()));
    expect(blocks.map((b) => [b.rowStart, b.rows])).toEqual([[0, 10], [30, 10], [10, 20]]);
    const all = new Float64Array(160);
    for (const b of blocks) all.set(b.data, b.rowStart * 4);
    expect(all).toEqual(packedView());
    // Replayable, and readable as an ordinary Arrow IPC file.
    expect((await lastValueFrom(spill.readBlocks().pipe(toArray()))).length).toBe(3);
    expect((await spill.source().info())).toMatchObject({ rows: 40, cols: 4, layout: 'fixed-size-list' });
    expect(() => spill.append(40, 1, 4, new Float64Array(4))).toThrow(/finished/);
    spill.dispose();
    spill.dispose();
    expect(existsSync(spill.dir)).toBe(false);
  });

  it('float32 spill, shape errors, dispose on the error path', () => {
    const spill = createSpill({ cols: 3, dtype: 'float32', tmpDir: dir });
    try {
      expect(() => spill.append(0, 2, 4, new Float64Array(8))).toThrow(ShapeError);
    } finally {
      spill.dispose();
    }
    expect(existsSync(spill.dir)).toBe(false);
  });

  it('a spill that is never disposed is removed when the process exits', () => {
    const script = `
      import { createSpill } from './streams/sinks/create-spill.ts';
      const s = createSpill({ cols: 2, tmpDir: ${JSON.stringify(dir)} });
      s.append(0, 1, 2, new Float64Array([1, 2]));
      process.stdout.write(s.dir);
      throw new Error('pipeline failed');`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: process.cwd(), timeout: 30_000 });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain('rangefinder-spill-');
    expect(existsSync(r.stdout)).toBe(false);
  });
});
