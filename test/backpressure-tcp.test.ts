/**
 * Backpressure end to end, with real components: a child process (test/helpers/arrow-producer.mjs)
 * writes a large Arrow IPC stream (float32, generated per batch) as fast as it can to a TCP socket on
 * 127.0.0.1; this process reads it with `listenTcp` and folds it with `sketchRows`, deliberately
 * slower than the producer (a synchronous busy-wait per block on top of the sketch update).
 *
 * Claims checked:
 * 1. memory stays bounded: the consumer's LIVE memory (heapUsed + arrayBuffers right after a forced GC,
 *    every 8 blocks) grows by less than 16 MB while >= 20x that many bytes go through, and the raw
 *    peaks (including garbage not yet collected, and rss) stay under 128 MB; all printed;
 * 2. the producer is throttled by TCP flow control: at every moment it reported (wall-clock stamps
 *    from both processes), it is at most a bounded number of bytes ahead of what the consumer has
 *    sketched, it spent most of its time waiting for 'drain', and it finished only when the consumer
 *    was nearly done;
 * 3. negative control: the usual push-style RxJS pipeline (`fromEvent(socket, 'data')` + an async
 *    `concatMap`) over the same producer and a consumer as slow buffers what arrives: its memory
 *    grows with the bytes sent and the producer is hardly throttled;
 * 4. a producer killed mid-stream arrives as an error notification naming the socket and the rows.
 * The range spill goes to a file (synchronous positioned writes), so the sketch state itself does not
 * grow with the number of rows [docs/METHODS.md §6].
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concatMap, fromEvent, lastValueFrom, takeUntil, tap, timer } from 'rxjs';
import { createServer, type Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RangefinderError, SourceError } from '../src/errors.js';
import type { Matrix } from '../src/matrix.js';
import type { RangeSpill } from '../src/sketch/index.js';
import { sketchRows } from '../streams/operators/index.js';
import { listenTcp, type ListeningSource } from '../streams/sources/listen-tcp.js';

const PRODUCER = join(import.meta.dirname, 'helpers', 'arrow-producer.mjs');
const COLS = 256;
const RANK = 5;
const ROWS = 350_000; // 358 MB (342 MiB) of float32 payload: > 20x ALLOWED_LIVE_GROWTH
const BATCH_ROWS = 2048; // 2 MiB per record batch
const BUSY_MS = 15; // per block, on top of the sketch update: caps the consumer near 130 MB/s even if the sketch were free
const MB = 1024 * 1024;
const ALLOWED_LIVE_GROWTH = 16 * MB; // live heapUsed + arrayBuffers (after a GC) above the baseline
const ALLOWED_RAW_GROWTH = 128 * MB; // the same and rss without forcing GC: garbage awaiting collection included
const ALLOWED_LEAD = 48 * MB; // producer's bytes written minus consumer's bytes sketched

const dir = mkdtempSync(join(tmpdir(), 'rf-bp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const children: ChildProcess[] = [];
const sources: ListeningSource[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of sources.splice(0)) await s.close();
});

interface Report { batch: number; rows: number; bytes: number; stalls: number; stallMs: number; t: number; wall: number; done?: boolean }

function startProducer(port: number, rows: number): { child: ChildProcess; reports: Report[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [PRODUCER, '--port', String(port), '--rows', String(rows), '--cols', String(COLS),
    '--batch-rows', String(BATCH_ROWS), '--seed', '7'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const reports: Report[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) { reports.push(JSON.parse(buf.slice(0, nl)) as Report); buf = buf.slice(nl + 1); }
  });
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[producer] ${d.toString()}`));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, reports, exited };
}

/** A range spill that writes y rows (float64) to a file at their row's offset: no memory growth. */
function fileSpill(path: string, k: number): RangeSpill & { close(): void } {
  const fd = openSync(path, 'w');
  let buf = new Float64Array(0);
  return {
    write(rowStart: number, y: Matrix) {
      if (buf.length < y.rows * k) buf = new Float64Array(y.rows * k);
      for (let i = 0; i < y.rows; i++) for (let j = 0; j < k; j++) buf[i * k + j] = y.data[y.offset + i * y.stride + j];
      writeSync(fd, buf, 0, y.rows * k * 8, rowStart * k * 8);
    },
    close: () => closeSync(fd),
  };
}

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* a slow synchronous consumer */ }
}

