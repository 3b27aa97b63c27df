/**
 * Sharded sketches end to end (issue 16): a matrix split into 2, 3 and 7 shards — row ranges of one
 * .npy file (`--rows`), separate Parquet files and separate Arrow IPC files (`--row-offset`) — is
 * sketched shard by shard, each in its own `rangefinder sketch` process, and `rangefinder merge`
 * writes U, S, V that
 * - equal one `approx` pass over the whole matrix to 1e-12 relative (the sketches are linear and
 *   share the seed: only the order of the floating-point sums differs), and
 * - are bit-identical to the same shards sketched and merged in one process through the library
 *   (sketchRows, mergeSketches, reconstruct): the file round trip loses nothing.
 * The rsvd default (row-independent Omega) and the three-sketch (whose Upsilon, Phi and Theta are
 * drawn per global row) are both checked; the three-sketch's a-posteriori error too.
 *
 * Negative controls: shards placed at the wrong rows (swapped offsets) give a different answer
 * (so the comparison can fail); a different seed, different sizes, overlapping rows, a missing
 * shard, a corrupted, truncated or newer-version file are refused with one line naming the field or
 * the check (exit 2), and nothing is written under the output prefix.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  memorySpill, mergeSketches, reconstruct, testMatrix, type Matrix64, type SketchState,
} from '../src/internals.js';
import { sketchRows } from '../streams/operators/sketch-rows.js';
import { readSketchFile } from '../streams/sketch-file.js';
import { openSource } from '../streams/sources/open-source.js';
import { selectRows } from '../streams/wrappers/select-rows.js';
import { readFactors, type Factors } from './helpers/cli-factors.js';
import { arrowBytes, ensureBuilt, expectUsageFailure, runCli, writeNpyMatrix, writeParquetMatrix } from './helpers/cli-harness.js';

const M = 1400, N = 48, RANK = 5;
const SIZES = ['--rank', String(RANK), '--range-dim', '16'];
const THREE = ['--method', 'three-sketch', '--rank', String(RANK), '--range-dim', '16', '--core-dim', '33'];
const dir = mkdtempSync(join(tmpdir(), 'rf-shards-'));
const whole = join(dir, 'whole.npy');

/** A = G diag(0.9^j) (G Gaussian, 1400 x 48): full rank, condition about 200, gaps of ~10% between singular values. */
const A: Matrix64 = (() => {
  const g = testMatrix('gaussian', 16, 'test-a', M, N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) g.data[i * N + j]! *= 0.9 ** j;
  return g;
})();

function rows(a: number, b: number): Matrix64 {
  return { rows: b - a, cols: N, data: A.data.slice(a * N, b * N), offset: 0, stride: N };
}

const cuts = (p: number): number[] => Array.from({ length: p + 1 }, (_, i) => Math.round((i * M) / p));

type Format = 'npy' | 'parquet' | 'arrow';

/** The input and row options of shard [a, b) in each format. */
function shardInput(format: Format, tag: string, a: number, b: number): string[] {
  if (format === 'npy') return [whole, '--rows', `${a}:${b}`];
  const path = join(dir, `${tag}-${a}.${format === 'parquet' ? 'parquet' : 'arrow'}`);
  if (format === 'parquet') writeParquetMatrix(path, rows(a, b), [], 100);
  else writeFileSync(path, arrowBytes(rows(a, b), 'file', 64));
  return [path, '--row-offset', String(a)];
}

