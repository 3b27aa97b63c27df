import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ArgumentError } from '../src/errors.js';
import { describeSource } from '../streams/describe-source.js';
import { writeArrowFactor } from '../streams/sinks/write-arrow-factor.js';
import { writeNpy } from '../streams/sinks/write-npy.js';
import { writeParquetFactor } from '../streams/sinks/write-parquet-factor.js';
import { fromSynthetic } from '../streams/sources/from-synthetic.js';
import { openSource } from '../streams/sources/open-source.js';
import { parseSourceSpec } from '../streams/sources/parse-source-spec.js';
import { fixture } from './helpers/shared-data.js';
import { collectRows } from './helpers/collect-rows.js';

const dir = mkdtempSync(join(tmpdir(), 'rf-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Singular values of a small dense matrix via the eigenvalues of A^T A (Jacobi; tests only). */
function singularValues(a: Float64Array, m: number, n: number): number[] {
  const g = new Float64Array(n * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < n; p++) for (let q = 0; q < n; q++) g[p * n + q] += a[i * n + p] * a[i * n + q];
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) {
      const apq = g[p * n + q];
      off += apq * apq;
      if (Math.abs(apq) < 1e-300) continue;
      const theta = (g[q * n + q] - g[p * n + p]) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), s = t * c;
      for (let k = 0; k < n; k++) {
        const gkp = g[k * n + p], gkq = g[k * n + q];
        g[k * n + p] = c * gkp - s * gkq; g[k * n + q] = s * gkp + c * gkq;
      }
      for (let k = 0; k < n; k++) {
        const gpk = g[p * n + k], gqk = g[q * n + k];
        g[p * n + k] = c * gpk - s * gqk; g[q * n + k] = s * gpk + c * gqk;
      }
    }
    if (off < 1e-28) break;
  }
  return Array.from({ length: n }, (_, i) => Math.sqrt(Math.max(0, g[i * n + i]))).sort((x, y) => y - x);
}

describe('fromSynthetic', () => {
  const spec = { rows: 500, cols: 20, rank: 4, noise: 1e-6, seed: 42 };

  it('is deterministic, replayable, independent of block size, and low rank + noise', async () => {
    const s = fromSynthetic(spec, { blockRows: 64 });
    const one = await collectRows(s.open());
    const two = await collectRows(s.open());
    const other = await collectRows(fromSynthetic(spec, { blockRows: 7 }).open());
    expect(one.blockRows.length).toBe(8);
    expect(two.data).toEqual(one.data);
    expect(other.data).toEqual(one.data);
    const sv = singularValues(one.data, 500, 20);
    expect(sv[3] / sv[0]).toBeGreaterThan(0.1); // 4 strong directions (decay 0.8)
    expect(sv[4] / sv[0]).toBeLessThan(1e-4); // then only the noise
    const seeded = await collectRows(fromSynthetic({ ...spec, seed: 43 }).open());
    expect(seeded.data).not.toEqual(one.data);
  });

  it('columns orientation emits A^T', async () => {
    const rows = await collectRows(fromSynthetic(spec).open());
    const cols = await collectRows(fromSynthetic(spec, { orientation: 'columns', blockRows: 6 }).open());
    expect([cols.rows, cols.cols, cols.blocks]).toEqual([20, 500, 4]);
    for (const [i, j] of [[0, 0], [17, 3], [499, 19]] as const) expect(cols.data[j * 500 + i]).toBe(rows.data[i * 20 + j]);
  });

  it('float32 output and argument checks', async () => {
    const f = await collectRows(fromSynthetic({ ...spec, dtype: 'float32' }).open());
    expect(f.dtypes).toEqual(new Set(['Float32Array']));
    expect(() => fromSynthetic({ rows: 10, cols: 0 })).toThrow(ArgumentError);
  });
});

