/**
 * `approx --distributed` end to end (issue 17): a real redis-server (the test's own, on a free
 * port), three `rangefinder worker` processes (each in a network namespace of its own, reaching
 * Redis over a veth link, where the machine allows it; else plain separate processes), and the
 * client, all real child processes of the built CLI.
 *
 * - 12 shards of one .npy give U, S, V byte-identical to one process running the same sharding
 *   (`rangefinder sketch --rows --row-offset --total-rows` per shard, `rangefinder merge`), and
 *   equal to `approx` in one pass to 1e-12.
 * - 3 passes of RSI, one flow per pass, equal 3 passes in one process to 1e-12 (the library-level
 *   comparison of every multi-pass method is gram-passes.test.ts).
 * - A worker SIGKILLed in the middle of a shard loses nothing: the shard is re-run by another worker
 *   after the lock expires (--lock-duration 3s), and the factors are byte-identical again.
 * - Redis stopped mid-run: one line naming Redis, exit 2, nothing under the output names.
 * - A shard whose input the worker cannot read fails the run with the shard's own error, naming it.
 *
 * Skipped, with a message, only when redis-server is not installed (`.ci/run` installs it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, runCli, waitForLine, writeNpyMatrix } from '../helpers/cli-harness.js';
import { readNpy } from '../helpers/npy.js';
import { createNamespaces, type Namespace } from '../helpers/netns.js';
import { redisCommand, REDIS_SERVER, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

if (REDIS_SERVER === undefined) console.warn('distributed/e2e.test.ts: SKIPPED: redis-server is not installed (apt-get install redis-server; .ci/run installs it)');

const M = 2400, N = 40, RANK = 5, SHARDS = 12;
const BIN = join(ROOT, 'bin', 'rangefinder.js');

/** A = sum_j sigma_j u_j v_j^T + small noise, with sigma_j = 2^-j: distinct singular values, a fast spectrum. */
function testMatrix(): Float64Array {
  const a = new Float64Array(M * N);
  for (let j = 0; j < 10; j++) {
    const s = 2 ** -j;
    for (let i = 0; i < M; i++) {
      const u = Math.sin(0.37 * (i + 1) * (j + 1) + j);
      for (let c = 0; c < N; c++) a[i * N + c] += s * u * Math.cos(0.91 * (c + 1) * (j + 2) + 0.3 * j);
    }
  }
  for (let k = 0; k < a.length; k++) a[k] += 1e-3 * Math.sin(12.9898 * k);
  return a;
}

interface WorkerProc { child: ChildProcess; log: () => string; ns?: Namespace }