async function sketchShards(format: Format, p: number, tag: string, opts: readonly string[]): Promise<{ files: string[]; inputs: string[][] }> {
  const c = cuts(p);
  const inputs = Array.from({ length: p }, (_, i) => shardInput(format, tag, c[i]!, c[i + 1]!));
  const files = inputs.map((_, i) => join(dir, `${tag}-${i}.rfsk`));
  // Each shard in its own process, two at a time (the machine has two cores).
  for (let i = 0; i < p; i += 2) {
    const runs = await Promise.all(inputs.slice(i, i + 2).map((inp, t) =>
      runCli(['sketch', ...inp, '--save', files[i + t]!, ...opts, '--total-rows', String(M), '--json', '--threads', '1'])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
  }
  return { files, inputs };
}

async function merge(files: readonly string[], prefix: string): Promise<{ factors: Factors; json: Record<string, unknown> }> {
  const r = await runCli(['merge', ...files, '--out', prefix, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return { factors: readFactors(prefix), json: JSON.parse(r.stdout) as Record<string, unknown> };
}

function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, n = 0;
  for (let i = 0; i < b.length; i++) { d += (a[i]! - b[i]!) ** 2; n += b[i]! ** 2; }
  expect(a.length).toBe(b.length);
  return Math.sqrt(d / n);
}

function expectClose(got: Factors, want: Factors, tol: number): void {
  expect(relDiff(got.s, want.s)).toBeLessThanOrEqual(tol);
  expect(relDiff(got.v.data, want.v.data)).toBeLessThanOrEqual(tol);
  expect(relDiff(got.u.data, want.u.data)).toBeLessThanOrEqual(tol);
}

/** The same shards, sketched and merged in this process through the library (in row order). */
async function libraryMerge(files: readonly string[], inputs: readonly string[][]): Promise<Factors> {
  const states: SketchState[] = [];
  for (const [i, inp] of inputs.entries()) {
    const shape = readSketchFile(files[i]!).header.sketch;
    const [path, opt, val] = inp as [string, string, string];
    const sel = opt === '--rows' ? { start: Number(val.split(':')[0]), end: Number(val.split(':')[1]) } : { start: 0, offset: Number(val) };
    const source = selectRows(await openSource(path, { decodeWorker: false, firstRow: sel.start }), sel);
    states.push(await lastValueFrom(source.open().pipe(sketchRows({
      cols: N, rank: RANK, method: shape.method as 'rsvd', testMatrix: shape.testMatrix as 'sparse-sign', seed: shape.seed, dtype: 'float64',
      sizes: { ...shape.sizes, rule: shape.sizes.rule as 'explicit' }, spill: memorySpill(),
    }))));
  }
  let merged = states[0]!;
  for (const s of states.slice(1)) merged = mergeSketches(merged, s);
  const rec = reconstruct(merged, { rank: RANK });
  expect(rec.u).toBeDefined();
  return { u: rec.u!, s: rec.s, v: rec.v };
}

function expectBitIdentical(got: Factors, want: Factors): void {
  expect(Array.from(got.s)).toEqual(Array.from(want.s));
  expect(Array.from(got.v.data)).toEqual(Array.from(want.v.data));
  expect(Array.from(got.u.data)).toEqual(Array.from(want.u.data));
}

let reference: Factors, referenceJson: Record<string, unknown>;
let reference3: Factors, reference3Json: Record<string, unknown>;

beforeAll(async () => {
  await ensureBuilt();
  writeNpyMatrix(whole, A);
  const [one, three] = await Promise.all([
    runCli(['approx', whole, ...SIZES, '--out', join(dir, 'ref'), '--json']),
    runCli(['approx', whole, ...THREE, '--out', join(dir, 'ref3'), '--json']),
  ]);
  expect(one.code, one.stderr).toBe(0);
  expect(three.code, three.stderr).toBe(0);
  reference = readFactors(join(dir, 'ref'));
  referenceJson = JSON.parse(one.stdout) as Record<string, unknown>;
  reference3 = readFactors(join(dir, 'ref3'));
  reference3Json = JSON.parse(three.stdout) as Record<string, unknown>;
}, 240_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rangefinder sketch + merge: shards in their own processes', () => {
  for (const format of ['npy', 'parquet', 'arrow'] as const) {
    it(`${format}: 2, 3 and 7 shards equal one pass to 1e-12 and the in-process merge bit for bit`, async () => {
      for (const p of [2, 3, 7]) {
        const tag = `${format}${p}`;
        const { files, inputs } = await sketchShards(format, p, tag, SIZES);
        // The order of the arguments does not matter: reversed here.
        const { factors, json } = await merge([...files].reverse(), join(dir, `${tag}-merged`));
        expect(factors.u.rows).toBe(M);
        expectClose(factors, reference, 1e-12);
        expectBitIdentical(factors, await libraryMerge(files, inputs));
        // approx's JSON, plus the shards.
        for (const key of Object.keys(referenceJson)) expect(json, key).toHaveProperty(key);
        expect(json.method).toBe('rsvd');
        expect((json.shards as { rows: number[] }[]).map((s) => s.rows)).toEqual(cuts(p).slice(0, -1).map((a, i) => [a, cuts(p)[i + 1]]));
        expect(JSON.parse(readFileSync(join(dir, `${tag}-merged.summary.json`), 'utf8'))).toHaveProperty('shards');
        if (p === 7) {
          // Another order of the arguments: the same bytes.
          await merge([files[3]!, files[0]!, files[6]!, files[1]!, files[5]!, files[2]!, files[4]!], join(dir, `${tag}-again`));
          for (const f of ['U', 'S', 'V']) {
            expect(readFileSync(join(dir, `${tag}-again.${f}.npy`)).equals(readFileSync(join(dir, `${tag}-merged.${f}.npy`)))).toBe(true);
          }
        }
      }
    }, 300_000);
  }

  it('three-sketch (row-indexed maps): 3 .npy shards equal one pass, error estimate included; wrong offsets do not', async () => {
    const { files, inputs } = await sketchShards('npy', 3, 'three', THREE);
    const { factors, json } = await merge(files, join(dir, 'three-merged'));
    expectClose(factors, reference3, 1e-12);
    expectBitIdentical(factors, await libraryMerge(files, inputs));
    const est = (j: Record<string, unknown>) => (j.errorEstimate as { frobenius: number }).frobenius;
    expect(Math.abs(est(json) - est(reference3Json)) / est(reference3Json)).toBeLessThanOrEqual(1e-12);
    // Negative control: the first two shards (467 and 466 rows) sketched at each other's place in
    // a 1400-row matrix... cannot tile it; instead shard 0's rows are sketched at the offset of a
    // same-sized slot (the last 466 rows go first): the merge is accepted but the answer differs.
    const c = cuts(3);
    const swapped = [
      ['sketch', whole, '--rows', `${c[2]}:${c[3]}`, '--row-offset', '0'],
      ['sketch', whole, '--rows', `${c[1]}:${c[2]}`],
      ['sketch', whole, '--rows', `0:${c[1]}`, '--row-offset', String(c[3]! - c[1]!)],
    ];
    const sw = swapped.map((_, i) => join(dir, `swapped-${i}.rfsk`));
    for (const [i, args] of swapped.entries()) {
      const r = await runCli([...args, '--save', sw[i]!, ...THREE, '--total-rows', String(M)]);
      expect(r.code, r.stderr).toBe(0);
    }
    const wrong = await merge(sw, join(dir, 'swapped-merged'));
    expect(relDiff(wrong.factors.s, reference3.s)).toBeGreaterThan(1e-6);
  }, 300_000);
});

describe('rangefinder merge refuses what it cannot merge', () => {
  it('a different seed, different sizes, overlapping rows, a missing shard, damaged and newer files: exit 2, one line, nothing written', async () => {
    const c = cuts(2);
    const save = async (name: string, args: string[]): Promise<string> => {
      const path = join(dir, name);
      const r = await runCli(['sketch', whole, ...args, '--save', path, '--total-rows', String(M)]);
      expect(r.code, r.stderr).toBe(0);
      return path;
    };
    const [a, b, seed1, wide, overlap] = await Promise.all([
      save('n-a.rfsk', ['--rows', `0:${c[1]}`, ...SIZES]),
      save('n-b.rfsk', ['--rows', `${c[1]}:${M}`, ...SIZES]),
      save('n-seed.rfsk', ['--rows', `${c[1]}:${M}`, ...SIZES, '--seed', '1']),
      save('n-wide.rfsk', ['--rows', `${c[1]}:${M}`, '--rank', String(RANK)]),
      save('n-overlap.rfsk', ['--rows', `${c[1] - 100}:${M}`, ...SIZES]),
    ]);
    const good = readFileSync(b);
    const damaged = (name: string, bytes: Buffer): string => { const p = join(dir, name); writeFileSync(p, bytes); return p; };
    const file = readSketchFile(b);
    const flip = Buffer.from(good); flip[file.section('range')!.offset + 4000]! ^= 0x04;
    const newer = Buffer.from(good); newer.writeUInt32LE(2, 8);
    const cases: [string[], RegExp][] = [
      [[a, seed1], /n-a\.rfsk and .*n-seed\.rfsk: their seed differs \(0 vs 1\)/],
      [[a, wide], /their range size k differs \(16 vs \d+\)/],
      [[a, overlap], /both hold rows 600\.\.699 \(overlapping row ranges\)/],
      [[a, a, b], /overlapping row ranges; the same file is given twice/],
      [[b], /no shard holds rows 0\.\.699/],
      [[a], /the shards hold rows 0\.\.699 but declare --total-rows 1400 \(rows 700\.\.1399 are in no shard\)/],
      [[a, damaged('n-flip.rfsk', flip)], /n-flip\.rfsk: the sketch file is damaged: checksum mismatch in section 'range'/],
      [[a, damaged('n-cut.rfsk', good.subarray(0, good.length - 1000))], /n-cut\.rfsk: the sketch file is truncated/],
      [[a, damaged('n-newer.rfsk', newer)], /n-newer\.rfsk: sketch file format version 2 was written by a newer rangefinder; this build reads version 1/],
      [[a, damaged('n-text.rfsk', Buffer.from('{"not": "a sketch"}'))], /n-text\.rfsk: not a rangefinder sketch file/],
    ];
    for (const [i, [files, message]] of cases.entries()) {
      const prefix = join(dir, `refused-${i}`);
      const r = await runCli(['merge', ...files, '--out', prefix]);
      expect(expectUsageFailure(r)).toMatch(message);
      expect(readdirSync(dir).filter((f) => f.startsWith(`refused-${i}.`) || f.startsWith(`.refused-${i}.`))).toEqual([]);
    }
    // Negative control: the two good shards merge.
    const ok = await runCli(['merge', a, b, '--out', join(dir, 'refused-ok')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(existsSync(join(dir, 'refused-ok.U.npy'))).toBe(true);
  }, 180_000);

  it('sketch refuses what cannot make a shard: another method, --non-finite skip, rows past the end, no --save', async () => {
    const cases: [string[], RegExp][] = [
      [['sketch', whole, '--rank', '3', '--save', join(dir, 'x.rfsk'), '--method', 'rsi'], /--method must be auto, rsvd, three-sketch, two-sketch, found 'rsi'/],
      [['sketch', whole, '--rank', '3', '--save', join(dir, 'x.rfsk'), '--non-finite', 'skip'], /refuses --non-finite skip/],
      [['sketch', whole, '--rank', '3', '--save', join(dir, 'x.rfsk'), '--rows', '1000:2000'], /--rows 1000:2000: .*whole\.npy has 1400 rows/],
      [['sketch', whole, '--rank', '3'], /sketch needs --save FILE\.rfsk/],
      [['sketch', whole, '--rank', '3', '--save', join(dir, 'no-such-dir', 'x.rfsk')], /--save .*: the directory .* does not exist/],
      [['sketch', whole, '--rank', '3', '--save', join(dir, 'x.rfsk'), '--out', 'p'], /unknown option --out \(see rangefinder sketch --help\)/],
    ];
    for (const [args, message] of cases) expect(expectUsageFailure(await runCli(args))).toMatch(message);
    expect(existsSync(join(dir, 'x.rfsk'))).toBe(false);
  }, 120_000);
});