describe('openSource / parseSourceSpec / describeSource', () => {
  it('parses every spec form and refuses unknown ones with the list of forms', () => {
    expect(parseSourceSpec('-')).toEqual({ kind: 'stdin' });
    expect(parseSourceSpec('tcp://10.0.0.2:9000')).toEqual({ kind: 'tcp', host: '10.0.0.2', port: 9000 });
    expect(parseSourceSpec('listen://:9000')).toEqual({ kind: 'listen', host: '127.0.0.1', port: 9000 });
    expect(parseSourceSpec('synthetic:100x20:rank=3,seed=2,dtype=float32')).toEqual({ kind: 'synthetic', spec: { rows: 100, cols: 20, rank: 3, seed: 2, dtype: 'float32' } });
    expect(parseSourceSpec('a/b.NPY')).toEqual({ kind: 'npy', path: 'a/b.NPY' });
    expect(parseSourceSpec('x.feather').kind).toBe('arrow-file');
    expect(parseSourceSpec('x.arrows').kind).toBe('arrow-stream');
    expect(parseSourceSpec('x.pq').kind).toBe('parquet');
    expect(() => parseSourceSpec('data.csv')).toThrow(/cannot tell the format of "data.csv"; a source is a path ending in \.npy/);
    expect(() => parseSourceSpec('synthetic:10x10:bogus=1')).toThrow(/unknown parameter "bogus=1"/);
  });

  it('opens and describes each file format the same way', async () => {
    const a = await collectRows(fromSynthetic({ rows: 40, cols: 5, seed: 1 }).open());
    const m = { rows: 40, cols: 5, data: a.data, offset: 0, stride: 5 };
    await writeNpy(join(dir, 'a.npy'), m);
    await writeArrowFactor(join(dir, 'a.arrow'), m);
    await writeArrowFactor(join(dir, 'a.arrows'), m, { format: 'stream' });
    await writeParquetFactor(join(dir, 'a.parquet'), m);
    for (const f of ['a.npy', 'a.arrow', 'a.arrows', 'a.parquet', 'synthetic:40x5:seed=1']) {
      const spec = f.startsWith('synthetic') ? f : join(dir, f);
      const src = await openSource(spec);
      expect(src.replayable, f).toBe(true);
      expect((await collectRows(src.open())).data, f).toEqual(a.data);
      const d = await describeSource(spec);
      expect(d.info, f).toMatchObject({ cols: 5, dtype: 'float64' });
      if (!f.endsWith('.arrows') && !f.startsWith('synthetic')) expect(d.bytes, f).toBeGreaterThan(40 * 5 * 8 - 1);
    }
    const d = await describeSource(join(dir, 'a.parquet'), { columns: ['c3', 'c1'] });
    expect(d.info?.columnNames).toEqual(['c3', 'c1']);
    expect(d.fields?.filter((x) => x.used).map((x) => x.name).sort()).toEqual(['c1', 'c3']);
  });

  it('describe reports a refusal instead of throwing, with every field and its type', async () => {
    const d = await describeSource(fixture('parquet-testing', 'alltypes_plain.parquet'));
    expect(d.info).toBeUndefined();
    expect(d.refusal?.code).toBe('FORMAT');
    expect(d.refusal?.message).toMatch(/column "bool_col" has type BOOLEAN/);
    expect(d.fields?.find((f) => f.name === 'string_col')).toMatchObject({ numeric: false });
    expect(d.fields?.find((f) => f.name === 'double_col')).toMatchObject({ type: 'DOUBLE', numeric: true });
  });
});

describe('stdin', () => {
  it('reads an Arrow IPC stream piped from the producer tool into a child process', async () => {
    const script = `
      import { fromArrowStream } from './streams/sources/from-arrow-stream.ts';
      import { lastValueFrom, toArray } from 'rxjs';
      const src = fromArrowStream('stdin');
      const blocks = await lastValueFrom(src.open().pipe(toArray()));
      let sum = 0; for (const b of blocks) for (let t = 0; t < b.rows * b.cols; t++) sum += b.data[t];
      const again = await lastValueFrom(src.open()).catch((e) => e.message);
      process.stdout.write(JSON.stringify({ rows: src.stats.rowsEmitted, blocks: blocks.length, sum, again }));`;
    const producer = spawn(process.execPath, ['--import', 'tsx', 'streams/tools/arrow-producer.ts', '--rows', '2500', '--cols', '16', '--batch-rows', '1000', '--seed', '5'], { cwd: process.cwd() });
    const consumer = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd() });
    producer.stdout.pipe(consumer.stdin);
    let out = '';
    consumer.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const code = await new Promise((r) => consumer.on('close', r));
    expect(code).toBe(0);
    const got = JSON.parse(out) as { rows: number; blocks: number; sum: number; again: string };
    const ref = await lastValueFrom(fromSynthetic({ rows: 2500, cols: 16, seed: 5, dtype: 'float32' }).open().pipe(toArray()));
    let sum = 0;
    for (const b of ref) for (let t = 0; t < b.rows * b.cols; t++) sum += b.data[t];
    expect(got).toMatchObject({ rows: 2500, blocks: 3 });
    expect(got.sum).toBeCloseTo(sum, 6);
    expect(got.again).toMatch(/^stdin is a one-shot source and was already read/);
  }, 60_000);
});
