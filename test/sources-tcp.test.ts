import { createServer, type Server, type Socket } from 'node:net';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../src/errors.js';
import { fromSynthetic } from '../streams/sources/from-synthetic.js';
import { fromTcp } from '../streams/sources/from-tcp.js';
import { listenTcp } from '../streams/sources/listen-tcp.js';
import { produceArrowStream } from '../streams/tools/arrow-producer.js';
import { connect } from 'node:net';
import { collectRows } from './helpers/collect-rows.js';
import { waitUntil } from './helpers/open-fds.js';

const spec = { rows: 3000, cols: 24, rank: 5, seed: 11, dtype: 'float32' as const };

function producerTo(port: number, opts: Parameters<typeof produceArrowStream>[1]): { done: Promise<void>; socket: Socket } {
  const socket = connect({ host: '127.0.0.1', port });
  const done = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => produceArrowStream(socket, opts).then(resolve, reject));
    socket.once('error', reject);
  });
  return { done: done.catch(() => undefined), socket };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A producer that listens and serves one stream per connection. */
async function producerServer(opts: Parameters<typeof produceArrowStream>[1]): Promise<{ port: number; closed: Promise<void> }> {
  let onClosed: () => void = () => undefined;
  const closed = new Promise<void>((r) => { onClosed = r; });
  const server = createServer((socket) => {
    socket.once('close', onClosed);
    socket.on('error', () => undefined);
    produceArrowStream(socket, opts).catch(() => undefined);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
  return { port: (server.address() as { port: number }).port, closed };
}

describe('TCP sources', () => {
  it('listenTcp on an ephemeral port reads what a producer sends, equal to the synthetic source', async () => {
    const src = await listenTcp({ port: 0 });
    expect(src.port).toBeGreaterThan(0);
    expect(src.host).toBe('127.0.0.1');
    const { done } = producerTo(src.port, { ...spec, batchRows: 500 });
    expect(await src.info()).toMatchObject({ cols: 24, dtype: 'float32', layout: 'fixed-size-list' });
    const got = await collectRows(src.open());
    await done;
    const expected = await collectRows(fromSynthetic(spec).open());
    expect(got.blockRows).toEqual([500, 500, 500, 500, 500, 500]);
    expect(got.data).toEqual(expected.data);
    expect(src.replayable).toBe(false);
    const again = await lastValueFrom(src.open()).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(SourceError);
    expect((again as Error).message).toMatch(/one-shot source.*cannot be replayed/);
  });

  it('fromTcp connects to a listening producer', async () => {
    const { port } = await producerServer({ ...spec, batchRows: 1000 });
    const got = await collectRows(fromTcp({ host: '127.0.0.1', port }).open());
    expect([got.rows, got.cols, got.blocks]).toEqual([3000, 24, 3]);
  });

  it('a producer that drops mid-stream is an error naming the address and the rows read', async () => {
    const { port } = await producerServer({ ...spec, batchRows: 500, dropAfter: 3 });
    const err = await lastValueFrom(fromTcp({ port }).open()).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toMatch(new RegExp(`^tcp://127\\.0\\.0\\.1:${port} (ended|failed) after 1500 rows \\(3 batches`));
  });

  it('a refused connection is a clear SourceError', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    await expect(fromTcp({ port }).info()).rejects.toThrow(new RegExp(`cannot connect to tcp://127\\.0\\.0\\.1:${port}`));
  });

  it('unsubscribing closes the socket (the producer sees the connection close)', async () => {
    const { port, closed } = await producerServer({ rows: 100_000, cols: 64, batchRows: 256, seed: 1 });
    const first = await firstValueFrom(fromTcp({ port }).open().pipe(take(2), toArray()));
    expect(first).toHaveLength(2);
    let isClosed = false;
    void closed.then(() => { isClosed = true; });
    expect(await waitUntil(() => isClosed, 3000)).toBe(true);
  });

  it('an unread socket holds the producer back (TCP flow control; nothing unbounded is buffered)', async () => {
    const src = await listenTcp({ port: 0 });
    let finished = false;
    // 40 MB of float32 rows: more than loopback socket buffers hold.
    const { done } = producerTo(src.port, { rows: 80_000, cols: 128, batchRows: 1000, seed: 2, noise: 0 });
    void done.then(() => { finished = true; });
    await src.info();
    await new Promise((r) => setTimeout(r, 300));
    expect(finished).toBe(false);
    const mem = process.memoryUsage().arrayBuffers;
    let rows = 0;
    await lastValueFrom(src.open().pipe(toArray())).then((bs) => { rows = bs.reduce((s, b) => s + b.rows, 0); });
    await done;
    expect(finished).toBe(true);
    expect(rows).toBe(80_000);
    expect(mem).toBeLessThan(200 * 1024 * 1024);
  });

  it('listenTcp.close() during a read is an error, not a short matrix', async () => {
    const src = await listenTcp({ port: 0 });
    producerTo(src.port, { rows: 100_000, cols: 64, batchRows: 256, seed: 4 });
    let blocks = 0;
    const err = await new Promise<unknown>((resolve) => {
      src.open().subscribe({
        next: () => { if (++blocks === 3) void src.close(); },
        error: resolve,
        complete: () => resolve(null),
      });
    });
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toMatch(/(was closed after|failed after) \d+ rows/);
  });

  it('listenTcp.close() before any producer rejects a pending open with a clear error', async () => {
    const src = await listenTcp({ port: 0 });
    const pending = lastValueFrom(src.open()).then(() => null, (e: unknown) => e);
    await src.close();
    const err = await pending;
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toMatch(/was closed before a producer connected/);
  });
});
