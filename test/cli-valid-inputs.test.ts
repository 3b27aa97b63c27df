/**
 * Issue 10, class 6: valid inputs that were refused with a false reason, or read wrongly. Each case
 * runs the real CLI (child process) and failed on main:
 * - values at the ends of the float64 range (near 1e300, near 1e-300, subnormal): every method
 *   returns 2^k times the answer for the same matrix scaled into [1, 2) (the methods are
 *   homogeneous and the scaling is by a power of two, so the agreement is to the last bits), with
 *   finite norms and error estimates (main: "value at column 0 is NaN", "did not converge", null);
 * - a zero matrix: the requested rank, singular values 0, canonical basis vectors, a note; with
 *   --out the three files (main: rank 0, or an error blaming the output path);
 * - an Arrow IPC input whose batches do not match its schema (a new schema mid-stream, a file
 *   batch with another list width), a Parquet file whose row groups store a column with another
 *   type: refused naming the row (main: read with the old width or type, exit 0).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedSizeList, Field, Float32, RecordBatch, RecordBatchFileWriter, RecordBatchStreamWriter, Schema, Struct, makeData } from 'apache-arrow';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, expectUsageFailure, runCli, writeNpyMatrix } from './helpers/cli-harness.js';
import { readNpySync } from './helpers/read-npy-sync.js';
import { readNpy } from './helpers/npy.js';
import { testValues } from './helpers/collect-rows.js';

let dir: string;
const p = (name: string) => join(dir, name);
const M = 300, N = 12;

/** B: entries k 2^-20 with max |B| in [1, 2) (so 2^-1050 B is exactly representable). */
function base(): Float64Array {
  const v = testValues(M, N, 3);
  let big = 0;
  for (const x of v) big = Math.max(big, Math.abs(x));
  return v.map((x) => Math.round((x / big) * 1.5 * 2 ** 20) / 2 ** 20);
}

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'rf-cli-valid-'));
  const b = base();
  writeNpyMatrix(p('base.npy'), { rows: M, cols: N, data: b, offset: 0, stride: N });
  for (const k of [1000, -1000, -1050]) {
    writeNpyMatrix(p(`scaled${k}.npy`), { rows: M, cols: N, data: b.map((x) => x * 2 ** (k / 2) * 2 ** (k / 2)), offset: 0, stride: N });
  }
  writeNpyMatrix(p('zero.npy'), { rows: M, cols: N, data: new Float64Array(M * N), offset: 0, stride: N });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Json { rank: number; singularValues: number[]; errorEstimate: { frobenius: number | null; normA: number | null; relative: number | null }; notes: string[] }

const METHODS: [string, string[]][] = [
  ['three-sketch (default)', []],
  ['two-sketch', ['--method', 'two-sketch']],
  ['fd', ['--method', 'fd']],
  ['exact', ['--method', 'exact']],
  ['rsi, 3 passes', ['--passes', '3']],
  ['rsi, 1 pass', ['--method', 'rsi', '--passes', '1']],
  ['krylov', ['--method', 'krylov', '--passes', '2']],
  ['by columns', ['--orientation', 'columns']],
  ['centered', ['--center']],
];

async function approx(file: string, extra: string[]): Promise<Json> {
  const run = await runCli(['approx', p(file), '--rank', '3', '--json', ...extra]);
  expect(run.stderr.replace(/rangefinder: note: .*\n/g, ''), run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Json;
}

describe('values at the ends of the float64 range', () => {
  for (const [name, extra] of METHODS) {
    it(`${name}: 2^k A gives 2^k times the answer for A, k = 1000, -1000, -1050 (subnormal)`, async () => {
      const ref = await approx('base.npy', extra);
      for (const k of [1000, -1000, -1050]) {
        const got = await approx(`scaled${k}.npy`, extra);
        const f = (x: number) => x * 2 ** (k / 2) * 2 ** (k / 2);
        expect(got.rank).toBe(ref.rank);
        // Subnormal results keep fewer bits: compare relative to sigma_1.
        const tol = k < -1022 ? 1e-6 : 1e-12;
        const s1 = f(ref.singularValues[0]);
        got.singularValues.forEach((s, j) => expect(Math.abs(s - f(ref.singularValues[j]))).toBeLessThanOrEqual(tol * s1));
        for (const key of ['normA', 'frobenius'] as const) {
          const want = f(ref.errorEstimate[key] ?? Number.NaN);
          const value = got.errorEstimate[key];
          expect(value, `${key} for k = ${k}`).not.toBeNull();
          expect(Math.abs((value ?? Number.NaN) - want)).toBeLessThanOrEqual(Math.max(tol * Math.abs(want), tol * s1));
        }
        expect(got.errorEstimate.relative).toBeCloseTo(ref.errorEstimate.relative!, 6);
      }
    });
  }
});

describe('a zero matrix', () => {
  for (const [name, extra] of METHODS) {
    it(`${name}: the requested rank, zeros, canonical U and V, a note; with --out, the three files`, async () => {
      const out = p(`zero-${name.replace(/\W+/g, '-')}`);
      const got = await approx('zero.npy', [...extra, '--out', out]);
      expect(got.rank).toBe(3);
      expect(got.singularValues).toEqual([0, 0, 0]);
      expect(got.errorEstimate).toMatchObject({ frobenius: 0, normA: 0, relative: 0 });
      expect(got.notes.join(' ')).toMatch(/the matrix is zero/);
      const u = readNpySync(`${out}.U.npy`), s = readNpy(`${out}.S.npy`), v = readNpySync(`${out}.V.npy`);
      expect([u.rows, u.cols, v.rows, v.cols, ...s.shape]).toEqual([M, 3, N, 3, 3]);
      for (const [f, rows] of [[u, M], [v, N]] as const) {
        for (let i = 0; i < rows; i++) for (let j = 0; j < 3; j++) expect(f.data[i * 3 + j]).toBe(i === j ? 1 : 0);
      }
      expect(Array.from(s.data)).toEqual([0, 0, 0]);
    });
  }
});

function fslBatch(rows: number, w: number, base0: number): RecordBatch {
  const vals = Float32Array.from({ length: rows * w }, (_, i) => Math.sin(base0 + i));
  const child = makeData({ type: new Float32(), length: rows * w, data: vals });
  const t = new FixedSizeList(w, new Field('item', new Float32(), false));
  const col = makeData({ type: t, length: rows, child });
  const schema = new Schema([new Field('x', t, false)]);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows, children: [col] }));
}

