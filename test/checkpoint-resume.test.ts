/**
 * Issue 16, checkpoint and resume (`approx --checkpoint DIR`, `--resume DIR`, streams/cli/checkpoint.ts).
 *
 * Real child processes are killed with SIGKILL and resumed until a run completes; U, S and V must
 * then be byte for byte those of an uninterrupted run with the same seed. Kill instants: seeded
 * random ones over the run's duration, plus targeted ones, where the child is stalled at a named
 * point (RANGEFINDER_STALL_AT, streams/stall-point.ts) and killed there: inside a checkpoint write
 * (after the spill's fsync; and with the new checkpoint.rfsk complete under its temporary name, not
 * yet renamed), and while U is written. Inputs: a .npy file, and an
 * Arrow IPC stream from a producer child process on stdin (replayed from row 0, or, with
 * --producer-resumes, started at the checkpoint's row with other batch boundaries). At least 12
 * kills per input, so at least 24 in all.
 *
 * Negative controls: resuming with another seed, or another input of the same shape, is refused
 * (exit 2) naming what differs; a run without the row grid, on batches of 1000 rows, gives other
 * bits (the comparison can fail).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSketchFile } from '../streams/sketch-file.js';
import { ensureBuilt, ROOT, writeNpyMatrix } from './helpers/cli-harness.js';

const root = mkdtempSync(join(tmpdir(), 'rf-checkpoint-'));
const FILE = join(root, 'a.npy'), OTHER = join(root, 'other.npy');
const M = 12_000, N = 32, RANK = 4, EVERY = '1024';
const PRODUCER = join(ROOT, 'test', 'helpers', 'arrow-producer.mjs');
const BIN = join(ROOT, 'bin', 'rangefinder.js');

beforeAll(async () => {
  await ensureBuilt();
  const rng = seedrandom('checkpoint-input');
  const data = new Float64Array(M * N);
  for (let t = 0; t < data.length; t++) data[t] = (rng() - 0.5) * 0.93 ** (t % N);
  writeNpyMatrix(FILE, { rows: M, cols: N, data, offset: 0, stride: N });
  data[7 * N + 3] += 1e-3; // one value changed: same size, other content
  writeNpyMatrix(OTHER, { rows: M, cols: N, data, offset: 0, stride: N });
}, 600_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Input = { kind: 'file'; path: string } | { kind: 'stdin'; startRow?: number; batchRows?: number };

interface Outcome { code: number | null; signal: NodeJS.Signals | null; stderr: string; ms: number }

/** Runs approx; kills it with SIGKILL after `killMs`, or when it says it is stalled at `stallAt`. */
function run(input: Input, args: readonly string[], kill?: { ms: number } | { stallAt: string }): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, RANGEFINDER_DEBUG: '' };
    if (kill !== undefined && 'stallAt' in kill) env.RANGEFINDER_STALL_AT = `${kill.stallAt}:20000`;
    let producer: ChildProcess | undefined;
    if (input.kind === 'stdin') {
      producer = spawn(process.execPath, [PRODUCER, '--stdout', '1', '--rows', String(M), '--cols', String(N), '--seed', '5',
        '--batch-rows', String(input.batchRows ?? 1000), '--start-row', String(input.startRow ?? 0)], { stdio: ['ignore', 'pipe', 'ignore'] });
    }
    const t0 = Date.now();
    const child = spawn(process.execPath, [BIN, 'approx', input.kind === 'file' ? input.path : '-', ...args],
      { cwd: ROOT, env, stdio: [producer !== undefined ? producer.stdout! : 'ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    let killTimer: NodeJS.Timeout | undefined;
    if (kill !== undefined && 'ms' in kill) killTimer = setTimeout(() => child.kill('SIGKILL'), kill.ms);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (kill !== undefined && 'stallAt' in kill && stderr.includes(`stalled at ${kill.stallAt}`)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (killTimer !== undefined) clearTimeout(killTimer);
      if (producer !== undefined && producer.exitCode === null) producer.kill('SIGKILL');
      resolve({ code, signal, stderr, ms: Date.now() - t0 });
    });
  });
}

const factors = (dir: string): Buffer[] => ['U', 'S', 'V'].map((f) => readFileSync(join(dir, `${f}.npy`)));
const hasCheckpoint = (dir: string): boolean => existsSync(join(dir, 'checkpoint.rfsk'));
const nextRow = (dir: string): number => readSketchFile<{ checkpoint: { nextRow: number } }>(join(dir, 'checkpoint.rfsk')).header.checkpoint.nextRow;
const names = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);
const base = ['--rank', String(RANK), '--seed', '11', '--no-progress', '--checkpoint-every', EVERY];

