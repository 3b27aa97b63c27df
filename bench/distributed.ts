/**
 * Distributed benchmark (issue 17): how does `approx --distributed` scale with workers, here and,
 * by a model fitted to the measurements, on N machines?
 *
 * Question: wall time of `approx A.npy --distributed redis://... --shards 12` with 1, 2 and 3
 * `rangefinder worker` processes (one kernel thread each) on this 2-core machine, against `approx`
 * in one process (1 and 2 kernel threads), plus 1 worker on 24 shards (to split a shard's time into
 * a per-shard and a per-row part); and where the scale-out stops scaling.
 *
 * Data: A = M x N float64 .npy (default 120 000 x 100, 96 MB), rank-10 signal + noise, rank 10,
 * the one-pass default (rsvd). Method: the built CLI as child processes; a real redis-server of the
 * bench's own on a free loopback port (test/helpers/redis-server.ts); the workers are started (and
 * ready) before each distributed case and stopped after it, so their start-up is not timed. A
 * warm-up, then `--reps` (default 3) repetitions each running every case once in turn
 * (interleaved); the median per case. Measured per distributed run: the client's wall time; from
 * its JSON `distributed` the time until every shard was done (`waitSeconds`) and the merge's own
 * time (`mergeSeconds`); each shard's time on its worker (its log's `started` to `done` lines,
 * stamped on arrival); the shard files' bytes (JSON `shards[].bytes`); the sketch width l
 * (JSON `sketch.l`); and the Redis commands processed during the run (INFO stats,
 * total_commands_processed, which also counts the workers' polling while the run lasts). The
 * 1-minute load average is recorded at the start and after every repetition: on a shared machine
 * read the ratios within one run, not the seconds.
 *
 * Model (printed and written with the results). Its inputs, all from the 1-worker runs, where one
 * worker runs the shards one after another while the client waits:
 *   t_setup    the client's spawn to the first shard started (Node start-up, planning, Redis,
 *              enqueueing the flow, the worker's pick-up);
 *   t_shard    a shard's time on its worker, the first shard of a fresh worker excluded, fitted as
 *              a + b rows to the medians at m / 12 and m / 24 rows; t_warm: how much longer the
 *              first shard of a fresh worker takes (module and kernel warm-up);
 *   t_handoff  a shard done to the same worker's next shard started (through Redis);
 *   t_merge    the merge's own time (JSON; it checks each shard file's SHA-256, reads the m x l
 *              range rows, writes U, S, V), and d_merge its growth per shard (12 vs 24 shards);
 *   t_end      the last shard done to the client's exit, less t_merge;
 *   c0, k      Redis commands in a run = c0 + k S, from the 12- and 24-shard runs;
 *   bytes      shard file bytes = m l 8 (range rows) + S x (per-shard state), both measured.
 * The same inputs predict the 1-, 2- and 3-worker runs here (a check: it can hold only while the
 * workers have cores of their own). For N machines, one worker each on its own core, S = max(12, N)
 * shards, a matrix sigma times taller (sigma = 1 and 100), shared storage of bandwidth B
 * (`--bandwidth`, MB/s, default 1000, e.g. NFS on 10 GbE) and a Redis round trip of `--rtt-ms`
 * (default 0.1, a LAN):
 *   t(N) = t_serial + max(P(N), D)
 *   P(N) = t_warm + c t_shard(sigma m / S) + (c - 1) t_handoff, c = ceil(S / N)   the workers' part
 *   D    = (sigma m n 8 + bytes) / B            the workers' reads and writes through B, which they share
 *   t_serial = t_setup + t_end + sigma t_merge + (S - 12) d_merge + (c0 + k S) rtt + (bytes + sigma m r 8) / B
 * (the merge reads the shard files back and writes U through B; every Redis command is charged as
 * one serial round trip, which over-counts). Assumptions: each worker has its own core and memory;
 * the client's set-up, end and merge do not shrink with N; the whole merge grows with m (its phases
 * read the range rows, hash the files and write U; for its small part that does not, an
 * over-count); B is not measured here (the local runs read from the page cache). Amdahl:
 * t(N) >= t_serial + D, so the speed-up over t(1) is bounded by t(1) / (t_serial + D) at S = 12;
 * with B and rtt ideal by (t_setup + t_end + sigma t_merge + P(1)) / (t_setup + t_end + sigma t_merge).
 *
 * Several passes (randomized subspace iteration, one BullMQ flow per pass: gram-runner.ts), in the
 * same repetitions after the one-pass cases: `approx --passes 3` (RSI, q = 2, 6 views) and, as its
 * like-for-like one-pass baseline, `--method rsi --passes 1` (same method, sketch width l, seed,
 * `--orientation rows`), each in one process (1 thread) and distributed on 1 and 2 workers (12
 * shards). Per pass, the workers stream their rows against the client's X (n x l) and write a
 * gram-piece: H (n l 8 bytes), R (l^2 8: every pass, since the CLI forms the error after each pass
 * by default) and in the last pass their rows of G (rows l 8); the client checks and merges the
 * pieces in shard order (S TSQR merges of l x l factors), forms the next X and enqueues the next
 * flow. Reported: the per-pass overhead (3-pass time - 1-pass time) / 2, paired within each
 * repetition, distributed against one process, against the RSI 1-pass run and (as first asked)
 * against the one-pass default (rsvd, another l, so it is not a per-pass cost); the client's merge
 * per pass (JSON `mergeSeconds` / passes, and (merge(3) - merge(1)) / 2 for a pass without G rows);
 * from the workers' logs, per pass: the span from its first shard started to its last done, the gap
 * from one pass's last shard done to the next pass's first started (the client's serial work
 * between passes plus the flow's round trip), and the piece bytes (each `done ... (B bytes)` line:
 * the size the worker reports to the client; the shard directory is removed at the end of the run)
 * against the formula S (n l 8 + l^2 8) (+ m l 8 in the last pass).
 *
 * Run: `npm run build && npx tsx bench/distributed.ts [--rows 120000] [--cols 100] [--reps 3]
 * [--shards 12] [--bandwidth 1000] [--rtt-ms 0.1]`. Writes bench/out/distributed.json and
 * bench/out/distributed.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeNpyReference } from '../test/helpers/npy-reference.js';
import { redisInfo, startRedisServer } from '../test/helpers/redis-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'rangefinder.js');
const { values } = parseArgs({
  options: {
    rows: { type: 'string' }, cols: { type: 'string' }, reps: { type: 'string' }, shards: { type: 'string' },
    bandwidth: { type: 'string' }, 'rtt-ms': { type: 'string' },
  },
});
const M = Number(values.rows ?? 120_000), N = Number(values.cols ?? 100), REPS = Number(values.reps ?? 3), SHARDS = Number(values.shards ?? 12);
/** The model's parameters (not measured here): shared-storage bandwidth, bytes/s, and a Redis round trip, s. */
const BANDWIDTH = Number(values.bandwidth ?? 1000) * 1e6, RTT = Number(values['rtt-ms'] ?? 0.1) / 1000;
const RANK = 10;

