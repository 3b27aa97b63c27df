/**
 * Every documented kind of bad input or bad usage makes `rangefinder` exit with code 2 and one line
 * on stderr, `rangefinder: <message>`, that names the place (file and row/column, option, socket,
 * stdin) and shows no stack trace. Each case runs the real CLI as a child process.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Matrix64 } from '../src/matrix.js';
import { fromSpectrum } from '../src/synthetic/from-spectrum.js';
import {
  ROOT, arrowBytes, ensureBuilt, expectUsageFailure, raggedArrowFile, runCli, spawnProducer, waitForLine, writeNpyMatrix, writeParquetMatrix,
} from './helpers/cli-harness.js';

let dir: string;
let a: Matrix64;
const p = (name: string) => join(dir, name);
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'rf-cli-bad-'));
  a = fromSpectrum(200, 24, Array.from({ length: 24 }, (_, j) => 0.8 ** j), 11).a;
  writeNpyMatrix(p('good.npy'), a);
  raggedArrowFile(p('ragged.arrow'), a, 17);
  const nan = { ...a, data: a.data.slice() };
  nan.data[4 * 24 + 9] = NaN;
  writeNpyMatrix(p('nan.npy'), nan);
  const inf = { ...a, data: a.data.slice() };
  inf.data[150 * 24 + 3] = -Infinity;
  writeFileSync(p('inf.arrow'), arrowBytes(inf, 'file', 64));
  const bytes = readFileSync(p('good.npy'));
  writeFileSync(p('truncated.npy'), bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  writeFileSync(p('corrupt.parquet'), Buffer.from('PAR1 this is not a parquet file at all, just bytes PAR1'));
  const arrow = arrowBytes(a, 'file', 64);
  writeFileSync(p('truncated.arrow'), arrow.subarray(0, arrow.length - 100)); // footer cut off
  writeParquetMatrix(p('labels.parquet'), a, [{ name: 'label', type: 'STRING', data: Array.from({ length: a.rows }, (_, i) => `digit-${i % 10}`) }]);
}, 240_000);

afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('rangefinder: bad input exits 2 with one line naming the place', () => {
  it('wrong row length (a ragged Arrow list column) names the row, the lengths and the file', async () => {
    const msg = expectUsageFailure(await runCli(['approx', p('ragged.arrow'), '--rank', '3']));
    expect(msg).toMatch(new RegExp(`row 17 has 23 values, expected 24.*${esc(p('ragged.arrow'))}`));
  });

  it('--non-finite skip drops the bad row and zero keeps it zeroed; both say how many, with exit 0', async () => {
    const [skipRun, zeroRun, badRun] = await Promise.all([
      runCli(['approx', p('nan.npy'), '--rank', '3', '--json', '--non-finite', 'skip']),
      runCli(['approx', p('nan.npy'), '--rank', '3', '--json', '--non-finite', 'zero']),
      runCli(['approx', p('nan.npy'), '--rank', '3', '--non-finite', 'maybe']),
    ]);
    expect(skipRun.code, skipRun.stderr).toBe(0);
    const skipped = JSON.parse(skipRun.stdout) as { rows: number; notes: string[] };
    expect(skipped.rows).toBe(a.rows - 1);
    expect(skipped.notes.join('\n')).toMatch(/--non-finite skip: 1 rows/);
    expect(zeroRun.code, zeroRun.stderr).toBe(0);
    const zeroed = JSON.parse(zeroRun.stdout) as { rows: number; notes: string[] };
    expect(zeroed.rows).toBe(a.rows);
    expect(zeroed.notes.join('\n')).toMatch(/--non-finite zero: 1 NaN, Inf or null values in 1 rows/);
    expect(expectUsageFailure(badRun)).toMatch(/--non-finite must be error, skip or zero, found 'maybe'/);
  });

  it('NaN in a .npy file and -Infinity in an Arrow file name the row, the column and the file', async () => {
    const [nanRun, infRun] = await Promise.all([
      runCli(['approx', p('nan.npy'), '--rank', '3']), runCli(['approx', p('inf.arrow'), '--rank', '3', '--passes', '2']),
    ]);
    const nan = expectUsageFailure(nanRun);
    expect(nan).toMatch(new RegExp(`row 4: value at column 9 is NaN.*${esc(p('nan.npy'))}`));
    const inf = expectUsageFailure(infRun);
    expect(inf).toMatch(new RegExp(`row 150: value at column 3 is -Infinity.*${esc(p('inf.arrow'))}`));
  });

  it('a truncated .npy and corrupt Arrow / Parquet files name the file', async () => {
    const [npy, parquet, arrow, inspect] = await Promise.all([
      runCli(['approx', p('truncated.npy'), '--rank', '3']), runCli(['approx', p('corrupt.parquet'), '--rank', '3']),
      runCli(['approx', p('truncated.arrow'), '--rank', '3']), runCli(['inspect', p('corrupt.parquet')]),
    ]);
    const t = expectUsageFailure(npy);
    expect(t).toContain(p('truncated.npy'));
    expect(t).toMatch(/row|truncated|short|ends/i);
    expect(expectUsageFailure(parquet)).toContain(p('corrupt.parquet'));
    expect(expectUsageFailure(arrow)).toContain(p('truncated.arrow'));
    expect(expectUsageFailure(inspect)).toContain(p('corrupt.parquet'));
  });

  it('a non-numeric column names the column, its type and the file', async () => {
    const msg = expectUsageFailure(await runCli(['approx', p('labels.parquet'), '--rank', '3']));
    expect(msg).toMatch(new RegExp(`column "label" has type BYTE_ARRAY.*${esc(p('labels.parquet'))}`));
  });

  it('a producer that drops the socket mid-stream: the message names the address and the rows read', async () => {
    const producer = spawnProducer(['--rows', '20000', '--cols', '32', '--batch-rows', '256', '--drop-after', '3', '--listen', '0']);
    try {
      const port = (await waitForLine(producer.stderr!, /listening on 127\.0\.0\.1:(\d+)/))[1];
      const msg = expectUsageFailure(await runCli(['approx', `tcp://127.0.0.1:${port}`, '--rank', '3']));
      expect(msg).toMatch(new RegExp(`tcp://127\\.0\\.0\\.1:${port} ended after 768 rows`));
    } finally {
      producer.kill();
    }
  });

  it('a memory budget too small for the rank states the smallest budget that works', async () => {
    const runs = await Promise.all([
      runCli(['approx', p('good.npy'), '--rank', '20', '--memory-budget', '16KiB']),
      runCli(['approx', p('good.npy'), '--rank', '20', '--passes', '3', '--memory-budget', '8k']),
      runCli(['approx', p('good.npy'), '--rank', '5', '--method', 'exact', '--memory-budget', '20k']),
    ]);
    const [one, multi, exact] = runs.map(expectUsageFailure);
    expect(one).toMatch(/memory budget 16\.0 KiB is too small .*rank 20.*smallest that works is/);
    expect(multi).toMatch(/memory budget .* too small for rsi .*smallest that works is/);
    expect(exact).toMatch(new RegExp(`too small for the exact SVD of ${esc(p('good.npy'))} \\(200 x 24\\)`));
  });

  it('an unknown option, a bad value, a missing file, a rank above min(m, n) name the option or file', async () => {
    // Independent runs: in parallel, to keep the suite short on two cores.
    const cases: [string[], string | RegExp][] = [
      [['approx', p('good.npy'), '--rank', '3', '--foo'], 'rangefinder: unknown option --foo (see rangefinder approx --help)'],
      [['approx', p('good.npy'), '--rank', 'three'], /--rank expects a positive integer, found 'three'/],
      [['approx', p('good.npy'), '--rank', '3', '--memory-budget', '64 lots'], /--memory-budget expects a byte size/],
      [['approx', p('good.npy'), '--rank', '3', '--method', 'magic'], /--method must be one of/],
      [['approx', p('missing.npy'), '--rank', '3'], `rangefinder: ${p('missing.npy')}: no such file`],
      [['approx', p('good.npy'), '--rank', '30'], /--rank 30 exceeds min\(rows, cols\) = 24/],
      [['approx', p('good.npy')], /needs --rank/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['inspect', p('good.npy'), '--bar'], 'rangefinder: unknown option --bar (see rangefinder inspect --help)'],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCli(args)));
    runs.forEach((run, i) => {
      const [, want] = cases[i];
      const msg = expectUsageFailure(run);
      if (typeof want === 'string') expect(msg).toBe(want); else expect(msg).toMatch(want);
    });
  });

  it('bin/rangefinder.js without dist/ prints a one-line build hint and exits 1', async () => {
    mkdirSync(p('nodist/bin'), { recursive: true });
    copyFileSync(join(ROOT, 'bin', 'rangefinder.js'), p('nodist/bin/rangefinder.js'));
    const r = spawnSync(process.execPath, [p('nodist/bin/rangefinder.js'), 'approx', '--demo'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('rangefinder: dist/ is missing: run `npm run build` first\n');
  });

  it('--passes 2 on stdin is refused before reading, naming stdin', async () => {
    const run = await runCli(['approx', '-', '--rank', '3', '--passes', '2'], { stdin: Readable.from([arrowBytes(a, 'stream')]) });
    expect(expectUsageFailure(run)).toBe('rangefinder: stdin is a one-shot source and cannot be read 2 times; use a file or --passes 1');
  });
});
