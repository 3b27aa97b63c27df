/**
 * The pieces of `approx --distributed` that need no server (issue 17): the Redis URL check (and
 * that a password never reaches a message), and the shard plan (every row in exactly one shard, in
 * order, cut on Parquet row groups when the file has them), and the sweep of shard directories a
 * killed client left (by its host only).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRedisUrl } from '../../streams/cli/distributed/redis-url.js';
import { planShards, type ShardInput } from '../../streams/cli/distributed/shard-plan.js';
import { createSharedTempDir, hostTag, sweepStale, untrack } from '../../streams/durable.js';

describe('parseRedisUrl', () => {
  it('takes redis:// and rediss:// with host, port, password and database; masks the password', () => {
    const a = parseRedisUrl('redis://127.0.0.1:6390', '--distributed');
    expect(a).toMatchObject({ host: '127.0.0.1', port: 6390, tls: false, display: 'redis://127.0.0.1:6390' });
    const b = parseRedisUrl('rediss://:s3cr%40t@cache.example:6380/2', 'worker');
    expect(b).toMatchObject({ host: 'cache.example', port: 6380, tls: true, url: 'rediss://:s3cr%40t@cache.example:6380/2' });
    expect(b.display).toBe('rediss://:***@cache.example:6380/2');
    expect(parseRedisUrl('redis://user:pw@h', 'worker')).toMatchObject({ port: 6379, display: 'redis://user:***@h' });
  });

  it('refuses what is not a Redis URL, naming the option, without echoing a password', () => {
    expect(() => parseRedisUrl('http://h:1', '--distributed')).toThrow(/--distributed http:\/\/h:1: the scheme is http, expected redis:\/\/ or rediss:\/\//);
    expect(() => parseRedisUrl('localhost:6379', 'worker')).toThrow(/the scheme is localhost/);
    expect(() => parseRedisUrl('redis://h:1/queue', 'worker')).toThrow(/the path \/queue is not a database number/);
    let message = '';
    try { parseRedisUrl('redis://:hunter2@h:1/x', 'worker'); } catch (e) { message = (e as Error).message; }
    expect(message).toMatch(/redis:\/\/:\*\*\*@h:1\/x/);
    expect(message).not.toContain('hunter2');
    // negative control: the message does carry the URL, so the check above could fail
    expect(message).toContain('@h:1');
  });
});

/** Every row of every input exactly once, in order, with the right global offsets. */
function checkCover(inputs: ShardInput[], n: number): void {
  const plan = planShards(inputs, n);
  let offset = 0;
  let k = 0;
  for (const f of inputs) {
    let next = 0;
    while (k < plan.length && plan[k].input === f.path) {
      const s = plan[k];
      expect(s.index).toBe(k);
      expect(s.rows[0]).toBe(next);
      expect(s.rows[1]).toBeGreaterThan(s.rows[0]);
      expect(s.rowOffset).toBe(offset + s.rows[0]);
      if (f.boundaries.length > 0) expect(f.boundaries).toContain(s.rows[0]);
      next = s.rows[1];
      k++;
    }
    expect(next).toBe(f.rows);
    offset += f.rows;
  }
  expect(k).toBe(plan.length);
  expect(plan.length).toBeLessThanOrEqual(Math.max(n, inputs.length));
}

describe('planShards', () => {
  it('cuts one .npy into N even row ranges, and several files into whole files first', () => {
    const one = planShards([{ path: '/d/a.npy', rows: 1200, boundaries: [] }], 12);
    expect(one.map((s) => s.rows)).toEqual(Array.from({ length: 12 }, (_, i) => [100 * i, 100 * (i + 1)]));
    const files = planShards([{ path: '/d/a.npy', rows: 300, boundaries: [] }, { path: '/d/b.npy', rows: 100, boundaries: [] }], 2);
    expect(files).toEqual([
      { index: 0, input: '/d/a.npy', rows: [0, 300], rowOffset: 0 },
      { index: 1, input: '/d/b.npy', rows: [0, 100], rowOffset: 300 },
    ]);
    // extra shards go to the file with the most rows per shard
    expect(planShards([{ path: '/d/a.npy', rows: 300, boundaries: [] }, { path: '/d/b.npy', rows: 100, boundaries: [] }], 4).map((s) => s.input))
      .toEqual(['/d/a.npy', '/d/a.npy', '/d/a.npy', '/d/b.npy']);
  });

  it('cuts a Parquet file on its row groups, and never makes more shards than it has groups', () => {
    const pq: ShardInput = { path: '/d/a.parquet', rows: 1000, boundaries: [0, 250, 500, 750] };
    expect(planShards([pq], 2).map((s) => s.rows)).toEqual([[0, 500], [500, 1000]]);
    expect(planShards([pq], 12).map((s) => s.rows)).toEqual([[0, 250], [250, 500], [500, 750], [750, 1000]]);
  });

  it('covers every row exactly once for any shapes and N (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ rows: fc.integer({ min: 0, max: 5000 }), groups: fc.integer({ min: 0, max: 20 }) }), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 40 }),
      (shapes, n) => {
        const inputs = shapes.map((s, i) => {
          const g = Math.min(s.groups, s.rows);
          const boundaries = g === 0 ? [] : Array.from(new Set(Array.from({ length: g }, (_, j) => Math.floor((j * s.rows) / g))));
          return { path: `/d/${i}`, rows: s.rows, boundaries };
        });
        checkCover(inputs, n);
      },
    ), { seed: 17, numRuns: 300 });
  });
});

describe('shard directories on shared storage', () => {
  it('a later run on the same host sweeps a dead run\'s; another host\'s and a live one\'s are left alone', () => {
    const parent = mkdtempSync(join(tmpdir(), 'rf-shard-sweep-'));
    try {
      const deadPid = 4_194_000; // above the usual pid_max: no process has it
      const deadHere = join(parent, `rangefinder-shards@${hostTag()}-${deadPid}-123-abcdef`);
      const deadElsewhere = join(parent, `rangefinder-shards@another.host-${deadPid}-123-abcdef`);
      for (const d of [deadHere, deadElsewhere]) { mkdirSync(d); writeFileSync(join(d, 'shard-00000.rfsk'), 'x'); }
      const live = createSharedTempDir('rangefinder-shards', parent);
      expect(live).toContain(`rangefinder-shards@${hostTag()}-${process.pid}-`);
      expect(sweepStale(parent)).toEqual([deadHere]);
      expect(readdirSync(parent).sort()).toEqual([basename(deadElsewhere), basename(live)].sort());
      rmSync(live, { recursive: true });
      untrack(live);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