describe('inputs whose batches disagree with their schema', () => {
  it('an Arrow IPC stream with a new schema mid-stream (FixedSizeList of 30 after 20) is refused at the row', async () => {
    const s1 = RecordBatchStreamWriter.writeAll([fslBatch(10, 20, 0), fslBatch(10, 20, 1)]).toUint8Array(true);
    const s2 = RecordBatchStreamWriter.writeAll([fslBatch(10, 30, 2)]).toUint8Array(true);
    const bytes = Buffer.concat([s1.subarray(0, s1.length - 8), s2]); // no end-of-stream between them
    writeFileSync(p('midschema.arrows'), bytes);
    for (const args of [[p('midschema.arrows')], ['-']]) {
      const run = await runCli(['approx', ...args, '--rank', '2'], args[0] === '-' ? { stdin: bytes } : {});
      const line = expectUsageFailure(run);
      expect(line).toMatch(/schema changes at row 20: column 0 is "x" FixedSizeList\[30\]<Float32>, expected "x" FixedSizeList\[20\]<Float32>/);
    }
  });

  it('an Arrow IPC file with a batch wider than its schema is refused at the row', async () => {
    const writer = new RecordBatchFileWriter();
    const first = fslBatch(10, 20, 0);
    writer.reset(undefined, first.schema);
    writer.write(first);
    // A batch written with another width under the same footer schema (a corrupt or hand-made file).
    (writer as unknown as { _writeRecordBatch(b: RecordBatch): void })._writeRecordBatch(fslBatch(10, 30, 1));
    writer.finish();
    writeFileSync(p('wide-batch.arrow'), writer.toUint8Array(true));
    const line = expectUsageFailure(await runCli(['approx', p('wide-batch.arrow'), '--rank', '2', '--no-decode-worker']));
    expect(line).toMatch(/record batch at row 10 holds 300 values in column "x" for 10 rows, expected 200/);
    const viaWorker = expectUsageFailure(await runCli(['approx', p('wide-batch.arrow'), '--rank', '2']));
    expect(viaWorker).toBe(line);
  });

  it('a Parquet file whose row groups store a column as DOUBLE under a FLOAT schema is refused naming the row group', async () => {
    const schema: { name: string; type?: string; repetition_type?: string; num_children?: number }[] = [
      { name: 'root', num_children: 2 },
      { name: 'a', type: 'FLOAT', repetition_type: 'REQUIRED' },
      { name: 'b', type: 'FLOAT', repetition_type: 'REQUIRED' },
    ];
    const w = new ByteWriter();
    const pw = new ParquetWriter({ writer: w, schema, codec: 'UNCOMPRESSED' } as never);
    pw.write({ columnData: [{ name: 'a', data: new Float32Array([1, 2, 3]) }, { name: 'b', data: new Float32Array([4, 5, 6]) }] } as never);
    schema[1].type = 'DOUBLE'; schema[2].type = 'DOUBLE';
    pw.write({ columnData: [{ name: 'a', data: new Float64Array([1.1, 2.2, 3.3]) }, { name: 'b', data: new Float64Array([4.4, 5.5, 6.6]) }] } as never);
    schema[1].type = 'FLOAT'; schema[2].type = 'FLOAT';
    pw.finish();
    writeFileSync(p('mixed.parquet'), new Uint8Array(w.getBuffer()));
    const line = expectUsageFailure(await runCli(['approx', p('mixed.parquet'), '--rank', '1']));
    expect(line).toMatch(/row group 1 stores column "a" as DOUBLE, expected FLOAT as the schema declares/);
  });
});
