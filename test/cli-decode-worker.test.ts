/**
 * The CLI's decode worker (on by default for Arrow IPC files and Parquet on a machine with at least
 * 2 cores; `--no-decode-worker` turns it off), run from the built dist/ as a real child process:
 * the same factors either way, multi-pass RSI included (one worker reused across passes), and the
 * same one-line error for bad data decoded on the worker.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Matrix64 } from '../src/matrix.js';
import { parseApproxArgs } from '../streams/cli/approx-args.js';
import { arrowBytes, ensureBuilt, runCli, writeParquetMatrix } from './helpers/cli-harness.js';
import { testValues } from './helpers/collect-rows.js';

let dir: string;
const a: Matrix64 = { rows: 2000, cols: 12, data: testValues(2000, 12, 5), offset: 0, stride: 12 };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rf-cli-dw-'));
  await ensureBuilt();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function json(stdout: string, stderr: string, code: number | null): { singularValues: number[]; rows: number } {
  if (code !== 0) throw new Error(`exit ${code}: ${stderr}`);
  return JSON.parse(stdout) as { singularValues: number[]; rows: number };
}

describe('CLI decode worker', () => {
  it('defaults to on with at least 2 cores; --no-decode-worker turns it off', () => {
    expect(parseApproxArgs(['x.arrow', '--rank', '2']).decodeWorker).toBe(availableParallelism() >= 2);
    expect(parseApproxArgs(['x.arrow', '--rank', '2', '--no-decode-worker']).decodeWorker).toBe(false);
  });

  it('Arrow and Parquet files give the same factors with and without it (three-sketch and 3-pass RSI)', async () => {
    const arrow = join(dir, 'a.arrow');
    writeFileSync(arrow, arrowBytes(a, 'file', 128));
    const parquet = join(dir, 'a.parquet');
    writeParquetMatrix(parquet, a, [], 300);
    for (const input of [arrow, parquet]) {
      for (const method of [['--method', 'three-sketch'], ['--method', 'rsi', '--passes', '3']]) {
        const args = ['approx', input, '--rank', '3', '--json', '--seed', '7', ...method];
        const [on, off] = await Promise.all([runCli(args), runCli([...args, '--no-decode-worker'])]);
        const x = json(on.stdout, on.stderr, on.code), y = json(off.stdout, off.stderr, off.code);
        expect(x.rows).toBe(a.rows);
        expect(x.singularValues).toEqual(y.singularValues);
      }
    }
  });

  it('bad data decoded on the worker: the same one-line error as in-thread', async () => {
    const bad = { ...a, data: a.data.slice() };
    bad.data[1234 * a.cols + 5] = NaN;
    const arrow = join(dir, 'nan.arrow');
    writeFileSync(arrow, arrowBytes(bad, 'file', 128));
    const args = ['approx', arrow, '--rank', '3'];
    const [on, off] = await Promise.all([runCli(args), runCli([...args, '--no-decode-worker'])]);
    expect(on.code).toBe(off.code);
    expect(on.code).not.toBe(0);
    expect(on.stderr).toBe(off.stderr);
    expect(on.stderr).toMatch(/row 1234: value at column 5/);
  });
});
