/**
 * Issue 15: a TCP peer must not control our memory or hang us.
 * - A peer that declares a 2 GiB record batch body and then sends bytes as fast as it can: refused
 *   within 1 s of the connection, with the peak RSS less than 50 MB above a normal small run's (the
 *   reader used to buffer the whole body: 3 GiB in 25 s).
 * - A silent peer with --idle-timeout 2s: exit 2 within 3 s of the connection.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/cli-harness.js';
import { arrowStream, streamWithBody } from './fixtures.js';
import { runChild } from './run-child.js';

const root = mkdtempSync(join(tmpdir(), 'rf-peers-'));
const servers: Server[] = [];
beforeAll(async () => { await ensureBuilt(); });
afterAll(() => { for (const s of servers) s.close(); rmSync(root, { recursive: true, force: true }); });

function serve(onSocket: (s: Socket) => void): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer(onSocket);
    servers.push(server);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

function dirs(name: string): { tmp: string; out: string } {
  const tmp = join(root, name, 'tmp'), out = join(root, name, 'out');
  mkdirSync(tmp, { recursive: true });
  mkdirSync(out, { recursive: true });
  return { tmp, out };
}

describe('hostile TCP peers', () => {
  it('a peer declaring a 2 GiB body (and sending it) is refused within 1 s, with RSS growth under 50 MB', async () => {
    // Baseline: the same command on a small valid stream.
    const good = await serve((s) => { s.on('error', () => undefined); s.end(arrowStream()); });
    const base = dirs('base');
    const ok = await runChild(['approx', `tcp://127.0.0.1:${good}`, '--rank', '2', '--json'], { tmpdir: base.tmp });
    expect(ok.code, ok.stderr).toBe(0);

    let connectedAt = 0;
    const head = streamWithBody(2 ** 31);
    const chunk = Buffer.alloc(1 << 16, 0x5a);
    const port = await serve((s) => {
      connectedAt = performance.now();
      s.on('error', () => undefined);
      s.write(head);
      // Then the "body", as fast as the socket takes it, until the reader hangs up.
      const pump = (): void => { while (!s.destroyed && s.write(chunk)); if (!s.destroyed) s.once('drain', pump); };
      pump();
    });
    const { tmp, out } = dirs('huge');
    let exitedAt = 0;
    const r = await runChild(['approx', `tcp://127.0.0.1:${port}`, '--rank', '2', '--out', join(out, 'f')], {
      tmpdir: tmp, onSpawn: (c) => c.on('exit', () => { exitedAt = performance.now(); }),
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toMatch(/^rangefinder: tcp:\/\/127\.0\.0\.1:\d+: message 2 at byte \d+ declares a body of 2147483648 bytes, more than the cap of 67108864 bytes \(raise it with --max-message/);
    expect(exitedAt - connectedAt, 'ms from connection to exit').toBeLessThan(1000);
    const growth = r.peakRss - ok.peakRss;
    console.log(`2 GiB body peer: refused ${Math.round(exitedAt - connectedAt)} ms after connecting; peak RSS ${Math.round(r.peakRss / 2 ** 20)} MiB, baseline ${Math.round(ok.peakRss / 2 ** 20)} MiB, growth ${Math.round(growth / 2 ** 20)} MiB`);
    expect(growth).toBeLessThan(50 * 1024 * 1024);
    expect(readdirSync(out)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('a silent peer with --idle-timeout 2s: exit 2 within 3 s of the connection', async () => {
    let connectedAt = 0;
    const port = await serve((s) => { connectedAt = performance.now(); s.on('error', () => undefined); });
    const { tmp, out } = dirs('silent');
    let exitedAt = 0;
    const r = await runChild(['approx', `tcp://127.0.0.1:${port}`, '--rank', '2', '--idle-timeout', '2s', '--out', join(out, 'f')], {
      tmpdir: tmp, onSpawn: (c) => c.on('exit', () => { exitedAt = performance.now(); }),
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toMatch(/^rangefinder: tcp:\/\/127\.0\.0\.1:\d+ sent no data for 2 s after 0 rows \(0 bytes\): the producer stalled; waited 2 s \(--idle-timeout\)$/);
    const ms = exitedAt - connectedAt;
    console.log(`silent peer: exit ${Math.round(ms)} ms after connecting`);
    expect(ms).toBeGreaterThanOrEqual(1900);
    expect(ms).toBeLessThan(3000);
    expect(readdirSync(out)).toEqual([]);
  });
});