describe.skipIf(REDIS_SERVER === undefined)('approx --distributed with a real redis-server and 3 worker processes', () => {
  let redis: RedisServer;
  let dir: string;
  let nets: ReturnType<typeof createNamespaces> = null;
  const workers: WorkerProc[] = [];

  /** The URL a process in `ns` (or on loopback) uses. */
  const urlFor = (ns?: Namespace): string => (ns ? redis.url.replace('127.0.0.1', ns.hostIp) : redis.url);

  function startWorker(ns?: Namespace): WorkerProc {
    const args = [BIN, 'worker', urlFor(ns), '--threads', '1', '--lock-duration', '3s'];
    const child = ns ? spawn(ns.exec[0], [...ns.exec.slice(1), process.execPath, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { text += d; });
    const w: WorkerProc = { child, log: () => text, ...(ns ? { ns } : {}) };
    workers.push(w);
    return w;
  }

  async function stopWorker(w: WorkerProc): Promise<void> {
    if (w.child.exitCode !== null || w.child.signalCode !== null) return;
    const gone = new Promise((r) => w.child.once('exit', r));
    w.child.kill('SIGTERM');
    const t = setTimeout(() => w.child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(t);
  }

  const shardArgs = ['--rank', String(RANK), '--seed', '7'];

  beforeAll(async () => {
    await ensureBuilt();
    nets = createNamespaces(3);
    if (nets === null) console.warn('distributed/e2e.test.ts: network namespaces are not available here (needs root and ip): the 3 workers run as plain separate processes');
    redis = await startRedisServer({ bind: nets?.namespaces.map((n) => n.hostIp) ?? [] });
    dir = mkdtempSync(join(tmpdir(), 'rf-dist-e2e-'));
    writeNpyMatrix(join(dir, 'a.npy'), { rows: M, cols: N, data: testMatrix(), offset: 0, stride: N });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map(stopWorker));
    await redis?.stop();
    nets?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  // Every test starts its own workers; none outlives its test (a leftover would take the next test's jobs).
  afterEach(async () => { await Promise.all(workers.map(stopWorker)); });

  const factorBytes = (prefix: string): Buffer[] => ['U', 'S', 'V'].map((f) => readFileSync(`${prefix}.${f}.npy`));

  it('12 shards on 3 workers: identical to one process running the same sharding, equal to one pass to 1e-12', async () => {
    const ws = [0, 1, 2].map((i) => startWorker(nets?.namespaces[i]));
    await Promise.all(ws.map((w) => waitForLine(w.child.stderr!, /serving rangefinder:shards/, 60_000)));
    const r = await runCli(['approx', join(dir, 'a.npy'), ...shardArgs, '--distributed', redis.url, '--shards', String(SHARDS), '--out', join(dir, 'dist'), '--json'], { timeoutMs: 240_000 });
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { rows: number; cols: number; rank: number; shards: unknown[] };
    expect([json.rows, json.cols, json.rank, json.shards.length]).toEqual([M, N, RANK, SHARDS]);
    // Every shard was run, and more than one worker did some (12 jobs, blocking pops by 3 workers).
    const done = ws.map((w) => [...w.log().matchAll(/shard (\d+) of 12 \([^)]*\): done/g)].map((m) => Number(m[1])));
    expect(new Set(done.flat()).size).toBe(SHARDS);
    expect(done.filter((d) => d.length > 0).length).toBeGreaterThanOrEqual(2);
    if (nets !== null) for (const w of ws) expect(w.log()).toContain(`at redis://${w.ns!.hostIp}:`);
    // No shard directory is left behind.
    expect(readdirSync(dir).filter((f) => f.startsWith('rangefinder-shards') || f.includes('.rf-'))).toEqual([]);

    // One process, the same sharding: the 12 row ranges sketched in turn, merged in order.
    const files: string[] = [];
    for (let i = 0; i < SHARDS; i++) {
      const [a, b] = [(i * M) / SHARDS, ((i + 1) * M) / SHARDS];
      const f = join(dir, `local-${i}.rfsk`);
      const s = await runCli(['sketch', join(dir, 'a.npy'), ...shardArgs, '--rows', `${a}:${b}`, '--row-offset', String(a), '--total-rows', String(M),
        '--memory-budget', String(64 * 2 ** 20), '--save', f, '--threads', '1'], { timeoutMs: 120_000 });
      expect(s.code, s.stderr).toBe(0);
      files.push(f);
    }
    const merged = await runCli(['merge', ...files, '--rank', String(RANK), '--out', join(dir, 'local')], { timeoutMs: 120_000 });
    expect(merged.code, merged.stderr).toBe(0);
    const [du, ds, dv] = factorBytes(join(dir, 'dist'));
    const [lu, ls, lv] = factorBytes(join(dir, 'local'));
    expect(du!.equals(lu!)).toBe(true);
    expect(ds!.equals(ls!)).toBe(true);
    expect(dv!.equals(lv!)).toBe(true);

    // One pass over the whole file: the same numbers up to the order of the sums.
    const one = await runCli(['approx', join(dir, 'a.npy'), ...shardArgs, '--out', join(dir, 'one')], { timeoutMs: 120_000 });
    expect(one.code, one.stderr).toBe(0);
    let maxDiff = 0, differs = false;
    for (const f of ['U', 'S', 'V']) {
      const x = readNpy(join(dir, `dist.${f}.npy`)), y = readNpy(join(dir, `one.${f}.npy`));
      expect(x.shape).toEqual(y.shape);
      for (let k = 0; k < x.data.length; k++) {
        maxDiff = Math.max(maxDiff, Math.abs(x.data[k] - y.data[k]));
        if (x.data[k] !== y.data[k]) differs = true;
      }
    }
    expect(maxDiff).toBeLessThan(1e-12);
    console.log(`distributed vs one pass: max |difference| ${maxDiff.toExponential(2)} over U, S, V (bitwise equal: ${!differs})`);
    for (const w of ws) await stopWorker(w);
  }, 600_000);

  it('3 passes (RSI), a flow per pass on 3 workers: equal to 3 passes in one process to 1e-12', async () => {
    const ws = [0, 1, 2].map((i) => startWorker(nets?.namespaces[i]));
    await Promise.all(ws.map((w) => waitForLine(w.child.stderr!, /serving rangefinder:shards/, 60_000)));
    const r = await runCli(['approx', join(dir, 'a.npy'), ...shardArgs, '--passes', '3', '--distributed', redis.url, '--shards', String(SHARDS),
      '--out', join(dir, 'distp'), '--json'], { timeoutMs: 240_000 });
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { rows: number; passes: number; method: string; perPass: unknown[]; distributed: { shards: number; workers: string[] } };
    expect([json.rows, json.passes, json.method, json.perPass.length, json.distributed.shards]).toEqual([M, 3, 'rsi', 3, SHARDS]);
    // Every shard of every pass was run by a worker process.
    const done = ws.map((w) => [...w.log().matchAll(/shard (\d+) of 12, pass (\d) \([^)]*\): done/g)].map((m) => `${m[2]}:${m[1]}`));
    expect(new Set(done.flat()).size).toBe(3 * SHARDS);
    expect(json.distributed.workers.length).toBeGreaterThanOrEqual(2);
    expect(readdirSync(dir).filter((f) => f.startsWith('rangefinder-shards') || f.includes('.rf-'))).toEqual([]);
    const one = await runCli(['approx', join(dir, 'a.npy'), ...shardArgs, '--passes', '3', '--orientation', 'rows', '--out', join(dir, 'onep')], { timeoutMs: 120_000 });
    expect(one.code, one.stderr).toBe(0);
    let maxDiff = 0;
    for (const f of ['U', 'S', 'V']) {
      const x = readNpy(join(dir, `distp.${f}.npy`)), y = readNpy(join(dir, `onep.${f}.npy`));
      expect(x.shape).toEqual(y.shape);
      for (let k = 0; k < x.data.length; k++) maxDiff = Math.max(maxDiff, Math.abs(x.data[k] - y.data[k]));
    }
    expect(maxDiff).toBeLessThan(1e-12);
    console.log(`distributed 3 passes vs one process: max |difference| ${maxDiff.toExponential(2)} over U, S, V`);
    for (const w of ws) await stopWorker(w);
  }, 600_000);

  it('a worker SIGKILLed mid-shard loses nothing: the shard is re-run elsewhere, the factors are identical', async () => {
    // The victim starts alone, so that it takes a shard; it is killed as soon as it has started one
    // (its first job also loads the sketch's modules, so the kill lands inside the job).
    const victim = startWorker(nets?.namespaces[0]);
    await waitForLine(victim.child.stderr!, /serving rangefinder:shards/, 60_000);
    const run = runCli(['approx', join(dir, 'a.npy'), ...shardArgs, '--distributed', redis.url, '--shards', String(SHARDS), '--out', join(dir, 'killed'), '--json'], { timeoutMs: 300_000 });
    const started = await waitForLine(victim.child.stderr!, /shard (\d+) of 12 \([^)]*\): started/, 120_000);
    victim.child.kill('SIGKILL');
    await new Promise((r) => victim.child.once('exit', r));
    const shard = Number(started[1]);
    expect(victim.log()).not.toMatch(new RegExp(`shard ${shard} of 12 \\([^)]*\\): done`));
    const others = [1, 2].map((i) => startWorker(nets?.namespaces[i]));
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    // The killed shard was run again, by another worker, after its lock expired.
    const logs = others.map((w) => w.log()).join('');
    expect(logs, `${victim.log()}\n---\n${logs}`).toMatch(new RegExp(`shard ${shard} of 12 \\([^)]*\\): done`));
    const [ku, ks, kv] = factorBytes(join(dir, 'killed'));
    const [du, ds, dv] = factorBytes(join(dir, 'dist'));
    expect(ku!.equals(du!) && ks!.equals(ds!) && kv!.equals(dv!)).toBe(true);
    for (const w of others) await stopWorker(w);
  }, 600_000);

  it('Redis stopped mid-run: one line naming Redis, exit 2, nothing under the output names', async () => {
    // No worker: the 12 jobs wait in the queue, then Redis goes away under the client.
    const run = runCli(['approx', join(dir, 'a.npy'), ...shardArgs, '--distributed', redis.url, '--shards', String(SHARDS), '--out', join(dir, 'lost'), '--connect-timeout', '2s'], { timeoutMs: 120_000 });
    const deadline = Date.now() + 60_000;
    while ((await redisCommand(redis.port, ['LLEN', 'rangefinder:shards:wait'])) !== `:${SHARDS}`) {
      if (Date.now() > deadline) throw new Error('the jobs never reached the queue');
      await new Promise((res) => setTimeout(res, 100));
    }
    await redis.stop();
    const r = await run;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^rangefinder: lost the connection to Redis at redis://127\\.0\\.0\\.1:${redis.port} \\([^)]+\\) for 2 s: the distributed run stopped, nothing was written under the output names\\n$`));
    expect(readdirSync(dir).filter((f) => f.startsWith('lost') || f.startsWith('rangefinder-shards') || f.includes('.rf-'))).toEqual([]);
    // A fresh server on the same port for the next test.
    redis = await startRedisServer({ port: redis.port, bind: nets?.namespaces.map((n) => n.hostIp) ?? [] });
  }, 300_000);

  it('a shard whose input the worker cannot read fails the run with its error, naming the shard', async () => {
    const input = join(dir, 'a.npy'), away = join(dir, 'a.npy.away');
    const run = runCli(['approx', input, ...shardArgs, '--distributed', redis.url, '--shards', '2', '--out', join(dir, 'missing')], { timeoutMs: 120_000 });
    const deadline = Date.now() + 60_000;
    while ((await redisCommand(redis.port, ['LLEN', 'rangefinder:shards:wait'])) !== ':2') {
      if (Date.now() > deadline) throw new Error('the jobs never reached the queue');
      await new Promise((res) => setTimeout(res, 100));
    }
    renameSync(input, away); // the client has read its header; the workers will not find it
    try {
      const w = startWorker(nets?.namespaces[0]);
      const r = await run;
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^rangefinder: shard [12] of 2 \\(rows \\d+:\\d+ of ${input.replace(/[.]/g, '\\.')}\\): .*${input.replace(/[.]/g, '\\.')}.*no such file`, 'm'));
      expect(existsSync(join(dir, 'missing.U.npy'))).toBe(false);
      await stopWorker(w);
    } finally {
      renameSync(away, input);
    }
  }, 300_000);
});