// A GC we can force, to measure LIVE memory (what is held) apart from garbage awaiting collection.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const GC_EVERY = 8; // blocks

const wallNow = (): number => performance.timeOrigin + performance.now();

/** Rows the consumer had finished sketching at wall time `t` (from its log of block starts). */
function sketchedAt(log: { wall: number; rows: number }[], t: number): number {
  let rows = 0;
  for (const e of log) { if (e.wall > t) break; rows = e.rows; }
  return rows;
}

describe('backpressure over TCP', () => {
  it('a fast producer is slowed to the sketcher\'s pace and the consumer\'s memory stays bounded', async () => {
    const src = await listenTcp({ port: 0 });
    sources.push(src);
    const k = 4 * RANK + 1; // default three-sketch range size
    const spillPath = join(dir, 'y.f64');
    const spill = fileSpill(spillPath, k);

    gc();
    const base = process.memoryUsage();
    const baseExt = base.heapUsed + base.arrayBuffers;
    let peakExt = 0, peakRss = 0, peakLive = 0, blocks = 0;
    const sample = (): void => {
      const m = process.memoryUsage();
      peakExt = Math.max(peakExt, m.heapUsed + m.arrayBuffers - baseExt);
      peakRss = Math.max(peakRss, m.rss - base.rss);
    };
    const sampleLive = (): void => {
      gc(); gc(); // the second lets the first's array-buffer sweep finish
      const m = process.memoryUsage();
      peakLive = Math.max(peakLive, m.heapUsed + m.arrayBuffers - baseExt);
      lives.push(m.heapUsed + m.arrayBuffers - baseExt);
    };
    const lives: number[] = [];
    const timer = setInterval(sample, 10);

    const { reports, exited } = startProducer(src.port, ROWS);
    // At the start of each block's `next`, every earlier row has been sketched (sketching is synchronous).
    const log: { wall: number; rows: number }[] = [];
    const t0 = performance.now();
    let busyMs = 0;
    const state = await lastValueFrom(src.open().pipe(
      tap((b) => {
        log.push({ wall: wallNow(), rows: b.rowStart });
        sample();
        if (++blocks % GC_EVERY === 0) sampleLive();
        const s = performance.now();
        busyWait(BUSY_MS);
        busyMs += performance.now() - s;
      }),
      sketchRows({ cols: COLS, rank: RANK, seed: 1, spill }),
    )).finally(() => { clearInterval(timer); spill.close(); });
    const elapsed = performance.now() - t0;
    log.push({ wall: wallNow(), rows: state.rowsSeen });
    sample();
    expect(await exited).toBe(0);

    expect(state.rowsSeen).toBe(ROWS);
    expect(statSync(spillPath).size).toBe(ROWS * k * 8);
    const done = reports[reports.length - 1];
    expect(done.done).toBe(true);
    const payload = ROWS * COLS * 4;
    expect(done.bytes).toBeGreaterThan(payload);

    // Throttling: the producer was never more than ALLOWED_LEAD bytes ahead of the sketcher.
    let maxLead = 0;
    for (const r of reports) maxLead = Math.max(maxLead, r.bytes - sketchedAt(log, r.wall) * COLS * 4);
    const rowsAtDone = sketchedAt(log, done.wall);
    console.log(`[backpressure] sent ${(done.bytes / MB).toFixed(0)} MiB in ${(done.t / 1000).toFixed(1)} s ` +
      `(producer stalled ${done.stalls} times, ${(done.stallMs / 1000).toFixed(1)} s waiting for drain); ` +
      `consumer ${(elapsed / 1000).toFixed(1)} s (busy-wait ${(busyMs / 1000).toFixed(1)} s); ` +
      `max producer lead ${(maxLead / MB).toFixed(1)} MiB; rows sketched when the producer finished ${rowsAtDone}/${ROWS}; ` +
      `memory growth over the run: live (after GC) heapUsed+arrayBuffers peak ${(peakLive / MB).toFixed(1)} MiB; ` +
      `raw peaks heapUsed+arrayBuffers ${(peakExt / MB).toFixed(1)} MiB, rss ${(peakRss / MB).toFixed(1)} MiB`);
    expect(maxLead).toBeLessThan(ALLOWED_LEAD);
    expect(rowsAtDone * COLS * 4).toBeGreaterThan(payload - ALLOWED_LEAD);
    expect(done.stallMs).toBeGreaterThan(0.5 * done.t);
    expect(done.t).toBeGreaterThan(0.8 * busyMs);

    // Memory: bounded, and far below what went through.
    expect(done.bytes).toBeGreaterThanOrEqual(20 * ALLOWED_LIVE_GROWTH);
    expect(peakLive).toBeLessThan(ALLOWED_LIVE_GROWTH);
    // ... and no trend with the amount read: the last quarter's live memory is not above the first's.
    const quarter = Math.floor(lives.length / 4);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(lives.slice(0, quarter)), last = mean(lives.slice(lives.length - quarter));
    console.log(`[backpressure] live memory, mean of first vs last quarter of the run: ${(first / MB).toFixed(1)} vs ${(last / MB).toFixed(1)} MB`);
    expect(last - first).toBeLessThan(4 * MB);
    expect(peakExt).toBeLessThan(ALLOWED_RAW_GROWTH);
    expect(peakRss).toBeLessThan(ALLOWED_RAW_GROWTH);
  });

  it('a producer killed mid-stream arrives as an error notification naming the socket and the rows', async () => {
    const src = await listenTcp({ port: 0 });
    sources.push(src);
    const { child, exited } = startProducer(src.port, ROWS);
    let blocks = 0, lastRow = 0;
    const err = await lastValueFrom(src.open().pipe(
      tap((b) => {
        blocks++; lastRow = b.rowStart + b.rows;
        if (blocks === 10) child.kill('SIGKILL');
        busyWait(BUSY_MS);
      }),
      sketchRows({ cols: COLS, rank: RANK, seed: 1, spill: { write: () => undefined } }),
    )).catch((e: unknown) => e);
    expect(await exited).toBeNull(); // killed by the signal
    console.log(`[backpressure] killed producer -> ${(err as Error).name}: ${(err as Error).message}`);
    expect(err).toBeInstanceOf(RangefinderError);
    expect((err as Error).message).toContain(`tcp://127.0.0.1:${src.port}`);
    expect((err as Error).message).toMatch(new RegExp(`after ${lastRow} rows`));
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toMatch(/without the Arrow end-of-stream marker: the connection was cut off mid-stream/);
    expect(lastRow).toBeLessThan(ROWS);
  });

  it('negative control: a push-style pipeline (fromEvent + async concatMap) buffers instead', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
    const port = (server.address() as { port: number }).port;
    const rows = 60_000; // 61 MB
    const connected = new Promise<Socket>((r) => server.once('connection', r));
    const { reports, exited } = startProducer(port, rows);
    const socket = await connected;
    server.close();
    gc(); gc();
    const base = process.memoryUsage();
    let peak = 0, received = 0;
    const t0 = performance.now();
    // Each chunk is "processed" asynchronously at about 30 MB/s: the events keep coming meanwhile.
    await lastValueFrom(fromEvent<Buffer>(socket, 'data').pipe(
      takeUntil(fromEvent(socket, 'end')),
      concatMap((c) => timer(0).pipe(tap(() => {
        received += c.byteLength;
        busyWait(c.byteLength / 30e6 * 1000);
        const m = process.memoryUsage();
        peak = Math.max(peak, m.heapUsed + m.arrayBuffers - base.heapUsed - base.arrayBuffers);
      }))),
    ), { defaultValue: undefined });
    const elapsed = performance.now() - t0;
    expect(await exited).toBe(0);
    const done = reports[reports.length - 1];
    console.log(`[backpressure] negative control: sent ${(done.bytes / MB).toFixed(0)} MiB in ${(done.t / 1000).toFixed(1)} s ` +
      `(stalled ${(done.stallMs / 1000).toFixed(1)} s), consumed in ${(elapsed / 1000).toFixed(1)} s; push consumer's memory grew by ${(peak / MB).toFixed(1)} MiB (raw peak)`);
    expect(received).toBe(done.bytes);
    expect(peak).toBeGreaterThan(0.5 * done.bytes); // most of the stream sat in memory at once
    expect(done.t).toBeLessThan(0.5 * elapsed); // the producer was done long before the consumer
  });
});
