/**
 * Issue 15, the output set: `--out DIR/` is a directory; the files of a run (U, S, V, summary) are
 * committed together with digests in the summary; a stale commit journal of a dead run is finished
 * and its temporaries and spill removed by the next run, while a live run's are never touched; a
 * bad --out is refused before stdin is read.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfOwner } from '../streams/durable.js';
import { ensureBuilt } from './helpers/cli-harness.js';
import { goodNpy } from './hostile/fixtures.js';
import { runChild } from './hostile/run-child.js';

const root = mkdtempSync(join(tmpdir(), 'rf-outset-'));
const input = join(root, 'in.npy');
beforeAll(async () => { await ensureBuilt(); writeFileSync(input, goodNpy()); });
afterAll(() => rmSync(root, { recursive: true, force: true }));

function dirs(name: string): { tmp: string; out: string } {
  const tmp = join(root, name, 'tmp'), out = join(root, name, 'out');
  mkdirSync(tmp, { recursive: true });
  mkdirSync(out, { recursive: true });
  return { tmp, out };
}

describe('the output set', () => {
  it('--out DIR/ writes DIR/U.npy, S.npy, V.npy and summary.json (no hidden files), with matching digests', async () => {
    const { tmp, out } = dirs('slash');
    const r = await runChild(['approx', input, '--rank', '2', '--out', `${out}/`, '--json'], { tmpdir: tmp });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['S.npy', 'U.npy', 'V.npy', 'summary.json']);
    const json = JSON.parse(r.stdout) as { output: Record<string, string> };
    expect(json.output).toEqual({ U: join(out, 'U.npy'), S: join(out, 'S.npy'), V: join(out, 'V.npy'), summary: join(out, 'summary.json') });
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { rank: number; set: { files: Record<string, { path: string; bytes: number; sha256: string }> } };
    expect(summary.rank).toBe(2);
    for (const f of Object.values(summary.set.files)) {
      const bytes = readFileSync(f.path);
      expect(bytes.length).toBe(f.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(f.sha256);
    }
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('finishes the commit of a dead run (its journal), removes its temporaries and spill, leaves a live run\'s alone', async () => {
    const { tmp, out } = dirs('stale');
    const deadPid = 4_194_000; // a pid no process has (above the usual pid_max)
    const dead = `${deadPid}-123`;
    // A dead run that had begun committing: two temporaries and its journal.
    const tU = join(out, `.f.U.npy.rf-${dead}-1.tmp`), tS = join(out, `.f.S.npy.rf-${dead}-2.tmp`);
    writeFileSync(tU, 'old U'); writeFileSync(tS, 'old S');
    writeFileSync(join(out, '.f.rf-set.lock'), JSON.stringify({ pid: deadPid, start: '123', entries: [{ temp: tU, final: join(out, 'f.U.npy') }, { temp: tS, final: join(out, 'f.S.npy') }] }));
    // Its unfinished temporary elsewhere in the directory, and its spill in TMPDIR.
    writeFileSync(join(out, `.g.V.npy.rf-${dead}-3.tmp`), 'partial');
    mkdirSync(join(tmp, `rangefinder-spill-${dead}-abcdef`));
    writeFileSync(join(tmp, `rangefinder-spill-${dead}-abcdef`, 'range-sketch.arrow'), 'x');
    // A live process's temporary (this test's own process) and a file that is not ours.
    const me = selfOwner();
    const live = join(out, `.h.U.npy.rf-${me.pid}-${me.start || '0'}-9.tmp`);
    writeFileSync(live, 'live');
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const r = await runChild(['approx', input, '--rank', '2', '--out', join(out, 'g')], { tmpdir: tmp });
    expect(r.code, r.stderr).toBe(0);
    // The dead run's set was finished (its U and S under their final names), its lock is gone.
    expect(readFileSync(join(out, 'f.U.npy'), 'utf8')).toBe('old U');
    expect(readFileSync(join(out, 'f.S.npy'), 'utf8')).toBe('old S');
    expect(existsSync(join(out, '.f.rf-set.lock'))).toBe(false);
    expect(readdirSync(out).sort()).toEqual(['.h.U.npy.rf-' + `${me.pid}-${me.start || '0'}-9.tmp`, 'f.S.npy', 'f.U.npy', 'g.S.npy', 'g.U.npy', 'g.V.npy', 'g.summary.json', 'notes.txt'].sort());
    expect(readdirSync(tmp)).toEqual([]);
    expect(existsSync(live)).toBe(true);
  });

  it('a bad --out is refused before stdin is read (the producer\'s bytes are not consumed)', async () => {
    const { tmp } = dirs('early');
    const t0 = performance.now();
    const r = await runChild(['approx', '-', '--rank', '2', '--out', join(root, 'missing', 'f')], { tmpdir: tmp, stdin: 'hold' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^rangefinder: --out .*missing\/f: the directory .*missing does not exist \(create it first\)$/);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});
