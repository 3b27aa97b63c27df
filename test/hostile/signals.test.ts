/**
 * Issue 15: signals and concurrent runs must not leave debris or a mixed output set.
 * - SIGINT, SIGTERM and SIGKILL, 20 each, at seeded random moments of a run with --out on a
 *   10^6-row input (spill in TMPDIR, U streamed into the output directory). After SIGINT / SIGTERM
 *   (exit 130 / 143, or 0 when the run had finished) nothing of the run is left but, if it had
 *   committed, its whole set. After SIGKILL, the set is whole or absent (or its commit journal is
 *   there), and the next run (a small one, same TMPDIR and output directory) leaves nothing of the
 *   dead one: its spill and temporaries are removed, an interrupted commit is finished.
 * - Two concurrent runs (different seeds, so different factors) on one prefix: the final set is
 *   always whole and from one run (the summary's SHA-256 of each file matches the file).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/cli-harness.js';
import { npyBytes } from './fixtures.js';
import { limiter, runChild, type ChildRun } from './run-child.js';

const root = mkdtempSync(join(tmpdir(), 'rf-signals-'));
const BIG = join(root, 'big.npy'), SMALL = join(root, 'small.npy');
const M = 1_000_000, N = 4;

beforeAll(async () => {
  await ensureBuilt();
  const data = new Float32Array(M * N);
  let x = 7;
  for (let t = 0; t < data.length; t++) { x = (x * 1103515245 + 12345) >>> 0; data[t] = (x >>> 8) / 2 ** 24 - 0.5 + (t % N === 0 ? 0.3 : 0); }
  writeFileSync(BIG, npyBytes(`{'descr': '<f4', 'fortran_order': False, 'shape': (${M}, ${N}), }`, Buffer.from(data.buffer)));
  const small = Float64Array.from({ length: 200 * N }, (_, t) => Math.sin(t));
  writeFileSync(SMALL, npyBytes(`{'descr': '<f8', 'fortran_order': False, 'shape': (200, ${N}), }`, Buffer.from(small.buffer)));
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SET = ['f.U.npy', 'f.S.npy', 'f.V.npy', 'f.summary.json'];

/**
 * The output directory holds nothing, or exactly one whole set whose summary's digests match
 * (`withTemps`: a killed run's temporaries `.NAME.rf-PID-START-N.tmp` are set aside).
 */
function setState(out: string, withTemps = false): 'none' | 'whole' | 'journal' | string {
  const names = readdirSync(out).filter((n) => !(withTemps && /\.rf-\d+-\d+-\d+\.tmp$/.test(n))).sort();
  if (names.length === 0) return 'none';
  if (names.some((n) => n.endsWith('.rf-set.lock'))) return 'journal';
  if (names.join(',') !== [...SET].sort().join(',')) return `unexpected files: ${names.join(', ')}`;
  const summary = JSON.parse(readFileSync(join(out, 'f.summary.json'), 'utf8')) as { set: { files: Record<string, { path: string; sha256: string }> } };
  for (const [name, f] of Object.entries(summary.set.files)) {
    const got = createHash('sha256').update(readFileSync(f.path)).digest('hex');
    if (got !== f.sha256) return `mixed set: ${name} is not the file the summary describes`;
  }
  return 'whole';
}

/** Seeded moments (no Math.random): a xorshift in [0, 1). */
function moments(seed: number, n: number): number[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; });
}

const run = limiter(2);