type Instant = { ms: number } | { stallAt: 'checkpoint' | 'sketch-file' | 'u-write' };

/**
 * Kill-and-resume chains at the given instants: each run resumes the checkpoint if there is one.
 * A run that completes before its instant is checked and the chain starts over. Returns the number
 * of kills and, for each targeted instant, whether its evidence was found.
 */
async function chains(input: (resume: boolean, dir: string) => Input, instants: readonly Instant[], ref: Buffer[], tag: string): Promise<{ kills: number; completed: number }> {
  const ck = join(root, `${tag}-ck`), out = join(root, `${tag}-out`);
  mkdirSync(out, { recursive: true });
  let kills = 0, completed = 0;
  const check = (): void => {
    expect(factors(out)).toEqual(ref);
    // The checkpoint has served: its files are removed once the outputs are committed.
    expect(names(ck).filter((f) => !f.startsWith('.'))).toEqual([]);
    completed++;
  };
  const argsOf = (inp: Input, resume: boolean): string[] => [...base, '--out', `${out}/`, resume ? '--resume' : '--checkpoint', ck,
    ...(inp.kind === 'stdin' && inp.startRow !== undefined ? ['--producer-resumes'] : [])];
  for (const at of instants) {
    const resume = hasCheckpoint(ck);
    const inp = input(resume, ck);
    const o = await run(inp, argsOf(inp, resume), at);
    if (o.code === 0) { check(); rmSync(ck, { recursive: true, force: true }); continue; }
    expect(o.signal, o.stderr).toBe('SIGKILL');
    kills++;
    if ('stallAt' in at) {
      expect(o.stderr).toContain(`stalled at ${at.stallAt}`);
      // Evidence that the kill landed there: the new checkpoint's temporary, U's temporary.
      if (at.stallAt === 'sketch-file') expect(names(ck).some((f) => /^\.checkpoint\.rfsk\.rf-.*\.tmp$/.test(f))).toBe(true);
      if (at.stallAt === 'u-write') {
        expect(names(out).some((f) => /^\.U\.npy\.rf-.*\.tmp$/.test(f))).toBe(true);
        expect(nextRow(ck)).toBe(M); // the final checkpoint: the whole input
      }
    }
  }
  const resume = hasCheckpoint(ck);
  const inp = input(resume, ck);
  const last = await run(inp, argsOf(inp, resume));
  expect(last.code, last.stderr).toBe(0);
  check();
  return { kills, completed };
}

/** Seeded random instants over [150 ms, T] (T: the uninterrupted run), and the targeted ones. */
function instants(seed: string, t: number, count: number): Instant[] {
  const rng = seedrandom(seed);
  const random: Instant[] = Array.from({ length: count }, () => ({ ms: Math.round(150 + rng() * (t - 150)) }));
  return [{ stallAt: 'checkpoint' }, ...random.slice(0, count >> 1), { stallAt: 'sketch-file' }, ...random.slice(count >> 1), { stallAt: 'u-write' }];
}