function matrix(): Float64Array {
  const a = new Float64Array(M * N);
  for (let j = 0; j < RANK; j++) {
    const s = 1 / (j + 1);
    const v = Float64Array.from({ length: N }, (_, c) => Math.cos(0.7 * (c + 1) * (j + 1)));
    for (let i = 0; i < M; i++) {
      const u = s * Math.sin(0.13 * (i + 1) * (j + 1) + j);
      for (let c = 0; c < N; c++) a[i * N + c] += u * v[c];
    }
  }
  for (let k = 0; k < a.length; k++) a[k] += 1e-2 * Math.sin(12.9898 * k + 78.233);
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

/** A worker process and its log lines, each stamped with this process's clock (performance.now(), ms) when it arrived. */
interface Worker { child: ChildProcess; lines: { t: number; text: string }[]; log(): string }

async function startWorkers(url: string, count: number): Promise<Worker[]> {
  const ws = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, [BIN, 'worker', url, '--threads', '1'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    const lines: { t: number; text: string }[] = [];
    let partial = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      const t = performance.now();
      const parts = (partial + d).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) lines.push({ t, text });
    });
    return { child, lines, log: () => lines.map((x) => x.text).join('\n') };
  });
  const deadline = Date.now() + 60_000;
  while (!ws.every((w) => /serving/.test(w.log()))) {
    if (Date.now() > deadline) throw new Error('workers did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return ws;
}

/**
 * One worker's shards in a run, from its log lines' arrival stamps (the worker runs one job at a
 * time): each shard's time from its `started` to its `done` line (the worker's own `done in X s`
 * has 10 ms steps), the gaps from a shard's `done` to its next `started` (hand-offs through Redis),
 * and the first start and last done.
 */
function shardTimeline(w: Worker): { seconds: number[]; handoffs: number[]; firstStart: number; lastDone: number } | undefined {
  const started = w.lines.filter((x) => /: started \(run /.test(x.text)).map((x) => x.t);
  const done = w.lines.filter((x) => /: done in [\d.]+ s/.test(x.text)).map((x) => x.t);
  if (done.length === 0) return undefined;
  if (started.length !== done.length) throw new Error(`a worker's log has ${started.length} shards started and ${done.length} done:\n${w.log()}`);
  return {
    seconds: done.map((t, i) => (t - started[i]) / 1000),
    handoffs: done.slice(0, -1).map((t, i) => (started[i + 1] - t) / 1000),
    firstStart: started[0], lastDone: done[done.length - 1],
  };
}

async function stopWorkers(ws: Worker[]): Promise<void> {
  await Promise.all(ws.map((w) => new Promise((r) => { w.child.once('exit', r); w.child.kill('SIGTERM'); })));
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const sum = (xs: number[]): number => xs.reduce((t, x) => t + x, 0);

interface OneSample { seconds: number; startup: number; l: number; timings?: Timings }
interface DistSample {
  /** The client's wall time; from its JSON, the time until every shard was done and the merge's own time. */
  seconds: number; waitSeconds: number; mergeSeconds: number;
  /** Per worker that ran shards: its shards' times, in the order it ran them (the first on a fresh process). */
  shardSeconds: number[][];
  /** Gaps between a worker's shard done and its next shard started. */
  handoffSeconds: number[];
  /** From the client's spawn to the first shard started; from the last shard done to the client's exit. */
  setupSeconds: number; tailSeconds: number;
  shards: number; shardBytes: number; l: number; redisCommands: number; workersUsed: number;
  /** The merge's own phases (its JSON `timings`). */
  mergeTimings?: Timings;
}
type Sample = OneSample | DistSample;
const isDist = (s: Sample): s is DistSample => 'mergeSeconds' in s;

type Timings = { startup: number; open: number; read: number; sketch: number; reconstruct: number; output: number };
interface ApproxJson { sketch: { l: number }; timings?: Timings; shards?: { bytes: number }[]; distributed?: { waitSeconds: number; mergeSeconds: number } }

/** One pass of a distributed multi-pass run, from the workers' logs (stamped on arrival here). */
interface PassLog {
  /** 1-based. */
  pass: number; shards: number;
  /** Sum of the pieces' bytes (each worker's `done ... (B bytes)`). */
  bytes: number;
  /** The median shard's time; the first shard started to the last done, s. */
  medianShard: number; span: number;
  /** The previous pass's last shard done to this pass's first started, s (null in pass 1). */
  gapBefore: number | null;
  firstStart: number; lastDone: number;
}
interface MultiSample {
  seconds: number; passes: number; l: number; method: string;
  /** Distributed runs only: the JSON's `distributed` (summed over the passes), and the per-pass log. */
  waitSeconds?: number; mergeSeconds?: number; shardSeconds?: number; workersUsed?: number;
  setupSeconds?: number; tailSeconds?: number; perPass?: PassLog[];
}
interface MultiJson { sketch: { l: number }; passes: number; method: string; distributed?: { waitSeconds: number; mergeSeconds: number; shardSeconds: number; workers: string[] } }

/** The workers' shards of a multi-pass run, grouped by pass (a worker runs one job at a time: its started and done lines pair in order). */
function passLogs(ws: Worker[]): PassLog[] {
  const jobs: { pass: number; start: number; done: number; bytes: number }[] = [];
  for (const w of ws) {
    const started = w.lines.filter((x) => /: started \(run /.test(x.text));
    const done = w.lines.filter((x) => /: done in [\d.]+ s/.test(x.text));
    if (started.length !== done.length) throw new Error(`a worker's log has ${started.length} shards started and ${done.length} done:\n${w.log()}`);
    done.forEach((d, i) => {
      const m = /, pass (\d+) \(rows .*: done in [\d.]+ s \((\d+) bytes\)/.exec(d.text);
      if (m === null) throw new Error(`not a pass's done line: ${d.text}`);
      jobs.push({ pass: Number(m[1]), start: started[i].t, done: d.t, bytes: Number(m[2]) });
    });
  }
  const passes = [...new Set(jobs.map((j) => j.pass))].sort((a, b) => a - b);
  const out: PassLog[] = [];
  for (const pass of passes) {
    const js = jobs.filter((j) => j.pass === pass);
    const firstStart = Math.min(...js.map((j) => j.start)), lastDone = Math.max(...js.map((j) => j.done));
    const prev = out[out.length - 1];
    out.push({
      pass, shards: js.length, bytes: sum(js.map((j) => j.bytes)), medianShard: median(js.map((j) => (j.done - j.start) / 1000)),
      span: (lastDone - firstStart) / 1000, gapBefore: prev === undefined ? null : (firstStart - prev.lastDone) / 1000, firstStart, lastDone,
    });
  }
  return out;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rf-bench-dist-'));
  const redis = await startRedisServer();
  try {
    const input = join(dir, 'a.npy');
    writeNpyReference(input, matrix(), M, N, 'float64', false);
    const common = [input, '--rank', String(RANK), '--json', '--no-progress'];
    const single = async (threads: number): Promise<OneSample> => {
      const r = await run(['approx', ...common, '--out', join(dir, `one-t${threads}`), '--threads', String(threads)]);
      const json = JSON.parse(r.stdout) as ApproxJson;
      return { seconds: r.seconds, startup: json.timings?.startup ?? NaN, l: json.sketch.l, timings: json.timings };
    };
    const distributed = async (workers: number, shards = SHARDS): Promise<DistSample> => {
      const ws = await startWorkers(redis.url, workers);
      try {
        const before = Number((await redisInfo(redis.port, 'stats')).total_commands_processed);
        const t0 = performance.now();
        const r = await run(['approx', ...common, '--distributed', redis.url, '--shards', String(shards), '--out', join(dir, `dist-${workers}-${shards}`)]);
        const t1 = performance.now();
        const after = Number((await redisInfo(redis.port, 'stats')).total_commands_processed);
        const json = JSON.parse(r.stdout) as ApproxJson;
        if (json.distributed === undefined || json.shards === undefined) throw new Error(`approx --distributed: no distributed/shards in its JSON:\n${r.stdout}`);
        const lines = ws.map(shardTimeline).filter((x) => x !== undefined);
        return {
          seconds: r.seconds, waitSeconds: json.distributed.waitSeconds, mergeSeconds: json.distributed.mergeSeconds,
          shardSeconds: lines.map((x) => x.seconds), handoffSeconds: lines.flatMap((x) => x.handoffs),
          setupSeconds: (Math.min(...lines.map((x) => x.firstStart)) - t0) / 1000, tailSeconds: (t1 - Math.max(...lines.map((x) => x.lastDone))) / 1000,
          shards: json.shards.length, shardBytes: sum(json.shards.map((s) => s.bytes)), l: json.sketch.l,
          redisCommands: after - before, workersUsed: lines.length, mergeTimings: json.timings,
        };
      } finally {
        await stopWorkers(ws);
      }
    };
    const SHARDS2 = 2 * SHARDS;
    const cases: Record<string, { workers: number; run: () => Promise<Sample> }> = {
      'one process, 1 thread': { workers: 0, run: () => single(1) },
      'one process, 2 threads': { workers: 0, run: () => single(2) },
      '1 worker': { workers: 1, run: () => distributed(1) },
      '2 workers': { workers: 2, run: () => distributed(2) },
      '3 workers': { workers: 3, run: () => distributed(3) },
      [`1 worker, ${SHARDS2} shards`]: { workers: 1, run: () => distributed(1, SHARDS2) },
    };
    // Several passes (RSI): --passes 3 and its like-for-like one-pass run, in one process and on 1 and 2 workers.
    const multiCommon = [...common, '--orientation', 'rows', '--seed', '0'];
    const passArgs = (passes: number): string[] => (passes === 1 ? ['--method', 'rsi', '--passes', '1'] : ['--passes', String(passes)]);
    const multi = async (workers: number, passes: number): Promise<MultiSample> => {
      const args = ['approx', ...multiCommon, ...passArgs(passes), '--out', join(dir, `multi-${workers}-${passes}`)];
      if (workers === 0) {
        const r = await run([...args, '--threads', '1']);
        const json = JSON.parse(r.stdout) as MultiJson;
        return { seconds: r.seconds, passes: json.passes, l: json.sketch.l, method: json.method };
      }
      const ws = await startWorkers(redis.url, workers);
      try {
        const t0 = performance.now();
        const r = await run([...args, '--distributed', redis.url, '--shards', String(SHARDS)]);
        const t1 = performance.now();
        const json = JSON.parse(r.stdout) as MultiJson;
        if (json.distributed === undefined) throw new Error(`approx --distributed --passes ${passes}: no distributed in its JSON:\n${r.stdout}`);
        const perPass = passLogs(ws);
        if (perPass.length !== json.passes) throw new Error(`the workers' logs show ${perPass.length} passes, the JSON ${json.passes}`);
        return {
          seconds: r.seconds, passes: json.passes, l: json.sketch.l, method: json.method,
          waitSeconds: json.distributed.waitSeconds, mergeSeconds: json.distributed.mergeSeconds, shardSeconds: json.distributed.shardSeconds,
          workersUsed: json.distributed.workers.length, setupSeconds: (perPass[0].firstStart - t0) / 1000,
          tailSeconds: (t1 - perPass[perPass.length - 1].lastDone) / 1000, perPass,
        };
      } finally {
        await stopWorkers(ws);
      }
    };
    const MULTI = 3;
    const multiCases: Record<string, { workers: number; passes: number; run: () => Promise<MultiSample> }> = {};
    for (const workers of [0, 1, 2]) {
      for (const passes of [1, MULTI]) {
        const name = `${workers === 0 ? 'one process, 1 thread' : `${workers} worker${workers > 1 ? 's' : ''}`}, ${passes === 1 ? 'rsi 1 pass' : `${passes} passes`}`;
        multiCases[name] = { workers, passes, run: () => multi(workers, passes) };
      }
    }
    const multiName = (workers: number, passes: number): string => Object.entries(multiCases).find(([, c]) => c.workers === workers && c.passes === passes)![0];
    const load: number[] = [loadavg()[0]];
    const cores = cpus().length;
    console.log(`distributed bench: ${M} x ${N} float64 (${(M * N * 8 / 1e6).toFixed(0)} MB), rank ${RANK}, ${SHARDS} shards, ${REPS} reps; ${cores} cores, load ${load[0].toFixed(2)}`);
    await cases['1 worker'].run(); // warm-up (page cache, module cache)
    const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
    const multiSamples: Record<string, MultiSample[]> = Object.fromEntries(Object.keys(multiCases).map((k) => [k, []]));
    for (let rep = 0; rep < REPS; rep++) {
      for (const [name, c] of Object.entries(cases)) {
        const s = await c.run();
        samples[name].push(s);
        console.log(`  rep ${rep + 1} ${name}: ${s.seconds.toFixed(2)} s${isDist(s) ? ` (shards done at ${s.waitSeconds.toFixed(2)} s, merge ${s.mergeSeconds.toFixed(2)} s)` : ''}`);
      }
      for (const [name, c] of Object.entries(multiCases)) {
        const s = await c.run();
        multiSamples[name].push(s);
        const gapsText = s.perPass !== undefined && s.perPass.length > 1 ? `, gaps between passes ${s.perPass.slice(1).map((p) => p.gapBefore!.toFixed(3)).join(', ')} s` : '';
        console.log(`  rep ${rep + 1} ${name}: ${s.seconds.toFixed(2)} s${s.perPass !== undefined ? ` (waiting ${s.waitSeconds!.toFixed(2)} s, merge ${s.mergeSeconds!.toFixed(2)} s${gapsText})` : ''}`);
      }
      load.push(loadavg()[0]);
    }
    const secs = (name: string): number => median(samples[name].map((s) => s.seconds));
    const dist = (name: string): DistSample[] => samples[name].filter(isDist);
    const one = dist('1 worker'), one2 = dist(`1 worker, ${SHARDS2} shards`);
    const baseline = secs('one process, 1 thread');

    // The model's inputs, from the 1-worker runs (one worker on its own core runs the shards in turn, the client waiting).
    // A shard's time: a + b rows, fitted to the median shard at m / S and m / 2S rows (the first shard of a fresh worker excluded).
    const laterShards = (d: DistSample[]): number => median(d.flatMap((s) => s.shardSeconds.flatMap((w) => w.slice(1))));
    const tShard = laterShards(one), tShard2 = laterShards(one2);
    const rows1 = M / SHARDS, rows2 = M / SHARDS2;
    let perRow = (tShard - tShard2) / (rows1 - rows2), perShard = tShard - perRow * rows1;
    const fitNote = perShard < 0 || perRow < 0 ? ' (the fit gave a negative term; the noise is larger than the effect, so t_shard is taken as proportional to rows)' : '';
    if (fitNote !== '') { perShard = 0; perRow = tShard / rows1; }
    const shardTime = (rows: number): number => perShard + perRow * rows;
    const tWarm = Math.max(0, median(one.flatMap((s) => s.shardSeconds.map((w) => w[0]))) - tShard);
    const tHandoff = median(one.flatMap((s) => s.handoffSeconds));
    const tSetup = median(one.map((s) => s.setupSeconds));
    const tMerge = median(one.map((s) => s.mergeSeconds));
    const tMerge2 = median(one2.map((s) => s.mergeSeconds));
    const mergePerShard = Math.max(0, (tMerge2 - tMerge) / (SHARDS2 - SHARDS));
    const tEnd = median(one.map((s) => s.tailSeconds - s.mergeSeconds));
    const l = median(one.map((s) => s.l));
    const shardBytes = median(one.map((s) => s.shardBytes)), shardBytes2 = median(one2.map((s) => s.shardBytes));
    const rangeBytes = M * l * 8;
    const stateBytesPerShard = Math.max(0, (shardBytes2 - shardBytes) / (SHARDS2 - SHARDS));
    // Redis commands in a run: c0 + k S, from the two shard counts.
    const cmd = median(one.map((s) => s.redisCommands)), cmd2 = median(one2.map((s) => s.redisCommands));
    const commandsPerShard = Math.max(0, (cmd2 - cmd) / (SHARDS2 - SHARDS));
    const commandsFixed = Math.max(0, cmd - commandsPerShard * SHARDS);
    const oneStartup = median(samples['one process, 1 thread'].map((s) => (isDist(s) ? NaN : s.startup)));
    const inputBytes = M * N * 8, outBytes = M * RANK * 8;

    // The check on this machine (page cache, loopback Redis in the hand-offs): W workers, each on a core of its own.
    const perWorker = (shards: number, shardSeconds: number): number => tWarm + shards * shardSeconds + (shards - 1) * tHandoff;
    const local = (w: number, shards: number): number => tSetup + perWorker(Math.ceil(shards / w), shardTime(M / shards)) + tMerge + tEnd;
    const rows = Object.entries(cases).map(([name, c]) => {
      const d = dist(name);
      const md = (f: (s: DistSample) => number): string => median(d.map(f)).toFixed(2);
      // Paired: each repetition's one-process run against this case in the same repetition (load drifts between repetitions).
      const paired = median(samples[name].map((x, i) => samples['one process, 1 thread'][i].seconds / x.seconds));
      return `| ${name} | ${secs(name).toFixed(2)} | ${(baseline / secs(name)).toFixed(2)} | ${paired.toFixed(2)} | ${c.workers > 0 ? local(c.workers, d[0].shards).toFixed(2) : '-'} | ` +
        `${c.workers > 0 ? median(d.map((s) => s.workersUsed)) : '-'} | ${c.workers > 0 ? median(d.flatMap((s) => s.shardSeconds.flat())).toFixed(2) : '-'} | ` +
        `${c.workers > 0 ? md((s) => s.setupSeconds) : '-'} | ${c.workers > 0 ? md((s) => s.waitSeconds) : '-'} | ${c.workers > 0 ? md((s) => s.mergeSeconds) : '-'} |`;
    });

    // The model on N machines.
    const model = (sigma: number, n: number): { t: number; p: number; d: number; serial: number } => {
      const s = Math.max(SHARDS, n);
      const bytes = sigma * rangeBytes + s * stateBytesPerShard;
      const p = perWorker(Math.ceil(s / n), shardTime(sigma * M / s));
      const d = (sigma * inputBytes + bytes) / BANDWIDTH;
      const merge = sigma * tMerge + (s - SHARDS) * mergePerShard;
      const serial = tSetup + tEnd + merge + (commandsFixed + s * commandsPerShard) * RTT + (bytes + sigma * outBytes) / BANDWIDTH;
      return { t: serial + Math.max(p, d), p, d, serial };
    };
    // One process, 1 thread, sigma times taller: its start-up plus sigma times the rest.
    const oneProcess = (sigma: number): number => oneStartup + sigma * (baseline - oneStartup);
    const ns = [1, 2, 4, 8, 16, 32, 64];
    const analysis = [1, 100].map((sigma) => {
      const t1 = model(sigma, 1);
      const table = ns.map((n) => {
        const r = model(sigma, n);
        return { n, shards: Math.max(SHARDS, n), ...r, speedup: t1.t / r.t, vsOneProcess: oneProcess(sigma) / r.t };
      });
      const fixed = tSetup + tEnd + sigma * tMerge;
      const amdahlIdeal = (fixed + t1.p) / fixed;
      const bound = t1.t / (t1.serial + t1.d);
      // Where it stops: the first N in the table past which doubling saves less than 10 %.
      const stop = table.find((r, i) => i + 1 < table.length && table[i + 1].t > 0.9 * r.t);
      const best = table.reduce((x, y) => (y.t < x.t ? y : x));
      const breakEven = table.find((r) => r.vsOneProcess >= 1);
      return {
        sigma, rows: M * sigma, t1: t1.t, oneProcess: oneProcess(sigma), table, amdahlIdeal, bound,
        stopsAt: stop?.n ?? null, best: best.n, breakEven: breakEven?.n ?? null,
      };
    });
    const modelMd = analysis.flatMap((a) => [
      `**${a.rows} x ${N}** (${(a.sigma * inputBytes / 1e9).toFixed(2)} GB; one process, 1 thread: ${a.sigma === 1 ? 'measured' : 'estimated'} ${a.oneProcess.toFixed(1)} s):`,
      '',
      '| N machines | shards | t(N) s | speed-up vs t(1) | vs one process | workers P(N) s | storage floor D s | serial s |',
      '|---|---|---|---|---|---|---|---|',
      ...a.table.map((r) => `| ${r.n} | ${r.shards} | ${r.t.toFixed(2)} | ${r.speedup.toFixed(2)} | ${r.vsOneProcess.toFixed(2)} | ${r.p.toFixed(2)} | ${r.d.toFixed(2)} | ${r.serial.toFixed(2)} |`),
      '',
      `Speed-up bound over t(1) (Amdahl, t(N) >= serial + D): ${a.bound.toFixed(1)}x; with ideal storage and Redis (B, rtt -> infinity, 0): ${a.amdahlIdeal.toFixed(1)}x. ` +
        `Stops scaling (doubling N saves < 10 %) ${a.stopsAt === null ? 'not within N = 64' : `past N = ${a.stopsAt}`}; fastest in the table at N = ${a.best}; ` +
        `${a.breakEven === null ? 'never as fast as one process within N = 64' : `as fast as one process from N = ${a.breakEven}`}.`,
      '',
    ]);
    // Several passes. Per-pass numbers are paired within each repetition (load drifts between them), then the median.
    const mRuns = (workers: number, passes: number): MultiSample[] => multiSamples[multiName(workers, passes)];
    for (const [name, xs] of Object.entries(multiSamples)) {
      if (xs.some((x) => x.method !== 'rsi' || x.l !== xs[0].l)) throw new Error(`${name}: expected RSI with one sketch width, found ${xs.map((x) => `${x.method} l = ${x.l}`).join(', ')}`);
    }
    const lMulti = mRuns(0, MULTI)[0].l;
    if (mRuns(0, 1)[0].l !== lMulti) throw new Error(`the RSI 1-pass run has l = ${mRuns(0, 1)[0].l}, the ${MULTI}-pass run ${lMulti}`);
    /** (P-pass - 1-pass) / (P - 1), paired within each repetition, for W workers (0: one process); `base` the 1-pass runs' times. */
    const extraPass = (workers: number, base?: number[]): number[] => {
      const b = base ?? mRuns(workers, 1).map((y) => y.seconds);
      return mRuns(workers, MULTI).map((x, i) => (x.seconds - b[i]) / (MULTI - 1));
    };
    const oneDefault = (name: string): number[] => samples[name].map((x) => x.seconds);
    const perPassOne = extraPass(0), perPassOneVsDefault = extraPass(0, oneDefault('one process, 1 thread'));
    const multiWorkers = [1, 2];
    const perPassDist = Object.fromEntries(multiWorkers.map((w) => [w, extraPass(w)]));
    const perPassDistVsDefault = Object.fromEntries(multiWorkers.map((w) => [w, extraPass(w, oneDefault(w === 1 ? '1 worker' : `${w} workers`))]));
    const mergePerPass = Object.fromEntries(multiWorkers.map((w) => [w, mRuns(w, MULTI).map((x) => x.mergeSeconds! / x.passes)]));
    const mergeMiddle = Object.fromEntries(multiWorkers.map((w) => [w, mRuns(w, MULTI).map((x, i) => (x.mergeSeconds! - mRuns(w, 1)[i].mergeSeconds!) / (MULTI - 1))]));
    const gaps = Object.fromEntries(multiWorkers.map((w) => [w, mRuns(w, MULTI).flatMap((x) => x.perPass!.slice(1).map((p) => p.gapBefore!))]));
    // A pass that is neither the first (fresh worker: warm-up) nor the last (G rows, TSQR factor written): pass 2 of 3.
    // The flow's own time per pass: waiting for the shards less the workers' spans (enqueue to pick-up, last done to the client's notice).
    const flowTrip = Object.fromEntries(multiWorkers.map((w) => [w, mRuns(w, MULTI).map((x) => (x.waitSeconds! - sum(x.perPass!.map((p) => p.span))) / x.passes)]));
    const middleSpan = Object.fromEntries(multiWorkers.map((w) => [w, mRuns(w, MULTI).map((x) => x.perPass![1].span)]));
    const middleShard = Object.fromEntries(multiWorkers.map((w) => [w, mRuns(w, MULTI).map((x) => x.perPass![1].medianShard)]));
    // Piece bytes per pass: measured (the workers' reports) against S (n l 8 + l^2 8), plus m l 8 of G rows in the last pass.
    const passBytes = Array.from({ length: MULTI }, (_, p) => median(multiWorkers.flatMap((w) => mRuns(w, MULTI).map((x) => x.perPass![p].bytes))));
    const formulaBytes = (p: number): number => SHARDS * (N * lMulti * 8 + lMulti * lMulti * 8) + (p === MULTI - 1 ? M * lMulti * 8 : 0);
    const xBytes = N * lMulti * 8;
    // Where several passes pay, per pass: one process a m (a: its per-pass time per row); N workers, each with a core of
    // its own, S = max(12, N) shards: g + max(c r m / S + (c - 1) h, m n 8 / B), c = ceil(S / N); g the gap between
    // passes (the client's merge, next X and the flow's round trip: it does not shrink with m or N), r a warm shard's
    // time per row and h the hand-off between a worker's shards (both from the 1-worker runs' pass 2), B as in the model.
    const aRow = median(perPassOne) / M, gap = median(gaps[1]);
    const rRow = median(middleShard[1]) / (M / SHARDS);
    const handoff = Math.max(0, (median(middleSpan[1]) - SHARDS * median(middleShard[1])) / (SHARDS - 1));
    const passDist = (m: number, n: number): number => {
      const sh = Math.max(SHARDS, n), c = Math.ceil(sh / n);
      return gap + Math.max(c * rRow * m / sh + (c - 1) * handoff, m * N * 8 / BANDWIDTH);
    };
    /** The fewest rows from which a pass on N workers is faster than in one process (null: never, on these inputs). */
    const breakEven = (n: number): number | null => {
      const sh = Math.max(SHARDS, n), c = Math.ceil(sh / n);
      const work = aRow - c * rRow / sh, storage = aRow - N * 8 / BANDWIDTH;
      return work > 0 && storage > 0 ? Math.max((gap + (c - 1) * handoff) / work, gap / storage) : null;
    };
    const passNs = [2, 4, 8, 16, 64];
    const perPassModel = [1, 100].map((sigma) => ({
      sigma, rows: sigma * M, onePass: aRow * sigma * M,
      table: passNs.map((n) => ({ n, t: passDist(sigma * M, n), speedup: aRow * sigma * M / passDist(sigma * M, n) })),
    }));
    const f2 = (x: number): string => x.toFixed(2), f3 = (x: number): string => x.toFixed(3);
    const rel = (xs: number[], base: number[]): string => f2(median(xs.map((x, i) => base[i] / x)));
    const multiRows = Object.entries(multiCases).map(([name, c]) => {
      const xs = multiSamples[name];
      const base = mRuns(0, c.passes).map((x) => x.seconds);
      const d = c.workers > 0;
      const md3 = (f: (x: MultiSample) => number): string => (d ? f2(median(xs.map(f))) : '-');
      return `| ${name} | ${c.passes} | ${f2(median(xs.map((x) => x.seconds)))} | ${rel(xs.map((x) => x.seconds), base)} | ${md3((x) => x.setupSeconds!)} | ` +
        `${md3((x) => x.waitSeconds!)} | ${md3((x) => x.mergeSeconds!)} | ${md3((x) => x.mergeSeconds! / x.passes)} | ` +
        `${d && c.passes > 1 ? f3(median(xs.flatMap((x) => x.perPass!.slice(1).map((p) => p.gapBefore!)))) : '-'} | ` +
        `${d ? xs[0].perPass!.map((_, p) => f2(median(xs.map((x) => x.perPass![p].span)))).join(' / ') : '-'} | ` +
        `${d ? xs[0].perPass!.map((_, p) => f3(median(xs.map((x) => x.perPass![p].medianShard)))).join(' / ') : '-'} |`;
    });
    const cell = (xs: number[] | undefined, f = f2): string => (xs === undefined ? '-' : f(median(xs)));
    const distVsOne = (w: number): number[] => perPassDist[w].map((x, i) => x - perPassOne[i]);
    const multiMd = [
      `## Several passes: \`--passes ${MULTI}\` (RSI) distributed against one process`,
      '',
      `Same matrix, rank ${RANK}, seed 0, \`--orientation rows\`, ${SHARDS} shards, in the same ${REPS} repetitions as the cases above (after them in each). ` +
        `\`--passes ${MULTI}\` is randomized subspace iteration (q = ${MULTI - 1}, ${2 * MULTI} views; the CLI forms the error after each pass, so every pass keeps a TSQR factor); ` +
        `its like-for-like one-pass run is \`--method rsi --passes 1\` (the same Gram pass once; l = ${lMulti} for both, against l = ${l} of the one-pass default above, rsvd). ` +
        `Each pass of a distributed run is one BullMQ flow. From the workers' logs: the span of a pass (its first shard started to its last done; pass 1 on fresh workers) ` +
        `and the gap between passes (one pass's last shard done to the next pass's first started: the client checking and merging the pieces, forming X, writing it and enqueueing the next flow, plus the pick-up).`,
      '',
      '| case | passes | median s | speed-up vs one process, same passes (paired) | set-up s | shards done at s (all passes) | merge s (all passes) | merge / passes s | ' +
        'gap between passes s | span of pass 1 / 2 / 3 s | median shard of pass 1 / 2 / 3 s |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...multiRows,
      '',
      `Per extra pass (medians over the repetitions of values paired within each; s):`,
      '',
      '| | one process, 1 thread | 1 worker | 2 workers |',
      '|---|---|---|---|',
      `| (${MULTI} passes - RSI 1 pass) / ${MULTI - 1}: a pass's cost | ${cell(perPassOne, f3)} | ${cell(perPassDist[1], f3)} | ${cell(perPassDist[2], f3)} |`,
      `| same, distributed minus one process | - | ${cell(distVsOne(1), f3)} | ${cell(distVsOne(2), f3)} |`,
      `| (${MULTI} passes - one-pass default) / ${MULTI - 1} (rsvd, l = ${l}: mixes two methods, not a pass's cost) | ${cell(perPassOneVsDefault, f3)} | ${cell(perPassDistVsDefault[1], f3)} | ${cell(perPassDistVsDefault[2], f3)} |`,
      `| client merge per pass, mergeSeconds / ${MULTI} | - | ${cell(mergePerPass[1], f3)} | ${cell(mergePerPass[2], f3)} |`,
      `| client merge of a pass without G rows, (merge(${MULTI}) - merge(1)) / ${MULTI - 1} | - | ${cell(mergeMiddle[1], f3)} | ${cell(mergeMiddle[2], f3)} |`,
      `| gap between passes (client's serial part and the flow's round trip) | - | ${cell(gaps[1], f3)} | ${cell(gaps[2], f3)} |`,
      `| the flow's own time per pass, (shards done at - the passes' spans) / ${MULTI} | - | ${cell(flowTrip[1], f3)} | ${cell(flowTrip[2], f3)} |`,
      `| workers' span of pass 2 | - | ${cell(middleSpan[1], f3)} | ${cell(middleSpan[2], f3)} |`,
      `| median shard of pass 2 (${M / SHARDS} rows) | - | ${cell(middleShard[1], f3)} | ${cell(middleShard[2], f3)} |`,
      '',
      `Piece files per pass (the workers' reported bytes, all ${SHARDS} shards; the shard directory is removed when the run ends, so the files themselves are not listed): ` +
        passBytes.map((b, p) => `pass ${p + 1} ${(b / 1e3).toFixed(1)} kB (formula ${(formulaBytes(p) / 1e3).toFixed(1)} kB)`).join(', ') +
        `. Formula: S (n l 8 + l^2 8) = ${SHARDS} x (${N * lMulti * 8} + ${lMulti * lMulti * 8}) bytes of H and R, plus in the last pass the G rows m l 8 = ${(M * lMulti * 8 / 1e6).toFixed(1)} MB; ` +
        `the difference is the container's header and section table, ${((passBytes[0] - formulaBytes(0)) / SHARDS).toFixed(0)} bytes a piece. The client also writes X, n l 8 = ${(xBytes / 1e3).toFixed(1)} kB, each pass.`,
      '',
      ...(aRow <= 0 ? [`Where several passes pay: not estimated, one process's extra pass (${f3(median(perPassOne))} s) is below this run's noise.`, ''] : [
        `Where several passes pay. A pass costs one process a m, a = ${(aRow * 1e6).toFixed(2)} us a row here (its per-pass time / m: 4 n l flops a row in two GEMMs, ` +
          `the read from the page cache, and the factors and error after the pass). On N workers each with a core of its own (S = max(${SHARDS}, N) shards, c = ceil(S / N) a worker) ` +
          `it costs g + max(c r m / S + (c - 1) h, m n 8 / B): a warm shard's r = ${(rRow * 1e6).toFixed(2)} us a row and a hand-off h = ${(handoff * 1000).toFixed(1)} ms ` +
          `(1 worker, pass 2), or the pass's read through shared storage B = ${BANDWIDTH / 1e6} MB/s (as the model above); and g = ${f3(gap)} s, the 1-worker gap between passes, ` +
          `serial and independent of m and N: the client reads and hashes S (n l + l^2) 8 = ${(SHARDS * (N * lMulti + lMulti * lMulti) * 8 / 1e3).toFixed(0)} kB of pieces, ` +
          `merges S TSQR factors (l x l, O(l^3) each; both together, (merge(${MULTI}) - merge(1)) / ${MULTI - 1} = ${f3(median(mergeMiddle[1]))} s, are below the noise of the last pass's ` +
          `merge, which hashes and reads the m l 8 bytes of G rows), forms the factors, the error and the next X, writes X (${(xBytes / 1e3).toFixed(1)} kB), ` +
          `and the next flow goes through Redis to a worker and its results come back (the wait less the spans: ${f3(median(flowTrip[1]))} s a pass, about all of g). ` +
          `A pass on N workers is faster than in one process from m > max((g + (c - 1) h) / (a - c r / S), g / (a - n 8 / B)) rows: ` +
          passNs.map((n) => { const m = breakEven(n); return `N = ${n}: ${m === null ? 'never' : `${(m / 1e3).toFixed(0)} k`}`; }).join(', ') +
          ` (n = ${N}, l = ${lMulti}). The workers' part grows as m n l and divides by N; the serial g grows only with S and n l (bytes) and l^3, not with m: ` +
          'the extra passes pay for tall matrices, and, while g is mostly its fixed part (the round trip, not the pieces\' bytes), wider ones (more work a row) at fewer rows. ' +
          `Per pass, estimated from the 1-worker runs (on this machine N workers do not each have a core); the storage floor m n 8 / B is ` +
          `${perPassModel.map((r) => `${f2(r.rows * N * 8 / BANDWIDTH)} s`).join(' and ')} a pass for the two heights (every pass reads the input once):`,
        '',
        `| rows | one process s/pass | ${passNs.map((n) => `N = ${n}`).join(' | ')} |`,
        `|---|---|${passNs.map(() => '---').join('|')}|`,
        ...perPassModel.map((r) => `| ${r.rows} | ${f2(r.onePass)} | ${r.table.map((x) => `${f2(x.t)} s (${f2(x.speedup)}x)`).join(' | ')} |`),
        '',
      ]),
    ];
    const md = [
      `# approx --distributed: workers on one ${cores}-core machine, and a model for N machines`,
      '',
      `\`npx tsx bench/distributed.ts --rows ${M} --cols ${N} --reps ${REPS} --shards ${SHARDS} --bandwidth ${BANDWIDTH / 1e6} --rtt-ms ${RTT * 1000}\` ` +
        `(${new Date().toISOString()}); ${M} x ${N} float64 .npy (${(inputBytes / 1e6).toFixed(0)} MB), rank ${RANK} (rsvd, sketch width l = ${l}), ${SHARDS} shards ` +
        `unless named; workers and the one-process runs with one kernel thread unless named; ${cores} cores, load average (1 min) ` +
        `${load.map((x) => x.toFixed(1)).join(', ')} (start, after each rep): a shared machine, so read the ratios within this run, not the seconds. ` +
        `Medians of ${REPS} interleaved repetitions.`,
      '',
      '| case | median s | speed-up vs one process, 1 thread (medians) | same, paired within each rep (median) | model check s | workers that ran shards | ' +
        'median shard s | set-up s | shards done at s | merge s |',
      '|---|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
      'The model check is t_setup + t_warm + c t_shard + (c - 1) t_handoff + t_merge + t_end, c = ceil(S / W), with the 1-worker inputs below: ' +
        `W workers each on a core of its own. On this machine it can hold for W <= ${cores} at most (the client and Redis share the cores too); ` +
        `a gap is the cores the workers share, as the median shard time per case shows.`,
      '',
      `Model inputs (1-worker runs, medians): t_setup ${tSetup.toFixed(2)} s (the client's spawn to the first shard started: Node start-up, ` +
        `planning, Redis, enqueueing; one process's start-up alone is ${oneStartup.toFixed(2)} s); t_shard ${tShard.toFixed(3)} s at ${rows1} rows and ` +
        `${tShard2.toFixed(3)} s at ${rows2} rows, so t_shard(rows) = ${perShard.toFixed(3)} s + ${(perRow * 1e6).toFixed(2)} us x rows${fitNote} ` +
        `(one process's pass: ${median(samples['one process, 1 thread'].map((s) => (isDist(s) ? NaN : (s.timings?.read ?? NaN) + (s.timings?.sketch ?? NaN)))).toFixed(2)} s ` +
        `for all ${M} rows); the first shard on a fresh worker takes t_warm ${tWarm.toFixed(2)} s more; t_handoff ${(tHandoff * 1000).toFixed(0)} ms ` +
        `(a shard done to the same worker's next started); t_merge ${tMerge.toFixed(2)} s with ${SHARDS} shards, ${tMerge2.toFixed(2)} s with ${SHARDS2} ` +
        `(the client checks every shard file's SHA-256, reads the range rows, writes U, S, V); t_end ${tEnd.toFixed(2)} s (the last shard done to the ` +
        `client noticing, plus its exit); shard files ${(shardBytes / 1e6).toFixed(1)} MB per run, ${(shardBytes2 / 1e6).toFixed(1)} MB with ${SHARDS2} shards ` +
        `(range rows m l 8 = ${(rangeBytes / 1e6).toFixed(1)} MB + ${(stateBytesPerShard / 1e3).toFixed(1)} kB of sketch state per shard; the input is ` +
        `${(inputBytes / 1e6).toFixed(0)} MB); Redis commands in a run ${cmd.toFixed(0)} with ${SHARDS} shards, ${cmd2.toFixed(0)} with ${SHARDS2}: ` +
        `c0 = ${commandsFixed.toFixed(0)} + k = ${commandsPerShard.toFixed(1)} per shard (the workers' polling during the run included). ` +
        `Parameters (not measured): shared storage B = ${BANDWIDTH / 1e6} MB/s, Redis round trip rtt = ${RTT * 1000} ms.`,
      '',
      `Model t(N), N machines with one worker each on its own core, S = max(${SHARDS}, N) shards, the matrix sigma times taller: ` +
        't(N) = serial + max(P(N), D); P(N) = t_warm + c t_shard(sigma m / S) + (c - 1) t_handoff, c = ceil(S / N); D = (sigma m n 8 + shard bytes) / B; ' +
        'serial = t_setup + t_end + sigma t_merge + (S - 12) d_merge + (c0 + k S) rtt + (shard bytes + sigma m r 8) / B (every Redis command one serial round trip: an over-count). ' +
        'Assumes each worker has a core of its own and the storage is the only thing they share; the set-up, end and merge do not shrink with N and the whole merge ' +
        'grows with m (an over-count for its part that does not). "vs one process" divides the one-process, 1-thread time (measured; for the taller matrix its start-up plus sigma times the rest) by t(N).',
      '',
      ...modelMd,
      ...multiMd,
    ].join('\n');
    mkdirSync(join(ROOT, 'bench', 'out'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'out', 'distributed.md'), md);
    writeFileSync(join(ROOT, 'bench', 'out', 'distributed.json'), `${JSON.stringify({
      M, N, RANK, SHARDS, REPS, cores, load, samples,
      inputs: {
        tSetup, tShard, tShard2, shardSecondsFixed: perShard, shardSecondsPerRow: perRow, tWarm, tHandoff, tMerge, tMerge2, mergePerShard, tEnd,
        shardBytes, shardBytes2, l, rangeBytes, stateBytesPerShard, commandsFixed, commandsPerShard, oneProcessStartup: oneStartup,
      },
      parameters: { bandwidthBytesPerSecond: BANDWIDTH, rttSeconds: RTT },
      model: analysis,
      multipass: {
        passes: MULTI, l: lMulti, samples: multiSamples,
        perExtraPass: { oneProcess: perPassOne, distributed: perPassDist, oneProcessVsDefault: perPassOneVsDefault, distributedVsDefault: perPassDistVsDefault },
        mergePerPass, mergeMiddle, gaps, flowTrip, middleSpan, middleShard,
        pieceBytes: { measured: passBytes, formula: passBytes.map((_, p) => formulaBytes(p)), xBytes },
        wherePays: { aRow, rRow, handoff, gap, breakEvenRows: Object.fromEntries(passNs.map((n) => [n, breakEven(n)])), perPassModel },
      },
    }, null, 2)}\n`);
    console.log(md);
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