describe('signals during a run with --out', () => {
  let full = 0;
  beforeAll(async () => {
    const d = join(root, 'calibrate');
    mkdirSync(join(d, 'tmp'), { recursive: true }); mkdirSync(join(d, 'out'), { recursive: true });
    const r = await runChild(['approx', BIG, '--rank', '2', '--out', join(d, 'out', 'f')], { tmpdir: join(d, 'tmp'), timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(setState(join(d, 'out'))).toBe('whole');
    full = r.ms;
  }, 180_000);

  for (const [signal, code, seed] of [['SIGINT', 130, 11], ['SIGTERM', 143, 22], ['SIGKILL', null, 33]] as const) {
    it(`${signal} at 20 random moments: nothing left but a whole set${signal === 'SIGKILL' ? ', after the next run' : ''}`, async () => {
      const at = moments(seed, 20).map((u) => Math.round(u * full * 1.05));
      const outcomes = await Promise.all(at.map((delay, i) => run(async () => {
        const d = join(root, `${signal}-${i}`), tmp = join(d, 'tmp'), out = join(d, 'out');
        mkdirSync(tmp, { recursive: true }); mkdirSync(out, { recursive: true });
        const r: ChildRun = await runChild(['approx', BIG, '--rank', '2', '--out', join(out, 'f'), '--no-progress'], {
          tmpdir: tmp, timeoutMs: 120_000,
          onSpawn: (c) => { setTimeout(() => c.kill(signal), delay); },
        });
        const finished = r.code === 0;
        if (signal !== 'SIGKILL') {
          // A signal before node has run any of our code kills it the default way (nothing was written yet).
          const early = r.signal === signal;
          expect(r.code === code || finished || early, `${signal} after ${delay} ms: exit ${r.code} ${r.signal}; ${r.stderr}`).toBe(true);
          if (!finished && r.stderr.length > 0) expect(r.stderr.trim().split('\n').pop()).toBe(`rangefinder: stopped by ${signal}; temporary files removed`);
          expect(readdirSync(tmp), `TMPDIR after ${signal} at ${delay} ms`).toEqual([]);
          const state = setState(out);
          // A signal that lands after the commit (the summary is being printed) stops a run whose set
          // is whole already: 'whole' is checked to be one run's (digests), never a part.
          if (finished) expect(state, `output after ${signal} at ${delay} ms`).toBe('whole');
          else expect(['none', 'whole'], `output after ${signal} at ${delay} ms: ${state}`).toContain(state);
          return finished ? 'finished' : 'stopped';
        }
        const before = setState(out, true);
        expect(['none', 'whole', 'journal'], `output right after SIGKILL at ${delay} ms: ${before}`).toContain(before);
        // The next run: small, same TMPDIR and output directory.
        const next = await runChild(['approx', SMALL, '--rank', '2', '--out', join(out, 'f')], { tmpdir: tmp, timeoutMs: 60_000 });
        expect(next.code, next.stderr).toBe(0);
        expect(readdirSync(tmp), `TMPDIR after the run that followed a SIGKILL at ${delay} ms`).toEqual([]);
        expect(setState(out)).toBe('whole');
        const summary = JSON.parse(readFileSync(join(out, 'f.summary.json'), 'utf8')) as { input: string };
        expect(summary.input).toBe(SMALL);
        return finished ? 'finished' : `killed (${before})`;
      })));
      console.log(`${signal}: ${outcomes.filter((o) => o !== 'finished').length} of 20 stopped mid-run (${outcomes.join(', ')})`);
      expect(outcomes.filter((o) => o !== 'finished').length).toBeGreaterThanOrEqual(10);
    }, 600_000);
  }
});

describe('two concurrent runs on one prefix', () => {
  it('the final set is whole and from one run, every time (6 trials)', async () => {
    for (let trial = 0; trial < 6; trial++) {
      const d = join(root, `concurrent-${trial}`), tmp = join(d, 'tmp'), out = join(d, 'out');
      mkdirSync(tmp, { recursive: true }); mkdirSync(out, { recursive: true });
      const [a, b] = await Promise.all([1, 2].map((seed) => runChild(['approx', BIG, '--rank', '2', '--seed', String(seed), '--out', join(out, 'f')], { tmpdir: tmp, timeoutMs: 120_000 })));
      expect(a!.code, a!.stderr).toBe(0);
      expect(b!.code, b!.stderr).toBe(0);
      expect(setState(out), `trial ${trial}`).toBe('whole');
      expect(readdirSync(tmp)).toEqual([]);
    }
  }, 900_000);
});