describe('approx --checkpoint / --resume, killed with SIGKILL', () => {
  it('a .npy file: resumed after every kill, U, S, V are bit-identical to the uninterrupted run', async () => {
    const refOut = join(root, 'file-ref');
    mkdirSync(refOut);
    const ref = await run({ kind: 'file', path: FILE }, [...base, '--out', `${refOut}/`, '--checkpoint', join(root, 'file-ref-ck')]);
    expect(ref.code, ref.stderr).toBe(0);
    const refFactors = factors(refOut);
    let kills = 0;
    for (let round = 0; kills < 12 && round < 4; round++) {
      const r = await chains(() => ({ kind: 'file', path: FILE }), instants(`file-${round}`, ref.ms, 11), refFactors, `file-${round}`);
      kills += r.kills;
    }
    expect(kills).toBeGreaterThanOrEqual(12);
  }, 900_000);

  it('an Arrow stream on stdin from a producer child: replayed, or resumed at the printed row, bit-identical', async () => {
    const refOut = join(root, 'stdin-ref');
    mkdirSync(refOut);
    const ref = await run({ kind: 'stdin' }, [...base, '--out', `${refOut}/`, '--checkpoint', join(root, 'stdin-ref-ck')]);
    expect(ref.code, ref.stderr).toBe(0);
    const refFactors = factors(refOut);
    // The comparison can fail: without --checkpoint the rows are absorbed in the producer's batches
    // of 1000 rows, whose chunks (256 rows from each batch's start) are not the grid's.
    const plainOut = join(root, 'stdin-plain');
    mkdirSync(plainOut);
    expect((await run({ kind: 'stdin' }, ['--rank', String(RANK), '--seed', '11', '--no-progress', '--out', `${plainOut}/`])).code).toBe(0);
    expect(factors(plainOut)[0].equals(refFactors[0])).toBe(false);
    // Every other resume: the producer starts at the checkpoint's row, in batches of 777 rows.
    let flip = false;
    const input = (resume: boolean, dir: string): Input => {
      if (!resume) return { kind: 'stdin' };
      flip = !flip;
      return flip ? { kind: 'stdin', startRow: nextRow(dir), batchRows: 777 } : { kind: 'stdin' };
    };
    let kills = 0;
    for (let round = 0; kills < 12 && round < 4; round++) {
      const r = await chains((resume, dir) => input(resume, dir), instants(`stdin-${round}`, ref.ms, 11), refFactors, `stdin-${round}`);
      kills += r.kills;
    }
    expect(kills).toBeGreaterThanOrEqual(12);
  }, 900_000);
});

describe('approx --resume refuses another input or other options', () => {
  it('names the seed, or the input hashes, that differ (exit 2), and resumes the right one', async () => {
    const ck = join(root, 'neg-ck'), out = join(root, 'neg-out');
    mkdirSync(out);
    const killed = await run({ kind: 'file', path: FILE }, [...base, '--out', `${out}/`, '--checkpoint', ck], { stallAt: 'u-write' });
    expect(killed.signal).toBe('SIGKILL');
    expect(hasCheckpoint(ck)).toBe(true);

    const seed = await run({ kind: 'file', path: FILE }, ['--rank', String(RANK), '--seed', '12', '--no-progress', '--out', `${out}/`, '--resume', ck]);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toMatch(/--seed is 12, the checkpoint's 11/);
    const other = await run({ kind: 'file', path: OTHER }, [...base, '--out', `${out}/`, '--resume', ck]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/the input is .*other\.npy, the checkpoint's .*a\.npy/);
    expect(other.stderr).toMatch(/SHA-256 of the first 1 MiB/);
    const fresh = await run({ kind: 'file', path: FILE }, [...base, '--out', `${out}/`, '--checkpoint', ck]);
    expect(fresh.code).toBe(2);
    expect(fresh.stderr).toMatch(/holds a checkpoint .* at row 12000; continue it with --resume/);
    // The refusals changed nothing: the right input and options resume it.
    const ok = await run({ kind: 'file', path: FILE }, [...base, '--out', `${out}/`, '--resume', ck]);
    expect(ok.code, ok.stderr).toBe(0);
  }, 300_000);

  it('a producer that replays other rows is refused at the first cell that differs', async () => {
    const ck = join(root, 'neg-stdin-ck'), out = join(root, 'neg-stdin-out');
    mkdirSync(out);
    const killed = await run({ kind: 'stdin' }, [...base, '--out', `${out}/`, '--checkpoint', ck], { stallAt: 'u-write' });
    expect(killed.signal).toBe('SIGKILL');
    // The same shape, another seed of the producer: the first cell's hash differs.
    const child = await new Promise<Outcome>((resolve) => {
      const producer = spawn(process.execPath, [PRODUCER, '--stdout', '1', '--rows', String(M), '--cols', String(N), '--seed', '6'], { stdio: ['ignore', 'pipe', 'ignore'] });
      const c = spawn(process.execPath, [BIN, 'approx', '-', ...base, '--out', `${out}/`, '--resume', ck], { cwd: ROOT, stdio: [producer.stdout!, 'ignore', 'pipe'] });
      let stderr = '';
      c.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
      c.on('close', (code, signal) => { if (producer.exitCode === null) producer.kill('SIGKILL'); resolve({ code, signal, stderr, ms: 0 }); });
    });
    expect(child.code).toBe(2);
    expect(child.stderr).toMatch(/stdin: rows 0\.\.255 differ from those the checkpoint absorbed/);
  }, 300_000);
});
