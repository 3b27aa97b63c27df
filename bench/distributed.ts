/**
 * Distributed benchmark (issue 17): how does `approx --distributed` scale with workers, here and,
 * by a model fitted to the measurements, on N machines?
 *
 * Question: wall time of `approx A.npy --distributed redis://... --shards 12` with 1, 2 and 3
 * `rangefinder worker` processes (one kernel thread each) on this 2-core machine, against `approx`
 * in one process (1 and 2 kernel threads); and where the scale-out stops scaling.
 *
 * Data: A = M x N float64 .npy (default 120 000 x 100, 96 MB), rank-10 signal + noise, rank 10,
 * the one-pass default (rsvd). Method: the built CLI as child processes; a real redis-server of the
 * bench's own on a free loopback port (test/helpers/redis-server.ts); the workers are started (and
 * ready) before each distributed case and stopped after it, so their start-up is not timed. A
 * warm-up, then `--reps` (default 3) repetitions each running every case once in turn
 * (interleaved); the median per case. Measured per distributed run: the client's wall time, each
 * shard's time on its worker (the worker's log), the merge's own time (JSON `distributed.mergeSeconds`), the
 * shard files' bytes, and Redis commands processed (INFO stats, total_commands_processed).
 *
 * Model (printed and written with the results): a run on W workers, each with its own core and
 * storage bandwidth, is t(W) = t_fixed + ceil(S / W) t_shard + t_merge + S c_redis, where t_fixed is
 * the client's start-up and planning, t_shard the median shard time, t_merge the merge (it reads
 * every shard's range rows, m x l float64, and writes U: it grows with m and does not shrink with
 * W), and c_redis the Redis time per shard (round trips x latency). With S = W shards (one per
 * worker) the parallel part is T_1 / W and the serial part t_fixed + t_merge: the speed-up is
 * bounded by (t_fixed + t_merge + T_1) / (t_fixed + t_merge) (Amdahl), and a shared file system of
 * bandwidth B adds the floor (m n 8 + 2 m l 8) / B for reading the input and writing and reading
 * the range rows.
 *
 * Run: `npm run build && npx tsx bench/distributed.ts [--rows 120000] [--cols 100] [--reps 3]`.
 * Writes bench/out/distributed.json and bench/out/distributed.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeNpyReference } from '../test/helpers/npy-reference.js';
import { redisInfo, startRedisServer } from '../test/helpers/redis-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'rangefinder.js');
const { values } = parseArgs({ options: { rows: { type: 'string' }, cols: { type: 'string' }, reps: { type: 'string' }, shards: { type: 'string' } } });
const M = Number(values.rows ?? 120_000), N = Number(values.cols ?? 100), REPS = Number(values.reps ?? 3), SHARDS = Number(values.shards ?? 12);
const RANK = 10;

function matrix(): Float64Array {
  const a = new Float64Array(M * N);
  for (let j = 0; j < RANK; j++) {
    const s = 1 / (j + 1);
    const v = Float64Array.from({ length: N }, (_, c) => Math.cos(0.7 * (c + 1) * (j + 1)));
    for (let i = 0; i < M; i++) {
      const u = s * Math.sin(0.13 * (i + 1) * (j + 1) + j);
      for (let c = 0; c < N; c++) a[i * N + c]! += u * v[c]!;
    }
  }
  for (let k = 0; k < a.length; k++) a[k]! += 1e-2 * Math.sin(12.9898 * k + 78.233);
  return a;
}

interface Run { seconds: number; stdout: string; stderr: string }

function run(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('close', (code) => (code === 0 ? resolve({ seconds: (performance.now() - t0) / 1000, stdout, stderr }) : reject(new Error(`rangefinder ${args.join(' ')}: exit ${code}\n${stderr}`))));
  });
}

interface Worker { child: ChildProcess; log(): string }

async function startWorkers(url: string, count: number): Promise<Worker[]> {
  const ws = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, [BIN, 'worker', url, '--threads', '1'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { text += d; });
    return { child, log: () => text };
  });
  const deadline = Date.now() + 60_000;
  while (!ws.every((w) => /serving/.test(w.log()))) {
    if (Date.now() > deadline) throw new Error('workers did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return ws;
}

async function stopWorkers(ws: Worker[]): Promise<void> {
  await Promise.all(ws.map((w) => new Promise((r) => { w.child.once('exit', r); w.child.kill('SIGTERM'); })));
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

interface DistSample { seconds: number; shardSeconds: number[]; mergeSeconds: number; shardBytes: number; redisCommands: number; workersUsed: number }

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rf-bench-dist-'));
  const redis = await startRedisServer();
  try {
    const input = join(dir, 'a.npy');
    writeNpyReference(input, matrix(), M, N, 'float64', false);
    const common = [input, '--rank', String(RANK), '--json', '--no-progress'];
    const single = async (threads: number): Promise<number> => (await run(['approx', ...common, '--out', join(dir, `one-t${threads}`), '--threads', String(threads)])).seconds;
    const distributed = async (workers: number): Promise<DistSample> => {
      const ws = await startWorkers(redis.url, workers);
      try {
        const before = Number((await redisInfo(redis.port, 'stats')).total_commands_processed);
        const r = await run(['approx', ...common, '--distributed', redis.url, '--shards', String(SHARDS), '--out', join(dir, `dist-${workers}`)]);
        const after = Number((await redisInfo(redis.port, 'stats')).total_commands_processed);
        const json = JSON.parse(r.stdout) as { shards: { bytes: number }[]; distributed: { mergeSeconds: number } };
        const shardSeconds = ws.flatMap((w) => [...w.log().matchAll(/: done in ([\d.]+) s/g)].map((m) => Number(m[1])));
        return {
          seconds: r.seconds, shardSeconds, mergeSeconds: json.distributed.mergeSeconds, shardBytes: json.shards.reduce((t, s) => t + s.bytes, 0),
          redisCommands: after - before, workersUsed: ws.filter((w) => /: done in/.test(w.log())).length,
        };
      } finally {
        await stopWorkers(ws);
      }
    };
    const cases: Record<string, () => Promise<number | DistSample>> = {
      'one process, 1 thread': () => single(1), 'one process, 2 threads': () => single(2),
      '1 worker': () => distributed(1), '2 workers': () => distributed(2), '3 workers': () => distributed(3),
    };
    const load: number[] = [loadavg()[0]!];
    console.log(`distributed bench: ${M} x ${N} float64 (${(M * N * 8 / 1e6).toFixed(0)} MB), rank ${RANK}, ${SHARDS} shards, ${REPS} reps; load ${load[0]!.toFixed(2)}`);
    await cases['1 worker']!(); // warm-up (page cache, module cache)
    const samples: Record<string, (number | DistSample)[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
    for (let rep = 0; rep < REPS; rep++) {
      for (const [name, f] of Object.entries(cases)) {
        const s = await f();
        samples[name]!.push(s);
        console.log(`  rep ${rep + 1} ${name}: ${(typeof s === 'number' ? s : s.seconds).toFixed(2)} s`);
      }
      load.push(loadavg()[0]!);
    }
    const secs = (name: string): number => median(samples[name]!.map((s) => (typeof s === 'number' ? s : s.seconds)));
    const dist = (name: string): DistSample[] => samples[name]! as DistSample[];
    const all = ['1 worker', '2 workers', '3 workers'].flatMap(dist);
    const tShard = median(all.flatMap((s) => s.shardSeconds));
    const tMerge = median(all.map((s) => s.mergeSeconds));
    const t1 = secs('1 worker');
    // t(1) = t_fixed + S t_shard + t_merge  =>  t_fixed (client start-up, planning, Redis, waiting for pops)
    const tFixed = Math.max(0, t1 - SHARDS * tShard - tMerge);
    const shardBytes = median(all.map((s) => s.shardBytes));
    const commandsPerShard = median(all.map((s) => s.redisCommands)) / SHARDS;
    const rows = Object.keys(cases).map((name) => {
      const d = typeof samples[name]![0] === 'number' ? undefined : dist(name);
      return `| ${name} | ${secs(name).toFixed(2)} | ${(secs('one process, 1 thread') / secs(name)).toFixed(2)} | ${d ? median(d.map((s) => s.workersUsed)) : '-'} | ${d ? median(d.map((s) => s.mergeSeconds)).toFixed(2) : '-'} |`;
    });
    // The model on N machines (one worker per machine, S = max(12, N) shards), for this matrix and one 100x taller.
    const model = (scale: number, n: number): number => {
      const s = Math.max(SHARDS, n);
      return tFixed + Math.ceil(s / n) * (tShard * scale * SHARDS / s) + tMerge * scale + s * commandsPerShard * 1e-4;
    };
    const ns = [1, 2, 4, 8, 16, 32, 64, 128];
    const modelRows = [1, 100].map((scale) => `| ${scale === 1 ? `${M}` : `${M * scale}`} x ${N} | ${ns.map((n) => model(scale, n).toFixed(1)).join(' | ')} | ${((tFixed + tMerge * scale + SHARDS * tShard * scale) / (tFixed + tMerge * scale)).toFixed(1)}x |`);
    const md = [
      `# approx --distributed: workers on one 2-core machine, and a model for N machines`,
      '',
      `\`npx tsx bench/distributed.ts --rows ${M} --cols ${N} --reps ${REPS}\` (${new Date().toISOString()}); ${M} x ${N} float64 .npy, rank ${RANK} (rsvd), ${SHARDS} shards; load average ${load.map((x) => x.toFixed(1)).join(', ')} (start, after each rep).`,
      '',
      '| case | median s | speed-up vs one process, 1 thread | workers that ran shards | merge s |',
      '|---|---|---|---|---|',
      ...rows,
      '',
      `Fitted: shard ${tShard.toFixed(3)} s (median over shards, on its worker), merge ${tMerge.toFixed(3)} s, fixed ${tFixed.toFixed(2)} s (client start-up, planning, enqueueing, waiting), ` +
        `${(shardBytes / 1e6).toFixed(1)} MB of shard files per run (the input is ${(M * N * 8 / 1e6).toFixed(0)} MB), ${commandsPerShard.toFixed(0)} Redis commands per shard (0.1 ms each assumed on a LAN).`,
      '',
      `Model t(N) in seconds, N machines with one worker each, S = max(${SHARDS}, N) shards:`,
      '',
      `| matrix | ${ns.map((n) => `N = ${n}`).join(' | ')} | bound (Amdahl) |`,
      `|---|${ns.map(() => '---').join('|')}|---|`,
      ...modelRows,
      '',
    ].join('\n');
    mkdirSync(join(ROOT, 'bench', 'out'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'out', 'distributed.md'), md);
    writeFileSync(join(ROOT, 'bench', 'out', 'distributed.json'), `${JSON.stringify({ M, N, RANK, SHARDS, REPS, load, samples, fitted: { tShard, tMerge, tFixed, shardBytes, commandsPerShard } }, null, 2)}\n`);
    console.log(md);
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
